/**
 * The demo's friends rule (issue 8, presence): everyone who joins becomes friends with everyone
 * who joined before, so any two players of one demo server see each other's status. The presence
 * service itself is `@mmo/server`'s, wired by `attachCluster` (embedded) in demo-server.ts.
 */
import { MemoryFriendsProvider, type FriendsProvider } from '@mmo/server';

/** Options of {@link createDemoFriends}. */
export interface DemoFriendsOptions {
  /**
   * Most players remembered. A player past it forgets the least recently joined one (and that
   * player's friendships), so memory stays bounded however many names dev tokens are asked for.
   * @default 100
   */
  maxPlayers?: number;
}

/** Defaults of {@link DemoFriendsOptions}. */
export const demoFriendsDefaults = Object.freeze({
  // Well under MemoryFriendsProvider's 1,000 friends per user and the presence service's maxFriends.
  maxPlayers: 100,
} satisfies Required<DemoFriendsOptions>);

/** The demo's social graph: a {@link FriendsProvider} that grows as players join. */
export interface DemoFriends extends FriendsProvider {
  /** `userId` joined (a fresh or resumed connection): befriend everyone remembered, and remember it. */
  join(userId: string): void;
  /** Players remembered, least recently joined first. */
  players(): readonly string[];
  /** Everyone else remembered (at once: the demo's graph is in memory). */
  friendsOf(userId: string): readonly string[];
  /** The same as `friendsOf`: friendships are symmetric. */
  watchersOf(userId: string): readonly string[];
}

/**
 * Creates the demo's friends: symmetric friendships in memory between every pair of players who
 * joined, at most `maxPlayers` of them.
 * @example
 * const friends = createDemoFriends();
 * gateway.events.on('connection', (info) => friends.join(info.userId));
 */
export function createDemoFriends(options: DemoFriendsOptions = {}): DemoFriends {
  const maxPlayers = options.maxPlayers ?? demoFriendsDefaults.maxPlayers;
  if (!Number.isInteger(maxPlayers) || maxPlayers < 1) throw new RangeError('maxPlayers must be a positive integer');
  const graph = new MemoryFriendsProvider({ maxFriendsPerUser: maxPlayers });
  // Insertion order is join order: a rejoin moves the player to the end.
  const joined = new Set<string>();
  return {
    join(userId) {
      if (joined.delete(userId)) {
        joined.add(userId);
        return;
      }
      if (joined.size >= maxPlayers) {
        const oldest = joined.values().next().value as string;
        joined.delete(oldest);
        for (const other of joined) graph.removeFriendship(oldest, other);
      }
      for (const other of joined) graph.addFriendship(userId, other);
      joined.add(userId);
    },
    players: () => [...joined],
    friendsOf: (userId) => graph.friendsOf(userId),
    watchersOf: (userId) => graph.watchersOf(userId),
  };
}
