import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { sendJson } from './http-util.js';

/** What the plain HTTP side serves. */
export interface HttpDeps {
  readonly metricsRegistry: Registry;
  /** Refreshes sampled gauges right before a scrape. */
  readonly beforeScrape: () => void;
  readonly isReady: () => boolean;
  readonly admin: (request: IncomingMessage, response: ServerResponse, pathname: string) => Promise<void>;
  readonly logger: Logger;
  /** Extra routes of the embedding game (checked after ours); return true when handled. */
  readonly extra: ((request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>) | undefined;
}

/** `/healthz`, `/readyz`, `/metrics`, `/admin/*`, then the game's own routes, else 404. */
export function createHttpHandler(deps: HttpDeps) {
  return async function onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const pathname = new URL(request.url ?? '/', 'http://gateway.invalid').pathname;
      if (pathname === '/healthz') return sendJson(response, 200, { status: 'ok' });
      if (pathname === '/readyz') {
        const ready = deps.isReady();
        return sendJson(response, ready ? 200 : 503, { ready });
      }
      if (pathname === '/metrics') {
        deps.beforeScrape();
        const text = await deps.metricsRegistry.metrics();
        response.writeHead(200, { 'Content-Type': deps.metricsRegistry.contentType });
        response.end(text);
        return;
      }
      if (pathname === '/admin' || pathname.startsWith('/admin/')) return await deps.admin(request, response, pathname);
      if (deps.extra !== undefined && (await deps.extra(request, response))) return;
      sendJson(response, 404, { error: 'not found' });
    } catch (error) {
      deps.logger.error({ err: error }, 'http handler failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    }
  };
}
