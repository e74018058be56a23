import { FRAME_HEADER_BYTES, ManualClock, Priority, decodeFrames, encodeFrame } from '@mmo/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  WriteQueue,
  writeQueueDefaults,
  type WriteQueueInit,
  type WriteQueueOptions,
  type WriteQueueOverflowInfo,
} from './index.js';

/** A real wire frame of exactly `totalBytes` whose body starts with `id` (u32), so tests can read batches back. */
function frame(id: number, totalBytes = 16): Uint8Array {
  const body = new Uint8Array(totalBytes - FRAME_HEADER_BYTES);
  new DataView(body.buffer).setUint32(0, id);
  return encodeFrame(body);
}

/** Ids of the frames in one written batch, in wire order. */
function idsOf(batch: Uint8Array): number[] {
  return decodeFrames(batch).map((f) => new DataView(f.body.buffer, f.body.byteOffset, f.body.byteLength).getUint32(0));
}

interface Write {
  batch: Uint8Array;
  ids: number[];
  done: (error?: Error) => void;
}

function setup(options?: WriteQueueOptions, extra?: Partial<WriteQueueInit>) {
  const clock = new ManualClock(1_000);
  const writes: Write[] = [];
  const overflows: WriteQueueOverflowInfo[] = [];
  const queue = new WriteQueue({
    clock,
    write: (batch, done) => writes.push({ batch, ids: idsOf(batch), done }),
    onOverflow: (info) => overflows.push(info),
    options,
    ...extra,
  });
  const writtenIds = (): number[] => writes.flatMap((w) => w.ids);
  return { clock, queue, writes, overflows, writtenIds };
}

describe('WriteQueue ordering and batching', () => {
  it('writes higher priorities first', () => {
    const { clock, queue, writtenIds } = setup();
    queue.enqueue({ bytes: frame(1), priority: Priority.BACKGROUND, volatile: false });
    queue.enqueue({ bytes: frame(2), priority: Priority.NORMAL, volatile: true });
    queue.enqueue({ bytes: frame(3), priority: Priority.MEDIUM, volatile: false });
    queue.enqueue({ bytes: frame(4), priority: Priority.LOW, volatile: false });
    clock.advance(writeQueueDefaults.maxBatchDelayMs);
    expect(writtenIds()).toEqual([3, 2, 4, 1]);
  });

  it('keeps FIFO order within a priority', () => {
    const { clock, queue, writtenIds } = setup();
    for (let id = 1; id <= 6; id++) {
      queue.enqueue({ bytes: frame(id), priority: id % 2 === 0 ? Priority.NORMAL : Priority.LOW, volatile: id === 3 });
    }
    clock.advance(5);
    expect(writtenIds()).toEqual([2, 4, 6, 1, 3, 5]);
  });

  it('batches frames enqueued within the delay into one write, timed from the first frame', () => {
    const { clock, queue, writes } = setup({ maxBatchDelayMs: 5 });
    queue.enqueue({ bytes: frame(1), priority: Priority.NORMAL, volatile: true });
    clock.advance(2);
    queue.enqueue({ bytes: frame(2), priority: Priority.NORMAL, volatile: true });
    clock.advance(2);
    queue.enqueue({ bytes: frame(3), priority: Priority.LOW, volatile: false });
    expect(clock.pendingTimers).toBe(1);
    expect(writes).toHaveLength(0);
    clock.advance(1);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.ids).toEqual([1, 2, 3]);
    expect(writes[0]!.batch.byteLength).toBe(48);
    expect(queue.batchesWritten).toBe(1);
    expect(queue.bytesWritten).toBe(48);
    expect(queue.inFlightBytes).toBe(48);
    expect(queue.queuedBytes).toBe(0);
    writes[0]!.done();
    expect(queue.inFlightBytes).toBe(0);
  });

  it('flushes urgent frames on the next microtask without advancing the clock', async () => {
    const { clock, queue, writes } = setup();
    queue.enqueue({ bytes: frame(1), priority: Priority.NORMAL, volatile: true });
    queue.enqueue({ bytes: frame(2), priority: Priority.HIGH, volatile: false });
    queue.enqueue({ bytes: frame(3), priority: Priority.CRITICAL, volatile: false });
    expect(writes).toHaveLength(0); // not synchronously: the rest of this turn may still join
    await Promise.resolve();
    // One write for the whole turn; the waiting non-urgent frame rides along and its timer is cancelled.
    expect(writes).toHaveLength(1);
    expect(writes[0]!.ids).toEqual([3, 2, 1]);
    expect(clock.pendingTimers).toBe(0);
    expect(clock.now()).toBe(1_000);
  });

  it('schedules one microtask per turn for urgent frames', () => {
    const tasks: (() => void)[] = [];
    const { queue, writes } = setup(undefined, { scheduleMicrotask: (fn) => tasks.push(fn) });
    queue.enqueue({ bytes: frame(1), priority: Priority.HIGH, volatile: false });
    queue.enqueue({ bytes: frame(2), priority: Priority.HIGH, volatile: false });
    expect(tasks).toHaveLength(1);
    tasks.shift()!();
    expect(writes.map((w) => w.ids)).toEqual([[1, 2]]);
    queue.enqueue({ bytes: frame(3), priority: Priority.CRITICAL, volatile: false });
    expect(tasks).toHaveLength(1);
  });

  it('splits batches at maxBatchBytes, keeping frames whole and a lone oversized frame uncopied', () => {
    const { clock, queue, writes } = setup({ maxBatchBytes: 100 });
    for (let id = 1; id <= 5; id++) queue.enqueue({ bytes: frame(id, 40), priority: Priority.NORMAL, volatile: false });
    const big = frame(6, 150);
    queue.enqueue({ bytes: big, priority: Priority.NORMAL, volatile: false });
    queue.enqueue({ bytes: frame(7, 40), priority: Priority.NORMAL, volatile: false });
    clock.advance(5);
    expect(writes.map((w) => w.ids)).toEqual([[1, 2], [3, 4], [5], [6], [7]]);
    expect(writes.map((w) => w.batch.byteLength)).toEqual([80, 80, 40, 150, 40]);
    expect(writes[3]!.batch).toBe(big);
  });
});

