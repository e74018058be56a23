/**
 * A network-conditions layer for the demo, as a TransportFactory wrapped around the real
 * WebSocket transport: added latency, jitter, loss of volatile messages, and a forced
 * disconnect. It sits under the connection manager, so everything above it (heartbeat RTT,
 * resume, reliable replay, prediction) reacts as it would on a bad network.
 *
 * Runtime-neutral (no DOM): the clock and randomness are injected, and the unit test drives it
 * in Node with a ManualClock.
 */
import type { Transport, TransportCloseInfo, TransportFactory, TransportHandlers } from '@mmo/client';
import { type Clock, decodeEnvelope, decodeFrames, encodeFrameBatch, MessageType, systemClock, type TimerHandle } from '@mmo/protocol';

/** What the panel sets. */
export interface NetConditions {
  /** Added round-trip latency, ms: half on the way out, half on the way in. */
  latencyMs: number;
  /** Extra random delay per message and direction, uniform in [0, jitterMs] ms. Order is kept, as on TCP. */
  jitterMs: number;
  /** Share of outgoing volatile messages dropped, 0..1 (movement inputs, heartbeats, time sync). */
  volatileDropRate: number;
}

/** Defaults of {@link NetConditions}: a perfect network. */
export const netConditionsDefaults: Readonly<NetConditions> = Object.freeze({ latencyMs: 0, jitterMs: 0, volatileDropRate: 0 });

/** Bounds the panel's numbers are clamped to. */
export const NET_LIMITS = Object.freeze({ maxLatencyMs: 2_000, maxJitterMs: 1_000, maxVolatileDropRate: 0.9 });

/** What the layer has done, for the overlay. */
export interface NetConditionsCounters {
  /** Outgoing volatile messages (frames) dropped. */
  droppedVolatile: number;
  /** Messages held back by latency or jitter, both directions. */
  delayed: number;
  /** Links cut by {@link NetConditionsControl.forceDisconnect}. */
  forcedDisconnects: number;
}

/** The panel's handle on the layer. */
export interface NetConditionsControl {
  /** The conditions in force (a copy). */
  readonly conditions: Readonly<NetConditions>;
  readonly counters: Readonly<NetConditionsCounters>;
  /** Changes some conditions; numbers are clamped to {@link NET_LIMITS}. Applies to the next message. */
  set(changes: Partial<NetConditions>): void;
  /**
   * Cuts the current link the way a dead network would: the client sees a close with code 1006
   * at once (and reconnects, resuming its session); the socket is closed under it. False when no
   * link is open.
   */
  forceDisconnect(): boolean;
}

/** Options of {@link createConditionedTransport}. */
export interface ConditionedTransportOptions {
  /** Timers of the delays. @default systemClock */
  clock?: Clock;
  /** Randomness in [0, 1) for jitter and drops. @default Math.random */
  random?: () => number;
  /** Starting conditions. @default netConditionsDefaults */
  conditions?: Partial<NetConditions>;
}

/** Close code the demo's client sends on the real socket when the link is cut (a 4xxx code is the app's own). */
export const FORCED_CLOSE_CODE = 4000;
/** What the connection manager is told: an abnormal close, as for a dropped network. */
const ABNORMAL_CLOSE = 1006;

function clamp(value: number, max: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, 0), max) : 0;
}

/**
 * A FIFO of callbacks, each due at a time, run in order by one timer: a later callback never
 * runs before an earlier one even when its own delay is shorter (TCP does not reorder either).
 */
class DelayLine {
  private readonly items: Array<{ at: number; run: () => void }> = [];
  private timer: TimerHandle | undefined;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  /** Runs `run` after `delayMs` (and after everything queued before it); at once when nothing waits and the delay is 0. */
  push(delayMs: number, run: () => void): boolean {
    const now = this.clock.now();
    if (delayMs <= 0 && this.items.length === 0) {
      run();
      return false;
    }
    const at = Math.max(now + delayMs, this.lastAt);
    this.lastAt = at;
    this.items.push({ at, run });
    if (this.items.length === 1) this.arm();
    return true;
  }

  clear(): void {
    this.items.length = 0;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const head = this.items[0];
    if (head === undefined) return;
    this.timer = this.clock.setTimeout(() => this.pump(), Math.max(0, head.at - this.clock.now()));
  }

