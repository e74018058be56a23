import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DeliveryChecker } from './delivery-checker.js';
import { FaultyProxy } from './faulty-proxy.js';
import { DisposableRedis } from './redis-server.js';

async function echoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('DeliveryChecker', () => {
  it('counts lost, duplicated and out-of-order deliveries', () => {
    const c = new DeliveryChecker();
    for (const id of [1, 2, 3, 4, 5]) c.recordSent(id);
    for (const id of [1, 2, 3, 4]) c.recordAcknowledged(id);
    for (const id of [1, 3, 2, 3]) c.recordDelivered(id);
    expect(c.report()).toEqual({ sent: 5, acknowledged: 4, delivered: 3, lost: 1, duplicated: 1, outOfOrder: 1, pending: 1 });
  });
});

describe('FaultyProxy', () => {
  it('relays bytes in order with latency and jitter, stalls, and resets', async () => {
    const echo = await echoServer();
    const proxy = await FaultyProxy.start(echo.port);
    proxy.configure({ latencyMs: 5, jitterMs: 20 });
    const socket = connect(proxy.port, '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    const text = Array.from({ length: 50 }, (_, i) => `<${i}>`).join('');
    for (let i = 0; i < text.length; i += 7) socket.write(text.slice(i, i + 7));
    while (received.length < text.length) await new Promise((r) => setTimeout(r, 10));
    expect(received).toBe(text);

    proxy.configure({ latencyMs: 0, jitterMs: 0 });
    proxy.stall();
    socket.write('lost');
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toBe(text);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => {});
    proxy.resetAll();
    await closed;
    await proxy.close();
    await echo.close();
  });
});

describe('DisposableRedis', () => {
  it('starts on a free port, is killed and restarted by PID', async () => {
    const redis = await DisposableRedis.start();
    const ping = () =>
      new Promise<string>((resolve, reject) => {
        const s = connect(redis.port, '127.0.0.1', () => s.write('PING\r\n'));
        s.on('data', (d: Buffer) => {
          resolve(d.toString().trim());
          s.destroy();
        });
        s.on('error', reject);
      });
    expect(await ping()).toBe('+PONG');
    await redis.kill();
    await expect(ping()).rejects.toThrow();
    await redis.launch();
    expect(await ping()).toBe('+PONG');
    await redis.kill();
  });
});
