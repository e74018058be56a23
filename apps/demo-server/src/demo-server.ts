import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { attachCluster, createGateway, type ClusterNode, type Gateway, type PresenceService, type StateSync } from '@mmo/server';
import { pino, type Logger } from 'pino';
import { createActionValidator, DEMO_EMOTES, DemoAction } from './actions.js';
import { createDevTokenRoute, DEV_TOKEN_PATH } from './dev-tokens.js';
import { createWanderers, type Wanderers } from './npcs.js';
import { createDemoFriends, type DemoFriends } from './presence.js';
import { createStaticRoute } from './static-files.js';
import { randomPointIn, resolveDemoWorld, seededRandom, type DemoWorld, type DemoWorldOptions } from './world.js';

/** Path of the page's settings (world figures, whether dev tokens are on). */
export const DEMO_CONFIG_PATH = '/demo/config.json';
/** WebSocket path of the gateway. */
export const DEMO_WS_PATH = '/ws';

/** Options of {@link createDemoServer}. */
export interface DemoServerOptions {
  /** TCP port; 0 picks a free one. @default 8080 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /**
   * HS256 secret of player tokens, at least 32 characters. Required unless `devTokens` is on,
   * in which case a random one is made (and a warning logged).
   */
  jwtSecret?: string | undefined;
  /**
   * Serve `GET /dev/token?name=...`, which signs a token for any name asked. Local demos only.
   * @default false
   */
  devTokens?: boolean;
  /** Lifetime of a dev token, seconds. @default 300 */
  devTokenTtlS?: number;
  /**
   * Folder of the built web demo to serve on `/`.
   * @default the `dist/` folder of the `@mmo/web-demo` package
   */
  staticDir?: string;
  /** The world: area, speeds, NPCs. @default demoWorldDefaults */
  world?: DemoWorldOptions;
  /** Seed of the NPCs' wandering. @default random */
  seed?: number;
  /**
   * How long a session whose socket closed can still be resumed, in ms; the player shows offline
   * to friends only when it ends (tests shorten it).
   * @default sessionDefaults.graceMs (60000)
   */
  sessionGraceMs?: number;
  /** Logger. @default pino at `info`, named `mmo-demo` */
  logger?: Logger;
}

/** A running (or ready to run) demo. */
export interface DemoServer {
  readonly gateway: Gateway;
  readonly sync: StateSync;
  readonly world: DemoWorld;
  readonly npcs: Wanderers;
  /** `@mmo/server`'s presence service: FRIEND_LIST, FRIEND_STATUS, PRESENCE_UPDATE, PLAYER_STATUS_CHANGE. */
  readonly presence: PresenceService;
  /** Who sees whom: every player who joined, friends with everyone who joined before. */
  readonly friends: DemoFriends;
  /** Whether `/dev/token` answers. */
  readonly devTokens: boolean;
  /** Folder served on `/` (it may not exist: then `/` explains how to build it). */
  readonly staticDir: string;
  /** Starts listening; resolves with the address and the page URL to open. */
  listen(): Promise<{ host: string; port: number; url: string }>;
  /** Drains the gateway (clients are told to reconnect elsewhere), closes it, then presence. */
  close(): Promise<void>;
}

/** Shortest HS256 secret the gateway takes. */
const MIN_SECRET_CHARS = 32;
/** The demo's one zone. */
const DEMO_ZONE_ID = 'meadow';
/** Quick drains: the demo holds no state worth waiting for. */
const DEMO_DRAIN_TIMEOUT_MS = 2_000;

/** The web demo's build output, found through the package (works from any install layout). */
export function defaultStaticDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('@mmo/web-demo/package.json')), 'dist');
  } catch {
    return join(dirname(new URL(import.meta.url).pathname), '..', '..', 'web-demo', 'dist');
  }
}

