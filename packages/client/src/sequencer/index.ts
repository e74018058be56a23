export { AckScheduler, ackDefaults } from './ack-scheduler.js';
export type { AckOptions } from './ack-scheduler.js';
