import type { mmo } from '@mmo/protocol';
import { HandlerError } from '../router/handler-error.js';
import type { MessageHandler } from '../router/router.js';
import { isPresenceError } from './presence-error.js';
import type { PresenceService } from './presence-service.js';

/**
 * The router handler of PLAYER_STATUS_CHANGE (103): applies the change for the sending user (never
 * for the `player_id` a client names) and answers an invalid one with ERROR of the PresenceError's
 * wire code (VALIDATION_FAILED, FORBIDDEN, NOT_FOUND, QUEUE_FULL, UNAVAILABLE).
 * @example
 * gateway.router.on(MessageType.PLAYER_STATUS_CHANGE, createStatusChangeHandler(presence));
 */
export function createStatusChangeHandler(presence: PresenceService): MessageHandler<mmo.v1.IPlayerStatusChange> {
  return async (ctx) => {
    try {
      await presence.statusChange(ctx.connection.userId, ctx.payload);
    } catch (error) {
      if (isPresenceError(error)) throw new HandlerError(error.errorCode, error.message, { cause: error });
      throw error;
    }
  };
}
