import { globCovers, globMatch } from "../../claims/glob";
import type { Matcher } from "../../claims/matcher";
import { describeMatcher, finiteValues, matches } from "../../claims/matcher";
import type { Issue, Path } from "../../errors";
import { error, formatPath, quote } from "../../errors";
import type { SelectorIR } from "../../ir/types";
import type { IdentityHandoff } from "../model";

/** The Terraform both CIs run, so a plan means the same in either. */
export const TERRAFORM_VERSION = "1.11.4";

/** A claim the job cannot set but the place of the file decides: the repository or project. */
export interface Placement {
  readonly claim: string;
  readonly matcher: Matcher;
}

/** What a job has in common on every CI: which selector it meets, where it lives, what it chose. */
export interface ShapeBase {
  /** The selector the job's tokens meet. */
  readonly selector: Path;
  /** Where the file must be committed for the repository's claims to hold. */
  readonly placement: readonly Placement[];
  /** The environment the job declares; none when the selector leaves it out or requires it absent. */
  readonly environment?: string;
  /** Where the job picked one of several accepted values, or is narrower than the selector. */
  readonly notes: readonly string[];
}

/** A GitHub Actions job whose token meets one selector of the identity. */
export interface GithubJobShape extends ShapeBase {
  readonly on: GithubTrigger;
  /** The workflow's `name`, when the selector pins the `workflow` claim. */
  readonly workflowName?: string;
}

/**
 * The event that runs the job. A push filter holds GitHub filter patterns (already translated);
 * `dispatch` adds `workflow_dispatch`, which only happens when the selector leaves the ref and
 * event free, since a dispatched run takes whatever ref the person picks.
 */
export type GithubTrigger =
  | {
      readonly event: "push";
      readonly branches?: readonly string[];
      readonly tags?: readonly string[];
      readonly dispatch: boolean;
    }
  | { readonly event: "pull_request" }
  | { readonly event: "workflow_dispatch" };

/** A GitLab CI job whose token meets one selector of the identity. */
export interface GitlabJobShape extends ShapeBase {
  /** One `rules: - if:` per alternative, each a conjunction; empty: the job runs in every pipeline. */
  readonly rules: readonly (readonly GitlabCondition[])[];
}

/** A test on a predefined CI/CD variable; `matches` holds a glob of the intent's dialect. */
export type GitlabCondition =
  | { readonly variable: string; readonly equals: string }
  | { readonly variable: string; readonly matches: string }
  | { readonly variable: string; readonly set: true };

/** What realizing one selector gave: a shape, the claims a job cannot meet, or a refused value. */
type Attempt<S> = { shape: S } | { why: string[] } | { unsafe: Issue };

/** Collects, while one selector is realized, what stands in the way and what was chosen. */
interface Draft {
  readonly selector: SelectorIR;
  readonly why: string[];
  readonly notes: string[];
  unsafe?: Issue;
}

/**
 * The job a GitHub workflow must run so its token meets the identity: the first selector a job
 * can meet. Claims a job cannot choose (actor, sha, run IDs, `job_workflow_ref`: generated jobs
 * are not reusable workflows) rule a selector out; a value GitHub would evaluate (`${{`) is an
 * issue, never output.
 */
export function githubJobShape(h: IdentityHandoff): { shape?: GithubJobShape; issues: Issue[] } {
  return firstRealizable(h, "GitHub Actions", realizeGithub);
}

/**
 * The job a GitLab pipeline must run so its token meets the identity: the first selector a job
 * can meet, as `rules`, `environment` and the project it is included from. A value GitLab would
 * interpret (a '"' in a compared string, '$' in an environment name) is an issue, never output.
 */
export function gitlabJobShape(h: IdentityHandoff): { shape?: GitlabJobShape; issues: Issue[] } {
  return firstRealizable(h, "GitLab CI", realizeGitlab);
}

