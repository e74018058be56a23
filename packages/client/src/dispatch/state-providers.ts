import type { Unsubscribe } from '../events/emitter.js';

/** Supplies one piece of local game state on demand (the seed's client-side state providers). */
export interface StateProvider<T = unknown> {
  /** Returns the current value; called when a consumer needs it (e.g. each input tick). */
  getState(): T;
}

/**
 * Named providers of local state: the game registers what it owns (local player transform,
 * camera, input) and network-side consumers (input sending, prediction, debug overlays) read it
 * without depending on the game's classes.
 * @example
 * client.stateProviders.register('localPlayer', { getState: () => player.transform });
 * const transform = client.stateProviders.get<Transform>('localPlayer');
 */
export class StateProviderRegistry {
  private readonly providers = new Map<string, StateProvider>();

  /** Registers `provider` under `name` (replacing any previous one); returns its removal. */
  register<T>(name: string, provider: StateProvider<T>): Unsubscribe {
    this.providers.set(name, provider);
    return () => {
      if (this.providers.get(name) === provider) this.providers.delete(name);
    };
  }

  /** The current state of provider `name`, or undefined when none is registered. */
  get<T>(name: string): T | undefined {
    return this.providers.get(name)?.getState() as T | undefined;
  }

  /** True when a provider is registered under `name`. */
  has(name: string): boolean {
    return this.providers.has(name);
  }

  /** Every provider's current state, by name. */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, p] of this.providers) out[name] = p.getState();
    return out;
  }
}
