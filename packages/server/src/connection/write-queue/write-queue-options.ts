import { MmoError, Priority } from '@mmo/protocol';

/** Limits and timings of a `WriteQueue`. Every field is optional; see {@link writeQueueDefaults}. */
export interface WriteQueueOptions {
  /**
   * Total bytes the queue may hold waiting to be written (in-flight bytes are not counted: they
   * belong to the socket). Past this, volatile frames are shed and a reliable frame that still does
   * not fit closes the connection as a slow consumer: the queue never buffers beyond it.
   * @default 1_048_576 (1 MiB)
   */
  maxQueueBytes?: number;
  /**
   * Most bytes handed to the socket in one write (one WebSocket message of whole frames back to
   * back). A single frame larger than this is written alone, never split.
   * @default 65_536 (64 KiB)
   */
  maxBatchBytes?: number;
  /**
   * How long a non-urgent frame may wait so that frames enqueued soon after it share its write.
   * @default 5
   */
  maxBatchDelayMs?: number;
  /**
   * Frames at or above this priority are flushed on the next microtask instead of waiting
   * `maxBatchDelayMs` (frames enqueued in the same synchronous turn still share the write).
   * @default 9 (`Priority.HIGH`)
   */
  urgentPriority?: number;
  /**
   * Bytes handed to the socket whose write callback has not fired yet. At or above this the queue
   * stops writing (backpressure) and resumes when callbacks fire, so a slow peer makes frames wait
   * here, where they can be prioritised, shed and bounded, instead of in the socket's buffer.
   * @default 262_144 (256 KiB)
   */
  maxInFlightBytes?: number;
}

/** Defaults of {@link WriteQueueOptions}. */
export const writeQueueDefaults: Readonly<Required<WriteQueueOptions>> = Object.freeze({
  // 1 MiB: a few seconds of a busy zone's deltas at a healthy rate; beyond that the peer is not
  // keeping up and holding more only delays the slow-consumer close and costs server memory.
  maxQueueBytes: 1024 * 1024,
  // 64 KiB: large enough to batch a whole tick for one client, small enough that one write does
  // not hold the event loop copying or delay an urgent frame behind a huge message.
  maxBatchBytes: 64 * 1024,
  // 5 ms: well under one tick at 60 Hz (16.7 ms), so batching never costs a tick of latency.
  maxBatchDelayMs: 5,
  // HIGH and CRITICAL (actions, acks, errors, disconnects) must not wait for batching.
  urgentPriority: Priority.HIGH,
  // 256 KiB: keeps a fast link busy (about 20 ms of a 100 Mbit/s link) while leaving most bytes in
  // the queue, where priorities and shedding still apply.
  maxInFlightBytes: 256 * 1024,
});

/** Fills in defaults once and rejects limits that would make the queue useless or unbounded. */
export function resolveWriteQueueOptions(options: WriteQueueOptions | undefined): Readonly<Required<WriteQueueOptions>> {
  if (options === undefined) return writeQueueDefaults;
  const d = writeQueueDefaults;
  const resolved: Required<WriteQueueOptions> = {
    maxQueueBytes: options.maxQueueBytes ?? d.maxQueueBytes,
    maxBatchBytes: options.maxBatchBytes ?? d.maxBatchBytes,
    maxBatchDelayMs: options.maxBatchDelayMs ?? d.maxBatchDelayMs,
    urgentPriority: options.urgentPriority ?? d.urgentPriority,
    maxInFlightBytes: options.maxInFlightBytes ?? d.maxInFlightBytes,
  };
  for (const name of ['maxQueueBytes', 'maxBatchBytes', 'maxInFlightBytes'] as const) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value <= 0) {
      throw new MmoError('INVALID_OPTIONS', `WriteQueue: ${name} must be a positive finite number, got ${value}`);
    }
  }
  if (!Number.isFinite(resolved.maxBatchDelayMs) || resolved.maxBatchDelayMs < 0) {
    throw new MmoError(
      'INVALID_OPTIONS',
      `WriteQueue: maxBatchDelayMs must be a non-negative finite number, got ${resolved.maxBatchDelayMs}`,
    );
  }
  if (Number.isNaN(resolved.urgentPriority)) {
    throw new MmoError('INVALID_OPTIONS', 'WriteQueue: urgentPriority must be a number, got NaN');
  }
  return resolved;
}