function firstRealizable<S>(
  h: IdentityHandoff,
  ci: string,
  realize: (d: Draft) => S | undefined,
): { shape?: S; issues: Issue[] } {
  const reasons: string[] = [];
  for (const selector of h.selectors) {
    const attempt = attemptOf(selector, realize);
    if ("shape" in attempt) return { shape: attempt.shape, issues: [] };
    if ("unsafe" in attempt) return { issues: [attempt.unsafe] };
    reasons.push(`${formatPath(selector.path.slice(-2))} needs ${attempt.why.join(", ")}`);
  }
  const subjects = [...h.path.slice(0, -1), "subjects"];
  const message =
    `no selector of ${h.name} can be met by a generated ${ci} job: ${reasons.join("; ")}; ` +
    "add a selector a job can meet (the repository or project, ref, environment, event), or set handoff.ci: none and write the job yourself";
  return { issues: [error("claim_not_expressible", subjects, message)] };
}

function attemptOf<S>(selector: SelectorIR, realize: (d: Draft) => S | undefined): Attempt<S> {
  const d: Draft = { selector, why: [], notes: [] };
  const shape = realize(d);
  // a refused value matters only in a selector the job would otherwise meet
  if (d.why.length) return { why: d.why };
  if (d.unsafe) return { unsafe: d.unsafe };
  if (!shape)
    throw new Error(`unreachable: ${formatPath(selector.path)} gave no job and no reason`);
  return { shape };
}

// ---- GitHub

/** Claims the repository decides; `enterprise*` and custom properties may be missing from a token. */
const GITHUB_PLACEMENT = new Set([
  "repository",
  "repository_owner",
  "repository_id",
  "repository_owner_id",
  "repository_visibility",
  "enterprise",
  "enterprise_id",
]);
const GITHUB_MAYBE_ABSENT = new Set(["enterprise", "enterprise_id"]);
const GITHUB_EVENTS = ["push", "pull_request", "workflow_dispatch"] as const;
type GithubEvent = (typeof GITHUB_EVENTS)[number];

function realizeGithub(d: Draft): GithubJobShape | undefined {
  const placement: Placement[] = [];
  let environment: string | undefined;
  let workflowName: string | undefined;
  for (const [claim, m] of d.selector.claims) {
    if (claim === "ref" || claim === "ref_type" || claim === "event_name") continue;
    if (GITHUB_PLACEMENT.has(claim) || claim.startsWith("repo_property_")) {
      const absentOk = GITHUB_MAYBE_ABSENT.has(claim) || claim.startsWith("repo_property_");
      placeOn(d, placement, claim, m, absentOk);
    } else if (claim === "environment") {
      environment = namedValue(d, claim, m, () => true, githubSafe);
    } else if (claim === "workflow") {
      workflowName = namedValue(d, claim, m, () => true, githubSafe);
    } else if (claim === "runner_environment") {
      // runs-on: ubuntu-latest is a GitHub-hosted runner
      if (!matches(m, "github-hosted")) d.why.push(`runner_environment ${describeMatcher(m)}`);
    } else {
      d.why.push(cannotChoose(claim));
    }
  }
  const on = githubTrigger(d);
  if (!on) return undefined;
  return {
    selector: d.selector.path,
    placement,
    on,
    ...(environment !== undefined ? { environment } : {}),
    ...(workflowName !== undefined ? { workflowName } : {}),
    notes: d.notes,
  };
}

function githubTrigger(d: Draft): GithubTrigger | undefined {
  const ref = d.selector.claims.get("ref");
  const refType = d.selector.claims.get("ref_type");
  const event = d.selector.claims.get("event_name");
  const chosen = event ? pickEvent(d, event) : "push";
  if (chosen === undefined) return undefined;
  if (chosen === "pull_request") {
    // a pull request job runs on refs/pull/<n>/merge; its ref_type is not documented
    if (ref && !(ref.kind === "pattern" && globCovers(ref.pattern, "refs/pull/*/merge"))) {
      d.why.push(`ref ${describeMatcher(ref)} on pull_request, which runs on refs/pull/<n>/merge`);
    }
    if (refType) d.why.push("ref_type on pull_request");
    return { event: "pull_request" };
  }
  if (chosen === "workflow_dispatch") {
    if (ref || refType) d.why.push("a ref on workflow_dispatch, which runs on any ref picked");
    return { event: "workflow_dispatch" };
  }
  return pushTrigger(d, ref, refType, event === undefined);
}

