import {
  type Clock,
  decodeMessage,
  type FrameLimits,
  type MessageRegistry,
  MessageType,
  type MmoEnvelope,
  type TimerHandle,
} from '@mmo/protocol';
import type { Transport, TransportCloseInfo, TransportFactory, TransportRequest } from '../transport/transport.js';
import { type AttemptOutcome, type DisconnectHint, LocalCloseCode } from './reconnect-policy.js';

/** Where one link stands. */
export type LinkPhase = 'opening' | 'handshaking' | 'established' | 'closed';

/** What a link reports to the connection manager. */
export interface LinkCallbacks {
  /** The socket opened: send the HANDSHAKE now. */
  onOpen(link: Link): void;
  /** CONNECTION_ESTABLISHED arrived; `before` holds what the server sent ahead of it. */
  onEstablished(link: Link, established: MmoEnvelope, before: MmoEnvelope[]): void;
  /** Any envelope after CONNECTION_ESTABLISHED, in arrival order. */
  onEnvelope(link: Link, envelope: MmoEnvelope): void;
  /** One binary message of `bytes` arrived (for stats). */
  onBytes(bytes: number): void;
  /** The server sent bytes that are not valid frames (the link is being dropped). */
  onProtocolError(error: unknown): void;
  /** The link is over (exactly once). `established` tells whether it had a session. */
  onClosed(link: Link, outcome: AttemptOutcome, established: boolean): void;
}

/** Timeouts and limits of a link. */
export interface LinkSettings {
  clock: Clock;
  registry: MessageRegistry;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  frameLimits: FrameLimits;
}

/**
 * One connection attempt over one transport: open (with a timeout), handshake (with a timeout),
 * decoding, and the DISCONNECT hint that explains the close that follows. Everything the server
 * sends before CONNECTION_ESTABLISHED (an ERROR RESUME_REJECTED) is held until it arrives, because
 * only then does the client know whether those sequences belong to a new stream.
 */
export class Link {
  phase: LinkPhase = 'opening';
  /** The server's DISCONNECT on this link, if one came. */
  disconnect: DisconnectHint | undefined;
  private readonly transport: Transport;
  private timer: TimerHandle | undefined;
  private readonly held: MmoEnvelope[] = [];

  constructor(
    factory: TransportFactory,
    request: TransportRequest,
    private readonly settings: LinkSettings,
    private readonly callbacks: LinkCallbacks,
  ) {
    this.arm(settings.connectTimeoutMs, LocalCloseCode.CONNECT_TIMEOUT, 'connect timeout');
    this.transport = factory(request, {
      onOpen: () => this.opened(),
      onMessage: (data) => this.received(data),
      onClose: (info) => this.closed(info),
    });
  }

  /** Sends one binary message (ignored once closed). */
  send(data: Uint8Array): void {
    if (this.phase !== 'closed') this.transport.send(data);
  }

  /**
   * Gives up on this link now (timeout, silence, bad bytes, or the game's disconnect): closes the
   * transport without waiting for it and reports `onClosed` unless `silent`.
   */
  abandon(code: number, reason: string, silent = false): void {
    if (this.phase === 'closed') return;
    const wasOpen = this.phase !== 'opening';
    const established = this.phase === 'established';
    this.finish();
    this.transport.close(code, reason);
    if (!silent) this.callbacks.onClosed(this, { code, reason, wasOpen, disconnect: this.disconnect }, established);
  }

  private opened(): void {
    if (this.phase !== 'opening') return;
    this.phase = 'handshaking';
    this.clear();
    this.arm(this.settings.handshakeTimeoutMs, LocalCloseCode.HANDSHAKE_TIMEOUT, 'handshake timeout');
    this.callbacks.onOpen(this);
  }

  private received(data: Uint8Array): void {
    if (this.phase === 'closed') return;
    this.callbacks.onBytes(data.byteLength);
    let envelopes: MmoEnvelope[];
    try {
      envelopes = decodeMessage(data, this.settings.frameLimits);
    } catch (error) {
      this.callbacks.onProtocolError(error);
      this.abandon(LocalCloseCode.PROTOCOL_ERROR, 'undecodable message from server');
      return;
    }
    for (const env of envelopes) {
      if (this.isClosed()) return; // a callback may have ended the link mid-batch
      if (env.type === MessageType.DISCONNECT) this.noteDisconnect(env);
      if (this.phase === 'established') {
        this.callbacks.onEnvelope(this, env);
      } else if (env.type === MessageType.CONNECTION_ESTABLISHED) {
        this.phase = 'established';
        this.clear();
        this.callbacks.onEstablished(this, env, this.held.splice(0));
      } else {
        this.held.push(env);
      }
    }
  }

  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private noteDisconnect(env: MmoEnvelope): void {
    try {
      const d = this.settings.registry.unpack(MessageType.DISCONNECT, env.payload);
      this.disconnect = { code: d.code, reason: d.reason, reconnect: d.reconnect, retryAfterMs: d.retryAfterMs };
    } catch {
      // An undecodable DISCONNECT says nothing; the close code decides.
    }
  }

  private closed(info: TransportCloseInfo): void {
    if (this.phase === 'closed') return;
    const established = this.phase === 'established';
    this.finish();
    this.callbacks.onClosed(
      this,
      { code: info.code, reason: info.reason, wasOpen: info.wasOpen, httpStatus: info.httpStatus, disconnect: this.disconnect },
      established,
    );
  }

  private finish(): void {
    this.phase = 'closed';
    this.clear();
  }

  private arm(delayMs: number, code: number, reason: string): void {
    this.timer = this.settings.clock.setTimeout(() => {
      this.timer = undefined;
      this.abandon(code, reason);
    }, delayMs);
  }

  private clear(): void {
    if (this.timer !== undefined) this.settings.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
