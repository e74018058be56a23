/**
 * Access tokens per bot: signed here with a shared HS256 secret, or fetched from a dev token
 * endpoint. Each is a `getToken` callback, so every connection attempt (reconnects included) gets
 * a fresh token.
 */
import { SignJWT } from 'jose';
import type { BotsTokenSource } from './config.js';

/** A token callback for one bot, as `createMmoClient`'s `getToken` takes it. */
export type BotTokenProvider = () => Promise<string>;

/** Options of {@link createTokenFactory}. */
export interface TokenFactoryOptions {
  /**
   * Lifetime of a signed token, in seconds (`exp`; the gateway requires one).
   * @default 3600
   */
  tokenTtlSeconds?: number;
  /**
   * Time a token request may take, in ms.
   * @default 5000
   */
  fetchTimeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

/** Defaults of {@link TokenFactoryOptions}. */
export const tokenFactoryDefaults = {
  tokenTtlSeconds: 3_600,
  fetchTimeoutMs: 5_000,
} as const;

/**
 * Returns, for a bot name, the callback that produces its tokens.
 * @example
 * const tokensFor = createTokenFactory({ kind: 'jwt-secret', secret });
 * createMmoClient({ url, WebSocket, getToken: tokensFor('bot-3') });
 */
export function createTokenFactory(source: BotsTokenSource, options: TokenFactoryOptions = {}): (name: string) => BotTokenProvider {
  if (source.kind === 'jwt-secret') {
    const key = new TextEncoder().encode(source.secret);
    const ttl = options.tokenTtlSeconds ?? tokenFactoryDefaults.tokenTtlSeconds;
    return (name) => () =>
      new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(name).setIssuedAt().setExpirationTime(`${ttl}s`).sign(key);
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.fetchTimeoutMs ?? tokenFactoryDefaults.fetchTimeoutMs;
  return (name) => async () => {
    const url = new URL(source.url);
    url.searchParams.set('name', name);
    const response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`token endpoint answered ${response.status} for ${name}`);
    const body: unknown = await response.json();
    const token = typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token === '') throw new Error(`token endpoint sent no "token" for ${name}`);
    return token;
  };
}
