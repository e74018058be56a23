import { parseArgs } from 'node:util';

/** What the command line and environment resolve to. */
export interface DemoCliConfig {
  port: number;
  host: string;
  devTokens: boolean;
  jwtSecret: string | undefined;
  staticDir: string | undefined;
  logLevel: string;
  seed: number | undefined;
}

/** A setting the command cannot run with; the message names it. */
export class DemoConfigError extends Error {
  override readonly name = 'DemoConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `mmo-demo-server --help`. */
export function usage(): string {
  return `Usage: mmo-demo-server [options]

  --port N            TCP port, 0 picks a free one        (MMO_PORT, default 8080)
  --host HOST         interface to listen on               (MMO_HOST, default 127.0.0.1)
  --dev-tokens        serve GET /dev/token?name=NAME: signs a short-lived token for any name.
                      Local demos only                     (MMO_DEV_TOKENS=1)
  --jwt-secret S      HS256 secret, >= 32 characters; random with --dev-tokens when unset
                                                           (MMO_JWT_SECRET)
  --static-dir DIR    the built web demo to serve on /     (default: @mmo/web-demo's dist/)
  --seed N            seed of the NPCs' wandering          (default random)
  --log-level LEVEL   ${LOG_LEVELS.join(', ')}  (MMO_LOG_LEVEL, default info)
  --help              this text`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Reads flags first, then MMO_* variables, then defaults. Returns 'help' for --help. */
export function readDemoCliConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DemoCliConfig | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'dev-tokens': { type: 'boolean' },
        'jwt-secret': { type: 'string' },
        'static-dir': { type: 'string' },
        seed: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new DemoConfigError(`invalid setting arguments: ${(error as Error).message}`);
  }
  if (values.help === true) return 'help';
  const portText = nonEmpty(values.port) ?? nonEmpty(env['MMO_PORT']) ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new DemoConfigError(`invalid setting --port / MMO_PORT: ${JSON.stringify(portText)} is not a port 0..65535`);
  const devTokensEnv = nonEmpty(env['MMO_DEV_TOKENS']);
  if (devTokensEnv !== undefined && devTokensEnv !== '1' && devTokensEnv !== '0') throw new DemoConfigError('invalid setting MMO_DEV_TOKENS: use 1 or 0');
  const devTokens = values['dev-tokens'] === true || devTokensEnv === '1';
  const jwtSecret = nonEmpty(values['jwt-secret']) ?? nonEmpty(env['MMO_JWT_SECRET']);
  if (jwtSecret !== undefined && jwtSecret.length < 32) throw new DemoConfigError('invalid setting --jwt-secret / MMO_JWT_SECRET: must be at least 32 characters');
  if (jwtSecret === undefined && !devTokens) {
    throw new DemoConfigError('invalid setting --jwt-secret / MMO_JWT_SECRET: required unless --dev-tokens (MMO_DEV_TOKENS=1) is set');
  }
  const logLevel = nonEmpty(values['log-level']) ?? nonEmpty(env['MMO_LOG_LEVEL']) ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new DemoConfigError(`invalid setting --log-level / MMO_LOG_LEVEL: use one of ${LOG_LEVELS.join(', ')}`);
  const seedText = nonEmpty(values.seed);
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new DemoConfigError('invalid setting --seed: must be an integer');
  return {
    port,
    host: nonEmpty(values.host) ?? nonEmpty(env['MMO_HOST']) ?? '127.0.0.1',
    devTokens,
    jwtSecret,
    staticDir: nonEmpty(values['static-dir']),
    logLevel,
    seed,
  };
}
