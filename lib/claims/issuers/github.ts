import type { Issue, Path } from "../../errors";
import { error, quote } from "../../errors";
import { GITHUB_SHAPES } from "./github-shapes";
import type { IssuerConfigOf } from "./preset";
import type { IssuerModel, MutableClaims } from "../issuer";
import { knowsClaim, vocabulary } from "../issuer";
import type { Fact, SubjectLayouts } from "../layouts";
import type { ClaimSpec, SubjectCase, SubjectPart, SubjectTemplate } from "../template";

/** github.com's issuer, shared by every GitHub customer. */
export const GITHUB_URL = "https://token.actions.githubusercontent.com";

/** @see https://docs.github.com/en/actions/reference/security/oidc */
const CLAIMS = [
  "actor",
  "actor_id",
  "base_ref",
  "check_run_id",
  "enterprise",
  "enterprise_id",
  "environment",
  "event_name",
  "head_ref",
  "job_workflow_ref",
  "job_workflow_sha",
  "ref",
  "ref_type",
  "repository",
  "repository_id",
  "repository_owner",
  "repository_owner_id",
  "repository_visibility",
  "run_attempt",
  "run_id",
  "run_number",
  "runner_environment",
  "sha",
  "workflow",
  "workflow_ref",
  "workflow_sha",
];

/** Numbers, hashes and logins: no separator of any GitHub sub layout. */
const PLAIN: ClaimSpec = { excludes: ":@/" };
/** GitHub writes ':' inside these values as '%3A' in sub (and leaves '%' alone). */
const FREE_TEXT: ClaimSpec = { excludes: ":", colonEncoded: true };
/** `owner/repo/path@ref`: the ref after '@' is the caller's choice. */
const WORKFLOW_REF: ClaimSpec = { ...FREE_TEXT, structure: { separator: "@", parts: 2 } };

const SPECS: Record<string, ClaimSpec> = {
  repository: { excludes: ":@" }, // owner/name: holds exactly one '/'
  ref: { excludes: ":" }, // git forbids ':' in ref names
  base_ref: { excludes: ":" },
  head_ref: { excludes: ":" },
  environment: FREE_TEXT,
  workflow: FREE_TEXT,
  job_workflow_ref: WORKFLOW_REF,
  workflow_ref: WORKFLOW_REF,
  ...Object.fromEntries(
    [
      "actor",
      "actor_id",
      "enterprise",
      "enterprise_id",
      "repository_id",
      "repository_owner",
      "repository_owner_id",
      "run_attempt",
      "run_id",
      "run_number",
      "sha",
      "job_workflow_sha",
      "workflow_sha",
      "check_run_id",
      "event_name",
      "ref_type",
      "repository_visibility",
      "runner_environment",
    ].map((c) => [c, PLAIN]),
  ),
};

/**
 * The STS condition keys AWS added in January 2026 for github.com
 * (`token.actions.githubusercontent.com:<claim>`) and the GitHub Enterprise issuers. Not keys:
 * event_name, ref_type, runner_environment, workflow_ref, repository_owner.
 *
 * Source: the AWS Service Authorization Reference for AWS STS (sts:AssumeRoleWithWebIdentity
 * condition keys), as generated into udondan/iam-floyd `lib/generated/policy-statements/sts.ts`
 * on 2026-08-11; trust-time only (not in the session).
 */
const AWS_KEYS = [
  "actor",
  "actor_id",
  "enterprise_id",
  "environment",
  "job_workflow_ref",
  "ref",
  "repository",
  "repository_id",
  "repository_owner_id",
  "workflow",
];

/** Events whose pull request `ref` is always `refs/pull/<n>/merge`. */
const PULL_REF_EVENTS = new Set([
  "pull_request",
  "pull_request_review",
  "pull_request_review_comment",
]);

type GithubConfig = IssuerConfigOf<"github">;

/**
 * Issuers whose claims AWS exposes as condition keys: github.com and the GitHub Enterprise
 * prefixes `token.actions.githubusercontent.com/<slug>`, `token.actions.<domain>.ghe.com` and
 * `github.com/enterprises/<name>` (same source as AWS_KEYS); not GitHub Enterprise Server.
 */
function hasAwsKeys(url: string): boolean {
  return (
    url === GITHUB_URL ||
    /^https:\/\/token\.actions\.githubusercontent\.com\/[^/:]+$/.test(url) ||
    /^https:\/\/token\.actions\.[a-z0-9-]+\.ghe\.com$/.test(url) ||
    /^https:\/\/github\.com\/enterprises\/[^/:]+$/.test(url)
  );
}

