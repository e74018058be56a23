import {
  type Clock,
  createPackedMovementCodec,
  ErrorCode,
  MessageType,
  type mmo,
  Priority,
  systemClock,
} from '@mmo/protocol';
import type { Gateway } from '../gateway/create-gateway.js';
import { HandlerError } from '../router/handler-error.js';
import type { HandlerContext, MmoConnectionInfo } from '../router/router.js';
import type { GameplayHooks, QueuedInput } from './gameplay-hooks.js';
import { createSyncMetrics, type SyncMetrics } from './sync-metrics.js';
import { TickLoop, tickLoopDefaults } from './tick-loop.js';
import type { ViewerSink } from './viewer.js';
import { Zone } from './zone.js';
import type { ZoneOptions } from './zone-options.js';

/** Options of {@link createStateSync}. */
export interface StateSyncOptions {
  /**
   * Ticks per second of the zone (1..128).
   * @default 20
   */
  tickRate?: number;
  /**
   * Id of the zone every player joins.
   * @default 'default'
   */
  zoneId?: string;
  /** Settings of the zone (interest radii, anti-cheat, byte budget, …). @default zoneDefaults */
  zone?: ZoneOptions;
  /** Game hooks. @default none: players walk, see each other, and wave */
  hooks?: GameplayHooks;
  /** Clock of the tick loop; use the gateway's. @default systemClock */
  clock?: Clock;
  /**
   * Start ticking at once.
   * @default true
   */
  autoStart?: boolean;
  /** Metrics; by default created in the gateway's registry. */
  metrics?: SyncMetrics;
}

/** State sync attached to a gateway: one zone, its tick loop, and the message handlers. */
export interface StateSync {
  readonly zone: Zone;
  readonly tickLoop: TickLoop;
  readonly metrics: SyncMetrics;
  /** Starts the tick loop (no-op when running). */
  start(): void;
  /** Stops the tick loop and the handlers (the gateway keeps running). */
  stop(): void;
}

/**
 * Attaches server-authoritative state sync to a gateway: every player whose session connects
 * joins the zone as an entity; PLAYER_MOVE inputs are queued, validated and applied at the next
 * tick; each client gets a snapshot of what it sees and then per-tick deltas; PLAYER_ACTION goes
 * at once (reliable) to everyone who sees the actor; TIME_SYNC answers carry the tick.
 * @example
 * const gateway = createGateway({ port: 0, auth: { jwtSecret } });
 * const sync = createStateSync(gateway, { tickRate: 20, hooks: { onViolation: (v) => log(v) } });
 * await gateway.listen();
 */
