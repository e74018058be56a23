/** A seeded linear congruential generator in [0, 1): the same sequence for a seed, for repeatable random tests. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
