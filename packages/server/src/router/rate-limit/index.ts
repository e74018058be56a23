// Inbound message rate limits: token buckets per connection and message type. Named exports only.
export { MessageRateLimiter, messageRateLimiterDefaults } from './message-rate-limiter.js';
export type {
  MessageRateLimit,
  MessageRateLimiterInit,
  MessageRateLimiterOptions,
  RateLimitVerdict,
} from './message-rate-limiter.js';
export { TokenBucket } from './token-bucket.js';
export type { TokenBucketInit } from './token-bucket.js';
