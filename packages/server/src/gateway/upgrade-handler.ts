import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { SUBPROTOCOL } from '@mmo/protocol';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ConnectionManager } from '../connection/connection-manager.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { type AuthIdentity, type Authenticator, extractToken, isAuthError, redactUrl } from './auth/index.js';
import type { ConnectLimiter } from './connect-limiter.js';
import { refuseUpgrade } from './refuse.js';

/** What the upgrade path needs. */
export interface UpgradeDeps {
  readonly path: string;
  readonly allowedOrigins: readonly string[] | undefined;
  readonly authenticator: Authenticator;
  readonly limiter: ConnectLimiter;
  readonly connections: ConnectionManager;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly wss: WebSocketServer;
  readonly maxConnections: number;
  readonly isAccepting: () => boolean;
  readonly onAccepted: (ws: WebSocket, request: IncomingMessage, identity: AuthIdentity, resumeToken: string | undefined) => void;
}

/** The client address, without the IPv4-mapped prefix. */
export function remoteAddressOf(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * Every check before the 101, in order: path, draining, origin, subprotocol, capacity, IP rate,
 * token, user rate, duplicate-login policy. A refusal is a plain HTTP status with a short reason.
 */
export function createUpgradeHandler(deps: UpgradeDeps) {
  const refuse = (socket: Duplex, request: IncomingMessage, status: number, reason: string, label: string, headers?: Record<string, string>) => {
    deps.metrics.upgradesRefused.inc({ reason: label });
    deps.logger.info({ url: redactUrl(request.url ?? ''), ip: remoteAddressOf(request), status, reason: label }, 'upgrade refused');
    refuseUpgrade(socket, status, reason, headers);
  };

  return async function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A client that resets mid-check must not crash the process.
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    if (url.pathname !== deps.path) return refuse(socket, request, 404, 'not found', 'path');
    if (!deps.isAccepting()) return refuse(socket, request, 503, 'server is draining', 'draining', { 'Retry-After': '1' });
    const origin = request.headers.origin;
    if (deps.allowedOrigins !== undefined && origin !== undefined && !deps.allowedOrigins.includes(origin)) {
      return refuse(socket, request, 403, 'origin not allowed', 'origin');
    }
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL)) {
      return refuse(socket, request, 400, `subprotocol ${SUBPROTOCOL} required`, 'subprotocol');
    }
    if (deps.connections.size >= deps.maxConnections) {
      return refuse(socket, request, 503, 'server full', 'capacity', { 'Retry-After': '5' });
    }
    const ip = remoteAddressOf(request);
    if (!(await deps.limiter.allowIp(ip))) return refuse(socket, request, 429, 'too many connection attempts', 'ip_rate', { 'Retry-After': '60' });

    const found = extractToken(request);
    if (found === undefined) return refuse(socket, request, 401, 'missing token', 'token_missing');
    let identity: AuthIdentity;
    try {
      identity = await deps.authenticator.verify(found.token);
    } catch (error) {
      if (isAuthError(error)) return refuse(socket, request, error.status, `unauthorized: ${error.code}`, error.code.toLowerCase());
      deps.logger.error({ err: error }, 'authenticator failed');
      return refuse(socket, request, 500, 'authentication failed', 'auth_internal');
    }
    if (!(await deps.limiter.allowUser(identity.userId))) {
      return refuse(socket, request, 429, 'too many connection attempts', 'user_rate', { 'Retry-After': '60' });
    }
    const admission = deps.connections.admit(identity.userId);
    if (admission !== undefined) return refuse(socket, request, admission.status, admission.reason, 'user_cap');
    if (socket.destroyed) return;
    // Re-check after the awaits: a drain may have started meanwhile.
    if (!deps.isAccepting()) return refuse(socket, request, 503, 'server is draining', 'draining', { 'Retry-After': '1' });
    const resumeToken = url.searchParams.get('resume') ?? undefined;
    deps.wss.handleUpgrade(request, socket, head, (ws) => deps.onAccepted(ws, request, identity, resumeToken || undefined));
  };
}
