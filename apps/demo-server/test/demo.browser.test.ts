/**
 * The demo end to end, as a person would see it: the built demo server (a child process, port 0,
 * dev tokens on) serves the built web demo to real Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core, never playwright's own download). The page connects; W and D walk its player
 * (predicted, then acknowledged by the server); a second client, a small Node bot on
 * @mmo/client, walks and waves, and the page sees it move and wave; the page's friends list shows
 * the bot's status, and the page's status selector reaches the server; the network panel's "Force
 * disconnect" shows Reconnecting -> Connected with the session resumed. A screenshot goes to
 * test-artifacts/ (gitignored). Run `pnpm build` first (turbo's test task does).
 *
 * Set MMO_DEMO_README_SCREENSHOT=1 to also write the README's apps/web-demo/docs/demo.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachWorldState, createMmoClient, createWorldState, type MmoClient, type WorldState } from '@mmo/client';
import { MessageType, pb } from '@mmo/protocol';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const PAGE_INDEX = fileURLToPath(new URL('../../web-demo/dist/index.html', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const README_SCREENSHOT = fileURLToPath(new URL('../../web-demo/docs/demo.png', import.meta.url));
/** The apt package's binary; override with MMO_CHROMIUM_PATH. */
const CHROMIUM_PATH = process.env.MMO_CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The same flags as packages/client/test/browser.test.ts: no background traffic off this machine. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/** Bound on every wait: no sleeps, only deadlines. */
const STEP_TIMEOUT_MS = 15_000;
/** How far a walk must get before the test believes it, metres. */
const WALK_M = 1.5;
/** The bot's walking speed, m/s (under the server's 7 m/s limit). */
const BOT_SPEED_MPS = 4;

/** Mirrors the web demo's DemoSnapshot (what `window.__mmoDemo` returns). */
interface DemoSnapshot {
  state: string;
  stateHistory: string[];
  overlayState: string;
  sessionId: string | undefined;
  resumed: boolean | undefined;
  reconnects: number;
  self: { entityId: number; x: number; z: number; serverX: number; serverZ: number } | undefined;
  others: Record<number, { kind: string; name: string; x: number; z: number }>;
  actionsSeen: string[];
  friends: Record<string, string>;
  status: string | undefined;
}

function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const message = `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (.ci/run does this) or set MMO_CHROMIUM_PATH`;
  if (process.env.CI) throw new Error(`${message}. The demo's browser test may not be skipped in CI.`);
  return message;
}

