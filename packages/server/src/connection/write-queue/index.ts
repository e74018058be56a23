// Outbound write path of one connection: prioritised, batched, bounded. Named exports only.
export { WriteQueue } from './write-queue.js';
export type {
  EnqueueResult,
  FlushNowOptions,
  WriteQueueInit,
  WriteQueueItem,
  WriteQueueOverflowInfo,
  WriteQueueSink,
} from './write-queue.js';
export { writeQueueDefaults } from './write-queue-options.js';
export type { WriteQueueOptions } from './write-queue-options.js';
