export { TypedEmitter } from './emitter.js';
export type { Listener, Unsubscribe } from './emitter.js';
