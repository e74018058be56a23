import {
  type BuiltinPayloadInit,
  type BuiltinType,
  type Clock,
  CloseCode,
  encodeMessage,
  encodeMessageBatch,
  type MessageRegistry,
  MessageType,
  type MmoEnvelope,
  type MmoEnvelopeInit,
  InboundSequencer,
  PROTOCOL_VERSION,
  ProtocolError,
  ProtocolErrorCode,
  type TimerHandle,
} from '@mmo/protocol';
import { ConnectionClosedError } from '../errors.js';
import { TypedEmitter } from '../events/emitter.js';
import { AckProbe, ackProbeDefaults } from '../outbound/ack-probe.js';
import { Outbound, type OutboundMessage } from '../outbound/outbound.js';
import type { OutboundFrame } from '../outbound/outbound-entry.js';
import { AckScheduler, ackDefaults } from '../sequencer/ack-scheduler.js';
import { NetworkStats } from '../stats/network-stats.js';
import type { TransportFactory } from '../transport/transport.js';
import { type ConnectionEvents, type ConnectionState } from './connection-events.js';
import { connectionDefaults, type ConnectionManagerSettings, frameLimitsOf, type TokenProvider } from './connection-options.js';
import { Heartbeat } from './heartbeat.js';
import { Link } from './link.js';
import { type AttemptOutcome, ReconnectPolicy } from './reconnect-policy.js';
import { RttEstimator } from './rtt.js';
import { findResumeRejection, handleSystemMessage, type SystemMessageTargets } from './system-messages.js';
import { TimeSyncEstimator, TimeSyncScheduler, timeSyncDefaults } from './time-sync.js';

/** Version sent in the HANDSHAKE by default. */
export const CLIENT_VERSION = '0.1.0';

/** What the connection manager runs on. */
export interface ConnectionManagerDeps extends ConnectionManagerSettings {
  /** Gateway URL (`wss://host/ws`). */
  url: string;
  transport: TransportFactory;
  registry: MessageRegistry;
  clock: Clock;
  random: () => number;
  /** A fixed access token (ignored when `getToken` is given). */
  token?: string | undefined;
  /** Called before every attempt for a fresh token. */
  getToken?: TokenProvider | undefined;
}

/**
 * The seed's Client Connection Manager: the state machine, attempts with backoff, the handshake
 * with resume, and the wiring of the outbound stream, the inbound sequencer, heartbeat and time
 * sync around each link. Each concern lives in its own module; this class only connects them.
 */
export class ConnectionManager {
  /** Typed events (see {@link ConnectionEvents}). */
  readonly events: TypedEmitter<ConnectionEvents>;
  readonly rtt = new RttEstimator();
  readonly timeSync: TimeSyncEstimator;
  readonly stats: NetworkStats;
  private readonly outbound: Outbound;
  private readonly sequencer: InboundSequencer<MmoEnvelope>;
  private readonly acks: AckScheduler;
  private readonly heartbeat: Heartbeat;
  private readonly ackProbe: AckProbe;
  private readonly timeSyncScheduler: TimeSyncScheduler;
  private readonly policy: ReconnectPolicy;
  private readonly systemTargets: SystemMessageTargets;
  private current: ConnectionState = 'disconnected';
  private link: Link | undefined;
  private attemptId = 0;
  private retryTimer: TimerHandle | undefined;
  private session: { id: string; resumeToken: string } | undefined;
  private everConnected = false;

