import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode, isRetryableCloseCode, MessageType, MessageTypeRange } from './codes.js';
import { mmo } from './gen/mmo.js';
import { isMmoError, MmoError, ProtocolError } from './errors.js';

describe('codes', () => {
  it('MessageType mirrors the generated proto enum exactly', () => {
    const generated = Object.entries(mmo.v1.MessageType).filter(([name]) => name !== 'MESSAGE_TYPE_UNSPECIFIED' && Number.isNaN(Number(name)));
    expect(Object.fromEntries(generated)).toEqual(MessageType);
  });

  it('keeps the pinned numbers and ranges', () => {
    expect([MessageType.HEARTBEAT, MessageType.PONG, MessageType.ACK, MessageType.ERROR]).toEqual([1, 2, 3, 4]);
    expect([MessageType.HANDSHAKE, MessageType.CONNECTION_ESTABLISHED, MessageType.AUTH_RESULT, MessageType.DISCONNECT]).toEqual([5, 6, 7, 8]);
    expect([MessageType.PLAYER_MOVE, MessageType.WORLD_STATE, MessageType.PRESENCE_UPDATE, MessageType.COMBAT_ACTION, MessageType.GUILD_EVENT]).toEqual([100, 200, 300, 400, 406]);
    for (const [name, n] of Object.entries(MessageType)) {
      const inRange =
        (n >= MessageTypeRange.SYSTEM_MIN && n <= MessageTypeRange.SYSTEM_MAX && !name.startsWith('PLAYER')) ||
        (n >= MessageTypeRange.PLAYER_MIN && n <= MessageTypeRange.PLAYER_MAX && name.startsWith('PLAYER')) ||
        (n >= MessageTypeRange.WORLD_MIN && n <= MessageTypeRange.WORLD_MAX) ||
        (n >= MessageTypeRange.SOCIAL_MIN && n <= MessageTypeRange.SOCIAL_MAX) ||
        (n >= MessageTypeRange.RESERVED_GAMEPLAY_MIN && n <= MessageTypeRange.RESERVED_GAMEPLAY_MAX);
      expect(inRange, name).toBe(true);
    }
  });

  it('puts our close codes in 4000-4999 and keeps client faults off 1000/1006/1011', () => {
    for (const [name, code] of Object.entries(CloseCode)) {
      if (code >= 4000) expect(code, name).toBeLessThan(5000);
      else expect([1000, 1001, 1002, 1006, 1007, 1008, 1009, 1011], name).toContain(code);
    }
    expect(isRetryableCloseCode(CloseCode.KICKED)).toBe(false);
    expect(isRetryableCloseCode(CloseCode.AUTH_FAILED)).toBe(false);
    expect(isRetryableCloseCode(CloseCode.GOING_AWAY)).toBe(true);
    expect(isRetryableCloseCode(CloseCode.SLOW_CONSUMER)).toBe(true);
    expect(new Set(Object.values(ErrorCode)).size).toBe(Object.values(ErrorCode).length);
  });

  it('errors carry code and cause, and guards work by brand', () => {
    const cause = new RangeError('x');
    const error = new ProtocolError('BAD_MAGIC', 'bad', { cause });
    expect(error).toBeInstanceOf(MmoError);
    expect(error.cause).toBe(cause);
    expect(isMmoError(error)).toBe(true);
    expect(isMmoError(new Error('plain'))).toBe(false);
    const foreign = Object.assign(new Error('copy'), { name: 'ProtocolError', code: 'BAD_MAGIC', isMmoError: true });
    expect(isMmoError(foreign)).toBe(true);
  });
});
