import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloseCode, type MessageRegistry } from '@mmo/protocol';
import type { ConnectionManager } from '../connection/connection-manager.js';
import { readJsonBody, sendJson } from '../gateway/http-util.js';

/** What the admin API can act on. */
export interface AdminDeps {
  readonly adminToken: string | undefined;
  readonly connections: ConnectionManager;
  readonly registry: MessageRegistry;
  readonly drain: () => Promise<void>;
  readonly now: () => number;
  /** The cluster this node belongs to, when it has one (set by `attachCluster`). */
  readonly cluster?: () => AdminCluster | undefined;
}

/** What the admin API asks of a cluster: its view, and actions published to every node. */
export interface AdminCluster {
  /** `GET /admin/cluster`: members, zone owners, bus health (never rejects). */
  describe(): Promise<unknown>;
  /** Publishes a kick of `userId` to every other node; rejects when the bus cannot publish. */
  kick(userId: string, reason: string): Promise<void>;
  /** Publishes a drain of one node (by id) or of `'all'`; rejects when the bus cannot publish. */
  drain(nodeId: string): Promise<void>;
}

function authorized(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer (.+)$/.exec(header);
  if (match === null) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The admin API under `/admin`, behind its own bearer token (never the players' JWTs). Disabled
 * (404) when no admin token is configured.
 *   GET  /admin/connections          live connections
 *   GET  /admin/sessions             established sessions
 *   GET  /admin/cluster              members, zone owners and bus health (404 without a cluster)
 *   POST /admin/kick  {userId, reason?}   this node's connections, and every other node's in a cluster
 *   POST /admin/send  {userId, type, payloadBase64?, reliable?}
 *   POST /admin/drain {nodeId?}      this node; with a cluster, `nodeId` names another node or 'all'
 */
export function createAdminRoutes(deps: AdminDeps) {
  return async function handleAdmin(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    if (deps.adminToken === undefined) return sendJson(response, 404, { error: 'admin API disabled' });
    if (!authorized(request, deps.adminToken)) {
      response.setHeader('WWW-Authenticate', 'Bearer');
      return sendJson(response, 401, { error: 'admin token required' });
    }
    const route = `${request.method ?? 'GET'} ${pathname}`;
    const cluster = deps.cluster?.();
    switch (route) {
      case 'GET /admin/cluster':
        if (cluster === undefined) return sendJson(response, 404, { error: 'this node is not in a cluster' });
        return sendJson(response, 200, await cluster.describe());
      case 'GET /admin/connections':
        return sendJson(response, 200, {
          connections: [...deps.connections.all()].map((c) => ({
            connectionId: c.id,
            userId: c.userId,
            sessionId: c.session?.id ?? null,
            state: c.state,
            remoteAddress: c.deps.remoteAddress,
            connectedForMs: deps.now() - c.connectedAtMs,
            rttMs: c.rttMs ?? null,
            queuedBytes: c.queuedBytes,
          })),
        });
      case 'GET /admin/sessions':
        return sendJson(response, 200, {
          sessions: [...deps.connections.all()]
            .filter((c) => c.session !== undefined)
            .map((c) => ({
              sessionId: c.session!.id,
              userId: c.userId,
              connectionId: c.id,
              createdAtMs: c.session!.createdAtMs,
              lastOutSequence: c.session!.lastOutSequence,
              inboundAck: c.session!.inboundAck,
            })),
        });
      case 'POST /admin/kick': {
        const body = await readJsonBody(request, response);
        if (body === undefined) return;
        const userId = typeof body['userId'] === 'string' ? body['userId'] : '';
        if (userId === '') return sendJson(response, 400, { error: 'userId (string) required' });
        const reason = typeof body['reason'] === 'string' ? body['reason'].slice(0, 100) : 'kicked by admin';
        const targets = deps.connections.byUserId(userId);
        for (const c of targets) {
          c.close({ code: CloseCode.POLICY_VIOLATION, reason, disconnect: { code: CloseCode.KICKED, reconnect: false } });
        }
        if (cluster === undefined) return sendJson(response, 200, { kicked: targets.length });
        // Other nodes close theirs when the kick reaches them; `kicked` counts this node's only.
        try {
          await cluster.kick(userId, reason);
          return sendJson(response, 200, { kicked: targets.length, published: true });
        } catch (error) {
          return sendJson(response, 503, { kicked: targets.length, published: false, error: messageOf(error) });
        }
      }
      case 'POST /admin/send': {
        const body = await readJsonBody(request, response);
        if (body === undefined) return;
        const userId = body['userId'];
        const type = body['type'];
        if (typeof userId !== 'string' || typeof type !== 'number' || !deps.registry.has(type)) {
          return sendJson(response, 400, { error: 'userId (string) and a registered type (number) required' });
        }
        const payloadBase64 = typeof body['payloadBase64'] === 'string' ? body['payloadBase64'] : '';
        const bytes = Buffer.from(payloadBase64, 'base64');
        let payload: unknown;
        try {
          payload = deps.registry.unpack(type, bytes);
        } catch {
          return sendJson(response, 400, { error: `payloadBase64 is not a valid payload of type ${type}` });
        }
        const reliable = typeof body['reliable'] === 'boolean' ? body['reliable'] : undefined;
        let delivered = 0;
        for (const c of deps.connections.byUserId(userId)) {
          if (c.state === 'open' && c.send(type, payload, reliable === undefined ? {} : { reliable })) delivered++;
        }
        return sendJson(response, 200, { delivered });
      }
      case 'POST /admin/drain': {
        const body = await readJsonBody(request, response);
        if (body === undefined) return;
        const nodeId = body['nodeId'];
        if (nodeId === undefined) {
          void deps.drain();
          return sendJson(response, 202, { draining: true });
        }
        if (typeof nodeId !== 'string' || nodeId === '') return sendJson(response, 400, { error: 'nodeId must be a node id or "all"' });
        if (cluster === undefined) return sendJson(response, 404, { error: 'this node is not in a cluster' });
        try {
          await cluster.drain(nodeId);
          return sendJson(response, 202, { draining: nodeId });
        } catch (error) {
          return sendJson(response, 503, { error: messageOf(error) });
        }
      }
      default:
        return sendJson(response, 404, { error: 'no such admin route' });
    }
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
