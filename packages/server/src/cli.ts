#!/usr/bin/env node
// mmo-gateway: runs the gateway from flags and MMO_* environment variables (see README).
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { RedisSessionStore } from './session/store/redis-session-store.js';
import { isConfigError } from './config/config-error.js';
import { readCliConfig, usage } from './config/cli-config.js';
import { createGateway } from './gateway/create-gateway.js';
import { attachCluster, type ClusterNode } from './node/attach-cluster.js';

async function main(): Promise<void> {
  let config;
  try {
    config = readCliConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (isConfigError(error)) {
      process.stderr.write(`mmo-gateway: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (config === 'help') {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const logger = pino({ level: config.logLevel, name: 'mmo-gateway' });
  // With Redis, sessions live there so clients resume on any node; without, everything is embedded.
  const redis = config.redisUrl === undefined ? undefined : new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  // One warning per outage (ioredis reports every failed reconnect), one info line when it is back.
  let redisDown = false;
  redis?.on('error', (error: Error) => {
    if (redisDown) return logger.debug({ err: error.message }, 'redis connection error');
    redisDown = true;
    logger.warn({ err: error.message }, 'redis connection error; reconnecting with backoff');
  });
  redis?.on('ready', () => {
    if (redisDown) logger.info('redis connection ready again');
    redisDown = false;
  });
  let gateway;
  try {
    gateway = createGateway({
      ...config.gateway,
      logger,
      ...(redis === undefined ? {} : { sessionStore: new RedisSessionStore(redis, { keyPrefix: config.cluster.keyPrefix }) }),
    });
  } catch (error) {
    if (isConfigError(error)) {
      process.stderr.write(`mmo-gateway: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // With no game code the gateway runs its zones (one 'default' by default): players walk (validated)
  // and see each other. With Redis, several nodes share sessions, presence, the bus and the zones.
  const { nodeId, keyPrefix, zones, presenceTtlMs, zoneLeaseTtlMs, nodeTtlMs } = config.cluster;
  const node: ClusterNode = attachCluster(gateway, {
    nodeId,
    keyPrefix,
    zones,
    presenceTtlMs,
    zoneLeaseTtlMs,
    nodeTtlMs,
    tickRate: config.tickRate,
    ...(redis === undefined ? {} : { redis }),
  });
  if (redis !== undefined) {
    logger.info({ nodeId, keyPrefix, zones }, 'cluster node: sessions, presence, bus and zone leases in Redis');
  }
  const address = await gateway.listen();
  process.stdout.write(`mmo-gateway listening on ws://${address.host}:${address.port}/ws\n`);
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    gateway
      .drain()
      .then(() => node.close())
      .then(() => redis?.quit())
      .then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'drain failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`mmo-gateway: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
