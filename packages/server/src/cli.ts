#!/usr/bin/env node
// mmo-gateway: runs the gateway from flags and MMO_* environment variables (see README).
import { pino } from 'pino';
import { isConfigError } from './config/config-error.js';
import { readCliConfig, usage } from './config/cli-config.js';
import { createGateway } from './gateway/create-gateway.js';

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
  let gateway;
  try {
    gateway = createGateway({ ...config.gateway, logger });
  } catch (error) {
    if (isConfigError(error)) {
      process.stderr.write(`mmo-gateway: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (config.redisUrl !== undefined) {
    logger.warn('MMO_REDIS_URL is set, but this version runs embedded only (in-memory sessions, presence and bus)');
  }
  const address = await gateway.listen();
  process.stdout.write(`mmo-gateway listening on ws://${address.host}:${address.port}/ws\n`);
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    gateway.drain().then(
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
