import { CloseCode } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { classify, ReconnectPolicy } from './reconnect-policy.js';

const mid = () => 0.5;

describe('classify', () => {
  it('follows the protocol table for close codes', () => {
    for (const code of [CloseCode.GOING_AWAY, CloseCode.ABNORMAL, CloseCode.SLOW_CONSUMER, CloseCode.SERVER_DRAINING, CloseCode.TOKEN_EXPIRED, 1005]) {
      expect(classify({ code, reason: '', wasOpen: true }).retryable).toBe(true);
    }
    for (const code of [CloseCode.AUTH_FAILED, CloseCode.KICKED, CloseCode.REPLACED, CloseCode.PROTOCOL_ERROR, CloseCode.POLICY_VIOLATION, CloseCode.NORMAL]) {
      expect(classify({ code, reason: '', wasOpen: true }).retryable).toBe(false);
    }
  });

  it("lets a DISCONNECT's reconnect flag override the close code", () => {
    // Token expiry closes with 1008 (not retryable) but says TOKEN_EXPIRED, reconnect: true.
    expect(classify({ code: 1008, reason: '', wasOpen: true, disconnect: { code: CloseCode.TOKEN_EXPIRED, reason: 'token expired', reconnect: true, retryAfterMs: 0 } }).retryable).toBe(true);
    // A drain closes with 1001 (retryable) but a kick's DISCONNECT says never.
    expect(classify({ code: 1001, reason: '', wasOpen: true, disconnect: { code: CloseCode.KICKED, reason: 'bye', reconnect: false, retryAfterMs: 0 } }).retryable).toBe(false);
  });

  it('fails refused upgrades whose HTTP status no retry fixes, retries transient ones', () => {
    for (const status of [400, 401, 403, 404, 409]) expect(classify({ code: 1006, reason: '', wasOpen: false, httpStatus: status }).retryable).toBe(false);
    for (const status of [429, 500, 502, 503]) expect(classify({ code: 1006, reason: '', wasOpen: false, httpStatus: status }).retryable).toBe(true);
  });
});

describe('ReconnectPolicy', () => {
  it('backs off exponentially and fails after maxAttempts consecutive failures', () => {
    const policy = new ReconnectPolicy({ maxAttempts: 4, maxFailuresBeforeOpen: 100 }, mid);
    const drop = { code: 1006, reason: '', wasOpen: true };
    const delays: number[] = [];
    for (;;) {
      const d = policy.next(drop);
      if (d.action === 'fail') {
        expect(d.reason).toMatch(/gave up after 4 attempts/);
        break;
      }
      delays.push(d.delayMs);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('starts over after a successful connection', () => {
    const policy = new ReconnectPolicy({}, mid);
    const drop = { code: 1006, reason: '', wasOpen: true };
    policy.next(drop);
    policy.next(drop);
    policy.onConnected();
    expect(policy.next(drop)).toMatchObject({ action: 'retry', delayMs: 1_000, attempt: 1 });
  });

  it('caps consecutive failures before open separately (a refused token in a browser)', () => {
    const policy = new ReconnectPolicy({ maxFailuresBeforeOpen: 3 }, mid);
    const refused = { code: 1006, reason: '', wasOpen: false };
    expect(policy.next(refused).action).toBe('retry');
    expect(policy.next(refused).action).toBe('retry');
    expect(policy.next(refused)).toMatchObject({ action: 'fail' });
  });

  it("never retries sooner than the server's retryAfterMs", () => {
    const policy = new ReconnectPolicy({}, mid);
    const d = policy.next({ code: 1001, reason: '', wasOpen: true, disconnect: { code: CloseCode.SERVER_DRAINING, reason: '', reconnect: true, retryAfterMs: 7_500 } });
    expect(d).toMatchObject({ action: 'retry', delayMs: 7_500 });
  });
});
