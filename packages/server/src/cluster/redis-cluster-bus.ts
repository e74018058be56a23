import { type Clock, type TimerHandle, systemClock } from '@mmo/protocol';
import type { Redis } from 'ioredis';
import { BusBase } from './bus-base.js';
import type { ClusterBusOptions } from './cluster-bus.js';
import { ClusterError, ClusterErrorCode } from './cluster-error.js';
import { type ClusterLogger, errorMessage } from './cluster-logger.js';

/** Options of {@link RedisClusterBus}. */
export interface RedisClusterBusOptions extends ClusterBusOptions {
  /**
   * Prefix of every channel (`<prefix>bus:<topic>`), so several games or environments share a Redis.
   * @default 'mmo:'
   */
  keyPrefix?: string;
  /**
   * Most bytes of publishes sent to Redis and not yet confirmed (ioredis queues commands while a
   * connection breaks); past it a publish rejects with PUBLISH_BACKPRESSURE instead of growing memory.
   * @default 16_777_216 (16 MiB)
   */
  maxPendingPublishBytes?: number;
  /**
   * Wait before trying again when re-subscribing after a reconnect failed on a live connection.
   * @default 1000
   */
  resubscribeRetryMs?: number;
  /** Clock of the re-subscribe retry timer. @default systemClock */
  clock?: Clock;
  /** @default silent */
  logger?: ClusterLogger;
}

/** Defaults of {@link RedisClusterBusOptions}. */
export const redisClusterBusDefaults = Object.freeze({
  keyPrefix: 'mmo:',
  // About a second of a busy node's fan-out: enough to ride out a slow reply, small enough to bound.
  maxPendingPublishBytes: 16 * 1024 * 1024,
  resubscribeRetryMs: 1000,
});

/**
 * The connections of a {@link RedisClusterBus}: one client (its subscriber connection is then a
 * `duplicate()` the bus owns and closes), or a publisher and a subscriber the caller owns.
 */
export type RedisClusterBusConnections = { redis: Redis } | { publisher: Redis; subscriber: Redis };

// Channels subscribed per SUBSCRIBE command when re-subscribing (keeps each reply small).
const RESUBSCRIBE_BATCH = 1000;

/**
 * Cluster bus over Redis pub/sub: one channel per topic, binary payloads. Takes existing ioredis
 * clients and never quits them. While Redis is down, publishes reject at once with
 * REDIS_UNAVAILABLE (nothing is queued), `isHealthy()` is false and a `health` event fires; ioredis
 * reconnects with its backoff, then the bus subscribes every topic again and turns healthy.
 * Attaches its own `error` listeners, so a dead Redis never surfaces as an unhandled error event.
 * @example
 * const bus = new RedisClusterBus({ redis }, { nodeId: 'gw-1', logger });
 */
export class RedisClusterBus extends BusBase {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly ownsSubscriber: boolean;
  private readonly channelPrefix: string;
  private readonly maxPendingPublishBytes: number;
  private readonly resubscribeRetryMs: number;
  private readonly clock: Clock;
  private readonly detach: Array<() => void> = [];
  private pendingPublishBytes = 0;
  /** The subscriber is ready and every topic is subscribed on its current connection. */
  private synced: boolean;
  private hadConnection: boolean;
  private healthy = false;
  private lastError: string | undefined;
  private retryTimer: TimerHandle | undefined;

