import { type Clock, createPackedMovementCodec, ErrorCode, MessageType, type mmo, Priority, systemClock, type TimerHandle } from '@mmo/protocol';
import type { ClusterBus, ClusterMessageMeta } from '../cluster/cluster-bus.js';
import { clusterTopics, type ClusterPayload } from '../cluster/topics.js';
import type { ZoneOwnership } from '../cluster/zone-ownership.js';
import type { NodeRegistry } from '../cluster/node-registry.js';
import { isClusterError } from '../cluster/cluster-error.js';
import type { Gateway } from '../gateway/create-gateway.js';
import { HandlerError } from '../router/handler-error.js';
import type { HandlerContext, MmoConnectionInfo } from '../router/router.js';
import type { GameplayHooks } from '../sync/gameplay-hooks.js';
import { toInput } from '../sync/state-sync.js';
import type { SyncMetrics } from '../sync/sync-metrics.js';
import { TickLoop } from '../sync/tick-loop.js';
import type { ViewerSink } from '../sync/viewer.js';
import { Zone } from '../sync/zone.js';
import { resolveZoneOptions, type ZoneOptions } from '../sync/zone-options.js';
import { ZoneHost } from './zone-host.js';
import { HostedZonePlacements, type ZonePlacementStore } from './zone-placements.js';
import { decodeDeliveries, decodeMove, DeliveryMode, encodeMove, FRAME_DELIVER, FRAME_MOVE } from './zone-wire.js';

/** Options of {@link createClusterZones}. */
export interface ClusterZonesOptions {
  gateway: Gateway;
  bus: ClusterBus;
  ownership: ZoneOwnership;
  /** Membership, read by each owner to drop the players of nodes that died. */
  nodes: NodeRegistry;
  /** This node's id (the bus's and the ownership's). */
  nodeId: string;
  /** Zones of the cluster; a player joins `zoneOf(info)`. */
  zones: readonly string[];
  /**
   * Zone of a player: the token's `zone` claim when it is a configured zone, else the first zone.
   * @default by the `zone` claim
   */
  zoneOf?: (info: MmoConnectionInfo) => string;
  /** Ticks per second of every zone. @default 20 */
  tickRate?: number;
  /** Settings of every zone. @default zoneDefaults */
  zone?: ZoneOptions;
  /** Game hooks of every zone (run on the owner). @default none */
  hooks?: GameplayHooks;
  metrics: SyncMetrics;
  /** @default systemClock */
  clock?: Clock;
  /**
   * How often an owner announces itself on `toZone(<zone>)` (with its player count per node, so a
   * node whose joins were lost sends them again) and drops the players of dead nodes, in ms.
   * @default 1000
   */
  announceIntervalMs?: number;
  /**
   * Where an owner saves its players' last positions and rotations (with each announcement, one
   * write per zone) and a new owner reads them after a takeover, so players keep their place.
   * @default none: after a takeover players respawn at the spawn point
   */
  placements?: ZonePlacementStore;
  /**
   * How long a new owner keeps carrying stored placements of players that have not come back yet
   * (a dead node's clients resuming on another node), in ms.
   * @default 30000
   */
  keepPlacementsMs?: number;
}

/** Defaults of {@link ClusterZonesOptions}. */
export const clusterZonesDefaults = Object.freeze({
  tickRate: 20,
  // A lost join or a takeover is repaired within a second; one small message per zone per second.
  announceIntervalMs: 1000,
  // The session grace period is 60 s, but most clients resume within their reconnect backoff.
  keepPlacementsMs: 30_000,
});

/** Zones simulated across the cluster (see README: "Zones across nodes"). */
export interface ClusterZones {
  /** Zones this node simulates now. */
  hosted(): string[];
  /** The owner this node knows of for a zone. */
  ownerOf(zoneId: string): string | undefined;
  /** Stops every local simulation and handler. */
  stop(): void;
}

/** A player whose socket (or detached session) is on this node. */
interface LocalPlayer {
  userId: string;
  zoneId: string;
  /** The socket that carries the session now; undefined while detached (grace period). */
  connectionId: string | undefined;
}

/** Control messages on `toNode(<owner>)` (JSON); moves and deliveries are binary frames. */
type NodeControl =
  | { k: 'join'; z: string; s: string; u: string; a: boolean }
  | { k: 'detach'; z: string; s: string }
  | { k: 'leave'; z: string; s: string }
  | { k: 'sync'; z: string; p: Array<[sessionId: string, userId: string, attached: boolean]> }
  | { k: 'action'; z: string; s: string; b: string };

