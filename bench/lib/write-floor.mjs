// Builds lib/write-floor.c with the machine's C compiler (into a temporary folder) and runs it: the
// kernel's own cost of a small loopback TCP write, the floor under write-cost.mjs and under state
// sync's one write per client-tick. Compare the two to see what Node adds on this machine.
// Usage: node lib/write-floor.mjs [--sockets 1000] [--bytes 150] [--rounds 100] [--cc cc]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '1000' },
    bytes: { type: 'string', default: '150' },
    rounds: { type: 'string', default: '100' },
    cc: { type: 'string', default: process.env.CC ?? 'cc' },
  },
});
for (const name of ['sockets', 'bytes', 'rounds']) {
  if (!/^[1-9][0-9]*$/.test(values[name])) {
    console.error(`--${name} must be a positive integer, got ${JSON.stringify(values[name])}`);
    process.exit(2);
  }
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'mmo-write-floor-'));
try {
  const binary = path.join(dir, 'write-floor');
  try {
    execFileSync(values.cc, ['-O2', '-o', binary, fileURLToPath(new URL('./write-floor.c', import.meta.url))], { stdio: 'inherit' });
  } catch (error) {
    console.error(`could not build write-floor.c with ${values.cc} (${error.message}); install a C compiler or pass --cc`);
    process.exitCode = 1;
  }
  if (process.exitCode === undefined) {
    try {
      execFileSync(binary, [values.sockets, values.bytes, values.rounds], { stdio: 'inherit' });
    } catch (error) {
      // The program printed its reason (perror) already.
      process.exitCode = typeof error.status === 'number' ? error.status : 1;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
