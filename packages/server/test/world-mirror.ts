// Test oracle: what a client holds after applying a viewer's messages, written independently of
// the server's viewer from the wire description (protocol's state/ docs). Not exported.
import { BitReader, createMessageRegistry, type EntityStateCodec, MessageType, type QuantizedEntityState, readWorldDeltaHeader } from '@mmo/protocol';
import type { ViewerSink } from '../src/sync/viewer.js';

export interface MirroredEntity {
  state: QuantizedEntityState | undefined;
  baseTick: number;
  /** What the client believes now (baseline advanced by prediction). */
  current: QuantizedEntityState | undefined;
}

/** A recording sink that also applies what it receives, as a client would, after a protobuf round trip. */
export class WorldMirror implements ViewerSink {
  backlogBytes = 0;
  readonly visible: number[] = [];
  readonly entities = new Map<number, MirroredEntity>();
  readonly received: { type: number; payload: unknown }[] = [];
  readonly reliable: { type: number; payload: unknown }[] = [];
  readonly volatile: { type: number; payload: unknown; priority: number }[] = [];
  lastProcessedInput = 0;
  tick = 0;
  enters = 0;
  exits = 0;
  private readonly registry = createMessageRegistry();

  constructor(
    private readonly codec: EntityStateCodec,
    private readonly tickIntervalMs: number,
  ) {}

  sendState(type: number, payload: unknown): boolean {
    // Round trip through protobuf: the mirror sees exactly what a client would.
    const decoded = this.registry.unpack(type, this.registry.pack(type, payload as never)) as never;
    this.received.push({ type, payload: decoded });
    this.apply(type, decoded);
    return true;
  }
  sendReliable(type: number, payload: unknown): boolean {
    this.reliable.push({ type, payload });
    return true;
  }
  sendVolatile(type: number, payload: unknown, priority: number): boolean {
    this.volatile.push({ type, payload, priority });
    return true;
  }

  private apply(type: number, payload: never): void {
    if (type === MessageType.INTEREST_UPDATE) {
      const p = payload as { entered: number[]; exited: number[] };
      for (const id of p.exited) {
        const at = this.visible.indexOf(id);
        if (at < 0) throw new Error(`exit of ${id}, which is not visible`);
        this.visible.splice(at, 1);
        this.entities.delete(id);
        this.exits++;
      }
      for (const id of p.entered) {
        if (this.visible.includes(id)) throw new Error(`enter of ${id}, which is visible already`);
        this.visible.push(id);
        this.entities.set(id, { state: undefined, baseTick: -1, current: undefined });
        this.enters++;
      }
      this.visible.sort((a, b) => a - b);
    } else if (type === MessageType.WORLD_DELTA) {
      const p = payload as { tick: number; packed: Uint8Array; lastProcessedInput: number };
      this.tick = p.tick;
      this.lastProcessedInput = p.lastProcessedInput;
      const reader = new BitReader(p.packed);
      const { changedSlots } = readWorldDeltaHeader(reader, this.visible.length);
      const changed = new Set<number>();
      for (const slot of changedSlots) {
        const id = this.visible[slot]!;
        const e = this.entities.get(id)!;
        const elapsed = e.state === undefined ? 0 : (p.tick - e.baseTick) * this.tickIntervalMs;
        e.state = this.codec.readUpdate(reader, e.state, elapsed);
        e.baseTick = p.tick;
        e.current = e.state;
        changed.add(id);
      }
      if (reader.remainingBits >= 8) throw new Error(`${reader.remainingBits} bits left over in a world delta`);
      for (const [id, e] of this.entities) {
        if (!changed.has(id) && e.state !== undefined) e.current = this.codec.predict(e.state, (p.tick - e.baseTick) * this.tickIntervalMs);
      }
    }
  }
}
