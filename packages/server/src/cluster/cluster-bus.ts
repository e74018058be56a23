import type { ClusterPayload, ClusterTopic } from './topics.js';

/** Who sent a message and on which topic. */
export interface ClusterMessageMeta {
  readonly topic: string;
  /** Node id of the publishing bus. */
  readonly from: string;
}

/** Receives the messages of one topic. Errors it throws are logged and counted, never rethrown. */
export type ClusterHandler<T extends ClusterPayload = ClusterPayload> = (message: T, meta: ClusterMessageMeta) => void;

/** Stops one subscription (idempotent). `ready` resolves once the backend delivers to it. */
export interface ClusterSubscription {
  (): void;
  /**
   * Resolves once messages published from now on reach this handler (Redis confirmed the
   * SUBSCRIBE; at once in process). Never rejects: while Redis is down it waits for the
   * re-subscription after the reconnect, and resolves at once after close.
   */
  readonly ready: Promise<void>;
}

/** Counters of a bus since it was created (exported as metrics, see the package README, "Several nodes with Redis"). */
export interface ClusterBusStats {
  /** Messages accepted by the backend. */
  published: number;
  /** Publishes that failed (rejected with a ClusterError). */
  publishFailed: number;
  /** Handler invocations. */
  delivered: number;
  /** Received messages dropped: undecodable (`malformed`) or refused by the topic (`invalid`). */
  droppedMalformed: number;
  droppedInvalid: number;
  /** Handlers that threw. */
  handlerErrors: number;
  /** Redis reconnects after which every topic was subscribed again. */
  resubscribes: number;
}

/** Events of a bus. */
export interface ClusterBusEvents {
  /** Health changed: true when publishing and every subscription work, false when they do not. */
  health: [healthy: boolean];
}

/**
 * Cross-node messaging: publish to a topic, every subscription to that topic on every node
 * (including the publishing one) receives it, at most once. Nothing is queued while the backend is
 * down: a publish then fails fast, so callers decide what to retry.
 *
 * Implementations: {@link InProcessClusterBus} (embedded default), {@link RedisClusterBus}.
 * @example
 * const off = bus.subscribe(clusterTopics.toZone('forest'), (message, { from }) => fanOut(message));
 * await off.ready;
 * await bus.publish(clusterTopics.toZone('forest'), { chat: 'hi' }).catch(logPublishFailure);
 */
export interface ClusterBus {
  /** This node's id (the `from` of what it publishes). */
  readonly nodeId: string;
  /**
   * Publishes one message. Rejects with a {@link ClusterError} (never throws synchronously):
   * REDIS_UNAVAILABLE, PUBLISH_BACKPRESSURE, MESSAGE_TOO_LARGE, INVALID_MESSAGE, BUS_CLOSED.
   * Fire-and-forget callers must attach a `.catch`.
   */
  publish<T extends ClusterPayload>(topic: ClusterTopic<T> | string, message: T): Promise<void>;
  /**
   * Calls `handler` for every message on `topic` until the returned function is called. Throws
   * {@link ClusterError} TOO_MANY_TOPICS or BUS_CLOSED.
   */
  subscribe<T extends ClusterPayload>(topic: ClusterTopic<T> | string, handler: ClusterHandler<T>): ClusterSubscription;
  /** True when publishing and every subscription work now. */
  isHealthy(): boolean;
  /** Counters since creation (a copy). */
  stats(): ClusterBusStats;
  /** Listens for {@link ClusterBusEvents}. */
  on<K extends keyof ClusterBusEvents>(event: K, listener: (...args: ClusterBusEvents[K]) => void): this;
  off<K extends keyof ClusterBusEvents>(event: K, listener: (...args: ClusterBusEvents[K]) => void): this;
  /** Unsubscribes everything; later publishes reject with BUS_CLOSED. Never quits a client it was given. */
  close(): Promise<void>;
}

/** Options shared by every {@link ClusterBus}. */
export interface ClusterBusOptions {
  /**
   * This node's id, at most 255 UTF-8 bytes; unique per process.
   * @default `node-<random>`
   */
  nodeId?: string;
  /**
   * Largest encoded message in bytes (payload plus a 2-byte header and the node id).
   * @default 262_144 (256 KiB)
   */
  maxMessageBytes?: number;
  /**
   * Most distinct topics subscribed at once (one per local user, zone and node, typically).
   * @default 100_000
   */
  maxTopics?: number;
}

/** Defaults of {@link ClusterBusOptions} (nodeId excepted). */
export const clusterBusDefaults = Object.freeze({
  // Game messages are small; a larger one is a bug or abuse, and Redis copies it to every node.
  maxMessageBytes: 256 * 1024,
  // A Redis channel costs ~100 bytes on the server and a map entry here.
  maxTopics: 100_000,
});
