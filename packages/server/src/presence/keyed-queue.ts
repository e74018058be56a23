/**
 * Runs async tasks one after another per key (tasks of different keys run concurrently), with a
 * bound on how many may wait in all, so a burst cannot grow memory without limit.
 */
export class KeyedSerialQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private waiting = 0;

  constructor(private readonly maxPending: number) {}

  /** Tasks queued or running. */
  get pending(): number {
    return this.waiting;
  }

  /** True when no task is queued or running. */
  get idle(): boolean {
    return this.waiting === 0;
  }

  /**
   * Runs `task` after every earlier task of `key` settled; undefined (and `task` not run) when
   * `maxPending` tasks are already waiting.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> | undefined {
    if (this.waiting >= this.maxPending) return undefined;
    this.waiting++;
    const previous = this.tails.get(key);
    const result = previous === undefined ? start(task) : previous.then(() => start(task));
    const tail = result.then(
      () => {},
      () => {},
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      this.waiting--;
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

function start<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}
