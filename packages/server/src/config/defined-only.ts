/**
 * Drops the keys whose value is `undefined`, so `{ ...defaults, ...definedOnly(options) }` keeps a
 * default when the caller passed the key without a value (common with exactOptionalPropertyTypes).
 */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
