import { own } from "./own";

/**
 * Merging what several files say of one deployed resource. CLI outputs describe what they show
 * wholly; a Pulumi stack's state, shaped as CLI outputs by `lib/backends/<cloud>/stack-state.ts`,
 * holds only what the stack declares, so the items made from it carry the key `DECLARED`. Its
 * value says how much of the thing the item holds: `"part"`, some of it (the policies the stack's
 * resources attach to a role, a role assignment among a subscription's); a cloud's reader may
 * define others. No CLI output holds the key.
 *
 * The rule: where a state item and a CLI output of the whole are both given, the CLI output is
 * what is deployed and the state's part must be in it; what both describe wholly (a trust policy,
 * a provider's condition, a credential's subject) must be equal.
 */
export const DECLARED = "trustplane:declared";

/** One file's description of a resource. */
export interface Description<T> {
  readonly item: T;
  readonly source: string;
}

/**
 * The first description's item with the fields only later ones give. A field that two
 * descriptions both give must be the same by `same`, or `disagree` is told the field, the later
 * file and every file before it; a field a description lacks is unknown there, not different,
 * except the fields in `valued`, whose absence says something (no condition) and must agree too.
 * Fields in `ignore` (the files' names) are not compared.
 */
export function mergeFields<T extends object>(
  descriptions: readonly Description<T>[],
  same: (field: string, a: unknown, b: unknown) => boolean,
  disagree: (field: string, source: string, earlier: readonly string[]) => void,
  ignore: readonly string[],
  valued: readonly string[] = [],
): T {
  const merged = { ...descriptions[0]!.item } as Record<string, unknown>;
  const earlier = [descriptions[0]!.source];
  for (const { item, source } of descriptions.slice(1)) {
    const fields = new Set([...Object.keys(item), ...valued]);
    for (const field of [...fields].filter((f) => !ignore.includes(f))) {
      const [before, value] = [own(merged, field), own(item as Record<string, unknown>, field)];
      if (before === undefined && value === undefined) continue;
      if (valued.includes(field) && (before === undefined) !== (value === undefined))
        disagree(field, source, earlier);
      else if (before === undefined) merged[field] = value;
      else if (value !== undefined && !same(field, before, value)) disagree(field, source, earlier);
    }
    earlier.push(source);
  }
  return merged as T;
}

/**
 * The problem of an item a stack's state declares that a CLI output of the whole lacks. A
 * problem (the run stops), not a finding: the files then disagree on what is deployed and
 * nothing in them says which is newer (the export may predate a change, the CLI output the
 * `pulumi up`, or the item was removed by hand), so a finding would guess; `pulumi refresh`
 * records in the state what is deployed and shows the drift, and then the files agree.
 */
export function removedProblem(state: string, what: string, cli: readonly string[]): string {
  return `${state} declares ${what}, which ${cli.join(", ")} do not hold: it was removed outside the stack, or the files are not of one moment; run pulumi refresh, export the stack again and pass CLI outputs of that moment`;
}