/** What an owner announces on `toZone(<zone>)`. */
interface OwnerAnnouncement {
  k: 'owner';
  z: string;
  /** Fencing token of the lease. */
  t: number;
  /** Current tick, for the TIME_SYNC answers of other nodes. */
  tick: number;
  /** Players per connection node. */
  c: Record<string, number>;
}

function isControl(m: ClusterPayload): m is NodeControl {
  const v = m as Record<string, unknown>;
  return typeof v['k'] === 'string' && typeof v['z'] === 'string';
}
function isAnnouncement(m: ClusterPayload): m is OwnerAnnouncement {
  const v = m as Record<string, unknown>;
  return !(m instanceof Uint8Array) && v['k'] === 'owner' && typeof v['z'] === 'string' && typeof v['t'] === 'number' && typeof v['c'] === 'object' && v['c'] !== null;
}

/**
 * Each zone is simulated by exactly one node, the holder of its lease. Players connected to other
 * nodes are forwarded: their join, detach and leave (JSON) and PLAYER_MOVE / PLAYER_ACTION go to
 * `toNode(owner)`; the owner runs their entity and viewer, and publishes each tick's messages for
 * them in one frame per connection node, which writes them to the local socket as if the zone were
 * local (state NORMAL and never shed, actions reliable, corrections volatile). After a takeover the
 * new owner announces itself and every node sends its players again (they are placed where the
 * old owner last saved them with `placements`, else at the spawn point; the client gets a new
 * ZONE_UPDATE and snapshot).
 */
