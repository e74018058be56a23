import { type mmo, pb } from '@mmo/protocol';
import { PresenceStatus, type PresenceRecord, type PresenceStatusName } from './presence-store.js';

const TO_WIRE: Readonly<Record<PresenceStatusName, mmo.v1.PlayerStatus>> = Object.freeze({
  online: pb.PlayerStatus.PLAYER_STATUS_ONLINE,
  away: pb.PlayerStatus.PLAYER_STATUS_AWAY,
  busy: pb.PlayerStatus.PLAYER_STATUS_BUSY,
  'in-game': pb.PlayerStatus.PLAYER_STATUS_IN_GAME,
  offline: pb.PlayerStatus.PLAYER_STATUS_OFFLINE,
});

const FROM_WIRE: ReadonlyMap<number, PresenceStatusName> = new Map(
  (Object.entries(TO_WIRE) as Array<[PresenceStatusName, number]>).map(([name, n]) => [n, name]),
);

/** The `mmo.v1.PlayerStatus` of a status. */
export function toWireStatus(status: PresenceStatusName): mmo.v1.PlayerStatus {
  return TO_WIRE[status];
}

/** The status of an `mmo.v1.PlayerStatus`; undefined for UNSPECIFIED and unknown numbers. */
export function fromWireStatus(status: number | null | undefined): PresenceStatusName | undefined {
  return status === null || status === undefined ? undefined : FROM_WIRE.get(status);
}

/** PRESENCE_UPDATE (300) payload of one user. */
export function toPresenceUpdate(userId: string, r: PresenceRecord): mmo.v1.IPresenceUpdate {
  return {
    userId,
    status: toWireStatus(r.status),
    zoneId: r.status === PresenceStatus.IN_GAME ? r.zoneId : '',
    statusMessage: r.statusMessage,
    lastSeen: r.lastSeenMs,
    nodeId: r.nodeId,
  };
}

/** FRIEND_STATUS (301) payload: `user_id` is the recipient, `friend_id` the user who changed. */
export function toFriendStatus(recipientId: string, friendId: string, r: PresenceRecord): mmo.v1.IFriendStatus {
  return {
    userId: recipientId,
    friendId,
    status: toWireStatus(r.status),
    zoneId: r.status === PresenceStatus.IN_GAME ? r.zoneId : '',
    timestamp: r.lastSeenMs,
    statusMessage: r.statusMessage,
  };
}
