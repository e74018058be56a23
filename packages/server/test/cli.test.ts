import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CloseCode, MessageType } from '@mmo/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET, connectReady, httpGet, registry } from './helpers.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  children.length = 0;
});

function runCli(env: Record<string, string>, args: string[] = []) {
  return spawnSync(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 10_000 });
}

describe('mmo-gateway command', () => {
  it('fails at start with one clear line naming the bad setting', () => {
    const cases: Array<[Record<string, string>, string[], RegExp]> = [
      [{ MMO_JWT_SECRET: SECRET, MMO_PORT: 'eighty' }, [], /^mmo-gateway: invalid setting --port \/ MMO_PORT: /],
      [{ MMO_JWT_SECRET: 'short' }, [], /^mmo-gateway: invalid setting --jwt-secret \/ MMO_JWT_SECRET: must be at least 32/],
      [{}, [], /^mmo-gateway: invalid setting MMO_JWT_SECRET \/ MMO_JWT_JWKS_URL \/ MMO_JWT_PUBLIC_KEY: set exactly one/],
      [{ MMO_JWT_SECRET: SECRET }, ['--tick-rate', '0'], /^mmo-gateway: invalid setting --tick-rate \/ MMO_TICK_RATE: /],
      [{ MMO_JWT_SECRET: SECRET }, ['--bogus'], /^mmo-gateway: invalid setting arguments: /],
      [{ MMO_JWT_PUBLIC_KEY: '/no/such/key.pem' }, [], /^mmo-gateway: invalid setting --jwt-public-key \/ MMO_JWT_PUBLIC_KEY: not a PEM key/],
    ];
    for (const [env, args, pattern] of cases) {
      const result = runCli(env, args);
      expect(result.status, JSON.stringify(env)).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
    }
  });

  it('flags win over environment; it serves, and SIGTERM drains clients with 1001 and exits 0', async () => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--host', '127.0.0.1', '--log-level', 'silent'], {
      env: { PATH: process.env.PATH ?? '', MMO_JWT_SECRET: SECRET, MMO_PORT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    while (!/listening on ws:\/\/127\.0\.0\.1:(\d+)\/ws/.test(out)) {
      await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => { throw new Error(`exited: ${out}`); })]);
    }
    const port = /:(\d+)\/ws/.exec(out)![1];
    expect((await httpGet(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const { client } = await connectReady(`ws://127.0.0.1:${port}/ws`, 'term');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const disconnect = registry.unpack(MessageType.DISCONNECT, (await client.next(MessageType.DISCONNECT)).payload);
    expect(disconnect.reconnect).toBe(true);
    expect((await client.waitClosed()).code).toBe(CloseCode.GOING_AWAY);
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
