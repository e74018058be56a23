import type { Clock } from '@mmo/protocol';
import { HandlerTimeoutError } from './handler-error.js';

/**
 * Waits for an async handler, up to `timeoutMs`: resolves or rejects with its outcome, or rejects
 * with {@link HandlerTimeoutError} at the deadline (after calling `onTimeout`, which aborts the
 * handler's signal). A handler still running then keeps running in the background.
 */
export function settleWithin(
  clock: Clock,
  messageType: number,
  timeoutMs: number,
  work: Promise<void>,
  onTimeout: (error: HandlerTimeoutError) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimeout(() => {
      if (settled) return;
      settled = true;
      const error = new HandlerTimeoutError(messageType, timeoutMs);
      onTimeout(error);
      reject(error);
    }, timeoutMs);
    work.then(
      () => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        reject(error ?? new Error('handler rejected'));
      },
    );
  });
}

/**
 * An AbortSignal for one handler that also aborts when `parent` (the connection) does. Created only
 * when a handler reads `ctx.signal`, so handlers that never look cost no controller or listener.
 */
export class LazySignal {
  private controller: AbortController | undefined;
  private onParentAbort: (() => void) | undefined;

  constructor(private readonly parent: AbortSignal) {}

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      const controller = new AbortController();
      this.controller = controller;
      if (this.parent.aborted) controller.abort(this.parent.reason);
      else {
        this.onParentAbort = () => controller.abort(this.parent.reason);
        this.parent.addEventListener('abort', this.onParentAbort, { once: true });
      }
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    this.controller?.abort(reason);
  }

  /** Detaches from the parent once the handler is done. */
  release(): void {
    if (this.onParentAbort !== undefined) this.parent.removeEventListener('abort', this.onParentAbort);
    this.onParentAbort = undefined;
  }
}
