/**
 * The built `mmo-bots` command as a child process against a real gateway with state sync, in this
 * process on 127.0.0.1:0: the JSON report of a short run has sane figures; a token endpoint works;
 * SIGINT still prints the report; a refused swarm exits 1; a bad flag exits 2 with one line.
 */
import { createGateway, createStateSync, type Gateway, type StateSync } from '@mmo/server';
import { SignJWT } from 'jose';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwarmReport } from '../src/index.js';

const SECRET = 'bots-e2e-secret-that-is-long-enough-0123456';
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `whileRunning` gets the child (to signal it) once it has started. */
function runBots(args: string[], env: Record<string, string> = {}, whileRunning?: (kill: (signal: NodeJS.Signals) => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    whileRunning?.((signal) => child.kill(signal));
  });
}

function parseReport(run: Run): SwarmReport {
  const lines = run.stdout.trim().split('\n');
  expect(lines, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toHaveLength(1);
  return JSON.parse(lines[0]!) as SwarmReport;
}

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let gateway: Gateway;
let sync: StateSync;
let url: string;

beforeAll(async () => {
  gateway = createGateway({ port: 0, host: '127.0.0.1', auth: { jwtSecret: SECRET }, logger: pino({ level: 'silent' }), drainTimeoutMs: 1_000 });
  sync = createStateSync(gateway, { tickRate: 20 });
  const { port } = await gateway.listen();
  url = `ws://127.0.0.1:${port}/ws`;
});

afterAll(async () => {
  sync?.stop();
  await gateway?.close();
});

describe('mmo-bots against a real gateway', () => {
  it('runs 4 bots for 3 s and reports sane figures as JSON', async () => {
    const run = await runBots(['--url', url, '--bots', '4', '--seconds', '3', '--ramp-ms', '200', '--action-every-ms', '500', '--json'], { MMO_JWT_SECRET: SECRET });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(''); // --json: no progress line, nothing else
    const report = parseReport(run);
    expect(report).toMatchObject({ url, reason: 'finished', bots: 4, connected: 4, connectedAtEnd: 4, reconnects: 0, failedAttempts: 0, exitCode: 0 });
    expect(report.errors).toEqual({ count: 0, first: [] });
    expect(report.durationSeconds).toBeGreaterThanOrEqual(2.9);
    // Each bot walks at 20 Hz for most of 3 s; even a loaded CI machine gets a good share out.
    expect(report.inputsSent).toBeGreaterThan(4 * 20);
    expect(report.messages.in).toBeGreaterThan(report.bots * 20);
    expect(report.bytesPerClientPerSecond.in).toBeGreaterThan(0);
    expect(report.bytesPerClientPerSecond.out).toBeGreaterThan(0);
    expect(report.messagesPerClientPerSecond.out).toBeGreaterThan(5);
    // Every bot sees the three others: inputs are timed from send to sighting.
    expect(report.latencyMs.samples).toBeGreaterThan(50);
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.latencyMs.p50).toBeLessThan(1_000);
    expect(report.latencyMs.p95!).toBeGreaterThanOrEqual(report.latencyMs.p50!);
    expect(report.latencyMs.p99!).toBeGreaterThanOrEqual(report.latencyMs.p95!);
    expect(report.actions.acknowledged).toBeGreaterThan(0);
    expect(report.actionLatencyMs.samples).toBeGreaterThan(0);
    expect(report.actionLatencyMs.p50).toBeLessThan(1_000);
    // The server agrees with honest walkers: no rejections, at most a correction now and then.
    expect(report.serverCorrections).toBe(0);
    expect(report.corrections).toBeLessThanOrEqual(4);
    expect(report.rttMs).not.toBeNull();
    expect(report.botProcess.cpuPercent).toBeGreaterThan(0);
  });

  it('takes tokens from a token endpoint', async () => {
    const names: string[] = [];
    const tokens: Server = createServer((req, res) => {
      const name = new URL(req.url ?? '/', 'http://x').searchParams.get('name') ?? '';
      names.push(name);
      void new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(name)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(SECRET))
        .then((token) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token })));
    });
    await new Promise<void>((resolve) => tokens.listen(0, '127.0.0.1', resolve));
    try {
      const tokenUrl = `http://127.0.0.1:${(tokens.address() as AddressInfo).port}/dev/token`;
      const run = await runBots(['--url', url, '--token-url', tokenUrl, '--bots', '2', '--seconds', '1.5', '--name-prefix', 'walker-', '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(parseReport(run)).toMatchObject({ connected: 2, errors: { count: 0 } });
      expect(names.sort()).toEqual(['walker-0', 'walker-1']);
    } finally {
      await new Promise((resolve) => tokens.close(resolve));
    }
  });

  it('prints the report on SIGINT', async () => {
    const before = sync.zone.playerCount;
    const run = await runBots(['--url', url, '--bots', '2', '--seconds', '60', '--ramp-ms', '0', '--name-prefix', 'sigint-', '--json'], { MMO_JWT_SECRET: SECRET }, (kill) => {
      void until(() => sync.zone.playerCount >= before + 2, 10_000, 'two bots in the zone').then(() => setTimeout(() => kill('SIGINT'), 300));
    });
    expect(run.code, run.stderr).toBe(0);
    const report = parseReport(run);
    expect(report).toMatchObject({ reason: 'interrupted', connected: 2 });
    expect(report.durationSeconds).toBeLessThan(30);
  });

  it('exits 1 when the bots cannot connect, with the reason in the errors', async () => {
    const run = await runBots(['--url', url, '--bots', '2', '--seconds', '1.5', '--ramp-ms', '0', '--name-prefix', 'refused-', '--json'], {
      MMO_JWT_SECRET: 'a-different-secret-that-is-long-enough-9876',
    });
    expect(run.code).toBe(1);
    const report = parseReport(run);
    expect(report).toMatchObject({ connected: 0, exitCode: 1 });
    expect(report.failedAttempts).toBeGreaterThanOrEqual(2);
    expect(report.errors.count).toBeGreaterThanOrEqual(2);
    expect(report.errors.first[0]).toMatch(/^refused-\d: connect attempt failed.*HTTP 401/);
  });

  it('refuses a bad flag with one line and exit code 2', async () => {
    const run = await runBots(['--url', url, '--bots', 'zero'], { MMO_JWT_SECRET: SECRET });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('mmo-bots: invalid setting --bots: must be an integer from 1 to 5000, got "zero"\n');
    const unknown = await runBots(['--url', url, '--bot', '3'], { MMO_JWT_SECRET: SECRET });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });
});
