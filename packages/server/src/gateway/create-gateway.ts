import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, CloseCode, createMessageRegistry, type MessageRegistry, Priority, systemClock } from '@mmo/protocol';
import { type Logger, pino } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { type AdminCluster, createAdminRoutes } from '../admin/admin-routes.js';
import { ConfigError, isConfigError } from '../config/config-error.js';
import { definedOnly } from '../config/defined-only.js';
import { validateGatewayOptions } from '../config/gateway-options-schema.js';
import { MessageRateLimiter } from '../router/rate-limit/index.js';
import { Connection } from '../connection/connection.js';
import { ConnectionManager, type DuplicateLoginPolicy } from '../connection/connection-manager.js';
import { type ConnectionOptions, connectionDefaults, type ResolvedConnectionOptions } from '../connection/connection-options.js';
import { InboundProcessor } from '../connection/inbound-processor.js';
import { wrapWsSocket } from '../connection/ws-socket.js';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics/gateway-metrics.js';
import { createRouter, type MmoConnectionInfo, type Router, type SendOptions } from '../router/router.js';
import type { MmoSession } from '../session/mmo-session.js';
import { type OpenedSession, SessionManager } from '../session/session-manager.js';
import type { SessionOptions } from '../session/session-options.js';
import type { SessionStore } from '../session/store/session-store.js';
import { type AuthIdentity, type AuthOptions, createAuthenticator } from './auth/index.js';
import { type ConnectRateLimitOptions, createConnectLimiter } from './connect-limiter.js';
import { createHttpHandler } from './http-handler.js';
import { createUpgradeHandler, remoteAddressOf } from './upgrade-handler.js';

