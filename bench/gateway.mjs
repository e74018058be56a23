// Gateway throughput benchmark: N real `ws` clients on loopback send reliable BENCH_ECHO messages
// through a gateway running in a child process (gateway-server.mjs), which echoes each one with
// ctx.reply. Each client keeps at most --window messages in flight. Two scenarios: one frame per
// WebSocket message, and --batch frames per WebSocket message (encodeMessageBatch).
// Usage: node gateway.mjs [--clients 50] [--seconds 5] [--warmup-seconds 1] [--window 32] [--batch 8]
//                         [--scenario all|single|batch] [--priority 5] [--cpu-prof-dir DIR]
// Needs the built @mmo/protocol and @mmo/server (`pnpm build`).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { importBuilt } from './lib/load-built.mjs';
import { machineCpuMs, machineInfo, otherCores, si, table } from './lib/report.mjs';

const { decodeMessage, encodeMessage, encodeMessageBatch, MessageType, SUBPROTOCOL } = await importBuilt('@mmo/protocol');

const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '5' },
    'warmup-seconds': { type: 'string', default: '1' },
    window: { type: 'string', default: '32' },
    batch: { type: 'string', default: '8' },
    scenario: { type: 'string', default: 'all' },
    priority: { type: 'string', default: '5' },
    'cpu-prof-dir': { type: 'string' },
  },
});
const clientCount = positiveInt('clients', flags.clients, 10_000);
const seconds = positiveNumber('seconds', flags.seconds, 600);
const warmupSeconds = Number(flags['warmup-seconds']);
if (!(warmupSeconds >= 0 && warmupSeconds <= 60)) fail('--warmup-seconds must be in 0..60');
// At most 256: the gateway's default maxPendingMessages per connection (more would be a flood).
const windowSize = positiveInt('window', flags.window, 256);
const batchFrames = positiveInt('batch', flags.batch, 64);
if (batchFrames > windowSize) fail('--batch must not exceed --window');
if (!['all', 'single', 'batch'].includes(flags.scenario)) fail('--scenario must be all, single or batch');
// Priority of BENCH_ECHO (and so of the echoes): 5 (NORMAL) is a custom type's default, and waits up
// to the write queue's maxBatchDelayMs to share a write; 9 (HIGH) and up flush on the next microtask.
const echoPriority = Number(flags.priority);
if (!Number.isInteger(echoPriority) || echoPriority < 0 || echoPriority > 10) fail('--priority must be an integer in 0..10');

/** The custom type the server echoes (custom types start at 1000). */
const ECHO_TYPE = 1000;
/** Payload: f64 send time (performance.now(), ms) + u32 client index + u32 message counter. */
const PAYLOAD_BYTES = 16;
const JWT_SECRET = 'bench-secret-that-is-long-enough-0123456789';
/** Token lifetime: far past any run, so the gateway's token-expiry close never fires mid-run. */
const TOKEN_LIFETIME = '1h';
/** Latency histogram: 10 µs buckets up to 2 s; slower round trips land in the last bucket. */
const HISTOGRAM_BUCKET_MS = 0.01;
const HISTOGRAM_BUCKETS = 200_000;
/** Bounds on each phase, so a stuck gateway fails the run instead of hanging it. */
const STARTUP_TIMEOUT_MS = 15_000;
const CONNECT_TIMEOUT_MS = 15_000;
const DRAIN_TIMEOUT_MS = 5_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
/** A process busy this share of one core (CPU time or event-loop utilization) is the bottleneck. */
const SATURATED = 0.85;
/** Other processes' load above which a run is flagged: server and clients already fill 2 cores. */
const BUSY_OTHER_CORES = 0.25;

const serverScript = fileURLToPath(new URL('./gateway-server.mjs', import.meta.url));
const scenarios = [];
if (flags.scenario !== 'batch') scenarios.push({ name: '1 frame / WS message', framesPerMessage: 1 });
if (flags.scenario !== 'single') scenarios.push({ name: `${batchFrames} frames / WS message`, framesPerMessage: batchFrames });

