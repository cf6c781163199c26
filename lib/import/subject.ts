import type { IssuerModel } from "../claims/issuer";
import { claimSpec } from "../claims/issuer";
import type { Guard } from "../claims/matcher";
import type { SubjectCase, SubjectPart, SubjectTemplate } from "../claims/template";
import type { Matcher, Selector } from "../intent/document";

/**
 * Reads a deployed `sub` value (exact, or a glob of `*` and `?`) back into claims in the
 * issuer's own terms: `repo:acme/api:environment:production` → `{repository: acme/api,
 * environment: production}`, `repo:acme/*` → `{repository: {pattern: acme/*}}`. A guess, never
 * trusted on its own: `import` compiles the selector again and keeps it only when its artefacts
 * decide every token of the corpus as the deployed one does (else it keeps `sub`).
 * Undefined when no layout of the issuer reads the value one way.
 */
export function subjectSelector(
  sub: string,
  glob: boolean,
  issuer: IssuerModel,
): Selector | undefined {
  const template = issuer.subject;
  if (!template) return undefined;
  const found = new Map<string, Selector>();
  for (const c of template.cases) {
    for (const captures of readCase(c, sub, glob, issuer)) {
      const selector = joinSplit(captures, template.split, glob);
      if (selector) found.set(JSON.stringify(sorted(selector)), selector);
    }
  }
  return found.size === 1 ? [...found.values()][0] : undefined;
}

type Captures = Map<string, string>;
/** One reading of `sub` by a case: the claims' raw text in `sub`, and whether the tail is open. */
interface Reading {
  readonly captures: Captures;
  readonly open: boolean;
}

/** The selectors one case reads from `sub`: a full reading with the case's guards, or an open tail. */
function readCase(c: SubjectCase, sub: string, glob: boolean, issuer: IssuerModel): Selector[] {
  const readings: Reading[] = [];
  walk(c.parts, 0, sub, 0, new Map(), readings, glob, issuer);
  return readings.flatMap(({ captures, open }) => {
    const selector: Selector = {};
    for (const [claim, raw] of captures) {
      const spec = claimSpec(issuer, claim);
      const value = spec.colonEncoded ? raw.replaceAll("%3A", ":") : raw;
      selector[claim] = glob && /[*?]/.test(value) ? { pattern: value } : value;
    }
    if (open) return [selector];
    // a full reading holds only where the case applies: its guards are part of what sub says
    for (const [claim, guard] of Object.entries(c.when)) {
      if (claim in selector) continue;
      const matcher = guardMatcher(guard);
      if (matcher) selector[claim] = matcher;
    }
    return [selector];
  });
}

/**
 * Matches the parts from `i` against `sub` from `at`: literals exactly, claims as runs of
 * characters their values may hold (glob wildcards among them). An open reading ends at the
 * final `*` of a glob inside a claim or a literal: what follows is not constrained.
 */
function walk(
  parts: readonly SubjectPart[],
  i: number,
  sub: string,
  at: number,
  captures: Captures,
  out: Reading[],
  glob: boolean,
  issuer: IssuerModel,
): void {
  const openTail = glob && sub.endsWith("*") && at <= sub.length - 1;
  if (i === parts.length) {
    if (at === sub.length) out.push({ captures: new Map(captures), open: false });
    return;
  }
  const part = parts[i]!;
  if (typeof part === "string") {
    if (sub.startsWith(part, at))
      walk(parts, i + 1, sub, at + part.length, captures, out, glob, issuer);
    // a `*` right after a claim is that claim's: reading it as the literal's would narrow it
    else if (
      openTail &&
      part.startsWith(sub.slice(at, -1)) &&
      (at < sub.length - 1 || !claimBefore(parts, i))
    )
      out.push({ captures: new Map(captures), open: true });
    return;
  }
  if ("opaque" in part) return;
  const excluded = claimSpec(issuer, part.claim).excludes;
  for (let end = at; end <= sub.length; end++) {
    const value = sub.slice(at, end);
    if (end > at && excluded.includes(sub[end - 1]!)) break;
    if (end === sub.length && openTail && value.endsWith("*") && i < parts.length - 1) {
      out.push({ captures: new Map([...captures, [part.claim, value]]), open: true });
    }
    if (value === "") continue;
    captures.set(part.claim, value);
    walk(parts, i + 1, sub, end, captures, out, glob, issuer);
    captures.delete(part.claim);
  }
}

function claimBefore(parts: readonly SubjectPart[], i: number): boolean {
  return i > 0 && typeof parts[i - 1] !== "string";
}

/** A guard as the matcher that states it, where the document can state it. */
function guardMatcher(guard: Guard): Matcher | undefined {
  switch (guard.kind) {
    case "absent":
      return { absent: true };
    case "in":
      return guard.values.length === 1 ? guard.values[0]! : { oneOf: [...guard.values] };
    case "pattern":
      return { pattern: guard.pattern };
    default:
      return undefined; // present: the captured value says it; notIn: no matcher states it
  }
}

/** Joins a claim the layout writes in two parts (GitHub's owner and name) back into one. */
function joinSplit(
  selector: Selector,
  split: SubjectTemplate["split"],
  glob: boolean,
): Selector | undefined {
  if (!split) return selector;
  const [first, second] = split.into;
  if (!(first in selector) && !(second in selector)) return selector;
  const text = (m: Matcher | undefined) =>
    m === undefined ? "*" : typeof m === "string" ? m : "pattern" in m ? m.pattern : undefined;
  const a = text(selector[first]);
  const b = text(selector[second]);
  if (a === undefined || b === undefined) return undefined;
  const rest = Object.fromEntries(
    Object.entries(selector).filter(([claim]) => claim !== first && claim !== second),
  );
  const value = `${a}${split.at}${b}`;
  return { ...rest, [split.claim]: glob && /[*?]/.test(value) ? { pattern: value } : value };
}

function sorted(selector: Selector): Selector {
  return Object.fromEntries(Object.entries(selector).sort(([a], [b]) => (a < b ? -1 : 1)));
}
