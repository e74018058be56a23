import { type Clock, type TimerHandle, systemClock } from '@mmo/protocol';
import { ConfigError } from '../config/config-error.js';
import { type ClusterLogger, errorMessage, silentClusterLogger } from './cluster-logger.js';
import type { NodeInfo, NodeRegistry } from './node-registry.js';

/** Options of {@link NodeHeartbeat}. */
export interface NodeHeartbeatOptions {
  registry: NodeRegistry;
  /** This node's current record (called at every heartbeat, so `connections` stays current). */
  describe: () => NodeInfo;
  /** @default systemClock */
  clock?: Clock;
  /**
   * Time between heartbeats.
   * @default 2000
   */
  heartbeatIntervalMs?: number;
  /**
   * Time to live of each heartbeat: how long a dead node stays listed. Must exceed the interval.
   * @default 6000
   */
  nodeTtlMs?: number;
  /** @default silent */
  logger?: ClusterLogger;
}

/** Defaults of {@link NodeHeartbeatOptions}. */
export const nodeHeartbeatDefaults = Object.freeze({
  heartbeatIntervalMs: 2000,
  // Three intervals: two heartbeats may be lost (a slow Redis reply, a GC pause) before the node drops out.
  nodeTtlMs: 6000,
});

/**
 * Keeps one node listed in a {@link NodeRegistry}: a heartbeat at start, then every interval on the
 * injected clock (never two at once). Failures are logged (once per outage) and retried at the
 * next interval; `isHealthy()` says whether the last one succeeded.
 * @example
 * const hb = new NodeHeartbeat({ registry, describe: () => ({ nodeId, address, startedAt, connections: gw.connections.size }) });
 * hb.start();
 */
export class NodeHeartbeat {
  private readonly registry: NodeRegistry;
  private readonly describe: () => NodeInfo;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly ttlMs: number;
  private readonly logger: ClusterLogger;
  private timer: TimerHandle | undefined;
  private running = false;
  private stopped = false;
  private inFlight: Promise<void> | undefined;
  private healthy = false;
  private failing = false;

  constructor(options: NodeHeartbeatOptions) {
    this.registry = options.registry;
    this.describe = options.describe;
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.heartbeatIntervalMs ?? nodeHeartbeatDefaults.heartbeatIntervalMs;
    this.ttlMs = options.nodeTtlMs ?? nodeHeartbeatDefaults.nodeTtlMs;
    this.logger = options.logger ?? silentClusterLogger;
    if (!(this.intervalMs > 0)) throw new ConfigError('heartbeatIntervalMs', 'must be > 0');
    if (!(this.ttlMs > this.intervalMs)) throw new ConfigError('nodeTtlMs', `must exceed heartbeatIntervalMs (${this.intervalMs})`);
  }

  /** Sends a heartbeat now and then every interval. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.loop();
  }

  /** True when the last heartbeat reached the registry. */
  isHealthy(): boolean {
    return this.healthy;
  }

  /** Sends one heartbeat now; resolves when it settled (never rejects). */
  beat(): Promise<void> {
    if (this.inFlight !== undefined) return this.inFlight;
    const info = this.describe();
    const run = this.registry.heartbeat(info, this.clock.now(), this.ttlMs).then(
      () => {
        if (this.failing) this.logger.info({ nodeId: info.nodeId }, 'node heartbeat: registry reachable again');
        this.failing = false;
        this.healthy = !this.stopped;
      },
      (error: unknown) => {
        if (!this.failing) this.logger.warn({ nodeId: info.nodeId, err: errorMessage(error) }, 'node heartbeat failed; retrying every interval');
        this.failing = true;
        this.healthy = false;
      },
    );
    this.inFlight = run.finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Stops heartbeating; by default removes this node's record so peers see it leave at once. */
  async stop(options: { remove?: boolean } = {}): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    // A heartbeat in flight is not awaited (its reply may never come while Redis is down); the
    // removal goes out after it on the same connection, so it wins.
    this.healthy = false;
    if (options.remove ?? true) {
      const nodeId = this.describe().nodeId;
      await this.registry.remove(nodeId).catch((error: unknown) => {
        this.logger.warn({ nodeId, err: errorMessage(error) }, 'node heartbeat: could not remove the record; it expires by itself');
      });
    }
  }

  private loop(): void {
    if (!this.running) return;
    void this.beat().then(() => {
      if (this.running) this.timer = this.clock.setTimeout(() => this.loop(), this.intervalMs);
    });
  }
}
