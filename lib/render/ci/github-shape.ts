import { globCovers, globMatch } from "../../claims/glob";
import type { Matcher } from "../../claims/matcher";
import { describeMatcher, matches } from "../../claims/matcher";
import type { Issue } from "../../errors";
import { quote } from "../../errors";
import type { IdentityHandoff } from "../model";
import type { Draft, JobKind, Placement, RefKind, ShapeBase } from "./shape";
import {
  cannotChoose,
  lineSafe,
  namedValue,
  OTHER_KIND,
  pickValue,
  placeOn,
  planEnvironment,
  realizeJobs,
  REF_PREFIX,
  refKinds,
  refuse,
  samePlace,
} from "./shape";

/** A GitHub Actions job whose token meets one selector of the identity. */
export interface GithubJobShape extends ShapeBase {
  readonly on: GithubTrigger;
  /** The workflow's `name`, when the selector pins the `workflow` claim. */
  readonly workflowName?: string;
}

/**
 * The event that runs the job: `pull_request` for a plan job, a push or `workflow_dispatch` for an
 * apply job. A push filter holds GitHub filter patterns (already translated); `dispatch` adds
 * `workflow_dispatch`, which only happens when the selector leaves the ref and event free, since a
 * dispatched run takes whatever ref the person picks.
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

/**
 * The jobs a GitHub workflow must run so their tokens meet the identity: an apply job from the
 * first selector a push or dispatch job can meet, a plan job from the first a pull request job can.
 * Claims a job cannot choose (actor, sha, run IDs, `job_workflow_ref`: generated jobs are not
 * reusable workflows) rule a selector out; a value GitHub would evaluate (`${{`) is an issue,
 * never output.
 */
export function githubJobShapes(h: IdentityHandoff): { shapes: GithubJobShape[]; issues: Issue[] } {
  return realizeJobs(h, "GitHub Actions", realizeGithub, sameWorkflow);
}

/**
 * The branch an apply job runs on where the selector accepts every branch: GitHub's push filters
 * cannot name the default branch, so the header asks the team to change it if theirs differs.
 */
const DEFAULT_BRANCH = "main";

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
const KIND_EVENTS: Readonly<Record<JobKind, readonly GithubEvent[]>> = {
  apply: ["push", "workflow_dispatch"],
  plan: ["pull_request"],
};

/** One workflow has one name: jobs share it unless at most one selector pins it. */
function sameWorkflow(a: GithubJobShape, b: GithubJobShape): boolean {
  const named = a.workflowName === undefined || b.workflowName === undefined;
  return samePlace(a, b) && (named || a.workflowName === b.workflowName);
}

function realizeGithub(d: Draft, kind: JobKind): GithubJobShape | undefined | typeof OTHER_KIND {
  const event = githubEvent(d, kind);
  if (event === OTHER_KIND) return OTHER_KIND;
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
  if (event === undefined) return undefined;
  const on = githubTrigger(d, event, environment);
  if (!on) return undefined;
  return {
    kind,
    selector: d.selector.path,
    placement,
    on,
    ...(environment !== undefined ? { environment } : {}),
    ...(workflowName !== undefined ? { workflowName } : {}),
    notes: d.notes,
  };
}

function githubTrigger(
  d: Draft,
  event: GithubEvent,
  environment: string | undefined,
): GithubTrigger | undefined {
  const ref = d.selector.claims.get("ref");
  const refType = d.selector.claims.get("ref_type");
  if (event === "pull_request") {
    // a pull request job runs on refs/pull/<n>/merge; its ref_type is not documented
    if (ref && !(ref.kind === "pattern" && globCovers(ref.pattern, "refs/pull/*/merge"))) {
      d.why.push(`ref ${describeMatcher(ref)} on pull_request, which runs on refs/pull/<n>/merge`);
    }
    if (refType) d.why.push("ref_type on pull_request");
    planEnvironment(d, "event_name");
    return { event: "pull_request" };
  }
  if (event === "workflow_dispatch") {
    if (ref || refType) d.why.push("a ref on workflow_dispatch, which runs on any ref picked");
    return { event: "workflow_dispatch" };
  }
  const on = pushTrigger(d, ref, refType);
  if (!on || ref || refType || d.selector.claims.has("event_name")) return on;
  d.notes.push(dispatchNote(environment));
  return { ...on, dispatch: true };
}

/** The event of the job of `kind`; OTHER_KIND when the selector accepts only the other kind's. */
function githubEvent(d: Draft, kind: JobKind): GithubEvent | undefined | typeof OTHER_KIND {
  const m = d.selector.claims.get("event_name");
  const own = KIND_EVENTS[kind];
  if (!m) return own[0];
  const isOwn = (v: string): v is GithubEvent => (own as readonly string[]).includes(v);
  const found =
    m.kind === "pattern"
      ? own.find((e) => globMatch(m.pattern, e))
      : pickValue(d, "event_name", m, isOwn);
  if (found !== undefined && isOwn(found)) {
    if (m.kind === "pattern") {
      d.notes.push(
        `event_name: this job runs on ${found}; the selector accepts every event like ${quote(m.pattern)}`,
      );
    }
    return found;
  }
  if (GITHUB_EVENTS.some((e) => matches(m, e))) return OTHER_KIND;
  d.why.push(
    `event_name ${describeMatcher(m)}, and generated jobs run on ${GITHUB_EVENTS.join(", ")}`,
  );
  return undefined;
}

function dispatchNote(environment: string | undefined): string {
  const decides =
    environment === undefined
      ? "the selector accepts every ref"
      : `the protection rules of environment ${quote(environment)} decide which branches may deploy`;
  return `workflow_dispatch: a run applies from whichever ref is picked; ${decides}`;
}

type PushTrigger = Extract<GithubTrigger, { event: "push" }>;

function pushTrigger(
  d: Draft,
  ref: Matcher | undefined,
  refType: Matcher | undefined,
): PushTrigger | undefined {
  const kinds = refKinds(d, refType);
  if (!kinds) return undefined;
  const filter = (kind: RefKind, pattern: string): PushTrigger => {
    if (kind === "tag") return { event: "push", tags: [pattern], dispatch: false };
    if (pattern !== "**") return { event: "push", branches: [pattern], dispatch: false };
    // an apply job never runs on every branch: two branches would apply to one state
    d.notes.push(
      `ref: this job applies on pushes to ${DEFAULT_BRANCH} only, not on every branch the selector accepts; change ${DEFAULT_BRANCH} if the default branch differs`,
    );
    return { event: "push", branches: [DEFAULT_BRANCH], dispatch: false };
  };
  if (!ref) return filter(kinds[0]!, "**");
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
  return githubSafe(d, "ref", v) ? filter(kind, v.slice(REF_PREFIX[kind].length)) : undefined;
}

function patternFilter(
  d: Draft,
  pattern: string,
  kinds: readonly RefKind[],
  filter: (kind: RefKind, pattern: string) => PushTrigger,
): PushTrigger | undefined {
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
    return filter(kind, translated.filter);
  }
  // a pattern such as refs/* accepts every branch (or tag): run on all of one kind
  const covered = kinds.find((k) => globCovers(pattern, `${REF_PREFIX[k]}*`));
  if (!covered) {
    d.why.push(
      `ref like ${quote(pattern)}: a push filter needs the pattern to start with refs/heads/ or refs/tags/`,
    );
    return undefined;
  }
  if (covered === "tag") {
    d.notes.push(
      `ref: this job runs on every tag; the selector also accepts other refs like ${quote(pattern)}`,
    );
  }
  return filter(covered, "**");
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
