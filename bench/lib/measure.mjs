// Hand-rolled timing loop for micro-benchmarks. Each case runs in batches of about
// `batchTargetMs` (so the clock read costs nothing next to the work, even for 100 ns operations),
// after a warm-up that lets V8 optimise the code; the reported rate is the median batch rate.

/** Defaults of {@link measure}. */
export const measureDefaults = Object.freeze({
  // ~1.5 s per case: long enough that GC pauses and timer noise average out over ~150 batches.
  timeMs: 1_500,
  // 300 ms of warm-up: V8 tiers up (Sparkplug, Maglev, TurboFan) well within it for these loops.
  warmupMs: 300,
  // 10 ms per batch: about 1,000x the cost of the hrtime call, short enough to get many samples.
  batchTargetMs: 10,
  // Operations per call of `fn` (16 for a call that encodes a batch of 16 frames).
  opsPerCall: 1,
});

const nowNs = () => Number(process.hrtime.bigint());

/**
 * Runs `fn` repeatedly and returns its rate in operations per second.
 * `fn`'s result is kept in a variable that escapes, so V8 cannot drop the work as dead code.
 * @param {string} name
 * @param {() => unknown} fn
 * @param {Partial<typeof measureDefaults>} [options]
 * @returns {{ name: string, opsPerSec: number, rsdPercent: number, batches: number, ops: number, last: unknown }}
 */
export function measure(name, fn, options = {}) {
  const { timeMs, warmupMs, batchTargetMs, opsPerCall } = { ...measureDefaults, ...options };
  let last;
  let calls = 0;
  const warmStart = nowNs();
  const warmEnd = warmStart + warmupMs * 1e6;
  let t = warmStart;
  while (t < warmEnd) {
    for (let i = 0; i < 64; i++) last = fn();
    calls += 64;
    t = nowNs();
  }
  const nsPerCall = (t - warmStart) / calls;
  const batch = Math.max(1, Math.round((batchTargetMs * 1e6) / nsPerCall));

  const rates = [];
  let ops = 0;
  const end = nowNs() + timeMs * 1e6;
  for (;;) {
    const t0 = nowNs();
    for (let i = 0; i < batch; i++) last = fn();
    const t1 = nowNs();
    rates.push((batch * opsPerCall * 1e9) / (t1 - t0));
    ops += batch * opsPerCall;
    if (t1 >= end) break;
  }
  rates.sort((a, b) => a - b);
  const median = rates[rates.length >> 1];
  const mean = rates.reduce((s, r) => s + r, 0) / rates.length;
  const sd = Math.sqrt(rates.reduce((s, r) => s + (r - mean) ** 2, 0) / rates.length);
  return { name, opsPerSec: median, rsdPercent: (sd / mean) * 100, batches: rates.length, ops, last };
}
