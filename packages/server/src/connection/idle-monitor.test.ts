import { ManualClock } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { IdleMonitor } from './idle-monitor.js';

function setup() {
  const clock = new ManualClock(0);
  const events: string[] = [];
  const monitor = new IdleMonitor(
    clock,
    { idleTimeoutMs: 1000, finalPingTimeoutMs: 200 },
    () => events.push(`ping@${clock.now()}`),
    () => events.push(`timeout@${clock.now()}`),
  );
  return { clock, events, monitor };
}

describe('IdleMonitor', () => {
  it('pings once after the idle timeout, then times out if still silent', () => {
    const { clock, events } = setup();
    clock.advance(999);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual(['ping@1000']);
    clock.advance(199);
    expect(events).toEqual(['ping@1000']);
    clock.advance(1);
    expect(events).toEqual(['ping@1000', 'timeout@1200']);
    clock.advance(10_000);
    expect(events).toHaveLength(2);
  });

  it('keeps a connection that keeps talking alive, measured from the last message', () => {
    const { clock, events, monitor } = setup();
    for (let i = 0; i < 20; i++) {
      clock.advance(900);
      monitor.heard();
    }
    expect(events).toEqual([]);
    clock.advance(1000);
    expect(events).toEqual([`ping@${clock.now()}`]);
  });

  it('a pong to the final ping saves the connection and yields the RTT', () => {
    const { clock, events, monitor } = setup();
    clock.advance(1000);
    clock.advance(40);
    expect(monitor.heard()).toBe(40);
    clock.advance(500);
    expect(events).toEqual(['ping@1000']);
    clock.advance(540);
    expect(events).toEqual(['ping@1000', 'ping@2040']);
  });

  it('stop() cancels everything', () => {
    const { clock, events, monitor } = setup();
    monitor.stop();
    clock.advance(5000);
    expect(events).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});
