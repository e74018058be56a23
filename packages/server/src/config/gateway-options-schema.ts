import { z } from 'zod';
import { ConfigError } from './config-error.js';

const ms = (max: number) => z.number().int().min(1).max(max);
const bytes = z.number().int().min(64).max(256 * 1024 * 1024);

const authSchema = z
  .object({
    jwtSecret: z.string().min(32, 'must be at least 32 characters (HS256 needs a 256-bit secret)').optional(),
    jwtPublicKey: z.string().min(1).optional(),
    jwksUrl: z.url().optional(),
    jwtAlgorithms: z.array(z.string().min(1)).min(1).optional(),
    issuer: z.string().min(1).optional(),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    clockToleranceSec: z.number().min(0).max(300).optional(),
  })
  .refine(
    (a) => [a.jwtSecret, a.jwtPublicKey, a.jwksUrl].filter((v) => v !== undefined).length === 1,
    { message: 'set exactly one of jwtSecret, jwtPublicKey, jwksUrl' },
  );

/**
 * Shape checks of the plain-data options of `createGateway` (numbers, strings, lists). Objects that
 * are injected (clock, logger, registry, router, hooks) are checked by type only.
 */
export const gatewayOptionsSchema = z.object({
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  path: z.string().startsWith('/').optional(),
  auth: authSchema,
  allowedOrigins: z.array(z.string().min(1)).optional(),
  adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
  serverVersion: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  nodeId: z.string().min(1).optional(),
  session: z
    .object({
      graceMs: ms(24 * 3_600_000).optional(),
      maxOutboxMessages: z.number().int().min(1).max(1_000_000).optional(),
      maxOutboxBytes: bytes.optional(),
      maxInboundBuffered: z.number().int().min(1).max(1_000_000).optional(),
      resumeTokenTtlMs: ms(30 * 24 * 3_600_000).optional(),
      resumeTokenSecret: z.string().min(32, 'must be at least 32 characters').optional(),
    })
    .optional(),
  featureFlags: z.array(z.string()).optional(),
  maxMessageBytes: bytes.optional(),
  headersTimeoutMs: ms(600_000).optional(),
  requestTimeoutMs: ms(600_000).optional(),
  drainTimeoutMs: ms(600_000).optional(),
  drainRetryAfterMs: z.number().int().min(0).max(600_000).optional(),
  duplicateLogin: z.enum(['replace', 'refuse', 'allow']).optional(),
  maxConnectionsPerUser: z.number().int().min(1).max(10_000).optional(),
  maxConnections: z.number().int().min(1).optional(),
  connectRateLimit: z
    .object({
      perIpPerMinute: z.number().int().min(1).optional(),
      perUserPerMinute: z.number().int().min(1).optional(),
    })
    .optional(),
  connection: z
    .object({
      heartbeatIntervalMs: ms(3_600_000).optional(),
      idleTimeoutMs: ms(3_600_000).optional(),
      finalPingTimeoutMs: ms(600_000).optional(),
      handshakeTimeoutMs: ms(600_000).optional(),
      handlerTimeoutMs: ms(600_000).optional(),
      maxFrameBytes: bytes.optional(),
      maxFramesPerMessage: z.number().int().min(1).max(65_536).optional(),
      maxPendingMessages: z.number().int().min(1).max(1_000_000).optional(),
      maxProtocolErrors: z.number().int().min(0).max(1_000_000).optional(),
      protocolErrorWindowMs: ms(3_600_000).optional(),
      closeGraceMs: ms(600_000).optional(),
      writeQueue: z
        .object({
          maxQueueBytes: bytes.optional(),
          maxBatchBytes: bytes.optional(),
          maxBatchDelayMs: z.number().int().min(0).max(1000).optional(),
          urgentPriority: z.number().int().min(0).max(10).optional(),
          maxInFlightBytes: bytes.optional(),
        })
        .optional(),
      rateLimits: z.unknown().optional(),
    })
    .optional(),
});

/**
 * Validates options and throws one {@link ConfigError} naming the first bad setting, e.g.
 * `invalid setting connection.idleTimeoutMs: Too small: expected number to be >=1`.
 */
export function validateGatewayOptions(input: unknown): void {
  const result = gatewayOptionsSchema.safeParse(input);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  const setting = issue.path.length > 0 ? issue.path.join('.') : 'options';
  throw new ConfigError(setting, issue.message);
}
