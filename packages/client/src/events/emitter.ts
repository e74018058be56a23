/** A listener of one event of map `E`. */
export type Listener<T> = (payload: T) => void;

/** Removes the listener it was returned for. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * A small typed event emitter (no Node `events`, so it runs anywhere). A listener that throws does
 * not stop the others: its error goes to `onListenerError`.
 * @example
 * const bus = new TypedEmitter<{ levelUp: { level: number } }>();
 * const off = bus.on('levelUp', ({ level }) => console.log(level));
 * bus.emit('levelUp', { level: 2 });
 * off();
 */
export class TypedEmitter<E extends object> {
  private readonly listeners = new Map<keyof E, Array<Listener<never>>>();

  /**
   * @param onListenerError receives errors thrown by listeners, with the event name. Default: the
   *   error surfaces as an unhandled rejection so it is not lost.
   */
  constructor(private readonly onListenerError?: (error: unknown, event: keyof E) => void) {}

  /** Adds a listener; returns its unsubscribe function. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): Unsubscribe {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as Listener<never>);
    this.listeners.set(event, list);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs at most once. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): Unsubscribe {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /** Removes a listener added with `on`. */
  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    const i = list.indexOf(listener as Listener<never>);
    if (i >= 0) list.splice(i, 1);
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Calls every listener of `event` in registration order. */
  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const list = this.listeners.get(event);
    if (list === undefined || list.length === 0) return;
    for (const listener of [...list]) {
      try {
        (listener as Listener<E[K]>)(payload);
      } catch (error) {
        if (this.onListenerError !== undefined) this.onListenerError(error, event);
        // Surfaces as an unhandled rejection instead of vanishing (no queueMicrotask in ES2022).
        else void Promise.reject(error);
      }
    }
  }
}
