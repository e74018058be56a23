/** What the page asks the demo server over HTTP: its settings and a dev token. */
import type { WalkableArea } from './game-model.js';

/** `GET /demo/config.json`. */
export interface DemoConfig {
  wsPath: string;
  devTokens: boolean;
  area: WalkableArea;
  walkSpeedMps: number;
  tickRate: number;
  actions: string[];
  emotes: string[];
  presence: boolean;
}

/** Names the server's dev token endpoint accepts. */
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;

export async function loadConfig(): Promise<DemoConfig> {
  const response = await fetch('./demo/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET /demo/config.json: HTTP ${response.status} (is this page served by @mmo/demo-server?)`);
  return (await response.json()) as DemoConfig;
}

/** `?name=` when it is a valid name, else `guest-` and four random letters and digits. */
export function playerName(search: URLSearchParams): string {
  const asked = search.get('name');
  if (asked !== null && NAME_PATTERN.test(asked)) return asked;
  return `guest-${Math.random().toString(36).slice(2, 6)}`;
}

/** Thrown when the server has no dev tokens and the page has no `?token=`. */
export class NoTokenError extends Error {
  override readonly name = 'NoTokenError';
}

/**
 * A token for this attempt: `?token=` when the page was opened with one, else a fresh one from
 * `GET /dev/token?name=` (short-lived, so every attempt asks again).
 */
export async function fetchToken(name: string, search: URLSearchParams): Promise<string> {
  const given = search.get('token');
  if (given !== null && given !== '') return given;
  const response = await fetch(`./dev/token?name=${encodeURIComponent(name)}`, { cache: 'no-store' });
  if (response.status === 404) {
    throw new NoTokenError('This server has dev tokens off: start it with --dev-tokens (pnpm demo does), or open the page with ?token=<JWT>.');
  }
  if (!response.ok) throw new Error(`GET /dev/token: HTTP ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** The gateway's WebSocket URL on the page's own host. */
export function gatewayUrl(wsPath: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${wsPath}`;
}
