import type { TimerHandle } from '@mmo/protocol';

/** One message on its way out, from `send` until its promise settles and the server has it. */
export interface OutboundEntry {
  readonly type: number;
  readonly payload: Uint8Array;
  readonly reliable: boolean;
  readonly requiresAck: boolean;
  readonly priority: number;
  readonly coalesceKey: string | undefined;
  /** When `send` was called (client clock, ms). */
  readonly enqueuedAt: number;
  /** Reliable sequence in the current session; 0 until first written. */
  sequence: number;
  /** Payload bytes this entry counts against `maxQueuedBytes` (0 once released). */
  countedBytes: number;
  /** True once the promise has resolved or rejected. */
  settled: boolean;
  /** The send's timeout timer, if any. */
  timer: TimerHandle | undefined;
  resolve(): void;
  reject(error: Error): void;
}

/** What one written frame needs from an entry. */
export interface OutboundFrame {
  type: number;
  /** 0 for volatile. */
  sequence: number;
  payload: Uint8Array;
  priority: number;
  requiresAck: boolean;
}

/** The frame of an entry as it is written now. */
export function frameOf(entry: OutboundEntry): OutboundFrame {
  return {
    type: entry.type,
    sequence: entry.sequence,
    payload: entry.payload,
    priority: entry.priority,
    requiresAck: entry.requiresAck,
  };
}
