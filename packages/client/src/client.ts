import {
  type BuiltinPayloadInit,
  type BuiltinType,
  type Clock,
  createMessageRegistry,
  MAX_PRIORITY,
  type MessageDescriptor,
  type MessageRegistry,
  ProtocolError,
  ProtocolErrorCode,
  systemClock,
} from '@mmo/protocol';
import { ConnectionManager } from './connection/connection-manager.js';
import type { ConnectedEvent, ConnectionEvents, ConnectionState } from './connection/connection-events.js';
import type { ConnectionManagerSettings, TokenProvider } from './connection/connection-options.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { createEventBus, type EventBus } from './dispatch/event-bus.js';
import { StateProviderRegistry } from './dispatch/state-providers.js';
import { ConnectionClosedError } from './errors.js';
import type { Listener, Unsubscribe } from './events/emitter.js';
import { outboundDefaults, type SendOptions } from './outbound/outbound-options.js';
import type { NetworkStats } from './stats/network-stats.js';
import type { TransportFactory } from './transport/transport.js';
import type { WebSocketConstructorLike } from './transport/websocket-like.js';
import { createWebSocketTransport, type TokenCarrier } from './transport/websocket-transport.js';

/** Options of {@link createMmoClient}. Only `url` is required. */
export interface MmoClientOptions extends ConnectionManagerSettings {
  /** Gateway WebSocket URL, e.g. `wss://game.example.com/ws`. */
  url: string;
  /** A fixed access token (JWT). Prefer `getToken` when tokens expire. */
  token?: string | undefined;
  /** Called before every connection attempt for a fresh token; `null` stops (state `failed`). */
  getToken?: TokenProvider | undefined;
  /**
   * WebSocket constructor (`ws` or `isomorphic-ws` in Node < 22).
   * @default globalThis.WebSocket (WebSocketUnavailableError at construction when absent)
   */
  WebSocket?: WebSocketConstructorLike;
  /**
   * Where the token travels: `query` (`?token=`, browsers) or `header` (Node `ws` only).
   * @default 'query'
   */
  tokenCarrier?: TokenCarrier;
  /**
   * Also put the resume token on the URL as `?resume=`.
   * @default false
   */
  resumeTokenInUrl?: boolean;
  /** Extra upgrade headers (Node `ws` only). */
  headers?: Record<string, string>;
  /**
   * A transport of your own (tests, latency/loss simulation); replaces the WebSocket transport.
   * @default createWebSocketTransport({ WebSocket, tokenCarrier, resumeTokenInUrl, headers })
   */
  transport?: TransportFactory;
  /**
   * Clock of every timer (heartbeat, backoff, timeouts, queue ages).
   * @default systemClock
   */
  clock?: Clock;
  /**
   * Source of randomness in [0, 1) for backoff jitter.
   * @default Math.random
   */
  random?: () => number;
  /**
   * Registry of message types; register the same custom types as the server.
   * @default a new registry with every built-in type
   */
  registry?: MessageRegistry;
}

/** Defaults of {@link MmoClientOptions} (other groups have their own, e.g. `outboundDefaults`). */
export const mmoClientDefaults = Object.freeze({
  clock: systemClock,
  random: Math.random,
});

/** The client: connection, messages, registry, stats. Prediction and interpolation plug in beside it. */
export interface MmoClient<GameEvents extends object = Record<string, unknown>> {
  /** Current connection state. */
  readonly state: ConnectionState;
  /** Current session id (undefined before the first connection and after disconnect/failed). */
  readonly sessionId: string | undefined;
  /** The client's message registry: `client.registry.register({ type: 1000, ... })`. */
  readonly registry: MessageRegistry;
  /** Handlers by message type, with priority; `onMessage` is a shortcut. */
  readonly dispatcher: Dispatcher;
  /** Typed bus for the game's own events. */
  readonly bus: EventBus<GameEvents>;
  /** Named providers of local game state. */
  readonly stateProviders: StateProviderRegistry;
  /** Network figures for debug overlays (`stats.snapshot()`). */
  readonly stats: NetworkStats;
  /** The connection manager underneath (advanced use). */
  readonly connection: ConnectionManager;
  /** Smoothed RTT in ms (undefined before the first PONG). */
  readonly rttMs: number | undefined;
  /** RTT variation in ms. */
  readonly jitterMs: number;
  /**
   * Starts connecting; resolves on the next `connected` (at once if connected), rejects with
   * `ConnectionClosedError` if the client fails or is disconnected first.
   */
  connect(): Promise<ConnectedEvent>;
  /** Closes, cancels retries, rejects pending sends; the next `connect` starts a fresh session. */
  disconnect(reason?: string): void;
  /**
   * Sends a message. Reliable: resolves when the server acknowledged it (or its handler ran, with
   * `requiresAck`). Volatile: resolves when written. Never an unhandled rejection if ignored.
   */
  send<K extends BuiltinType>(type: K, payload: BuiltinPayloadInit<K>, options?: SendOptions): Promise<void>;
  send<T, I>(descriptor: MessageDescriptor<T, I>, payload: I, options?: SendOptions): Promise<void>;
  send(type: number, payload: unknown, options?: SendOptions): Promise<void>;
  /** Listens to a connection event; returns the unsubscribe function. */
  on<K extends keyof ConnectionEvents>(event: K, listener: Listener<ConnectionEvents[K]>): Unsubscribe;
  /** Registers a message handler (same as `dispatcher.on`). */
  onMessage: Dispatcher['on'];
  /** Estimated server clock now (ms since the Unix epoch), from time sync. */
  serverNow(): number;
  /** Estimated server simulation tick now (fractional), once the server reports ticks. */
  serverTick(): number | undefined;
}

