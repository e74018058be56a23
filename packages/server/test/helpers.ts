import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { createMessageRegistry, decodeMessage, encodeMessage, MessageType, type MmoEnvelope, type MmoEnvelopeInit } from '@mmo/protocol';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createGateway, type Gateway, type GatewayOptions } from '../src/index.js';

export const SECRET = 'test-secret-that-is-long-enough-0123456789';
export const registry = createMessageRegistry();

export async function signToken(sub: string, claims: Record<string, unknown> = {}, expiresIn = '5m'): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(SECRET));
}

/** Starts a gateway on 127.0.0.1:0 with a silent logger; stop it with `gateway.close()`. */
export async function startGateway(overrides: Partial<GatewayOptions> = {}): Promise<{ gateway: Gateway; url: string; http: string }> {
  const gateway = createGateway({
    port: 0,
    host: '127.0.0.1',
    auth: { jwtSecret: SECRET },
    logger: pino({ level: 'silent' }),
    drainTimeoutMs: 2_000,
    ...overrides,
  });
  const { port } = await gateway.listen();
  return { gateway, url: `ws://127.0.0.1:${port}/ws`, http: `http://127.0.0.1:${port}` };
}

/** A raw test client: real `ws` socket, decoded inbound envelopes kept in order. */
export class TestClient {
  readonly received: MmoEnvelope[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;
  private readonly closedPromise: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => {
      for (const env of decodeMessage(new Uint8Array(data), { maxFrameBytes: 4 * 1024 * 1024 })) this.received.push(env);
      this.notify();
    });
    this.closedPromise = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        this.notify();
        resolve(this.closed);
      });
    });
    ws.on('error', () => {});
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  send(init: MmoEnvelopeInit): void {
    this.ws.send(encodeMessage(init));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  async handshake(payload: Record<string, unknown> = {}): Promise<MmoEnvelope> {
    this.send({ type: MessageType.HANDSHAKE, payload: registry.pack(MessageType.HANDSHAKE, payload) });
    return this.next(MessageType.CONNECTION_ESTABLISHED);
  }

  /** Waits for the next not-yet-consumed message of `type` (or any type). */
  async next(type?: number, timeoutMs = 5_000): Promise<MmoEnvelope> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((e) => type === undefined || e.type === type);
      if (index >= 0) return this.received.splice(index, 1)[0]!;
      if (this.closed !== undefined) throw new Error(`closed (${this.closed.code} ${this.closed.reason}) while waiting for type ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for message type ${type}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitClosed(): Promise<{ code: number; reason: string }> {
    return this.closedPromise;
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens a WebSocket; resolves with the client once open, or rejects with the HTTP status of a refusal. */
export function connect(url: string, options: { token?: string; headers?: Record<string, string>; protocols?: string[]; origin?: string } = {}): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const ws = new WebSocket(url, options.protocols ?? ['mmo.v1'], { headers, ...(options.origin ? { origin: options.origin } : {}) });
    ws.once('open', () => resolve(new TestClient(ws)));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`refused ${res.statusCode}: ${body.trim()}`), { status: res.statusCode, body: body.trim() })));
    });
    ws.once('error', (error) => reject(error));
  });
}

/** Connects and completes the handshake. */
export async function connectReady(url: string, userId: string): Promise<{ client: TestClient; established: MmoEnvelope }> {
  const client = await connect(url, { token: await signToken(userId) });
  const established = await client.handshake();
  return { client, established };
}

export async function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return httpCall('GET', url, headers);
}

export async function httpCall(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const req = httpRequest(url, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } });
  if (body !== undefined) req.write(body);
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  let text = '';
  for await (const chunk of res) text += (chunk as Buffer).toString();
  return { status: res.statusCode ?? 0, body: text, headers: res.headers as Record<string, unknown> };
}
