import type { Issue, Path } from "../errors";
import { error, quote, warning } from "../errors";
import { literalPrefix } from "./glob";
import type { Matcher } from "./matcher";

/** What every value an issuer writes into one claim looks like. */
export interface ValueShape {
  /** Every value of the claim matches it. */
  readonly test: RegExp;
  /** The values in words, completing "<claim> is always …": "a full ref name such as refs/heads/main". */
  readonly words: string;
  /** Text every value starts with, which a pattern's literal head must agree with. */
  readonly prefix?: string;
  /** The value the author probably meant, for the usual mistakes (`main` for `refs/heads/main`). */
  readonly suggest?: (value: string) => string | undefined;
}

/** Claim → shape: how a preset declares the shapes of its claims. */
export type ValueShapes = ReadonlyMap<string, ValueShape>;

/** Values of at most this many digits: run, project and repository IDs. */
export const DIGITS: ValueShape = { test: /^\d{1,20}$/, words: "a number written in digits" };

/** `https://host/owner/name(.git)` → `owner/name`: a URL pasted where a path belongs. */
export function pathOfUrl(value: string): string | undefined {
  const match = /^(?:https?:\/\/|git@)[^/:]+[/:](.+?)(?:\.git)?\/?$/.exec(value);
  return match?.[1];
}

/**
 * Values no token can carry (`ref: main` where GitHub writes `refs/heads/main`), as errors with
 * the value meant; an exact value holding `*` or `?`, which matches only those characters, as
 * a warning suggesting the pattern (an error where the claim's values never hold them).
 */
export function shapeIssues(
  claims: ReadonlyMap<string, Matcher>,
  issuer: { readonly label: string; readonly shapes?: ValueShapes },
  path: Path,
): Issue[] {
  const issues: Issue[] = [];
  for (const [claim, m] of claims) {
    const shape = issuer.shapes?.get(claim);
    const values = m.kind === "exact" ? [m.value] : m.kind === "oneOf" ? m.values : [];
    for (const value of values) {
      const wildcard = /[*?]/.test(value);
      if (shape && !shape.test.test(value)) {
        const meant = wildcard ? `{pattern: ${quote(value)}}` : shape.suggest?.(value);
        issues.push(
          error(
            "unsatisfiable_selector",
            [...path, claim],
            `no ${issuer.label} token can match ${claim} ${quote(value)}: ${claim} is always ${shape.words}${meant ? `; did you mean ${meant.startsWith("{") ? meant : quote(meant)}?` : ""}`,
          ),
        );
      } else if (wildcard) {
        issues.push(
          warning(
            "literal_wildcard",
            [...path, claim],
            `${claim} ${quote(value)} is an exact value, so '*' and '?' in it match only themselves; did you mean {pattern: ${quote(value)}}?`,
          ),
        );
      }
    }
    if (m.kind === "pattern" && shape?.prefix !== undefined) {
      const head = literalPrefix(m.pattern);
      if (!head.startsWith(shape.prefix) && !shape.prefix.startsWith(head)) {
        issues.push(
          error(
            "unsatisfiable_selector",
            [...path, claim],
            `no ${issuer.label} token can match ${claim} {pattern: ${quote(m.pattern)}}: ${claim} is always ${shape.words}${shape.suggest?.(m.pattern) ? `; did you mean {pattern: ${quote(shape.suggest(m.pattern)!)}}?` : ""}`,
          ),
        );
      }
    }
  }
  return issues;
}
