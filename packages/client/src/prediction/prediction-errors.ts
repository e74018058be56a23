import { MmoError } from '@mmo/protocol';

/**
 * Codes of the plain `MmoError`s this module throws (the same values as the interpolation module's,
 * so one check covers both). They belong in `ClientErrorCode` (errors.ts); they live here until
 * that table takes them.
 */
export const PredictionErrorCode = {
  /** A predictor option or the input buffer capacity got a bad value. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** `predict` got a bad `dtMs`, or `reconcile` a tick that is not a non-negative integer. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
} as const;
/** A {@link PredictionErrorCode} value. */
export type PredictionErrorCodeName = (typeof PredictionErrorCode)[keyof typeof PredictionErrorCode];

/** An `MmoError` with code `INVALID_OPTIONS`. */
export function invalidOptions(message: string): MmoError {
  return new MmoError(PredictionErrorCode.INVALID_OPTIONS, message);
}

/** An `MmoError` with code `INVALID_ARGUMENT`. */
export function invalidArgument(message: string): MmoError {
  return new MmoError(PredictionErrorCode.INVALID_ARGUMENT, message);
}