  constructor(private readonly deps: ConnectionManagerDeps) {
    const { clock } = deps;
    const connection = deps.connection ?? {};
    this.events = new TypedEmitter<ConnectionEvents>((error, event) => {
      if (event !== 'error') this.events.emit('error', { error, context: 'listener' });
    });
    this.sequencer = new InboundSequencer(deps.sequencer);
    this.policy = new ReconnectPolicy(deps.reconnect ?? {}, deps.random);
    const ts = { ...timeSyncDefaults, ...definedOnly(deps.timeSync ?? {}) };
    this.timeSync = new TimeSyncEstimator(ts.windowSamples);
    this.timeSyncScheduler = new TimeSyncScheduler({ clock, sendRequest: (clientTime) => this.control(MessageType.TIME_SYNC, { clientTime }) }, ts);
    const isOnline = () => this.link?.phase === 'established';
    this.outbound = new Outbound(clock, { get online() { return isOnline(); }, write: (frames) => this.writeFrames(frames) }, deps.outbound);
    this.acks = new AckScheduler(clock, connection.ackDelayMs ?? ackDefaults.ackDelayMs, () => this.sequencer.ack, () =>
      this.control(MessageType.ACK, { sequence: this.sequencer.ack }),
    );
    this.heartbeat = new Heartbeat(
      {
        clock,
        rtt: this.rtt,
        sendHeartbeat: (clientTime, rttMs) => this.control(MessageType.HEARTBEAT, { clientTime, rttMs }),
        onSilence: (ms) => this.link?.abandon(CloseCode.IDLE_TIMEOUT, `server silent for ${ms} ms`),
      },
      connection,
    );
    this.ackProbe = new AckProbe(
      {
        clock,
        inFlight: () => this.outbound.inFlightCount,
        acknowledged: () => this.outbound.acknowledged,
        maxDelayMs: () => this.heartbeat.currentIntervalMs,
        probe: () => this.heartbeat.beatNow(),
      },
      connection.ackProbeDelayMs ?? ackProbeDefaults.ackProbeDelayMs,
    );
    this.systemTargets = {
      clock,
      heartbeat: this.heartbeat,
      timeSync: this.timeSync,
      outbound: this.outbound,
      onUnmatchedError: (error) => this.events.emit('error', { error, context: 'server', type: MessageType.ERROR }),
    };
    this.stats = new NetworkStats(clock, {
      rttMs: () => this.rtt.smoothedMs,
      jitterMs: () => this.rtt.jitterMs,
      resent: () => this.outbound.counters.resent,
      queuedMessages: () => this.outbound.queuedMessages,
    });
  }

  /** Current state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** Id of the current (or last resumable) session. */
  get sessionId(): string | undefined {
    return this.session?.id;
  }

  /** Cumulative ack of the server's reliable stream (highest in-order sequence delivered). */
  get inboundAck(): number {
    return this.sequencer.ack;
  }

  /** Messages kept for delivery (unsent + unacknowledged). */
  get queuedMessages(): number {
    return this.outbound.queuedMessages;
  }

  /** Starts connecting (no-op unless `disconnected` or `failed`). */
  connect(): void {
    if (this.current !== 'disconnected' && this.current !== 'failed') return;
    this.policy.reset();
    this.setState('connecting', 'connect() called');
    void this.attempt();
  }

  /** Closes the connection, cancels retries, rejects pending sends; the next `connect` starts fresh. */
  disconnect(reason = 'client disconnect'): void {
    if (this.current === 'disconnected') return;
    this.stop(new ConnectionClosedError('disconnected', reason));
    this.setState('disconnected', reason);
  }

  /** Queues or writes a message (payload already packed). */
  send(message: OutboundMessage): Promise<void> {
    return this.outbound.send(message);
  }

  /** Estimated server clock now, in ms since the Unix epoch. */
  serverNow(): number {
    return this.timeSync.serverTimeAt(this.deps.clock.now());
  }

