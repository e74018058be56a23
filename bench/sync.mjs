// State-sync benchmark: one zone of --entities entities (--clients players plus NPCs), everyone
// walking with turns, at a density that puts about --visible entities in each client's view.
// Each tick runs the real Zone.step (inputs through the validator, quantization, interest, deltas)
// and each client's messages are encoded exactly as a gateway connection does (registry.pack,
// envelope, frame, one batch per client per tick) and written to a real TCP socket on loopback
// (a discard server in a child process). Prints ms per tick, µs per client-tick, bytes per moving
// and per resting entity, grid cost per entity, and the same state as a naive JSON or protobuf
// broadcast would send it (what a Socket.IO or plain-protobuf game typically does).
// Usage: node sync.mjs [--clients 1000] [--entities 5000] [--visible 50] [--ticks 200] [--warmup-ticks 40]
// Needs the built @mmo/protocol and @mmo/server (`pnpm build`).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importBuilt } from './lib/load-built.mjs';
import { machineCpuMs, machineInfo, otherCores, table } from './lib/report.mjs';

const { createMessageRegistry, encodeMessage, MessageType, Priority } = await importBuilt('@mmo/protocol');
const { Zone, SpatialGrid } = await importBuilt('@mmo/server');
const { pino } = await import('pino');

const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    entities: { type: 'string', default: '5000' },
    visible: { type: 'string', default: '50' },
    ticks: { type: 'string', default: '200' },
    'warmup-ticks': { type: 'string', default: '40' },
    'tick-rate': { type: 'string', default: '20' },
    sink: { type: 'string', default: 'socket' },
    'turn-start': { type: 'string', default: '0.02' },
    'turn-stop': { type: 'string', default: '0.1' },
  },
});
const clients = int('clients', 1, 20_000);
const entities = int('entities', clients, 200_000);
const visibleTarget = int('visible', 1, 256);
const ticks = int('ticks', 1, 100_000);
const warmupTicks = int('warmup-ticks', 0, 100_000);
const tickRate = int('tick-rate', 1, 128);
const tickMs = 1000 / tickRate;
// How far each client's output goes: 'socket' (encode as a connection does and write to a real
// socket), 'encode' (encode, no write), 'none' (the zone's work only: payload objects are dropped).
const sinkMode = flags.sink;
if (!['socket', 'encode', 'none'].includes(sinkMode)) {
  console.error('--sink must be socket, encode or none');
  process.exit(2);
}
/** Interest radius: the zone default. */
const RADIUS = 100;
/** Walking speed of everyone, units/s (the validator allows 7 by default). */
const SPEED = 5;
/**
 * Walk with turns: each tick a walker going straight starts turning (at up to ±1.5 rad/s) with
 * chance --turn-start, and a turning walker goes straight again with chance --turn-stop. The
 * defaults give a turn every ~2.5 s lasting ~0.5 s on average.
 */
const TURN_START = Number(flags['turn-start']);
const TURN_STOP = Number(flags['turn-stop']);
if (!(TURN_START >= 0 && TURN_START <= 1 && TURN_STOP >= 0 && TURN_STOP <= 1)) {
  console.error('--turn-start and --turn-stop must be probabilities in 0..1');
  process.exit(2);
}
/** Side of the square world that gives `visibleTarget` entities within RADIUS on average. */
const side = Math.sqrt((entities * Math.PI * RADIUS * RADIUS) / visibleTarget);
const half = side / 2;

console.log('### @mmo/server state-sync benchmark\n');
console.log(machineInfo());
console.log(`\n${clients} clients, ${entities} entities (${entities - clients} NPCs) in ${side.toFixed(0)} x ${side.toFixed(0)} units, ` +
  `interest radius ${RADIUS}, ${tickRate} Hz, everyone walking at ${SPEED} units/s with turns (start ${TURN_START}, stop ${TURN_STOP} per tick); ${ticks} measured ticks after ${warmupTicks} warm-up; ` +
  `client output: ${sinkMode === 'socket' ? 'encoded and written to a real socket' : sinkMode === 'encode' ? 'encoded, not written' : 'not encoded'}.\n`);

