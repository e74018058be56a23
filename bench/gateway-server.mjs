// The server half of gateway.mjs, run in its own process (node:child_process fork) so that its CPU
// time is measured apart from the clients'. Starts a gateway on 127.0.0.1 with one custom type,
// BENCH_ECHO (1000, raw bytes), whose handler echoes the payload back with ctx.reply, and answers
// the parent over IPC:
//   parent -> child  { cmd: 'mark', id }   child -> parent { cmd: 'mark', id, delivered, cpu, elu, hrNs, rssBytes }
//   parent -> child  { cmd: 'stop' }       child closes the gateway and exits 0
//   child  -> parent { cmd: 'ready', port } once listening
// The child also exits when the parent goes away (IPC disconnect), so it never outlives a run.
import { performance } from 'node:perf_hooks';
import { importBuilt } from './lib/load-built.mjs';

if (typeof process.send !== 'function') {
  console.error('gateway-server.mjs is started by gateway.mjs (node:child_process fork), not by hand.');
  process.exit(1);
}

const { bytesSchema, createMessageRegistry } = await importBuilt('@mmo/protocol');
const { createGateway } = await importBuilt('@mmo/server');
const { pino } = await import('pino');

/** @type {{ jwtSecret: string, echoType: number, echoPriority: number }} */
const config = JSON.parse(process.argv[2] ?? '{}');

/**
 * Limits opened wide for the benchmark: the defaults (30 msg/s per connection for custom types,
 * 120 upgrades per IP per minute) exist to stop abusive clients and would cap the figures here.
 */
const BENCH_RATE_LIMIT = Object.freeze({ burst: 1e9, perSecond: 1e9 });
const BENCH_CONNECTS_PER_MINUTE = 1_000_000;
/** Drain of the final close: the clients have already left, so this only bounds a stuck close. */
const DRAIN_TIMEOUT_MS = 2_000;

const registry = createMessageRegistry();
const echo = registry.register({ type: config.echoType, name: 'BENCH_ECHO', schema: bytesSchema, priority: config.echoPriority });

const gateway = createGateway({
  port: 0,
  host: '127.0.0.1',
  auth: { jwtSecret: config.jwtSecret },
  logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }),
  registry,
  drainTimeoutMs: DRAIN_TIMEOUT_MS,
  connectRateLimit: { perIpPerMinute: BENCH_CONNECTS_PER_MINUTE, perUserPerMinute: BENCH_CONNECTS_PER_MINUTE },
  connection: { rateLimits: { defaultLimit: BENCH_RATE_LIMIT } },
});

let delivered = 0;
gateway.router.on(echo, (ctx) => {
  delivered++;
  ctx.reply(echo.type, ctx.payload);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await gateway.close();
  process.exit(0);
}

process.on('message', (msg) => {
  if (msg?.cmd === 'mark') {
    process.send({
      cmd: 'mark',
      id: msg.id,
      delivered,
      cpu: process.cpuUsage(),
      elu: performance.eventLoopUtilization(),
      hrNs: Number(process.hrtime.bigint()),
      rssBytes: process.memoryUsage.rss(),
    });
  } else if (msg?.cmd === 'stop') {
    void stop();
  }
});
process.on('disconnect', () => void stop());

const { port } = await gateway.listen();
process.send({ cmd: 'ready', port });
