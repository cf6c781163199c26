import type { CelMap } from "@bufbuild/cel";
import { celList, celMap } from "@bufbuild/cel";

/**
 * A token's JSON as GCP's CEL (cel-go over a protobuf Struct) sees it, for @bufbuild/cel:
 * `has(assertion.x)` and `'x' in assertion` test whether the key is present, so a claim that is
 * JSON null is present (the library's own maps say it is not); only own properties are keys, so
 * claims named `constructor` or `toString` are read like any other and never found on a prototype.
 */
export function celClaims(json: Readonly<Record<string, unknown>>): CelMap {
  const entries = new Map<string, unknown>();
  for (const key of Object.keys(json)) entries.set(key, celValue(json[key]));
  const map = celMap(entries as Map<string, never>);
  // the library's map stays the prototype (it is what makes this a CelMap); only has() differs
  return Object.create(map, {
    has: { value: (key: unknown) => typeof key === "string" && entries.has(key) },
  }) as CelMap;
}

function celValue(value: unknown): unknown {
  if (Array.isArray(value)) return celList(value.map(celValue) as never[]);
  if (typeof value === "object" && value !== null)
    return celClaims(value as Record<string, unknown>);
  return value;
}
