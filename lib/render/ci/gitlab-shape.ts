import { globCovers } from "../../claims/glob";
import type { Matcher } from "../../claims/matcher";
import { describeMatcher, finiteValues, matches } from "../../claims/matcher";
import type { Issue } from "../../errors";
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
  refKinds,
  refuse,
} from "./shape";

/** A GitLab CI job whose token meets one selector of the identity. */
export interface GitlabJobShape extends ShapeBase {
  /** One `rules: - if:` per alternative, each a conjunction. */
  readonly rules: readonly (readonly GitlabCondition[])[];
}

/** A test on a predefined CI/CD variable; `matches` holds a glob of the intent's dialect. */
export type GitlabCondition =
  | { readonly variable: string; readonly equals: string }
  | { readonly variable: string; readonly equalsVariable: string }
  | { readonly variable: string; readonly matches: string }
  | { readonly variable: string; readonly set: true };

/**
 * The jobs a GitLab pipeline must run so their tokens meet the identity: an apply job from the
 * first selector a branch or tag pipeline's job can meet, a plan job from the first a merge
 * request pipeline's can, as `rules`, `environment` and the project they are included from. A
 * value GitLab would interpret (a '"' in a compared string, '$' in an environment name) is an
 * issue, never output.
 */
export function gitlabJobShapes(h: IdentityHandoff): { shapes: GitlabJobShape[]; issues: Issue[] } {
  return realizeJobs(h, "GitLab CI", realizeGitlab);
}

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
/** The pipeline source of merge request pipelines, where plan jobs run. */
const MERGE_REQUEST = "merge_request_event";
/** The environment names GitLab accepts: letters, digits, spaces and `-_/${}.`, not at '/' ends. */
const GITLAB_ENVIRONMENT = /^(?!\/)[A-Za-z0-9 _./${}-]+(?<!\/)$/;

function realizeGitlab(d: Draft, kind: JobKind): GitlabJobShape | undefined | typeof OTHER_KIND {
  const source = pipelineSource(d, kind);
  if (source === OTHER_KIND) return OTHER_KIND;
  const placement: Placement[] = [];
  const conditions: GitlabCondition[] = [];
  let environment: string | undefined;
  for (const [claim, m] of d.selector.claims) {
    if (claim === "ref" || claim === "ref_type" || claim === "pipeline_source") continue;
    if (GITLAB_PLACEMENT.has(claim)) placeOn(d, placement, claim, m, false);
    else if (claim === "ref_protected") {
      const test = gitlabCondition(d, claim, "CI_COMMIT_REF_PROTECTED", m);
      if (test) conditions.push(test);
    } else if (claim === "environment") {
      const declarable = (v: string) => GITLAB_ENVIRONMENT.test(v);
      environment = namedValue(d, claim, m, declarable, gitlabEnvironmentSafe);
    } else d.why.push(cannotChoose(claim));
  }
  const refs = kind === "apply" ? gitlabRefRules(d) : mergeRequestRefs(d);
  if (!refs || !source) return undefined;
  return {
    kind,
    selector: d.selector.path,
    placement,
    rules: refs.map((r) => [...r, ...source, ...conditions]),
    ...(environment !== undefined ? { environment } : {}),
    notes: d.notes,
  };
}

/**
 * The test on `CI_PIPELINE_SOURCE`: merge requests for a plan job, any other source the selector
 * pins for an apply job; OTHER_KIND when the selector accepts only the other kind's.
 */
function pipelineSource(
  d: Draft,
  kind: JobKind,
): GitlabCondition[] | undefined | typeof OTHER_KIND {
  const m = d.selector.claims.get("pipeline_source");
  const variable = "CI_PIPELINE_SOURCE";
  const request = (v: string) => v === MERGE_REQUEST;
  if (kind === "plan") {
    if (m && !matches(m, MERGE_REQUEST)) return OTHER_KIND;
    if (m) pickValue(d, "pipeline_source", m, request);
    return [{ variable, equals: MERGE_REQUEST }];
  }
  if (!m) return [];
  if (finiteValues(m)?.every(request)) return OTHER_KIND;
  const test = gitlabCondition(d, "pipeline_source", variable, m, (v) => !request(v));
  return test ? [test] : undefined;
}

/**
 * The ref alternatives of an apply job: one per ref kind the selector allows, and the default
 * branch where it accepts every branch.
 */
function gitlabRefRules(d: Draft): GitlabCondition[][] | undefined {
  const ref = d.selector.claims.get("ref");
  const kinds = refKinds(d, d.selector.claims.get("ref_type"));
  if (!kinds) return undefined;
  const everyRef = !ref || (ref.kind === "pattern" && globCovers(ref.pattern, "*"));
  if (everyRef && kinds[0] === "branch") {
    // an apply job never runs on every branch: two branches would apply to one state
    d.notes.push(
      "ref: this job applies on the default branch only, not on every branch the selector accepts",
    );
    return [[{ variable: REF_VARIABLE.branch, equalsVariable: "CI_DEFAULT_BRANCH" }]];
  }
  // a ref that may be a branch or a tag gets one rule for each
  const each = (test: (variable: string) => GitlabCondition) =>
    kinds.map((k) => [test(REF_VARIABLE[k])]);
  if (!ref) return each((variable) => ({ variable, set: true }));
  const test = gitlabCondition(d, "ref", "", ref);
  if (!test) return undefined;
  return each((variable) => ({ ...test, variable }));
}

/**
 * Why a plan job cannot meet the selector: it runs on every merge request, whose token's ref is
 * its source branch, so the selector must leave the ref free.
 */
function mergeRequestRefs(d: Draft): GitlabCondition[][] {
  for (const claim of ["ref", "ref_protected"]) {
    const m = d.selector.claims.get(claim);
    if (m) {
      d.why.push(
        `${claim} ${describeMatcher(m)} on ${MERGE_REQUEST}, which runs for any source branch`,
      );
    }
  }
  const refType = d.selector.claims.get("ref_type");
  if (refType && !matches(refType, "branch")) {
    d.why.push(`ref_type ${describeMatcher(refType)} on ${MERGE_REQUEST}, whose ref is a branch`);
  }
  planEnvironment(d, "pipeline_source");
  return [[]];
}

function gitlabCondition(
  d: Draft,
  claim: string,
  variable: string,
  m: Matcher,
  usable: (v: string) => boolean = () => true,
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
  const v = pickValue(d, claim, m, usable)!;
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
