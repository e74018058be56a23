import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { GatewayOptions } from '../gateway/create-gateway.js';
import { ConfigError } from './config-error.js';

/** One setting of the command: its flag, its environment variable, and how to read it. */
interface Setting {
  flag: string;
  env: string;
  schema: z.ZodType;
}

const port = z.coerce.number().int().min(0).max(65535);
const settings = {
  port: { flag: 'port', env: 'MMO_PORT', schema: port },
  host: { flag: 'host', env: 'MMO_HOST', schema: z.string().min(1) },
  jwtSecret: { flag: 'jwt-secret', env: 'MMO_JWT_SECRET', schema: z.string().min(32, 'must be at least 32 characters') },
  jwksUrl: { flag: 'jwt-jwks-url', env: 'MMO_JWT_JWKS_URL', schema: z.url() },
  jwtPublicKey: { flag: 'jwt-public-key', env: 'MMO_JWT_PUBLIC_KEY', schema: z.string().min(1) },
  issuer: { flag: 'jwt-issuer', env: 'MMO_JWT_ISSUER', schema: z.string().min(1) },
  audience: { flag: 'jwt-audience', env: 'MMO_JWT_AUDIENCE', schema: z.string().min(1) },
  redisUrl: { flag: 'redis-url', env: 'MMO_REDIS_URL', schema: z.url() },
  redisKeyPrefix: { flag: 'redis-key-prefix', env: 'MMO_REDIS_KEY_PREFIX', schema: z.string().min(1).max(64) },
  zones: { flag: 'zones', env: 'MMO_ZONES', schema: z.string().regex(/^[A-Za-z0-9_.:-]+(,[A-Za-z0-9_.:-]+)*$/, 'comma-separated zone ids ([A-Za-z0-9_.:-])') },
  presenceTtlMs: { flag: 'presence-ttl-ms', env: 'MMO_PRESENCE_TTL_MS', schema: z.coerce.number().int().min(300).max(3_600_000) },
  zoneLeaseTtlMs: { flag: 'zone-lease-ttl-ms', env: 'MMO_ZONE_LEASE_TTL_MS', schema: z.coerce.number().int().min(300).max(600_000) },
  nodeTtlMs: { flag: 'node-ttl-ms', env: 'MMO_NODE_TTL_MS', schema: z.coerce.number().int().min(300).max(600_000) },
  adminToken: { flag: 'admin-token', env: 'MMO_ADMIN_TOKEN', schema: z.string().min(16, 'must be at least 16 characters') },
  resumeSecret: { flag: 'resume-secret', env: 'MMO_RESUME_SECRET', schema: z.string().min(32, 'must be at least 32 characters') },
  nodeId: { flag: 'node-id', env: 'MMO_NODE_ID', schema: z.string().min(1).max(128) },
  tickRate: { flag: 'tick-rate', env: 'MMO_TICK_RATE', schema: z.coerce.number().int().min(1).max(128) },
  allowedOrigins: { flag: 'allowed-origins', env: 'MMO_ALLOWED_ORIGINS', schema: z.string().min(1) },
  logLevel: {
    flag: 'log-level',
    env: 'MMO_LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
} satisfies Record<string, Setting>;

type Key = keyof typeof settings;

/** How this node joins a cluster (what `attachCluster` needs beyond the gateway). */
export interface CliClusterConfig {
  /** This node's id: `--node-id`, or `node-` and 8 random hex digits. */
  nodeId: string;
  /** Prefix of every Redis key and channel. @default 'mmo:' */
  keyPrefix: string;
  /** Zones this node may simulate; players join the first unless their token names another. @default ['default'] */
  zones: string[];
  /** Presence record TTL, in ms (refreshed every third of it). @default 30000 */
  presenceTtlMs: number;
  /** Zone lease TTL, in ms (renewed every third of it). @default 10000 */
  zoneLeaseTtlMs: number;
  /** Node heartbeat TTL, in ms (a heartbeat every third of it). @default 6000 */
  nodeTtlMs: number;
}

/** Parsed command configuration. */
export interface CliConfig {
  gateway: GatewayOptions;
  redisUrl: string | undefined;
  cluster: CliClusterConfig;
  tickRate: number;
  logLevel: string;
}

/** Usage text of `mmo-gateway --help`. */
export function usage(): string {
  const lines = Object.values(settings).map((s) => `  --${s.flag.padEnd(16)} ${s.env}`);
  return ['Usage: mmo-gateway [options]   (flags win over environment, then defaults)', '', ...lines, '  --help'].join('\n');
}

/**
 * Reads flags, then `MMO_*` environment variables, then defaults. Throws one {@link ConfigError}
 * naming the flag and variable of the first bad setting.
 */
export function readCliConfig(argv: string[], env: NodeJS.ProcessEnv): CliConfig | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.values(settings).map((s) => [s.flag, { type: 'string' as const }])),
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new ConfigError('arguments', error instanceof Error ? error.message : String(error));
  }
  if (parsed.values['help'] === true) return 'help';
  const values: Partial<Record<Key, unknown>> = {};
  for (const [key, s] of Object.entries(settings) as [Key, Setting][]) {
    const raw = ((parsed.values as Record<string, unknown>)[s.flag] as string | undefined) ?? env[s.env];
    if (raw === undefined || raw === '') continue;
    const result = s.schema.safeParse(raw);
    if (!result.success) throw new ConfigError(`--${s.flag} / ${s.env}`, result.error.issues[0]?.message ?? 'invalid');
    values[key] = result.data;
  }
  const secrets = [values.jwtSecret, values.jwksUrl, values.jwtPublicKey].filter((v) => v !== undefined);
  if (secrets.length !== 1) {
    throw new ConfigError('MMO_JWT_SECRET / MMO_JWT_JWKS_URL / MMO_JWT_PUBLIC_KEY', 'set exactly one of them');
  }
  let publicKey: string | undefined;
  if (values.jwtPublicKey !== undefined) {
    const value = values.jwtPublicKey as string;
    try {
      publicKey = value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
    } catch {
      throw new ConfigError('--jwt-public-key / MMO_JWT_PUBLIC_KEY', `not a PEM key and not a readable file: ${value}`);
    }
  }
  // Resume tokens must verify on every node that shares Redis: an explicit secret, or one derived
  // from the shared JWT secret (a different key, so a resume token is never a valid JWT).
  const resumeSecret =
    (values.resumeSecret as string | undefined) ??
    (values.jwtSecret === undefined ? undefined : createHmac('sha256', values.jwtSecret as string).update('mmo-resume-token-v1').digest('hex'));
  if (values.redisUrl !== undefined && resumeSecret === undefined) {
    throw new ConfigError('--resume-secret / MMO_RESUME_SECRET', 'required with MMO_REDIS_URL when tokens are checked with a public key or JWKS');
  }
  // One id for the gateway (session ownership) and the cluster (bus, leases, presence records).
  const nodeId = (values.nodeId as string | undefined) ?? `node-${randomUUID().slice(0, 8)}`;
  const gateway: GatewayOptions = {
    nodeId,
    ...(resumeSecret === undefined ? {} : { session: { resumeTokenSecret: resumeSecret } }),
    port: (values.port as number | undefined) ?? 8080,
    host: (values.host as string | undefined) ?? '0.0.0.0',
    auth: {
      ...(values.jwtSecret === undefined ? {} : { jwtSecret: values.jwtSecret as string }),
      ...(values.jwksUrl === undefined ? {} : { jwksUrl: values.jwksUrl as string }),
      ...(publicKey === undefined ? {} : { jwtPublicKey: publicKey }),
      ...(values.issuer === undefined ? {} : { issuer: values.issuer as string }),
      ...(values.audience === undefined ? {} : { audience: values.audience as string }),
    },
    ...(values.adminToken === undefined ? {} : { adminToken: values.adminToken as string }),
    ...(values.allowedOrigins === undefined
      ? {}
      : { allowedOrigins: (values.allowedOrigins as string).split(',').map((o) => o.trim()).filter(Boolean) }),
  };
  return {
    gateway,
    redisUrl: values.redisUrl as string | undefined,
    cluster: {
      nodeId,
      keyPrefix: (values.redisKeyPrefix as string | undefined) ?? 'mmo:',
      zones: [...new Set(((values.zones as string | undefined) ?? 'default').split(','))],
      presenceTtlMs: (values.presenceTtlMs as number | undefined) ?? 30_000,
      zoneLeaseTtlMs: (values.zoneLeaseTtlMs as number | undefined) ?? 10_000,
      nodeTtlMs: (values.nodeTtlMs as number | undefined) ?? 6_000,
    },
    tickRate: (values.tickRate as number | undefined) ?? 20,
    logLevel: (values.logLevel as string | undefined) ?? 'info',
  };
}
