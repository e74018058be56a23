import { CloseCode } from '@mmo/protocol';
import { definedOnly } from '../config/defined-only.js';
import type { Connection } from './connection.js';

/** What happens when a user who is already connected connects again. */
export type DuplicateLoginPolicy = 'replace' | 'refuse' | 'allow';

/** Options of {@link ConnectionManager}. */
export interface ConnectionManagerOptions {
  /**
   * `replace`: the new connection wins, the old one is closed with REPLACED (a reconnect after a
   * half-open socket just works). `refuse`: the new upgrade is refused with 409. `allow`: up to
   * `maxConnectionsPerUser` at once.
   * @default 'replace'
   */
  duplicateLogin?: DuplicateLoginPolicy;
  /**
   * Connections one user may hold at once under `allow` (more are refused with 429).
   * @default 5
   */
  maxConnectionsPerUser?: number;
}

/** Defaults of {@link ConnectionManagerOptions}. */
export const connectionManagerDefaults: Readonly<Required<ConnectionManagerOptions>> = Object.freeze({
  duplicateLogin: 'replace',
  maxConnectionsPerUser: 5,
});

/** Why a user may not open another connection, as an HTTP status and reason. */
export interface AdmissionRefusal {
  status: 409 | 429;
  reason: string;
}

/**
 * Every live connection by connection id, session id and user id. Applies the duplicate-login
 * policy: at upgrade time (refuse / cap) and when a handshake completes (replace).
 */
export class ConnectionManager {
  private readonly byId = new Map<string, Connection>();
  private readonly bySession = new Map<string, Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly options: Readonly<Required<ConnectionManagerOptions>>;

  constructor(options: ConnectionManagerOptions = {}) {
    this.options = { ...connectionManagerDefaults, ...definedOnly(options) };
  }

  /** Checks, before the 101, whether `userId` may connect now. */
  admit(userId: string): AdmissionRefusal | undefined {
    const count = this.byUser.get(userId)?.size ?? 0;
    if (count === 0) return undefined;
    if (this.options.duplicateLogin === 'refuse') return { status: 409, reason: 'user already connected' };
    if (this.options.duplicateLogin === 'allow' && count >= this.options.maxConnectionsPerUser) {
      return { status: 429, reason: 'too many connections for this user' };
    }
    return undefined;
  }

  /** Tracks a connection from the moment its socket opens. */
  add(connection: Connection): void {
    this.byId.set(connection.id, connection);
    let set = this.byUser.get(connection.userId);
    if (set === undefined) {
      set = new Set();
      this.byUser.set(connection.userId, set);
    }
    set.add(connection);
  }

  /** Indexes an established connection by session and applies the `replace` policy. */
  established(connection: Connection): void {
    const sessionId = connection.session!.id;
    const previous = this.bySession.get(sessionId);
    if (previous !== undefined && previous !== connection) {
      previous.close({ code: CloseCode.POLICY_VIOLATION, reason: 'session resumed elsewhere', disconnect: { code: CloseCode.REPLACED, reconnect: false } });
    }
    this.bySession.set(sessionId, connection);
    if (this.options.duplicateLogin !== 'replace') return;
    for (const other of this.byUser.get(connection.userId) ?? []) {
      if (other !== connection && other.state !== 'closing' && other.state !== 'closed') {
        other.close({
          code: CloseCode.POLICY_VIOLATION,
          reason: 'replaced by a newer login',
          disconnect: { code: CloseCode.REPLACED, reconnect: false },
        });
      }
    }
  }

  /** Forgets a closed connection. */
  remove(connection: Connection): void {
    this.byId.delete(connection.id);
    const sessionId = connection.session?.id;
    if (sessionId !== undefined && this.bySession.get(sessionId) === connection) this.bySession.delete(sessionId);
    const set = this.byUser.get(connection.userId);
    if (set !== undefined) {
      set.delete(connection);
      if (set.size === 0) this.byUser.delete(connection.userId);
    }
  }

  get(connectionId: string): Connection | undefined {
    return this.byId.get(connectionId);
  }

  bySessionId(sessionId: string): Connection | undefined {
    return this.bySession.get(sessionId);
  }

  /** Live connections of a user (empty when offline). */
  byUserId(userId: string): Connection[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  /** Every tracked connection. */
  all(): IterableIterator<Connection> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  /** Users with at least one connection. */
  get userCount(): number {
    return this.byUser.size;
  }
}

