import { MessageType, type MessageRegistry } from '@mmo/protocol';
import { clusterTopics } from '../cluster/topics.js';
import type { TickLoop } from '../sync/tick-loop.js';
import type { ViewerSink } from '../sync/viewer.js';
import type { Zone } from '../sync/zone.js';
import type { HostedZonePlacements } from './zone-placements.js';
import { type DeliveredMessage, DeliveryMode, encodeDeliveries } from './zone-wire.js';

/** Bytes of remote viewers' messages packed into one bus frame before another is started (below the bus's 256 KiB limit). */
const MAX_FRAME_BYTES = 192 * 1024;

/** What a {@link ZoneHost} needs from its node. */
export interface ZoneHostDeps {
  zone: Zone;
  nodeId: string;
  /** Fencing token of the lease this node holds for the zone. */
  token: number;
  registry: MessageRegistry;
  tickRate: number;
  /** A sink writing to a socket of this node. */
  localSink: (sessionId: string, connectionId: string) => ViewerSink;
  publish: (topic: string, frame: Uint8Array) => Promise<void>;
  onPublishError: (error: unknown) => void;
  /** The zone created a player's entity (not called when the player was already in). */
  onPlayerCreated?: (sessionId: string) => void;
  /** A player left the zone. */
  onPlayerLeft?: (sessionId: string) => void;
}

/**
 * One zone simulated on this node (its lease holder): its players wherever they are connected.
 * Tracks the node each player's socket is on (`origin`), gives remote players a sink that packs
 * their messages, and after each tick (or control message) publishes one frame per node.
 */
export class ZoneHost {
  readonly zone: Zone;
  readonly token: number;
  tickLoop: TickLoop | undefined;
  /** Stored positions of the zone's players (Redis mode), set by the node. */
  placements: HostedZonePlacements | undefined;
  /** sessionId -> node holding the player's socket (or detached session). */
  private readonly origins = new Map<string, string>();
  /** node -> sessionId -> messages waiting for the next flush. */
  private readonly outbox = new Map<string, Map<string, DeliveredMessage[]>>();
  /** Remote viewers whose last frame was lost: they get a fresh snapshot at the next tick. */
  private readonly resnapshot = new Set<string>();
  private flushQueued = false;

  constructor(private readonly deps: ZoneHostDeps) {
    this.zone = deps.zone;
    this.token = deps.token;
  }

  originOf(sessionId: string): string | undefined {
    return this.origins.get(sessionId);
  }

  /** Session ids of the zone's players. */
  sessions(): IterableIterator<string> {
    return this.origins.keys();
  }

