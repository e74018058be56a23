import { ManualClock } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { NetworkStats } from './network-stats.js';
import { RateWindow } from './rate-window.js';

describe('RateWindow', () => {
  it('sums the last second on the clock and forgets older traffic', () => {
    const clock = new ManualClock(10_000);
    const w = new RateWindow(clock);
    w.add(100);
    clock.advance(500);
    w.add(50);
    expect(w.perSecond()).toBe(150);
    clock.advance(550); // the first 100 is now older than the window
    expect(w.perSecond()).toBe(50);
    clock.advance(1_000);
    expect(w.perSecond()).toBe(0);
  });
});

describe('NetworkStats', () => {
  it('counts bytes, messages by type and the hooks', () => {
    const clock = new ManualClock(0);
    const stats = new NetworkStats(clock, { rttMs: () => 42, jitterMs: () => 3, resent: () => 1, queuedMessages: () => 5 });
    stats.noteBytesIn(200);
    stats.noteBytesOut(80);
    stats.noteMessageIn('PONG');
    stats.noteMessageIn('PONG');
    stats.noteMessageOut('HEARTBEAT');
    stats.noteCorrection();
    stats.noteReconnect();
    expect(stats.snapshot()).toMatchObject({
      bytesInPerSecond: 200,
      bytesOutPerSecond: 80,
      messagesInByType: { PONG: 2 },
      messagesOutByType: { HEARTBEAT: 1 },
      rttMs: 42,
      jitterMs: 3,
      corrections: 1,
      reconnects: 1,
      resent: 1,
      queuedMessages: 5,
    });
  });
});
