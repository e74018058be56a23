// Cluster benchmark: two `mmo-gateway` processes on loopback sharing one Redis. N senders on node A
// change their status (PLAYER_STATUS_CHANGE) at --rate per second each; each sender's friend, on
// node B, receives FRIEND_STATUS through Redis (presence store write + change feed). Prints
// presence updates delivered per second and the cross-node delivery latency (send on A's client
// to receipt on B's client), p50/p99/max. Then a zone scenario: --actors players connected to the
// node that does not own the zone send PLAYER_ACTION; each goes to the owner (bus), which
// broadcasts it to every player who sees the actor, delivered back through the bus: the latency
// of that round (actor's client to a viewer's client on the same non-owner node) is printed too.
// Usage: node cluster.mjs [--pairs 100] [--rate 20] [--actors 10] [--seconds 5] [--warmup-seconds 1] [--redis redis://127.0.0.1:6379]
// Uses a random key prefix, so a shared Redis is only touched under it. Needs `pnpm build`.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { importBuilt } from './lib/load-built.mjs';
import { machineInfo, si, table } from './lib/report.mjs';

const { createMessageRegistry, decodeMessage, encodeMessage, MessageType, pb, SUBPROTOCOL } = await importBuilt('@mmo/protocol');
await importBuilt('@mmo/server');
const registry = createMessageRegistry();

const { values: flags } = parseArgs({
  options: {
    pairs: { type: 'string', default: '100' },
    rate: { type: 'string', default: '20' },
    actors: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '5' },
    'warmup-seconds': { type: 'string', default: '1' },
    redis: { type: 'string', default: process.env.MMO_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
// At most 120: each node accepts 120 connects per IP per minute by default (connectRateLimit.perIp).
const pairs = bounded('pairs', flags.pairs, 1, 120);
// Below the gateway's default per-connection limit of 30 messages/s (other types), so none is refused.
const rate = bounded('rate', flags.rate, 1, 25);
const actors = bounded('actors', flags.actors, 1, 50);
const seconds = bounded('seconds', flags.seconds, 1, 600);
const warmupSeconds = bounded('warmup-seconds', flags['warmup-seconds'], 0, 60);

const JWT_SECRET = 'bench-secret-that-is-long-enough-0123456789';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const cli = join(dirname(fileURLToPath(import.meta.resolve('@mmo/server'))), 'cli.js');
/** Latency histogram: 10 µs buckets up to 2 s. */
const BUCKET_MS = 0.01;
const BUCKETS = 200_000;
const STARTUP_TIMEOUT_MS = 15_000;
/** Wait after the window for what is still in flight; later arrivals count as lost. */
const GRACE_MS = 2_000;
const ACK_INTERVAL_MS = 250;

function bounded(name, raw, min, max) {
  const n = Number(raw);
  if (!(n >= min && n <= max)) {
    console.error(`--${name} must be in ${min}..${max}`);
    process.exit(2);
  }
  return n;
}

function startNode(nodeId, prefix) {
  const child = spawn(process.execPath, [cli, '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn'], {
    env: { PATH: process.env.PATH ?? '', MMO_JWT_SECRET: JWT_SECRET, MMO_ADMIN_TOKEN: ADMIN_TOKEN, MMO_REDIS_URL: flags.redis, MMO_REDIS_KEY_PREFIX: prefix, MMO_NODE_ID: nodeId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${nodeId} did not start: ${out}`)), STARTUP_TIMEOUT_MS);
    const onData = (chunk) => {
      out += chunk.toString();
      const m = /listening on (ws:\/\/127\.0\.0\.1:\d+\/ws)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, url: m[1], nodeId });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${nodeId} exited (${code}): ${out}`)));
  });
}

async function open(url, userId, friends, onEnvelope) {
  const token = await new SignJWT({ friends }).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(JWT_SECRET));
  const ws = new WebSocket(url, [SUBPROTOCOL], { headers: { authorization: `Bearer ${token}` } });
  ws.binaryType = 'nodebuffer';
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  // Acknowledge what arrived, as a client SDK does: unacknowledged reliable messages fill the
  // session's outbox (1024 by default), and a full outbox ends the session.
  let received = 0;
  const ack = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) ws.send(encodeMessage({ type: MessageType.HEARTBEAT, ack: received }));
  }, ACK_INTERVAL_MS);
  ws.once('close', () => clearInterval(ack));
  const established = new Promise((resolve) => {
    ws.on('message', (data) => {
      for (const env of decodeMessage(new Uint8Array(data), { maxFrameBytes: 1 << 22 })) {
        received = Math.max(received, env.sequence ?? 0);
        if (env.type === MessageType.CONNECTION_ESTABLISHED) resolve();
        onEnvelope?.(env);
      }
    });
  });
  ws.send(encodeMessage({ type: MessageType.HANDSHAKE, payload: registry.pack(MessageType.HANDSHAKE, {}) }));
  await established;
  return ws;
}

const prefix = `bench:${randomUUID().slice(0, 8)}:`;
const nodes = await Promise.all([startNode('bench-a', prefix), startNode('bench-b', prefix)]);
const stop = () => {
  for (const n of nodes) n.child.kill('SIGKILL');
};
process.once('exit', stop);

