import type { Clock } from '@mmo/protocol';
import type { ClaimResult, SessionStore, StoredOutboxEntry, StoredSession } from './session-store.js';

interface Entry {
  session: StoredSession;
  outbox: StoredOutboxEntry[];
  expiresAtMs: number;
}

/**
 * The embedded default: sessions in this process's memory, expiring on the injected clock's time.
 * Resume works on this node only (use the Redis store for several nodes).
 */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.clock.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  async save(session: StoredSession, ttlMs: number): Promise<void> {
    const previous = this.live(session.id);
    this.entries.set(session.id, {
      session: structuredClone(session),
      outbox: previous?.outbox ?? [],
      expiresAtMs: this.clock.now() + ttlMs,
    });
  }

  async replace(session: StoredSession, outbox: readonly StoredOutboxEntry[], ttlMs: number): Promise<void> {
    this.entries.set(session.id, {
      session: structuredClone(session),
      outbox: outbox.map((e) => ({ sequence: e.sequence, frame: e.frame.slice() })),
      expiresAtMs: this.clock.now() + ttlMs,
    });
  }

  async load(sessionId: string): Promise<StoredSession | undefined> {
    const entry = this.live(sessionId);
    return entry === undefined ? undefined : structuredClone(entry.session);
  }

  async appendOutbox(sessionId: string, entry: StoredOutboxEntry): Promise<void> {
    const e = this.live(sessionId);
    if (e === undefined) return;
    const last = e.outbox[e.outbox.length - 1];
    if (last !== undefined && entry.sequence <= last.sequence) {
      throw new Error(`outbox sequence ${entry.sequence} is not after ${last.sequence}`);
    }
    e.outbox.push({ sequence: entry.sequence, frame: entry.frame.slice() });
    e.session.nextOutSequence = entry.sequence + 1;
  }

  async ackOutbox(sessionId: string, peerAck: number): Promise<void> {
    const e = this.live(sessionId);
    if (e === undefined) return;
    e.outbox = e.outbox.filter((x) => x.sequence > peerAck);
    e.session.peerAck = Math.max(e.session.peerAck, peerAck);
  }

  async readOutbox(sessionId: string, afterSequence: number): Promise<StoredOutboxEntry[]> {
    const e = this.live(sessionId);
    if (e === undefined) return [];
    return e.outbox.filter((x) => x.sequence > afterSequence).map((x) => ({ sequence: x.sequence, frame: x.frame.slice() }));
  }

  async setInboundAck(sessionId: string, inboundAck: number): Promise<void> {
    const e = this.live(sessionId);
    if (e !== undefined) e.session.inboundAck = Math.max(e.session.inboundAck, inboundAck);
  }

  async claim(sessionId: string, expectedNonce: string, newNonce: string, ownerNode: string): Promise<ClaimResult> {
    const e = this.live(sessionId);
    if (e === undefined) return 'missing';
    const s = e.session;
    if (expectedNonce === s.nonce) s.previousNonce = s.nonce;
    else if (s.previousNonce === '' || expectedNonce !== s.previousNonce) return 'conflict';
    s.nonce = newNonce;
    e.session.ownerNode = ownerNode;
    return 'claimed';
  }

  async confirmNonce(sessionId: string): Promise<void> {
    const e = this.live(sessionId);
    if (e !== undefined) e.session.previousNonce = '';
  }

  async setOwner(sessionId: string, ownerNode: string, ttlMs: number): Promise<void> {
    const e = this.live(sessionId);
    if (e === undefined) return;
    e.session.ownerNode = ownerNode;
    e.expiresAtMs = this.clock.now() + ttlMs;
  }

  async setData(sessionId: string, data: Record<string, unknown>): Promise<void> {
    const e = this.live(sessionId);
    if (e !== undefined) e.session.data = structuredClone(data);
  }

  async delete(sessionId: string): Promise<void> {
    this.entries.delete(sessionId);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
