import type { MmoEnvelope } from '@mmo/protocol';

/** One decoded message from the server, as handlers and the `message` event see it. */
export interface InboundMessage<T = unknown> {
  /** The envelope (type, sequence, timestamp, ack, ...). Its `payload` is the raw bytes. */
  readonly envelope: MmoEnvelope;
  /** The decoded payload, per the client registry's schema of `envelope.type`. */
  readonly payload: T;
  /** Registered name of the type (e.g. `PONG`, or the custom type's name). */
  readonly typeName: string;
}