  /** Players per connection node (announced, so a node that lost a join notices). */
  countsByNode(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const node of this.origins.values()) out[node] = (out[node] ?? 0) + 1;
    return out;
  }

  /**
   * A player joins or moved its socket to `node` (idempotent: the entity stays, the view starts
   * over with ZONE_UPDATE and a snapshot). `attached` is the local connection id for this node's
   * own players, the node id for remote ones, undefined while the session is detached.
   */
  join(sessionId: string, userId: string, node: string, attached: string | undefined): void {
    const created = this.zone.playerOfSession(sessionId) === undefined;
    const entity = this.zone.joinPlayer(userId, sessionId);
    this.origins.set(sessionId, node);
    if (created) this.deps.onPlayerCreated?.(sessionId);
    if (attached === undefined) {
      this.zone.detachViewer(entity);
      return;
    }
    const sink = node === this.deps.nodeId ? this.deps.localSink(sessionId, attached) : this.remoteSink(node, sessionId);
    this.zone.attachViewer(entity, sink);
    const b = this.zone.options.bounds;
    sink.sendState(MessageType.ZONE_UPDATE, {
      zoneId: this.zone.id,
      zoneName: this.zone.id,
      playerCount: this.zone.playerCount,
      boundsMin: { ...b.min },
      boundsMax: { ...b.max },
      tickRate: this.deps.tickRate,
      selfEntityId: entity.id,
    });
  }

  detach(sessionId: string, node: string): void {
    if (this.origins.get(sessionId) !== node) return;
    const entity = this.zone.playerOfSession(sessionId);
    if (entity !== undefined) this.zone.detachViewer(entity);
  }

  leave(sessionId: string, node: string): void {
    if (this.origins.get(sessionId) !== node) return;
    this.origins.delete(sessionId);
    const entity = this.zone.playerOfSession(sessionId);
    if (entity !== undefined) this.zone.leavePlayer(entity);
    this.deps.onPlayerLeft?.(sessionId);
  }

  /** `node` says these are all its players in the zone: join the missing, drop the others of that node. */
  syncNode(node: string, players: ReadonlyArray<[sessionId: string, userId: string, attached: boolean]>): void {
    const listed = new Set<string>();
    for (const [sessionId, userId, attached] of players) {
      listed.add(sessionId);
      const known = this.origins.get(sessionId) === node && this.zone.playerOfSession(sessionId) !== undefined;
      // A player already here keeps its view unless the node says it re-attached.
      if (!known || (attached && this.zone.viewerOf(this.zone.playerOfSession(sessionId)!) === undefined)) {
        this.join(sessionId, userId, node, attached ? node : undefined);
      }
    }
    for (const [sessionId, origin] of [...this.origins]) {
      if (origin === node && !listed.has(sessionId)) this.leave(sessionId, node);
    }
  }

  /** Removes the players of nodes not in `alive`; returns how many. */
  dropNodesNotIn(alive: ReadonlySet<string>): number {
    let dropped = 0;
    for (const [sessionId, origin] of [...this.origins]) {
      if (!alive.has(origin)) {
        this.leave(sessionId, origin);
        dropped++;
      }
    }
    return dropped;
  }

  /** Runs one tick; remote viewers' messages go out in the flush right after it. */
  step(tick: number, nowMs: number): void {
    if (this.resnapshot.size > 0) {
      const again = [...this.resnapshot];
      this.resnapshot.clear();
      for (const sessionId of again) {
        const node = this.origins.get(sessionId);
        const entity = this.zone.playerOfSession(sessionId);
        if (node !== undefined && entity !== undefined && this.zone.viewerOf(entity) !== undefined) {
          this.join(sessionId, String(entity.data.get('userId') ?? ''), node, node);
        }
      }
    }
    this.zone.step(tick, nowMs);
  }

  private remoteSink(node: string, sessionId: string): ViewerSink {
    const push = (type: number, payload: unknown, mode: DeliveredMessage['mode'], priority: number) => {
      let sessions = this.outbox.get(node);
      if (sessions === undefined) this.outbox.set(node, (sessions = new Map()));
      let list = sessions.get(sessionId);
      if (list === undefined) sessions.set(sessionId, (list = []));
      list.push({ type, mode, priority, bytes: this.deps.registry.pack(type, payload as never) });
      if (!this.flushQueued) {
        this.flushQueued = true;
        // Everything queued in this turn (a whole tick) leaves together, one frame per node.
        queueMicrotask(() => this.flush());
      }
      return true;
    };
    return {
      // The socket's backlog is on the other node; that node's write queue bounds it (see README).
      backlogBytes: 0,
      sendState: (type, payload) => push(type, payload, DeliveryMode.state, 0),
      sendReliable: (type, payload) => push(type, payload, DeliveryMode.reliable, 0),
      sendVolatile: (type, payload, priority) => push(type, payload, DeliveryMode.volatile, priority),
    };
  }

  private flush(): void {
    this.flushQueued = false;
    const outbox = [...this.outbox];
    this.outbox.clear();
    for (const [node, sessions] of outbox) {
      let chunk = new Map<string, DeliveredMessage[]>();
      let bytes = 0;
      const send = () => {
        if (chunk.size === 0) return;
        const sent = chunk;
        this.deps.publish(clusterTopics.toNode(node).name, encodeDeliveries(this.zone.id, sent)).catch((error: unknown) => {
          this.deps.onPublishError(error);
          // The viewer believes the client holds what was lost: start it over with a snapshot.
          for (const sessionId of sent.keys()) if (this.origins.get(sessionId) === node) this.resnapshot.add(sessionId);
        });
        chunk = new Map();
        bytes = 0;
      };
      for (const [sessionId, messages] of sessions) {
        let size = sessionId.length + 3;
        for (const m of messages) size += m.bytes.length + 8;
        if (bytes + size > MAX_FRAME_BYTES) send();
        chunk.set(sessionId, messages);
        bytes += size;
      }
      send();
    }
  }
}
