#!/usr/bin/env node
// mmo-bots: a bot swarm against a gateway, with a live progress line and a final report (README).
import { isBotsConfigError, readBotsConfig, usage, type BotsConfig } from './config.js';
import { formatProgress, formatReport, type SwarmReport } from './report.js';
import { createSwarm } from './swarm.js';

/** How often the progress line is rewritten. */
const PROGRESS_INTERVAL_MS = 1_000;
/** Time given to the bots' close frames to leave before the process exits. */
const CLOSE_GRACE_MS = 250;
/** Exit code of a second SIGINT (128 + SIGINT), which skips the report. */
const EXIT_ABORTED = 130;

function main(): void {
  let config: BotsConfig | 'help';
  try {
    config = readBotsConfig(process.argv.slice(2), process.env, process.stderr.isTTY === true);
  } catch (error) {
    if (isBotsConfigError(error)) {
      process.stderr.write(`mmo-bots: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (config === 'help') {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const { json, progress, seconds } = config;

  const swarm = createSwarm({ config });
  swarm.start();
  const progressTimer = progress
    ? setInterval(() => process.stderr.write(`\r${formatProgress(swarm.progress())}\x1b[K`), PROGRESS_INTERVAL_MS)
    : undefined;

  let finished = false;
  const finish = (reason: SwarmReport['reason']) => {
    if (finished) return;
    finished = true;
    clearTimeout(runTimer);
    if (progressTimer !== undefined) {
      clearInterval(progressTimer);
      process.stderr.write('\r\x1b[K');
    }
    const report = swarm.stop(reason);
    const text = json ? JSON.stringify(report) : formatReport(report);
    process.stdout.write(`${text}\n`, () => {
      setTimeout(() => process.exit(report.exitCode), CLOSE_GRACE_MS).unref();
    });
    process.exitCode = report.exitCode;
  };
  const runTimer = setTimeout(() => finish('finished'), seconds * 1000);
  const onSignal = () => {
    if (finished) process.exit(EXIT_ABORTED);
    finish('interrupted');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main();
