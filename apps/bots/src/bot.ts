/**
 * One headless bot: an `@mmo/client` on `ws` with a world model, walking with client-side
 * prediction (PLAYER_MOVE at the input rate, reconciled on its own authoritative state), waving
 * now and then (reliable PLAYER_ACTION), and watching everyone else for the latency tracker.
 */
import {
  attachWorldState,
  createMmoClient,
  createPredictor,
  createWorldState,
  type MmoClient,
  type NetworkStatsSnapshot,
  type Predictor,
  type WebSocketConstructorLike,
  type WorldState,
} from '@mmo/client';
import { MessageType, type Clock, type Vector3Like } from '@mmo/protocol';
import type { LatencyHistogram } from './histogram.js';
import type { LatencyObserver, LatencyTracker } from './latency.js';
import { every } from './timers.js';
import { Steering, insideArea, walkArea, walkModel, type WalkArea, type WalkInput } from './walker.js';

/** The action every bot sends. */
export const BOT_ACTION = 'wave';

/** What a bot needs from the swarm. */
export interface BotOptions {
  /** The bot's name (the JWT `sub`). */
  name: string;
  url: string;
  WebSocket: WebSocketConstructorLike;
  getToken: () => Promise<string>;
  /** Shared input -> observer tracker. */
  tracker: LatencyTracker;
  /** Shared histogram of action -> observer latency. */
  actionLatency: LatencyHistogram;
  /** Tags this swarm's actions, so another swarm's waves are not timed with our clock. */
  runId: string;
  speed: number;
  areaHalfSize: number;
  tickRate: number;
  inputRateHz: number;
  /** 0: never. */
  actionEveryMs: number;
  clock: Clock;
  random: () => number;
  /** Monotonic ms (`performance.now`): the time base of the shared latency figures. */
  monotonicNow: () => number;
  /** Every problem, as one line. */
  onError: (message: string) => void;
}

/** A bot's own counters (its traffic is in `client.stats`). */
export interface BotCounters {
  /** Sessions established (first connect included). */
  connects: number;
  /** `connected` events with `reconnect: true`. */
  reconnects: number;
  /** Of those, the ones that resumed the session. */
  resumed: number;
  /** Connection attempts that closed before a session (refused upgrade, timeout, ...). */
  failedAttempts: number;
  inputsSent: number;
  actionsSent: number;
  actionsAcknowledged: number;
  /** Predictor corrections (error above its threshold), smoothed or snapped. */
  corrections: number;
  /** PLAYER_STATE corrections: the server rejected a movement input. */
  serverCorrections: number;
  errors: number;
}

/** Decimal digits kept of a monotonic send time in an action's parameters (µs). */
const ACTION_TIME_DIGITS = 3;

/** A bot. `start()` connects and starts walking; `stop()` ends it. */
export class Bot {
  readonly client: MmoClient;
  readonly world: WorldState;
  readonly counters: BotCounters = {
    connects: 0,
    reconnects: 0,
    resumed: 0,
    failedAttempts: 0,
    inputsSent: 0,
    actionsSent: 0,
    actionsAcknowledged: 0,
    corrections: 0,
    serverCorrections: 0,
    errors: 0,
  };
  /** Clock time of the first session, for per-second rates. */
  firstConnectedAt: number | undefined;
  private readonly predictor: Predictor<Vector3Like, WalkInput>;
  private readonly steering: Steering;
  private readonly observer: LatencyObserver;
  private zoneBounds: { min: Vector3Like; max: Vector3Like } | undefined;
  private area: WalkArea;
  /** Waiting for the first own state of a session before walking from it. */
  private needsSpawn = true;
  /** The entity the tracker knows this bot by. */
  private trackedEntityId: number | undefined;
  private lastInputAt: number | undefined;
  private stopping = false;
  private readonly stops: Array<() => void> = [];
  private warnedTickRate = false;

