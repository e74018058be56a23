import { ManualClock } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { AckScheduler } from './ack-scheduler.js';

describe('AckScheduler', () => {
  it('sends one standalone ack after ackDelayMs unless an outgoing envelope carried it', () => {
    const clock = new ManualClock(0);
    let ack = 0;
    const sent: number[] = [];
    const acks = new AckScheduler(clock, 100, () => ack, () => sent.push(ack));
    ack = 3;
    acks.noteReceived();
    clock.advance(50);
    acks.noteSent(3); // piggy-backed on a message
    clock.advance(100);
    expect(sent).toEqual([]);
    ack = 4;
    acks.noteReceived();
    acks.noteReceived();
    clock.advance(100);
    expect(sent).toEqual([4]);
    acks.noteSent(4);
    acks.noteReceived(true); // a duplicate: the server may not have our ack
    clock.advance(100);
    expect(sent).toEqual([4, 4]);
  });
});