describe('WriteQueue backpressure', () => {
  it('stops writing while in-flight bytes reach the limit and resumes as callbacks fire', () => {
    const { clock, queue, writes } = setup({ maxBatchBytes: 64, maxInFlightBytes: 100 });
    for (let id = 1; id <= 8; id++) queue.enqueue({ bytes: frame(id, 32), priority: Priority.NORMAL, volatile: false });
    clock.advance(5);
    // 64 in flight < 100: a second batch goes; 128 >= 100: stop.
    expect(writes.map((w) => w.ids)).toEqual([[1, 2], [3, 4]]);
    expect(queue.inFlightBytes).toBe(128);
    expect(queue.queuedCount).toBe(4);

    // Under backpressure an enqueue arms no timer: only a callback can make progress.
    queue.enqueue({ bytes: frame(9, 32), priority: Priority.NORMAL, volatile: false });
    expect(clock.pendingTimers).toBe(0);
    clock.advance(1_000);
    expect(writes).toHaveLength(2);

    writes[0]!.done();
    expect(writes.map((w) => w.ids)).toEqual([[1, 2], [3, 4], [5, 6]]);
    writes[0]!.done(); // a second call for the same batch is ignored
    expect(queue.inFlightBytes).toBe(128);
    writes[1]!.done();
    writes[2]!.done();
    writes[3]!.done();
    expect(writes.map((w) => w.ids)).toEqual([[1, 2], [3, 4], [5, 6], [7, 8], [9]]);
    writes[4]!.done();
    expect(queue.inFlightBytes).toBe(0);
    expect(queue.queuedCount).toBe(0);
  });

  it('keeps flushing when the socket completes writes synchronously', () => {
    const clock = new ManualClock(0);
    const batches: number[][] = [];
    const queue = new WriteQueue({
      clock,
      write: (batch, done) => {
        batches.push(idsOf(batch));
        done();
      },
      onOverflow: () => {},
      options: { maxBatchBytes: 32, maxInFlightBytes: 32 },
    });
    for (let id = 1; id <= 4; id++) queue.enqueue({ bytes: frame(id, 32), priority: Priority.NORMAL, volatile: false });
    clock.advance(5);
    expect(batches).toEqual([[1], [2], [3], [4]]);
    expect(queue.inFlightBytes).toBe(0);
  });

  it('flushNow writes at once and can ignore backpressure for a shutdown', () => {
    const { queue, writes, clock } = setup({ maxBatchBytes: 32, maxInFlightBytes: 32 });
    for (let id = 1; id <= 3; id++) queue.enqueue({ bytes: frame(id, 32), priority: Priority.NORMAL, volatile: false });
    queue.flushNow();
    expect(writes.map((w) => w.ids)).toEqual([[1]]);
    queue.flushNow({ ignoreBackpressure: true });
    expect(writes.map((w) => w.ids)).toEqual([[1], [2], [3]]);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('WriteQueue memory bound', () => {
  it('sheds volatile frames lowest priority first, oldest first, to fit a reliable frame', () => {
    const { clock, queue, writtenIds } = setup({ maxQueueBytes: 100 });
    queue.enqueue({ bytes: frame(1, 20), priority: Priority.NORMAL, volatile: true });
    queue.enqueue({ bytes: frame(2, 20), priority: Priority.BACKGROUND, volatile: true });
    queue.enqueue({ bytes: frame(3, 20), priority: Priority.BACKGROUND, volatile: false });
    queue.enqueue({ bytes: frame(4, 20), priority: Priority.BACKGROUND, volatile: true });
    queue.enqueue({ bytes: frame(5, 20), priority: Priority.LOW, volatile: true });
    expect(queue.queuedBytes).toBe(100);

    expect(queue.enqueue({ bytes: frame(6, 40), priority: Priority.NORMAL, volatile: false })).toBe('queued');
    // Both BACKGROUND volatile frames (2, then 4) go; the reliable BACKGROUND frame 3 and LOW 5 stay.
    expect(queue.droppedCount).toBe(2);
    expect(queue.queuedBytes).toBe(100);

    expect(queue.enqueue({ bytes: frame(7, 20), priority: Priority.MEDIUM, volatile: false })).toBe('queued');
    expect(queue.droppedCount).toBe(3); // LOW 5 next
    clock.advance(5);
    expect(writtenIds()).toEqual([7, 1, 6, 3]);
  });

  it('drops a volatile newcomer that would have to evict higher-priority frames, without shedding anything', () => {
    const { queue } = setup({ maxQueueBytes: 60 });
    queue.enqueue({ bytes: frame(1, 20), priority: Priority.NORMAL, volatile: true });
    queue.enqueue({ bytes: frame(2, 20), priority: Priority.LOW, volatile: true });
    queue.enqueue({ bytes: frame(3, 20), priority: Priority.MEDIUM, volatile: false });
    expect(queue.enqueue({ bytes: frame(4, 40), priority: Priority.LOW, volatile: true })).toBe('dropped');
    expect(queue.queuedCount).toBe(3);
    expect(queue.droppedCount).toBe(1);
    // Same priority: the older frame gives way to the newer one.
    expect(queue.enqueue({ bytes: frame(5, 20), priority: Priority.LOW, volatile: true })).toBe('queued');
    expect(queue.droppedCount).toBe(2);
    expect(queue.queuedBytes).toBe(60);
  });

  it('drops a volatile frame larger than the whole queue', () => {
    const { queue } = setup({ maxQueueBytes: 64 });
    expect(queue.enqueue({ bytes: frame(1, 65), priority: Priority.CRITICAL, volatile: true })).toBe('dropped');
    expect(queue.isClosed).toBe(false);
  });

  it('coalesces volatile frames by key: the older one is dropped and the newer appended', () => {
    const { clock, queue, writtenIds } = setup();
    expect(queue.enqueue({ bytes: frame(1), priority: Priority.NORMAL, volatile: true, coalesceKey: 'e1' })).toBe(
      'queued',
    );
    queue.enqueue({ bytes: frame(2), priority: Priority.NORMAL, volatile: true, coalesceKey: 'e2' });
    queue.enqueue({ bytes: frame(3), priority: Priority.NORMAL, volatile: false });
    expect(queue.enqueue({ bytes: frame(4), priority: Priority.NORMAL, volatile: true, coalesceKey: 'e1' })).toBe(
      'coalesced',
    );
    // Reliable frames never coalesce, even with a key.
    expect(queue.enqueue({ bytes: frame(5), priority: Priority.NORMAL, volatile: false, coalesceKey: 'e2' })).toBe(
      'queued',
    );
    expect(queue.coalescedCount).toBe(1);
    expect(queue.queuedCount).toBe(4);
    expect(queue.queuedBytes).toBe(64);
    clock.advance(5);
    expect(writtenIds()).toEqual([2, 3, 4, 5]);
    // The key is free again once its frame left.
    expect(queue.enqueue({ bytes: frame(6), priority: Priority.NORMAL, volatile: true, coalesceKey: 'e1' })).toBe(
      'queued',
    );
  });

  it('on a reliable frame that cannot fit: calls onOverflow once, closes, and refuses further frames', () => {
    let reentrant: string | undefined;
    const overflows: WriteQueueOverflowInfo[] = [];
    const clock = new ManualClock(0);
    const writes: Uint8Array[] = [];
    const queue: WriteQueue = new WriteQueue({
      clock,
      write: (batch) => writes.push(batch),
      onOverflow: (info) => {
        overflows.push(info);
        reentrant = queue.enqueue({ bytes: frame(99), priority: Priority.CRITICAL, volatile: false });
      },
      options: { maxQueueBytes: 64 },
    });
    queue.enqueue({ bytes: frame(1, 32), priority: Priority.NORMAL, volatile: false });
    queue.enqueue({ bytes: frame(2, 16), priority: Priority.NORMAL, volatile: true });
    expect(queue.enqueue({ bytes: frame(3, 40), priority: Priority.NORMAL, volatile: false })).toBe('overflow');
    expect(overflows).toEqual([{ queuedBytes: 48, itemBytes: 40 }]);
    expect(reentrant).toBe('closed');
    expect(queue.isClosed).toBe(true);
    expect(queue.queuedBytes).toBe(0);
    expect(queue.enqueue({ bytes: frame(4), priority: Priority.NORMAL, volatile: false })).toBe('closed');
    expect(queue.enqueue({ bytes: frame(5, 1_000), priority: Priority.NORMAL, volatile: false })).toBe('closed');
    clock.advance(1_000);
    expect(writes).toHaveLength(0);
    expect(overflows).toHaveLength(1);
  });
});

describe('WriteQueue lifecycle', () => {
  it('close() discards queued frames and cancels the timer', () => {
    const { clock, queue, writes } = setup();
    queue.enqueue({ bytes: frame(1), priority: Priority.NORMAL, volatile: false });
    queue.close();
    expect(clock.pendingTimers).toBe(0);
    expect(queue.queuedCount).toBe(0);
    clock.advance(100);
    expect(writes).toHaveLength(0);
    expect(queue.enqueue({ bytes: frame(2), priority: Priority.NORMAL, volatile: false })).toBe('closed');
  });

  it('closes and reports a failed write, including a sink that throws', () => {
    const errors: Error[] = [];
    const { clock, queue, writes } = setup({ maxBatchBytes: 16 }, { onWriteError: (e) => errors.push(e) });
    queue.enqueue({ bytes: frame(1), priority: Priority.NORMAL, volatile: false });
    queue.enqueue({ bytes: frame(2), priority: Priority.NORMAL, volatile: false });
    clock.advance(5);
    writes[0]!.done(new Error('EPIPE'));
    expect(queue.isClosed).toBe(true);
    expect(errors.map((e) => e.message)).toEqual(['EPIPE']);
    expect(queue.inFlightBytes).toBe(16);
    writes[1]!.done(new Error('EPIPE again'));
    expect(errors).toHaveLength(1);
    expect(queue.inFlightBytes).toBe(0);

    const thrown: Error[] = [];
    const throwing = new WriteQueue({
      clock,
      write: () => {
        throw new Error('socket gone');
      },
      onOverflow: () => {},
      onWriteError: (e) => thrown.push(e),
    });
    throwing.enqueue({ bytes: frame(3), priority: Priority.CRITICAL, volatile: false });
    throwing.flushNow();
    expect(thrown.map((e) => e.message)).toEqual(['socket gone']);
    expect(throwing.inFlightBytes).toBe(0);
    expect(throwing.isClosed).toBe(true);
  });

  it('clamps priorities outside 0..10', () => {
    const { clock, queue, writtenIds } = setup();
    queue.enqueue({ bytes: frame(1), priority: -3, volatile: false });
    queue.enqueue({ bytes: frame(2), priority: 5.9, volatile: false });
    queue.enqueue({ bytes: frame(3), priority: Number.NaN, volatile: false });
    queue.enqueue({ bytes: frame(4), priority: 5, volatile: false });
    clock.advance(5);
    expect(writtenIds()).toEqual([2, 4, 1, 3]);
  });

  it('rejects options that would make the queue useless or unbounded', () => {
    const make = (options: WriteQueueOptions) => () =>
      new WriteQueue({ clock: new ManualClock(0), write: () => {}, onOverflow: () => {}, options });
    expect(make({ maxQueueBytes: 0 })).toThrow(/maxQueueBytes/);
    expect(make({ maxInFlightBytes: Number.POSITIVE_INFINITY })).toThrow(/maxInFlightBytes/);
    expect(make({ maxBatchBytes: -1 })).toThrow(/maxBatchBytes/);
    expect(make({ maxBatchDelayMs: -1 })).toThrow(/maxBatchDelayMs/);
    expect(make({ maxBatchDelayMs: 0 })).not.toThrow();
  });
});

describe('WriteQueue properties', () => {
  const limits = { maxQueueBytes: 400, maxBatchBytes: 80, maxInFlightBytes: 160, maxBatchDelayMs: 5 } as const;

  type Command =
    | { kind: 'enqueue'; bytes: number; priority: number; volatile: boolean; key: string | undefined }
    | { kind: 'complete'; index: number }
    | { kind: 'advance'; ms: number }
    | { kind: 'microtasks' };

  const command: fc.Arbitrary<Command> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('enqueue' as const),
        bytes: fc.integer({ min: 12, max: limits.maxBatchBytes }),
        priority: fc.integer({ min: 0, max: 10 }),
        volatile: fc.boolean(),
        key: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('complete' as const), index: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 8 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'microtasks' as const }) },
  );

  it('stays within its limits and writes each reliable frame once, in order, unless it overflowed', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 200, size: 'max' }), (commands) => {
        const clock = new ManualClock(0);
        const microtasks: (() => void)[] = [];
        const pending: ((error?: Error) => void)[] = [];
        const written: number[] = [];
        const meta: { priority: number; volatile: boolean; accepted: boolean }[] = [];
        let overflows = 0;
        const queue = new WriteQueue({
          clock,
          write: (batch, done) => {
            const ids = idsOf(batch);
            // Whole frames only, in non-increasing priority within the batch, within the size limit.
            expect(ids.length === 1 || batch.byteLength <= limits.maxBatchBytes).toBe(true);
            for (let i = 1; i < ids.length; i++) {
              expect(meta[ids[i]!]!.priority).toBeLessThanOrEqual(meta[ids[i - 1]!]!.priority);
            }
            written.push(...ids);
            pending.push(done);
          },
          onOverflow: () => {
            overflows++;
          },
          options: limits,
          scheduleMicrotask: (fn) => microtasks.push(fn),
        });

        const checkBounds = (): void => {
          expect(queue.queuedBytes).toBeLessThanOrEqual(limits.maxQueueBytes);
          expect(queue.inFlightBytes).toBeLessThanOrEqual(limits.maxInFlightBytes + limits.maxBatchBytes);
        };
        const step = (c: Command): void => {
          switch (c.kind) {
            case 'enqueue': {
              const id = meta.length;
              const result = queue.enqueue({
                bytes: frame(id, c.bytes),
                priority: c.priority,
                volatile: c.volatile,
                coalesceKey: c.key,
              });
              const accepted = result === 'queued' || result === 'coalesced';
              meta.push({ priority: c.priority, volatile: c.volatile, accepted });
              if (!c.volatile) expect(['queued', 'overflow', 'closed']).toContain(result);
              if (overflows > 0) expect(['overflow', 'closed']).toContain(result);
              break;
            }
            case 'complete': {
              if (pending.length === 0) break;
              const [done] = pending.splice(c.index % pending.length, 1);
              done!();
              break;
            }
            case 'advance':
              clock.advance(c.ms);
              break;
            case 'microtasks':
              while (microtasks.length > 0) microtasks.shift()!();
              break;
          }
          checkBounds();
        };

        for (const c of commands) step(c);
        // Drain: let every timer, microtask and write callback run. A frame that waits with nothing
        // scheduled to move it would spin here, so the round count is capped.
        for (let rounds = 0; pending.length > 0 || microtasks.length > 0 || queue.queuedCount > 0; rounds++) {
          expect(rounds).toBeLessThan(1_000);
          step({ kind: 'microtasks' });
          step({ kind: 'advance', ms: limits.maxBatchDelayMs });
          if (pending.length > 0) step({ kind: 'complete', index: 0 });
        }

        expect(overflows).toBeLessThanOrEqual(1);
        expect(queue.inFlightBytes).toBe(0);
        // No frame twice; no refused frame at all.
        expect(new Set(written).size).toBe(written.length);
        for (const id of written) expect(meta[id]!.accepted).toBe(true);
        // FIFO within each priority, for every frame that was written.
        const lastByPriority = new Map<number, number>();
        for (const id of written) {
          const p = meta[id]!.priority;
          expect(id).toBeGreaterThan(lastByPriority.get(p) ?? -1);
          lastByPriority.set(p, id);
        }
        if (overflows === 0) {
          const reliable = meta.flatMap((m, id) => (m.volatile ? [] : [id]));
          const writtenReliable = new Set(written.filter((id) => !meta[id]!.volatile));
          expect(reliable.filter((id) => !writtenReliable.has(id))).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
