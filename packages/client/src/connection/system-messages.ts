import { type BuiltinPayloads, type Clock, ErrorCode, type MessageRegistry, MessageType, type MmoEnvelope } from '@mmo/protocol';
import { ServerError } from '../errors.js';
import type { Outbound } from '../outbound/outbound.js';
import type { Heartbeat } from './heartbeat.js';
import type { TimeSyncEstimator } from './time-sync.js';

/** The components system messages feed. */
export interface SystemMessageTargets {
  clock: Clock;
  heartbeat: Heartbeat;
  timeSync: TimeSyncEstimator;
  outbound: Outbound;
  /** An ERROR that answers none of our pending sends. */
  onUnmatchedError(error: ServerError): void;
}

type Payload<K extends keyof BuiltinPayloads> = BuiltinPayloads[K];

/**
 * Feeds a decoded system message to its component: PONG -> RTT, TIME_SYNC -> clock offset, ACK and
 * ERROR -> the pending send they answer. Game handlers see these messages too (the `message` event).
 */
export function handleSystemMessage(env: MmoEnvelope, payload: unknown, targets: SystemMessageTargets): void {
  switch (env.type) {
    case MessageType.PONG:
      return targets.heartbeat.onPong((payload as Payload<typeof MessageType.PONG>).clientTime);
    case MessageType.ACK:
      return targets.outbound.onAckMessage((payload as Payload<typeof MessageType.ACK>).sequence);
    case MessageType.TIME_SYNC: {
      const t = payload as Payload<typeof MessageType.TIME_SYNC>;
      targets.timeSync.add({
        clientSendTime: t.clientTime,
        serverReceiveTime: t.serverReceiveTime,
        serverSendTime: t.serverSendTime,
        clientReceiveTime: targets.clock.now(),
        serverTick: t.serverTick,
        tickRate: t.tickRate,
      });
      return;
    }
    case MessageType.ERROR: {
      const e = payload as Payload<typeof MessageType.ERROR>;
      // request_id is the decimal sequence of the failed message (DESIGN.md), '' for volatile ones.
      const sequence = Number(e.requestId);
      const details = { ...e.details };
      const answered =
        e.requestId !== '' &&
        Number.isSafeInteger(sequence) &&
        sequence > 0 &&
        targets.outbound.onError({ sequence, envelopeAck: env.ack, code: e.code, message: e.message, retryable: e.retryable, details });
      // A refused resume is reported by the `connected` event instead.
      if (!answered && e.code !== ErrorCode.RESUME_REJECTED) targets.onUnmatchedError(new ServerError(e.code, e.message, e.retryable, details));
      return;
    }
    default:
      return;
  }
}

/** The server's reason when the envelopes sent before CONNECTION_ESTABLISHED refuse a resume. */
export function findResumeRejection(registry: MessageRegistry, before: readonly MmoEnvelope[]): string | undefined {
  for (const env of before) {
    if (env.type !== MessageType.ERROR) continue;
    try {
      const e = registry.unpack(MessageType.ERROR, env.payload);
      if (e.code === ErrorCode.RESUME_REJECTED) return e.details['reason'] || 'rejected';
    } catch {
      // Reported when it is processed in order.
    }
  }
  return undefined;
}
