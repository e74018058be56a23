// Replays proto/vectors/state/*.json (written by scripts/write-state-vectors.mjs) as a client in
// another language would, from the README's rules: a codec change that moves the wire or the
// prediction rule fails here until the vectors are regenerated.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BitReader, MessageType, createEntityStateCodec, createMessageRegistry, readWorldDeltaHeader, type QuantizedEntityState } from '../src/index.js';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../proto/vectors/state');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

interface Vector {
  name: string;
  tickRate: number;
  codecOptions: Parameters<typeof createEntityStateCodec>[0];
  steps: { tick: number; messages: { type: number; payloadHex: string }[]; visible: number[]; expect: Record<string, QuantizedEntityState & { baselineTick: number }> }[];
}

describe('state-sync conformance vectors', () => {
  it('there is at least one', () => expect(files.length).toBeGreaterThan(0));
  for (const file of files) {
    it(`${file}: a receiver applying every step holds exactly the expected states`, () => {
      const v = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Vector;
      const codec = createEntityStateCodec(v.codecOptions);
      const registry = createMessageRegistry();
      const tickMs = 1000 / v.tickRate;
      const visible: number[] = [];
      const held = new Map<number, { baseline: QuantizedEntityState | undefined; baseTick: number }>();
      let records = 0;
      for (const step of v.steps) {
        for (const m of step.messages) {
          const bytes = Uint8Array.from(Buffer.from(m.payloadHex, 'hex'));
          if (m.type === MessageType.INTEREST_UPDATE) {
            const u = registry.unpack(MessageType.INTEREST_UPDATE, bytes);
            for (const id of u.exited) {
              visible.splice(visible.indexOf(id), 1);
              held.delete(id);
            }
            for (const id of u.entered) {
              visible.push(id);
              held.set(id, { baseline: undefined, baseTick: -1 });
            }
            visible.sort((a, b) => a - b);
          } else {
            const d = registry.unpack(MessageType.WORLD_DELTA, bytes);
            const r = new BitReader(d.packed);
            const { changedSlots } = readWorldDeltaHeader(r, visible.length);
            for (const slot of changedSlots) {
              const h = held.get(visible[slot]!)!;
              h.baseline = codec.readUpdate(r, h.baseline, h.baseline === undefined ? 0 : (d.tick - h.baseTick) * tickMs);
              h.baseTick = d.tick;
              records++;
            }
            expect(r.remainingBits).toBeLessThan(8);
          }
        }
        expect(visible).toEqual(step.visible);
        for (const id of visible) {
          const h = held.get(id)!;
          const { baselineTick, ...state } = step.expect[String(id)]!;
          expect(h.baseTick).toBe(baselineTick);
          expect({ ...codec.predict(h.baseline!, (step.tick - h.baseTick) * tickMs) }).toEqual(state);
        }
      }
      // The sequence exercises prediction: far fewer records than entity-ticks.
      const entityTicks = v.steps.reduce((n, s) => n + s.visible.length, 0);
      expect(records).toBeGreaterThan(0);
      expect(records).toBeLessThan(entityTicks);
    });
  }
});