/** Options of {@link createGateway}. Plain-data fields are validated at construction. */
export interface GatewayOptions {
  /**
   * TCP port; 0 picks a free one (see `gateway.address()`).
   * @default 8080
   */
  port?: number;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * WebSocket endpoint path.
   * @default '/ws'
   */
  path?: string;
  /** How player tokens are checked (required). */
  auth: AuthOptions;
  /**
   * Browser origins allowed to connect; a request with another `Origin` header gets 403. Requests
   * without an Origin (native clients, bots) are allowed. Unset: every origin (set it in production
   * when tokens travel in cookies).
   */
  allowedOrigins?: string[];
  /** Bearer token of the admin API; the admin API is off (404) without it. At least 16 chars. */
  adminToken?: string;
  /**
   * Version string sent to clients in CONNECTION_ESTABLISHED.
   * @default the @mmo/server version
   */
  serverVersion?: string;
  /**
   * Region label of `mmorpg_players_online`.
   * @default 'local'
   */
  region?: string;
  /**
   * Feature flags announced in CONNECTION_ESTABLISHED.
   * @default ['batching', 'resume']
   */
  featureFlags?: string[];
  /**
   * Largest inbound WebSocket message, in bytes (ws `maxPayload`; bigger ones close with 1009).
   * @default 262144
   */
  maxMessageBytes?: number;
  /**
   * Time a client has to send complete request headers, in ms (slowloris guard).
   * @default 10000
   */
  headersTimeoutMs?: number;
  /**
   * Time a client has to send a complete HTTP request, in ms.
   * @default 15000
   */
  requestTimeoutMs?: number;
  /**
   * Time a drain waits for clients to leave before dropping them, in ms.
   * @default 10000
   */
  drainTimeoutMs?: number;
  /**
   * Delay suggested to drained clients before they reconnect, in ms.
   * @default 1000
   */
  drainRetryAfterMs?: number;
  /** @default 'replace' (see ConnectionManagerOptions) */
  duplicateLogin?: DuplicateLoginPolicy;
  /** @default 5 */
  maxConnectionsPerUser?: number;
  /**
   * Connections this node accepts at once; more are refused with 503.
   * @default 100000
   */
  maxConnections?: number;
  connectRateLimit?: ConnectRateLimitOptions;
  /** Per-connection timers and limits. */
  connection?: ConnectionOptions;
  /** Session continuity: grace period, outbox bounds, resume tokens. */
  session?: SessionOptions;
  /**
   * Where sessions are kept beyond this process (e.g. `new RedisSessionStore(redis)`), so clients
   * resume on any node. Default: this process only.
   */
  sessionStore?: SessionStore;
  /**
   * This node's id (logs, metrics, session ownership).
   * @default a random UUID
   */
  nodeId?: string;
  /** Clock for every timer of the gateway. @default systemClock */
  clock?: Clock;
  /** pino logger. @default pino at level `info` */
  logger?: Logger;
  /** Registry of message types (add custom types before clients connect). @default a new registry */
  registry?: MessageRegistry;
  /** Router of message handlers. @default a new router */
  router?: Router;
  /** Metrics; pass your own to share a registry. @default new metrics in their own registry */
  metrics?: GatewayMetrics;
  /** Extra HTTP routes of the game (return true when handled). */
  httpHandler?: (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;
}

/** Events of a gateway. */
export interface GatewayEvents {
  /** A client completed its handshake and has a session. */
  connection: [info: MmoConnectionInfo];
  /** An established client's socket closed. */
  disconnect: [info: MmoConnectionInfo, code: number, reason: string];
  /** A drain started (readiness went false). */
  draining: [];
  /** A new session was created (by a handshake or `sessions.createSession`). */
  sessionCreated: [session: MmoSession];
  /** A session's socket closed; it waits for a resume unless the code ended it. */
  sessionDisconnected: [session: MmoSession, code: number, reason: string];
  /** A client resumed its session (same id; unacknowledged messages were replayed). */
  sessionResumed: [session: MmoSession];
  /** The first socket attached to a session created on the HTTP side. */
  sessionUpgraded: [session: MmoSession];
  /** A detached session's grace period ended; it is gone. */
  sessionExpired: [session: MmoSession];
  /** A session is gone for good (after expiry, or at once when kicked, replaced or lost). */
  sessionEnded: [session: MmoSession];
}

/** A running (or ready to run) gateway. */
export interface Gateway {
  readonly router: Router;
  readonly registry: MessageRegistry;
  readonly metrics: GatewayMetrics;
  readonly connections: ConnectionManager;
  /** Every session of this node (attached or waiting for a resume). */
  readonly sessions: SessionManager;
  readonly server: Server;
  readonly logger: Logger;
  readonly events: EventEmitter<GatewayEvents>;
  /** Starts listening; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }>;
  /** The bound address (after listen). */
  address(): { host: string; port: number };
  /** True once listening and not draining. */
  isReady(): boolean;
  /**
   * Sends to a session whether or not a socket carries it now: reliable messages to a detached
   * session wait in its outbox and are replayed on resume. Returns false if the session is gone.
   */
  sendToSession(sessionId: string, type: number, payload: unknown, options?: SendOptions): boolean;
  /** Sends to every open connection of a user; returns how many got it. */
  sendToUser(userId: string, type: number, payload: unknown, options?: SendOptions): number;
  /**
   * Stops accepting, tells every client DISCONNECT (reconnect, retry after `drainRetryAfterMs`)
   * and closes with 1001, waits up to `drainTimeoutMs`, then drops the rest and closes the server.
   */
  drain(): Promise<void>;
  /** Same as drain. */
  close(): Promise<void>;
  /**
   * Sets what TIME_SYNC answers carry as the server tick and tick rate (state sync calls it);
   * `source` gets the asking connection, so each client can be answered with its own zone's tick.
   */
  setTickInfo(source: (connection: MmoConnectionInfo) => { tick: number; tickRate: number }): void;
  /**
   * Adds a condition of `/readyz` and `isReady()` (e.g. "Redis reachable"): the gateway is ready
   * only while every check returns true. Returns a function that removes the check.
   */
  addReadinessCheck(check: () => boolean): () => void;
  /** Gives the admin API its cluster view and cluster-wide kick and drain (see `attachCluster`). */
  setAdminCluster(cluster: AdminCluster | undefined): void;
}

/** The version of this package, sent as `serverVersion` by default. */
export const SERVER_VERSION = '0.1.0';

/**
 * Creates the gateway: one `http.Server` with health, readiness, metrics, admin and the WebSocket
 * upgrade on `path`. Throws {@link ConfigError} for invalid options.
 * @example
 * const gateway = createGateway({ port: 0, auth: { jwtSecret: process.env.MMO_JWT_SECRET! } });
 * gateway.router.on(MessageType.PLAYER_ACTION, (ctx) => console.log(ctx.connection.userId, ctx.payload.actionType));
 * const { port } = await gateway.listen();
 */
export function createGateway(options: GatewayOptions): Gateway {
  validateGatewayOptions(options);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: 'info', name: 'mmo-gateway' });
  const registry = options.registry ?? createMessageRegistry();
  const router = options.router ?? createRouter();
  const metrics = options.metrics ?? createGatewayMetrics();
  const events = new EventEmitter<GatewayEvents>();
  const region = options.region ?? 'local';
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const drainRetryAfterMs = options.drainRetryAfterMs ?? 1_000;
  const connectionOptions: ResolvedConnectionOptions = { ...connectionDefaults, ...definedOnly(options.connection ?? {}) };
  const connections = new ConnectionManager({
    ...(options.duplicateLogin === undefined ? {} : { duplicateLogin: options.duplicateLogin }),
    ...(options.maxConnectionsPerUser === undefined ? {} : { maxConnectionsPerUser: options.maxConnectionsPerUser }),
  });
  const authenticator = asConfigError('auth', () => createAuthenticator(options.auth));
  // Build one limiter now so bad rate-limit settings fail here, not on every connection.
  asConfigError('connection.rateLimits', () => new MessageRateLimiter({ clock, options: connectionOptions.rateLimits ?? {} }));
  const limiter = createConnectLimiter(options.connectRateLimit ?? {});
  let listening = false;
  let draining = false;
  let drainPromise: Promise<void> | undefined;
  /** Resolved when the last connection closes (drain waits on it). */
  let emptyWaiters: Array<() => void> = [];

  const sessionManager = new SessionManager({
    clock,
    logger,
    registry,
    ...(options.session === undefined ? {} : { options: options.session }),
    ...(options.sessionStore === undefined ? {} : { store: options.sessionStore }),
    ...(options.nodeId === undefined ? {} : { nodeId: options.nodeId }),
    lifecycle: {
      created: (session) => events.emit('sessionCreated', session),
      resumed: (session) => events.emit('sessionResumed', session),
      upgraded: (session) => events.emit('sessionUpgraded', session),
      disconnected: (session, code, reason) => events.emit('sessionDisconnected', session, code, reason),
      expired: (session) => events.emit('sessionExpired', session),
      ended: (session) => events.emit('sessionEnded', session),
    },
  });
  const sessions = {
    open(connection: Connection, resumeToken: string, lastReceived: number): Promise<OpenedSession> {
      return sessionManager.open(connection.userId, resumeToken, lastReceived);
    },
    established(connection: Connection, opened: OpenedSession, lastReceived: number) {
      connections.established(connection);
      if (opened.resumed || opened.upgraded) {
        // Exactly what the client has not received, in order, before anything new (an upgraded
        // HTTP-side session may hold messages sent before its first socket).
        for (const entry of connection.session!.outbox.after(lastReceived)) {
          connection.enqueueFrame(entry.frame, Priority.HIGH, false);
        }
      }
      establishedCount++;
      metrics.playersOnline.set({ region, zone: 'none' }, establishedCount);
      events.emit('connection', connection.info());
    },
  };
  /** Connections that completed their handshake and are not closed yet (players online). */
  let establishedCount = 0;
  /** TIME_SYNC's tick source: 0/0 until state sync sets it. */
  let tickInfo = (_connection: MmoConnectionInfo): { tick: number; tickRate: number } => ({ tick: 0, tickRate: 0 });
  const readinessChecks = new Set<() => boolean>();
  const isReady = () => {
    if (!listening || draining) return false;
    for (const check of readinessChecks) if (!check()) return false;
    return true;
  };
  let adminCluster: AdminCluster | undefined;

  const inbound = new InboundProcessor({
    clock,
    logger,
    registry,
    router,
    metrics,
    sessions,
    serverVersion: options.serverVersion ?? SERVER_VERSION,
    featureFlags: options.featureFlags ?? ['batching', 'resume'],
    heartbeatIntervalMs: connectionOptions.heartbeatIntervalMs,
    handlerTimeoutMs: connectionOptions.handlerTimeoutMs,
    tickInfo: (connection) => tickInfo(connection.info()),
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? 256 * 1024,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (protocols) => (protocols.has('mmo.v1') ? 'mmo.v1' : false),
  });

  const onAccepted = (ws: WebSocket, request: IncomingMessage, identity: AuthIdentity, resumeToken: string | undefined) => {
    const connection = new Connection({
      id: randomUUID(),
      socket: wrapWsSocket(ws),
      identity,
      remoteAddress: remoteAddressOf(request),
      urlResumeToken: resumeToken,
      clock,
      logger,
      registry,
      metrics,
      options: connectionOptions,
      inbound,
      sessions: sessionManager,
      onClosed: (conn, code, reason) => {
        const wasEstablished = conn.session !== undefined;
        connections.remove(conn);
        // Detach only if this socket still carries the session (a resume elsewhere may have taken it).
        if (conn.session !== undefined && connections.bySessionId(conn.session.id) === undefined) {
          sessionManager.detach(conn.session, conn.disconnectCode ?? code, reason);
        }
        metrics.connectionsActive.dec();
        metrics.closes.inc({ code: String(code) });
        if (wasEstablished) establishedCount--;
        metrics.playersOnline.set({ region, zone: 'none' }, establishedCount);
        logger.debug({ conn: conn.id, user: conn.userId, code, reason }, 'connection closed');
        if (wasEstablished) events.emit('disconnect', conn.info(), code, reason);
        if (connections.size === 0 && emptyWaiters.length > 0) {
          const waiters = emptyWaiters;
          emptyWaiters = [];
          for (const w of waiters) w();
        }
      },
    });
    connections.add(connection);
    metrics.connectionsActive.inc();
    metrics.connectionsTotal.inc();
  };

  const server = createServer();
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 15_000;
  server.keepAliveTimeout = 5_000;
  const upgrade = createUpgradeHandler({
    path: options.path ?? '/ws',
    allowedOrigins: options.allowedOrigins,
    authenticator,
    limiter,
    connections,
    metrics,
    logger,
    wss,
    maxConnections: options.maxConnections ?? 100_000,
    isAccepting: () => listening && !draining,
    onAccepted,
  });
  server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
    upgrade(request, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'upgrade failed');
      socket.destroy();
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const drain = (): Promise<void> => {
    if (drainPromise !== undefined) return drainPromise;
    draining = true;
    events.emit('draining');
    logger.info({ connections: connections.size }, 'draining');
    drainPromise = (async () => {
      for (const c of connections.all()) {
        c.close({
          code: CloseCode.GOING_AWAY,
          reason: 'server draining',
          disconnect: { code: CloseCode.SERVER_DRAINING, reconnect: true, retryAfterMs: drainRetryAfterMs },
        });
      }
      await new Promise<void>((resolve) => {
        if (connections.size === 0) return resolve();
        const timer = clock.setTimeout(resolve, drainTimeoutMs);
        emptyWaiters.push(() => {
          clock.clearTimeout(timer);
          resolve();
        });
      });
      for (const c of connections.all()) c.deps.socket.terminate();
      await new Promise<void>((resolve) => {
        if (!listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      listening = false;
      wss.close();
      await sessionManager.close();
      logger.info('drained');
    })();
    return drainPromise;
  };

  server.on(
    'request',
    createHttpHandler({
      metricsRegistry: metrics.registry,
      beforeScrape: () => {
        let total = 0;
        for (const c of connections.all()) total += c.queuedBytes;
        metrics.writeQueueBytes.set(total);
      },
      isReady,
      admin: createAdminRoutes({ adminToken: options.adminToken, connections, registry, drain, now: () => clock.now(), cluster: () => adminCluster }),
      logger,
      extra: options.httpHandler,
    }),
  );

  const address = () => {
    const a = server.address() as AddressInfo | null;
    if (a === null) throw new Error('gateway is not listening');
    return { host: a.address, port: a.port };
  };

  return {
    router,
    registry,
    metrics,
    connections,
    server,
    logger,
    events,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          listening = true;
          logger.info({ ...address(), path: options.path ?? '/ws' }, 'gateway listening');
          resolve(address());
        });
      }),
    address,
    isReady,
    sessions: sessionManager,
    sendToSession: (sessionId, type, payload, sendOptions) => {
      const conn = connections.bySessionId(sessionId);
      if (conn !== undefined && conn.state === 'open') return conn.send(type, payload, sendOptions);
      const session = sessionManager.get(sessionId);
      if (session === undefined) return false;
      return sessionManager.sendDetached(session, type, payload, sendOptions) === 'queued';
    },
    sendToUser: (userId, type, payload, sendOptions) => {
      let delivered = 0;
      for (const c of connections.byUserId(userId)) {
        if (c.state === 'open' && c.send(type, payload, sendOptions)) delivered++;
      }
      return delivered;
    },
    drain,
    close: drain,
    setTickInfo: (source) => {
      tickInfo = source;
    },
    addReadinessCheck: (check) => {
      readinessChecks.add(check);
      return () => readinessChecks.delete(check);
    },
    setAdminCluster: (cluster) => {
      adminCluster = cluster;
    },
  };
}

/** Runs `make`, turning a configuration failure into one {@link ConfigError} naming `setting`. */
function asConfigError<T>(setting: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (isConfigError(error)) throw error;
    throw new ConfigError(setting, error instanceof Error ? error.message : String(error));
  }
}