export function githubIssuer(config: GithubConfig): IssuerModel {
  const url =
    config.url ?? (config.enterpriseSlug ? `${GITHUB_URL}/${config.enterpriseSlug}` : GITHUB_URL);
  return {
    kind: "github",
    label: "GitHub Actions",
    url,
    shared: url === GITHUB_URL,
    claims: vocabulary(CLAIMS, SPECS),
    shapes: GITHUB_SHAPES,
    claimPrefixes: ["repo_property_"],
    subject: githubSubject(config),
    layouts: LAYOUTS,
    virtualClaims: new Map([["repository_name", PLAIN]]),
    ownerPins: [
      { claim: "repository_owner" },
      { claim: "repository_owner_id" },
      { claim: "repository", prefix: /^[^/]+\// },
      { claim: "repository_id" },
      { claim: "enterprise" },
      { claim: "enterprise_id" },
      { claim: "workflow_ref", prefix: /^[^/]+\// },
      {
        claim: "sub",
        prefix: /^(repo:[^:/@]+[/@]|repository_owner(_id)?:[^:]+:|repository_id:[^:]+:)/,
      },
    ],
    mutableNames: [
      { name: "repository", id: "repository_id" },
      { name: "repository_owner", id: "repository_owner_id" },
    ],
    mutableFix:
      "AWS and GCP check the IDs directly; Azure matches sub only, so opt the repository into immutable subjects and set subjectFormat: immutable on the issuer",
    ...(config.subjectFormat === "immutable"
      ? {
          requiredPins: {
            claims: ["repository_owner_id", "repository_id"],
            reason:
              "the issuer uses immutable subjects (repo:OWNER@OWNER_ID/REPO@REPO_ID:...), which hold the IDs",
          },
        }
      : {}),
    refClaims: ["ref", "environment"],
    audiences: {},
    gcpAudienceHttps: true,
    awsClaimKeys: new Set(config.awsClaimKeys ?? (hasAwsKeys(url) ? AWS_KEYS : [])),
    awsRequiresSub: true,
    sample: {
      repository: "acme/api",
      repository_owner: "acme",
      repository_id: "100200300",
      repository_owner_id: "4000001",
      repository_visibility: "private",
      ref: "refs/heads/main",
      ref_type: "branch",
      event_name: "push",
      actor: "octocat",
      actor_id: "583231",
      workflow: "deploy",
      workflow_ref: "acme/api/.github/workflows/deploy.yml@refs/heads/main",
      job_workflow_ref: "acme/api/.github/workflows/deploy.yml@refs/heads/main",
      runner_environment: "github-hosted",
      run_id: "9000001",
      run_number: "12",
      run_attempt: "1",
      sha: "5e1f3c9a2b7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f",
    },
    restoreInvariants: restoreGithubInvariants,
    ownerPaths: [{ claim: "repository_owner", path: "repository", split: "first" }],
    shortSubject: ["repository_id", "run_id", "run_attempt"],
  };
}

/**
 * GitHub's sub: the repository, then the context: `environment:<name>` when the job uses an
 * environment, `pull_request` for pull request events, `ref:<ref>` otherwise. A custom
 * template (`include_claim_keys`) lists `key:value` pairs, where `repo` and `context` stand for
 * those two parts.
 */
function githubSubject(config: GithubConfig): SubjectTemplate {
  const immutable = config.subjectFormat === "immutable";
  const keys = config.subjectClaims ?? ["repo", "context"];
  const prEvents = config.pullRequestEvents ?? ["pull_request"];
  // `repository` is owner/name: written as two values, so an owner alone is matched in sub too
  const repo: SubjectPart[] = immutable
    ? [
        "repo:",
        { claim: "repository_owner" },
        "@",
        { claim: "repository_owner_id" },
        "/",
        { claim: "repository_name" },
        "@",
        { claim: "repository_id" },
      ]
    : ["repo:", { claim: "repository_owner" }, "/", { claim: "repository_name" }];
  const contexts: SubjectCase[] = [
    {
      label: "a job with an environment",
      ruleOut:
        "add environment: {absent: true} to leave out jobs with an environment, or pin environment",
      when: { environment: { kind: "present" } },
      parts: ["environment:", { claim: "environment" }],
    },
    {
      label: "a pull request job without an environment",
      ruleOut:
        "pin ref to branches or tags, or add event_name: {oneOf: [...]} without pull request events",
      when: {
        environment: { kind: "absent" },
        event_name: { kind: "in", values: prEvents },
        ...(prEvents.every((e) => PULL_REF_EVENTS.has(e))
          ? { ref: { kind: "pattern", pattern: "refs/pull/*" } }
          : {}),
      },
      parts: ["pull_request"],
    },
    {
      label: "a job without an environment outside pull requests",
      ruleOut: "pin environment",
      when: { environment: { kind: "absent" }, event_name: { kind: "notIn", values: prEvents } },
      parts: ["ref:", { claim: "ref" }],
    },
  ];
  const segment = (key: string, context: SubjectCase): readonly SubjectPart[] =>
    key === "repo" ? repo : key === "context" ? context.parts : [`${key}:`, { claim: key }];
  const present = Object.fromEntries(
    keys
      .filter((k) => k !== "repo" && k !== "context")
      .map((k) => [k, { kind: "present" as const }]),
  );
  const cases = (
    keys.includes("context") ? contexts : [{ label: "a job", when: {}, parts: [] }]
  ).map((ctx) => ({
    ...ctx,
    when: { ...present, ...ctx.when },
    parts: keys.flatMap((k, i) => [...(i ? [":"] : []), ...segment(k, ctx)]),
  }));
  return {
    cases,
    separators: immutable ? ":@/" : ":/",
    split: { claim: "repository", at: "/", into: ["repository_owner", "repository_name"] },
  };
}

/** The claims that name a repository, which GitHub writes as they are in any layout. */
const PRINCIPAL = [
  "repository",
  "repository_id",
  "repository_owner",
  "repository_owner_id",
  "enterprise",
  "enterprise_id",
];

/**
 * Every repository picks its own `include_claim_keys` (`PUT /repos/{owner}/{repo}/actions/oidc/
 * customization/sub`), and so does every organization for repositories that opt in: its sub is
 * `key:value` pairs of those claims, `repo` written `repo:OWNER/REPO` (immutable:
 * `repo:OWNER@ID/REPO@ID`), `context` as `environment:E`, `pull_request` or `ref:R`; ':' inside a
 * value is written '%3A'.
 *
 * @see https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository
 */
const LAYOUTS: SubjectLayouts = {
  principal: "repository",
  setting: "include_claim_keys",
  claims: PRINCIPAL,
  bare: ["pull_request"],
  isKey: (key) =>
    key === "repo" ||
    CLAIMS.includes(key) ||
    (key.startsWith("repo_property_") && key.length > "repo_property_".length),
  facts: (key, fact) =>
    key === "repo" ? repoFacts(fact) : PRINCIPAL.includes(key) ? [[key, fact]] : [],
  isValue: (key, value) =>
    key !== "repo" || /^[^/@%]+\/[^/@%]+$|^[^/@%]+@\d+\/[^/@%]+@\d+$/.test(value),
  bareClaims: {
    pull_request: { event_name: "pull_request", environment: undefined, ref: "refs/pull/1/merge" },
  },
  stranger: {
    repository: "mallory/tools",
    repository_owner: "mallory",
    repository_owner_id: "6660001",
    repository_id: "6660002",
    enterprise: "mallory-enterprise",
    enterprise_id: "6660003",
  },
  freeKeys: ["workflow", "environment"],
  closers: ["mallory/tools", "mallory@6660001/tools@6660002", "6660001"],
};

/** What the `repo` part shows: owner and name, and their IDs in the immutable form. */
function repoFacts({ value, whole }: Fact): [string, Fact][] {
  const slash = value.indexOf("/");
  const head = slash < 0 ? value : value.slice(0, slash);
  const at = head.indexOf("@");
  const owner = at < 0 ? head : head.slice(0, at);
  const out: [string, Fact][] = [
    ["repository_owner", { value: owner, whole: at >= 0 || slash >= 0 }],
  ];
  if (at >= 0) out.push(["repository_owner_id", { value: head.slice(at + 1), whole: slash >= 0 }]);
  if (slash < 0) {
    out.push(["repository", { value: at < 0 ? owner : `${owner}/`, whole: false }]);
    return out;
  }
  const tail = value.slice(slash + 1);
  if (at < 0) return [...out, ["repository", { value, whole }]];
  const tailAt = tail.indexOf("@");
  const name = tailAt < 0 ? tail : tail.slice(0, tailAt);
  out.push(["repository", { value: `${owner}/${name}`, whole: tailAt >= 0 }]);
  if (tailAt >= 0) out.push(["repository_id", { value: tail.slice(tailAt + 1), whole }]);
  return out;
}

/** Events whose jobs run on `refs/pull/<n>/merge`. */
const PULL_EVENTS = ["pull_request", "pull_request_review", "pull_request_review_comment"];

/** GitHub's own invariants between claims, for sample tokens. */
function restoreGithubInvariants(c: MutableClaims, fixed: ReadonlySet<string>): boolean {
  const owner = c.repository?.split("/")[0];
  if (owner !== undefined && c.repository_owner !== owner) {
    if (fixed.has("repository_owner") && fixed.has("repository")) return false;
    if (fixed.has("repository_owner"))
      c.repository = `${c.repository_owner}/${c.repository!.split("/")[1]}`;
    else c.repository_owner = owner;
  }
  const pull = c.ref?.startsWith("refs/pull/") ?? false;
  if (PULL_EVENTS.includes(c.event_name ?? "") !== pull) {
    if (!fixed.has("ref")) c.ref = pull ? "refs/heads/main" : "refs/pull/1/merge";
    else if (!fixed.has("event_name")) c.event_name = pull ? "pull_request" : "push";
    else return false;
  }
  const type = c.ref?.startsWith("refs/tags/") ? "tag" : "branch";
  if (c.ref_type !== undefined && c.ref_type !== type) {
    if (fixed.has("ref_type")) return false;
    c.ref_type = type;
  }
  return true;
}

/** `include_claim_keys` (`subjectClaims`) entries are `repo`, `context` or claims GitHub sends. */
export function githubConfigIssues(config: GithubConfig, model: IssuerModel, path: Path): Issue[] {
  return (config.subjectClaims ?? []).flatMap((key, i) =>
    key === "repo" || key === "context" || knowsClaim(model, key)
      ? []
      : [
          error(
            "unknown_claim",
            [...path, "subjectClaims", i],
            `include_claim_keys entries are repo, context or a GitHub claim; got ${quote(key)}`,
          ),
        ],
  );
}
