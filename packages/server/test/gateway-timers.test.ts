import { CloseCode, ManualClock, MessageType } from '@mmo/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index.js';
import { SECRET, connectReady, registry, startGateway } from './helpers.js';

let running: Gateway[] = [];
afterEach(async () => {
  await Promise.all(running.map((g) => g.close()));
  running = [];
});

/** A gateway whose every timer runs on a manual clock that starts at the real time (tokens are real). */
async function startManual() {
  const clock = new ManualClock(Date.now());
  const started = await startGateway({ clock, auth: { jwtSecret: SECRET, now: () => clock.now() } as never, drainTimeoutMs: 1 });
  running.push(started.gateway);
  return { ...started, clock };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('timers on an injected clock', () => {
  it('pings a silent client once at the idle timeout; a client that answers stays, one that does not is closed 4008', async () => {
    const { url, clock, gateway } = await startManual();
    const alive = await connectReady(url, 'alive');
    const dead = await connectReady(url, 'dead');
    dead.client.ws.pause(); // stops reading: it will not answer the ping
    let pings = 0;
    alive.client.ws.on('ping', () => pings++);
    clock.advance(30_000);
    await tick();
    expect(pings).toBe(1);
    clock.advance(5_000);
    await tick();
    expect(gateway.connections.byUserId('alive')).toHaveLength(1);
    dead.client.ws.resume();
    expect((await dead.client.waitClosed()).code).toBe(CloseCode.IDLE_TIMEOUT);
  });

  it('closes a connection when its token expires, telling the client to reconnect with a fresh token', async () => {
    const { url, clock } = await startManual();
    const { client } = await connectReady(url, 'short');
    // Tokens from signToken live 5 minutes. Step time so the client can answer the idle pings.
    for (let t = 0; t < 5 * 60_000 + 1_000; t += 2_500) {
      clock.advance(2_500);
      await tick();
    }
    const disconnect = registry.unpack(MessageType.DISCONNECT, (await client.next(MessageType.DISCONNECT)).payload);
    expect(disconnect).toMatchObject({ code: CloseCode.TOKEN_EXPIRED, reconnect: true });
    expect((await client.waitClosed()).code).toBe(CloseCode.POLICY_VIOLATION);
  });
});