  constructor(private readonly options: BotOptions) {
    this.area = walkArea(options.areaHalfSize);
    this.client = createMmoClient({
      url: options.url,
      WebSocket: options.WebSocket,
      getToken: options.getToken,
      tokenCarrier: 'header',
      clock: options.clock,
      random: options.random,
    });
    this.world = createWorldState({ tickRate: options.tickRate, onListenerError: (e) => this.error('world listener', e) });
    attachWorldState(this.client, this.world);
    this.predictor = createPredictor(walkModel(() => this.area), { x: 0, y: 0, z: 0 }, { clock: options.clock, inputDtMs: 1000 / options.inputRateHz });
    this.steering = new Steering(options.speed, options.random);
    this.observer = options.tracker.observer();
    this.wire();
  }

  /** Connects (in the background) and starts the input and action loops. */
  start(): void {
    this.client.connect().catch((e: unknown) => {
      // A failed attempt has been reported already, with its reason.
      if (!this.stopping && this.counters.failedAttempts === 0) this.error('connect', e);
    });
    const { clock, random, inputRateHz, actionEveryMs } = this.options;
    this.stops.push(every(clock, 1000 / inputRateHz, () => this.sendInput()));
    if (actionEveryMs > 0) this.stops.push(every(clock, actionEveryMs, () => this.sendAction(), random() * actionEveryMs));
  }

  /** Stops the loops and disconnects. */
  stop(): void {
    this.stopping = true;
    for (const stop of this.stops.splice(0)) stop();
    this.client.disconnect('bot stopped');
    if (this.trackedEntityId !== undefined) this.options.tracker.drop(this.trackedEntityId);
  }

  /** True while a session is up. */
  get isConnected(): boolean {
    return this.client.state === 'connected';
  }

  /** The client's network figures. */
  stats(): NetworkStatsSnapshot {
    return this.client.stats.snapshot();
  }

  private wire(): void {
    const { client, world, predictor } = this;
    client.on('connected', ({ reconnect, resumed }) => {
      this.counters.connects++;
      this.firstConnectedAt ??= this.options.clock.now();
      if (reconnect) {
        this.counters.reconnects++;
        if (resumed) this.counters.resumed++;
      }
      // Inputs in flight when the link dropped may or may not have been applied: walk on from the
      // server's state (the view restarts with a full snapshot on every connect).
      this.needsSpawn = true;
      this.lastInputAt = undefined;
      this.observer.forgetAll();
    });
    // A failed attempt is reported with the reason of the state change that follows its close
    // (it names the HTTP status of a refused upgrade: 401, 429 from the connect rate limit, ...).
    let failedAttempt = false;
    client.on('disconnect', ({ willReconnect, code, reason, wasConnected }) => {
      if (this.stopping) return;
      if (!wasConnected) {
        this.counters.failedAttempts++;
        failedAttempt = true;
      } else if (!willReconnect) {
        this.error('disconnect', `gave up after close ${code}${reason === '' ? '' : ` (${reason})`}`);
      }
    });
    client.on('stateChange', ({ to, reason }) => {
      if (!failedAttempt || (to !== 'reconnecting' && to !== 'failed')) return;
      failedAttempt = false;
      this.error(to === 'failed' ? 'connect attempt failed, giving up' : 'connect attempt failed', reason);
    });
    client.on('error', ({ error, context }) => this.error(context, error));
    client.onMessage(MessageType.ZONE_UPDATE, (zone) => {
      if (zone.boundsMin != null && zone.boundsMax != null) {
        this.zoneBounds = { min: vec(zone.boundsMin), max: vec(zone.boundsMax) };
      }
      if (zone.tickRate != null && zone.tickRate !== 0 && zone.tickRate !== this.options.tickRate && !this.warnedTickRate) {
        this.warnedTickRate = true;
        this.error('zone', `the gateway ticks at ${zone.tickRate} Hz but the bots decode at ${this.options.tickRate} (pass --tick-rate ${zone.tickRate})`);
      }
    });
    client.onMessage(MessageType.PLAYER_ACTION, (action) => {
      const p = action.parameters;
      if (action.actionType !== BOT_ACTION || p == null || p.swarm !== this.options.runId || p.sentAt === undefined) return;
      this.options.actionLatency.record(this.options.monotonicNow() - Number(p.sentAt));
    });

    world.on('selfState', ({ entity, lastProcessedInput }) => {
      const position = vec(entity.motion.position);
      if (this.trackedEntityId !== entity.entityId) {
        if (this.trackedEntityId !== undefined) this.options.tracker.drop(this.trackedEntityId);
        this.trackedEntityId = entity.entityId;
      }
      if (this.needsSpawn) {
        this.needsSpawn = false;
        this.area = walkArea(this.options.areaHalfSize, this.zoneBounds?.min, this.zoneBounds?.max);
        // Spawned outside the square (a game's spawn hook): walk around the spawn point instead.
        if (!insideArea(position, this.area)) this.area = walkArea(this.options.areaHalfSize, this.zoneBounds?.min, this.zoneBounds?.max, position);
        predictor.reset(position);
        return;
      }
      predictor.reconcile(position, lastProcessedInput);
    });
    world.on('correction', ({ position, lastProcessedInput }) => {
      this.counters.serverCorrections++;
      if (!this.needsSpawn) predictor.reconcile(vec(position), lastProcessedInput);
    });
    world.on('entityUpdated', ({ entity }) => {
      if (entity.kind === 'player' && entity.entityId !== world.selfEntityId) this.observer.observe(entity.entityId, entity.motion.position);
    });
    world.on('entityExited', ({ entity }) => this.observer.forget(entity.entityId));
    world.on('desync', ({ error }) => this.error('world desync', error));
    predictor.on('correction', () => {
      this.counters.corrections++;
      client.stats.noteCorrection();
    });
  }

