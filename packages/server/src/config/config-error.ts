import { MmoError } from '@mmo/protocol';

/** A configuration value is missing or invalid. `setting` names it (option path or env variable). */
export class ConfigError extends MmoError {
  override readonly name: string = 'ConfigError';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super('CONFIG_INVALID', `invalid setting ${setting}: ${message}`);
  }
}

/** True for a {@link ConfigError}. */
export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof Error && value.name === 'ConfigError';
}
