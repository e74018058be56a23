// Writes proto/vectors/state/*.json: state-sync conformance sequences for clients in other
// languages. Each step is the messages one client receives in one tick (INTEREST_UPDATE,
// WORLD_DELTA) as payload bytes, and what the client must hold after applying them: its visible
// list and the exact quantized state of every visible entity. Built with this package's own codec
// (dist/index.js) from fixed motions, so regenerating with an unchanged codec rewrites identical
// files. Run with `pnpm --filter @mmo/protocol vectors:state` after `pnpm build`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BitWriter,
  MessageType,
  createEntityStateCodec,
  createMessageRegistry,
  entityStateCodecDefaults,
  writeWorldDeltaHeader,
} from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '../../../proto/vectors/state');
const TICK_RATE = 20;
const TICK_MS = 1000 / TICK_RATE;
const codec = createEntityStateCodec();
const registry = createMessageRegistry();
const yaw = (a) => ({ x: 0, y: Math.sin(a / 2), z: 0, w: Math.cos(a / 2) });

/**
 * A sender as the server's viewer is: a visible list in id order, a baseline per entity (the
 * state and tick the receiver holds), records only where the state differs from the prediction.
 */
function sequence(name, description, script) {
  const visible = [];
  const baselines = new Map();
  const steps = [];
  for (let tick = 1; tick <= script.ticks; tick++) {
    const { enter = [], exit = [], motions } = script.at(tick);
    const messages = [];
    for (const id of exit) {
      visible.splice(visible.indexOf(id), 1);
      baselines.delete(id);
    }
    for (const id of enter) visible.push(id);
    visible.sort((a, b) => a - b);
    if (enter.length > 0 || exit.length > 0) {
      messages.push(message(MessageType.INTEREST_UPDATE, { tick, entered: enter, exited: exit }));
    }
    const w = new BitWriter();
    const records = [];
    const slots = [];
    const states = new Map();
    for (let slot = 0; slot < visible.length; slot++) {
      const id = visible[slot];
      const q = codec.quantize(motions.get(id));
      states.set(id, q);
      const base = baselines.get(id);
      const piece = new BitWriter();
      if (codec.writeUpdate(piece, q, base?.state, base === undefined ? 0 : (tick - base.tick) * TICK_MS)) {
        slots.push(slot);
        records.push(piece);
        baselines.set(id, { state: q, tick });
      }
    }
    writeWorldDeltaHeader(w, visible.length, slots);
    for (const r of records) w.appendBits(r.finish(), r.bitLength);
    messages.push(message(MessageType.WORLD_DELTA, { tick, timestamp: 1_700_000_000_000 + tick * TICK_MS, lastProcessedInput: 0, packed: w.finish() }));
    const expect = {};
    for (const id of visible) {
      const b = baselines.get(id);
      // What the receiver holds: the baseline, advanced by the prediction when no record came.
      expect[id] = { ...codec.predict(b.state, (tick - b.tick) * TICK_MS), baselineTick: b.tick };
      if (JSON.stringify(codec.predict(b.state, (tick - b.tick) * TICK_MS)) !== JSON.stringify(states.get(id))) {
        throw new Error(`${name}: the sender skipped a record it needed at tick ${tick} for ${id}`);
      }
    }
    steps.push({ tick, messages, visible: [...visible], expect });
  }
  return { name, description, tickRate: TICK_RATE, codecOptions: entityStateCodecDefaults, steps };
}

function message(type, payload) {
  return { type, typeName: type === MessageType.WORLD_DELTA ? 'WORLD_DELTA' : 'INTEREST_UPDATE', payloadHex: Buffer.from(registry.pack(type, payload)).toString('hex') };
}

// Three walkers and a rock: straight walks (records only when the rounding catches up), a turn,
// a stop, the rock at rest (never a record after its first), one walker leaving and coming back.
const walk = sequence(
  'walk-turn-rest-exit',
  'Three walkers and a resting rock over 40 ticks at 20 Hz: entries with full records, straight walking (records only when the prediction misses), a turn, a stop, an exit and a re-entry (full record again).',
  {
    ticks: 40,
    at(tick) {
      const t = tick * TICK_MS / 1000;
      const motions = new Map();
      motions.set(3, { position: { x: 5 * t, y: 0, z: 1 }, rotation: yaw(0), velocity: { x: 5, y: 0, z: 0 }, flags: 0 });
      const heading = tick < 15 ? 0 : Math.min(Math.PI / 2, (tick - 15) * 0.1);
      motions.set(7, { position: { x: -10 + 3 * t, y: 0, z: -4 + (tick > 15 ? (tick - 15) * 0.05 : 0) }, rotation: yaw(heading), velocity: { x: 3 * Math.cos(heading), y: 0, z: 3 * Math.sin(heading) }, flags: tick > 30 ? 2 : 0 });
      const stopped = tick >= 20;
      motions.set(12, { position: { x: 20 - (stopped ? 20 : tick) * 0.2, y: 1.5, z: 8 }, rotation: yaw(Math.PI), velocity: { x: stopped ? 0 : -4, y: 0, z: 0 }, flags: 0 });
      motions.set(40, { position: { x: 2.5, y: 0, z: 2.5 }, rotation: yaw(1), velocity: { x: 0, y: 0, z: 0 }, flags: 0 });
      const enter = tick === 1 ? [3, 7, 12, 40] : tick === 32 ? [12] : [];
      const exit = tick === 25 ? [12] : [];
      if (tick >= 25 && tick < 32) motions.delete(12);
      return { enter, exit, motions };
    },
  },
);

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `${walk.name}.json`), `${JSON.stringify(walk, null, 2)}\n`);
console.log(`wrote ${walk.steps.length} steps to ${join(outDir, `${walk.name}.json`)}`);
