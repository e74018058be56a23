import { ManualClock, MessageType } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { MessageRateLimiter, TokenBucket, messageRateLimiterDefaults, type RateLimitVerdict } from './index.js';

function takeMany(bucket: TokenBucket, count: number): boolean[] {
  return Array.from({ length: count }, () => bucket.take());
}

describe('TokenBucket', () => {
  it('allows a burst up to capacity, then refills lazily at the configured rate', () => {
    const clock = new ManualClock(50_000);
    const bucket = new TokenBucket({ capacity: 5, refillPerSec: 10, clock });
    expect(takeMany(bucket, 6)).toEqual([true, true, true, true, true, false]);
    clock.advance(99);
    expect(bucket.take()).toBe(false);
    clock.advance(1); // 100 ms at 10/s = one token
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    clock.advance(60_000); // capped at capacity, not 600 tokens
    expect(bucket.tokens).toBe(5);
    expect(clock.pendingTimers).toBe(0);
  });

  it('takes n tokens all or nothing', () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket({ capacity: 10, refillPerSec: 1, clock });
    expect(bucket.take(7)).toBe(true);
    expect(bucket.take(4)).toBe(false);
    expect(bucket.tokens).toBe(3);
    expect(bucket.take(3)).toBe(true);
    expect(bucket.take(11)).toBe(false);
    expect(() => bucket.take(-1)).toThrow(/non-negative/);
  });

  it('counts a refill at a rate that does not divide 1000 ms exactly as whole tokens', () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket({ capacity: 1, refillPerSec: 30, clock });
    expect(bucket.take()).toBe(true);
    for (let i = 0; i < 30; i++) {
      clock.advance(1000 / 30);
      expect(bucket.take()).toBe(true);
    }
  });

  it('mints no tokens when the wall clock steps back, and keeps refilling from the new reading', () => {
    const clock = new ManualClock(10_000);
    const bucket = new TokenBucket({ capacity: 2, refillPerSec: 1, clock });
    takeMany(bucket, 2);
    clock.set(5_000);
    expect(bucket.take()).toBe(false);
    clock.set(6_000); // one second after the step back: one token, not none until 10_000
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('rejects invalid configuration', () => {
    const clock = new ManualClock(0);
    expect(() => new TokenBucket({ capacity: -1, refillPerSec: 1, clock })).toThrow(/capacity/);
    expect(() => new TokenBucket({ capacity: 1, refillPerSec: Number.NaN, clock })).toThrow(/refillPerSec/);
  });
});

