import { generateKeyPair, SignJWT, exportSPKI } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index.js';
import { SECRET, connect, signToken, startGateway } from './helpers.js';

const enc = new TextEncoder();
let running: Gateway[] = [];
afterEach(async () => {
  await Promise.all(running.map((g) => g.close()));
  running = [];
});

async function gatewayWithCounter(overrides = {}) {
  const started = await startGateway(overrides);
  running.push(started.gateway);
  const events: string[] = [];
  started.gateway.events.on('connection', (info) => events.push(info.userId));
  return { ...started, events };
}

/** The three carriers of a token, in the order the gateway reads them. */
const carriers = {
  header: (url: string, token: string) => connect(url, { token }),
  query: (url: string, token: string) => connect(`${url}?token=${encodeURIComponent(token)}`),
  cookie: (url: string, token: string) => connect(url, { headers: { cookie: `theme=dark; auth_token=${token}` } }),
} as const;

async function badTokens(): Promise<Record<string, { token: string; status: number }>> {
  const now = Math.floor(Date.now() / 1000);
  const secret = enc.encode(SECRET);
  const sign = (claims: Record<string, unknown>, build: (j: SignJWT) => SignJWT = (j) => j) =>
    build(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' })).sign(secret);
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const rsaPem = await exportSPKI(publicKey);
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return {
    malformed: { token: 'not.a.jwt', status: 401 },
    twoParts: { token: 'abc.def', status: 401 },
    badSignature: { token: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setExpirationTime('5m').sign(enc.encode('another-secret-of-sufficient-length-000')), status: 401 },
    algNone: { token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'u', exp: now + 300 })}.`, status: 401 },
    rsaAgainstHs: { token: await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject('u').setExpirationTime('5m').sign(privateKey), status: 401 },
    hsWithPemAsSecret: { token: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setExpirationTime('5m').sign(enc.encode(rsaPem)), status: 401 },
    expired: { token: await sign({ sub: 'u', exp: now - 3600 }), status: 401 },
    notYetValid: { token: await sign({ sub: 'u', exp: now + 3600, nbf: now + 600 }), status: 401 },
    noExp: { token: await sign({ sub: 'u' }), status: 401 },
    noSub: { token: await sign({ exp: now + 300 }), status: 401 },
    wrongIssuer: { token: await sign({ sub: 'u', exp: now + 300, iss: 'someone-else', aud: 'game' }), status: 401 },
    wrongAudience: { token: await sign({ sub: 'u', exp: now + 300, iss: 'mmo-test', aud: 'other' }), status: 401 },
  };
}

describe('upgrade authentication (real sockets)', () => {
  it('refuses every bad token on every carrier with 401 and no connection event', async () => {
    const { url, events, gateway } = await gatewayWithCounter({ auth: { jwtSecret: SECRET, issuer: 'mmo-test', audience: 'game' }, connectRateLimit: { perIpPerMinute: 10_000 } });
    const tokens = await badTokens();
    for (const [carrier, open] of Object.entries(carriers)) {
      for (const [name, { token, status }] of Object.entries(tokens)) {
        await expect(open(url, token), `${carrier}/${name}`).rejects.toMatchObject({ status });
      }
    }
    await expect(connect(url)).rejects.toMatchObject({ status: 401, body: 'missing token' });
    expect(events).toEqual([]);
    expect(gateway.connections.size).toBe(0);
    const good = await signToken('alice', { iss: 'mmo-test', aud: 'game' });
    for (const open of Object.values(carriers)) {
      const client = await open(url, good);
      await client.handshake();
      client.close();
      await client.waitClosed();
    }
    expect(events).toEqual(['alice', 'alice', 'alice']);
  });

  it('refuses a foreign origin with 403 and a missing subprotocol with 400', async () => {
    const { url } = await gatewayWithCounter({ allowedOrigins: ['https://game.example'] });
    const token = await signToken('bob');
    await expect(connect(url, { token, origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    await expect(connect(url, { token, protocols: ['chat'] })).rejects.toMatchObject({ status: 400 });
    const ok = await connect(url, { token, origin: 'https://game.example' });
    ok.close();
  });

  it('applies the per-IP and per-user connect rate limits and the user cap with 429', async () => {
    const { url } = await gatewayWithCounter({ connectRateLimit: { perIpPerMinute: 3, perUserPerMinute: 100 } });
    const token = await signToken('carol');
    for (let i = 0; i < 3; i++) (await connect(url, { token })).close();
    await expect(connect(url, { token })).rejects.toMatchObject({ status: 429 });

    const second = await gatewayWithCounter({ connectRateLimit: { perIpPerMinute: 100, perUserPerMinute: 2 } });
    const dave = await signToken('dave');
    (await connect(second.url, { token: dave })).close();
    (await connect(second.url, { token: dave })).close();
    await expect(connect(second.url, { token: dave })).rejects.toMatchObject({ status: 429 });

    const capped = await gatewayWithCounter({ duplicateLogin: 'allow', maxConnectionsPerUser: 2 });
    const erin = await signToken('erin');
    const a = await connect(capped.url, { token: erin });
    const b = await connect(capped.url, { token: erin });
    await expect(connect(capped.url, { token: erin })).rejects.toMatchObject({ status: 429 });
    a.close();
    b.close();

    const refusing = await gatewayWithCounter({ duplicateLogin: 'refuse' });
    const fay = await signToken('fay');
    const first = await connect(refusing.url, { token: fay });
    await expect(connect(refusing.url, { token: fay })).rejects.toMatchObject({ status: 409 });
    first.close();
  });
});
