// Server-authoritative state sync: the zone tick loop and movement validation. Named exports only.
export { TICK_RATE_MAX_HZ, TICK_RATE_MIN_HZ, TickLoop, tickLoopDefaults } from './tick-loop.js';
export type { TickLoopInit, TickLoopOptions, TickLoopStats, TickOverrunInfo, TickSample } from './tick-loop.js';
export { MovementRejection, MovementValidator } from './movement-validator.js';
export type { MovementInput, MovementRejectReason, MovementVerdict } from './movement-validator.js';
export { movementValidatorDefaults } from './movement-options.js';
export type { MovementBounds, MovementValidatorOptions } from './movement-options.js';
export { createPlayerMoveState } from './player-move-state.js';
export type { PlayerMoveState } from './player-move-state.js';