  constructor(connections: RedisClusterBusConnections, options: RedisClusterBusOptions = {}) {
    super(options);
    if ('redis' in connections) {
      this.publisher = connections.redis;
      this.subscriber = connections.redis.duplicate();
      this.ownsSubscriber = true;
    } else {
      this.publisher = connections.publisher;
      this.subscriber = connections.subscriber;
      this.ownsSubscriber = false;
    }
    this.channelPrefix = `${options.keyPrefix ?? redisClusterBusDefaults.keyPrefix}bus:`;
    this.maxPendingPublishBytes = options.maxPendingPublishBytes ?? redisClusterBusDefaults.maxPendingPublishBytes;
    this.resubscribeRetryMs = options.resubscribeRetryMs ?? redisClusterBusDefaults.resubscribeRetryMs;
    this.clock = options.clock ?? systemClock;
    this.synced = this.subscriber.status === 'ready';
    this.hadConnection = this.synced;

    this.listen(this.subscriber, 'messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel, message));
    for (const [role, client] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      this.listen(client, 'error', (error: Error) => this.onError(role, error));
      for (const event of ['close', 'end', 'reconnecting', 'connect']) this.listen(client, event, () => this.onStatus(role));
      this.listen(client, 'ready', () => (role === 'subscriber' ? this.resubscribe() : this.updateHealth()));
      // A lazyConnect client would otherwise never connect: publishes fail fast until it is ready.
      if (client.status === 'wait') client.connect().catch(() => {});
    }
    this.updateHealth();
  }

  isHealthy(): boolean {
    return this.healthy;
  }

  protected send(topic: string, frame: Uint8Array): Promise<void> {
    if (this.publisher.status !== 'ready') {
      return Promise.reject(new ClusterError(ClusterErrorCode.REDIS_UNAVAILABLE, `Redis publisher is ${this.publisher.status}`));
    }
    const bytes = frame.byteLength;
    if (this.pendingPublishBytes + bytes > this.maxPendingPublishBytes) {
      return Promise.reject(
        new ClusterError(ClusterErrorCode.PUBLISH_BACKPRESSURE, `${this.pendingPublishBytes} bytes of publishes await Redis (maxPendingPublishBytes ${this.maxPendingPublishBytes})`),
      );
    }
    this.pendingPublishBytes += bytes;
    const payload = Buffer.from(frame.buffer, frame.byteOffset, bytes);
    return this.publisher.publish(this.channelPrefix + topic, payload).then(
      () => {
        this.pendingPublishBytes -= bytes;
      },
      (error: unknown) => {
        this.pendingPublishBytes -= bytes;
        throw new ClusterError(ClusterErrorCode.REDIS_UNAVAILABLE, `Redis PUBLISH failed: ${errorMessage(error)}`, { cause: error });
      },
    );
  }

  protected topicAdded(topic: string): void {
    // Sent even while disconnected (ioredis may queue it); the re-subscribe on 'ready' covers the rest.
    this.subscriber.subscribe(this.channelPrefix + topic).then(
      () => {
        if (this.hasTopic(topic)) this.confirm(topic);
      },
      (error: unknown) => this.logger.debug({ topic, err: errorMessage(error) }, 'cluster bus: SUBSCRIBE failed; retried after reconnect'),
    );
  }

  protected topicRemoved(topic: string): void {
    this.subscriber.unsubscribe(this.channelPrefix + topic).catch((error: unknown) => {
      // A reconnect re-subscribes only the topics still wanted, so nothing leaks.
      this.logger.debug({ topic, err: errorMessage(error) }, 'cluster bus: UNSUBSCRIBE failed');
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    const channels = this.clearTopics().map((t) => this.channelPrefix + t);
    for (const off of this.detach.splice(0)) off();
    if (this.ownsSubscriber) {
      this.subscriber.disconnect();
    } else if (channels.length > 0 && this.subscriber.status === 'ready') {
      await this.subscriber.unsubscribe(...channels).catch(() => {});
    }
    this.updateHealth();
  }

  private listen(client: Redis, event: string, listener: (...args: never[]) => void): void {
    const fn = listener as (...args: unknown[]) => void;
    client.on(event, fn);
    this.detach.push(() => client.off(event, fn));
  }

  private onMessage(channel: Buffer, message: Buffer): void {
    const name = channel.toString('utf8');
    if (!name.startsWith(this.channelPrefix)) return; // another user of a shared subscriber connection
    this.deliver(name.slice(this.channelPrefix.length), new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
  }

  private onError(role: string, error: Error): void {
    const message = errorMessage(error);
    // ioredis emits one error per failed reconnect attempt: the first of an outage is a warning.
    if (this.healthy || this.lastError === undefined) {
      this.logger.warn({ role, err: message }, 'cluster bus: Redis error; publishes fail fast until it is back');
    } else {
      this.logger.debug({ role, err: message }, 'cluster bus: Redis still unavailable');
    }
    this.lastError = message;
  }

  private onStatus(role: 'publisher' | 'subscriber'): void {
    if (role === 'subscriber' && this.subscriber.status !== 'ready') this.synced = false;
    this.updateHealth();
  }

  private resubscribe(): void {
    if (this.closed) return;
    if (this.retryTimer !== undefined) {
      this.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    const topics = this.topicNames();
    const batches: Array<Promise<unknown>> = [];
    for (let i = 0; i < topics.length; i += RESUBSCRIBE_BATCH) {
      batches.push(this.subscriber.subscribe(...topics.slice(i, i + RESUBSCRIBE_BATCH).map((t) => this.channelPrefix + t)));
    }
    Promise.all(batches).then(
      () => {
        if (this.closed || this.subscriber.status !== 'ready') return;
        for (const t of topics) if (this.hasTopic(t)) this.confirm(t);
        if (this.hadConnection) {
          this.counters.resubscribes++;
          this.logger.info({ topics: topics.length }, 'cluster bus: Redis reconnected, topics subscribed again');
        }
        this.hadConnection = true;
        this.synced = true;
        this.updateHealth();
      },
      (error: unknown) => {
        this.logger.warn({ topics: topics.length, err: errorMessage(error) }, 'cluster bus: re-subscribing failed; retrying');
        if (this.closed || this.subscriber.status !== 'ready') return; // the next 'ready' retries
        this.retryTimer = this.clock.setTimeout(() => this.resubscribe(), this.resubscribeRetryMs);
      },
    );
  }

  private updateHealth(): void {
    const healthy = !this.closed && this.publisher.status === 'ready' && this.subscriber.status === 'ready' && this.synced;
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    if (healthy) {
      this.lastError = undefined;
    } else if (!this.closed) {
      this.logger.warn(
        { publisher: this.publisher.status, subscriber: this.subscriber.status, err: this.lastError },
        'cluster bus: Redis unavailable; not ready, reconnecting with backoff',
      );
    }
    this.emit('health', healthy);
  }
}
