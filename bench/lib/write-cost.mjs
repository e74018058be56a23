// Cost of one socket write on this machine: --sockets TCP connections on loopback to a discard
// server in another process, one --bytes write to each per round, as state sync does per tick.
// Usage: node lib/write-cost.mjs [--sockets 1000] [--bytes 150] [--rounds 100]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { sockets: { type: 'string', default: '1000' }, bytes: { type: 'string', default: '150' }, rounds: { type: 'string', default: '100' } } });
const count = Number(values.sockets);
const bytes = Number(values.bytes);
const rounds = Number(values.rounds);
const discard = fork(fileURLToPath(new URL('./discard-server.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const [{ port }] = await once(discard, 'message');
const sockets = await Promise.all(Array.from({ length: count }, () => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1', () => resolve(s));
  s.setNoDelay(true);
})));
const payload = Buffer.alloc(bytes, 7);
const samples = [];
for (let r = 0; r < rounds; r++) {
  const t0 = process.hrtime.bigint();
  for (const s of sockets) s.write(payload);
  samples.push(Number(process.hrtime.bigint() - t0) / 1000 / count);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
samples.sort((a, b) => a - b);
console.log(`socket write of ${bytes} B to one of ${count} loopback connections (reader in another process): ` +
  `median ${samples[samples.length >> 1].toFixed(1)} µs, best round ${samples[0].toFixed(1)} µs`);
for (const s of sockets) s.destroy();
discard.kill();
process.exit(0);