// Whatever happens, the process ends: the watchdog covers every phase of every scenario.
const budgetMs = scenarios.length * ((warmupSeconds + seconds) * 1000 + STARTUP_TIMEOUT_MS + CONNECT_TIMEOUT_MS + DRAIN_TIMEOUT_MS + SHUTDOWN_TIMEOUT_MS);
let currentChild;
const watchdog = setTimeout(() => {
  console.error(`gateway benchmark exceeded its ${Math.round(budgetMs / 1000)} s budget; aborting`);
  currentChild?.kill('SIGKILL');
  process.exit(1);
}, budgetMs);
watchdog.unref();

console.log('### @mmo/server gateway benchmark\n');
console.log(machineInfo());
console.log(
  `Gateway in a child process on 127.0.0.1; ${clientCount} ws client(s) in this process; reliable BENCH_ECHO (${ECHO_TYPE}, ` +
    `${PAYLOAD_BYTES}-byte payload, priority ${echoPriority}, requiresAck false) echoed by the handler via ctx.reply; window ${windowSize} messages in flight per client; ` +
    `${warmupSeconds} s warm-up, then ${seconds} s measured.\n`,
);

const rows = [];
for (const scenario of scenarios) {
  const r = await runScenario(scenario);
  rows.push(r);
  if (process.stderr.isTTY) process.stderr.write(`  ${scenario.name}: ${si(r.deliveredPerSec)} msg/s\n`);
}

console.log(
  table(
    ['scenario', '>delivered msg/s (router)', '>echoes/s (clients)', '>server CPU µs/msg', '>server CPU', '>server ELU', '>client CPU', '>RTT p50 ms', '>RTT p99 ms', '>errors', '>lost'],
    rows.map((r) => [
      r.name,
      si(r.deliveredPerSec),
      si(r.echoesPerSec),
      r.serverCpuUsPerMsg.toFixed(2),
      pct(r.serverCpuShare),
      pct(r.serverElu),
      pct(r.clientCpuShare),
      r.p50Ms.toFixed(2),
      r.p99Ms.toFixed(2),
      r.errors,
      r.lost,
    ]),
  ),
);
console.log('');
if (rows.length === 2) {
  const [single, batched] = rows;
  console.log(
    `- Batching ${batchFrames} frames per WebSocket message: ${(batched.deliveredPerSec / single.deliveredPerSec).toFixed(2)}x the delivered rate; ` +
      `server CPU per message ${single.serverCpuUsPerMsg.toFixed(2)} -> ${batched.serverCpuUsPerMsg.toFixed(2)} µs ` +
      `(${(batched.serverCpuUsPerMsg / single.serverCpuUsPerMsg).toFixed(2)}x).`,
  );
}
for (const r of rows) {
  // Little's law: with the window always full, RTT ~ messages in flight / throughput.
  const queueingMs = ((clientCount * windowSize) / r.echoesPerSec) * 1000;
  console.log(
    `- ${r.name}: ${r.messages.toLocaleString('en-US')} messages delivered in ${r.elapsedS.toFixed(2)} s; ` +
      `${clientCount * windowSize} in flight / ${si(r.echoesPerSec)}/s = ${queueingMs.toFixed(1)} ms expected RTT from queueing alone; ` +
      `server RSS ${(r.serverRssBytes / 2 ** 20).toFixed(0)} MiB; other processes used ${r.otherCores.toFixed(2)} cores meanwhile` +
      `${r.otherCores > BUSY_OTHER_CORES ? ' (busy machine: figures low and noisy, run again when it is quiet)' : ''}; ${r.bottleneck}.`,
  );
}
clearTimeout(watchdog);

// --------------------------------------------------------------------------------------------

