import { describe, expect, it } from 'vitest';
import { SnapshotBuffer, type InterpolationSample } from './snapshot-buffer.js';

const at = (serverTimeMs: number, x = serverTimeMs): InterpolationSample => ({
  serverTimeMs,
  position: { x, y: 0, z: 0 },
  rotation: { x: 0, y: 0, z: 0, w: 1 },
});
const times = (buffer: SnapshotBuffer) => buffer.toArray().map((s) => s.serverTimeMs);

describe('SnapshotBuffer', () => {
  it('keeps samples in time order: late ones inserted, duplicates and too-old ones dropped', () => {
    const buffer = new SnapshotBuffer(8);
    expect(buffer.push(at(100))).toBe('appended');
    expect(buffer.push(at(200))).toBe('appended');
    expect(buffer.push(at(300))).toBe('appended');
    expect(buffer.push(at(150))).toBe('inserted');
    expect(buffer.push(at(200, 999))).toBe('duplicate');
    expect(buffer.push(at(50))).toBe('too-old');
    expect(times(buffer)).toEqual([100, 150, 200, 300]);
    expect(buffer.at(2)?.position.x).toBe(200); // the first of the duplicates is kept
  });

  it('evicts the oldest sample past its capacity', () => {
    const buffer = new SnapshotBuffer(3);
    for (let t = 0; t < 10; t++) buffer.push(at(t * 50));
    expect(buffer.size).toBe(3);
    expect(times(buffer)).toEqual([350, 400, 450]);
    // A late sample inside the window still goes in; the oldest one makes room.
    expect(buffer.push(at(425))).toBe('inserted');
    expect(times(buffer)).toEqual([400, 425, 450]);
  });

  it('drops samples with non-finite numbers or a zero rotation', () => {
    const buffer = new SnapshotBuffer(4);
    expect(buffer.push(at(Number.NaN))).toBe('invalid');
    expect(buffer.push({ ...at(1), position: { x: Number.POSITIVE_INFINITY, y: 0, z: 0 } })).toBe('invalid');
    expect(buffer.push({ ...at(1), rotation: { x: 0, y: 0, z: 0, w: 0 } })).toBe('invalid');
    expect(buffer.push({ ...at(1), velocity: { x: 0, y: Number.NaN, z: 0 } })).toBe('invalid');
    expect(buffer.size).toBe(0);
  });

  it('copies samples and normalises their rotation', () => {
    const buffer = new SnapshotBuffer(4);
    const sample = { ...at(1), rotation: { x: 0, y: 0, z: 0, w: 2 }, velocity: { x: 1, y: 2, z: 3 } };
    buffer.push(sample);
    sample.position.x = 42;
    sample.velocity.x = 42;
    expect(buffer.latest).toEqual({
      serverTimeMs: 1,
      position: { x: 1, y: 0, z: 0 },
      rotation: { x: 0, y: 0, z: 0, w: 1 },
      velocity: { x: 1, y: 2, z: 3 },
    });
  });

  it('finds the sample at or before a time', () => {
    const buffer = new SnapshotBuffer(4);
    [100, 200, 300].forEach((t) => buffer.push(at(t)));
    expect(buffer.indexAtOrBefore(99)).toBe(-1);
    expect(buffer.indexAtOrBefore(100)).toBe(0);
    expect(buffer.indexAtOrBefore(250)).toBe(1);
    expect(buffer.indexAtOrBefore(1e9)).toBe(2);
  });
});