function pickEvent(d: Draft, m: Matcher): GithubEvent | undefined {
  const isEvent = (v: string): v is GithubEvent => (GITHUB_EVENTS as readonly string[]).includes(v);
  const found =
    m.kind === "pattern"
      ? GITHUB_EVENTS.find((e) => globMatch(m.pattern, e))
      : pickValue(d, "event_name", m, isEvent);
  if (found === undefined || !isEvent(found)) {
    d.why.push(
      `event_name ${describeMatcher(m)}, and generated jobs run on ${GITHUB_EVENTS.join(", ")}`,
    );
    return undefined;
  }
  if (m.kind === "pattern") {
    d.notes.push(
      `event_name: this job runs on ${found}; the selector accepts every event like ${quote(m.pattern)}`,
    );
  }
  return found;
}

type RefKind = "branch" | "tag";
const REF_PREFIX: Readonly<Record<RefKind, string>> = { branch: "refs/heads/", tag: "refs/tags/" };

function pushTrigger(
  d: Draft,
  ref: Matcher | undefined,
  refType: Matcher | undefined,
  eventFree: boolean,
): GithubTrigger | undefined {
  if (!ref && !refType) return { event: "push", dispatch: eventFree };
  const kinds = refKinds(d, refType);
  if (!kinds) return undefined;
  const filter = (kind: RefKind, patterns: string[]): GithubTrigger =>
    kind === "branch"
      ? { event: "push", branches: patterns, dispatch: false }
      : { event: "push", tags: patterns, dispatch: false };
  if (!ref) {
    if (kinds.length > 1)
      d.notes.push("ref_type: this job runs on branches; the selector also accepts tags");
    return filter(kinds[0]!, ["**"]);
  }
  if (ref.kind === "absent") {
    d.why.push("ref absent, which every token carries");
    return undefined;
  }
  if (ref.kind === "pattern") return patternFilter(d, ref.pattern, kinds, filter);
  const name = (v: string) => {
    const kind = kinds.find((k) => v.startsWith(REF_PREFIX[k]));
    return kind && githubLiteral(v.slice(REF_PREFIX[kind].length)) ? kind : undefined;
  };
  const v = pickValue(d, "ref", ref, (x) => name(x) !== undefined);
  const kind = v === undefined ? undefined : name(v);
  if (v === undefined || !kind) {
    d.why.push(
      `ref ${describeMatcher(ref)}: a push filter takes refs/heads/… or refs/tags/… without ${GITHUB_OPERATORS}`,
    );
    return undefined;
  }
  return githubSafe(d, "ref", v) ? filter(kind, [v.slice(REF_PREFIX[kind].length)]) : undefined;
}

/** The ref kinds `ref_type` allows, in the order a job prefers them. */
function refKinds(d: Draft, refType: Matcher | undefined): RefKind[] | undefined {
  const kinds = (["branch", "tag"] as const).filter((k) => !refType || matches(refType, k));
  if (kinds.length === 0) d.why.push(`ref_type ${describeMatcher(refType!)}`);
  return kinds.length ? kinds : undefined;
}

function patternFilter(
  d: Draft,
  pattern: string,
  kinds: readonly RefKind[],
  filter: (kind: RefKind, patterns: string[]) => GithubTrigger,
): GithubTrigger | undefined {
  const kind = kinds.find((k) => pattern.startsWith(REF_PREFIX[k]));
  if (kind) {
    const translated = githubFilter(pattern.slice(REF_PREFIX[kind].length));
    if (!translated) {
      d.why.push(
        `ref like ${quote(pattern)}, whose literal ${GITHUB_OPERATORS} a GitHub filter would read as operators`,
      );
      return undefined;
    }
    if (!githubSafe(d, "ref", pattern)) return undefined;
    if (translated.narrower) {
      d.notes.push(
        `ref: the ${kind} filter ${quote(translated.filter)} is narrower than ${quote(pattern)}: GitHub filters have no one-character wildcard, so ? became one letter or digit`,
      );
    }
    return filter(kind, [translated.filter]);
  }
  // a pattern such as refs/* accepts every branch (or tag): run on all of one kind
  const covered = kinds.find((k) => globCovers(pattern, `${REF_PREFIX[k]}*`));
  if (!covered) {
    d.why.push(
      `ref like ${quote(pattern)}: a push filter needs the pattern to start with refs/heads/ or refs/tags/`,
    );
    return undefined;
  }
  if (kinds.length > 1 || covered !== "branch") {
    d.notes.push(
      `ref: this job runs on every ${covered}; the selector also accepts other refs like ${quote(pattern)}`,
    );
  }
  return filter(covered, ["**"]);
}

