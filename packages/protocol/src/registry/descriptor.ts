import type { PayloadSchema } from './schema.js';

/** What a message type is: its name, payload schema and delivery defaults. */
export interface MessageDescriptor<T = unknown, I = T> {
  /** The type number on the wire. */
  readonly type: number;
  /** Unique, human-readable name (used in logs and metrics labels). */
  readonly name: string;
  readonly schema: PayloadSchema<T, I>;
  /** Write-queue priority 0..10 (see `Priority`). */
  readonly priority: number;
  /**
   * Hint that the payload is large and repetitive enough to benefit from compression. Transports
   * that support per-message compression may use it; it never changes the framing.
   */
  readonly compress: boolean;
  /** Sent on the reliable stream (sequenced, acknowledged, replayed) unless the sender overrides. */
  readonly reliable: boolean;
}

/** Input of `MessageRegistry.register`; omitted fields take the defaults below. */
export interface MessageDefinition<T, I = T> {
  type: number;
  name: string;
  schema: PayloadSchema<T, I>;
  /** @default 5 (Priority.NORMAL) */
  priority?: number;
  /** @default false */
  compress?: boolean;
  /** @default true (custom messages are usually game events a game cannot lose) */
  reliable?: boolean;
}

/**
 * Identity helper that gives a custom message definition its payload type.
 * @example
 * const Chat = defineMessage({ type: 1000, name: 'Chat', schema: jsonSchema<{ text: string }>() });
 */
export function defineMessage<T, I = T>(definition: MessageDefinition<T, I>): MessageDefinition<T, I> {
  return definition;
}
