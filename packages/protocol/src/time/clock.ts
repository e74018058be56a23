/**
 * Time as an injected dependency. Everything in @mmo with a timer or a clock takes a `Clock`, so
 * every timing rule can be tested with {@link ManualClock} instead of sleeping.
 */

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly __timer: unique symbol } | number | object;

/** The clock and timers a component runs on. */
export interface Clock {
  /** Milliseconds since the Unix epoch (wall clock; may be fake). */
  now(): number;
  /** Runs `fn` once after `delayMs` milliseconds. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

interface TimerGlobals {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock: `Date.now` and the runtime's global timers (browser, Node, Electron, engines).
 * Stateless, so sharing it is safe.
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, delayMs: number) =>
    (globalThis as unknown as TimerGlobals).setTimeout(fn, delayMs) as TimerHandle,
  clearTimeout: (handle: TimerHandle) => (globalThis as unknown as TimerGlobals).clearTimeout(handle),
});
