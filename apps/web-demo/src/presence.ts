/** The page's view of presence: status names for the wire's `PlayerStatus` numbers, and the friends list. */
import { pb } from '@mmo/protocol';

/** What the overlay and `window.__mmoDemo` call each status. */
export type FriendStatusName = 'online' | 'away' | 'busy' | 'in-game' | 'offline' | 'unknown';

/** Statuses a player can pick in the panel (offline means leaving; in-game needs a zone). */
export const SELECTABLE_STATUSES = Object.freeze(['online', 'away', 'busy'] as const);
export type SelectableStatus = (typeof SELECTABLE_STATUSES)[number];

const NAMES: ReadonlyMap<number, FriendStatusName> = new Map([
  [pb.PlayerStatus.PLAYER_STATUS_ONLINE, 'online'],
  [pb.PlayerStatus.PLAYER_STATUS_AWAY, 'away'],
  [pb.PlayerStatus.PLAYER_STATUS_BUSY, 'busy'],
  [pb.PlayerStatus.PLAYER_STATUS_IN_GAME, 'in-game'],
  [pb.PlayerStatus.PLAYER_STATUS_OFFLINE, 'offline'],
]);

const WIRE: Readonly<Record<SelectableStatus, number>> = Object.freeze({
  online: pb.PlayerStatus.PLAYER_STATUS_ONLINE,
  away: pb.PlayerStatus.PLAYER_STATUS_AWAY,
  busy: pb.PlayerStatus.PLAYER_STATUS_BUSY,
});

/** The name of a wire status; `unknown` for UNSPECIFIED or a number this page does not know. */
export function statusName(status: number | null | undefined): FriendStatusName {
  return NAMES.get(status ?? 0) ?? 'unknown';
}

/** The wire status of a selectable one. */
export function wireStatus(status: SelectableStatus): number {
  return WIRE[status];
}

/** Whether a string is one of {@link SELECTABLE_STATUSES}. */
export function isSelectableStatus(value: string): value is SelectableStatus {
  return (SELECTABLE_STATUSES as readonly string[]).includes(value);
}
