import type { Matcher } from "../../claims/matcher";
import type { Issue } from "../../errors";
import type { IdentityHandoff } from "../model";
import type { Draft, Placement, RefKind, ShapeBase } from "./shape";
import {
  cannotChoose,
  firstRealizable,
  lineSafe,
  namedValue,
  pickValue,
  placeOn,
  refKinds,
  refuse,
} from "./shape";

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

/**
 * The job a GitLab pipeline must run so its token meets the identity: the first selector a job
 * can meet, as `rules`, `environment` and the project it is included from. A value GitLab would
 * interpret (a '"' in a compared string, '$' in an environment name) is an issue, never output.
 */
export function gitlabJobShape(h: IdentityHandoff): { shape?: GitlabJobShape; issues: Issue[] } {
  return firstRealizable(h, "GitLab CI", realizeGitlab);
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