  private async attempt(): Promise<void> {
    const id = ++this.attemptId;
    let token = this.deps.token;
    if (this.deps.getToken !== undefined) {
      try {
        const fresh = await this.deps.getToken();
        if (id !== this.attemptId) return;
        if (fresh === null) return this.fail('getToken returned null', CloseCode.AUTH_FAILED);
        token = fresh;
      } catch (error) {
        if (id !== this.attemptId) return;
        this.events.emit('error', { error, context: 'getToken' });
        return this.afterClose({ code: CloseCode.ABNORMAL, reason: 'getToken failed', wasOpen: false }, false);
      }
    }
    const { connection = {} } = this.deps;
    this.link = new Link(
      this.deps.transport,
      { url: this.deps.url, token, resumeToken: this.session?.resumeToken },
      {
        clock: this.deps.clock,
        registry: this.deps.registry,
        connectTimeoutMs: connection.connectTimeoutMs ?? connectionDefaults.connectTimeoutMs,
        handshakeTimeoutMs: connection.handshakeTimeoutMs ?? connectionDefaults.handshakeTimeoutMs,
        frameLimits: frameLimitsOf(connection),
      },
      {
        onOpen: (link) => this.handshake(link),
        onEstablished: (link, env, before) => this.established(link, env, before),
        onEnvelope: (link, env) => this.process(link, env),
        onBytes: (n) => this.stats.noteBytesIn(n),
        onProtocolError: (error) => this.events.emit('error', { error, context: 'protocol' }),
        onClosed: (link, outcome, established) => {
          if (link === this.link) this.afterClose(outcome, established);
        },
      },
    );
  }

  private handshake(link: Link): void {
    const resumeToken = this.session?.resumeToken ?? '';
    this.write(link, [
      {
        type: MessageType.HANDSHAKE,
        payload: this.deps.registry.pack(MessageType.HANDSHAKE, {
          protocolVersion: PROTOCOL_VERSION,
          clientVersion: this.deps.connection?.clientVersion ?? CLIENT_VERSION,
          resumeToken,
          lastReceivedSequence: resumeToken === '' ? 0 : this.sequencer.ack,
        }),
      },
    ]);
  }

  private established(link: Link, env: MmoEnvelope, before: MmoEnvelope[]): void {
    let ce;
    try {
      ce = this.deps.registry.unpack(MessageType.CONNECTION_ESTABLISHED, env.payload);
    } catch (error) {
      this.events.emit('error', { error, context: 'decode', type: env.type });
      return link.abandon(CloseCode.ABNORMAL, 'bad CONNECTION_ESTABLISHED');
    }
    const resumed = ce.resumed && this.session?.id === ce.sessionId;
    const rejection = findResumeRejection(this.deps.registry, before);
    if (!resumed) this.sequencer.reset();
    this.session = { id: ce.sessionId, resumeToken: ce.resumeToken };
    this.acks.reset();
    this.acks.noteSent(this.sequencer.ack); // the handshake told the server our position
    this.policy.onConnected();
    const reconnect = this.everConnected;
    if (reconnect) this.stats.noteReconnect();
    this.everConnected = true;
    this.timeSync.seed(ce.serverTime, this.deps.clock.now());
    this.heartbeat.start(ce.heartbeatIntervalMs);
    this.timeSyncScheduler.start();
    this.outbound.onSessionEstablished(resumed, env.ack, rejection ?? 'server started a new session');
    this.stats.noteMessageIn('CONNECTION_ESTABLISHED');
    this.setState('connected', resumed ? 'session resumed' : 'session started');
    this.events.emit('connected', {
      sessionId: ce.sessionId,
      resumed,
      reconnect,
      ...(rejection === undefined ? {} : { resumeRejectedReason: rejection }),
    });
    for (const held of before) if (link === this.link && link.phase === 'established') this.process(link, held);
  }

