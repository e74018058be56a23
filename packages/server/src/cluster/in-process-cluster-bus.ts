import { BusBase } from './bus-base.js';
import type { ClusterBusOptions } from './cluster-bus.js';
import type { ClusterLogger } from './cluster-logger.js';

/**
 * Connects {@link InProcessClusterBus} instances of one process, like Redis connects nodes: give
 * several buses the same hub to simulate a cluster in a test. Holds no messages, only who listens.
 */
export class InProcessClusterHub {
  private readonly listeners = new Map<string, Set<InProcessClusterBus>>();

  /** @internal */
  join(topic: string, bus: InProcessClusterBus): void {
    let set = this.listeners.get(topic);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(bus);
  }

  /** @internal */
  leave(topic: string, bus: InProcessClusterBus): void {
    const set = this.listeners.get(topic);
    if (set === undefined) return;
    set.delete(bus);
    if (set.size === 0) this.listeners.delete(topic);
  }

  /** @internal Delivers on a microtask, so a publish never re-enters handlers synchronously (as with Redis). */
  send(topic: string, frame: Uint8Array): void {
    const set = this.listeners.get(topic);
    if (set === undefined) return;
    const targets = [...set];
    queueMicrotask(() => {
      for (const bus of targets) bus.receive(topic, frame);
    });
  }
}

/** Options of {@link InProcessClusterBus}. */
export interface InProcessClusterBusOptions extends ClusterBusOptions {
  /**
   * Hub shared with the other buses of this "cluster".
   * @default a hub of its own (a single node)
   */
  hub?: InProcessClusterHub;
  /** @default silent */
  logger?: ClusterLogger;
}

/**
 * The embedded default bus: one process is the whole cluster. Messages go through the same codec
 * as with Redis (a handler gets its own copy, JSON rules apply), so code tested here behaves the
 * same on Redis. Always healthy until closed.
 * @example
 * const hub = new InProcessClusterHub();
 * const a = new InProcessClusterBus({ hub, nodeId: 'a' });
 * const b = new InProcessClusterBus({ hub, nodeId: 'b' });
 */
export class InProcessClusterBus extends BusBase {
  private readonly hub: InProcessClusterHub;

  constructor(options: InProcessClusterBusOptions = {}) {
    super(options);
    this.hub = options.hub ?? new InProcessClusterHub();
  }

  isHealthy(): boolean {
    return !this.closed;
  }

  protected send(topic: string, frame: Uint8Array): Promise<void> {
    this.hub.send(topic, frame);
    return Promise.resolve();
  }

  protected topicAdded(topic: string): void {
    this.hub.join(topic, this);
    this.confirm(topic);
  }

  protected topicRemoved(topic: string): void {
    this.hub.leave(topic, this);
  }

  /** @internal */
  receive(topic: string, frame: Uint8Array): void {
    this.deliver(topic, frame);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const topic of this.clearTopics()) this.hub.leave(topic, this);
    this.emit('health', false);
  }
}
