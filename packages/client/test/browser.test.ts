/**
 * The built browser bundle (dist/browser/mmo-client.js, @mmo/protocol and protobufjs inside) in real
 * Chromium (apt `chromium`, driven by playwright-core) and, the very same file, in Node with `ws`:
 * each connects to a real gateway on 127.0.0.1 with its token in `?token=`, sends a reliable custom
 * message, awaits its ACK and the handler's reply. Run `pnpm --filter @mmo/client build` first.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '@mmo/server';
import { gameRegistry, signToken, startGateway } from './gateway-helpers.js';

const execFileAsync = promisify(execFile);
const BUNDLE_PATH = fileURLToPath(new URL('../dist/browser/mmo-client.js', import.meta.url));
/** The apt package's binary; never playwright's own download. Override with MMO_CHROMIUM_PATH. */
const CHROMIUM_PATH = process.env.MMO_CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** Bound on every wait (launch, page load, connect, ACK, reply): no sleeps, only deadlines. */
const STEP_TIMEOUT_MS = 15_000;

/** What one exchange reports, from the page or from Node. */
interface ExchangeReport {
  sessionId: string;
  resumed: boolean;
  acked: boolean;
  reply: number;
  runtime: string;
}

// The exchange both runtimes run, as one ES module with no imports: the page imports it from the
// static server, the Node child from a data: URL. It gets the bundle's exports as `mmo`.
const EXCHANGE_MODULE = `
function within(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export async function exchange(mmo, { url, token, n, timeoutMs, WebSocket }) {
  // No WebSocket given in the page: the client falls back to globalThis.WebSocket.
  const client = mmo.createMmoClient({ url, token, WebSocket }); // token travels as ?token=
  const Act = client.registry.register({ type: 1000, name: 'Act', schema: mmo.jsonSchema() });
  const Echo = client.registry.register({ type: 1001, name: 'Echo', schema: mmo.jsonSchema() });
  const reply = new Promise((resolve) => client.onMessage(Echo, (echo) => resolve(echo.n)));
  try {
    const connected = await within(client.connect(), timeoutMs, 'connected');
    await within(client.send(Act, { n }, { requiresAck: true }), timeoutMs, 'the ACK');
    const echoed = await within(reply, timeoutMs, 'the reply');
    const runtime = globalThis.process?.versions?.node ? 'node ' + process.version : navigator.userAgent;
    return { sessionId: connected.sessionId, resumed: connected.resumed, acked: true, reply: echoed, runtime };
  } finally {
    client.disconnect();
  }
}
`;

// The page imports the bundle and the exchange as module scripts; the test calls
// window.mmoExchange with the gateway URL and token (page.evaluate), so the HTML is fixed.
const PAGE_HTML = `<!doctype html>
<meta charset="utf-8">
<title>@mmo/client browser bundle</title>
<script type="module">
import * as mmo from '/mmo-client.js';
import { exchange } from '/exchange.js';
window.mmoExchange = (args) => exchange(mmo, args);
window.mmoReady = true;
</script>
`;

// The Node side: a plain `node` process (Node's own ESM loader, not vitest's transform) imports
// the bundle file, `ws` and the exchange, and prints its report as JSON.
const NODE_MAIN = `
const { bundleUrl, wsUrl, exchangeUrl, args } = JSON.parse(process.env.MMO_BROWSER_TEST);
const mmo = await import(bundleUrl);
const { default: WebSocket } = await import(wsUrl);
const { exchange } = await import(exchangeUrl);
const report = await exchange(mmo, { ...args, WebSocket });
process.stdout.write(JSON.stringify(report), () => process.exit(0));
`;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Serves the page and the bundle (read from disk per request) on 127.0.0.1:0; records what it sent. */
async function startStaticServer(): Promise<{ server: Server; origin: string; served: Map<string, string> }> {
  const served = new Map<string, string>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (status: number, type: string, body: string | Uint8Array) => {
      served.set(path, sha256(typeof body === 'string' ? new TextEncoder().encode(body) : body));
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (path === '/') send(200, 'text/html; charset=utf-8', PAGE_HTML);
    else if (path === '/exchange.js') send(200, 'text/javascript; charset=utf-8', EXCHANGE_MODULE);
    else if (path === '/mmo-client.js') {
      readFile(BUNDLE_PATH).then(
        (bytes) => send(200, 'text/javascript; charset=utf-8', bytes),
        (error: unknown) => send(500, 'text/plain', String(error)),
      );
    } else send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, served };
}

