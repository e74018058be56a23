export { FaultyProxy } from './faulty-proxy.js';
export type { FaultSettings } from './faulty-proxy.js';
export { DeliveryChecker } from './delivery-checker.js';
export type { DirectionReport } from './delivery-checker.js';
export { DisposableRedis, freePort } from './redis-server.js';
