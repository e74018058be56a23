export { InboundSequencer, sequencerDefaults } from './inbound-sequencer.js';
export type { OfferResult, SequencerOptions, SequencerVerdict } from './inbound-sequencer.js';
export { AckScheduler, ackDefaults } from './ack-scheduler.js';
export type { AckOptions } from './ack-scheduler.js';
