// Write-path micro-benchmark: what one state-sync tick costs per client between "here is the
// WORLD_DELTA payload" and "the bytes are in the kernel". A real gateway (createGateway, HS256
// auth, limits opened wide) on 127.0.0.1 holds --clients WebSocket connections whose readers live
// in a forked child process (lib/ws-reader-clients.mjs, as for sync.mjs --sink gateway), so their
// CPU is not counted here.
// Each round runs one case over every connection, then waits --gap-ms (as a 20 Hz tick would):
//   (a) connection.send(WORLD_DELTA, payload, { reliable: false, priority: NORMAL, sheddable: false })
//       + connection.flush(): the production path (registry, envelope, frame, write queue, metrics,
//       ws adapter, ws, net.Socket)
//   (b) ws.send(prebuiltFrame, { binary: true }) on the same kind of socket: ws + net.Socket only
//   (c) net.Socket.write(prebuiltFrameWithWsHeader) on the ws's underlying socket: the floor of Node
//   (d) encodeMessage(envelope) alone, no write
//   (e) registry.pack(WORLD_DELTA, payload) + encodeMessage alone, no write (what encodeFor does)
// The cases are interleaved round by round (order rotating), so a burst of load from another
// process spoils rounds of every case alike. A round's time runs from its first send until a
// setImmediate after the loop, so deferred work (write callbacks, nextTick) is counted.
// Usage: node connection-write.mjs [--clients 1000] [--rounds 60] [--payload-bytes 100] [--gap-ms 20]
//                                  [--cases abcde]
// Profile the server side only: node --cpu-prof --cpu-prof-dir /tmp/prof connection-write.mjs --cases a
// Needs the built @mmo/protocol and @mmo/server (`pnpm build`).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importBuilt } from './lib/load-built.mjs';
import { machineCpuMs, machineInfo, otherCores, table } from './lib/report.mjs';

/** HS256 secret shared by the gateway and the readers' tokens. */
const JWT_SECRET = 'bench-secret-that-is-long-enough-0123456789';
/** Readers connect this many at a time (a burst of 1,000 handshakes at once only measures jose). */
const CONNECT_BATCH = 50;
/** Rounds run before the measured ones, so V8 has optimised every case's code. */
const WARMUP_ROUNDS = 10;
/** How long the reader may take to report every message of the run before the check gives up. */
const DRAIN_WAIT_MS = 5_000;

await runServer();

