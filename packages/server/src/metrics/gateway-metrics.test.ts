import { describe, expect, it } from 'vitest';
import { createGatewayMetrics } from './gateway-metrics.js';

/** The value of one series in the Prometheus text, or undefined when it is not there. */
function series(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('gateway traffic metrics', () => {
  it('reach the scrape with exact totals, counted once however often it is scraped', async () => {
    const metrics = createGatewayMetrics({ collectProcessMetrics: false });
    const out = metrics.traffic.out;
    for (let i = 0; i < 3; i++) {
      out.messages.get('WORLD_DELTA').inc();
      out.bytes.get('WORLD_DELTA').inc(141);
    }
    metrics.traffic.in.messages.get('PLAYER_MOVE').inc();
    let text = await metrics.registry.metrics();
    expect(series(text, 'mmo_messages_total', 'direction="out",message_type="WORLD_DELTA"')).toBe(3);
    expect(series(text, 'mmorpg_bandwidth_bytes_total', 'direction="out",message_type="WORLD_DELTA"')).toBe(423);
    expect(series(text, 'mmo_messages_total', 'direction="in",message_type="PLAYER_MOVE"')).toBe(1);
    // A second scrape with nothing new adds nothing; new counts add to the totals.
    text = await metrics.registry.metrics();
    expect(series(text, 'mmo_messages_total', 'direction="out",message_type="WORLD_DELTA"')).toBe(3);
    out.messages.get('WORLD_DELTA').inc(2);
    out.messages.get('ACK').inc();
    text = await metrics.registry.metrics();
    expect(series(text, 'mmo_messages_total', 'direction="out",message_type="WORLD_DELTA"')).toBe(5);
    expect(series(text, 'mmo_messages_total', 'direction="out",message_type="ACK"')).toBe(1);
    // The counter's own get() sees them too (it collects first).
    out.bytes.get('ACK').inc(20);
    const bytes = await metrics.bandwidthBytes.get();
    expect(bytes.values.find((v) => v.labels['message_type'] === 'ACK')?.value).toBe(20);
  });

  it('refuses a negative or non-finite increment at once, as a counter must', () => {
    const metrics = createGatewayMetrics({ collectProcessMetrics: false });
    const count = metrics.traffic.out.bytes.get('X');
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => count.inc(bad)).toThrow(TypeError);
  });
});
