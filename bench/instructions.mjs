// Instructions per client-tick of the state-sync benchmark, counted by valgrind (callgrind), not
// timed: the same code gives nearly the same count on any x86-64 machine, whatever else the machine
// does, so two versions of the code can be compared where timings are too noisy to (a VM whose
// socket writes cost 2 µs in the morning and 8 µs in the afternoon). Kernel work (the socket
// write's system call) is not counted; everything the benchmark process runs in user space is.
//
// Runs `sync.mjs` twice under callgrind, with --ticks B and --ticks B+N (same warm-up), in parallel,
// with `node --predictable --predictable-gc-schedule` (no background compiler or GC threads, and a
// heap that grows by allocation alone, not by measured allocation rates: both would otherwise vary
// with timing, and valgrind's timing with the machine's load) and prints
// (count(B+N) - count(B)) / (N x clients): the measured ticks' instructions, the process's setup
// and the report's fixed work cancelling out. The count includes the
// benchmark's own walkers (`simulate()`: building the inputs, zone.queueInput, zone.moveEntity)
// and the event-loop turn after each step, besides `zone.step`.
// Usage: node instructions.mjs [--sink none|encode|socket|gateway] [--ticks 200] [--base-ticks 20]
//                              [--warmup-ticks 10] [--clients 1000] [--entities 5000]
// Takes 5-8 min for --sink none and ~11 min for --sink gateway on a 2-core machine (valgrind runs
// Node ~50x slower). Needs valgrind on PATH and the built packages (`pnpm build`).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo, table } from './lib/report.mjs';
import { intFlag } from './lib/flags.mjs';

const { values: flags } = parseArgs({
  options: {
    sink: { type: 'string', default: 'none' },
    ticks: { type: 'string', default: '200' },
    'base-ticks': { type: 'string', default: '20' },
    'warmup-ticks': { type: 'string', default: '10' },
    clients: { type: 'string', default: '1000' },
    entities: { type: 'string', default: '5000' },
  },
});
if (!['none', 'encode', 'socket', 'gateway'].includes(flags.sink)) fail('--sink must be none, encode, socket or gateway');
const ticks = intFlag(flags, 'ticks', 1, 10_000);
const baseTicks = intFlag(flags, 'base-ticks', 1, 10_000);
const warmupTicks = intFlag(flags, 'warmup-ticks', 0, 10_000);
const clients = intFlag(flags, 'clients', 1, 20_000);
const entities = intFlag(flags, 'entities', clients, 200_000);
if (spawnSync('valgrind', ['--version']).status !== 0) fail('valgrind is not on PATH (Debian: apt-get install valgrind)');

/** --sink gateway: the readers' start under valgrind took 65 s alone on a 2-core machine. */
const READERS_TIMEOUT_MS = 1_800_000;
const syncScript = fileURLToPath(new URL('./sync.mjs', import.meta.url));
const started = Date.now();
const [base, full] = await Promise.all([count(baseTicks), count(baseTicks + ticks)]);
const perClientTick = (full.instructions - base.instructions) / (ticks * clients);

console.log(`\n## bench:instructions (callgrind, --sink ${flags.sink})\n`);
console.log(machineInfo());
console.log(`\n${clients} clients, ${entities} entities, ${warmupTicks} warm-up ticks; runs of ${baseTicks} and ${baseTicks + ticks} measured ticks, in ${((Date.now() - started) / 1000).toFixed(0)} s.\n`);
console.log(table(['figure', '>value'], [
  [`instructions, run of ${baseTicks} ticks`, base.instructions.toLocaleString('en-US')],
  [`instructions, run of ${baseTicks + ticks} ticks`, full.instructions.toLocaleString('en-US')],
  ['**instructions per client-tick** (user space: zone step, output path, walkers, event-loop turn)', Math.round(perClientTick).toLocaleString('en-US')],
  [`the same run's timed figure under valgrind (not comparable to native)`, full.timed ?? 'n/a'],
]));

/** Runs sync.mjs under callgrind for `measuredTicks` and returns the instruction count. */
function count(measuredTicks) {
  const args = [
    '--tool=callgrind', '--callgrind-out-file=/dev/null',
    process.execPath, '--predictable', '--predictable-gc-schedule', syncScript,
    '--sink', flags.sink, '--ticks', String(measuredTicks), '--warmup-ticks', String(warmupTicks),
    '--clients', String(clients), '--entities', String(entities),
    // 1,000 readers connect to a gateway running ~50x slower than native.
    ...(flags.sink === 'gateway' ? ['--readers-timeout-ms', String(READERS_TIMEOUT_MS)] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      // callgrind prints "==PID== Collected : N" for the process it ran (the readers are not traced).
      const collected = [...err.matchAll(/==\d+== Collected : (\d+)/g)].at(-1);
      if (code !== 0 || collected === undefined) {
        reject(new Error(`sync.mjs --ticks ${measuredTicks} under valgrind exited with ${code}:\n${err.slice(-2000)}${out.slice(-1000)}`));
        return;
      }
      // The timed figure without sync.mjs's target verdict (meaningless under valgrind).
      const timed = /\| per client-tick[^|]*\|\s*([^|(]+?)\s*[(|]/.exec(out)?.[1];
      resolve({ instructions: Number(collected[1]), timed });
    });
  });
}

function fail(message) {
  console.error(message);
  process.exit(2);
}
