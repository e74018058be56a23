#!/usr/bin/env node
// mmo-demo-server: the demo game on @mmo/server, plus the built web demo on / (see README).
import { pino } from 'pino';
import { DemoConfigError, readDemoCliConfig, usage, type DemoCliConfig } from './cli-config.js';
import { createDemoServer } from './demo-server.js';

async function main(): Promise<void> {
  let config: DemoCliConfig | 'help';
  try {
    config = readDemoCliConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof DemoConfigError) {
      process.stderr.write(`mmo-demo-server: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (config === 'help') {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const logger = pino({ level: config.logLevel, name: 'mmo-demo' });
  if (config.devTokens) {
    // Loud on purpose, and outside the JSON logs so nobody misses it.
    process.stderr.write(
      '\n  !!! DEV TOKENS ON: GET /dev/token?name=ANYONE signs a login for any name.\n' +
        '  !!! For a local demo only; never expose this server.\n\n',
    );
  }
  const demo = createDemoServer({
    port: config.port,
    host: config.host,
    devTokens: config.devTokens,
    jwtSecret: config.jwtSecret,
    logger,
    ...(config.staticDir === undefined ? {} : { staticDir: config.staticDir }),
    ...(config.seed === undefined ? {} : { seed: config.seed }),
  });
  const { url } = await demo.listen();
  // One plain line that scripts and tests wait for.
  process.stdout.write(`demo: open ${url}\n`);
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    demo.close().then(
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
  process.stderr.write(`mmo-demo-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