/** Characters a GitHub branch or tag filter treats as operators (`!` only in front). */
const GITHUB_OPERATORS = "* ? + [ ] \\ or a leading !";

function githubLiteral(name: string): boolean {
  return name.length > 0 && !/[*?+[\]\\]/.test(name) && !name.startsWith("!");
}

/**
 * A GitHub filter that matches only names the glob matches. Our `*` (any run, '/' included)
 * becomes `**`, which GitHub documents as "zero or more of any character": the same language.
 * GitHub's `?` quantifies the previous character, so our `?` (one character) becomes
 * `[0-9A-Za-z]`, narrower; literal operator characters cannot be escaped portably.
 */
export function githubFilter(glob: string): { filter: string; narrower: boolean } | undefined {
  let filter = "";
  let narrower = false;
  for (const ch of Array.from(glob.replace(/\*+/g, "*"))) {
    if (ch === "*") filter += "**";
    else if (ch === "?") {
      filter += "[0-9A-Za-z]";
      narrower = true;
    } else filter += ch;
  }
  const literal = glob.replace(/[*?]/g, "");
  if (/[+[\]\\]/.test(literal) || glob.startsWith("!") || filter === "") return undefined;
  return { filter, narrower };
}

/** GitHub evaluates `${{ … }}` in almost every string of a workflow: refuse it in data. */
function githubSafe(d: Draft, claim: string, value: string): boolean {
  if (value.includes("${{")) {
    refuse(d, claim, value, "GitHub would evaluate the `${{` in it as an expression");
    return false;
  }
  return lineSafe(d, claim, value);
}

// ---- GitLab

const GITLAB_PLACEMENT = new Set([
  "project_path",
  "project_id",
  "namespace_path",
  "namespace_id",
  "project_visibility",
]);
const REF_VARIABLE: Readonly<Record<RefKind, string>> = {
  branch: "CI_COMMIT_BRANCH",
  tag: "CI_COMMIT_TAG",
};
/** Claims a rule can test directly, each with its predefined variable. */
const GITLAB_TESTED: ReadonlyMap<string, string> = new Map([
  ["ref_protected", "CI_COMMIT_REF_PROTECTED"],
  ["pipeline_source", "CI_PIPELINE_SOURCE"],
]);
/** The environment names GitLab accepts: letters, digits, spaces and `-_/${}.`, not at '/' ends. */
const GITLAB_ENVIRONMENT = /^(?!\/)[A-Za-z0-9 _./${}-]+(?<!\/)$/;

function realizeGitlab(d: Draft): GitlabJobShape | undefined {
  const placement: Placement[] = [];
  const conditions: GitlabCondition[] = [];
  let environment: string | undefined;
  for (const [claim, m] of d.selector.claims) {
    const variable = GITLAB_TESTED.get(claim);
    if (claim === "ref" || claim === "ref_type") continue;
    if (GITLAB_PLACEMENT.has(claim)) placeOn(d, placement, claim, m, false);
    else if (variable !== undefined) {
      const test = gitlabCondition(d, claim, variable, m);
      if (test) conditions.push(test);
    } else if (claim === "environment") {
      const declarable = (v: string) => GITLAB_ENVIRONMENT.test(v);
      environment = namedValue(d, claim, m, declarable, gitlabEnvironmentSafe);
    } else d.why.push(cannotChoose(claim));
  }
  const refs = gitlabRefRules(d);
  if (!refs) return undefined;
  const rules = refs.length
    ? refs.map((r) => [...r, ...conditions])
    : conditions.length
      ? [conditions]
      : [];
  return {
    selector: d.selector.path,
    placement,
    rules,
    ...(environment !== undefined ? { environment } : {}),
    notes: d.notes,
  };
}

