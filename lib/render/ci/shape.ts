import type { Matcher } from "../../claims/matcher";
import { describeMatcher, finiteValues, matches } from "../../claims/matcher";
import type { Issue, Path } from "../../errors";
import { error, formatPath, quote } from "../../errors";
import type { SelectorIR } from "../../ir/types";
import type { OwnerPath } from "../../claims/issuer";
import { ownerFits, ownerOf, pathFits } from "../../claims/owner-path";
import type { IdentityHandoff } from "../model";

// What a CI job must look like so that its token meets a selector: the parts every CI shares.
// github-shape.ts and gitlab-shape.ts realize a selector in each CI's terms.

/** The Terraform both CIs run, so a plan means the same in either. */
export const TERRAFORM_VERSION = "1.11.4";

/**
 * The jobs a CI file can hold: `apply` on the branch, tag or environment a selector pins, `plan`
 * on every pull or merge request a selector lets in.
 */
export type JobKind = "apply" | "plan";
/** The kinds of job in the order a file holds them. */
export const JOB_KINDS: readonly JobKind[] = ["apply", "plan"];

/**
 * The Terraform commands of each kind of job, the same on every CI: `apply` applies the plan it
 * just made, `plan` only shows it.
 */
export const TERRAFORM_COMMANDS: Readonly<Record<JobKind, readonly string[]>> = {
  apply: ["init -input=false", "plan -input=false -out=tfplan", "apply -input=false tfplan"],
  plan: ["init -input=false", "plan -input=false"],
};

/** What `realize` returns when the selector's event is one only the other kind of job runs on. */
export const OTHER_KIND: unique symbol = Symbol("the other kind of job");

/** A claim the job cannot set but the place of the file decides: the repository or project. */
export interface Placement {
  readonly claim: string;
  readonly matcher: Matcher;
}

/** "repository = "acme/api"": one claim the file's place must meet. */
export function describePlacement(p: Placement): string {
  return `${p.claim} ${describeMatcher(p.matcher)}`;
}

/** What a job has in common on every CI: which selector it meets, where it lives, what it chose. */
export interface ShapeBase {
  /** Which of the file's jobs this is. */
  readonly kind: JobKind;
  /** The selector the job's tokens meet. */
  readonly selector: Path;
  /** Where the file must be committed for the repository's claims to hold. */
  readonly placement: readonly Placement[];
  /** The environment the job declares; none when the selector leaves it out or requires it absent. */
  readonly environment?: string;
  /** Where the job picked one of several accepted values, or is narrower than the selector. */
  readonly notes: readonly string[];
}

/** What realizing one selector gave: a shape, the claims a job cannot meet, or a refused value. */
type Attempt<S> = { shape: S } | { why: string[] } | { unsafe: Issue } | { otherKind: true };

/** Collects, while one selector is realized, what stands in the way and what was chosen. */
export interface Draft {
  readonly selector: SelectorIR;
  /** The issuer's claims that are the owner part of another's path: placed together. */
  readonly ownerPaths: readonly OwnerPath[];
  readonly why: string[];
  readonly notes: string[];
  unsafe?: Issue;
}

/**
 * The jobs of one CI file: of each kind, the shape of the first selector that `realize` can turn
 * into a job of that kind placed where the other job is (`fits`); otherwise one issue listing,
 * per selector, what no generated job can meet.
 */
export function realizeJobs<S extends ShapeBase>(
  h: IdentityHandoff,
  ci: string,
  realize: (d: Draft, kind: JobKind) => S | undefined | typeof OTHER_KIND,
  fits: (a: S, b: S) => boolean = samePlace,
): { shapes: S[]; issues: Issue[] } {
  const shapes: S[] = [];
  const reasons: string[] = [];
  for (const selector of h.selectors) {
    const missing = JOB_KINDS.filter((k) => !shapes.some((s) => s.kind === k));
    let why: string[] | undefined;
    for (const kind of missing) {
      const attempt = attemptOf(selector, h.issuer.ownerPaths ?? [], (d) => realize(d, kind));
      if ("unsafe" in attempt) return { shapes: [], issues: [attempt.unsafe] };
      if ("why" in attempt) why ??= attempt.why;
      // both jobs live in one file: the second must be met in the first one's place
      else if ("shape" in attempt && shapes.every((s) => fits(s, attempt.shape))) {
        shapes.push(attempt.shape);
      }
    }
    if (why) reasons.push(`${formatPath(selector.path.slice(-2))} needs ${why.join(", ")}`);
  }
  if (shapes.length) {
    const order = (s: S) => JOB_KINDS.indexOf(s.kind);
    return { shapes: shapes.sort((a, b) => order(a) - order(b)), issues: [] };
  }
  const subjects = [...h.path.slice(0, -1), "subjects"];
  const message =
    `no selector of ${h.name} can be met by a generated ${ci} job: ${reasons.join("; ")}; ` +
    "add a selector a job can meet (the repository or project, ref, environment, event), or set handoff.ci: none and write the job yourself";
  return { shapes: [], issues: [error("claim_not_expressible", subjects, message)] };
}

/** Whether two jobs can share a file: their selectors ask the same of its place. */
export function samePlace(a: ShapeBase, b: ShapeBase): boolean {
  const pins = (s: ShapeBase) => s.placement.map(describePlacement).sort().join("\n");
  return pins(a) === pins(b);
}

