// State-sync benchmark: one zone of --entities entities (--clients players plus NPCs), everyone
// walking with turns, at a density that puts about --visible entities in each client's view.
// Each tick runs the real Zone.step (inputs through the validator, quantization, interest, deltas)
// and each client's messages are encoded exactly as a gateway connection does (registry.pack,
// envelope, frame, one batch per client per tick) and written to a real TCP socket on loopback
// (a discard server in a child process). Prints ms per tick, µs per client-tick, bytes per moving
// and per resting entity, grid cost per entity, and the same state as a naive JSON or protobuf
// broadcast would send it (what a Socket.IO or plain-protobuf game typically does).
// With --sink gateway the zone is the one of a real gateway's state sync (createStateSync) and each
// client is a real `ws` connection from a child process (lib/ws-reader-clients.mjs), so each tick's
// output takes the production path: Connection.send, the WriteQueue, ws.send.
// Usage: node sync.mjs [--clients 1000] [--entities 5000] [--visible 50] [--ticks 200] [--warmup-ticks 40]
//                      [--sink socket|gateway|encode|none] [--readers-timeout-ms 120000]
// Needs the built @mmo/protocol and @mmo/server (`pnpm build`).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importBuilt } from './lib/load-built.mjs';
import { machineCpuMs, machineInfo, otherCores, table } from './lib/report.mjs';
import { intFlag } from './lib/flags.mjs';

const { createMessageRegistry, encodeMessage, MessageType, Priority } = await importBuilt('@mmo/protocol');
const { createGateway, createStateSync, Zone, SpatialGrid } = await importBuilt('@mmo/server');
const { pino } = await import('pino');
const { default: WebSocket } = await import('ws');

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
    'readers-timeout-ms': { type: 'string', default: '120000' },
  },
});
const clients = intFlag(flags, 'clients', 1, 20_000);
const entities = intFlag(flags, 'entities', clients, 200_000);
const visibleTarget = intFlag(flags, 'visible', 1, 256);
const ticks = intFlag(flags, 'ticks', 1, 100_000);
const warmupTicks = intFlag(flags, 'warmup-ticks', 0, 100_000);
const tickRate = intFlag(flags, 'tick-rate', 1, 128);
const tickMs = 1000 / tickRate;
// How far each client's output goes: 'socket' (encode as a connection does and write to a real
// socket), 'gateway' (the production path: a real gateway's Connection, WriteQueue and ws socket),
// 'encode' (encode, no write), 'none' (the zone's work only: payload objects are dropped).
const sinkMode = flags.sink;
if (!['socket', 'gateway', 'encode', 'none'].includes(sinkMode)) {
  console.error('--sink must be socket, gateway, encode or none');
  process.exit(2);
}
const gatewayMode = sinkMode === 'gateway';
/** --sink gateway: HS256 secret of the gateway and the readers' tokens. */
const JWT_SECRET = 'bench-secret-that-is-long-enough-0123456789';
/**
 * --sink gateway: limits opened for 1,000 connections from one IP within seconds; the defaults (120
 * upgrades per IP per minute, 30 msg/s per connection) exist to stop abusive clients.
 */
const BENCH_CONNECTS_PER_MINUTE = 1_000_000;
const BENCH_RATE_LIMIT = Object.freeze({ burst: 1e9, perSecond: 1e9 });
/**
 * --sink gateway: the readers send nothing after the handshake, and a run under valgrind
 * (instructions.mjs) lasts far longer than the 30 s default after which an idle client is closed.
 */
const BENCH_IDLE_TIMEOUT_MS = 3_600_000;
/** --sink gateway: connections beyond --clients the gateway accepts (none are expected). */
const CONNECTION_HEADROOM = 100;
/** --sink gateway: readers connecting at once, so the gateway and a 2-core machine keep up. */
const CONNECT_BATCH = 50;
/**
 * --sink gateway: bound on the readers' start and on each IPC answer, so a stuck run fails
 * (--readers-timeout-ms; instructions.mjs raises it, valgrind runs the gateway ~50x slower).
 */
const READERS_TIMEOUT_MS = intFlag(flags, 'readers-timeout-ms', 1000, 3_600_000);
/** --sink gateway: quiet time after which the readers have received everything sent. */
const SETTLE_MS = 100;
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
  `client output: ${sinkOutput()}.\n`);

function sinkOutput() {
  if (sinkMode === 'socket') return 'encoded and written to a real socket';
  if (sinkMode === 'encode') return 'encoded, not written';
  if (sinkMode === 'none') return 'not encoded';
  return `the production path (a real gateway on 127.0.0.1 with createStateSync; each client a ws connection from a child process that only reads)`;
}

