import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics of state sync, registered beside the gateway's. */
export interface SyncMetrics {
  /** Time one zone tick took (inputs, simulation, every viewer's output), seconds. */
  readonly tickDuration: Histogram<'zone'>;
  /** Ticks skipped because a zone fell behind by more than one period. */
  readonly tickOverruns: Counter<'zone'>;
  /** Movement inputs rejected by anti-cheat validation, by rule. */
  readonly movementRejections: Counter<'reason'>;
  /** Movement inputs dropped because a player queued more than `maxQueuedInputs` between ticks. */
  readonly inputsDropped: Counter;
  /** Game hooks that threw, by hook name. */
  readonly hookErrors: Counter<'hook'>;
  /** Entities per zone. */
  readonly zoneEntities: Gauge<'zone'>;
  /** Entity records held back by a client's byte budget. */
  readonly recordsDeferred: Counter;
  /** Client ticks skipped because the client's write queue was over `maxBacklogBytes`. */
  readonly viewersSkipped: Counter;
}

/** Creates the state-sync metrics in `registry` (the gateway's, so one /metrics shows both). */
export function createSyncMetrics(registry: Registry): SyncMetrics {
  const registers = [registry];
  return {
    tickDuration: new Histogram({
      name: 'mmo_tick_duration_seconds',
      help: 'Zone tick duration',
      labelNames: ['zone'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.1, 0.25],
      registers,
    }),
    tickOverruns: new Counter({ name: 'mmo_tick_overruns_total', help: 'Ticks skipped to get back on schedule', labelNames: ['zone'], registers }),
    movementRejections: new Counter({ name: 'mmo_movement_rejections_total', help: 'Movement inputs rejected by validation', labelNames: ['reason'], registers }),
    inputsDropped: new Counter({ name: 'mmo_inputs_dropped_total', help: 'Movement inputs dropped from a full queue', registers }),
    hookErrors: new Counter({ name: 'mmo_hook_errors_total', help: 'Gameplay hooks that threw', labelNames: ['hook'], registers }),
    zoneEntities: new Gauge({ name: 'mmo_zone_entities', help: 'Entities per zone', labelNames: ['zone'], registers }),
    recordsDeferred: new Counter({ name: 'mmo_state_records_deferred_total', help: 'Entity records deferred by byte budgets', registers }),
    viewersSkipped: new Counter({ name: 'mmo_state_viewers_skipped_total', help: 'Client ticks skipped for write backlog', registers }),
  };
}
