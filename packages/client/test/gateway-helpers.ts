/** Real-gateway fixtures for the end-to-end tests: a gateway on 127.0.0.1:0, tokens, a ws client. */
import { createGateway, type Gateway, type GatewayOptions } from '@mmo/server';
import { createMessageRegistry, jsonSchema, type MessageRegistry } from '@mmo/protocol';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createMmoClient, type MmoClient, type MmoClientOptions } from '../src/index.js';

export const SECRET = 'client-e2e-secret-that-is-long-enough-0123';

export async function signToken(sub: string, options: { secret?: string; expiresIn?: string } = {}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** The custom types both sides register, as a game would share them. */
export function gameRegistry(): { registry: MessageRegistry; Act: ReturnType<typeof registerAct>['Act']; Echo: ReturnType<typeof registerAct>['Echo'] } {
  const registry = createMessageRegistry();
  return { registry, ...registerAct(registry) };
}

function registerAct(registry: MessageRegistry) {
  const Act = registry.register({ type: 1000, name: 'Act', schema: jsonSchema<{ n: number }>() });
  const Echo = registry.register({ type: 1001, name: 'Echo', schema: jsonSchema<{ n: number }>() });
  return { Act, Echo };
}

export async function startGateway(overrides: Partial<GatewayOptions> = {}): Promise<{ gateway: Gateway; port: number; url: string }> {
  const gateway = createGateway({
    port: 0,
    host: '127.0.0.1',
    auth: { jwtSecret: SECRET },
    logger: pino({ level: 'silent' }),
    drainTimeoutMs: 1_000,
    ...overrides,
  });
  const { port } = await gateway.listen();
  return { gateway, port, url: `ws://127.0.0.1:${port}/ws` };
}

/** A client on Node's `ws`, with fast reconnects for tests. */
export function nodeClient(options: Partial<MmoClientOptions> & Pick<MmoClientOptions, 'url'>): MmoClient {
  return createMmoClient({
    WebSocket,
    reconnect: { baseDelayMs: 50, maxDelayMs: 500 },
    ...options,
  });
}

/** Resolves when `predicate` holds, polling every 10 ms (real sockets: no fake clock here). */
export async function until(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