let rnd = 12345;
const random = () => ((rnd = (rnd * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const registry = createMessageRegistry();
/** --sink gateway: the gateway, its state sync (tick loop not started) and the readers' process. */
const real = gatewayMode ? await startGateway() : undefined;
const zone = real?.sync.zone ?? new Zone({ id: 'bench', tickIntervalMs: tickMs, logger: pino({ level: 'silent' }) });

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
    if (frames.length === 0) return;
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

// A discard server in its own process, so its reads do not count as our CPU (not used by --sink gateway).
const discard = gatewayMode ? undefined : fork(fileURLToPath(new URL('./lib/discard-server.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const port = discard === undefined ? 0 : (await once(discard, 'message'))[0].port;
const sockets = gatewayMode ? [] : await Promise.all(Array.from({ length: clients }, () => new Promise((resolve, reject) => {
  const s = net.connect(port, '127.0.0.1', () => resolve(s));
  s.setNoDelay(true);
  s.once('error', reject);
})));

const walkers = [];
const spawnAt = () => ({ x: (random() - 0.5) * side, y: 0, z: (random() - 0.5) * side });
for (let i = 0; i < entities - clients; i++) {
  walkers.push({
    e: zone.spawn({ kind: 'npc', externalId: `npc-${i}`, entityType: 'wolf', position: spawnAt() }),
    heading: random() * 7,
    turn: 0,
    player: false,
    scratch: { position: { x: 0, y: 0, z: 0 }, velocity: { x: 0, y: 0, z: 0 }, rotation: { x: 0, y: 0, z: 0, w: 1 } },
  });
}
const players = [];
// --sink gateway: the players joined (and their viewers were attached) through state sync when their
// clients connected; they are placed like the other modes' players, in the zone's join order.
const readers = gatewayMode ? await startReaders() : undefined;
const joined = gatewayMode ? [...zone.entities()].filter((e) => e.kind === 'player') : [];
for (let i = 0; i < clients; i++) {
  const e = gatewayMode ? joined[i] : zone.joinPlayer(`user-${i}`, `session-${i}`);
  zone.moveEntity(e, { position: spawnAt() });
  const sink = gatewayMode ? undefined : new SocketSink(sockets[i]);
  if (sink !== undefined) zone.attachViewer(e, sink);
  const w = { e, heading: random() * 7, turn: 0, player: true, inputTick: 0, sink };
  walkers.push(w);
  players.push(w);
}

/**
 * --sink gateway: counts the gateway's socket writes (each one a write or writev system call on
 * an accepted socket, whichever path the transport took: its direct write or ws.send), their bytes
 * (WebSocket headers included) and whether they happen inside zone.step or after it returns
 * (deferred by the write queue). Accepted sockets are the ones net.Server set `server` on; the
 * readers' own sockets live in another process anyway.
 */
const writes = { inStep: 0, afterStep: 0, bytes: 0 };
let inStep = false;
if (gatewayMode) {
  const writeGeneric = net.Socket.prototype._writeGeneric;
  if (typeof writeGeneric !== 'function') throw new Error('this Node has no net.Socket#_writeGeneric: the write count needs updating');
  net.Socket.prototype._writeGeneric = function countedWrite(writev, data, encoding, cb) {
    if (this.server) {
      if (inStep) writes.inStep++;
      else writes.afterStep++;
      if (writev) for (const c of data) writes.bytes += (c.chunk ?? c).length;
      else writes.bytes += data.length;
    }
    return writeGeneric.call(this, writev, data, encoding, cb);
  };
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
    const nx = p.x + (vx * tickMs) / 1000;
    const nz = p.z + (vz * tickMs) / 1000;
    const ry = Math.sin(w.heading / 2);
    const rw = Math.cos(w.heading / 2);
    if (w.player) {
      // A fresh input per tick, as one decoded from the wire would be.
      zone.queueInput(w.e, {
        inputTick: ++w.inputTick,
        position: { x: nx, y: 0, z: nz },
        rotation: { x: 0, y: ry, z: 0, w: rw },
        velocity: { x: vx, y: 0, z: vz },
        clientTimeMs: clock,
        flags: 0,
        receivedAtMs: clock,
      });
    } else {
      // NPC AI on the server: moveEntity copies, so the game can reuse its objects.
      const m = w.scratch;
      m.position.x = nx;
      m.position.z = nz;
      m.velocity.x = vx;
      m.velocity.z = vz;
      m.rotation.y = ry;
      m.rotation.w = rw;
      zone.moveEntity(w.e, m);
    }
  }
}

async function runTicks(count, firstTick, record) {
  const samples = [];
  const totals = { recordsSent: 0, packedBytes: 0, deferred: 0, changed: 0, visible: 0, skipped: 0, rejected: 0 };
  let tick = firstTick;
  for (let i = 0; i < count; i++) {
    const ts = process.hrtime.bigint();
    simulate();
    clock += tickMs;
    const t0 = process.hrtime.bigint();
    simulateMs += Number(t0 - ts) / 1e6;
    inStep = true;
    const stats = zone.step(++tick, clock);
    inStep = false;
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
    // Let the sockets drain between ticks, as the event loop would between two tick timers. What
    // runs meanwhile (write callbacks, setImmediate flushes, socket reads) is timed as "after step".
    await new Promise((resolve) => setImmediate(resolve));
    afterStepMs += Number(process.hrtime.bigint() - t1) / 1e6;
  }
  return { samples, totals, lastTick: tick };
}
let afterStepMs = 0;
let simulateMs = 0;

const warm = await runTicks(warmupTicks, 0, false);
for (const p of players) {
  if (p.sink === undefined) continue;
  p.sink.bytes = 0;
  p.sink.messages = 0;
}
const read0 = readers === undefined ? undefined : await readers.settled();
afterStepMs = 0;
simulateMs = 0;
writes.inStep = writes.afterStep = writes.bytes = 0;
const cpu0 = process.cpuUsage();
const machine0 = machineCpuMs();
const wall0 = performance.now();
const run = await runTicks(ticks, warm.lastTick, true);
const elapsedMs = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
const machine1 = machineCpuMs();
const read1 = readers === undefined ? undefined : await readers.settled();
// The readers' CPU (marks taken just outside the measured ticks) is ours too, not other processes'.
const readerCpuUs = read0 === undefined ? 0 : read1.cpu.user + read1.cpu.system - read0.cpu.user - read0.cpu.system;
const others = otherCores(machine0, machine1, cpu.user + cpu.system + readerCpuUs, elapsedMs);
readers?.stop();

const sorted = [...run.samples].sort((a, b) => a - b);
const meanMs = run.samples.reduce((s, v) => s + v, 0) / run.samples.length;
const p50 = sorted[Math.floor(sorted.length * 0.5)];
const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
const clientTicks = clients * ticks;
const usPerClientTick = (meanMs * 1000) / clients;
const avgVisible = run.totals.visible / clientTicks;
// --sink gateway: what the readers received (WebSocket message payloads: frames, envelopes, payloads).
const wireBytes = read0 === undefined ? players.reduce((n, p) => n + p.sink.bytes, 0) : read1.bytes - read0.bytes;
const cpuUsPerClientTick = (cpu.user + cpu.system) / clientTicks;
const afterStepUs = (afterStepMs * 1000) / clientTicks;
const simulateUs = (simulateMs * 1000) / clientTicks;

console.log(table(['figure', '>value'], [
  ['tick, mean', `${meanMs.toFixed(2)} ms`],
  ['tick, p50 / p99', `${p50.toFixed(2)} / ${p99.toFixed(2)} ms`],
  [gatewayMode
    ? 'per client-tick, production path (in step: interest, deltas, gateway Connection.send, WriteQueue, socket write)'
    : sinkMode === 'socket'
      ? 'per client-tick (interest, deltas, encode, socket write)'
      : sinkMode === 'encode'
        ? 'per client-tick (interest, deltas, encode; no socket write)'
        : 'per client-tick (the zone only: interest, deltas; no encode, no socket write)',
  // The target counts encode and the socket write: only the modes that do both can meet it.
  `${usPerClientTick.toFixed(2)} µs${gatewayMode || sinkMode === 'socket' ? ` (target <= 15 µs: ${usPerClientTick <= 15 ? 'met' : 'not met'})` : ''}`],
  ['per client-tick after step, until the event loop is back (deferred callbacks, socket I/O)', `${afterStepUs.toFixed(2)} µs`],
  ['per client-tick before step: simulate() (the walkers, zone.queueInput, zone.moveEntity)', `${simulateUs.toFixed(2)} µs`],
  ['process CPU per client-tick (user + system over the measured ticks, everything this process did)', `${cpuUsPerClientTick.toFixed(2)} µs`],
  ...(gatewayMode ? [
    ['socket writes (system calls on the gateway sockets) per client-tick: inside step / after step', `${(writes.inStep / clientTicks).toFixed(3)} / ${(writes.afterStep / clientTicks).toFixed(3)}`],
    ['WebSocket messages received per client-tick (readers)', `${((read1.messages - read0.messages) / clientTicks).toFixed(3)} (${read1.closed} readers closed by the gateway)`],
    ['reader process CPU (child, not counted above)', `${((readerCpuUs / 1000 / elapsedMs) * 100).toFixed(0)} % of a core`],
  ] : []),
  ['tick budget used at this rate', `${((meanMs / tickMs) * 100).toFixed(0)} % of ${tickMs.toFixed(1)} ms`],
  ['visible entities per client (mean)', avgVisible.toFixed(1)],
  ['entity records sent per client-tick', (run.totals.recordsSent / clientTicks).toFixed(1)],
  ['records deferred by byte budgets / clients skipped for backlog', `${run.totals.deferred} / ${run.totals.skipped}`],
  ['inputs rejected by the validator (honest walkers)', `${run.totals.rejected}`],
  sinkMode === 'none'
    ? ['packed delta bytes per client per second (nothing else is encoded in this mode)', `${((wireBytes / clients / ticks) * tickRate / 1000).toFixed(2)} kB/s`]
    : ['wire bytes per client per second (frames, envelopes, payloads)', `${((wireBytes / clients / ticks) * tickRate / 1000).toFixed(2)} kB/s`],
  [gatewayMode ? 'other cores busy meanwhile (besides this process and the readers)' : 'other cores busy meanwhile', others.toFixed(2)],
]));
if (gatewayMode) {
  // What the gateway wrote covers what the readers received plus the WebSocket headers (2–4 B
  // per message) and any control frames; fewer bytes written than received would be a counting bug.
  const overhead = writes.bytes - wireBytes;
  console.log(`\nGateway sockets were written ${writes.bytes} bytes during the measured ticks; the readers received ${wireBytes} bytes of message payload (${overhead >= 0 ? `${overhead} B of WebSocket headers and control frames` : 'MORE than was written: the count is wrong'}).`);
}

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
    // --sink none encodes nothing: there is no whole message to count.
    ...(sinkMode === 'none' ? [] : [['@mmo whole WebSocket message per visible entity (frame, envelope, header)', wirePerVisible.toFixed(2), `${(wirePerVisible / packedPerRecord).toFixed(1)}x`]]),
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
discard?.kill();
process.exit(0);

/** --sink gateway: a real gateway on 127.0.0.1:0 with state sync attached (its tick loop not started). */
async function startGateway() {
  const gateway = createGateway({
    port: 0,
    host: '127.0.0.1',
    auth: { jwtSecret: JWT_SECRET },
    logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }),
    maxConnections: clients + CONNECTION_HEADROOM,
    connectRateLimit: { perIpPerMinute: BENCH_CONNECTS_PER_MINUTE, perUserPerMinute: BENCH_CONNECTS_PER_MINUTE },
    connection: { rateLimits: { defaultLimit: BENCH_RATE_LIMIT }, idleTimeoutMs: BENCH_IDLE_TIMEOUT_MS },
  });
  const sync = createStateSync(gateway, { autoStart: false, tickRate, zoneId: 'bench' });
  const { port: gatewayPort } = await gateway.listen();
  return { gateway, sync, url: `ws://127.0.0.1:${gatewayPort}/ws` };
}

/** --sink gateway: forks the readers, waits until every client has joined the zone; marks read their counters. */
async function startReaders() {
  const child = fork(fileURLToPath(new URL('./lib/ws-reader-clients.mjs', import.meta.url)), [
    JSON.stringify({ url: real.url, clients, batch: CONNECT_BATCH, jwtSecret: JWT_SECRET, userPrefix: 'user-' }),
  ], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.once('exit', (code) => {
    if (!stopping) {
      console.error(`reader process exited (${code}) during the run`);
      process.exit(1);
    }
  });
  let stopping = false;
  const answer = (cmd) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reader process: no '${cmd}' within ${READERS_TIMEOUT_MS} ms`)), READERS_TIMEOUT_MS);
    const on = (msg) => {
      if (msg?.cmd !== cmd) return;
      child.off('message', on);
      clearTimeout(timer);
      resolve(msg);
    };
    child.on('message', on);
  });
  const ready = await answer('ready');
  if (ready.failed > 0) throw new Error(`${ready.failed} of ${clients} readers failed to connect: ${ready.firstError}`);
  // The gateway emits 'connection' (state sync joins the player) around CONNECTION_ESTABLISHED.
  const deadline = performance.now() + READERS_TIMEOUT_MS;
  while (zone.playerCount < clients) {
    if (performance.now() > deadline) throw new Error(`only ${zone.playerCount} of ${clients} players joined the zone`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.log(`${clients} readers connected and joined in ${(ready.connectMs / 1000).toFixed(1)} s (${CONNECT_BATCH} at a time).\n`);
  let id = 0;
  const mark = () => {
    child.send({ cmd: 'mark', id: ++id });
    return answer('mark');
  };
  return {
    /** Counters once the readers have received everything sent so far (no change for SETTLE_MS). */
    async settled() {
      let last = await mark();
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const next = await mark();
        if (next.messages === last.messages) return next;
        last = next;
      }
    },
    stop() {
      stopping = true;
      child.send({ cmd: 'stop' });
    },
  };
}

