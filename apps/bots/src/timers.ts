import type { Clock, TimerHandle } from '@mmo/protocol';

/**
 * Calls `fn` every `periodMs` on `clock`, first after `phaseMs`, drift-free: call `n` is due at
 * start + phase + n × period, so a late event loop does not slow the rate down; slots missed by
 * more than a period are skipped, not bunched. Returns the function that stops it.
 */
export function every(clock: Clock, periodMs: number, fn: () => void, phaseMs = 0): () => void {
  const start = clock.now() + phaseMs;
  let n = 0;
  let handle: TimerHandle | undefined;
  let stopped = false;
  const schedule = () => {
    const now = clock.now();
    // Skip the slots already missed by a full period.
    const behind = Math.floor((now - (start + n * periodMs)) / periodMs);
    if (behind > 0) n += behind;
    handle = clock.setTimeout(run, Math.max(0, start + n * periodMs - now));
  };
  const run = () => {
    if (stopped) return;
    n++;
    fn();
    if (!stopped) schedule();
  };
  schedule();
  return () => {
    stopped = true;
    if (handle !== undefined) clock.clearTimeout(handle);
  };
}
