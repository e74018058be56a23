export { WorldDesyncError, isWorldDesyncError } from '../errors.js';
export type { WorldDesyncReason } from '../errors.js';
export { attachWorldState, WORLD_HANDLER_PRIORITY } from './attach-world-state.js';
export type { WorldStateClient } from './attach-world-state.js';
export { feedInterpolator } from './feed-interpolator.js';
export type {
  WorldCorrectionEvent,
  WorldDesyncEvent,
  WorldEntity,
  WorldEntityEnteredEvent,
  WorldEntityExitedEvent,
  WorldEntityKind,
  WorldEntityUpdatedEvent,
  WorldExitReason,
  WorldSelfStateEvent,
  WorldStateEvents,
  WorldTickEvent,
} from './world-events.js';
export { WorldStateErrorCode, worldStateDefaults } from './world-options.js';
export type { WorldStateOptions } from './world-options.js';
export { WORLD_MESSAGE_TYPES, createWorldState } from './world-state.js';
export type { WorldState } from './world-state.js';