/** A URL a person can open: wildcard hosts become the loopback address. */
export function pageUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}/`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

const NOT_BUILT_PAGE = (dir: string) => `<!doctype html><meta charset="utf-8"><title>@mmo demo: not built</title>
<p>The web demo is not built (no <code>${dir.replace(/[<&>]/g, '')}/index.html</code>). Run <code>pnpm build</code> at the repository root, then reload.</p>`;

/**
 * Creates the demo: a gateway with state sync (one zone, a walkable area, wandering NPCs, a
 * wave/emote action), the dev token endpoint when asked for, the page's config, and the built
 * web demo on `/`.
 * @example
 * const demo = createDemoServer({ port: 0, devTokens: true });
 * const { url } = await demo.listen();
 * console.log(`demo: open ${url}`);
 */
export function createDemoServer(options: DemoServerOptions = {}): DemoServer {
  const logger = options.logger ?? pino({ level: 'info', name: 'mmo-demo' });
  const world = resolveDemoWorld(options.world);
  const devTokens = options.devTokens ?? false;
  const host = options.host ?? '127.0.0.1';
  let jwtSecret = options.jwtSecret;
  if (jwtSecret === undefined || jwtSecret === '') {
    if (!devTokens) throw new RangeError('jwtSecret is required (at least 32 characters) unless dev tokens are on');
    jwtSecret = randomBytes(48).toString('base64url');
    logger.warn('no JWT secret given: using a random one for this process (tokens die with it)');
  }
  if (jwtSecret.length < MIN_SECRET_CHARS) throw new RangeError(`jwtSecret must be at least ${MIN_SECRET_CHARS} characters`);
  if (devTokens) {
    logger.warn(
      { path: DEV_TOKEN_PATH, host },
      'DEV TOKENS ARE ON: anyone who can reach this port can get a token for any name. Never run this in production.',
    );
    if (!isLoopback(host)) logger.warn({ host }, 'dev tokens on a non-loopback interface: other machines can mint tokens too');
  }

  const random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  const staticDir = options.staticDir ?? defaultStaticDir();
  const devTokenRoute = devTokens ? createDevTokenRoute({ jwtSecret, ...(options.devTokenTtlS === undefined ? {} : { ttlS: options.devTokenTtlS }) }) : undefined;
  const staticRoute = createStaticRoute(staticDir);
  // attachCluster wants the gateway's node id; the gateway does not expose its default one.
  const nodeId = `demo-${randomUUID()}`;
  const pageConfig = JSON.stringify({
    wsPath: DEMO_WS_PATH,
    devTokens,
    area: world.area,
    walkSpeedMps: world.walkSpeedMps,
    tickRate: world.tickRate,
    actions: Object.values(DemoAction),
    emotes: DEMO_EMOTES,
    presence: true,
  });

  const httpHandler = async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const url = new URL(request.url ?? '/', 'http://demo.invalid');
    if (devTokenRoute !== undefined && (await devTokenRoute(request, response, url))) return true;
    if (url.pathname === DEMO_CONFIG_PATH && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(pageConfig);
      return true;
    }
    if (await staticRoute(request, response, url)) return true;
    if (url.pathname === '/' && !existsSync(join(staticDir, 'index.html'))) {
      response.writeHead(503, { 'content-type': 'text/html; charset=utf-8' }).end(NOT_BUILT_PAGE(staticDir));
      return true;
    }
    return false;
  };

  const gateway = createGateway({
    port: options.port ?? 8080,
    host,
    path: DEMO_WS_PATH,
    auth: { jwtSecret },
    logger,
    drainTimeoutMs: DEMO_DRAIN_TIMEOUT_MS,
    httpHandler,
    nodeId,
    ...(options.sessionGraceMs === undefined ? {} : { session: { graceMs: options.sessionGraceMs } }),
  });

  // Befriend before presence lists friends: this listener is added before attachCluster's, and
  // the gateway's emitter calls listeners in the order they were added.
  const friends = createDemoFriends();
  gateway.events.on('connection', (info) => friends.join(info.userId));

  let npcs: Wanderers | undefined;
  const area = world.area;
  // Embedded attachCluster (no Redis): the single-node state sync plus presence in memory, wired
  // to the gateway's connection / sessionEnded events and PLAYER_STATUS_CHANGE on the router.
  const node: ClusterNode = attachCluster(gateway, {
    nodeId,
    friends,
    zones: [DEMO_ZONE_ID],
    tickRate: world.tickRate,
    zone: {
      // y stays on the ground; the zone rejects (and corrects) anything outside the rectangle.
      bounds: { min: { x: area.minX, y: -1, z: area.minZ }, max: { x: area.maxX, y: 1, z: area.maxZ } },
      interest: { enterRadius: world.viewRadius },
    },
    hooks: {
      spawnPosition: () => randomPointIn(area, random, 4),
      validateAction: createActionValidator(),
      onTick: (_tick, dtMs) => npcs?.step(dtMs),
      onViolation: ({ entity, reason, recentCount }) => {
        if (recentCount === 10) logger.warn({ user: entity.data.get('userId'), reason }, 'many rejected movement inputs');
      },
    },
  });
  const sync = node.stateSync;
  if (sync === undefined) throw new Error('an embedded cluster node has a state sync');
  npcs = createWanderers(sync.zone, { count: world.npcCount, area, random });

  return {
    gateway,
    sync,
    world,
    npcs,
    presence: node.presence,
    friends,
    devTokens,
    staticDir,
    async listen() {
      const address = await gateway.listen();
      return { ...address, url: pageUrl(address.host, address.port) };
    },
    async close() {
      await gateway.close();
      // Stops the tick and takes this node's players offline (timers and all).
      await node.close();
    },
  };
}
