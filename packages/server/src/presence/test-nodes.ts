// Test doubles for presence service tests: a recording send, and a "node" whose process can die
// (its timers stop firing and its store calls never answer) without a clean disconnect.
import { type Clock, MessageType, type mmo, type TimerHandle } from '@mmo/protocol';
import type { PresenceChangeListener, PresenceStore } from './presence-store.js';

export interface SentMessage {
  userId: string;
  type: number;
  payload: unknown;
}

/** Messages a service sent, with typed views per message type. */
export class SentLog {
  readonly all: SentMessage[] = [];
  readonly send = (userId: string, type: number, payload: unknown): void => {
    this.all.push({ userId, type, payload });
  };

  to(userId: string): SentMessage[] {
    return this.all.filter((m) => m.userId === userId);
  }

  friendStatuses(userId: string): mmo.v1.IFriendStatus[] {
    return this.to(userId).filter((m) => m.type === MessageType.FRIEND_STATUS).map((m) => m.payload as mmo.v1.IFriendStatus);
  }

  friendLists(userId: string): mmo.v1.IFriendList[] {
    return this.to(userId).filter((m) => m.type === MessageType.FRIEND_LIST).map((m) => m.payload as mmo.v1.IFriendList);
  }

  presenceUpdates(userId: string): mmo.v1.IPresenceUpdate[] {
    return this.to(userId).filter((m) => m.type === MessageType.PRESENCE_UPDATE).map((m) => m.payload as mmo.v1.IPresenceUpdate);
  }

  clear(): void {
    this.all.length = 0;
  }
}

/** A clock and a store view that both go silent on `kill()`, as when a node's process dies. */
export class MortalNode {
  private dead = false;
  readonly clock: Clock;
  readonly store: PresenceStore;

  constructor(inner: Clock, store: PresenceStore) {
    const never = new Promise<never>(() => {});
    this.clock = {
      now: () => inner.now(),
      setTimeout: (fn: () => void, delayMs: number): TimerHandle =>
        inner.setTimeout(() => {
          if (!this.dead) fn();
        }, delayMs),
      clearTimeout: (handle: TimerHandle) => inner.clearTimeout(handle),
    };
    const alive = <T>(call: () => Promise<T>): Promise<T> => (this.dead ? never : call());
    this.store = {
      set: (userId, record, ttlMs) => alive(() => store.set(userId, record, ttlMs)),
      get: (userIds) => alive(() => store.get(userIds)),
      delete: (userId, options) => alive(() => store.delete(userId, options)),
      refresh: (nodeId, userIds, ttlMs) => alive(() => store.refresh(nodeId, userIds, ttlMs)),
      subscribe: (listener: PresenceChangeListener) =>
        store.subscribe((change) => {
          if (!this.dead) listener(change);
        }),
      ready: () => store.ready(),
      isHealthy: () => !this.dead && store.isHealthy(),
      close: async () => {},
    };
  }

  kill(): void {
    this.dead = true;
  }
}

/** A store view whose calls fail while `down` is set, as when Redis is unreachable. */
export class FlakyStore implements PresenceStore {
  down = false;
  constructor(private readonly inner: PresenceStore) {}
  private call<T>(fn: () => Promise<T>): Promise<T> {
    return this.down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) : fn();
  }
  set: PresenceStore['set'] = (u, r, t) => this.call(() => this.inner.set(u, r, t));
  get: PresenceStore['get'] = (ids) => this.call(() => this.inner.get(ids));
  delete: PresenceStore['delete'] = (u, o) => this.call(() => this.inner.delete(u, o));
  refresh: PresenceStore['refresh'] = (n, ids, t) => this.call(() => this.inner.refresh(n, ids, t));
  subscribe: PresenceStore['subscribe'] = (l) => this.inner.subscribe(l);
  ready = () => this.inner.ready();
  isHealthy = () => !this.down && this.inner.isHealthy();
  close = () => this.inner.close();
}

/** Lets every settled promise chain run (no time passes). */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
