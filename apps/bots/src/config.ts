/**
 * Settings of the `mmo-bots` command: flags first, then `MMO_*` environment variables, then
 * defaults (the same order as `mmo-gateway`). A bad value is a {@link BotsConfigError} whose
 * message is the one line the command prints before exiting 2.
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';

/** Where each bot gets its access token. */
export type BotsTokenSource =
  /** Sign an HS256 JWT per bot (`sub` = the bot's name) with this secret. */
  | { kind: 'jwt-secret'; secret: string }
  /** `GET <url>?name=<bot name>` answering `{ "token": "..." }` (a dev token endpoint). */
  | { kind: 'token-url'; url: string };

/** Everything a swarm run needs. */
export interface BotsConfig {
  /** Gateway WebSocket URL (`ws://` or `wss://`). */
  url: string;
  /** Number of bots. */
  bots: number;
  /** Length of the run in seconds, counted from the first connect. */
  seconds: number;
  /** Connects are spread evenly over this many ms. */
  rampMs: number;
  /** Token source. */
  token: BotsTokenSource;
  /** Print only the JSON report on stdout. */
  json: boolean;
  /** Each bot sends a reliable PLAYER_ACTION 'wave' this often, in ms (0: never). */
  actionEveryMs: number;
  /** Walking speed, in world units per second. */
  speed: number;
  /** Bots walk inside the square x, z in ±areaHalfSize (and inside the zone bounds). */
  areaHalfSize: number;
  /** Bot names are `<namePrefix><index>` (the JWT `sub`). */
  namePrefix: string;
  /** The gateway's tick rate (ticks per second), which the world model decodes deltas with. */
  tickRate: number;
  /** Movement inputs per second each bot sends. */
  inputRateHz: number;
  /**
   * Source addresses the bots connect from, round robin (empty: the system's choice). Spreading
   * bots over 127.0.0.x keeps a local gateway's per-IP connect limit (120 a minute) out of the way.
   */
  localAddresses: string[];
  /** Print the progress line on stderr (only when it is a TTY and `json` is off). */
  progress: boolean;
}

/** Defaults of the flags that have one. */
export const botsDefaults = {
  /** @default 10 bots */
  bots: 10,
  /** @default 30 seconds */
  seconds: 30,
  /** @default 1000 ms: 10 bots connect 100 ms apart */
  rampMs: 1_000,
  /** @default 2000 ms */
  actionEveryMs: 2_000,
  /**
   * @default 5 units/s, under the stock gateway's `maxSpeed` of 7 (faster bots are refused as
   * speed cheats, which is a test of its own)
   */
  speed: 5,
  /** @default 50: a 100 × 100 square around the default spawn, so most bots see each other */
  areaHalfSize: 50,
  /** @default 'bot-' */
  namePrefix: 'bot-',
  /** @default 20, the `mmo-gateway` default */
  tickRate: 20,
  /** @default 20 Hz, one input per tick of a 20 Hz server */
  inputRateHz: 20,
} as const;

/** Most bots one process runs: beyond this one process is the bottleneck, not the gateway. */
const MAX_BOTS = 5_000;
/** Longest run: one day. */
const MAX_SECONDS = 86_400;
/** Shortest JWT secret the gateway accepts. */
const MIN_SECRET_CHARS = 32;

/** A bad setting; `message` is one line naming the flag (and its variable). */
export class BotsConfigError extends Error {
  override readonly name = 'BotsConfigError';
  readonly code = 'INVALID_SETTING';
}

/** True for a {@link BotsConfigError} (checks the name, so two copies of the package agree). */
export function isBotsConfigError(error: unknown): error is BotsConfigError {
  return error instanceof Error && error.name === 'BotsConfigError';
}