describe('MessageRateLimiter', () => {
  it('limits each listed type in its own bucket, isolated from the others', () => {
    const clock = new ManualClock(0);
    const limiter = new MessageRateLimiter({
      clock,
      options: {
        limits: {
          [MessageType.PLAYER_ACTION]: { burst: 2, perSecond: 1 },
          [MessageType.CHAT_MESSAGE]: { burst: 1, perSecond: 1 },
        },
      },
    });
    expect(limiter.check(MessageType.PLAYER_ACTION)).toBe('ok');
    expect(limiter.check(MessageType.PLAYER_ACTION)).toBe('ok');
    expect(limiter.check(MessageType.PLAYER_ACTION)).toBe('warn');
    // An exhausted PLAYER_ACTION bucket does not touch CHAT_MESSAGE or the shared bucket.
    expect(limiter.check(MessageType.CHAT_MESSAGE)).toBe('ok');
    expect(limiter.check(MessageType.CHAT_MESSAGE)).toBe('warn');
    expect(limiter.check(MessageType.HEARTBEAT)).toBe('ok');
    expect(limiter.bucketCount).toBe(3);
    clock.advance(1_000);
    expect(limiter.check(MessageType.PLAYER_ACTION)).toBe('ok');
    expect(limiter.check(MessageType.PLAYER_ACTION)).toBe('warn');
  });

  it('uses the default limits when none are given', () => {
    const clock = new ManualClock(0);
    const limiter = new MessageRateLimiter({ clock });
    const verdicts = (type: number, n: number): RateLimitVerdict[] =>
      Array.from({ length: n }, () => limiter.check(type));
    const { burst } = messageRateLimiterDefaults.defaultLimit;
    expect(verdicts(MessageType.PLAYER_ACTION, burst).every((v) => v === 'ok')).toBe(true);
    expect(limiter.check(MessageType.PLAYER_ACTION)).toBe('warn');
    // Movement has its own, larger bucket by default.
    expect(verdicts(MessageType.PLAYER_MOVE, 120).every((v) => v === 'ok')).toBe(true);
    expect(limiter.check(MessageType.PLAYER_MOVE)).toBe('warn');
    // Defaults refill: 1 s at 30/s gives 30 more shared messages.
    clock.advance(1_000);
    expect(verdicts(MessageType.CHAT_MESSAGE, 30).every((v) => v === 'ok')).toBe(true);
  });

  it('warns for the first maxViolations over-limit messages in the window, then closes for good', () => {
    const clock = new ManualClock(0);
    const limiter = new MessageRateLimiter({
      clock,
      options: { defaultLimit: { burst: 1, perSecond: 0 }, maxViolations: 3, violationWindowMs: 10_000 },
    });
    expect(limiter.check(1_000)).toBe('ok');
    expect([limiter.check(1_000), limiter.check(1_000), limiter.check(1_000)]).toEqual(['warn', 'warn', 'warn']);
    expect(limiter.check(1_000)).toBe('close');
    expect(limiter.violationCount).toBe(4);
    clock.advance(60_000);
    expect(limiter.check(MessageType.HEARTBEAT)).toBe('close');
  });

  it('forgets violations older than the window', () => {
    const clock = new ManualClock(0);
    const limiter = new MessageRateLimiter({
      clock,
      options: { defaultLimit: { burst: 0, perSecond: 0 }, maxViolations: 3, violationWindowMs: 10_000 },
    });
    expect(limiter.check(7)).toBe('warn'); // t = 0
    clock.advance(1);
    expect(limiter.check(7)).toBe('warn'); // t = 1
    clock.advance(1);
    expect(limiter.check(7)).toBe('warn'); // t = 2
    clock.advance(9_998);
    expect(limiter.check(7)).toBe('warn'); // t = 10_000: the one at t = 0 has left the window
    expect(limiter.check(7)).toBe('close'); // 1, 2, 10_000 and this one: four within 10 s
  });

  it('closes on the first violation when maxViolations is 0', () => {
    const limiter = new MessageRateLimiter({
      clock: new ManualClock(0),
      options: { defaultLimit: { burst: 1, perSecond: 1 }, maxViolations: 0 },
    });
    expect(limiter.check(5)).toBe('ok');
    expect(limiter.check(5)).toBe('close');
  });

  it('puts a flood of arbitrary unknown types in one shared bucket (bounded memory, shared budget)', () => {
    const clock = new ManualClock(0);
    const limiter = new MessageRateLimiter({
      clock,
      options: {
        limits: { [MessageType.PLAYER_MOVE]: { burst: 10, perSecond: 10 } },
        defaultLimit: { burst: 60, perSecond: 30 },
        maxViolations: 1_000_000,
      },
    });
    const verdicts: RateLimitVerdict[] = [];
    for (let i = 0; i < 100_000; i++) verdicts.push(limiter.check(1_000 + ((i * 7_919) % 2_000_000_000)));
    expect(verdicts.filter((v) => v === 'ok')).toHaveLength(60);
    expect(limiter.bucketCount).toBe(1);
    expect(limiter.check(MessageType.PLAYER_MOVE)).toBe('ok');
    expect(limiter.bucketCount).toBe(2);
    expect(limiter.check(Number.NaN)).toBe('warn'); // garbage type numbers land in the same shared bucket
    expect(limiter.bucketCount).toBe(2);
  });

  it('copies its limits at construction, so a later change to the options adds no buckets', () => {
    const limits: Record<number, { burst: number; perSecond: number }> = { 100: { burst: 1, perSecond: 1 } };
    const limiter = new MessageRateLimiter({ clock: new ManualClock(0), options: { limits } });
    limits[5_000] = { burst: 1, perSecond: 1 };
    limiter.check(100);
    limiter.check(5_000);
    expect(limiter.bucketCount).toBe(2);
  });

  it('rejects invalid configuration at construction', () => {
    const clock = new ManualClock(0);
    expect(() => new MessageRateLimiter({ clock, options: { defaultLimit: { burst: -1, perSecond: 1 } } })).toThrow(
      /defaultLimit\.burst/,
    );
    const infiniteRate = { limits: { 100: { burst: 1, perSecond: Number.POSITIVE_INFINITY } } };
    expect(() => new MessageRateLimiter({ clock, options: infiniteRate })).toThrow(/limits\[100\]\.perSecond/);
    expect(() => new MessageRateLimiter({ clock, options: { maxViolations: 1.5 } })).toThrow(/maxViolations/);
    expect(() => new MessageRateLimiter({ clock, options: { violationWindowMs: -1 } })).toThrow(/violationWindowMs/);
  });
});
