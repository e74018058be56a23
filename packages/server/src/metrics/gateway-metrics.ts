import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BatchedCount } from './batched-count.js';
import { LabelledCache } from './labelled.js';

/** Options of {@link createGatewayMetrics}. */
export interface GatewayMetricsOptions {
  /**
   * Registry to register into; a fresh one per gateway by default (never prom-client's global, so
   * two gateways in one process, or tests, do not collide).
   */
  registry?: Registry;
  /**
   * Also collect Node process metrics (CPU, memory, event-loop lag).
   * @default true
   */
  collectProcessMetrics?: boolean;
  /** Constant labels added to every series (e.g. `{ node: 'gw-1' }`). */
  defaultLabels?: Record<string, string>;
}

/**
 * Per-message-type counters of one direction, memoised (see {@link LabelledCache}); what they
 * count reaches `messages` and `bandwidthBytes` at each scrape (see {@link BatchedCount}).
 */
export interface TrafficCounters {
  messages: LabelledCache<BatchedCount>;
  bytes: LabelledCache<BatchedCount>;
}

/** Every metric the gateway exports. Names of the seed are kept (`mmorpg_*`). */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Hot-path views of `messages` and `bandwidthBytes` by direction and type name. */
  readonly traffic: { in: TrafficCounters; out: TrafficCounters };
  /** Hot-path view of `handlerDuration` by type name. */
  readonly handlerDurationByType: LabelledCache<{ observe(value: number): void }>;
  /** Players with an established session, by region and zone. */
  readonly playersOnline: Gauge<'region' | 'zone'>;
  /** Time from a state change to its send, by update type. */
  readonly stateUpdateLatency: Histogram<'update_type'>;
  /** Bytes on the wire, by direction (in/out) and message type name. */
  readonly bandwidthBytes: Counter<'direction' | 'message_type'>;
  /** Messages, by direction and type name. */
  readonly messages: Counter<'direction' | 'message_type'>;
  /** Open WebSocket connections. */
  readonly connectionsActive: Gauge;
  /** Accepted WebSocket connections since start. */
  readonly connectionsTotal: Counter;
  /** Upgrades refused before the 101, by reason. */
  readonly upgradesRefused: Counter<'reason'>;
  /** Connections closed, by close code. */
  readonly closes: Counter<'code'>;
  /** Connections closed because they could not keep up. */
  readonly slowConsumerCloses: Counter;
  /** Handler run time, by message type name. */
  readonly handlerDuration: Histogram<'message_type'>;
  /** Handler outcomes other than success, by type name and error code. */
  readonly handlerErrors: Counter<'message_type' | 'code'>;
  /** Bytes waiting in all connections' write queues (sampled at scrape). */
  readonly writeQueueBytes: Gauge;
  /** Volatile messages dropped by write-queue shedding. */
  readonly messagesShed: Counter;
  /** Malformed input, by ProtocolError or ErrorNotification code. */
  readonly protocolErrors: Counter<'code'>;
  /** Messages refused by per-type rate limits. */
  readonly rateLimited: Counter<'message_type'>;
  /** Round-trip time reported by heartbeats and measured by pings, seconds. */
  readonly rtt: Histogram;
}

/** Creates the gateway's metrics in their own registry. */
export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels(options.defaultLabels);
  if (options.collectProcessMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // The traffic counters add up in plain numbers on the hot path and reach prom-client when a
  // scrape (or `get()`) collects their counter: each counter flushes its own series.
  const messageCounts: Array<LabelledCache<BatchedCount>> = [];
  const byteCounts: Array<LabelledCache<BatchedCount>> = [];
  const flush = (caches: Array<LabelledCache<BatchedCount>>) => (): void => {
    for (const cache of caches) for (const count of cache.values()) count.flush();
  };
  const messages = new Counter({ name: 'mmo_messages_total', help: 'Messages by direction and type', labelNames: ['direction', 'message_type'], registers, collect: flush(messageCounts) });
  const bandwidthBytes = new Counter({ name: 'mmorpg_bandwidth_bytes_total', help: 'Bytes on the wire', labelNames: ['direction', 'message_type'], registers, collect: flush(byteCounts) });
  const handlerDuration = new Histogram({
    name: 'mmo_handler_duration_seconds',
    help: 'Message handler run time',
    labelNames: ['message_type'],
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers,
  });
  const traffic = (direction: 'in' | 'out'): TrafficCounters => {
    const counters = {
      messages: new LabelledCache((type) => new BatchedCount(messages.labels(direction, type))),
      bytes: new LabelledCache((type) => new BatchedCount(bandwidthBytes.labels(direction, type))),
    };
    messageCounts.push(counters.messages);
    byteCounts.push(counters.bytes);
    return counters;
  };
  return {
    registry,
    traffic: { in: traffic('in'), out: traffic('out') },
    handlerDurationByType: new LabelledCache((type) => handlerDuration.labels(type)),
    messages,
    bandwidthBytes,
    handlerDuration,
    playersOnline: new Gauge({ name: 'mmorpg_players_online', help: 'Players with an established session', labelNames: ['region', 'zone'], registers }),
    stateUpdateLatency: new Histogram({
      name: 'mmorpg_state_update_latency_seconds',
      help: 'Time from a state change to its send',
      labelNames: ['update_type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    connectionsActive: new Gauge({ name: 'mmo_connections_active', help: 'Open WebSocket connections', registers }),
    connectionsTotal: new Counter({ name: 'mmo_connections_total', help: 'Accepted WebSocket connections', registers }),
    upgradesRefused: new Counter({ name: 'mmo_upgrades_refused_total', help: 'Upgrades refused before the 101, by reason', labelNames: ['reason'], registers }),
    closes: new Counter({ name: 'mmo_connection_closes_total', help: 'Connections closed, by close code', labelNames: ['code'], registers }),
    slowConsumerCloses: new Counter({ name: 'mmo_slow_consumer_closes_total', help: 'Connections closed because their write queue overflowed', registers }),
    handlerErrors: new Counter({ name: 'mmo_handler_errors_total', help: 'Handler failures by type and code', labelNames: ['message_type', 'code'], registers }),
    writeQueueBytes: new Gauge({ name: 'mmo_write_queue_bytes', help: 'Bytes waiting in write queues', registers }),
    messagesShed: new Counter({ name: 'mmo_messages_shed_total', help: 'Volatile messages dropped or coalesced by write-queue shedding', registers }),
    protocolErrors: new Counter({ name: 'mmo_protocol_errors_total', help: 'Malformed input by code', labelNames: ['code'], registers }),
    rateLimited: new Counter({ name: 'mmo_rate_limited_total', help: 'Messages refused by rate limits', labelNames: ['message_type'], registers }),
    rtt: new Histogram({
      name: 'mmo_rtt_seconds',
      help: 'Client round-trip time',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2],
      registers,
    }),
  };
}