/**
 * Creates a client. Nothing happens until `connect()`.
 * @example
 * import { createMmoClient } from '@mmo/client';
 * import { jsonSchema, MessageType } from '@mmo/protocol';
 * const client = createMmoClient({ url: 'wss://game.example.com/ws', getToken: () => auth.token() });
 * const Chat = client.registry.register({ type: 1000, name: 'Chat', schema: jsonSchema<{ text: string }>() });
 * client.onMessage(Chat, (chat) => console.log(chat.text));
 * client.on('stateChange', ({ from, to, reason }) => console.log(from, '->', to, reason));
 * await client.connect();
 * await client.send(Chat, { text: 'hello' });
 */
export function createMmoClient<GameEvents extends object = Record<string, unknown>>(options: MmoClientOptions): MmoClient<GameEvents> {
  const clock = options.clock ?? mmoClientDefaults.clock;
  const registry = options.registry ?? createMessageRegistry();
  const transport =
    options.transport ??
    createWebSocketTransport({
      WebSocket: options.WebSocket,
      ...(options.tokenCarrier === undefined ? {} : { tokenCarrier: options.tokenCarrier }),
      ...(options.resumeTokenInUrl === undefined ? {} : { resumeTokenInUrl: options.resumeTokenInUrl }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    });
  const manager = new ConnectionManager({
    ...options,
    transport,
    registry,
    clock,
    random: options.random ?? mmoClientDefaults.random,
  });
  const dispatcher = new Dispatcher((error, { type }) => manager.events.emit('error', { error, context: 'handler', type }));
  manager.events.on('message', (message) => dispatcher.dispatch(message));
  const bus = createEventBus<GameEvents>((error) => manager.events.emit('error', { error, context: 'bus' }));
  let lastConnected: ConnectedEvent | undefined;
  manager.events.on('connected', (event) => (lastConnected = event));
  const defaultTimeoutMs = options.outbound?.sendTimeoutMs ?? outboundDefaults.sendTimeoutMs;

  const send = (typeOrDescriptor: number | MessageDescriptor<unknown, never>, payload: unknown, sendOptions: SendOptions = {}): Promise<void> => {
    const type = typeof typeOrDescriptor === 'number' ? typeOrDescriptor : typeOrDescriptor.type;
    try {
      const descriptor = registry.require(type);
      const packed = registry.pack(typeOrDescriptor as MessageDescriptor<unknown, unknown>, payload);
      const priority = sendOptions.priority ?? descriptor.priority;
      if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
        throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `priority ${priority} is outside 0..${MAX_PRIORITY}`);
      }
      return manager.send({
        type,
        payload: packed,
        reliable: sendOptions.reliable ?? descriptor.reliable,
        requiresAck: sendOptions.requiresAck ?? false,
        priority,
        timeoutMs: sendOptions.timeoutMs ?? defaultTimeoutMs,
        coalesceKey: sendOptions.coalesceKey,
      });
    } catch (error) {
      const rejected = Promise.reject(error);
      rejected.catch(() => {});
      return rejected;
    }
  };

  const connect = (): Promise<ConnectedEvent> => {
    if (manager.state === 'connected' && lastConnected !== undefined) return Promise.resolve(lastConnected);
    const result = new Promise<ConnectedEvent>((resolve, reject) => {
      const offConnected = manager.events.on('connected', (event) => {
        cleanup();
        resolve(event);
      });
      const offState = manager.events.on('stateChange', ({ to, reason }) => {
        if (to !== 'failed' && to !== 'disconnected') return;
        cleanup();
        reject(new ConnectionClosedError(to === 'failed' ? 'failed' : 'disconnected', reason));
      });
      const cleanup = () => {
        offConnected();
        offState();
      };
    });
    result.catch(() => {});
    manager.connect();
    return result;
  };

  return {
    get state() {
      return manager.state;
    },
    get sessionId() {
      return manager.sessionId;
    },
    get rttMs() {
      return manager.rtt.smoothedMs;
    },
    get jitterMs() {
      return manager.rtt.jitterMs;
    },
    registry,
    dispatcher,
    bus,
    stateProviders: new StateProviderRegistry(),
    stats: manager.stats,
    connection: manager,
    connect,
    disconnect: (reason?: string) => manager.disconnect(reason),
    send: send as MmoClient['send'],
    on: (event, listener) => manager.events.on(event, listener),
    onMessage: dispatcher.on.bind(dispatcher) as Dispatcher['on'],
    serverNow: () => manager.serverNow(),
    serverTick: () => manager.timeSync.serverTickAt(clock.now()),
  };
}
