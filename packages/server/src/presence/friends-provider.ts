/**
 * Who may see whom. The presence service asks a provider when a user connects (whose status to
 * send them) and when a user's status changes (whom to tell). A game plugs in its own social graph
 * (database, cache, guild roster); {@link MemoryFriendsProvider} is the demo's.
 */
export interface FriendsProvider {
  /** Users whose presence `userId` may see (their friend list). */
  friendsOf(userId: string): Promise<readonly string[]> | readonly string[];
  /**
   * Users who may see `userId`'s presence. Called once per status change on every node, so a
   * provider backed by a database should cache.
   */
  watchersOf(userId: string): Promise<readonly string[]> | readonly string[];
}

/** Options of {@link MemoryFriendsProvider}. */
export interface MemoryFriendsProviderOptions {
  /**
   * Most friends one user may have; `addFriendship` beyond it throws a RangeError.
   * @default 1000
   */
  maxFriendsPerUser?: number;
}

/** Defaults of {@link MemoryFriendsProviderOptions}. */
export const memoryFriendsProviderDefaults = Object.freeze({
  maxFriendsPerUser: 1000,
} satisfies Required<MemoryFriendsProviderOptions>);

/**
 * Symmetric friendships in this process's memory: if a is b's friend, b is a's, and each sees the
 * other. For the demo and tests; it is not shared between nodes.
 * @example
 * const friends = new MemoryFriendsProvider();
 * friends.addFriendship('alice', 'bob');
 */
export class MemoryFriendsProvider implements FriendsProvider {
  private readonly friends = new Map<string, Set<string>>();
  private readonly maxFriendsPerUser: number;

  constructor(options: MemoryFriendsProviderOptions = {}) {
    this.maxFriendsPerUser = options.maxFriendsPerUser ?? memoryFriendsProviderDefaults.maxFriendsPerUser;
  }

  /** Makes `a` and `b` friends of each other (idempotent). */
  addFriendship(a: string, b: string): void {
    if (a === b) throw new RangeError('a user cannot be their own friend');
    const fa = this.friends.get(a);
    const fb = this.friends.get(b);
    if (fa?.has(b) === true) return;
    for (const [user, set] of [[a, fa], [b, fb]] as const) {
      if ((set?.size ?? 0) >= this.maxFriendsPerUser) throw new RangeError(`${user} already has ${this.maxFriendsPerUser} friends (maxFriendsPerUser)`);
    }
    this.setOf(a).add(b);
    this.setOf(b).add(a);
  }

  /** Ends the friendship of `a` and `b` (idempotent). */
  removeFriendship(a: string, b: string): void {
    this.unlink(a, b);
    this.unlink(b, a);
  }

  friendsOf(userId: string): readonly string[] {
    return [...(this.friends.get(userId) ?? [])];
  }

  watchersOf(userId: string): readonly string[] {
    return this.friendsOf(userId);
  }

  private setOf(userId: string): Set<string> {
    let set = this.friends.get(userId);
    if (set === undefined) {
      set = new Set();
      this.friends.set(userId, set);
    }
    return set;
  }

  private unlink(from: string, to: string): void {
    const set = this.friends.get(from);
    if (set === undefined) return;
    set.delete(to);
    // Empty sets are dropped, so memory follows the friendships that exist.
    if (set.size === 0) this.friends.delete(from);
  }
}
