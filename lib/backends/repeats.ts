import type { Issue, Path } from "../errors";
import { error } from "../errors";

/** A list entry: what makes it the same resource as another, where it is and how to name it. */
export interface Listed {
  readonly key: string;
  readonly path: Path;
  readonly label: string;
}

/**
 * One `invalid_value` error per list entry whose key repeats an earlier entry's: two equal
 * entries would compile to one resource registered twice, which the Pulumi engine refuses.
 */
export function repeats(entries: readonly Listed[], fix: string): Issue[] {
  const first = new Map<string, Path>();
  const issues: Issue[] = [];
  for (const { key, path, label } of entries) {
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, path);
    else
      issues.push(
        error("invalid_value", path, `${label} repeats entry ${String(earlier.at(-1))}; ${fix}`),
      );
  }
  return issues;
}