/** Starts the built demo server and resolves with its page URL once it prints `demo: open URL`. */
async function startDemoServer(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const env = { ...process.env };
  delete env['MMO_JWT_SECRET'];
  delete env['MMO_PORT'];
  const child = spawn(process.execPath, [CLI, '--port', '0', '--host', '127.0.0.1', '--dev-tokens', '--seed', '8', '--log-level', 'warn'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo server did not print its URL within ${STEP_TIMEOUT_MS} ms:\n${out}`)), STEP_TIMEOUT_MS);
    child.stdout!.on('data', () => {
      const match = /^demo: open (http:\/\/\S+)$/m.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo server exited with ${code} before listening:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

/** A second player: a Node client that fetches a dev token, joins, and walks or waves on demand. */
async function startBot(pageUrl: string, name: string): Promise<{ client: MmoClient; world: WorldState; walk: (dx: number) => () => void }> {
  const client = createMmoClient({
    url: `${pageUrl.replace(/^http/, 'ws')}ws`,
    WebSocket,
    getToken: async () => ((await (await fetch(`${pageUrl}dev/token?name=${name}`)).json()) as { token: string }).token,
  });
  const world = createWorldState({ tickRate: 20 });
  attachWorldState(client, world);
  await client.connect();
  await until(() => world.self !== undefined, 'the bot to see itself');
  /** Walks along x at BOT_SPEED_MPS (sending what the server validates); returns the stop function. */
  const walk = (dx: number) => {
    const p = { ...world.self!.motion.position };
    let last = Date.now();
    let inputTick = world.lastProcessedInput;
    const timer = setInterval(() => {
      const now = Date.now();
      p.x += (dx * BOT_SPEED_MPS * (now - last)) / 1000;
      last = now;
      void client
        .send(MessageType.PLAYER_MOVE, { inputTick: ++inputTick, timestamp: now, position: p, velocity: { x: dx * BOT_SPEED_MPS, y: 0, z: 0 } }, { reliable: false })
        .catch(() => {});
    }, 50);
    return () => clearInterval(timer);
  };
  return { client, world, walk };
}

/** Polls a Node-side condition every 10 ms until it holds (real sockets, real time). */
async function until(predicate: () => boolean, what: string, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const snapshot = (page: Page) => page.evaluate(() => (globalThis as unknown as { __mmoDemo: DemoSnapshot }).__mmoDemo);

/** Waits (in the page, every animation frame) until `predicate(__mmoDemo, arg)` holds. */
async function waitForDemo<A>(page: Page, predicate: (demo: DemoSnapshot, arg: A) => boolean, arg: A, what: string): Promise<DemoSnapshot> {
  const source = `(${predicate.toString()})`;
  try {
    await page.waitForFunction(
      ({ source, arg }) => (0, eval)(source)((globalThis as unknown as { __mmoDemo?: DemoSnapshot }).__mmoDemo ?? {}, arg) === true,
      { source, arg },
      { timeout: STEP_TIMEOUT_MS },
    );
  } catch (error) {
    throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(await snapshot(page).catch(() => undefined))}`, { cause: error });
  }
  return snapshot(page);
}

