/**
 * The browser demo: connects to the demo server with @mmo/client, predicts the local player's
 * WASD movement, interpolates everyone else, shows what the network does (overlay, toggles,
 * network-conditions panel) and the friends list with statuses (presence). `window.__mmoDemo` is a read-only snapshot for tests and curious
 * people (open the console and type `__mmoDemo`).
 */
import {
  attachWorldState,
  createInterpolator,
  createMmoClient,
  createPredictor,
  createWebSocketTransport,
  createWorldState,
  feedInterpolator,
  interpolationDelayForTickRate,
  type ConnectedEvent,
  type ConnectionState,
  type Predictor,
} from '@mmo/client';
import { MessageType } from '@mmo/protocol';
import { createGroundModel, directionOf, type GroundPos, type MoveInput } from './game-model.js';
import { createConditionedTransport } from './net-conditions.js';
import { bindControls, Overlay, showError } from './overlay.js';
import { statusName, wireStatus, type FriendStatusName } from './presence.js';
import { Renderer, type Sprite } from './render.js';
import { fetchToken, gatewayUrl, loadConfig, NoTokenError, playerName } from './server-api.js';

/** One movement input per server tick (20 Hz). */
const INPUT_INTERVAL_MS = 50;
/** Longest input step: a throttled tab walks slower instead of jumping. */
const MAX_INPUT_DT_MS = 100;
/** Inputs sent after the keys are released, so a lost one cannot leave the server's velocity set. */
const STOP_REPEATS = 5;
/** How long a speech bubble shows. */
const BUBBLE_MS = 2_500;
/** Heartbeat period of the demo's client (RTT samples for the overlay). */
const HEARTBEAT_INTERVAL_MS = 1_000;
/** With the panel's 2 s latency and 1 s jitter, arrivals can pause ~2 s: allow more. */
const SERVER_SILENCE_TIMEOUT_MS = 5_000;
/** Overlay refresh period. */
const OVERLAY_INTERVAL_MS = 250;

/** What `window.__mmoDemo` returns. */
export interface DemoSnapshot {
  name: string;
  state: ConnectionState;
  /** Every state the client went through, oldest first. */
  stateHistory: ConnectionState[];
  /** The overlay's state text (`Connected`, `Reconnecting`, …). */
  overlayState: string;
  sessionId: string | undefined;
  /** Whether the latest connection resumed the session. */
  resumed: boolean | undefined;
  reconnects: number;
  corrections: number;
  prediction: boolean;
  interpolation: boolean;
  /** The local player as drawn, and the server's last word on it. */
  self: { entityId: number; x: number; z: number; serverX: number; serverZ: number } | undefined;
  /** Everyone else as drawn, by entity id. */
  others: Record<number, { kind: string; name: string; type: string; x: number; z: number }>;
  /** Actions seen from others: `playerId action`. */
  actionsSeen: string[];
  /** Friends by user id, with their latest status (FRIEND_LIST, then FRIEND_STATUS). */
  friends: Record<string, FriendStatusName>;
  /** Our own status as the server has it (PRESENCE_UPDATE); undefined before the first. */
  status: FriendStatusName | undefined;
}