// A discard server in its own process, so its reads do not count as our CPU.
const discard = fork(fileURLToPath(new URL('./lib/discard-server.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const [{ port }] = await once(discard, 'message');

let rnd = 12345;
const random = () => ((rnd = (rnd * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const registry = createMessageRegistry();
const zone = new Zone({ id: 'bench', tickIntervalMs: tickMs, logger: pino({ level: 'silent' }) });

/** A client's connection as far as state sync sees it: encode like Connection.send, one write per tick. */
class SocketSink {
  constructor(socket) {
    this.socket = socket;
    this.frames = [];
    this.bytes = 0;
    this.messages = 0;
  }
  get backlogBytes() {
    return this.socket.writableLength;
  }
  push(type, payload, priority) {
    if (sinkMode === 'none') {
      if (type === MessageType.WORLD_DELTA) this.bytes += payload.packed.length;
      return true;
    }
    const frame = encodeMessage({ type, payload: registry.pack(type, payload), timestamp: clock, priority, ack: 0 });
    if (this.frames.length === 0) dirty.push(this);
    this.frames.push(frame);
    return true;
  }
  sendState(type, payload) {
    return this.push(type, payload, Priority.NORMAL);
  }
  sendReliable(type, payload) {
    return this.push(type, payload, Priority.HIGH);
  }
  sendVolatile(type, payload, priority) {
    return this.push(type, payload, priority);
  }
  flush() {
    const frames = this.frames;
    let batch;
    if (frames.length === 1) batch = frames[0];
    else {
      batch = Buffer.allocUnsafe(frames.reduce((n, f) => n + f.length, 0));
      let at = 0;
      for (const f of frames) {
        batch.set(f, at);
        at += f.length;
      }
    }
    if (sinkMode === 'socket') this.socket.write(batch);
    this.bytes += batch.length;
    this.messages += frames.length;
    this.frames = [];
  }
}
/** Sinks with frames waiting for this tick's write. */
let dirty = [];
let clock = 1_000_000;

const sockets = await Promise.all(Array.from({ length: clients }, () => new Promise((resolve, reject) => {
  const s = net.connect(port, '127.0.0.1', () => resolve(s));
  s.setNoDelay(true);
  s.once('error', reject);
})));

const walkers = [];
const spawnAt = () => ({ x: (random() - 0.5) * side, y: 0, z: (random() - 0.5) * side });
for (let i = 0; i < entities - clients; i++) {
  walkers.push({ e: zone.spawn({ kind: 'npc', externalId: `npc-${i}`, entityType: 'wolf', position: spawnAt() }), heading: random() * 7, turn: 0, player: false });
}
const players = [];
for (let i = 0; i < clients; i++) {
  const e = zone.joinPlayer(`user-${i}`, `session-${i}`);
  zone.moveEntity(e, { position: spawnAt() });
  const sink = new SocketSink(sockets[i]);
  zone.attachViewer(e, sink);
  const w = { e, heading: random() * 7, turn: 0, player: true, inputTick: 0, sink };
  walkers.push(w);
  players.push(w);
}

/** Moves everyone one tick: NPCs on the server's authority, players through honest PLAYER_MOVE inputs. */
function simulate() {
  for (const w of walkers) {
    if (w.turn === 0 ? random() < TURN_START : random() < TURN_STOP) w.turn = w.turn === 0 ? (random() - 0.5) * 3 : 0;
    w.heading += (w.turn * tickMs) / 1000;
    const p = w.e.motion.position;
    let vx = Math.cos(w.heading) * SPEED;
    let vz = Math.sin(w.heading) * SPEED;
    if (Math.abs(p.x + vx) > half) vx = -vx;
    if (Math.abs(p.z + vz) > half) vz = -vz;
    w.heading = Math.atan2(vz, vx);
    const next = { x: p.x + (vx * tickMs) / 1000, y: 0, z: p.z + (vz * tickMs) / 1000 };
    const velocity = { x: vx, y: 0, z: vz };
    const rotation = { x: 0, y: Math.sin(w.heading / 2), z: 0, w: Math.cos(w.heading / 2) };
    if (w.player) {
      zone.queueInput(w.e, { inputTick: ++w.inputTick, position: next, rotation, velocity, clientTimeMs: clock, flags: 0, receivedAtMs: clock });
    } else {
      zone.moveEntity(w.e, { position: next, velocity, rotation });
    }
  }
}

async function runTicks(count, firstTick, record) {
  const samples = [];
  const totals = { recordsSent: 0, packedBytes: 0, deferred: 0, changed: 0, visible: 0, skipped: 0, rejected: 0 };
  let tick = firstTick;
  for (let i = 0; i < count; i++) {
    simulate();
    clock += tickMs;
    const t0 = process.hrtime.bigint();
    const stats = zone.step(++tick, clock);
    for (const sink of dirty) sink.flush();
    dirty = [];
    const t1 = process.hrtime.bigint();
    samples.push(Number(t1 - t0) / 1e6);
    totals.recordsSent += stats.recordsSent;
    totals.packedBytes += stats.packedBytes;
    totals.deferred += stats.recordsDeferred;
    totals.changed += stats.changed;
    totals.skipped += stats.viewersSkipped;
    totals.rejected += stats.inputsRejected;
    if (record) for (const p of players) totals.visible += zone.viewerOf(p.e).visible.length;
    // Let the sockets drain between ticks, as the event loop would between two tick timers.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { samples, totals, lastTick: tick };
}

const warm = await runTicks(warmupTicks, 0, false);
for (const p of players) {
  p.sink.bytes = 0;
  p.sink.messages = 0;
}
const cpu0 = process.cpuUsage();
const machine0 = machineCpuMs();
const wall0 = performance.now();
const run = await runTicks(ticks, warm.lastTick, true);
const elapsedMs = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
const others = otherCores(machine0, machineCpuMs(), cpu.user + cpu.system, elapsedMs);

const sorted = [...run.samples].sort((a, b) => a - b);
const meanMs = run.samples.reduce((s, v) => s + v, 0) / run.samples.length;
const p50 = sorted[Math.floor(sorted.length * 0.5)];
const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
const clientTicks = clients * ticks;
const usPerClientTick = (meanMs * 1000) / clients;
const avgVisible = run.totals.visible / clientTicks;
const wireBytes = players.reduce((n, p) => n + p.sink.bytes, 0);

console.log(table(['figure', '>value'], [
  ['tick, mean', `${meanMs.toFixed(2)} ms`],
  ['tick, p50 / p99', `${p50.toFixed(2)} / ${p99.toFixed(2)} ms`],
  ['per client-tick (interest, deltas, encode, socket write)', `${usPerClientTick.toFixed(2)} µs (target <= 15 µs: ${usPerClientTick <= 15 ? 'met' : 'not met'})`],
  ['tick budget used at this rate', `${((meanMs / tickMs) * 100).toFixed(0)} % of ${tickMs.toFixed(1)} ms`],
  ['visible entities per client (mean)', avgVisible.toFixed(1)],
  ['entity records sent per client-tick', (run.totals.recordsSent / clientTicks).toFixed(1)],
  ['records deferred by byte budgets / clients skipped for backlog', `${run.totals.deferred} / ${run.totals.skipped}`],
  ['inputs rejected by the validator (honest walkers)', `${run.totals.rejected}`],
  ['wire bytes per client per second (frames, envelopes, payloads)', `${((wireBytes / clients / ticks) * tickRate / 1000).toFixed(2)} kB/s`],
  ['other cores busy meanwhile', others.toFixed(2)],
]));

// Bytes per entity update, from the packed deltas (record bits + 1 slot bit each, header amortised).
const packedPerRecord = run.totals.packedBytes / run.totals.recordsSent;
const wirePerVisible = wireBytes / (run.totals.visible);
// Everyone moves, so every visible entity-tick is a moving-entity update (recorded or predicted).
const packedPerMovingTick = run.totals.packedBytes / run.totals.visible;
console.log('\nBytes per moving-entity update (walk with turns):\n');
console.log(table(['encoding', '>bytes per entity update', '>vs @mmo'], sizes()));

function sizes() {
  const e = walkers[0].e;
  const m = e.motion;
  const jsonState = { id: e.externalId, x: m.position.x, y: m.position.y, z: m.position.z, rx: m.rotation.x, ry: m.rotation.y, rz: m.rotation.z, rw: m.rotation.w, vx: m.velocity.x, vy: m.velocity.y, vz: m.velocity.z, flags: m.flags };
  const json = Buffer.byteLength(JSON.stringify(jsonState)) + 1; // + the array comma
  const proto = registry.pack(MessageType.PLAYER_STATE, { entityId: e.id, position: m.position, rotation: m.rotation, velocity: m.velocity, stateFlags: m.flags }).length + 2; // + repeated-field tag and length
  return [
    ['@mmo WORLD_DELTA packed record (header amortised)', packedPerRecord.toFixed(2), '1.0x'],
    ['@mmo packed delta per moving visible entity per tick (no record when the prediction holds)', packedPerMovingTick.toFixed(2), `${(packedPerMovingTick / packedPerRecord).toFixed(1)}x`],
    ['@mmo whole WebSocket message per visible entity (frame, envelope, header)', wirePerVisible.toFixed(2), `${(wirePerVisible / packedPerRecord).toFixed(1)}x`],
    ['protobuf PlayerStateUpdate per entity (full state, floats)', proto.toFixed(0), `${(proto / packedPerRecord).toFixed(1)}x`],
    ['JSON full state per entity (Socket.IO-style broadcast)', json.toFixed(0), `${(json / packedPerRecord).toFixed(1)}x`],
  ];
}

// Resting entities: nobody moves; each costs its slot bit at most (or nothing in the list form).
{
  const resting = new Zone({ id: 'rest', tickIntervalMs: tickMs, logger: pino({ level: 'silent' }) });
  const sink = { backlogBytes: 0, packed: 0, sendState(type, payload) { if (type === MessageType.WORLD_DELTA) this.packed += payload.packed.length; return true; }, sendReliable: () => true, sendVolatile: () => true };
  const me = resting.joinPlayer('u', 's');
  resting.attachViewer(me, sink);
  for (let i = 0; i < visibleTarget; i++) resting.spawn({ kind: 'object', externalId: `o${i}`, entityType: 'rock', position: { x: (random() - 0.5) * 100, y: 0, z: (random() - 0.5) * 100 } });
  resting.step(1, 0);
  sink.packed = 0;
  const restTicks = 100;
  for (let t = 2; t < 2 + restTicks; t++) resting.step(t, t * tickMs);
  console.log(`\nResting entities: ${(sink.packed / restTicks / (visibleTarget + 1)).toFixed(3)} B per visible entity per tick ` +
    `(${(sink.packed / restTicks).toFixed(0)} B of packed delta per tick for ${visibleTarget + 1} visible, all at rest).`);
}

// Grid: cost of one move and one radius query on a grid as full as the zone's.
{
  const grid = new SpatialGrid();
  const ids = [];
  for (let i = 0; i < entities; i++) {
    const p = spawnAt();
    grid.insert(i, p.x, p.y, p.z);
    ids.push(p);
  }
  const rounds = 20;
  let t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < entities; i++) {
      const p = ids[i];
      p.x += 0.25;
      if (p.x > half) p.x -= side;
      grid.move(i, p.x, p.y, p.z);
    }
  }
  const moveNs = Number(process.hrtime.bigint() - t0) / (rounds * entities);
  let found = 0;
  t0 = process.hrtime.bigint();
  for (let i = 0; i < 20_000; i++) {
    const p = ids[i % entities];
    grid.forEachInRadius(p.x, p.y, p.z, RADIUS * 1.15, () => void found++);
  }
  const queryUs = Number(process.hrtime.bigint() - t0) / 20_000 / 1000;
  console.log(`Grid: move ${moveNs.toFixed(0)} ns per entity; radius-${(RADIUS * 1.15).toFixed(0)} query ${queryUs.toFixed(2)} µs ` +
    `(${(found / 20_000).toFixed(1)} entities found per query, ${entities} in the grid).`);
}

for (const s of sockets) s.destroy();
discard.kill();
process.exit(0);

function int(name, min, max) {
  const v = Number(flags[name]);
  if (!Number.isInteger(v) || v < min || v > max) {
    console.error(`--${name} must be an integer in ${min}..${max}`);
    process.exit(2);
  }
  return v;
}