  private sendInput(): void {
    if (this.stopping || this.needsSpawn || this.client.state !== 'connected' || this.trackedEntityId === undefined) return;
    const now = this.options.monotonicNow();
    const nominalMs = 1000 / this.options.inputRateHz;
    // The real time since the last input, so that distance / client time is the walking speed
    // even when the event loop is late (the server budgets speed over the timestamps we send).
    const dtMs = this.lastInputAt === undefined ? nominalMs : Math.min(Math.max(now - this.lastInputAt, 1), 4 * nominalMs);
    this.lastInputAt = now;
    const input = this.steering.next(this.predictor.state(), dtMs, this.area);
    const { tick, state } = this.predictor.predict(input, dtMs);
    this.options.tracker.sent(this.trackedEntityId, state);
    this.counters.inputsSent++;
    this.client
      .send(
        MessageType.PLAYER_MOVE,
        {
          inputTick: tick,
          timestamp: Date.now(),
          position: { x: state.x, y: state.y, z: state.z },
          velocity: { x: input.vx, y: 0, z: input.vz },
          rotation: this.steering.rotation(),
        },
        { reliable: false },
      )
      .catch((e: unknown) => {
        if (!this.stopping && this.client.state === 'connected') this.error('send PLAYER_MOVE', e);
      });
  }

  private sendAction(): void {
    if (this.stopping || this.client.state !== 'connected') return;
    this.counters.actionsSent++;
    const sentAt = this.options.monotonicNow().toFixed(ACTION_TIME_DIGITS);
    this.client
      .send(MessageType.PLAYER_ACTION, { actionType: BOT_ACTION, parameters: { swarm: this.options.runId, sentAt } }, { reliable: true })
      .then(
        () => this.counters.actionsAcknowledged++,
        (e: unknown) => {
          if (!this.stopping) this.error('send PLAYER_ACTION', e);
        },
      );
  }

  private error(context: string, error: unknown): void {
    this.counters.errors++;
    this.options.onError(`${this.options.name}: ${context}: ${describe(error)}`);
  }
}

function vec(v: { x?: number | null; y?: number | null; z?: number | null }): Vector3Like {
  return { x: v.x ?? 0, y: v.y ?? 0, z: v.z ?? 0 };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`;
  }
  return String(error);
}