async function main(): Promise<void> {
  const search = new URLSearchParams(location.search);
  const config = await loadConfig();
  const name = playerName(search);
  const { area, walkSpeedMps, tickRate } = config;

  const net = createConditionedTransport(createWebSocketTransport());
  const client = createMmoClient({
    url: gatewayUrl(config.wsPath),
    getToken: async () => {
      try {
        return await fetchToken(name, search);
      } catch (error) {
        if (error instanceof NoTokenError) {
          showError(error.message);
          return null; // stop: retrying cannot help
        }
        throw error;
      }
    },
    transport: net.transport,
    // Quicker than the 1 s default, so a forced disconnect is back within about half a second.
    reconnect: { baseDelayMs: 500, maxDelayMs: 5_000 },
    // A heartbeat (and so an RTT sample) every second instead of the server's 10 s, so the
    // overlay follows the network panel within a few seconds.
    // Silence allowed before the link counts as dead: above the panel's worst delay change.
    connection: { heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS, serverSilenceTimeoutMs: SERVER_SILENCE_TIMEOUT_MS },
  });
  const world = createWorldState({ tickRate });
  attachWorldState(client, world);
  const interpolator = createInterpolator({ interpolationDelayMs: interpolationDelayForTickRate(tickRate), positionMode: 'hermite' });
  feedInterpolator(world, interpolator);
  const model = createGroundModel(area, walkSpeedMps);

  let predictor: Predictor<GroundPos, MoveInput> | undefined;
  let serverSelf: GroundPos | undefined;
  let freshSession = true;
  let prediction = true;
  let interpolation = true;
  let lastConnected: ConnectedEvent | undefined;
  const stateHistory: ConnectionState[] = [client.state];
  const bubbles = new Map<string, { text: string; untilMs: number }>();
  const actionsSeen: string[] = [];
  let drawn: Pick<DemoSnapshot, 'self' | 'others'> = { self: undefined, others: {} };

  const overlay = new Overlay();
  const renderer = new Renderer(document.getElementById('view') as HTMLCanvasElement, area);

  // ---- the local player: predicted, reconciled with its authoritative state --------------------
  const adopt = (pos: GroundPos, lastProcessedInput: number) => {
    serverSelf = pos;
    if (predictor === undefined) {
      predictor = createPredictor(model, pos, { inputDtMs: INPUT_INTERVAL_MS });
      predictor.on('correction', () => client.stats.noteCorrection());
      freshSession = false;
    } else if (freshSession) {
      // A new session restarts the server's input count and may spawn us elsewhere.
      predictor.reset(pos);
      freshSession = false;
    } else {
      predictor.reconcile(pos, lastProcessedInput);
    }
  };
  world.on('selfState', ({ entity, lastProcessedInput }) => adopt({ x: entity.motion.position.x, z: entity.motion.position.z }, lastProcessedInput));
  world.on('correction', (c) => {
    if (c.entityId === world.selfEntityId) adopt({ x: c.position.x, z: c.position.z }, c.lastProcessedInput);
  });

  client.on('stateChange', ({ to }) => {
    stateHistory.push(to);
    overlay.showState(to);
  });
  client.on('connected', (event) => {
    lastConnected = event;
    if (!event.resumed) freshSession = true;
  });
  client.on('error', ({ error, context }) => console.warn(`[mmo] ${context}:`, error));

  // ---- input: WASD at 20 Hz while connected ------------------------------------------------------
  const held = new Set<string>();
  let emoteIndex = 0;
  const act = (actionType: string, parameters: Record<string, string> = {}) => {
    const text = actionType === 'wave' ? 'wave!' : `${parameters['emote'] ?? actionType}!`;
    bubbles.set(name, { text, untilMs: performance.now() + BUBBLE_MS });
    client.send(MessageType.PLAYER_ACTION, { actionType, parameters, timestamp: Date.now() }, { reliable: true }).catch((error: unknown) => {
      console.warn('[mmo] action refused:', error);
    });
  };
  addEventListener('keydown', (e) => {
    if (e.code === 'Space' || e.code === 'KeyE') {
      e.preventDefault();
      if (e.repeat) return;
      if (e.code === 'Space') act('wave');
      else act('emote', { emote: config.emotes[emoteIndex++ % config.emotes.length] ?? 'dance' });
      return;
    }
    held.add(e.code);
  });
  addEventListener('keyup', (e) => held.delete(e.code));
  addEventListener('blur', () => held.clear());

  let lastInputAt = performance.now();
  let stopInputsLeft = 0;
  setInterval(() => {
    const now = performance.now();
    const dtMs = Math.min(now - lastInputAt, MAX_INPUT_DT_MS);
    lastInputAt = now;
    // Offline the player stands still: inputs the server never gets would only be undone.
    if (client.state !== 'connected' || predictor === undefined) return;
    const input = directionOf(held);
    if (input.dx !== 0 || input.dz !== 0) stopInputsLeft = STOP_REPEATS;
    else if (stopInputsLeft > 0) stopInputsLeft--;
    else return;
    const { tick, state } = predictor.predict(input, dtMs);
    client
      .send(
        MessageType.PLAYER_MOVE,
        {
          inputTick: tick,
          // A monotonic clock: the server checks speed over client time and refuses time going back.
          timestamp: Math.round(performance.timeOrigin + now),
          position: { x: state.x, y: 0, z: state.z },
          velocity: { x: input.dx * walkSpeedMps, y: 0, z: input.dz * walkSpeedMps },
        },
        { reliable: false },
      )
      .catch(() => {}); // volatile: a lost input is superseded by the next one
  }, INPUT_INTERVAL_MS);

  // ---- others' actions: speech bubbles -----------------------------------------------------------
  client.onMessage(MessageType.PLAYER_ACTION, (action) => {
    const who = action.playerId ?? '';
    const text = action.actionType === 'wave' ? 'wave!' : `${action.parameters?.['emote'] ?? action.actionType}!`;
    bubbles.set(who, { text, untilMs: performance.now() + BUBBLE_MS });
    actionsSeen.push(`${who} ${action.actionType ?? ''}`);
  });

  // ---- presence: the friends list and our own status -------------------------------------------
  // A Map, not an object: user ids are names from tokens, and `__proto__` is a valid one.
  const friends = new Map<string, FriendStatusName>();
  let ownStatus: FriendStatusName | undefined;
  client.onMessage(MessageType.FRIEND_LIST, (list) => {
    // Sent on every connect, resumes included: it replaces what we had.
    friends.clear();
    for (const f of list.friends ?? []) if (f.userId) friends.set(f.userId, statusName(f.status));
  });
  client.onMessage(MessageType.FRIEND_STATUS, (change) => {
    if (change.friendId) friends.set(change.friendId, statusName(change.status));
  });
  client.onMessage(MessageType.PRESENCE_UPDATE, (self) => {
    ownStatus = statusName(self.status);
    overlay.showOwnStatus(ownStatus);
  });
  const setStatus = (status: 'online' | 'away' | 'busy') => {
    client.send(MessageType.PLAYER_STATUS_CHANGE, { status: wireStatus(status), timestamp: Date.now() }, { reliable: true }).catch((error: unknown) => {
      console.warn('[mmo] status change refused:', error);
    });
  };

  // ---- controls --------------------------------------------------------------------------------
  bindControls({
    onPrediction: (on) => (prediction = on),
    onInterpolation: (on) => (interpolation = on),
    onNetwork: (change) => net.control.set(change),
    onForceDisconnect: () => net.control.forceDisconnect(),
    onStatus: setStatus,
  });

  // ---- each frame ----------------------------------------------------------------------------------
  const frame = () => {
    const nowMs = performance.now();
    const sampled = new Map<number, { x: number; z: number }>();
    if (interpolation) {
      for (const s of interpolator.sampleAt(client.serverNow())) sampled.set(s.entityId, { x: s.position.x, z: s.position.z });
    }
    const sprites: Sprite[] = [];
    const others: DemoSnapshot['others'] = {};
    let self: DemoSnapshot['self'];
    const bubbleOf = (who: string) => {
      const b = bubbles.get(who);
      if (b === undefined) return undefined;
      if (b.untilMs < nowMs) {
        bubbles.delete(who);
        return undefined;
      }
      return b.text;
    };
    for (const entity of world.entities()) {
      const label = entity.kind === 'player' ? entity.externalId : entity.entityType;
      if (entity.entityId === world.selfEntityId) {
        const server = serverSelf ?? { x: entity.motion.position.x, z: entity.motion.position.z };
        const shown = prediction && predictor !== undefined ? predictor.renderState() : server;
        self = { entityId: entity.entityId, x: shown.x, z: shown.z, serverX: server.x, serverZ: server.z };
        sprites.push({ id: entity.entityId, kind: 'self', label: name, type: 'player', x: shown.x, z: shown.z, bubble: bubbleOf(name) });
        continue;
      }
      const at = sampled.get(entity.entityId) ?? { x: entity.motion.position.x, z: entity.motion.position.z };
      others[entity.entityId] = { kind: entity.kind, name: entity.externalId, type: entity.entityType, x: at.x, z: at.z };
      sprites.push({ id: entity.entityId, kind: entity.kind, label, type: entity.entityType, x: at.x, z: at.z, bubble: entity.kind === 'player' ? bubbleOf(entity.externalId) : undefined });
    }
    drawn = { self, others };
    const state = client.state;
    renderer.draw(sprites, {
      selfServer: prediction ? serverSelf : undefined,
      banner: state === 'connected' ? undefined : state === 'failed' ? 'Connection failed: reload the page' : `${state}…`,
    });
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  const figures = () => {
    const stats = client.stats.snapshot();
    return {
      state: client.state,
      player: name,
      sessionId: lastConnected?.sessionId,
      resumed: lastConnected?.resumed,
      rttMs: stats.rttMs,
      jitterMs: stats.jitterMs,
      bytesInPerSecond: stats.bytesInPerSecond,
      bytesOutPerSecond: stats.bytesOutPerSecond,
      corrections: stats.corrections,
      reconnects: stats.reconnects,
      visible: world.visibleIds.length,
      serverTick: world.serverTick,
      pendingInputs: predictor?.pendingCount,
      droppedVolatile: net.control.counters.droppedVolatile,
      friends: Object.fromEntries(friends),
    };
  };
  setInterval(() => overlay.update(figures()), OVERLAY_INTERVAL_MS);

  Object.defineProperty(globalThis, '__mmoDemo', {
    configurable: false,
    get: (): DemoSnapshot =>
      structuredClone({
        name,
        state: client.state,
        stateHistory,
        overlayState: document.getElementById('overlay-state')?.textContent ?? '',
        sessionId: lastConnected?.sessionId,
        resumed: lastConnected?.resumed,
        reconnects: client.stats.snapshot().reconnects,
        corrections: client.stats.snapshot().corrections,
        prediction,
        interpolation,
        self: drawn.self,
        others: drawn.others,
        actionsSeen,
        friends: Object.fromEntries(friends),
        status: ownStatus,
      }),
  });

  await client.connect().catch((error: unknown) => showError(`Could not connect: ${error instanceof Error ? error.message : String(error)}`));
}

main().catch((error: unknown) => {
  console.error(error);
  showError(error instanceof Error ? error.message : String(error));
});
