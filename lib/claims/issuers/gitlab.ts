import type { GitlabIssuer } from "../../intent/document";
import type { Issue, Path } from "../../errors";
import { error } from "../../errors";
import type { IssuerConfigOf } from "./preset";
import type { IssuerModel } from "../issuer";
import { keyValueParts, vocabulary } from "../issuer";
import type { Fact, SubjectLayouts } from "../layouts";
import type { ValueShape } from "../shapes";
import { DIGITS, pathOfUrl } from "../shapes";
import type { ClaimSpec } from "../template";

/** What GitLab writes into its claims (docs.gitlab.com, "ID token authentication"). */
const GITLAB_SHAPES = new Map<string, ValueShape>([
  [
    "project_path",
    {
      test: /^[^/\s]+(\/[^/\s]+)+$/,
      words: "a project's full path, such as acme/api or acme/infra/network",
      suggest: pathOfUrl,
    },
  ],
  [
    "namespace_path",
    {
      test: /^[^/\s]+(\/[^/\s]+)*$/,
      words: "a group's full path, such as acme or acme/infra",
      suggest: pathOfUrl,
    },
  ],
  [
    "ref",
    {
      test: /^(?!refs\/(heads|tags)\/)\S+$/,
      words: "a branch or tag name as GitLab writes it: main, not refs/heads/main",
      suggest: (v) => /^refs\/(?:heads|tags)\/(.+)$/.exec(v)?.[1],
    },
  ],
  ["ref_type", { test: /^(branch|tag)$/, words: "branch or tag" }],
  ["ref_protected", { test: /^(true|false)$/, words: "true or false" }],
  ["environment_protected", { test: /^(true|false)$/, words: "true or false" }],
  ...["namespace_id", "project_id", "user_id", "pipeline_id", "job_id", "runner_id"].map(
    (claim) => [claim, DIGITS] as const,
  ),
]);

export const GITLAB_URL = "https://gitlab.com";

/** @see https://docs.gitlab.com/ci/secrets/id_token_authentication/ (list-valued claims left out) */
const CLAIMS = [
  "namespace_id",
  "namespace_path",
  "project_id",
  "project_path",
  "user_id",
  "user_login",
  "user_email",
  "user_access_level",
  "pipeline_id",
  "pipeline_source",
  "job_id",
  "ref",
  "ref_type",
  "ref_path",
  "ref_protected",
  "environment",
  "environment_protected",
  "deployment_tier",
  "environment_action",
  "runner_id",
  "runner_environment",
  "sha",
  "ci_config_ref_uri",
  "ci_config_sha",
  "project_visibility",
];

/**
 * The orders GitLab accepts for `ci_id_token_sub_claim_components`: project_path or project_id
 * first, then ref_type and ref.
 */
export const GITLAB_SUBJECT_ORDERS = ["project_path", "project_id"].flatMap((head) => [
  `${head},ref_type,ref`,
  `${head},ref,ref_type`,
  `${head},ref`,
  `${head},ref_type`,
]);

const NO_COLON: ClaimSpec = { excludes: ":" };

/**
 * The STS condition keys of gitlab.com (`gitlab.com:<claim>`).
 *
 * Source: the AWS Service Authorization Reference for AWS STS (sts:AssumeRoleWithWebIdentity
 * condition keys), as generated into udondan/iam-floyd `lib/generated/policy-statements/sts.ts`
 * on 2026-08-11; trust-time only (not in the session).
 */
const AWS_KEYS = [
  "namespace_id",
  "pipeline_source",
  "project_id",
  "ref_protected",
  "runner_environment",
  "user_access_level",
  "user_email",
  "user_id",
  "user_login",
];

/**
 * Every project picks its own `ci_id_token_sub_claim_components`: its sub is `key:value` pairs
 * of project_path or project_id, ref_type and ref, none of which holds ':'.
 *
 * @see https://docs.gitlab.com/ci/secrets/id_token_authentication/
 */
const LAYOUTS: SubjectLayouts = {
  principal: "project",
  setting: "ci_id_token_sub_claim_components",
  claims: ["project_path", "project_id", "namespace_path", "namespace_id"],
  bare: [],
  isKey: (key) => ["project_path", "project_id", "ref_type", "ref"].includes(key),
  facts: (key, fact) =>
    key === "project_path"
      ? [
          ["project_path", fact],
          ["namespace_path", namespaceOf(fact)],
        ]
      : key === "project_id"
        ? [["project_id", fact]]
        : [],
  isValue: (key, value) => key !== "project_path" || /^[^/]+(\/[^/]+)+$/.test(value),
  bareClaims: {},
  stranger: {
    project_path: "mallory/tools",
    namespace_path: "mallory",
    project_id: "6660001",
    namespace_id: "6660002",
  },
  freeKeys: ["ref"],
  closers: ["mallory/tools", "6660001"],
};

