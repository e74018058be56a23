export { InboundSequencer, sequencerDefaults } from './inbound-sequencer.js';
export type { SequencerOptions, SequencerVerdict } from './inbound-sequencer.js';
