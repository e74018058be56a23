import type { Clock, TimerHandle } from '@mmo/protocol';
import {
  offlineRecord,
  type PresenceChange,
  type PresenceChangeListener,
  type PresenceDeleteOptions,
  type PresenceRecord,
  type PresenceStore,
} from './presence-store.js';

/** Options of {@link MemoryPresenceStore}. */
export interface MemoryPresenceStoreOptions {
  /**
   * How often expired records are looked for and announced offline, in ms. A record is announced
   * at the latest this long after its time to live ran out (a `get` notices it earlier).
   * @default 1000
   */
  sweepIntervalMs?: number;
  /**
   * Called when a feed listener throws (the other listeners still run).
   * @default ignore
   */
  onError?: (error: unknown, context: string) => void;
}

/** Defaults of {@link MemoryPresenceStoreOptions}. */
export const memoryPresenceStoreDefaults = Object.freeze({
  sweepIntervalMs: 1000,
} satisfies Required<Omit<MemoryPresenceStoreOptions, 'onError'>>);

interface Entry {
  record: PresenceRecord;
  expiresAtMs: number;
}

/**
 * The embedded default: presence in this process's memory, expiring on the injected clock. Every
 * service that shares one instance sees the others' changes, so one process can simulate several
 * nodes in tests. The sweep timer only runs while records exist.
 * @example
 * const store = new MemoryPresenceStore(systemClock);
 * store.subscribe((c) => console.log(c.userId, c.record.status, c.reason));
 */
export class MemoryPresenceStore implements PresenceStore {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<PresenceChangeListener>();
  private readonly sweepIntervalMs: number;
  private readonly onError: (error: unknown, context: string) => void;
  private sweepTimer: TimerHandle | undefined;
  private closed = false;
  private readonly outbox: PresenceChange[] = [];
  private emitting = false;

  constructor(
    private readonly clock: Clock,
    options: MemoryPresenceStoreOptions = {},
  ) {
    this.sweepIntervalMs = options.sweepIntervalMs ?? memoryPresenceStoreDefaults.sweepIntervalMs;
    if (!(this.sweepIntervalMs > 0)) throw new RangeError('sweepIntervalMs must be a positive number of ms');
    this.onError = options.onError ?? (() => {});
  }

  async set(userId: string, record: PresenceRecord, ttlMs: number): Promise<void> {
    if (this.closed) return;
    this.entries.set(userId, { record: { ...record }, expiresAtMs: this.clock.now() + ttlMs });
    this.armSweep();
    this.emit({ userId, record: { ...record }, reason: 'set' });
  }

  async get(userIds: readonly string[]): Promise<Map<string, PresenceRecord>> {
    const out = new Map<string, PresenceRecord>();
    for (const id of userIds) {
      const entry = this.live(id);
      if (entry !== undefined) out.set(id, { ...entry.record });
    }
    return out;
  }

  async delete(userId: string, options: PresenceDeleteOptions = {}): Promise<boolean> {
    const entry = this.live(userId);
    if (entry === undefined) return false;
    const nodeId = options.nodeId ?? '';
    if (nodeId !== '' && entry.record.nodeId !== nodeId) return false;
    this.entries.delete(userId);
    this.emit({ userId, record: offlineRecord(options.lastSeenMs ?? this.clock.now()), reason: 'delete' });
    return true;
  }

  async refresh(nodeId: string, userIds: readonly string[], ttlMs: number): Promise<string[]> {
    const missing: string[] = [];
    const expiresAtMs = this.clock.now() + ttlMs;
    for (const id of userIds) {
      const entry = this.live(id);
      if (entry === undefined) missing.push(id);
      else if (entry.record.nodeId === nodeId) entry.expiresAtMs = expiresAtMs;
    }
    return missing;
  }

  subscribe(listener: PresenceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async ready(): Promise<void> {}

  isHealthy(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer !== undefined) this.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.entries.clear();
    this.listeners.clear();
  }

  /** The entry if it has not expired; an expired one is removed and announced here. */
  private live(userId: string): Entry | undefined {
    const entry = this.entries.get(userId);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs > this.clock.now()) return entry;
    this.expire(userId, entry);
    return undefined;
  }

  private expire(userId: string, entry: Entry): void {
    this.entries.delete(userId);
    this.emit({ userId, record: offlineRecord(entry.expiresAtMs), reason: 'expire' });
  }

  private armSweep(): void {
    if (this.sweepTimer !== undefined || this.closed) return;
    this.sweepTimer = this.clock.setTimeout(() => this.sweep(), this.sweepIntervalMs);
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    const now = this.clock.now();
    for (const [id, entry] of [...this.entries]) {
      if (entry.expiresAtMs <= now) this.expire(id, entry);
    }
    if (this.entries.size > 0) this.armSweep();
  }

  private emit(change: PresenceChange): void {
    this.outbox.push(change);
    // A listener that writes while being told of a change must not overtake that change for the
    // listeners after it: every listener sees every change in write order, as with Redis pub/sub.
    if (this.emitting) return;
    this.emitting = true;
    try {
      for (let next = this.outbox.shift(); next !== undefined; next = this.outbox.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener({ userId: next.userId, record: { ...next.record }, reason: next.reason });
          } catch (error) {
            this.onError(error, 'presence feed listener');
          }
        }
      }
    } finally {
      this.emitting = false;
    }
  }
}
