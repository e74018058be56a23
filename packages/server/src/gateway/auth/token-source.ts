/** Where a bearer token was found on the upgrade request. */
export type TokenCarrier = 'header' | 'query' | 'cookie';

/** A token and the place it came from. */
export interface ExtractedToken {
  /** The raw token, never logged. */
  readonly token: string;
  /** Which carrier held it. */
  readonly carrier: TokenCarrier;
}

/** The parts of an `http.IncomingMessage` the extraction reads. */
export interface TokenRequest {
  /** Request headers, lower-cased names as Node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Request target, e.g. `/ws?token=…`. */
  readonly url?: string | undefined;
}

/** Query parameter that may carry the token (browsers cannot set headers on a WebSocket). */
export const TOKEN_QUERY_PARAM = 'token';
/** Cookie that may carry the token. */
export const AUTH_COOKIE_NAME = 'auth_token';
/** Query parameters whose values {@link redactUrl} hides by default: the token and the resume token. */
export const REDACTED_QUERY_PARAMS: readonly string[] = [TOKEN_QUERY_PARAM, 'resume'];

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Percent-decodes without throwing on a malformed escape (the raw text is kept then). */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function fromQuery(url: string | undefined): string | undefined {
  const start = url === undefined ? -1 : url.indexOf('?');
  if (url === undefined || start < 0) return undefined;
  const hash = url.indexOf('#', start);
  const value = new URLSearchParams(url.slice(start + 1, hash < 0 ? undefined : hash)).get(TOKEN_QUERY_PARAM);
  return value || undefined;
}

function fromCookie(header: string | string[] | undefined): string | undefined {
  const cookies = Array.isArray(header) ? header.join(';') : header;
  for (const pair of cookies?.split(';') ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== AUTH_COOKIE_NAME) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value !== '') return safeDecode(value);
  }
  return undefined;
}

/**
 * Finds the bearer token of an upgrade request: `Authorization: Bearer <t>` first, then the
 * `?token=` query parameter, then the `auth_token` cookie. Empty values are skipped.
 * @example
 * const found = extractToken(req); // { token, carrier: 'query' } | undefined
 */
export function extractToken(req: TokenRequest): ExtractedToken | undefined {
  const bearer = BEARER.exec(firstHeader(req.headers.authorization) ?? '')?.[1];
  if (bearer !== undefined) return { token: bearer, carrier: 'header' };
  const query = fromQuery(req.url);
  if (query !== undefined) return { token: query, carrier: 'query' };
  const cookie = fromCookie(req.headers.cookie);
  if (cookie !== undefined) return { token: cookie, carrier: 'cookie' };
  return undefined;
}

/**
 * Replaces the values of the `token` and `resume` query parameters (or of `names`) with
 * `[redacted]` so the URL can be logged; the rest of the URL is kept byte for byte. Names are
 * compared after percent-decoding, as the query parser sees them.
 * @example
 * redactUrl('/ws?token=eyJ…&zone=1') // '/ws?token=[redacted]&zone=1'
 */
export function redactUrl(url: string, names: readonly string[] = REDACTED_QUERY_PARAMS): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const hash = url.indexOf('#', start);
  const end = hash < 0 ? url.length : hash;
  const query = url
    .slice(start + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      // Decode the name exactly as extractToken's URLSearchParams does (so `%74oken` is caught).
      const decoded = new URLSearchParams(pair).keys().next().value ?? '';
      return names.includes(decoded) ? `${pair.slice(0, eq)}=[redacted]` : pair;
    })
    .join('&');
  return url.slice(0, start + 1) + query + url.slice(end);
}
