/**
 * Names from documents and tokens (`constructor`, `toString`, `__proto__`) must never reach an
 * object's prototype: these read and build records by own properties only.
 */

/** The record's own property `key`, or undefined: never an inherited member. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A copy without a prototype, so that writing any name (even `__proto__`) makes an own property. */
export function bare<T>(from: Readonly<Record<string, T>> = {}): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, from);
}

/** Whether a JSON value is an object (not an array, not null): a record of its own keys. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A copy of `record` without `key`. */
export function omit<T extends object, K extends keyof T>(record: T, key: K): Omit<T, K> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}
