// Raw `ws` clients that only read, run as a forked child by sync.mjs --sink gateway and by
// connection-write.mjs so that their CPU is not the server's. Each client signs an HS256 token
// (jose), connects with subprotocol mmo.v1, sends HANDSHAKE and waits for CONNECTION_ESTABLISHED
// (the only messages it decodes); from then on it counts and drops every WebSocket message.
// Clients connect --batch at a time.
// Argument: JSON { url, clients, batch, jwtSecret, userPrefix }. IPC:
//   child  -> parent { cmd: 'ready', connected, failed, firstError, connectMs } once all have tried
//   parent -> child  { cmd: 'mark', id }   child -> parent { cmd: 'mark', id, messages, bytes, closed, cpu }
//   parent -> child  { cmd: 'stop' }       child terminates its sockets and exits 0
// The child also exits when the parent goes away (IPC disconnect), so it never outlives a run.
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { importBuilt } from './load-built.mjs';

if (typeof process.send !== 'function') {
  console.error('ws-reader-clients.mjs is started by sync.mjs --sink gateway or connection-write.mjs (node:child_process fork), not by hand.');
  process.exit(1);
}

const { decodeMessage, encodeMessage, MessageType, SUBPROTOCOL } = await importBuilt('@mmo/protocol');

/** @type {{ url: string, clients: number, batch: number, jwtSecret: string, userPrefix: string }} */
const config = JSON.parse(process.argv[2] ?? '{}');
/** Token lifetime: far past any run, so the gateway's token-expiry close never fires mid-run. */
const TOKEN_LIFETIME = '1h';
/** One client's bound from upgrade to CONNECTION_ESTABLISHED; a stuck one fails instead of hanging. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

const key = new TextEncoder().encode(config.jwtSecret);
const sockets = [];
/** WebSocket messages and their payload bytes received after the handshake, over all clients. */
let messages = 0;
let bytes = 0;
/** Clients whose socket closed after the handshake (the gateway shed or closed them). */
let closed = 0;

async function connectOne(index) {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`${config.userPrefix}${index}`)
    .setIssuedAt()
    .setExpirationTime(TOKEN_LIFETIME)
    .sign(key);
  const ws = new WebSocket(config.url, [SUBPROTOCOL], { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
  sockets.push(ws);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client ${index}: no CONNECTION_ESTABLISHED within ${HANDSHAKE_TIMEOUT_MS} ms`)), HANDSHAKE_TIMEOUT_MS);
    let established = false;
    ws.on('message', (data) => {
      if (established) {
        messages++;
        bytes += data.length;
        return;
      }
      for (const env of decodeMessage(data)) {
        if (env.type === MessageType.CONNECTION_ESTABLISHED) {
          established = true;
          clearTimeout(timer);
          resolve();
        } else if (env.type === MessageType.ERROR || env.type === MessageType.DISCONNECT) {
          clearTimeout(timer);
          reject(new Error(`client ${index}: message type ${env.type} during the handshake`));
        }
      }
    });
    ws.once('open', () => ws.send(encodeMessage({ type: MessageType.HANDSHAKE })));
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`client ${index} refused with HTTP ${res.statusCode}`));
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.once('close', () => {
      if (established) closed++;
      clearTimeout(timer);
      reject(new Error(`client ${index}: closed during the handshake`));
    });
  });
}

const t0 = performance.now();
let connected = 0;
let failed = 0;
let firstError;
for (let first = 0; first < config.clients; first += config.batch) {
  const indexes = [];
  for (let i = first; i < Math.min(config.clients, first + config.batch); i++) indexes.push(i);
  const results = await Promise.allSettled(indexes.map(connectOne));
  for (const r of results) {
    if (r.status === 'fulfilled') connected++;
    else {
      failed++;
      firstError ??= String(r.reason?.message ?? r.reason);
    }
  }
}
process.send({ cmd: 'ready', connected, failed, firstError, connectMs: performance.now() - t0 });

process.on('message', (msg) => {
  if (msg?.cmd === 'mark') {
    process.send({ cmd: 'mark', id: msg.id, messages, bytes, closed, cpu: process.cpuUsage() });
  } else if (msg?.cmd === 'stop') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