async function runServer() {
  const { encodeMessage, MessageType, Priority } = await importBuilt('@mmo/protocol');
  const { createGateway } = await importBuilt('@mmo/server');
  const { pino } = await import('pino');

  const { values: flags } = parseArgs({
    args: process.argv.slice(2),
    options: {
      clients: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '60' },
      'payload-bytes': { type: 'string', default: '100' },
      'gap-ms': { type: 'string', default: '20' },
      cases: { type: 'string', default: 'abcde' },
    },
  });
  const clients = Number(flags.clients);
  const rounds = Number(flags.rounds);
  const packedBytes = Number(flags['payload-bytes']);
  const gapMs = Number(flags['gap-ms']);
  const cases = [...new Set(flags.cases)].filter((c) => 'abcde'.includes(c));
  if (!(clients > 0) || !(rounds > 0) || !(packedBytes >= 0) || !(gapMs >= 0) || cases.length === 0) {
    console.error('usage: node connection-write.mjs [--clients N] [--rounds N] [--payload-bytes N] [--gap-ms N] [--cases abcde]');
    process.exit(2);
  }

  const gateway = createGateway({
    port: 0,
    host: '127.0.0.1',
    auth: { jwtSecret: JWT_SECRET },
    logger: pino({ level: 'silent' }),
    drainTimeoutMs: 1_000,
    // 1,000 upgrades from one IP within seconds: the defaults exist to stop abusive clients.
    connectRateLimit: { perIpPerMinute: 1_000_000, perUserPerMinute: 1_000_000 },
    connection: { idleTimeoutMs: 600_000, rateLimits: { defaultLimit: { burst: 1e9, perSecond: 1e9 } } },
  });
  // The raw socket of every upgrade, in order: ws keeps its WebSocket on the socket under a symbol
  // named 'websocket'; (b) and (c) need the ws and its net.Socket, which the gateway does not expose.
  const rawSockets = [];
  gateway.server.on('upgrade', (_req, socket) => rawSockets.push(socket));
  const { port } = await gateway.listen();

  const readerConfig = { url: `ws://127.0.0.1:${port}/ws`, clients, batch: CONNECT_BATCH, jwtSecret: JWT_SECRET, userPrefix: 'writer-bench-' };
  const reader = fork(fileURLToPath(new URL('./lib/ws-reader-clients.mjs', import.meta.url)), [JSON.stringify(readerConfig)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [], // no --cpu-prof in the reader
  });
  const [ready] = await once(reader, 'message');
  if (ready.failed > 0) {
    console.error(`${ready.failed} of ${clients} readers failed to connect: ${ready.firstError}`);
    process.exit(1);
  }
  const readerMark = async () => {
    const id = Math.random();
    reader.send({ cmd: 'mark', id });
    for (;;) {
      const [msg] = await once(reader, 'message');
      if (msg.cmd === 'mark' && msg.id === id) return msg;
    }
  };

  const connections = [...gateway.connections.all()].filter((c) => c.state === 'open');
  const sockets = rawSockets.filter((s) => !s.destroyed);
  const wsSymbol = Object.getOwnPropertySymbols(sockets[0] ?? {}).find((s) => s.description === 'websocket');
  const wss = sockets.map((s) => s[wsSymbol]).filter((ws) => ws !== undefined && ws.readyState === 1);
  if (connections.length !== clients || wss.length !== clients) {
    console.error(`expected ${clients} open connections and ws sockets, got ${connections.length} and ${wss.length}`);
    process.exit(1);
  }

  // A WORLD_DELTA as state sync sends it: tick, timestamp, last input and ~100 bytes of packed records.
  const registry = gateway.registry;
  const packed = new Uint8Array(packedBytes);
  for (let i = 0; i < packed.length; i++) packed[i] = (i * 37 + 11) & 0xff;
  let tick = 1000;
  const payload = () => ({ tick, timestamp: Date.now(), lastProcessedInput: tick - 3, packed });
  const envelope = () => ({
    type: MessageType.WORLD_DELTA,
    payload: registry.pack(MessageType.WORLD_DELTA, payload()),
    timestamp: Date.now(),
    priority: Priority.NORMAL,
    ack: 3,
  });
  const frame = Buffer.from(encodeMessage(envelope()));
  if (frame.length > 0xffff) {
    console.error(`--payload-bytes ${packedBytes} makes a ${frame.length}-byte frame; this benchmark builds ws headers of frames up to 64 KiB`);
    process.exit(2);
  }
  // RFC 6455 header of an unmasked (server-to-client) binary message: FIN + opcode 2, then the
  // length in 7 bits, or 126 and a u16 for 126..65535 bytes.
  const wsHeader = frame.length <= 125 ? Buffer.of(0x82, frame.length) : Buffer.of(0x82, 126, frame.length >> 8, frame.length & 0xff);
  const wsFrame = Buffer.concat([wsHeader, frame]);
  const sendOptions = { reliable: false, priority: Priority.NORMAL, sheddable: false };
  let sink;

  const run = {
    a: () => {
      const p = payload();
      for (const c of connections) {
        c.send(MessageType.WORLD_DELTA, p, sendOptions);
        c.flush();
      }
    },
    b: () => {
      for (const ws of wss) ws.send(frame, { binary: true });
    },
    c: () => {
      for (const ws of wss) ws._socket.write(wsFrame);
    },
    d: () => {
      const env = envelope();
      for (let i = 0; i < clients; i++) sink = encodeMessage(env);
    },
    e: () => {
      for (let i = 0; i < clients; i++) sink = encodeMessage(envelope());
    },
  };
  /** Cases that write one message to every connection (the readers must receive them all). */
  const writes = { a: true, b: true, c: true, d: false, e: false };
  const label = {
    a: '(a) Connection.send + flush',
    b: '(b) ws.send(prebuilt frame)',
    c: '(c) net.Socket.write(prebuilt ws frame)',
    d: '(d) encodeMessage alone',
    e: '(e) registry.pack + encodeMessage',
  };
  const samples = Object.fromEntries(cases.map((c) => [c, []]));
  // CPU time of this process by mode (getrusage): user is our code, ws and Node; system is the kernel.
  const userUs = Object.fromEntries(cases.map((c) => [c, 0]));
  const systemUs = Object.fromEntries(cases.map((c) => [c, 0]));
  const nowNs = () => process.hrtime.bigint();
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const immediate = () => new Promise((resolve) => setImmediate(resolve));

  console.log(machineInfo());
  console.log(`${clients} connections, frame ${frame.length} B (WORLD_DELTA, ${packedBytes} B packed), ` +
    `${rounds} rounds per case after ${WARMUP_ROUNDS} warm-up rounds, ${gapMs} ms between rounds, cases ${cases.join('')}`);

  let expectedMessages = 0;
  let t0Wall;
  let cpu0;
  let machine0;
  let reader0;
  for (let r = -WARMUP_ROUNDS; r < rounds; r++) {
    if (r === 0) {
      t0Wall = performance.now();
      cpu0 = process.cpuUsage();
      machine0 = machineCpuMs();
      reader0 = await readerMark();
    }
    for (let k = 0; k < cases.length; k++) {
      const name = cases[(k + r + WARMUP_ROUNDS) % cases.length];
      tick++;
      await sleep(gapMs);
      const c0 = process.cpuUsage();
      const t0 = nowNs();
      run[name]();
      await immediate();
      const us = Number(nowNs() - t0) / 1000 / clients;
      const c1 = process.cpuUsage(c0);
      if (r >= 0) {
        samples[name].push(us);
        userUs[name] += c1.user / clients;
        systemUs[name] += c1.system / clients;
      }
      if (writes[name]) expectedMessages += clients;
    }
  }
  const elapsedMs = performance.now() - t0Wall;
  const cpu = process.cpuUsage(cpu0);
  const machine1 = machineCpuMs();
  // Every message written must reach a reader, and no connection may have been shed.
  let reader1 = await readerMark();
  const deadline = Date.now() + DRAIN_WAIT_MS;
  while (reader1.messages < expectedMessages && Date.now() < deadline) {
    await sleep(50);
    reader1 = await readerMark();
  }
  const readerCpuUs = reader1.cpu.user + reader1.cpu.system - (reader0.cpu.user + reader0.cpu.system);
  const others = otherCores(machine0, machine1, cpu.user + cpu.system + readerCpuUs, elapsedMs);

  const rows = cases.map((name) => {
    const s = [...samples[name]].sort((x, y) => x - y);
    return [
      label[name],
      s[s.length >> 1].toFixed(2),
      s[0].toFixed(2),
      s[Math.floor(s.length * 0.9)].toFixed(2),
      (userUs[name] / rounds).toFixed(2),
      (systemUs[name] / rounds).toFixed(2),
    ];
  });
  console.log('');
  console.log(table(['case', '>µs/msg median', '>best round', '>p90 round', '>user CPU µs/msg', '>system CPU µs/msg'], rows));
  const median = (name) => {
    const s = [...samples[name]].sort((x, y) => x - y);
    return s[s.length >> 1];
  };
  if (samples.a && samples.b) console.log(`\n(a) - (b): ${(median('a') - median('b')).toFixed(2)} µs per message of our code over ws.send`);
  if (samples.a && samples.c) console.log(`(a) - (c): ${(median('a') - median('c')).toFixed(2)} µs per message of our code and ws over a bare socket write`);
  console.log(`other cores busy during the run: ${others.toFixed(2)} (besides this process and the readers; trust figures when near 0)`);
  console.log(`readers received ${reader1.messages} of ${expectedMessages} messages; ${reader1.closed} connections closed`);
  if (reader1.messages !== expectedMessages || reader1.closed > 0) {
    console.error('the readers did not receive exactly what was written: the figures are suspect');
    process.exitCode = 1;
  }
  reader.send({ cmd: 'stop' });
  await gateway.close();
  process.exit();
}