let histogram = new Uint32Array(BUCKETS);
let measuring = false;
let delivered = 0;
let lost = 0;
/** Send time of each sender's change, by its counter (kept in status_message). */
const sentAt = new Map();
const sockets = [];
for (let i = 0; i < pairs; i++) {
  const receiver = await open(nodes[1].url, `r${i}`, [`s${i}`], (env) => {
    if (env.type !== MessageType.FRIEND_STATUS) return;
    const status = registry.unpack(MessageType.FRIEND_STATUS, env.payload);
    const key = `${status.friendId}:${status.statusMessage}`;
    const entry = sentAt.get(key);
    if (entry === undefined) return;
    sentAt.delete(key);
    if (!entry.measured) return;
    delivered++;
    histogram[Math.min(BUCKETS - 1, Math.floor((performance.now() - entry.t) / BUCKET_MS))]++;
  });
  const sender = await open(nodes[0].url, `s${i}`, [`r${i}`]);
  sockets.push(receiver, sender);
}

let counter = 0;
const senders = sockets.filter((_, i) => i % 2 === 1);
const intervalMs = 1000 / rate;
let sent = 0;
const timers = senders.map((ws, i) =>
  setTimeout(
    () =>
      timers.push(
        setInterval(() => {
          const n = ++counter;
          sentAt.set(`s${i}:${n}`, { t: performance.now(), measured: measuring });
          if (measuring) sent++;
          ws.send(
            encodeMessage({
              type: MessageType.PLAYER_STATUS_CHANGE,
              payload: registry.pack(MessageType.PLAYER_STATUS_CHANGE, { status: n % 2 === 0 ? pb.PlayerStatus.PLAYER_STATUS_AWAY : pb.PlayerStatus.PLAYER_STATUS_BUSY, statusMessage: String(n) }),
            }),
          );
        }, intervalMs),
      ),
    (i * intervalMs) / senders.length,
  ),
);

await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
measuring = true;
const startedAt = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
measuring = false;
const elapsedS = (performance.now() - startedAt) / 1000;
for (const t of timers) clearInterval(t);
// What was sent in the window and has not arrived after a grace period is lost.
await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
for (const e of sentAt.values()) if (e.measured) lost++;

function quantile(q) {
  let total = 0;
  for (const c of histogram) total += c;
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += histogram[i];
    if (seen >= q * total && total > 0) return (i + 1) * BUCKET_MS;
  }
  return Number.NaN;
}
const presenceRow = [`presence, ${pairs} pairs`, si(sent / elapsedS), si(delivered / elapsedS), quantile(0.5).toFixed(2), quantile(0.99).toFixed(2), quantile(1).toFixed(2), lost];
for (const ws of sockets) ws.terminate();

// Zone scenario: actors and one viewer on the node that does not simulate the zone.
const owner = await waitForOwner();
const remote = nodes.find((n) => n.nodeId !== owner) ?? nodes[1];
histogram = new Uint32Array(BUCKETS);
delivered = 0;
sent = 0;
const actionSentAt = new Map();
const zoneSockets = [];
const inZone = [];
const viewer = await open(remote.url, 'viewer', [], (env) => {
  if (env.type === MessageType.ZONE_UPDATE) inZone.push('viewer');
  if (env.type !== MessageType.PLAYER_ACTION) return;
  const action = registry.unpack(MessageType.PLAYER_ACTION, env.payload);
  const entry = actionSentAt.get(action.targetId);
  if (entry === undefined) return;
  actionSentAt.delete(action.targetId);
  if (!entry.measured) return;
  delivered++;
  histogram[Math.min(BUCKETS - 1, Math.floor((performance.now() - entry.t) / BUCKET_MS))]++;
});
zoneSockets.push(viewer);
for (let i = 0; i < actors; i++) {
  zoneSockets.push(await open(remote.url, `actor${i}`, [], (env) => {
    if (env.type === MessageType.ZONE_UPDATE) inZone.push(i);
  }));
}
const zoneDeadline = Date.now() + STARTUP_TIMEOUT_MS;
while (inZone.length < actors + 1) {
  if (Date.now() > zoneDeadline) throw new Error('players did not enter the zone');
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const actionTimers = zoneSockets.slice(1).map((ws) =>
  setInterval(() => {
    const n = String(++counter);
    actionSentAt.set(n, { t: performance.now(), measured: measuring });
    if (measuring) sent++;
    ws.send(encodeMessage({ type: MessageType.PLAYER_ACTION, payload: registry.pack(MessageType.PLAYER_ACTION, { actionType: 'wave', targetId: n }) }));
  }, intervalMs),
);
await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
measuring = true;
const zoneStartedAt = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
measuring = false;
const zoneElapsedS = (performance.now() - zoneStartedAt) / 1000;
for (const t of actionTimers) clearInterval(t);
await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
let zoneLost = 0;
for (const e of actionSentAt.values()) if (e.measured) zoneLost++;
const zoneRow = [`zone action, ${actors} actors (via owner ${owner})`, si(sent / zoneElapsedS), si(delivered / zoneElapsedS), quantile(0.5).toFixed(2), quantile(0.99).toFixed(2), quantile(1).toFixed(2), zoneLost];

async function waitForOwner() {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const res = await fetch(nodes[0].url.replace('ws://', 'http://').replace('/ws', '/admin/cluster'), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const view = await res.json();
    const o = view.zones?.[0]?.owner?.nodeId;
    if (o !== undefined) return o;
    if (Date.now() > deadline) throw new Error('no zone owner');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

console.log(`# Cluster: presence across two mmo-gateway nodes over Redis (${flags.redis}, loopback)`);
console.log(machineInfo());
console.log(`presence: ${pairs} senders on node A at ${rate}/s each, their friends on node B; zone: ${actors} actors at ${rate}/s and a viewer on the non-owner node; ${seconds} s measured after ${warmupSeconds} s warm-up each\n`);
console.log(table(['scenario', '>sent/s', '>delivered/s', '>p50 ms', '>p99 ms', '>max ms', '>lost'], [presenceRow, zoneRow]));
for (const ws of zoneSockets) ws.terminate();
stop();
process.exit(0);
