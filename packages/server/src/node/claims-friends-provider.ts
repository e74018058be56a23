import type { FriendsProvider } from '../presence/friends-provider.js';

/** Options of {@link ClaimsFriendsProvider}. */
export interface ClaimsFriendsProviderOptions {
  /**
   * Name of the JWT claim holding the user's friends (an array of user ids).
   * @default 'friends'
   */
  claim?: string;
  /**
   * Most friends read from one token; the rest are ignored.
   * @default 1000
   */
  maxFriendsPerUser?: number;
  /**
   * Longest user id kept from the claim, in UTF-16 code units; longer ones are ignored.
   * @default 128
   */
  maxUserIdLength?: number;
}

/** Defaults of {@link ClaimsFriendsProviderOptions}. */
export const claimsFriendsProviderDefaults = Object.freeze({
  claim: 'friends',
  maxFriendsPerUser: 1000,
  maxUserIdLength: 128,
} satisfies Required<ClaimsFriendsProviderOptions>);

/**
 * Friends read from the players' tokens, for `mmo-gateway` without game code: the token issuer
 * knows the social graph and puts each user's friends in a claim (`friends: ['bob', 'carol']`).
 * The graph is taken as symmetric: the users who may see `u` are the users connected to this node
 * whose token lists `u` (every node answers for its own users, which is all the presence service
 * asks of `watchersOf`).
 * @example
 * const friends = new ClaimsFriendsProvider();
 * gateway.events.on('connection', (info) => friends.track(info.sessionId, info.userId, info.claims));
 */
export class ClaimsFriendsProvider implements FriendsProvider {
  private readonly claim: string;
  private readonly maxFriends: number;
  private readonly maxIdLength: number;
  /** Per session of this node: its user and the friends its token lists. */
  private readonly sessions = new Map<string, { userId: string; friends: readonly string[] }>();
  /** user -> sessions of this node of that user. */
  private readonly byUser = new Map<string, Set<string>>();
  /** friend -> users of this node whose token lists that friend, with a count of their sessions. */
  private readonly watchers = new Map<string, Map<string, number>>();

  constructor(options: ClaimsFriendsProviderOptions = {}) {
    this.claim = options.claim ?? claimsFriendsProviderDefaults.claim;
    this.maxFriends = options.maxFriendsPerUser ?? claimsFriendsProviderDefaults.maxFriendsPerUser;
    this.maxIdLength = options.maxUserIdLength ?? claimsFriendsProviderDefaults.maxUserIdLength;
  }

  /** The friends a token's claims list, or undefined when the token has no such claim. */
  friendsInClaims(userId: string, claims: Readonly<Record<string, unknown>>): string[] | undefined {
    const value = claims[this.claim];
    if (!Array.isArray(value)) return undefined;
    const out = new Set<string>();
    for (const v of value) {
      if (out.size >= this.maxFriends) break;
      if (typeof v === 'string' && v !== '' && v !== userId && v.length <= this.maxIdLength) out.add(v);
    }
    return [...out];
  }

  /** Records the friends of a session's token (call before `presence.connect`); false without the claim. */
  track(sessionId: string, userId: string, claims: Readonly<Record<string, unknown>>): boolean {
    const friends = this.friendsInClaims(userId, claims);
    if (friends === undefined) return false;
    this.untrack(sessionId);
    this.sessions.set(sessionId, { userId, friends });
    let set = this.byUser.get(userId);
    if (set === undefined) this.byUser.set(userId, (set = new Set()));
    set.add(sessionId);
    for (const f of friends) {
      let w = this.watchers.get(f);
      if (w === undefined) this.watchers.set(f, (w = new Map()));
      w.set(userId, (w.get(userId) ?? 0) + 1);
    }
    return true;
  }

  /** Forgets a session (after `presence.disconnect`). */
  untrack(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    if (s === undefined) return;
    this.sessions.delete(sessionId);
    const set = this.byUser.get(s.userId);
    set?.delete(sessionId);
    if (set?.size === 0) this.byUser.delete(s.userId);
    for (const f of s.friends) {
      const w = this.watchers.get(f);
      if (w === undefined) continue;
      const n = (w.get(s.userId) ?? 0) - 1;
      if (n > 0) w.set(s.userId, n);
      else w.delete(s.userId);
      if (w.size === 0) this.watchers.delete(f);
    }
  }

  /** True while a session of this node is tracked. */
  isTracked(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  friendsOf(userId: string): readonly string[] {
    // The newest token of the user on this node wins (its friend list is the freshest).
    const ids = this.byUser.get(userId);
    if (ids === undefined) return [];
    let last: readonly string[] = [];
    for (const id of ids) last = this.sessions.get(id)!.friends;
    return last;
  }

  watchersOf(userId: string): readonly string[] {
    return [...(this.watchers.get(userId)?.keys() ?? [])];
  }
}
