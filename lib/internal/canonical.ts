import { isRecord } from "./own";

/**
 * JSON text of a value with every object's keys sorted, so that two values compare by content
 * whatever order their keys were written in: providers and APIs reorder them.
 */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1))) : v,
  );
}
