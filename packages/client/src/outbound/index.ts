export { Outbound } from './outbound.js';
export type { OutboundCounters, OutboundMessage, OutboundWriter, SequenceError } from './outbound.js';
export { outboundDefaults } from './outbound-options.js';
export type { OutboundOptions, SendOptions } from './outbound-options.js';
export type { OutboundFrame } from './outbound-entry.js';
export { SendPacer } from './send-pacer.js';
export { AckProbe, ackProbeDefaults } from './ack-probe.js';
export type { AckProbeDeps, AckProbeOptions } from './ack-probe.js';
