/**
 * The slice of a pino logger the cluster code writes to, so a gateway passes its own logger and
 * tests pass a recorder. Defaults to {@link silentClusterLogger}.
 */
export interface ClusterLogger {
  debug(context: object, message: string): void;
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

const ignore = (): void => {};

/** A logger that drops everything. */
export const silentClusterLogger: ClusterLogger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });

/** Message of an unknown thrown value, for a log line. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
