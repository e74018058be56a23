// Flag parsing shared by the benchmarks (node:util parseArgs gives strings).

/** `flags[name]` as an integer in min..max; otherwise prints why and exits with 2. */
export function intFlag(flags, name, min, max) {
  const v = Number(flags[name]);
  if (!Number.isInteger(v) || v < min || v > max) {
    console.error(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(flags[name])}`);
    process.exit(2);
  }
  return v;
}