async function runScenario({ name, framesPerMessage }) {
  const child = fork(serverScript, [JSON.stringify({ jwtSecret: JWT_SECRET, echoType: ECHO_TYPE, echoPriority })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // --cpu-prof-dir DIR: V8 CPU profile of the gateway process (open in Chrome DevTools).
    execArgv: flags['cpu-prof-dir'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', flags['cpu-prof-dir']],
  });
  currentChild = child;
  const childExited = once(child, 'exit');
  const ipc = createIpc(child);
  try {
    const { port } = await withTimeout(ipc.next('ready'), STARTUP_TIMEOUT_MS, 'gateway start');
    const url = `ws://127.0.0.1:${port}/ws`;
    const histogram = new Uint32Array(HISTOGRAM_BUCKETS);
    const stats = { echoes: 0, errors: 0, recording: false, histogram };
    const clients = await withTimeout(
      Promise.all(Array.from({ length: clientCount }, (_, i) => connectClient(url, i, framesPerMessage, stats))),
      CONNECT_TIMEOUT_MS,
      `connecting ${clientCount} clients`,
    );

    for (const c of clients) c.start();
    await sleep(warmupSeconds * 1000);

    const serverBefore = await ipc.mark();
    const clientCpuBefore = process.cpuUsage();
    const machineBefore = machineCpuMs();
    const echoesBefore = stats.echoes;
    const t0 = performance.now();
    stats.recording = true;
    await sleep(seconds * 1000);
    stats.recording = false;
    const serverAfter = await ipc.mark();
    const elapsedMs = performance.now() - t0;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const machineAfter = machineCpuMs();
    const echoes = stats.echoes - echoesBefore;

    for (const c of clients) c.stop();
    // Echoes still missing after DRAIN_TIMEOUT_MS are reported as lost rather than failing the run.
    await Promise.race([Promise.all(clients.map((c) => c.drained())), sleep(DRAIN_TIMEOUT_MS, { unref: true })]);
    const lost = clients.reduce((n, c) => n + c.inFlight, 0);
    await withTimeout(Promise.all(clients.map((c) => c.close())), SHUTDOWN_TIMEOUT_MS, 'closing clients');

    const messages = serverAfter.delivered - serverBefore.delivered;
    const serverElapsedUs = (serverAfter.hrNs - serverBefore.hrNs) / 1000;
    const serverCpuUs = serverAfter.cpu.user - serverBefore.cpu.user + (serverAfter.cpu.system - serverBefore.cpu.system);
    const eluActive = serverAfter.elu.active - serverBefore.elu.active;
    const eluIdle = serverAfter.elu.idle - serverBefore.elu.idle;
    const serverElu = eluActive / (eluActive + eluIdle);
    const clientCpuShare = (clientCpu.user + clientCpu.system) / (elapsedMs * 1000);
    const serverBusy = Math.max(serverElu, serverCpuUs / serverElapsedUs);
    return {
      name,
      messages,
      elapsedS: serverElapsedUs / 1e6,
      deliveredPerSec: messages / (serverElapsedUs / 1e6),
      echoesPerSec: echoes / (elapsedMs / 1000),
      serverCpuUsPerMsg: serverCpuUs / messages,
      serverCpuShare: serverCpuUs / serverElapsedUs,
      serverElu,
      clientCpuShare,
      p50Ms: percentile(histogram, 0.5),
      p99Ms: percentile(histogram, 0.99),
      errors: stats.errors,
      lost,
      serverRssBytes: serverAfter.rssBytes,
      otherCores: otherCores(machineBefore, machineAfter, clientCpu.user + clientCpu.system + serverCpuUs, elapsedMs),
      bottleneck:
        serverBusy >= SATURATED
          ? 'server-bound: its event loop was saturated, so the rate is its limit on one core'
          : clientCpuShare >= SATURATED
            ? 'client-bound: the server had headroom, so the rate understates it'
            : 'neither process saturated (bound by the window, or by a shared machine)',
    };
  } finally {
    if (child.connected) child.send({ cmd: 'stop' });
    const exited = await Promise.race([childExited.then(() => true), sleep(SHUTDOWN_TIMEOUT_MS, { unref: true }).then(() => false)]);
    if (!exited) {
      child.kill('SIGKILL');
      await childExited;
    }
    currentChild = undefined;
  }
}

/** Request/answer over the child's IPC channel. */
function createIpc(child) {
  const waiting = new Map();
  let nextId = 1;
  child.on('message', (msg) => {
    const key = msg.cmd === 'mark' ? `mark:${msg.id}` : msg.cmd;
    const resolve = waiting.get(key);
    if (resolve !== undefined) {
      waiting.delete(key);
      resolve(msg);
    }
  });
  const next = (key) =>
    new Promise((resolve, reject) => {
      waiting.set(key, resolve);
      child.once('exit', (code) => reject(new Error(`gateway process exited (${code}) while waiting for ${key}`)));
    });
  return {
    next,
    mark() {
      const id = nextId++;
      const answer = next(`mark:${id}`);
      child.send({ cmd: 'mark', id });
      return withTimeout(answer, STARTUP_TIMEOUT_MS, 'server mark');
    },
  };
}

/** Opens one client, completes the handshake and returns its traffic controls. */
async function connectClient(url, index, framesPerMessage, stats) {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`bench-user-${index}`)
    .setIssuedAt()
    .setExpirationTime(TOKEN_LIFETIME)
    .sign(new TextEncoder().encode(JWT_SECRET));
  const ws = new WebSocket(url, [SUBPROTOCOL], { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`client ${index} refused with HTTP ${res.statusCode}`)));
  });

  let sequence = 0;
  let counter = 0;
  let inFlight = 0;
  let sending = false;
  /** Highest reliable sequence received from the server, in order (the gateway sends in order). */
  let serverAck = 0;
  let established;
  const isEstablished = new Promise((resolve) => (established = resolve));
  let onDrained;
  const closed = new Promise((resolve) =>
    ws.once('close', () => {
      onDrained?.();
      resolve();
    }),
  );

  // Like a real client, every message carries the cumulative ack of the server's reliable stream
  // (the echoes are reliable), so the server can trim what it keeps for replay.
  const init = () => {
    const payload = Buffer.allocUnsafe(PAYLOAD_BYTES);
    payload.writeDoubleLE(performance.now(), 0);
    payload.writeUInt32LE(index, 8);
    payload.writeUInt32LE(counter++ >>> 0, 12);
    return { type: ECHO_TYPE, sequence: ++sequence, timestamp: Date.now(), priority: echoPriority, ack: serverAck, payload };
  };
  const pump = () => {
    while (sending && inFlight + framesPerMessage <= windowSize && ws.readyState === WebSocket.OPEN) {
      if (framesPerMessage === 1) ws.send(encodeMessage(init()));
      else ws.send(encodeMessageBatch(Array.from({ length: framesPerMessage }, init)));
      inFlight += framesPerMessage;
    }
  };

  ws.on('message', (data) => {
    const now = performance.now();
    for (const env of decodeMessage(data)) {
      if (env.sequence > serverAck) serverAck = env.sequence;
      if (env.type === ECHO_TYPE) {
        inFlight--;
        stats.echoes++;
        if (stats.recording) {
          const sentAt = Buffer.from(env.payload.buffer, env.payload.byteOffset, 8).readDoubleLE(0);
          const bucket = Math.min(HISTOGRAM_BUCKETS - 1, Math.floor((now - sentAt) / HISTOGRAM_BUCKET_MS));
          stats.histogram[bucket]++;
        }
      } else if (env.type === MessageType.CONNECTION_ESTABLISHED) {
        established();
      } else if (env.type === MessageType.ERROR || env.type === MessageType.DISCONNECT) {
        stats.errors++;
      }
    }
    if (inFlight === 0 && !sending) onDrained?.();
    pump();
  });
  ws.on('error', () => {
    stats.errors++;
  });

  ws.send(encodeMessage({ type: MessageType.HANDSHAKE }));
  await isEstablished;

  return {
    start() {
      sending = true;
      pump();
    },
    stop() {
      sending = false;
    },
    /** Resolves once every message sent has been echoed (or the socket closed). */
    drained: () =>
      new Promise((resolve) => {
        if (inFlight === 0 || ws.readyState !== WebSocket.OPEN) return resolve();
        onDrained = resolve;
      }),
    /** Messages sent but not echoed. */
    get inFlight() {
      return inFlight;
    },
    close() {
      ws.close(1000, 'bench done');
      return closed;
    },
  };
}

function percentile(histogram, q) {
  let total = 0;
  for (let i = 0; i < histogram.length; i++) total += histogram[i];
  if (total === 0) return Number.NaN;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i];
    if (seen >= rank) return (i + 0.5) * HISTOGRAM_BUCKET_MS;
  }
  return Number.NaN;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** With `unref`, a pending sleep does not keep the process alive (for races against real work). */
function sleep(ms, { unref = false } = {}) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) timer.unref();
  });
}

function pct(fraction) {
  return `${(fraction * 100).toFixed(0)}%`;
}

function positiveInt(name, text, max) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) fail(`--${name} must be an integer in 1..${max}`);
  return n;
}

function positiveNumber(name, text, max) {
  const n = Number(text);
  if (!(n > 0 && n <= max)) fail(`--${name} must be a number in (0, ${max}]`);
  return n;
}

function fail(message) {
  console.error(message);
  process.exit(2);
}
