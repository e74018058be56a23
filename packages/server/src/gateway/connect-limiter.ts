import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** Connect-rate limits checked before the 101. */
export interface ConnectRateLimitOptions {
  /**
   * Upgrades one IP address may attempt per minute.
   * @default 120
   */
  perIpPerMinute?: number;
  /**
   * Upgrades one authenticated user may make per minute.
   * @default 30
   */
  perUserPerMinute?: number;
}

/** Defaults of {@link ConnectRateLimitOptions}. */
export const connectRateLimitDefaults: Readonly<Required<ConnectRateLimitOptions>> = Object.freeze({
  // Generous for NAT'd players behind one address, low enough to blunt a connect flood.
  perIpPerMinute: 120,
  // A reconnect loop with backoff makes a few attempts a minute; 30 only stops broken clients.
  perUserPerMinute: 30,
});

/** Limiters keyed by IP and by user; in-memory per node (cluster-wide limits use a Redis limiter). */
export interface ConnectLimiter {
  /** Resolves true when the key may connect now, false when over its limit. */
  allowIp(ip: string): Promise<boolean>;
  allowUser(userId: string): Promise<boolean>;
}

/** Builds the per-node connect limiter on rate-limiter-flexible's memory store. */
export function createConnectLimiter(
  options: ConnectRateLimitOptions = {},
  stores?: { ip?: RateLimiterAbstract; user?: RateLimiterAbstract },
): ConnectLimiter {
  const perIp = options.perIpPerMinute ?? connectRateLimitDefaults.perIpPerMinute;
  const perUser = options.perUserPerMinute ?? connectRateLimitDefaults.perUserPerMinute;
  const ip = stores?.ip ?? new RateLimiterMemory({ keyPrefix: 'mmo-connect-ip', points: perIp, duration: 60 });
  const user = stores?.user ?? new RateLimiterMemory({ keyPrefix: 'mmo-connect-user', points: perUser, duration: 60 });
  const allow = async (limiter: RateLimiterAbstract, key: string): Promise<boolean> => {
    try {
      await limiter.consume(key, 1);
      return true;
    } catch (rejection) {
      // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error on store failure.
      if (rejection instanceof Error) throw rejection;
      return false;
    }
  };
  return {
    allowIp: (address) => allow(ip, address),
    allowUser: (userId) => allow(user, userId),
  };
}
