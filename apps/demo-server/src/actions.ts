import type { mmo } from '@mmo/protocol';
import type { ZoneEntity } from '@mmo/server';

/** The one kind of action the demo has: a greeting others see as a speech bubble. */
export const DemoAction = {
  WAVE: 'wave',
  EMOTE: 'emote',
} as const;
export type DemoActionName = (typeof DemoAction)[keyof typeof DemoAction];

/** Emotes an `emote` action may name in `parameters.emote`. */
export const DEMO_EMOTES = ['dance', 'cheer', 'bow', 'laugh'] as const;

/** Options of {@link createActionValidator}. */
export interface ActionValidatorOptions {
  /**
   * Shortest time between two actions of one player, ms (a key held down must not flood everyone).
   * @default 400
   */
  minIntervalMs?: number;
  /** Time source in ms. @default Date.now */
  now?: () => number;
}

/** Defaults of {@link ActionValidatorOptions}. */
export const actionValidatorDefaults = Object.freeze({ minIntervalMs: 400 });

const LAST_ACTION_AT = 'demo.lastActionAt';

/**
 * The `validateAction` hook: `wave`, or `emote` with a known `parameters.emote`, at most one per
 * `minIntervalMs` per player. Anything else is refused (the client gets ERROR 4003 ACTION_REJECTED
 * with the returned reason).
 */
export function createActionValidator(options: ActionValidatorOptions = {}): (actor: ZoneEntity, action: mmo.v1.IPlayerAction) => true | string {
  const minIntervalMs = options.minIntervalMs ?? actionValidatorDefaults.minIntervalMs;
  const now = options.now ?? Date.now;
  return (actor, action) => {
    if (action.actionType === DemoAction.EMOTE) {
      const emote = action.parameters?.['emote'];
      if (!(DEMO_EMOTES as readonly string[]).includes(emote ?? '')) return `unknown emote ${JSON.stringify(emote ?? '')}`;
    } else if (action.actionType !== DemoAction.WAVE) {
      return `unknown action ${JSON.stringify(action.actionType ?? '')}: use wave or emote`;
    }
    const t = now();
    const last = actor.data.get(LAST_ACTION_AT);
    if (typeof last === 'number' && t - last < minIntervalMs) return 'too many actions, slow down';
    actor.data.set(LAST_ACTION_AT, t);
    return true;
  };
}
