import type { Clock } from '@mmo/protocol';
import { RateWindow } from './rate-window.js';

/** A point-in-time copy of the client's network figures, for debug overlays. */
export interface NetworkStatsSnapshot {
  /** Bytes received over the last second (sliding window). */
  bytesInPerSecond: number;
  /** Bytes sent over the last second (sliding window). */
  bytesOutPerSecond: number;
  /** Messages received over the last second. */
  messagesInPerSecond: number;
  /** Messages sent over the last second. */
  messagesOutPerSecond: number;
  bytesInTotal: number;
  bytesOutTotal: number;
  /** Messages received since creation, by type name. */
  messagesInByType: Record<string, number>;
  /** Messages sent since creation, by type name. */
  messagesOutByType: Record<string, number>;
  /** Smoothed RTT in ms (undefined before the first PONG). */
  rttMs: number | undefined;
  /** RTT variation in ms. */
  jitterMs: number;
  /** Connections established after the first one (resumed or fresh). */
  reconnects: number;
  /** Reliable messages sent again (after a resume or a server drop). */
  resent: number;
  /** Duplicate reliable messages dropped by the sequencer. */
  duplicatesDropped: number;
  /** Prediction corrections (counted by the prediction layer through `noteCorrection`). */
  corrections: number;
  /** Messages kept for delivery (unsent + unacknowledged). */
  queuedMessages: number;
}

/** Live figures the stats read from other components. */
export interface NetworkStatsSources {
  rttMs(): number | undefined;
  jitterMs(): number;
  resent(): number;
  queuedMessages(): number;
}

/** Counts traffic for debug overlays: rates over a sliding 1 s window on the injected clock. */
export class NetworkStats {
  private readonly bytesIn: RateWindow;
  private readonly bytesOut: RateWindow;
  private readonly msgsIn: RateWindow;
  private readonly msgsOut: RateWindow;
  private bytesInTotal = 0;
  private bytesOutTotal = 0;
  private readonly inByType = new Map<string, number>();
  private readonly outByType = new Map<string, number>();
  private reconnectCount = 0;
  private duplicates = 0;
  private correctionCount = 0;

  constructor(
    clock: Clock,
    private readonly sources: NetworkStatsSources,
  ) {
    this.bytesIn = new RateWindow(clock);
    this.bytesOut = new RateWindow(clock);
    this.msgsIn = new RateWindow(clock);
    this.msgsOut = new RateWindow(clock);
  }

  /** A WebSocket message of `bytes` arrived. */
  noteBytesIn(bytes: number): void {
    this.bytesIn.add(bytes);
    this.bytesInTotal += bytes;
  }

  /** A WebSocket message of `bytes` left. */
  noteBytesOut(bytes: number): void {
    this.bytesOut.add(bytes);
    this.bytesOutTotal += bytes;
  }

  /** One message of type `name` arrived. */
  noteMessageIn(name: string): void {
    this.msgsIn.add(1);
    this.inByType.set(name, (this.inByType.get(name) ?? 0) + 1);
  }

  /** One message of type `name` left. */
  noteMessageOut(name: string): void {
    this.msgsOut.add(1);
    this.outByType.set(name, (this.outByType.get(name) ?? 0) + 1);
  }

  /** A connection after the first was established. */
  noteReconnect(): void {
    this.reconnectCount++;
  }

  /** The sequencer dropped a duplicate. */
  noteDuplicate(): void {
    this.duplicates++;
  }

  /** The prediction layer corrected the local player (hook for `src/prediction/`). */
  noteCorrection(): void {
    this.correctionCount++;
  }

  /** Reconnects so far. */
  get reconnects(): number {
    return this.reconnectCount;
  }

  /** A copy of every figure now. */
  snapshot(): NetworkStatsSnapshot {
    return {
      bytesInPerSecond: this.bytesIn.perSecond(),
      bytesOutPerSecond: this.bytesOut.perSecond(),
      messagesInPerSecond: this.msgsIn.perSecond(),
      messagesOutPerSecond: this.msgsOut.perSecond(),
      bytesInTotal: this.bytesInTotal,
      bytesOutTotal: this.bytesOutTotal,
      messagesInByType: Object.fromEntries(this.inByType),
      messagesOutByType: Object.fromEntries(this.outByType),
      rttMs: this.sources.rttMs(),
      jitterMs: this.sources.jitterMs(),
      reconnects: this.reconnectCount,
      resent: this.sources.resent(),
      duplicatesDropped: this.duplicates,
      corrections: this.correctionCount,
      queuedMessages: this.sources.queuedMessages(),
    };
  }
}
