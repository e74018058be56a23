/**
 * Memoises prom-client children by label value, so the hot path (every message) does not hash
 * label objects: `perType(metrics.messages, 'in').get('PLAYER_MOVE').inc()`.
 */
export class LabelledCache<T> {
  private readonly children = new Map<string, T>();

  constructor(private readonly make: (label: string) => T) {}

  get(label: string): T {
    let child = this.children.get(label);
    if (child === undefined) {
      child = this.make(label);
      this.children.set(label, child);
    }
    return child;
  }

  /** Every child made so far. */
  values(): IterableIterator<T> {
    return this.children.values();
  }
}