/** The ref alternatives: one per ref kind the selector allows; empty when it constrains neither. */
function gitlabRefRules(d: Draft): GitlabCondition[][] | undefined {
  const ref = d.selector.claims.get("ref");
  const refType = d.selector.claims.get("ref_type");
  if (!ref && !refType) return [];
  const kinds = refKinds(d, refType);
  if (!kinds) return undefined;
  // a ref that may be a branch or a tag gets one rule for each
  const each = (test: (variable: string) => GitlabCondition) =>
    kinds.map((k) => [test(REF_VARIABLE[k])]);
  if (!ref) return each((variable) => ({ variable, set: true }));
  const test = gitlabCondition(d, "ref", "", ref);
  if (!test) return undefined;
  return each((variable) => ({ ...test, variable }));
}

function gitlabCondition(
  d: Draft,
  claim: string,
  variable: string,
  m: Matcher,
): GitlabCondition | undefined {
  if (m.kind === "absent") {
    d.why.push(`${claim} absent, which every token carries`);
    return undefined;
  }
  if (m.kind === "pattern") {
    // the regular expression escapes every other character; '\' would confuse GitLab's /…/ token
    if (!m.pattern.includes("\\"))
      return lineSafe(d, claim, m.pattern) ? { variable, matches: m.pattern } : undefined;
    refuse(d, claim, m.pattern, "GitLab reads '\\' in a /…/ pattern as an escape");
    return undefined;
  }
  const v = pickValue(d, claim, m, () => true)!;
  // GitLab's "…" strings end at the next '"' and know no escapes
  if (!v.includes('"')) return lineSafe(d, claim, v) ? { variable, equals: v } : undefined;
  refuse(d, claim, v, `GitLab rules compare strings in "…", which cannot hold a '"'`);
  return undefined;
}

function gitlabEnvironmentSafe(d: Draft, claim: string, value: string): boolean {
  if (!value.includes("$")) return lineSafe(d, claim, value);
  refuse(
    d,
    claim,
    value,
    "GitLab expands variables in environment names, so '$' would not stay literal",
  );
  return false;
}

// ---- shared

function placeOn(d: Draft, placement: Placement[], claim: string, m: Matcher, absentOk: boolean) {
  if (m.kind === "absent" && !absentOk) d.why.push(`${claim} absent, which every token carries`);
  else if (m.kind === "oneOf")
    placement.push({
      claim,
      matcher: { kind: "exact", value: pickValue(d, claim, m, () => true)! },
    });
  else placement.push({ claim, matcher: m });
}

/**
 * The value a job declares for a claim (environment, workflow name): exact, or the first
 * declarable value of oneOf; a value the CI would interpret is refused by `safe`.
 */
function namedValue(
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
function pickValue(
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

function cannotChoose(claim: string): string {
  if (claim === "sub") return "sub, which the issuer builds (select its parts instead)";
  if (claim === "job_workflow_ref" || claim === "job_workflow_sha") {
    return `${claim}, which only a reusable workflow sets`;
  }
  return `${claim}, which a job cannot choose`;
}

/** Line breaks in any YAML flavour (YAML 1.1 also breaks at U+0085, U+2028, U+2029). */
function lineSafe(d: Draft, claim: string, value: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
  if (!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) return true;
  refuse(d, claim, value, "control characters and line breaks could end the YAML value early");
  return false;
}

function refuse(d: Draft, claim: string, value: string, why: string): void {
  d.unsafe ??= error(
    "invalid_value",
    [...d.selector.path, claim],
    `${claim} ${quote(value)} cannot be written into a CI file: ${why}; use a value without it, or set handoff.ci: none and write the job yourself`,
  );
}