/** CI must never pass without the browser; a local run without it skips with a notice. */
function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const message =
    `Chromium not found at ${CHROMIUM_PATH}: install it with ` +
    '`apt-get install -y chromium` (.ci/run does this) or set MMO_CHROMIUM_PATH';
  if (process.env.CI) throw new Error(`${message}. The browser test may not be skipped in CI.`);
  return message;
}

/** Runs NODE_MAIN in a child `node` against the gateway and returns its report. */
async function runInNode(args: { url: string; token: string; n: number; timeoutMs: number }): Promise<ExchangeReport> {
  const env = {
    ...process.env,
    MMO_BROWSER_TEST: JSON.stringify({
      bundleUrl: pathToFileURL(BUNDLE_PATH).href,
      wsUrl: pathToFileURL(createRequire(import.meta.url).resolve('ws')).href,
      exchangeUrl: `data:text/javascript,${encodeURIComponent(EXCHANGE_MODULE)}`,
      args,
    }),
  };
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '--eval', NODE_MAIN], {
    env,
    timeout: args.timeoutMs * 2,
  });
  return JSON.parse(stdout) as ExchangeReport;
}

describe('the built browser bundle, in Chromium and in Node', () => {
  let gateway: Gateway;
  let url: string;
  let web: Awaited<ReturnType<typeof startStaticServer>>;
  const seen: Array<{ n: number; userId: string; sessionId: string }> = [];

  beforeAll(async () => {
    if (!existsSync(BUNDLE_PATH)) {
      throw new Error(`${BUNDLE_PATH} is missing: run \`pnpm --filter @mmo/client build\` first`);
    }
    web = await startStaticServer();
    const { registry, Act, Echo } = gameRegistry();
    // Only the test page's origin may open a browser WebSocket (Node's ws sends no Origin).
    ({ gateway, url } = await startGateway({ registry, allowedOrigins: [web.origin] }));
    gateway.router.on(Act, (ctx) => {
      seen.push({ n: ctx.payload.n, userId: ctx.connection.userId, sessionId: ctx.connection.sessionId });
      ctx.reply(Echo.type, { n: ctx.payload.n * 10 });
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => web?.server.close(resolve));
  });

  it('runs in real Chromium: connects with ?token=, gets the ACK and the reply', async (ctx) => {
    const missing = chromiumMissing();
    if (missing !== undefined) {
      console.warn(`[browser.test] skipped: ${missing}`);
      ctx.skip();
      return;
    }
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: STEP_TIMEOUT_MS });
    try {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      // Loopback only: any other request the page makes is refused and fails the test.
      const foreign: string[] = [];
      await page.route('**/*', (route) => {
        const target = new URL(route.request().url());
        if (target.hostname === '127.0.0.1') return route.continue();
        foreign.push(target.href);
        return route.abort();
      });

      await page.goto(`${web.origin}/`, { timeout: STEP_TIMEOUT_MS });
      await page.waitForFunction(() => (globalThis as { mmoReady?: boolean }).mmoReady === true, undefined, { timeout: STEP_TIMEOUT_MS });
      const token = await signToken('browser-player');
      const report = await page.evaluate(
        (args) => (globalThis as unknown as { mmoExchange(a: typeof args): Promise<ExchangeReport> }).mmoExchange(args),
        { url, token, n: 7, timeoutMs: STEP_TIMEOUT_MS },
      );

      expect(pageErrors).toEqual([]);
      expect(foreign).toEqual([]);
      expect(report).toMatchObject({ resumed: false, acked: true, reply: 70 });
      expect(report.runtime).toMatch(/Chrome\//);
      // The gateway handled it for the token's subject, on the page's session.
      expect(seen).toContainEqual({ n: 7, userId: 'browser-player', sessionId: report.sessionId });
      // The page loaded the bundle file from disk, byte for byte.
      expect(web.served.get('/mmo-client.js')).toBe(sha256(await readFile(BUNDLE_PATH)));
    } finally {
      await browser.close();
    }
  });

  it('runs the very same file in Node with ws as the WebSocket constructor', async () => {
    const report = await runInNode({ url, token: await signToken('node-player'), n: 8, timeoutMs: STEP_TIMEOUT_MS });
    expect(report).toMatchObject({ resumed: false, acked: true, reply: 80, runtime: `node ${process.version}` });
    expect(seen).toContainEqual({ n: 8, userId: 'node-player', sessionId: report.sessionId });
  });
});
