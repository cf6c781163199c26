/** The human plan's `label   value` rows of a grant; empty values are left out. */
export function rows(pairs: readonly (readonly [string, string | undefined])[]): string[] {
  return pairs
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `      ${k.padEnd(12)}${v}`);
}
