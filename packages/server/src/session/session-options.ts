/** Session continuity settings. */
export interface SessionOptions {
  /**
   * How long a session outlives its socket, waiting for a resume, in ms.
   * @default 60000
   */
  graceMs?: number;
  /**
   * Unacknowledged reliable messages kept per session; one more ends the session (SESSION_LOST).
   * @default 1024
   */
  maxOutboxMessages?: number;
  /**
   * Bytes of unacknowledged reliable messages kept per session.
   * @default 1048576 (1 MiB)
   */
  maxOutboxBytes?: number;
  /**
   * Out-of-order reliable client messages held while an earlier one is missing.
   * @default 256
   */
  maxInboundBuffered?: number;
  /**
   * Lifetime of a resume token, in ms (the session's grace period usually ends it first).
   * @default 86400000 (24 h)
   */
  resumeTokenTtlMs?: number;
  /**
   * Secret (>= 32 bytes) that signs resume tokens. Every node sharing a session store needs the
   * same one. Default: random per process (resume works on this node only).
   */
  resumeTokenSecret?: string;
}

/** Defaults of {@link SessionOptions} (the secret has none: a random one is made per gateway). */
export const sessionDefaults: Readonly<Required<Omit<SessionOptions, 'resumeTokenSecret'>>> = Object.freeze({
  // A phone switching networks or a tab waking up reconnects well within a minute.
  graceMs: 60_000,
  maxOutboxMessages: 1024,
  maxOutboxBytes: 1024 * 1024,
  maxInboundBuffered: 256,
  resumeTokenTtlMs: 24 * 60 * 60 * 1000,
});