describe('the web demo in Chromium against the demo server', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
  let browser: Browser | undefined;
  let bot: Awaited<ReturnType<typeof startBot>> | undefined;

  beforeAll(() => {
    for (const file of [CLI, PAGE_INDEX]) {
      if (!existsSync(file)) throw new Error(`${file} is missing: run \`pnpm build\` at the repository root first`);
    }
  });

  afterAll(async () => {
    bot?.client.disconnect();
    await browser?.close();
    if (server !== undefined && server.child.exitCode === null) {
      const exited = new Promise((resolve) => server!.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
  });

  it('walks with WASD, sees a bot walk, wave and go away in its friends list, and resumes after a forced disconnect', async (ctx) => {
    const missing = chromiumMissing();
    if (missing !== undefined) {
      console.warn(`[demo.browser.test] skipped: ${missing}`);
      ctx.skip();
      return;
    }
    server = await startDemoServer();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: STEP_TIMEOUT_MS });
    const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    // Loopback only: anything else the page asks for is refused and fails the test.
    const foreign: string[] = [];
    await page.route('**/*', (route) => {
      const target = new URL(route.request().url());
      if (target.hostname === '127.0.0.1') return route.continue();
      foreign.push(target.href);
      return route.abort();
    });

    // 1. The page connects as "tester".
    await page.goto(`${server.url}?name=tester`, { timeout: STEP_TIMEOUT_MS });
    const start = await waitForDemo(page, (d) => d.state === 'connected' && d.self !== undefined, undefined, 'the page to connect and see itself');
    expect(start.overlayState).toBe('Connected');
    expect(start.resumed).toBe(false);
    // The wandering NPCs are there from the first snapshot.
    expect(Object.values(start.others).filter((o) => o.kind === 'npc').length).toBeGreaterThanOrEqual(6);

    // 2. D walks east (+x), W walks north (-z); the server acknowledges where prediction went.
    const x0 = start.self!.x;
    await page.keyboard.down('d');
    await waitForDemo(page, (d, x) => (d.self?.x ?? -Infinity) > x, x0 + WALK_M, 'D to walk the player east');
    await page.keyboard.up('d');
    const z0 = (await snapshot(page)).self!.z;
    await page.keyboard.down('w');
    await waitForDemo(page, (d, z) => (d.self?.z ?? Infinity) < z, z0 - WALK_M, 'W to walk the player north');
    await page.keyboard.up('w');
    const settled = await waitForDemo(
      page,
      (d) => d.self !== undefined && Math.hypot(d.self.x - d.self.serverX, d.self.z - d.self.serverZ) < 0.05,
      undefined,
      'the server to agree with the predicted position',
    );
    expect(settled.self!.x).toBeGreaterThan(x0 + WALK_M - 0.1);

    // 3. A second player (a Node bot) joins, walks toward the middle and waves: the page sees both.
    bot = await startBot(server.url, 'bot-1');
    const botId = bot.world.selfEntityId!;
    const seen = await waitForDemo(page, (d, id) => d.others[id] !== undefined, botId, 'the bot to come into view');
    const botX0 = seen.others[botId]!.x;
    const stopWalking = bot.walk(botX0 < 0 ? 1 : -1);
    try {
      await waitForDemo(page, (d, { id, x }) => Math.abs((d.others[id]?.x ?? x) - x) > 1.5, { id: botId, x: botX0 }, 'the bot to walk on the page');
    } finally {
      stopWalking();
    }
    await bot.client.send(MessageType.PLAYER_ACTION, { actionType: 'wave' }, { reliable: true });
    await waitForDemo(page, (d) => d.actionsSeen.includes('bot-1 wave'), undefined, "the bot's wave to reach the page");
    await page.keyboard.press('Space'); // the page waves back (its own bubble)
    // Presence: the bot joined after the page, so they are friends; its status shows on the page,
    // and the page's selector sends PLAYER_STATUS_CHANGE (the server's PRESENCE_UPDATE confirms it).
    await bot.client.send(MessageType.PLAYER_STATUS_CHANGE, { status: pb.PlayerStatus.PLAYER_STATUS_AWAY }, { reliable: true });
    await waitForDemo(page, (d) => d.friends['bot-1'] === 'away', undefined, "the bot's status on the page");
    await page.waitForSelector('#friends-list li[data-user-id="bot-1"] [data-status="away"]', { timeout: STEP_TIMEOUT_MS });
    await page.selectOption('#presence-status', 'busy');
    await waitForDemo(page, (d) => d.status === 'busy', undefined, "the page's own status to come back from the server");
    if (process.env.MMO_DEMO_README_SCREENSHOT === '1') {
      mkdirSync(dirname(README_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: README_SCREENSHOT });
    }

    // 4. Force disconnect: the overlay shows Reconnecting, then Connected, on the same session.
    await page.evaluate(() => {
      const cell = document.getElementById('overlay-state')!;
      const seenStates: string[] = [];
      (globalThis as unknown as { __overlaySeen: string[] }).__overlaySeen = seenStates;
      new MutationObserver(() => seenStates.push(cell.textContent ?? '')).observe(cell, { childList: true, characterData: true, subtree: true });
    });
    const before = await snapshot(page);
    await page.click('#force-disconnect');
    const after = await waitForDemo(page, (d) => d.reconnects >= 1 && d.state === 'connected', undefined, 'the page to reconnect');
    const overlaySeen = await page.evaluate(() => (globalThis as unknown as { __overlaySeen: string[] }).__overlaySeen);
    const reconnectingAt = overlaySeen.indexOf('Reconnecting');
    expect(reconnectingAt).toBeGreaterThanOrEqual(0);
    expect(overlaySeen.slice(reconnectingAt + 1)).toContain('Connected');
    expect(after.overlayState).toBe('Connected');
    expect(after.stateHistory.slice(-2)).toEqual(['reconnecting', 'connected']);
    expect(after.resumed).toBe(true);
    expect(after.sessionId).toBe(before.sessionId);
    // The resumed view is whole again: itself and the bot, at the same entity ids, and the friends
    // list the resume's FRIEND_LIST brought.
    const back = await waitForDemo(page, (d, id) => d.self !== undefined && d.others[id] !== undefined && d.friends['bot-1'] === 'away', botId, 'the resumed view');
    expect(back.self!.entityId).toBe(before.self!.entityId);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}demo.png` });
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
