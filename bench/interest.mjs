// Interest benchmark: the interest work of bench/sync.mjs's scenario on its own. --entities walkers
// (5 units/s at 20 Hz: 0.25 units per tick, turning as in sync.mjs) in a flat square world sized
// for --visible entities per radius-100 view, in a SpatialGrid of the zone's 64-unit cells; each tick
// every walker is moved in the grid, and each of --clients interest sets (enter 100, exit 115, the
// zone defaults) is refreshed every 4th tick, staggered, as Zone.step does. Prints ns per grid move,
// µs per refresh, µs of interest work per client-tick (moves + refreshes, over clients) and what a
// query visits.
// Cases run interleaved, round by round, each on its own copy of the same seeded world, and the best
// round of each is reported (a 2-core machine shared with other work: see "other cores busy").
// Usage: node interest.mjs [--rounds 8] [--ticks 40] [--entities 5000] [--clients 1000] [--visible 50]
//                          [--against path/to/other/server/dist/index.js]
// Cases: `update` (fresh diff arrays), and where the build has them `updateInto` (reused diff
// arrays) and `updateInto, moveSlot` (grid moves by slot, no id lookup: what Zone.step does).
// --against adds the same cases run with another build of @mmo/server (e.g. a copy of dist/ made
// before a change), for an A/B in one process. Needs the built @mmo/server (`pnpm build`).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { importBuilt } from './lib/load-built.mjs';
import { machineCpuMs, machineInfo, otherCores, table } from './lib/report.mjs';
import { intFlag } from './lib/flags.mjs';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '8' },
    ticks: { type: 'string', default: '40' },
    entities: { type: 'string', default: '5000' },
    clients: { type: 'string', default: '1000' },
    visible: { type: 'string', default: '50' },
    against: { type: 'string' },
  },
});
const rounds = intFlag(flags, 'rounds', 1, 1000);
const ticks = intFlag(flags, 'ticks', 4, 100_000);
const entities = intFlag(flags, 'entities', 1, 200_000);
const clients = intFlag(flags, 'clients', 1, entities);
const visibleTarget = intFlag(flags, 'visible', 1, 256);

/** The zone's defaults (zoneDefaults.grid, interestSetDefaults, interestIntervalTicks). */
const CELL_SIZE = 64;
const ENTER_RADIUS = 100;
const EXIT_RADIUS = 115;
const INTERVAL_TICKS = 4;
/** 5 units/s at 20 Hz, and sync.mjs's turning walk (a turn every ~2.5 s lasting ~0.5 s). */
const STEP = 0.25;
const TICK_S = 0.05;
const TURN_START = 0.02;
const TURN_STOP = 0.1;
/** Ticks run before the first round (V8 tier-up, interest sets filled). */
const WARMUP_TICKS = 40;
/** Side of the square world that gives `visibleTarget` entities within the enter radius on average. */
const side = Math.sqrt((entities * Math.PI * ENTER_RADIUS * ENTER_RADIUS) / visibleTarget);
const half = side / 2;

const built = await importBuilt('@mmo/server');
const variants = [{ label: 'built', lib: built }];
if (flags.against !== undefined) {
  variants.push({ label: 'against', lib: await import(pathToFileURL(path.resolve(flags.against)).href) });
}

/** A stand-in for ZoneEntity: ids in the grid and the interest sets are objects, as in the zone. */
class Walker {
  constructor(n, x, z, heading) {
    this.n = n;
    this.position = { x, y: 0, z };
    this.heading = heading;
    this.turn = 0;
  }
}

/**
 * A seeded world: same walkers, same path, for every case. `method` is how sets are refreshed
 * ('update' or 'updateInto'); `bySlot` moves walkers with grid.moveSlot (slots kept at insert).
 */