function attemptOf<S>(
  selector: SelectorIR,
  ownerPaths: readonly OwnerPath[],
  realize: (d: Draft) => S | undefined | typeof OTHER_KIND,
): Attempt<S> {
  const d: Draft = { selector, ownerPaths, why: [], notes: [] };
  const shape = realize(d);
  if (shape === OTHER_KIND) return { otherKind: true };
  // a refused value matters only in a selector the job would otherwise meet
  if (d.why.length) return { why: d.why };
  if (d.unsafe) return { unsafe: d.unsafe };
  if (!shape)
    throw new Error(`unreachable: ${formatPath(selector.path)} gave no job and no reason`);
  return { shape };
}

/**
 * Why a plan job cannot declare the environment the selector requires, unless the selector names
 * the request event (`eventClaim`): any other environment is a deployment, which every pull or
 * merge request would then start.
 */
export function planEnvironment(d: Draft, eventClaim: string): void {
  const m = d.selector.claims.get("environment");
  if (m && m.kind !== "absent" && !d.selector.claims.has(eventClaim)) {
    d.why.push(
      `environment ${describeMatcher(m)} with ${eventClaim} free, which would deploy on every request`,
    );
  }
}

/** The kinds of ref a push job can run on, and their prefixes in `ref`. */
export type RefKind = "branch" | "tag";
export const REF_PREFIX: Readonly<Record<RefKind, string>> = {
  branch: "refs/heads/",
  tag: "refs/tags/",
};

/** The ref kinds `ref_type` allows, in the order a job prefers them. */
export function refKinds(d: Draft, refType: Matcher | undefined): RefKind[] | undefined {
  const kinds = (["branch", "tag"] as const).filter((k) => !refType || matches(refType, k));
  if (kinds.length === 0) d.why.push(`ref_type ${describeMatcher(refType!)}`);
  return kinds.length ? kinds : undefined;
}

/** Records a claim the file's place decides (the repository or project), or why no place can. */
export function placeOn(
  d: Draft,
  placement: Placement[],
  claim: string,
  m: Matcher,
  absentOk: boolean,
) {
  if (m.kind === "absent" && !absentOk) d.why.push(`${claim} absent, which every token carries`);
  else if (m.kind !== "oneOf") placement.push({ claim, matcher: m });
  else {
    const value = pickValue(d, claim, m, placeable(d, claim));
    if (value === undefined) d.why.push(`${claim} ${describeMatcher(m)} in one place`);
    else placement.push({ claim, matcher: { kind: "exact", value } });
  }
}

/** Which values of `claim` can share one place with the owner or path the selector asks for. */
function placeable(d: Draft, claim: string): (v: string) => boolean {
  for (const { claim: owner, path, split } of d.ownerPaths) {
    const ownerMatcher = d.selector.claims.get(owner);
    const pathMatcher = d.selector.claims.get(path);
    if (!ownerMatcher || !pathMatcher) continue;
    if (claim === path) return (v) => pathFits(v, ownerMatcher, split);
    if (claim !== owner) continue;
    // the path is chosen first, so the owner is the chosen path's
    const chosen = finiteValues(pathMatcher)?.find((v) => pathFits(v, ownerMatcher, split));
    return chosen === undefined
      ? (v) => ownerFits(v, pathMatcher, split)
      : (v) => v === ownerOf(chosen, split);
  }
  return () => true;
}

/**
 * The value a job declares for a claim (environment, workflow name): exact, or the first
 * declarable value of oneOf; a value the CI would interpret is refused by `safe`.
 */
export function namedValue(
  d: Draft,
  claim: string,
  m: Matcher,
  declarable: (v: string) => boolean,
  safe: (d: Draft, claim: string, value: string) => boolean,
): string | undefined {
  if (m.kind === "absent") return undefined;
  const v = m.kind === "pattern" ? undefined : pickValue(d, claim, m, declarable);
  if (v === undefined) d.why.push(`${claim} ${describeMatcher(m)}, which a job cannot declare`);
  return v !== undefined && safe(d, claim, v) ? v : undefined;
}

/** The first value of an exact or oneOf matcher that `usable` accepts; notes the ones left out. */
export function pickValue(
  d: Draft,
  claim: string,
  m: Matcher,
  usable: (v: string) => boolean,
): string | undefined {
  const values = finiteValues(m) ?? [];
  const v = values.find(usable);
  const others = values.filter((x) => x !== v);
  if (v !== undefined && others.length) {
    d.notes.push(
      `${claim}: this job uses ${quote(v)}; the selector also accepts ${others.map(quote).join(", ")}`,
    );
  }
  return v;
}

/** Why a job cannot meet a claim, in the words of the issue. */
export function cannotChoose(claim: string): string {
  if (claim === "sub") return "sub, which the issuer builds (select its parts instead)";
  if (claim === "job_workflow_ref" || claim === "job_workflow_sha") {
    return `${claim}, which only a reusable workflow sets`;
  }
  return `${claim}, which a job cannot choose`;
}

/** Line breaks in any YAML flavour (YAML 1.1 also breaks at U+0085, U+2028, U+2029). */
export function lineSafe(d: Draft, claim: string, value: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
  if (!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) return true;
  refuse(d, claim, value, "control characters and line breaks could end the YAML value early");
  return false;
}

/** Records the first value that cannot be written into a CI file, as an issue at its claim. */
export function refuse(d: Draft, claim: string, value: string, why: string): void {
  d.unsafe ??= error(
    "invalid_value",
    [...d.selector.path, claim],
    `${claim} ${quote(value)} cannot be written into a CI file: ${why}; use a value without it, or set handoff.ci: none and write the job yourself`,
  );
}
