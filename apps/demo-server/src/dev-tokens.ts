import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT } from 'jose';

/** Path of the dev-only token endpoint. */
export const DEV_TOKEN_PATH = '/dev/token';

/** Options of {@link createDevTokenRoute}. */
export interface DevTokenOptions {
  /** HMAC secret the gateway verifies with (HS256). */
  jwtSecret: string;
  /**
   * Lifetime of a minted token, seconds. Short: the client fetches a fresh one before every
   * connection attempt, and the gateway closes a socket whose token expires (the client then
   * reconnects and resumes with a new one).
   * @default 300
   */
  ttlS?: number;
}

/** Defaults of {@link DevTokenOptions}. */
export const devTokenDefaults = Object.freeze({ ttlS: 300 });

/** Names a dev token may be minted for: they become the JWT `sub`, the player's user id. */
export const DEV_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/**
 * `GET /dev/token?name=alice` -> `{ token, expiresInS }`: an HS256 JWT with `sub` = the name,
 * `iat` and `exp`. Anyone who can reach the port can log in as anyone: only for local demos.
 * Returns the gateway's `httpHandler` shape (true when it answered).
 */
export function createDevTokenRoute(options: DevTokenOptions): (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean> {
  const key = new TextEncoder().encode(options.jwtSecret);
  const ttlS = options.ttlS ?? devTokenDefaults.ttlS;
  if (!Number.isInteger(ttlS) || ttlS < 10 || ttlS > 3600) throw new RangeError('dev tokens: ttlS must be an integer in 10..3600');
  return async (request, response, url) => {
    if (url.pathname !== DEV_TOKEN_PATH) return false;
    if (request.method !== 'GET') {
      response.setHeader('allow', 'GET');
      json(response, 405, { error: 'method not allowed' });
      return true;
    }
    const name = url.searchParams.get('name') ?? '';
    if (!DEV_NAME_PATTERN.test(name)) {
      json(response, 400, { error: 'name must be 1-32 characters of A-Z a-z 0-9 _ . -' });
      return true;
    }
    const token = await new SignJWT({ name })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(name)
      .setIssuedAt()
      .setExpirationTime(`${ttlS}s`)
      .sign(key);
    json(response, 200, { token, expiresInS: ttlS });
    return true;
  };
}
