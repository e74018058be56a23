import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SECRET } from './helpers.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** A `mmo-gateway` child process on 127.0.0.1 with a free port. */
export interface GatewayProcess {
  child: ChildProcess;
  port: number;
  url: string;
  http: string;
}

/** Starts `mmo-gateway` (the built CLI) and resolves once it prints its address. */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [cli, '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn'], {
    env: { PATH: process.env['PATH'] ?? '', MMO_JWT_SECRET: SECRET, MMO_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 10_000;
  while (!/listening on ws:\/\/127\.0\.0\.1:(\d+)\/ws/.test(out)) {
    if (child.exitCode !== null) throw new Error(`gateway exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`gateway did not start: ${out}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const port = Number(/:(\d+)\/ws/.exec(out)![1]);
  return { child, port, url: `ws://127.0.0.1:${port}/ws`, http: `http://127.0.0.1:${port}` };
}

/** SIGKILLs a gateway process and waits for it to be gone. */
export async function killGateway(gateway: GatewayProcess): Promise<void> {
  if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) return;
  const exited = once(gateway.child, 'exit');
  gateway.child.kill('SIGKILL');
  await exited;
}
