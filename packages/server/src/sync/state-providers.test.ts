import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { StateProvider } from './state-providers.js';
import { Zone } from './zone.js';
import type { ZoneEntity } from './zone-entity.js';

type Inventory = Record<string, number>;
const INVENTORY = 1000;

function setup(extra: Partial<StateProvider<Inventory>> = {}) {
  const sent: { to: string; type: number; payload: unknown }[] = [];
  const zone = new Zone({
    id: 'z',
    tickIntervalMs: 50,
    logger: pino({ level: 'silent' }),
    sendToPlayer: (entity, type, payload) => (sent.push({ to: entity.externalId, type, payload }), true),
  });
  const connected = vi.fn();
  const disconnected = vi.fn();
  zone.stateProviders.register<Inventory>({
    name: 'inventory',
    type: INVENTORY,
    initial: () => ({ potion: 1 }),
    // Only the items whose count changed.
    delta: (prev, next) => {
      const out: Inventory = {};
      for (const [k, v] of Object.entries(next)) if (prev?.[k] !== v) out[k] = v;
      for (const k of Object.keys(prev ?? {})) if (!(k in next)) out[k] = 0;
      return Object.keys(out).length === 0 ? undefined : out;
    },
    onPlayerConnected: connected,
    onPlayerDisconnected: disconnected,
    ...extra,
  });
  return { zone, sent, connected, disconnected };
}

describe('server state providers', () => {
  it('sends the initial state on join, then only deltas after ticks in which the game changed it, to the owner only', () => {
    const { zone, sent, connected, disconnected } = setup();
    const ann = zone.joinPlayer('ann', 's-ann');
    const bob = zone.joinPlayer('bob', 's-bob');
    expect(connected).toHaveBeenCalledWith(ann, { potion: 1 });
    zone.step(1, 50);
    expect(sent).toEqual([
      { to: 's-ann', type: INVENTORY, payload: { potion: 1 } },
      { to: 's-bob', type: INVENTORY, payload: { potion: 1 } },
    ]);
    sent.length = 0;
    zone.step(2, 100);
    expect(sent).toEqual([]);
    zone.stateProviders.apply<Inventory>(ann, 'inventory', { potion: 1, sword: 1 });
    expect(zone.stateProviders.get<Inventory>(ann, 'inventory')).toEqual({ potion: 1, sword: 1 });
    expect(sent).toEqual([]); // not before the tick
    zone.step(3, 150);
    expect(sent).toEqual([{ to: 's-ann', type: INVENTORY, payload: { sword: 1 } }]);
    sent.length = 0;
    // The same value again is no change.
    zone.stateProviders.apply(ann, 'inventory', { potion: 1, sword: 1 });
    zone.step(4, 200);
    expect(sent).toEqual([]);
    zone.leavePlayer(bob);
    expect(disconnected).toHaveBeenCalledWith(bob, { potion: 1 });
    expect(() => zone.stateProviders.apply(bob, 'inventory', {})).toThrow(/not a player with state/);
  });

  it('refuses duplicates, non-custom types and unknown names; a throwing provider does not stop the tick', () => {
    const { zone, sent } = setup({ delta: () => { throw new Error('bug'); } });
    expect(() => zone.stateProviders.register({ name: 'inventory', type: 1001 })).toThrow(/already registered/);
    expect(() => zone.stateProviders.register({ name: 'quests', type: 100 })).toThrow(/>= 1000/);
    const ann: ZoneEntity = zone.joinPlayer('ann', 's');
    expect(() => zone.stateProviders.get(ann, 'nope')).toThrow(/no state provider/);
    expect(() => zone.step(1, 50)).not.toThrow();
    expect(sent).toEqual([]);
    expect(zone.tick).toBe(1);
  });
});
