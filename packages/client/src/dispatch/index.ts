export { Dispatcher } from './dispatcher.js';
export type { HandlerErrorSink, HandlerOptions, MessageHandler } from './dispatcher.js';
export { createEventBus } from './event-bus.js';
export type { EventBus } from './event-bus.js';
export type { InboundMessage } from './inbound-message.js';
export { StateProviderRegistry } from './state-providers.js';
export type { StateProvider } from './state-providers.js';
