import { TypedEmitter } from '../events/emitter.js';

/**
 * A typed bus for the game's own events (loot dropped, quest done, UI updates), so game systems
 * talk without importing each other. Handler errors go to `onError` and never stop other handlers.
 * @example
 * interface GameEvents { lootDropped: { itemId: string }; questDone: { questId: number } }
 * const bus = createEventBus<GameEvents>();
 * bus.on('lootDropped', ({ itemId }) => inventory.add(itemId));
 * client.on(Loot, (loot) => bus.emit('lootDropped', { itemId: loot.id }));
 */
export type EventBus<E extends object> = TypedEmitter<E>;

/** Creates an {@link EventBus}; `onError` receives handler errors with the event name. */
export function createEventBus<E extends object>(onError?: (error: unknown, event: keyof E) => void): EventBus<E> {
  return new TypedEmitter<E>(onError);
}
