import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a resume token says, once its signature checks out. */
export interface ResumeClaims {
  sessionId: string;
  /** Single-use nonce: must equal the session's current one. */
  nonce: string;
  userId: string;
  /** Token expiry, ms since the Unix epoch. */
  expiresAtMs: number;
}

/** Why a token was refused. */
export type ResumeTokenProblem = 'malformed' | 'bad_signature' | 'expired';

/**
 * Opaque, signed resume tokens: `base64url(json claims) . base64url(HMAC-SHA256)`. The secret is
 * shared by every gateway node that shares a session store, so a token works on any of them.
 */
export class ResumeTokenSigner {
  private readonly key: Buffer;

  constructor(secret: string | Uint8Array) {
    this.key = Buffer.from(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
    if (this.key.length < 32) throw new Error('resume token secret must be at least 32 bytes');
  }

  /** A fresh random nonce. */
  static nonce(): string {
    return randomBytes(16).toString('base64url');
  }

  sign(claims: ResumeClaims): string {
    const body = Buffer.from(JSON.stringify([claims.sessionId, claims.nonce, claims.userId, claims.expiresAtMs])).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** Checks signature, shape and expiry. Binding to the user and single use are the caller's. */
  verify(token: string, nowMs: number): ResumeClaims | ResumeTokenProblem {
    if (token.length > 1024) return 'malformed';
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return 'malformed';
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return 'malformed';
    }
    if (!Array.isArray(parsed) || parsed.length !== 4) return 'malformed';
    const [sessionId, nonce, userId, expiresAtMs] = parsed as unknown[];
    if (typeof sessionId !== 'string' || typeof nonce !== 'string' || typeof userId !== 'string' || typeof expiresAtMs !== 'number') {
      return 'malformed';
    }
    if (expiresAtMs <= nowMs) return 'expired';
    return { sessionId, nonce, userId, expiresAtMs };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
