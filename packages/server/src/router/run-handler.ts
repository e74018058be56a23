import type { Clock } from '@mmo/protocol';
import { HandlerTimeoutError } from './handler-error.js';

/**
 * Runs `fn` with an AbortSignal that aborts after `timeoutMs` (or when `parent` aborts). Resolves
 * with the handler's outcome or rejects with {@link HandlerTimeoutError} at the deadline; a
 * handler still running then keeps running in the background with its signal aborted.
 */
export function runWithTimeout(
  clock: Clock,
  messageType: number,
  timeoutMs: number,
  parent: AbortSignal,
  fn: (signal: AbortSignal) => void | Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });

  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimeout(() => {
      if (settled) return;
      settled = true;
      const error = new HandlerTimeoutError(messageType, timeoutMs);
      controller.abort(error);
      parent.removeEventListener('abort', onParentAbort);
      reject(error);
    }, timeoutMs);
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    try {
      const result = fn(controller.signal);
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(() => finish(), (error: unknown) => finish(error ?? new Error('handler rejected')));
      } else {
        finish();
      }
    } catch (error) {
      finish(error ?? new Error('handler threw'));
    }
  });
}
