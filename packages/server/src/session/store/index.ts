export { MemorySessionStore } from './memory-session-store.js';
export { RedisSessionStore } from './redis-session-store.js';
export type { RedisSessionStoreOptions } from './redis-session-store.js';
export type { ClaimResult, SessionStore, StoredOutboxEntry, StoredSession } from './session-store.js';
