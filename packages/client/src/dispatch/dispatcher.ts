import type { BuiltinPayloads, BuiltinType, MessageDescriptor } from '@mmo/protocol';
import type { Unsubscribe } from '../events/emitter.js';
import type { InboundMessage } from './inbound-message.js';

/** A handler of one message type. */
export type MessageHandler<T = unknown> = (payload: T, message: InboundMessage<T>) => void;

/** Options of one handler registration. */
export interface HandlerOptions {
  /**
   * Handlers of a type run from the highest priority down; equal priorities in registration order.
   * @default 0
   */
  priority?: number;
}

/** Where a handler error is reported (with the type it was handling). */
export type HandlerErrorSink = (error: unknown, context: { type: number; typeName: string }) => void;

interface Registration {
  handler: MessageHandler<never>;
  priority: number;
  order: number;
}

/**
 * The client-side dispatcher: several handlers per message type, ordered by priority, typed by the
 * built-in type number or a custom descriptor from the registry. A handler that throws is reported
 * to the error sink with its message type; the remaining handlers still run.
 * @example
 * const off = dispatcher.on(MessageType.FRIEND_STATUS, (status) => showToast(status.friendId), { priority: 10 });
 * dispatcher.on(Chat, (chat) => log(chat.text)); // Chat = client.registry.register({...})
 * off();
 */
export class Dispatcher {
  private readonly byType = new Map<number, Registration[]>();
  private readonly any: Registration[] = [];
  private order = 0;

  constructor(private readonly onHandlerError: HandlerErrorSink) {}

  /** Registers a handler; returns its unsubscribe function. */
  on<K extends BuiltinType>(type: K, handler: MessageHandler<BuiltinPayloads[K]>, options?: HandlerOptions): Unsubscribe;
  on<T, I>(descriptor: MessageDescriptor<T, I>, handler: MessageHandler<T>, options?: HandlerOptions): Unsubscribe;
  on(type: number, handler: MessageHandler, options?: HandlerOptions): Unsubscribe;
  on(typeOrDescriptor: number | MessageDescriptor<unknown, never>, handler: MessageHandler<never>, options: HandlerOptions = {}): Unsubscribe {
    const type = typeof typeOrDescriptor === 'number' ? typeOrDescriptor : typeOrDescriptor.type;
    const list = this.byType.get(type) ?? [];
    const registration = this.insert(list, handler, options);
    this.byType.set(type, list);
    return () => {
      const i = list.indexOf(registration);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Registers a handler for every message, after the type's own handlers. */
  onAny(handler: MessageHandler, options: HandlerOptions = {}): Unsubscribe {
    const registration = this.insert(this.any, handler, options);
    return () => {
      const i = this.any.indexOf(registration);
      if (i >= 0) this.any.splice(i, 1);
    };
  }

  /** Number of handlers of `type` (not counting `onAny`). */
  handlerCount(type: number): number {
    return this.byType.get(type)?.length ?? 0;
  }

  /** Runs the handlers of `message.envelope.type`, then the catch-all ones. */
  dispatch(message: InboundMessage): void {
    const type = message.envelope.type;
    const own = this.byType.get(type);
    // Copies: a handler may unsubscribe itself (or others) while we iterate.
    for (const list of [own === undefined ? [] : [...own], [...this.any]]) {
      for (const r of list) {
        try {
          (r.handler as MessageHandler)(message.payload, message);
        } catch (error) {
          this.onHandlerError(error, { type, typeName: message.typeName });
        }
      }
    }
  }

  private insert(list: Registration[], handler: MessageHandler<never>, options: HandlerOptions): Registration {
    const registration: Registration = { handler, priority: options.priority ?? 0, order: this.order++ };
    // Stable: after every registration of higher or equal priority.
    let i = list.length;
    while (i > 0 && list[i - 1]!.priority < registration.priority) i--;
    list.splice(i, 0, registration);
    return registration;
  }
}