function createWorld(lib, method, bySlot = false) {
  let rnd = 12345;
  const random = () => ((rnd = (rnd * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const grid = new lib.SpatialGrid({ cellSize: CELL_SIZE });
  const walkers = [];
  for (let i = 0; i < entities; i++) {
    const w = new Walker(i, (random() - 0.5) * side, (random() - 0.5) * side, random() * 7);
    walkers.push(w);
    grid.insert(w, w.position.x, 0, w.position.z);
  }
  const slots = walkers.map((w) => (bySlot ? grid.slotOf(w) : -1));
  const interests = walkers.slice(0, clients).map(() => new lib.InterestSet({ enterRadius: ENTER_RADIUS, exitRadius: EXIT_RADIUS }));
  const entered = [];
  const exited = [];
  return {
    grid,
    walkers,
    interests,
    tick: 0,
    /** Entered plus exited over the run: equal in every case, or one of them is wrong. */
    changes: 0,
    simulate() {
      for (const w of walkers) {
        if (w.turn === 0 ? random() < TURN_START : random() < TURN_STOP) w.turn = w.turn === 0 ? (random() - 0.5) * 3 : 0;
        w.heading += w.turn * TICK_S;
        const p = w.position;
        let vx = Math.cos(w.heading) * STEP;
        let vz = Math.sin(w.heading) * STEP;
        if (Math.abs(p.x + vx) > half) vx = -vx;
        if (Math.abs(p.z + vz) > half) vz = -vz;
        w.heading = Math.atan2(vz, vx);
        p.x += vx;
        p.z += vz;
      }
    },
    moveAll() {
      if (bySlot) {
        for (let i = 0; i < walkers.length; i++) {
          const p = walkers[i].position;
          grid.moveSlot(slots[i], p.x, p.y, p.z);
        }
        return;
      }
      for (let i = 0; i < walkers.length; i++) {
        const p = walkers[i].position;
        grid.move(walkers[i], p.x, p.y, p.z);
      }
    },
    refresh(tick) {
      let changes = 0;
      for (let c = 0; c < clients; c++) {
        if ((tick + c) % INTERVAL_TICKS !== 0) continue;
        const self = walkers[c];
        if (method === 'updateInto') {
          interests[c].updateInto(grid, self.position, self, entered, exited);
          changes += entered.length + exited.length;
        } else {
          const diff = interests[c].update(grid, self.position, self);
          changes += diff.entered.length + diff.exited.length;
        }
      }
      this.changes += changes;
    },
  };
}

const cases = [];
for (const v of variants) {
  cases.push({ label: `${v.label}: update`, world: createWorld(v.lib, 'update'), samples: [] });
  if (typeof v.lib.InterestSet.prototype.updateInto === 'function') {
    cases.push({ label: `${v.label}: updateInto`, world: createWorld(v.lib, 'updateInto'), samples: [] });
  }
  if (typeof v.lib.SpatialGrid.prototype.moveSlot === 'function') {
    cases.push({ label: `${v.label}: updateInto, moveSlot`, world: createWorld(v.lib, 'updateInto', true), samples: [] });
  }
}

/** Runs `count` ticks of a case; returns the time spent in grid moves and in refreshes, ns. */
function runTicks(world, count) {
  let moveNs = 0;
  let refreshNs = 0;
  let refreshes = 0;
  for (let i = 0; i < count; i++) {
    const tick = ++world.tick;
    world.simulate();
    const t0 = process.hrtime.bigint();
    world.moveAll();
    const t1 = process.hrtime.bigint();
    world.refresh(tick);
    const t2 = process.hrtime.bigint();
    moveNs += Number(t1 - t0);
    refreshNs += Number(t2 - t1);
    for (let c = 0; c < clients; c++) if ((tick + c) % INTERVAL_TICKS === 0) refreshes++;
  }
  return { moveNs, refreshNs, refreshes };
}

console.log('### @mmo/server interest benchmark\n');
console.log(machineInfo());
console.log(`\n${entities} walkers (${STEP} units per tick, with turns) in ${side.toFixed(0)} x ${side.toFixed(0)} units, y = 0; ` +
  `SpatialGrid cellSize ${CELL_SIZE}; ${clients} interest sets (enter ${ENTER_RADIUS}, exit ${EXIT_RADIUS}) refreshed every ` +
  `${INTERVAL_TICKS}th tick, staggered; every walker moved in the grid each tick. ${rounds} rounds of ${ticks} ticks per case, ` +
  `interleaved, after ${WARMUP_TICKS} warm-up ticks; best round shown.\n`);

for (const c of cases) runTicks(c.world, WARMUP_TICKS);
for (let r = 0; r < rounds; r++) {
  // Rotate the order so no case always runs right after another's garbage.
  for (let k = 0; k < cases.length; k++) {
    const c = cases[(r + k) % cases.length];
    const cpu0 = process.cpuUsage();
    const machine0 = machineCpuMs();
    const wall0 = performance.now();
    const t = runTicks(c.world, ticks);
    const elapsedMs = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    c.samples.push({
      moveNs: t.moveNs / (ticks * entities),
      refreshUs: t.refreshNs / t.refreshes / 1000,
      clientTickUs: (t.moveNs + t.refreshNs) / (ticks * clients) / 1000,
      others: otherCores(machine0, machineCpuMs(), cpu.user + cpu.system, elapsedMs),
    });
  }
}

const rows = cases.map((c) => {
  const byCost = [...c.samples].sort((a, b) => a.clientTickUs - b.clientTickUs);
  const best = byCost[0];
  const median = byCost[byCost.length >> 1];
  const bestMove = Math.min(...c.samples.map((s) => s.moveNs));
  const bestRefresh = Math.min(...c.samples.map((s) => s.refreshUs));
  return [
    c.label,
    `${best.clientTickUs.toFixed(2)} µs`,
    `${median.clientTickUs.toFixed(2)} µs`,
    `${bestMove.toFixed(0)} ns`,
    `${bestRefresh.toFixed(2)} µs`,
    best.others.toFixed(2),
    c.world.changes,
  ];
});
console.log(table(['case', '>per client-tick, best', '>median', '>per grid move, best', '>per refresh, best', '>other cores busy (best round)', '>enters + exits'], rows));
const changes = new Set(cases.map((c) => c.world.changes));
if (changes.size > 1) console.log('\n**The cases disagree on enters and exits: one of them is wrong.**');

// What a query visits, counted by brute force on the first case's world (untimed).
{
  const { walkers, interests } = cases[0].world;
  let examined = 0;
  let found = 0;
  let members = 0;
  const probes = Math.min(clients, 1000);
  for (let c = 0; c < probes; c++) {
    const q = walkers[c].position;
    const x0 = Math.floor((q.x - EXIT_RADIUS) / CELL_SIZE);
    const x1 = Math.floor((q.x + EXIT_RADIUS) / CELL_SIZE);
    const z0 = Math.floor((q.z - EXIT_RADIUS) / CELL_SIZE);
    const z1 = Math.floor((q.z + EXIT_RADIUS) / CELL_SIZE);
    for (const w of walkers) {
      const p = w.position;
      const cx = Math.floor(p.x / CELL_SIZE);
      const cz = Math.floor(p.z / CELL_SIZE);
      if (cx < x0 || cx > x1 || cz < z0 || cz > z1) continue;
      examined++;
      const dx = p.x - q.x;
      const dz = p.z - q.z;
      if (dx * dx + dz * dz <= EXIT_RADIUS * EXIT_RADIUS) found++;
    }
    members += interests[c].size;
  }
  console.log(`\nPer refresh query (radius ${EXIT_RADIUS}): ${(examined / probes).toFixed(1)} entities in the cells it probes, ` +
    `${(found / probes).toFixed(1)} within the radius (observer included); ${(members / probes).toFixed(1)} members per interest set.`);
}