/** The namespace of a project path: all before its last '/'. */
function namespaceOf({ value, whole }: Fact): Fact {
  const at = value.lastIndexOf("/");
  return at < 0 ? { value, whole: false } : { value: value.slice(0, at), whole };
}

type GitlabConfig = IssuerConfigOf<"gitlab">;

export function gitlabIssuer(config: GitlabConfig): IssuerModel {
  const url = config.url ?? GITLAB_URL;
  const keys = config.subjectClaims ?? ["project_path", "ref_type", "ref"];
  return {
    kind: "gitlab",
    label: "GitLab CI",
    url,
    shared: url === GITLAB_URL,
    // paths, refs (git forbids ':') and numbers never hold ':'
    claims: vocabulary(
      CLAIMS,
      { ci_config_ref_uri: { excludes: ":", structure: { separator: "@", parts: 2 } } },
      NO_COLON,
    ),
    shapes: GITLAB_SHAPES,
    unselectable: new Map([
      ["groups_direct", "a list (the groups the user belongs to directly)"],
      ["user_identities", "a list (the user's external identities)"],
    ]),
    claimPrefixes: [],
    subject: {
      cases: [{ label: "a GitLab job", when: {}, parts: keyValueParts(keys) }],
      separators: ":",
    },
    layouts: LAYOUTS,
    ownerPins: [
      { claim: "namespace_path" },
      { claim: "namespace_id" },
      { claim: "project_path", prefix: /^[^/]+\// },
      { claim: "project_id" },
      // a project ID is unique across the instance, so it pins the owner too
      { claim: "sub", prefix: /^(project_path:[^:/]+\/|project_id:[^:]+:)/ },
    ],
    mutableNames: [
      { name: "project_path", id: "project_id" },
      { name: "namespace_path", id: "namespace_id" },
    ],
    mutableFix:
      "AWS and Azure match sub only, so also set subjectClaims: [project_id, ref_type, ref] on the issuer (the project's ci_id_token_sub_claim_components) and select project_id instead of project_path",
    refClaims: ["ref", "environment"],
    audiences: {},
    gcpAudienceHttps: true,
    awsClaimKeys: new Set(config.awsClaimKeys ?? (url === GITLAB_URL ? AWS_KEYS : [])),
    awsRequiresSub: true,
    sample: {
      project_path: "acme/api",
      project_id: "4711",
      namespace_path: "acme",
      namespace_id: "88",
      ref: "main",
      ref_type: "branch",
      ref_path: "refs/heads/main",
      ref_protected: "true",
      pipeline_source: "push",
      pipeline_id: "1001",
      job_id: "2002",
      user_login: "dev",
      user_id: "77",
      runner_environment: "gitlab-hosted",
      sha: "5e1f3c9a2b7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f",
      project_visibility: "private",
    },
    restoreInvariants: (c, fixed) => {
      const namespace = c.project_path?.slice(0, c.project_path.lastIndexOf("/"));
      if (namespace === undefined || c.namespace_path === namespace) return true;
      if (fixed.has("namespace_path") && fixed.has("project_path")) return false;
      if (!fixed.has("namespace_path")) c.namespace_path = namespace;
      return true;
    },
    ownerPaths: [{ claim: "namespace_path", path: "project_path", split: "last" }],
    shortSubject: ["project_id", "job_id"],
  };
}

/** GitLab builds sub only in the orders of `GITLAB_SUBJECT_ORDERS`. */
export function gitlabConfigIssues(config: GitlabConfig, _model: IssuerModel, path: Path): Issue[] {
  const order = config.subjectClaims?.join(",");
  if (order === undefined || GITLAB_SUBJECT_ORDERS.includes(order)) return [];
  return [
    error(
      "invalid_value",
      [...path, "subjectClaims"],
      `GitLab accepts only these sub claim orders: ${GITLAB_SUBJECT_ORDERS.map((o) => `[${o}]`).join(", ")}; got [${order}]`,
    ),
  ];
}

/**
 * The `subjectClaims` a deployed sub shows (`project_id:4711:ref_type:branch:ref:main` →
 * project_id, ref_type, ref): GitLab writes `key:value` pairs of the project's
 * `ci_id_token_sub_claim_components`.
 */
export function gitlabSubjectVariants(
  config: GitlabIssuer,
  subjects: readonly string[],
): GitlabIssuer[] {
  const layouts = new Set<string>();
  for (const sub of subjects) {
    const parts = sub.split(":");
    const keys = parts.filter((_, i) => i % 2 === 0);
    if (parts.length % 2 === 0 && keys.every((k) => CLAIMS.includes(k)))
      layouts.add(keys.join(","));
  }
  return [...layouts].map((keys) => ({ ...config, subjectClaims: keys.split(",") }));
}
