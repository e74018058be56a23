import { createServer, type Server, type Socket, connect } from 'node:net';

/** Faults a {@link FaultyProxy} applies to the bytes it relays. All on by call, none by default. */
export interface FaultSettings {
  /** Delay added to every chunk in each direction, ms. @default 0 */
  latencyMs: number;
  /** Extra random delay 0..jitterMs per chunk (order is kept), ms. @default 0 */
  jitterMs: number;
}

/** A live pair of sockets through the proxy. */
interface Pair {
  client: Socket;
  upstream: Socket;
  stalled: boolean;
  /** When the next chunk may leave, per direction, so jitter never reorders bytes. */
  nextAt: { up: number; down: number };
}

/**
 * A TCP proxy on 127.0.0.1 for fault injection in tests (the kernel here has no netem): relays
 * bytes to an upstream port, and on command adds latency and jitter, stalls (stops relaying
 * without closing: a half-dead link), resets every connection, or cuts them after N more bytes
 * (mid-frame). Bounded: it only ever talks to loopback.
 */
export class FaultyProxy {
  private readonly server: Server;
  private readonly pairs = new Set<Pair>();
  private settings: FaultSettings = { latencyMs: 0, jitterMs: 0 };
  private cutAfter: number | undefined;
  private readonly random: () => number;
  /** Connections accepted since start. */
  accepted = 0;

  private constructor(
    private readonly upstreamPort: number,
    random: () => number,
  ) {
    this.random = random;
    this.server = createServer((client) => this.onClient(client));
  }

  /** Starts a proxy on 127.0.0.1 (free port) in front of 127.0.0.1:`upstreamPort`. */
  static async start(upstreamPort: number, options: { random?: () => number } = {}): Promise<FaultyProxy> {
    const proxy = new FaultyProxy(upstreamPort, options.random ?? Math.random);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return address.port;
  }

  get connectionCount(): number {
    return this.pairs.size;
  }

  /** Changes latency and jitter for every chunk from now on. */
  configure(settings: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  /** Stops relaying in both directions without closing anything (packets "vanish"). */
  stall(): void {
    for (const p of this.pairs) p.stalled = true;
  }

  /** Destroys every connection abruptly (both sides see a reset / abnormal close). */
  resetAll(): void {
    for (const p of this.pairs) {
      p.client.resetAndDestroy();
      p.upstream.resetAndDestroy();
    }
    this.pairs.clear();
  }

  /** Resets every connection after `bytes` more bytes have gone downstream (cuts a frame). */
  cutAfterBytes(bytes: number): void {
    this.cutAfter = bytes;
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onClient(client: Socket): void {
    this.accepted++;
    const upstream = connect(this.upstreamPort, '127.0.0.1');
    const pair: Pair = { client, upstream, stalled: false, nextAt: { up: 0, down: 0 } };
    this.pairs.add(pair);
    const drop = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('data', (chunk: Buffer) => this.relay(pair, 'up', chunk));
    upstream.on('data', (chunk: Buffer) => this.relay(pair, 'down', chunk));
  }

  private relay(pair: Pair, direction: 'up' | 'down', chunk: Buffer): void {
    if (pair.stalled) return; // a stalled link swallows bytes; TCP on each side thinks they left
    let data = chunk;
    if (direction === 'down' && this.cutAfter !== undefined) {
      if (data.length >= this.cutAfter) {
        data = data.subarray(0, this.cutAfter);
        this.cutAfter = undefined;
        this.send(pair, direction, data, () => {
          pair.client.resetAndDestroy();
          pair.upstream.resetAndDestroy();
          this.pairs.delete(pair);
        });
        return;
      }
      this.cutAfter -= data.length;
    }
    this.send(pair, direction, data);
  }

  private send(pair: Pair, direction: 'up' | 'down', data: Buffer, after?: () => void): void {
    const target = direction === 'up' ? pair.upstream : pair.client;
    const { latencyMs, jitterMs } = this.settings;
    if (latencyMs === 0 && jitterMs === 0) {
      if (!target.destroyed) target.write(data);
      after?.();
      return;
    }
    const now = Date.now();
    const at = Math.max(now + latencyMs + this.random() * jitterMs, pair.nextAt[direction]);
    pair.nextAt[direction] = at;
    setTimeout(() => {
      if (!pair.stalled && !target.destroyed) target.write(data);
      after?.();
    }, at - now);
  }
}