  private pump(): void {
    this.timer = undefined;
    const now = this.clock.now();
    while (this.items.length > 0 && this.items[0]!.at <= now) this.items.shift()!.run();
    this.arm();
  }
}

/**
 * Keeps the frames of one outgoing WebSocket message that survive the drop rate: reliable frames
 * (sequence > 0) and the HANDSHAKE always do. Returns the message to send, or undefined when
 * nothing is left.
 */
function dropVolatile(data: Uint8Array, rate: number, random: () => number, counters: NetConditionsCounters): Uint8Array | undefined {
  if (rate <= 0) return data;
  let frames;
  try {
    frames = decodeFrames(data);
  } catch {
    return data; // not ours to judge: let the server answer it
  }
  const kept: Uint8Array[] = [];
  for (const frame of frames) {
    const envelope = decodeEnvelope(frame.body);
    if (envelope.sequence === 0 && envelope.type !== MessageType.HANDSHAKE && random() < rate) {
      counters.droppedVolatile++;
    } else {
      kept.push(frame.body);
    }
  }
  if (kept.length === frames.length) return data;
  return kept.length === 0 ? undefined : encodeFrameBatch(kept);
}

/**
 * Wraps `inner` with the demo's network conditions.
 * @example
 * const net = createConditionedTransport(createWebSocketTransport());
 * const client = createMmoClient({ url, getToken, transport: net.transport });
 * net.control.set({ latencyMs: 200, jitterMs: 50 });
 * net.control.forceDisconnect();
 */
export function createConditionedTransport(
  inner: TransportFactory,
  options: ConditionedTransportOptions = {},
): { transport: TransportFactory; control: NetConditionsControl } {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const conditions: NetConditions = { ...netConditionsDefaults };
  const counters: NetConditionsCounters = { droppedVolatile: 0, delayed: 0, forcedDisconnects: 0 };
  /** Cuts the live link, if any. */
  let cutCurrent: (() => boolean) | undefined;

  const oneWayDelayMs = () => conditions.latencyMs / 2 + random() * conditions.jitterMs;

  const control: NetConditionsControl = {
    get conditions() {
      return { ...conditions };
    },
    counters,
    set(changes) {
      if (changes.latencyMs !== undefined) conditions.latencyMs = clamp(changes.latencyMs, NET_LIMITS.maxLatencyMs);
      if (changes.jitterMs !== undefined) conditions.jitterMs = clamp(changes.jitterMs, NET_LIMITS.maxJitterMs);
      if (changes.volatileDropRate !== undefined) conditions.volatileDropRate = clamp(changes.volatileDropRate, NET_LIMITS.maxVolatileDropRate);
    },
    forceDisconnect: () => cutCurrent?.() ?? false,
  };
  control.set(options.conditions ?? {});

  const transport: TransportFactory = (request, handlers: TransportHandlers): Transport => {
    const inbound = new DelayLine(clock);
    const outbound = new DelayLine(clock);
    let opened = false;
    /** Set once the manager has been told of a close: nothing reaches it after that. */
    let reported = false;
    const report = (info: TransportCloseInfo) => {
      if (reported) return;
      reported = true;
      inbound.clear();
      outbound.clear();
      if (cutCurrent === cut) cutCurrent = undefined;
      handlers.onClose(info);
    };
    const later = (run: () => void) => {
      if (inbound.push(oneWayDelayMs(), () => !reported && run())) counters.delayed++;
    };
    const socket = inner(request, {
      onOpen: () =>
        later(() => {
          opened = true;
          handlers.onOpen();
        }),
      onMessage: (data) => later(() => handlers.onMessage(data)),
      onClose: (info) => later(() => report(info)),
    });
    const cut = () => {
      if (reported) return false;
      counters.forcedDisconnects++;
      report({ code: ABNORMAL_CLOSE, reason: 'forced disconnect (network panel)', wasOpen: opened });
      socket.close(FORCED_CLOSE_CODE, 'forced disconnect');
      return true;
    };
    cutCurrent = cut;
    return {
      send(data) {
        if (reported) return;
        const kept = dropVolatile(data, conditions.volatileDropRate, random, counters);
        if (kept === undefined) return;
        if (outbound.push(oneWayDelayMs(), () => !reported && socket.send(kept))) counters.delayed++;
      },
      close(code, reason) {
        // The manager's own close: let queued outgoing messages go first, as a socket would.
        outbound.push(0, () => socket.close(code, reason));
      },
    };
  };
  return { transport, control };
}
