// Re-exports the generated protobufjs static code under stable names. Not generated; edit freely.
import { mmo } from './mmo.js';

/** The generated message classes of package `mmo.v1` (protobufjs static code). */
export const pb = mmo.v1;
// eslint-disable-next-line @typescript-eslint/no-namespace
export type { mmo } from './mmo.js';
