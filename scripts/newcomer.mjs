#!/usr/bin/env node
// The newcomer's commands, needing only Node and npm on the machine:
//   npm run demo         install from the lockfile, build, start the demo server (dev tokens on) and
//                        print the URL to open; extra flags go to the server (npm run demo -- --port 9000)
//   npm run setup:test   install from the lockfile, build, check generated code, lint, run every test
// pnpm is taken at the exact version pinned in package.json ("packageManager") through npx when the
// machine has no matching pnpm; everything after that runs through it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager; // pnpm@x.y.z
const version = pinned.split('@')[1];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' };

function localPnpmMatches() {
  try {
    return execFileSync('pnpm', ['--version'], { encoding: 'utf8', env }).trim() === version;
  } catch {
    return false;
  }
}
const pnpm = localPnpmMatches() ? ['pnpm'] : ['npx', '--yes', pinned];

function run(args, label) {
  console.log(`\n> ${label}`);
  const [cmd, ...rest] = [...pnpm, ...args];
  const result = spawnSync(cmd, rest, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`\n${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

const task = process.argv[2] ?? 'test';
if (task === 'test') {
  run(['install', '--frozen-lockfile'], 'install from the lockfile');
  run(['run', 'verify'], 'generated code, build, lint, tests, conformance vectors');
} else if (task === 'demo') {
  run(['install', '--frozen-lockfile'], 'install from the lockfile');
  run(['run', 'build'], 'build (packages, web demo, demo server)');
  console.log('\n> start the demo server (dev tokens on: for this machine only; Ctrl-C stops it)');
  // The server prints "demo: open http://127.0.0.1:PORT/" once it listens.
  const server = spawn(process.execPath, [join(root, 'apps/demo-server/dist/cli.js'), '--dev-tokens', ...process.argv.slice(3)], { cwd: root, stdio: 'inherit', env });
  // Ctrl-C reaches the server from the terminal too; it drains once however often it is asked.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill('SIGTERM'));
  server.on('exit', (code) => process.exit(code ?? 1));
} else {
  console.error(`unknown task ${task}; use: demo, test`);
  process.exit(2);
}