/** Usage text of `mmo-bots --help`. */
export function usage(): string {
  const d = botsDefaults;
  return [
    'Usage: mmo-bots --url ws://HOST:PORT/ws (--jwt-secret SECRET | --token-url URL) [options]',
    '',
    'Starts N headless bots against a gateway: they walk, wave, and report bandwidth and latency.',
    '',
    '  --url URL              gateway WebSocket URL (env MMO_URL), required',
    '  --jwt-secret SECRET    sign an HS256 token per bot, sub = bot name (env MMO_JWT_SECRET)',
    '  --token-url URL        fetch tokens: GET URL?name=bot-3 -> { "token": "..." } (env MMO_TOKEN_URL)',
    `  --bots N               number of bots (default ${d.bots})`,
    `  --seconds S            run length in seconds (default ${d.seconds})`,
    `  --ramp-ms MS           spread the connects over MS (default ${d.rampMs})`,
    `  --action-every-ms MS   reliable PLAYER_ACTION 'wave' per bot every MS, 0 = never (default ${d.actionEveryMs})`,
    `  --speed U              walking speed, units/s (default ${d.speed})`,
    `  --area U               walk inside x, z in ±U and the zone bounds (default ${d.areaHalfSize})`,
    `  --name-prefix P        bot names P0, P1, ... (default ${d.namePrefix})`,
    `  --tick-rate HZ         the gateway's tick rate (default ${d.tickRate})`,
    `  --input-rate HZ        movement inputs per second per bot (default ${d.inputRateHz})`,
    '  --local-addresses A,B  connect from these source IPs, round robin (e.g. 127.0.0.1,127.0.0.2)',
    '  --json                 print only the JSON report on stdout',
    '  --no-progress          no live progress line on stderr',
    '  -h, --help             this text',
    '',
    'Exit code: 0 when every bot connected at least once, 1 otherwise, 2 for a bad setting.',
  ].join('\n');
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the settings from `argv` (without node and the script) and `env`. Returns `'help'` for
 * `--help`; throws {@link BotsConfigError} for a bad or missing setting.
 * @example
 * const config = readBotsConfig(['--url', 'ws://127.0.0.1:8080/ws', '--bots', '4'], process.env, true);
 */
export function readBotsConfig(argv: readonly string[], env: Env, stderrIsTty: boolean): BotsConfig | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        'jwt-secret': { type: 'string' },
        'token-url': { type: 'string' },
        bots: { type: 'string' },
        seconds: { type: 'string' },
        'ramp-ms': { type: 'string' },
        'action-every-ms': { type: 'string' },
        speed: { type: 'string' },
        area: { type: 'string' },
        'name-prefix': { type: 'string' },
        'tick-rate': { type: 'string' },
        'input-rate': { type: 'string' },
        'local-addresses': { type: 'string' },
        json: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs' messages are one line already ("Unknown option '--bot'. ...").
    throw new BotsConfigError(`invalid setting arguments: ${firstLine(error)}`);
  }
  if (values.help === true) return 'help';

  const url = pick(values.url, env.MMO_URL);
  if (url === undefined) throw new BotsConfigError('invalid setting --url / MMO_URL: required, e.g. ws://127.0.0.1:8080/ws');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BotsConfigError(`invalid setting --url / MMO_URL: not a URL: ${url}`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new BotsConfigError(`invalid setting --url / MMO_URL: must start with ws:// or wss://, got ${parsed.protocol}//`);
  }

  const secret = pick(values['jwt-secret'], env.MMO_JWT_SECRET);
  const tokenUrl = pick(values['token-url'], env.MMO_TOKEN_URL);
  let token: BotsTokenSource;
  if (secret !== undefined && tokenUrl !== undefined) {
    throw new BotsConfigError('invalid setting --jwt-secret / --token-url: set one of them, not both');
  } else if (secret !== undefined) {
    if (secret.length < MIN_SECRET_CHARS) {
      throw new BotsConfigError(`invalid setting --jwt-secret / MMO_JWT_SECRET: must be at least ${MIN_SECRET_CHARS} characters`);
    }
    token = { kind: 'jwt-secret', secret };
  } else if (tokenUrl !== undefined) {
    if (!/^https?:\/\//.test(tokenUrl) || !URL.canParse(tokenUrl)) {
      throw new BotsConfigError(`invalid setting --token-url / MMO_TOKEN_URL: not an http(s) URL: ${tokenUrl}`);
    }
    token = { kind: 'token-url', url: tokenUrl };
  } else {
    throw new BotsConfigError('invalid setting --jwt-secret / MMO_JWT_SECRET or --token-url / MMO_TOKEN_URL: one is required');
  }

  const d = botsDefaults;
  const namePrefix = values['name-prefix'] ?? d.namePrefix;
  if (!/^[A-Za-z0-9._-]{0,64}$/.test(namePrefix)) {
    throw new BotsConfigError('invalid setting --name-prefix: up to 64 letters, digits, ".", "_" or "-"');
  }
  const localAddresses = (values['local-addresses'] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  for (const address of localAddresses) {
    if (isIP(address) === 0) throw new BotsConfigError(`invalid setting --local-addresses: not an IP address: ${address}`);
  }
  const json = values.json === true;
  return {
    url,
    token,
    bots: integer('--bots', values.bots, d.bots, 1, MAX_BOTS),
    seconds: number('--seconds', values.seconds, d.seconds, 0.1, MAX_SECONDS),
    rampMs: integer('--ramp-ms', values['ramp-ms'], d.rampMs, 0, MAX_SECONDS * 1_000),
    actionEveryMs: integer('--action-every-ms', values['action-every-ms'], d.actionEveryMs, 0, MAX_SECONDS * 1_000),
    speed: number('--speed', values.speed, d.speed, 0.1, 1_000),
    areaHalfSize: number('--area', values.area, d.areaHalfSize, 1, 1_000_000),
    namePrefix,
    tickRate: integer('--tick-rate', values['tick-rate'], d.tickRate, 1, 128),
    inputRateHz: integer('--input-rate', values['input-rate'], d.inputRateHz, 1, 60),
    localAddresses,
    json,
    progress: !json && values['no-progress'] !== true && stderrIsTty,
  };
}

/** The flag's value, else the variable's; an empty variable counts as unset. */
function pick(flag: string | undefined, variable: string | undefined): string | undefined {
  if (flag !== undefined) return flag;
  return variable === undefined || variable === '' ? undefined : variable;
}

function number(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new BotsConfigError(`invalid setting ${flag}: must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new BotsConfigError(`invalid setting ${flag}: must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
