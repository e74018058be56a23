import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** Content types of what a Vite build emits. Anything else goes out as bytes. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
});

/** Vite puts content-hashed files under `assets/`: they never change, so browsers may keep them. */
const IMMUTABLE_PREFIX = '/assets/';

/**
 * Serves the files under `rootDir` for GET and HEAD: `/` is `index.html`, a folder is its
 * `index.html`. `..` segments (encoded or not) are resolved against `rootDir`, so nothing outside
 * it is reachable; a path that does not decode or holds a NUL byte gets 400; a missing file falls
 * through (returns false, and the gateway answers 404).
 */
export function createStaticRoute(rootDir: string): (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean> {
  const root = resolve(rootDir);
  return async (request, response, url) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad path');
      return true;
    }
    // normalize() on a rooted path collapses every `..`; the prefix check guards against surprises.
    const target = resolve(root, `.${normalize(`/${pathname}`)}`);
    if (pathname.includes('\0') || (target !== root && !target.startsWith(root + sep))) {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad path');
      return true;
    }
    let file = target;
    let info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (info === undefined || !info.isFile()) return false;
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    response.writeHead(200, {
      'content-type': type,
      'content-length': info.size,
      'x-content-type-options': 'nosniff',
      'cache-control': url.pathname.startsWith(IMMUTABLE_PREFIX) ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (request.method === 'HEAD') {
      response.end();
      return true;
    }
    await new Promise<void>((done) => {
      const stream = createReadStream(file);
      stream.on('error', () => {
        response.destroy();
        done();
      });
      stream.on('end', done);
      stream.pipe(response);
    });
    return true;
  };
}
