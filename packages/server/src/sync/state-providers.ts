import { MmoError } from '@mmo/protocol';
import type { Logger } from 'pino';
import type { ZoneEntity } from './zone-entity.js';

/**
 * A custom kind of per-player state the game replicates to its owner (inventory, quest log,
 * skill cooldowns): the server keeps the value, the game changes it with
 * {@link StateProviderRegistry.apply}, and after each tick the owner gets what changed, reliably,
 * as the provider's own message type (so it survives a reconnect like any reliable message).
 */
export interface StateProvider<T = unknown> {
  /** Unique name of the state (`'inventory'`). */
  readonly name: string;
  /** Custom message type (>= 1000, registered in the gateway's registry) that carries it to the player. */
  readonly type: number;
  /** The value a player starts with when it joins; undefined: none until the game applies one. */
  initial?(entity: ZoneEntity): T | undefined;
  /**
   * The payload that takes a client from `previous` to `next` (`previous` is undefined for the
   * first send). Return undefined when there is nothing to send. Default: `next` itself.
   */
  delta?(previous: T | undefined, next: T): unknown;
  /** A player with this state joined the zone (after `initial`). */
  onPlayerConnected?(entity: ZoneEntity, state: T | undefined): void;
  /** A player left the zone; its state is dropped after this call. */
  onPlayerDisconnected?(entity: ZoneEntity, state: T | undefined): void;
}

/** Sends a reliable message to the player that owns `entity` (connected or waiting for a resume). */
export type SendToPlayer = (entity: ZoneEntity, type: number, payload: unknown) => boolean;

interface Slot {
  value: unknown;
  sent: unknown;
  hasSent: boolean;
}

/**
 * The StateProvider registry of a zone (the seed's server-side state providers): providers by
 * name, per player values, and the changes to send after each tick. Errors thrown by a provider are
 * logged with the provider, the entity and the step, and the others go on.
 * @example
 * zone.stateProviders.register({ name: 'inventory', type: Inventory.type, delta: (prev, next) => diff(prev, next) });
 * zone.stateProviders.apply(player, 'inventory', { potions: 3 }); // the owner gets the delta after this tick
 */
export class StateProviderRegistry {
  private readonly providers = new Map<string, StateProvider>();
  private readonly values = new Map<ZoneEntity, Map<string, Slot>>();
  private readonly changed = new Set<ZoneEntity>();

  constructor(private readonly logger: Logger) {}

  /** Registers a provider; a second one with the same name is an error. */
  register<T>(provider: StateProvider<T>): this {
    if (this.providers.has(provider.name)) {
      throw new MmoError('INVALID_ARGUMENT', `a state provider named ${provider.name} is already registered`);
    }
    if (!Number.isInteger(provider.type) || provider.type < 1000) {
      throw new MmoError('INVALID_ARGUMENT', `state provider ${provider.name}: type must be a custom message type (>= 1000), got ${provider.type}`);
    }
    this.providers.set(provider.name, provider as StateProvider);
    return this;
  }

  /** Names of the registered providers. */
  names(): string[] {
    return [...this.providers.keys()];
  }

  /** The value of state `name` for `entity`, if any. */
  get<T>(entity: ZoneEntity, name: string): T | undefined {
    this.require(name);
    return this.values.get(entity)?.get(name)?.value as T | undefined;
  }

  /** Sets state `name` of a player; its owner gets the change after the current tick. */
  apply<T>(entity: ZoneEntity, name: string, value: T): void {
    this.require(name);
    const slots = this.values.get(entity);
    if (slots === undefined) throw new MmoError('INVALID_ARGUMENT', `entity ${entity.id} is not a player with state`);
    const slot = slots.get(name);
    if (slot === undefined) slots.set(name, { value, sent: undefined, hasSent: false });
    else slot.value = value;
    this.changed.add(entity);
  }

  /** A player joined: its initial values are set (and sent after the tick), then `onPlayerConnected` runs. */
  playerJoined(entity: ZoneEntity): void {
    const slots = new Map<string, Slot>();
    this.values.set(entity, slots);
    for (const p of this.providers.values()) {
      const initial = this.run(p, entity, 'initial', () => p.initial?.(entity));
      if (initial !== undefined) {
        slots.set(p.name, { value: initial, sent: undefined, hasSent: false });
        this.changed.add(entity);
      }
      this.run(p, entity, 'onPlayerConnected', () => p.onPlayerConnected?.(entity, initial));
    }
  }

  /** A player left: `onPlayerDisconnected` runs and its values are dropped. */
  playerLeft(entity: ZoneEntity): void {
    const slots = this.values.get(entity);
    for (const p of this.providers.values()) {
      this.run(p, entity, 'onPlayerDisconnected', () => p.onPlayerDisconnected?.(entity, slots?.get(p.name)?.value));
    }
    this.values.delete(entity);
    this.changed.delete(entity);
  }

  /** Sends every change since the last call to its owner; returns how many messages went out. */
  flush(send: SendToPlayer): number {
    let sent = 0;
    for (const entity of this.changed) {
      const slots = this.values.get(entity);
      if (slots === undefined) continue;
      for (const [name, slot] of slots) {
        if (slot.hasSent && Object.is(slot.sent, slot.value)) continue;
        const p = this.providers.get(name)!;
        const previous = slot.hasSent ? slot.sent : undefined;
        const payload = this.run(p, entity, 'delta', () => (p.delta === undefined ? slot.value : p.delta(previous, slot.value)));
        slot.sent = slot.value;
        slot.hasSent = true;
        if (payload !== undefined && send(entity, p.type, payload)) sent++;
      }
    }
    this.changed.clear();
    return sent;
  }

  private require(name: string): StateProvider {
    const p = this.providers.get(name);
    if (p === undefined) throw new MmoError('INVALID_ARGUMENT', `no state provider named ${name}`);
    return p;
  }

  private run<R>(p: StateProvider, entity: ZoneEntity, step: string, fn: () => R): R | undefined {
    try {
      return fn();
    } catch (error) {
      this.logger.error({ err: error, provider: p.name, entity: entity.id, step }, 'state provider failed');
      return undefined;
    }
  }
}