export function createClusterZones(options: ClusterZonesOptions): ClusterZones {
  const { gateway, bus, ownership, nodes, nodeId, metrics } = options;
  const clock = options.clock ?? systemClock;
  const tickRate = options.tickRate ?? clusterZonesDefaults.tickRate;
  const announceIntervalMs = options.announceIntervalMs ?? clusterZonesDefaults.announceIntervalMs;
  const placementStore = options.placements;
  const keepPlacementsMs = options.keepPlacementsMs ?? clusterZonesDefaults.keepPlacementsMs;
  const configured = new Set(options.zones);
  const firstZone = options.zones[0] ?? 'default';
  const zoneOf =
    options.zoneOf ??
    ((info: MmoConnectionInfo) => {
      const claim = info.claims['zone'];
      return typeof claim === 'string' && configured.has(claim) ? claim : firstZone;
    });
  const log = gateway.logger;
  const registry = gateway.registry;
  const local = new Map<string, LocalPlayer>();
  const hosts = new Map<string, ZoneHost>();
  /** Owner of each zone as last announced (or ourselves), with its token and tick. */
  const owners = new Map<string, { nodeId: string; token: number; tick: number; atMs: number }>();
  const subscriptions: Array<() => void> = [];
  let announceTimer: TimerHandle | undefined;
  let stopped = false;
  /** One warning per kind of publish failure and outage, not one per message. */
  let publishFailing = false;
  let placementsFailing = false;
  const placementsFailed = (zoneId: string, error: unknown) => {
    if (!placementsFailing) log.warn({ nodeId, zone: zoneId, err: error instanceof Error ? error.message : String(error) }, 'zone placements not read or saved; players respawn at the spawn point after a takeover');
    placementsFailing = true;
  };
  const placementsWorked = () => {
    if (placementsFailing) log.info({ nodeId }, 'zone placements saved again');
    placementsFailing = false;
  };

  const publish = (topic: string, message: ClusterPayload) => {
    bus.publish(topic, message).then(
      () => {
        if (publishFailing) log.info({ nodeId }, 'cluster zone messages flowing again');
        publishFailing = false;
      },
      (error: unknown) => {
        if (!publishFailing) log.warn({ nodeId, err: isClusterError(error) ? error.code : String(error) }, 'cluster zone message not sent');
        publishFailing = true;
      },
    );
  };
  const toOwner = (zoneId: string, message: NodeControl | Uint8Array) => {
    const owner = owners.get(zoneId);
    if (owner === undefined || hosts.has(zoneId)) return false;
    publish(clusterTopics.toNode(owner.nodeId).name, message);
    return true;
  };

  const localSink = (sessionId: string, connectionId: string): ViewerSink => {
    const connection = gateway.connections.get(connectionId);
    return {
      get backlogBytes() {
        return connection?.queuedBytes ?? Number.POSITIVE_INFINITY;
      },
      sendState: (type, payload) => connection?.send(type, payload, { reliable: false, priority: Priority.NORMAL, sheddable: false }) ?? false,
      sendReliable: (type, payload) => gateway.sendToSession(sessionId, type, payload, { reliable: true }),
      sendVolatile: (type, payload, priority) => connection?.send(type, payload, { reliable: false, priority }) ?? false,
      flush: () => connection?.flush(),
    };
  };

  const startHost = (zoneId: string, token: number) => {
    const zone = new Zone({ ...options.zone, id: zoneId, tickIntervalMs: 1000 / tickRate, hooks: options.hooks ?? {}, logger: log, metrics });
    const placements = placementStore === undefined ? undefined : new HostedZonePlacements(zone, clock.now(), keepPlacementsMs);
    const host = new ZoneHost({
      zone,
      nodeId,
      token,
      registry,
      tickRate,
      localSink,
      publish: (topic, frame) => bus.publish(topic, frame),
      onPublishError: (error) => {
        if (!publishFailing) log.warn({ nodeId, zone: zoneId, err: isClusterError(error) ? error.code : String(error) }, 'zone output not delivered to a node');
        publishFailing = true;
      },
      ...(placements === undefined ? {} : { onPlayerCreated: (sessionId: string) => placements.created(sessionId), onPlayerLeft: (sessionId: string) => placements.left(sessionId) }),
    });
    host.placements = placements;
    const tickLoop = new TickLoop({
      clock,
      tickRate,
      onTick: (tick) => {
        try {
          host.step(tick, clock.now());
          gateway.metrics.stateUpdateLatency.observe({ update_type: 'tick' }, Math.max(0, clock.now() - tickLoop.slotTimeMs(tick)) / 1000);
        } catch (error) {
          metrics.hookErrors.inc({ hook: 'tick' });
          log.error({ err: error, zone: zoneId, tick }, 'zone tick failed');
        }
      },
      onTickMeasured: (sample) => metrics.tickDuration.observe({ zone: zoneId }, sample.durationMs / 1000),
      onOverrun: (info) => {
        metrics.tickOverruns.inc({ zone: zoneId }, info.skippedTicks);
        log.warn({ zone: zoneId, ...info }, 'zone tick overran');
      },
    });
    host.tickLoop = tickLoop;
    hosts.set(zoneId, host);
    owners.set(zoneId, { nodeId, token, tick: 0, atMs: clock.now() });
    for (const [sessionId, p] of local) {
      if (p.zoneId === zoneId) host.join(sessionId, p.userId, nodeId, p.connectionId);
    }
    tickLoop.start();
    log.info({ zone: zoneId, token, players: zone.playerCount }, 'simulating zone');
    announce(host);
    if (placements !== undefined && placementStore !== undefined) {
      // Read the previous owner's record before writing ours; players joined meanwhile are placed when it arrives.
      placementStore.load(zoneId).then(
        (stored) => {
          if (hosts.get(zoneId) !== host) return;
          placements.loadedWith(stored);
          if (stored.size > 0) log.info({ zone: zoneId, stored: stored.size }, 'placed players where they stood before the takeover');
        },
        (error: unknown) => {
          placementsFailed(zoneId, error);
          if (hosts.get(zoneId) === host) placements.loadedWith(new Map());
        },
      );
    }
  };
  const stopHost = (zoneId: string, reason: string) => {
    const host = hosts.get(zoneId);
    if (host === undefined) return;
    host.tickLoop?.stop();
    hosts.delete(zoneId);
    if (owners.get(zoneId)?.nodeId === nodeId) owners.delete(zoneId);
    metrics.zoneEntities.set({ zone: zoneId }, 0);
    log.warn({ zone: zoneId, reason }, 'stopped simulating zone');
  };

  const announce = (host: ZoneHost) => {
    const message: OwnerAnnouncement = { k: 'owner', z: host.zone.id, t: host.token, tick: host.tickLoop?.currentTick ?? 0, c: host.countsByNode() };
    publish(clusterTopics.toZone(host.zone.id).name, message);
  };
  const savePlacements = (host: ZoneHost) => {
    const placements = host.placements;
    if (placementStore === undefined || placements === undefined || !placements.isLoaded) return;
    placementStore.save(host.zone.id, placements.snapshot(host.sessions(), clock.now())).then(placementsWorked, (error: unknown) => placementsFailed(host.zone.id, error));
  };
  const announceAll = async () => {
    for (const host of hosts.values()) {
      announce(host);
      savePlacements(host);
    }
    if (hosts.size === 0) return;
    // Players of nodes that are gone (crashed; their clients resume elsewhere and join again).
    let alive: Set<string>;
    try {
      alive = new Set((await nodes.members()).map((m) => m.nodeId));
    } catch {
      return;
    }
    alive.add(nodeId);
    for (const host of hosts.values()) {
      const dropped = host.dropNodesNotIn(alive);
      if (dropped > 0) log.info({ zone: host.zone.id, dropped }, 'removed players of nodes that left the cluster');
      metrics.zoneEntities.set({ zone: host.zone.id }, host.zone.entityCount);
    }
  };
  const armAnnounce = () => {
    announceTimer = clock.setTimeout(() => {
      announceAll().finally(() => {
        if (!stopped) armAnnounce();
      });
    }, announceIntervalMs);
  };

  /** Sends an owner every local player of the zone (after a takeover or lost joins). */
  const sendSync = (zoneId: string) => {
    const p: Array<[string, string, boolean]> = [];
    for (const [sessionId, player] of local) if (player.zoneId === zoneId) p.push([sessionId, player.userId, player.connectionId !== undefined]);
    toOwner(zoneId, { k: 'sync', z: zoneId, p });
  };
  const localCount = (zoneId: string) => {
    let n = 0;
    for (const p of local.values()) if (p.zoneId === zoneId) n++;
    return n;
  };

  const onAnnouncement = (message: OwnerAnnouncement, meta: ClusterMessageMeta) => {
    if (meta.from === nodeId || !configured.has(message.z)) return;
    const known = owners.get(message.z);
    if (hosts.has(message.z)) {
      // Two owners for a moment (ours is expiring): the higher token wins; our ownership will report the loss.
      if (message.t <= (known?.token ?? 0)) return;
      stopHost(message.z, 'another node holds a newer lease');
    }
    owners.set(message.z, { nodeId: meta.from, token: message.t, tick: message.tick, atMs: clock.now() });
    const changed = known === undefined || known.nodeId !== meta.from || known.token !== message.t;
    if (changed) log.info({ zone: message.z, owner: meta.from, token: message.t }, 'zone owner');
    if (changed || (message.c[nodeId] ?? 0) !== localCount(message.z)) sendSync(message.z);
  };

  const onNodeMessage = (message: ClusterPayload, meta: ClusterMessageMeta) => {
    if (message instanceof Uint8Array) {
      if (message[0] === FRAME_MOVE) return onForwardedMove(message, meta.from);
      if (message[0] === FRAME_DELIVER) return onDeliveries(message, meta.from);
      return;
    }
    if (!isControl(message)) return;
    const host = hosts.get(message.z);
    if (host === undefined) return; // Not ours (any more): the sender learns the owner from announcements.
    switch (message.k) {
      case 'join':
        host.join(message.s, message.u, meta.from, message.a ? meta.from : undefined);
        break;
      case 'detach':
        host.detach(message.s, meta.from);
        break;
      case 'leave':
        host.leave(message.s, meta.from);
        break;
      case 'sync':
        host.syncNode(meta.from, message.p);
        break;
      case 'action':
        runRemoteAction(host, message, meta.from);
        break;
    }
    metrics.zoneEntities.set({ zone: host.zone.id }, host.zone.entityCount);
  };

  const packed = new Map<string, ReturnType<typeof createPackedMovementCodec>>();
  const packedOf = (host: ZoneHost) => {
    let codec = packed.get(host.zone.id);
    if (codec === undefined) packed.set(host.zone.id, (codec = createPackedMovementCodec(host.zone.options.codec)));
    return codec;
  };
  const onForwardedMove = (frame: Uint8Array, from: string) => {
    const { zoneId, sessionId, payload } = decodeMove(frame);
    const host = hosts.get(zoneId);
    if (host === undefined || host.originOf(sessionId) !== from) return;
    const entity = host.zone.playerOfSession(sessionId);
    if (entity === undefined) return;
    try {
      const move = registry.unpack(MessageType.PLAYER_MOVE, payload) as mmo.v1.IPlayerMovement;
      host.zone.queueInput(entity, toInput(move, clock.now(), packedOf(host)));
    } catch {
      // Checked on the connection's node already; a frame that still fails is dropped.
    }
  };
  const onDeliveries = (frame: Uint8Array, from: string) => {
    const { zoneId, sessions } = decodeDeliveries(frame);
    const owner = owners.get(zoneId);
    if (owner !== undefined && owner.nodeId !== from) return; // A former owner still finishing a tick.
    for (const [sessionId, messages] of sessions) {
      const player = local.get(sessionId);
      if (player === undefined || player.zoneId !== zoneId) continue;
      const connection = player.connectionId === undefined ? undefined : gateway.connections.get(player.connectionId);
      for (const m of messages) {
        let payload: unknown;
        try {
          payload = registry.unpack(m.type, m.bytes);
        } catch {
          continue;
        }
        if (m.mode === DeliveryMode.reliable) gateway.sendToSession(sessionId, m.type, payload, { reliable: true });
        else if (connection !== undefined && connection.state === 'open') {
          if (m.mode === DeliveryMode.state) connection.send(m.type, payload, { reliable: false, priority: Priority.NORMAL, sheddable: false });
          else connection.send(m.type, payload, { reliable: false, priority: m.priority });
        }
      }
    }
  };

  const validateAndBroadcast = (host: ZoneHost, sessionId: string, userId: string, payload: mmo.v1.IPlayerAction) => {
    const actor = host.zone.playerOfSession(sessionId);
    if (actor === undefined) throw new HandlerError(ErrorCode.NOT_FOUND, 'the player is not in a zone');
    const action: mmo.v1.IPlayerAction = { ...payload, playerId: userId, timestamp: clock.now() };
    const hooks = options.hooks ?? {};
    if (hooks.validateAction !== undefined) {
      let verdict: boolean | string;
      try {
        verdict = hooks.validateAction(actor, action);
      } catch (error) {
        log.error({ err: error, zone: host.zone.id, entity: actor.id, hook: 'validateAction' }, 'gameplay hook failed');
        metrics.hookErrors.inc({ hook: 'validateAction' });
        throw new HandlerError(ErrorCode.ACTION_REJECTED, 'action could not be validated');
      }
      if (verdict !== true) throw new HandlerError(ErrorCode.ACTION_REJECTED, typeof verdict === 'string' ? verdict : 'action rejected');
    }
    host.zone.broadcastAction(actor, action);
  };
  const runRemoteAction = (host: ZoneHost, message: Extract<NodeControl, { k: 'action' }>, from: string) => {
    if (host.originOf(message.s) !== from) return;
    const userId = host.zone.playerOfSession(message.s)?.data.get('userId');
    try {
      const payload = registry.unpack(MessageType.PLAYER_ACTION, Buffer.from(message.b, 'base64')) as mmo.v1.IPlayerAction;
      validateAndBroadcast(host, message.s, String(userId ?? ''), payload);
    } catch {
      // A rejected remote action is dropped: the owner cannot answer the client's request directly.
    }
  };

  // Gateway side: players of this node.
  const onConnection = (info: MmoConnectionInfo) => {
    const zoneId = zoneOf(info);
    local.set(info.sessionId, { userId: info.userId, zoneId, connectionId: info.connectionId });
    const host = hosts.get(zoneId);
    if (host !== undefined) host.join(info.sessionId, info.userId, nodeId, info.connectionId);
    else toOwner(zoneId, { k: 'join', z: zoneId, s: info.sessionId, u: info.userId, a: true });
  };
  const onDisconnect = (info: MmoConnectionInfo) => {
    const player = local.get(info.sessionId);
    if (player === undefined || player.connectionId !== info.connectionId) return;
    player.connectionId = undefined;
    const host = hosts.get(player.zoneId);
    if (host !== undefined) host.detach(info.sessionId, nodeId);
    else toOwner(player.zoneId, { k: 'detach', z: player.zoneId, s: info.sessionId });
  };
  const onEnded = (session: { id: string }) => {
    const player = local.get(session.id);
    if (player === undefined) return;
    local.delete(session.id);
    const host = hosts.get(player.zoneId);
    if (host !== undefined) {
      host.leave(session.id, nodeId);
      metrics.zoneEntities.set({ zone: player.zoneId }, host.zone.entityCount);
    } else toOwner(player.zoneId, { k: 'leave', z: player.zoneId, s: session.id });
  };
  const onMove = (ctx: HandlerContext<mmo.v1.IPlayerMovement>) => {
    const player = local.get(ctx.connection.sessionId);
    if (player === undefined) return;
    const host = hosts.get(player.zoneId);
    if (host !== undefined) {
      const entity = host.zone.playerOfSession(ctx.connection.sessionId);
      if (entity !== undefined) host.zone.queueInput(entity, toInput(ctx.payload, clock.now(), packedOf(host)));
      return;
    }
    // Checked here, so the client hears about a bad move; the owner re-reads the same bytes.
    toInput(ctx.payload, clock.now(), createPackedMovementCodecCached(player.zoneId));
    toOwner(player.zoneId, encodeMove(player.zoneId, ctx.connection.sessionId, registry.pack(MessageType.PLAYER_MOVE, ctx.payload)));
  };
  const remoteCodecs = new Map<string, ReturnType<typeof createPackedMovementCodec>>();
  const createPackedMovementCodecCached = (zoneId: string) => {
    let codec = remoteCodecs.get(zoneId);
    if (codec === undefined) {
      // Same settings as the owner's zone (every node runs one configuration).
      codec = createPackedMovementCodec(resolveZoneOptions(options.zone).codec);
      remoteCodecs.set(zoneId, codec);
    }
    return codec;
  };
  const onAction = (ctx: HandlerContext<mmo.v1.IPlayerAction>) => {
    const player = local.get(ctx.connection.sessionId);
    if (player === undefined) throw new HandlerError(ErrorCode.NOT_FOUND, 'the player is not in a zone');
    const host = hosts.get(player.zoneId);
    if (host !== undefined) return validateAndBroadcast(host, ctx.connection.sessionId, ctx.connection.userId, ctx.payload);
    const b = Buffer.from(registry.pack(MessageType.PLAYER_ACTION, ctx.payload)).toString('base64');
    if (!toOwner(player.zoneId, { k: 'action', z: player.zoneId, s: ctx.connection.sessionId, b })) {
      throw new HandlerError(ErrorCode.NOT_FOUND, 'the zone has no owner right now');
    }
  };

  gateway.router.on(MessageType.PLAYER_MOVE, onMove);
  gateway.router.on(MessageType.PLAYER_ACTION, onAction);
  gateway.events.on('connection', onConnection);
  gateway.events.on('disconnect', onDisconnect);
  gateway.events.on('sessionEnded', onEnded);
  gateway.setTickInfo((info) => {
    // The tick of the asking player's zone: our own loop, or the owner's last announcement advanced by the clock.
    const zoneId = local.get(info.sessionId)?.zoneId ?? zoneOf(info);
    const host = hosts.get(zoneId);
    if (host?.tickLoop !== undefined) return { tick: host.tickLoop.currentTick, tickRate };
    const o = owners.get(zoneId);
    return { tick: o === undefined ? 0 : o.tick + Math.floor(((clock.now() - o.atMs) * tickRate) / 1000), tickRate };
  });
  subscriptions.push(bus.subscribe(clusterTopics.toNode(nodeId), onNodeMessage));
  for (const zoneId of configured) {
    subscriptions.push(bus.subscribe(clusterTopics.toZone(zoneId), (m, meta) => {
      if (isAnnouncement(m)) onAnnouncement(m, meta);
    }));
  }
  ownership.on('acquired', startHost);
  ownership.on('lost', stopHost);
  armAnnounce();

  return {
    hosted: () => [...hosts.keys()],
    ownerOf: (zoneId) => owners.get(zoneId)?.nodeId,
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (announceTimer !== undefined) clock.clearTimeout(announceTimer);
      // A drain hands the zones over at once: the next owner finds where everyone stands now.
      for (const host of hosts.values()) savePlacements(host);
      for (const zoneId of [...hosts.keys()]) stopHost(zoneId, 'stopping');
      for (const off of subscriptions) off();
      ownership.off('acquired', startHost);
      ownership.off('lost', stopHost);
      gateway.router.off(MessageType.PLAYER_MOVE);
      gateway.router.off(MessageType.PLAYER_ACTION);
      gateway.events.off('connection', onConnection);
      gateway.events.off('disconnect', onDisconnect);
      gateway.events.off('sessionEnded', onEnded);
    },
  };
}
