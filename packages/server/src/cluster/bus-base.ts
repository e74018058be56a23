import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { decodeBusMessage, encodeBusMessage, encodeNodeId } from './bus-codec.js';
import type { ClusterBus, ClusterBusEvents, ClusterBusOptions, ClusterBusStats, ClusterHandler, ClusterSubscription } from './cluster-bus.js';
import { clusterBusDefaults } from './cluster-bus.js';
import { ClusterError, ClusterErrorCode } from './cluster-error.js';
import { type ClusterLogger, errorMessage, silentClusterLogger } from './cluster-logger.js';
import type { ClusterPayload, ClusterTopic } from './topics.js';

interface HandlerEntry {
  readonly handler: ClusterHandler;
  readonly accepts: ((message: ClusterPayload) => boolean) | undefined;
}

interface TopicEntry {
  readonly handlers: Set<HandlerEntry>;
  /** Pending until the backend confirmed the subscription; undefined once confirmed. */
  pending: { promise: Promise<void>; resolve: () => void } | undefined;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const RESOLVED = Promise.resolve();

/**
 * What both buses share: the topic table, limits, encoding, dispatch and counters. Subclasses only
 * move frames (`send`) and (un)subscribe topics on their backend.
 */
export abstract class BusBase extends EventEmitter<ClusterBusEvents> implements ClusterBus {
  readonly nodeId: string;
  protected readonly logger: ClusterLogger;
  protected readonly counters: ClusterBusStats = {
    published: 0,
    publishFailed: 0,
    delivered: 0,
    droppedMalformed: 0,
    droppedInvalid: 0,
    handlerErrors: 0,
    resubscribes: 0,
  };
  protected closed = false;
  private readonly fromBytes: Uint8Array;
  private readonly maxMessageBytes: number;
  private readonly maxTopics: number;
  private readonly topics = new Map<string, TopicEntry>();

  protected constructor(options: ClusterBusOptions & { logger?: ClusterLogger | undefined }) {
    super();
    this.nodeId = options.nodeId ?? `node-${randomUUID().slice(0, 8)}`;
    this.fromBytes = encodeNodeId(this.nodeId);
    this.maxMessageBytes = options.maxMessageBytes ?? clusterBusDefaults.maxMessageBytes;
    this.maxTopics = options.maxTopics ?? clusterBusDefaults.maxTopics;
    this.logger = options.logger ?? silentClusterLogger;
  }

  /** Hands one frame to the backend for every subscriber of `topic`. */
  protected abstract send(topic: string, frame: Uint8Array): Promise<void>;
  /** The first handler of `topic` arrived: start receiving it, then call {@link confirm}. */
  protected abstract topicAdded(topic: string): void;
  /** The last handler of `topic` left. */
  protected abstract topicRemoved(topic: string): void;
  abstract isHealthy(): boolean;
  abstract close(): Promise<void>;

  publish<T extends ClusterPayload>(topic: ClusterTopic<T> | string, message: T): Promise<void> {
    const name = typeof topic === 'string' ? topic : topic.name;
    let frame: Uint8Array;
    try {
      if (this.closed) throw new ClusterError(ClusterErrorCode.BUS_CLOSED, 'cluster bus is closed');
      frame = encodeBusMessage(this.fromBytes, message);
      if (frame.length > this.maxMessageBytes) {
        throw new ClusterError(ClusterErrorCode.MESSAGE_TOO_LARGE, `message of ${frame.length} bytes exceeds maxMessageBytes (${this.maxMessageBytes})`);
      }
    } catch (error) {
      this.counters.publishFailed++;
      return Promise.reject(error);
    }
    return this.send(name, frame).then(
      () => {
        this.counters.published++;
      },
      (error: unknown) => {
        this.counters.publishFailed++;
        throw error;
      },
    );
  }

  subscribe<T extends ClusterPayload>(topic: ClusterTopic<T> | string, handler: ClusterHandler<T>): ClusterSubscription {
    if (this.closed) throw new ClusterError(ClusterErrorCode.BUS_CLOSED, 'cluster bus is closed');
    const name = typeof topic === 'string' ? topic : topic.name;
    const entry: HandlerEntry = {
      handler: handler as ClusterHandler,
      accepts: typeof topic === 'string' ? undefined : topic.accepts,
    };
    let topicEntry = this.topics.get(name);
    const first = topicEntry === undefined;
    if (topicEntry === undefined) {
      if (this.topics.size >= this.maxTopics) {
        throw new ClusterError(ClusterErrorCode.TOO_MANY_TOPICS, `already subscribed to maxTopics (${this.maxTopics}) topics`);
      }
      topicEntry = { handlers: new Set(), pending: deferred() };
      this.topics.set(name, topicEntry);
    }
    topicEntry.handlers.add(entry);
    const ready = topicEntry.pending?.promise ?? RESOLVED;
    if (first) this.topicAdded(name);
    let active = true;
    const unsubscribe = () => {
      if (!active) return;
      active = false;
      const current = this.topics.get(name);
      if (current === undefined || !current.handlers.delete(entry) || current.handlers.size > 0) return;
      this.topics.delete(name);
      current.pending?.resolve();
      if (!this.closed) this.topicRemoved(name);
    };
    return Object.assign(unsubscribe, { ready });
  }

  stats(): ClusterBusStats {
    return { ...this.counters };
  }

  /** Topics with at least one handler. */
  protected topicNames(): string[] {
    return [...this.topics.keys()];
  }

  protected hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  /** The backend delivers to `topic` now: resolves its subscriptions' `ready`. */
  protected confirm(topic: string): void {
    const entry = this.topics.get(topic);
    if (entry?.pending === undefined) return;
    entry.pending.resolve();
    entry.pending = undefined;
  }

  /** Drops every topic (on close): every pending `ready` resolves. */
  protected clearTopics(): string[] {
    const names = this.topicNames();
    for (const entry of this.topics.values()) entry.pending?.resolve();
    this.topics.clear();
    return names;
  }

  /** Decodes a received frame once and calls every handler of the topic that accepts it. */
  protected deliver(topic: string, frame: Uint8Array): void {
    const entry = this.topics.get(topic);
    if (entry === undefined || this.closed) return;
    const decoded = decodeBusMessage(frame);
    if (decoded === undefined) {
      this.counters.droppedMalformed++;
      this.logger.debug({ topic, bytes: frame.length }, 'cluster bus: dropped a malformed message');
      return;
    }
    const meta = { topic, from: decoded.from };
    // A copy: a handler may unsubscribe (itself or others) while we iterate.
    for (const h of [...entry.handlers]) {
      if (h.accepts !== undefined && !h.accepts(decoded.message)) {
        this.counters.droppedInvalid++;
        this.logger.debug({ topic, from: decoded.from }, 'cluster bus: dropped a message the topic does not accept');
        continue;
      }
      this.counters.delivered++;
      try {
        h.handler(decoded.message, meta);
      } catch (error) {
        this.counters.handlerErrors++;
        this.logger.error({ topic, from: decoded.from, err: errorMessage(error) }, 'cluster bus: handler threw');
      }
    }
  }
}