export function createStateSync(gateway: Gateway, options: StateSyncOptions = {}): StateSync {
  const clock = options.clock ?? systemClock;
  const tickRate = options.tickRate ?? tickLoopDefaults.tickRate;
  const metrics = options.metrics ?? createSyncMetrics(gateway.metrics.registry);
  const hooks = options.hooks ?? {};
  // The loop validates the rate; build it first so a bad rate fails before anything is attached.
  let zone: Zone | undefined;
  const zoneId = options.zoneId ?? 'default';
  const tickLoop = new TickLoop({
    clock,
    tickRate,
    onTick: (tick) => {
      try {
        zone!.step(tick, clock.now());
        // From the tick's due time (inputs cut off) to every client's deltas queued.
        gateway.metrics.stateUpdateLatency.observe({ update_type: 'tick' }, Math.max(0, clock.now() - tickLoop.slotTimeMs(tick)) / 1000);
      } catch (error) {
        // A bug must not stop the world: log it, count it, and tick on.
        metrics.hookErrors.inc({ hook: 'tick' });
        gateway.logger.error({ err: error, zone: zoneId, tick }, 'zone tick failed');
      }
    },
    onTickMeasured: (sample) => metrics.tickDuration.observe({ zone: zoneId }, sample.durationMs / 1000),
    onOverrun: (info) => {
      metrics.tickOverruns.inc({ zone: zoneId }, info.skippedTicks);
      gateway.logger.warn({ zone: zoneId, ...info }, 'zone tick overran');
    },
  });
  zone = new Zone({
    ...options.zone,
    id: zoneId,
    tickIntervalMs: 1000 / tickRate,
    hooks,
    logger: gateway.logger,
    metrics,
    // The player's session holds it whether or not a socket does (replayed on resume).
    sendToPlayer: (entity, type, payload) => gateway.sendToSession(entity.externalId, type, payload, { reliable: true }),
  });
  const z = zone;
  const packed = createPackedMovementCodec(z.options.codec);
  /** The connection each player's viewer writes to (a resume replaces it). */
  const viewerConnection = new Map<string, string>();

  const sinkFor = (info: MmoConnectionInfo): ViewerSink => {
    const connection = gateway.connections.get(info.connectionId);
    return {
      get backlogBytes() {
        return connection?.queuedBytes ?? Number.POSITIVE_INFINITY;
      },
      sendState: (type, payload) =>
        connection?.send(type, payload, { reliable: false, priority: Priority.NORMAL, sheddable: false }) ?? false,
      sendReliable: (type, payload) => gateway.sendToSession(info.sessionId, type, payload, { reliable: true }),
      sendVolatile: (type, payload, priority) => connection?.send(type, payload, { reliable: false, priority }) ?? false,
      flush: () => connection?.flush(),
    };
  };

  const onConnection = (info: MmoConnectionInfo) => {
    const entity = z.joinPlayer(info.userId, info.sessionId);
    const sink = sinkFor(info);
    z.attachViewer(entity, sink);
    viewerConnection.set(info.sessionId, info.connectionId);
    const b = z.options.bounds;
    sink.sendState(MessageType.ZONE_UPDATE, {
      zoneId,
      zoneName: zoneId,
      playerCount: z.playerCount,
      boundsMin: { ...b.min },
      boundsMax: { ...b.max },
      tickRate,
      selfEntityId: entity.id,
    });
    metrics.zoneEntities.set({ zone: zoneId }, z.entityCount);
  };
  const onDisconnect = (info: MmoConnectionInfo) => {
    // Only the socket that carries the view detaches it (a resume may have replaced it already).
    if (viewerConnection.get(info.sessionId) !== info.connectionId) return;
    viewerConnection.delete(info.sessionId);
    const entity = z.playerOfSession(info.sessionId);
    if (entity !== undefined) z.detachViewer(entity);
  };
  const onEnded = (session: { id: string }) => {
    viewerConnection.delete(session.id);
    const entity = z.playerOfSession(session.id);
    if (entity !== undefined) z.leavePlayer(entity);
    metrics.zoneEntities.set({ zone: zoneId }, z.entityCount);
  };

  const onMove = (ctx: HandlerContext<mmo.v1.IPlayerMovement>) => {
    const entity = z.playerOfSession(ctx.connection.sessionId);
    if (entity === undefined) return;
    z.queueInput(entity, toInput(ctx.payload, clock.now(), packed));
  };
  const onAction = (ctx: HandlerContext<mmo.v1.IPlayerAction>) => {
    const actor = z.playerOfSession(ctx.connection.sessionId);
    if (actor === undefined) throw new HandlerError(ErrorCode.NOT_FOUND, 'the player is not in a zone');
    // The server names the actor: a client cannot act for someone else.
    const action: mmo.v1.IPlayerAction = { ...ctx.payload, playerId: ctx.connection.userId, timestamp: clock.now() };
    if (hooks.validateAction !== undefined) {
      let verdict: boolean | string;
      try {
        verdict = hooks.validateAction(actor, action);
      } catch (error) {
        gateway.logger.error({ err: error, zone: zoneId, entity: actor.id, hook: 'validateAction' }, 'gameplay hook failed');
        metrics.hookErrors.inc({ hook: 'validateAction' });
        throw new HandlerError(ErrorCode.ACTION_REJECTED, 'action could not be validated');
      }
      if (verdict !== true) {
        throw new HandlerError(ErrorCode.ACTION_REJECTED, typeof verdict === 'string' ? verdict : 'action rejected');
      }
    }
    z.broadcastAction(actor, action);
  };

  gateway.router.on(MessageType.PLAYER_MOVE, onMove);
  gateway.router.on(MessageType.PLAYER_ACTION, onAction);
  gateway.events.on('connection', onConnection);
  gateway.events.on('disconnect', onDisconnect);
  gateway.events.on('sessionEnded', onEnded);
  gateway.setTickInfo(() => ({ tick: tickLoop.currentTick, tickRate }));

  const sync: StateSync = {
    zone: z,
    tickLoop,
    metrics,
    start: () => {
      if (!tickLoop.isRunning) tickLoop.start();
    },
    stop: () => {
      tickLoop.stop();
      gateway.router.off(MessageType.PLAYER_MOVE);
      gateway.router.off(MessageType.PLAYER_ACTION);
      gateway.events.off('connection', onConnection);
      gateway.events.off('disconnect', onDisconnect);
      gateway.events.off('sessionEnded', onEnded);
    },
  };
  gateway.events.once('draining', () => tickLoop.stop());
  if (options.autoStart ?? true) sync.start();
  return sync;
}

/**
 * PLAYER_MOVE as the zone queues it; `packed` (PackedMovement) wins over the float fields. Throws a
 * HandlerError (INVALID_PAYLOAD) for a move without timestamp or position. Used by the cluster's zones too.
 */
export function toInput(m: mmo.v1.IPlayerMovement, receivedAtMs: number, packed: ReturnType<typeof createPackedMovementCodec>): QueuedInput {
  const clientTimeMs = Number(m.timestamp ?? 0);
  if (!(clientTimeMs > 0)) {
    throw new HandlerError(ErrorCode.INVALID_PAYLOAD, 'PLAYER_MOVE needs timestamp (the client clock, ms)');
  }
  if (m.packed !== undefined && m.packed !== null && m.packed.length > 0) {
    let p;
    try {
      p = packed.decode(m.packed);
    } catch (error) {
      throw new HandlerError(ErrorCode.INVALID_PAYLOAD, `PLAYER_MOVE packed does not decode: ${(error as Error).message}`);
    }
    return { inputTick: p.inputTick, position: p.position, rotation: p.rotation, velocity: p.velocity, clientTimeMs, flags: p.flags, receivedAtMs };
  }
  const position = m.position;
  if (position === undefined || position === null) throw new HandlerError(ErrorCode.INVALID_PAYLOAD, 'PLAYER_MOVE needs position or packed');
  const rotation = m.rotation ?? undefined;
  const velocity = m.velocity ?? undefined;
  return {
    inputTick: m.inputTick ?? 0,
    position: { x: position.x ?? 0, y: position.y ?? 0, z: position.z ?? 0 },
    rotation: rotation === undefined ? undefined : { x: rotation.x ?? 0, y: rotation.y ?? 0, z: rotation.z ?? 0, w: rotation.w ?? 0 },
    velocity: velocity === undefined ? undefined : { x: velocity.x ?? 0, y: velocity.y ?? 0, z: velocity.z ?? 0 },
    clientTimeMs,
    flags: m.inputFlags ?? 0,
    receivedAtMs,
  };
}
