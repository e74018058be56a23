import type { BuiltinPayloads, BuiltinType, MessageDescriptor, MmoEnvelope } from '@mmo/protocol';

/** What a handler knows about the connection a message came from. */
export interface MmoConnectionInfo {
  readonly connectionId: string;
  readonly sessionId: string;
  readonly userId: string;
  /** The verified JWT claims of the connection. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly remoteAddress: string;
}

/** Sending back to the connection a message came from. */
export interface MmoReplyChannel {
  /** Sends a message on this connection; reliable per the type's descriptor unless overridden. */
  send(type: number, payload: unknown, options?: SendOptions): void;
}

/** Per-message delivery overrides. */
export interface SendOptions {
  /** Overrides the type's default stream. */
  reliable?: boolean;
  /** Overrides the type's default priority (0..10). */
  priority?: number;
  /** Ask the client for an explicit ACK. */
  requiresAck?: boolean;
  /** Volatile messages with the same key replace each other while queued. */
  coalesceKey?: string;
  /**
   * False keeps a volatile message from being shed by write-queue pressure, so it stays in order
   * with the others (state sync's per-tick messages, which are deltas of each other). A client
   * that cannot take them is closed as a slow consumer instead.
   * @default true for volatile messages
   */
  sheddable?: boolean;
}

/** Everything a handler gets for one message. */
export interface HandlerContext<T = unknown> {
  readonly connection: MmoConnectionInfo;
  readonly envelope: MmoEnvelope;
  /** The decoded payload. */
  readonly payload: T;
  /** Aborted when the handler's timeout passes or the connection closes. */
  readonly signal: AbortSignal;
  /** Sends to this connection. */
  readonly reply: MmoReplyChannel['send'];
  /** Scratch space shared by middleware and the handler of this one message. */
  readonly locals: Map<string, unknown>;
}

/** A message handler; may be async. Throw `HandlerError` to answer with a specific ERROR code. */
export type MessageHandler<T = unknown> = (ctx: HandlerContext<T>) => void | Promise<void>;

/**
 * Runs around handlers (logging, auth checks, metrics). Call `next()` to continue; not calling it
 * stops the message (no handler, no ACK). Errors thrown here are answered like handler errors.
 */
export type Middleware = (ctx: HandlerContext, next: () => Promise<void>) => void | Promise<void>;

/** Options of one handler registration. */
export interface HandlerOptions {
  /**
   * How long the handler may run before it is aborted and the client gets HANDLER_TIMEOUT.
   * @default the router's `handlerTimeoutMs` (5000 ms)
   */
  timeoutMs?: number;
}

export interface RouteEntry {
  readonly handler: MessageHandler;
  readonly timeoutMs: number | undefined;
}

/**
 * Handlers by message type, plus middleware. One handler per type: registering a second one for
 * the same type is an error (compose inside one handler or use middleware instead), so a message
 * never runs two pieces of game logic by accident.
 */
export class Router {
  private readonly routes = new Map<number, RouteEntry>();
  private readonly chain: Middleware[] = [];

  /** Registers the handler of a built-in type, a custom descriptor, or a raw type number. */
  on<K extends BuiltinType>(type: K, handler: MessageHandler<BuiltinPayloads[K]>, options?: HandlerOptions): this;
  on<T, I>(descriptor: MessageDescriptor<T, I>, handler: MessageHandler<T>, options?: HandlerOptions): this;
  on(type: number, handler: MessageHandler, options?: HandlerOptions): this;
  on(
    typeOrDescriptor: number | MessageDescriptor<unknown, never>,
    handler: MessageHandler<never>,
    options?: HandlerOptions,
  ): this {
    const type = typeof typeOrDescriptor === 'number' ? typeOrDescriptor : typeOrDescriptor.type;
    if (this.routes.has(type)) throw new Error(`a handler for message type ${type} is already registered`);
    const timeoutMs = options?.timeoutMs;
    if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
      throw new Error(`timeoutMs for message type ${type} must be a positive number`);
    }
    this.routes.set(type, { handler: handler as MessageHandler, timeoutMs });
    return this;
  }

  /** Removes the handler of `type`; returns whether one existed. */
  off(type: number): boolean {
    return this.routes.delete(type);
  }

  /** Adds middleware; runs in registration order before the handler. */
  use(middleware: Middleware): this {
    this.chain.push(middleware);
    return this;
  }

  /** True when any middleware is registered. */
  get hasMiddleware(): boolean {
    return this.chain.length > 0;
  }

  /** The route of `type`, if any. */
  route(type: number): RouteEntry | undefined {
    return this.routes.get(type);
  }

  /** Runs middleware then `final` for one message. */
  async run(ctx: HandlerContext, final: () => Promise<void>): Promise<void> {
    const chain = this.chain;
    const step = async (i: number): Promise<void> => {
      const mw = chain[i];
      if (mw === undefined) return final();
      let called = false;
      await mw(ctx, () => {
        if (called) return Promise.reject(new Error('next() called twice'));
        called = true;
        return step(i + 1);
      });
    };
    await step(0);
  }
}

/** Creates an empty router. */
export function createRouter(): Router {
  return new Router();
}
