export { MemoryFriendsProvider, memoryFriendsProviderDefaults } from './friends-provider.js';
export type { FriendsProvider, MemoryFriendsProviderOptions } from './friends-provider.js';
export { MemoryPresenceStore, memoryPresenceStoreDefaults } from './memory-presence-store.js';
export type { MemoryPresenceStoreOptions } from './memory-presence-store.js';
export { RedisPresenceStore, redisPresenceStoreDefaults } from './redis-presence-store.js';
export type { RedisPresenceStoreOptions } from './redis-presence-store.js';
export { PresenceStatus, isPresenceStatus, offlineRecord } from './presence-store.js';
export type {
  PresenceChange,
  PresenceChangeListener,
  PresenceChangeReason,
  PresenceDeleteOptions,
  PresenceRecord,
  PresenceStatusName,
  PresenceStore,
} from './presence-store.js';
export { PresenceError, PresenceErrorCode, isPresenceError, presenceErrorWireCodes } from './presence-error.js';
export type { PresenceErrorCodeName } from './presence-error.js';
export { presenceServiceDefaults } from './presence-options.js';
export type { PresenceLogger, PresenceSend, PresenceServiceOptions } from './presence-options.js';
export { createPresenceService } from './presence-service.js';
export type { PresenceService, PresenceStats } from './presence-service.js';
export { fromWireStatus, toFriendStatus, toPresenceUpdate, toWireStatus } from './presence-wire.js';
export { createStatusChangeHandler } from './status-change-handler.js';