  /** One envelope of an established link: sequencing, then system handling and the `message` event. */
  private process(link: Link, env: MmoEnvelope): void {
    this.heartbeat.heard();
    if (env.sequence > 0) {
      const verdict = this.sequencer.offer(env.sequence, env);
      if (verdict === 'duplicate') {
        this.stats.noteDuplicate();
        this.acks.noteReceived(true);
      } else if (verdict === 'refused') {
        const error = new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `reliable sequence ${env.sequence} is too far ahead of ${this.sequencer.ack}`);
        this.events.emit('error', { error, context: 'protocol', type: env.type });
        return link.abandon(CloseCode.ABNORMAL, 'inbound reorder buffer overflow');
      }
      if (verdict === 'deliver') {
        this.deliver(env);
        for (const next of this.sequencer.takeReady()) {
          if (link !== this.link) return;
          this.deliver(next);
        }
        this.acks.noteReceived();
      }
    } else {
      this.deliver(env);
    }
    this.outbound.onAck(env.ack);
  }

  private deliver(env: MmoEnvelope): void {
    const descriptor = this.deps.registry.get(env.type);
    this.stats.noteMessageIn(descriptor?.name ?? String(env.type));
    if (descriptor === undefined) {
      const error = new ProtocolError(ProtocolErrorCode.UNKNOWN_MESSAGE_TYPE, `message type ${env.type} is not registered in the client registry`);
      return this.events.emit('error', { error, context: 'decode', type: env.type });
    }
    let payload: unknown;
    try {
      payload = this.deps.registry.unpack(env.type, env.payload);
    } catch (error) {
      return this.events.emit('error', { error, context: 'decode', type: env.type });
    }
    handleSystemMessage(env, payload, this.systemTargets);
    this.events.emit('message', { envelope: env, payload, typeName: descriptor.name });
  }

  private afterClose(outcome: AttemptOutcome, established: boolean): void {
    this.link = undefined;
    this.stopLinkTimers();
    if (this.current === 'disconnected') return;
    const decision = this.policy.next(outcome);
    const code = outcome.disconnect?.code ?? outcome.code;
    const willReconnect = decision.action === 'retry';
    this.events.emit('disconnect', {
      code,
      reason: outcome.disconnect?.reason || outcome.reason,
      willReconnect,
      wasConnected: established,
      ...(decision.action === 'retry' ? { retryInMs: decision.delayMs } : {}),
    });
    if (decision.action === 'fail') return this.fail(decision.reason, decision.code);
    this.setState('reconnecting', `${decision.reason}; attempt ${decision.attempt} in ${decision.delayMs} ms`);
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt();
    }, decision.delayMs);
  }

  private fail(reason: string, code: number): void {
    this.stop(new ConnectionClosedError('failed', `${reason} (code ${code})`));
    this.setState('failed', reason);
  }

  /** Ends everything of the current run: attempt, link, timers, pending sends, session. */
  private stop(error: ConnectionClosedError): void {
    this.attemptId++;
    if (this.retryTimer !== undefined) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const link = this.link;
    this.link = undefined;
    link?.abandon(CloseCode.NORMAL, error.reason === 'disconnected' ? 'client disconnect' : 'client gave up', true);
    this.stopLinkTimers();
    this.outbound.close(error);
    this.sequencer.reset();
    this.session = undefined;
  }

  private stopLinkTimers(): void {
    this.heartbeat.stop();
    this.timeSyncScheduler.stop();
    this.acks.cancel();
    this.ackProbe.cancel();
    this.outbound.onOffline();
  }

  private setState(to: ConnectionState, reason: string): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.events.emit('stateChange', { from, to, reason });
  }

  /** Sends a volatile system message on the established link (heartbeat, time sync, ack). */
  private control<K extends BuiltinType>(type: K, payload: BuiltinPayloadInit<K>): void {
    const link = this.link;
    if (link === undefined || link.phase !== 'established') return;
    this.write(link, [{ type, payload: this.deps.registry.pack(type, payload) }]);
  }

  private writeFrames(frames: readonly OutboundFrame[]): void {
    const link = this.link;
    if (link === undefined) return;
    this.write(link, frames);
    if (frames.some((f) => f.sequence > 0)) this.ackProbe.noteWrite();
  }

  /** Encodes frames with our cumulative ack and the clock, as one WebSocket message. */
  private write(link: Link, frames: ReadonlyArray<Pick<OutboundFrame, 'type' | 'payload'> & Partial<OutboundFrame>>): void {
    const ack = link.phase === 'established' ? this.sequencer.ack : 0;
    const timestamp = this.deps.clock.now();
    const inits: MmoEnvelopeInit[] = frames.map((f) => ({ ...f, ack, timestamp }));
    const bytes = inits.length === 1 ? encodeMessage(inits[0]!) : encodeMessageBatch(inits);
    link.send(bytes);
    this.stats.noteBytesOut(bytes.byteLength);
    for (const f of frames) this.stats.noteMessageOut(this.deps.registry.get(f.type)?.name ?? String(f.type));
    if (ack > 0) this.acks.noteSent(ack);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
