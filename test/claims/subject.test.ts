import { strict as assert } from "node:assert";
import fc from "fast-check";
import { globMatch } from "../../lib/claims/glob";
import type { IssuerModel } from "../../lib/claims/issuer";
import { issuerModel } from "../../lib/claims/issuers";
import type { Matcher } from "../../lib/claims/matcher";
import { matches, normalizeMatcher } from "../../lib/claims/matcher";
import type { SubjectProjection } from "../../lib/claims/subject";
import { projectSubject } from "../../lib/claims/subject";
import { Issuer } from "../../lib/intent/schema";
import type { MatcherInput } from "../../lib/claims/matcher";
import type { TokenModel } from "../support/tokens";
import {
  buildkiteModel,
  circleciModel,
  githubModel,
  gitlabModel,
  selectors,
  terraformCloudModel,
} from "../support/tokens";

const ORG = "0f0e0d0c-0b0a-0908-0706-050403020100";
const ISSUERS = {
  github: { kind: "github" },
  githubImmutable: { kind: "github", subjectFormat: "immutable" },
  githubTemplate: { kind: "github", subjectClaims: ["repo", "context", "job_workflow_ref"] },
  gitlab: { kind: "gitlab" },
  terraform: { kind: "terraform-cloud" },
  buildkite: { kind: "buildkite" },
  circleci: { kind: "circleci", organizationId: ORG },
} as const;

function model(config: object): IssuerModel {
  return issuerModel(Issuer.parse(config));
}

function claimsOf(selector: Record<string, unknown>): Map<string, Matcher> {
  return new Map(
    Object.entries(selector)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, m]) => [k, normalizeMatcher(m as MatcherInput)]),
  );
}

function project(config: object, selector: Record<string, unknown>): SubjectProjection {
  const issuer = model(config);
  return projectSubject(claimsOf(selector), issuer);
}

/** Subjects as `=text` (one exact sub) or `~glob`, and the residual claims: easy to read in a table. */
function summary(p: SubjectProjection): { subjects: string[]; residual: string[] } {
  return {
    subjects: p.subjects.map((s) => `${s.literal ? "=" : "~"}${s.text}`).sort(),
    residual: [...p.residual.keys()].sort(),
  };
}

describe("projectSubject", () => {
  const cases: [
    string,
    object,
    Record<string, unknown>,
    { subjects: string[]; residual: string[] },
  ][] = [
    [
      "an environment selector is one exact sub",
      ISSUERS.github,
      { repository: "acme/api", environment: "production" },
      { subjects: ["=repo:acme/api:environment:production"], residual: [] },
    ],
    [
      "environment absent plus a branch is the ref sub exactly",
      ISSUERS.github,
      { repository: "acme/api", ref: "refs/heads/main", environment: { absent: true } },
      { subjects: ["=repo:acme/api:ref:refs/heads/main"], residual: [] },
    ],
    [
      "a branch without environment: {absent: true} also matches environment jobs, which sub cannot tell apart",
      ISSUERS.github,
      { repository: "acme/api", ref: "refs/heads/main" },
      {
        subjects: ["=repo:acme/api:ref:refs/heads/main", "~repo:acme/api:environment:*"],
        residual: ["ref"],
      },
    ],
    [
      "oneOf expands to one sub per value",
      ISSUERS.github,
      { repository: "acme/api", environment: { oneOf: ["qa", "staging"] } },
      {
        subjects: ["=repo:acme/api:environment:qa", "=repo:acme/api:environment:staging"],
        residual: [],
      },
    ],
    [
      "a tag pattern stays a glob on sub, and environment jobs on the tag keep ref residual",
      ISSUERS.github,
      { repository: "acme/api", ref: { pattern: "refs/tags/v*" } },
      {
        subjects: ["~repo:acme/api:environment:*", "~repo:acme/api:ref:refs/tags/v*"],
        residual: ["ref"],
      },
    ],
    [
      "pull requests without an environment have their own sub",
      ISSUERS.github,
      { repository: "acme/api", event_name: "pull_request", environment: { absent: true } },
      { subjects: ["=repo:acme/api:pull_request"], residual: [] },
    ],
    [
      "an environment holding ':' cannot be matched through sub (GitHub writes %3A and leaves % alone)",
      ISSUERS.github,
      { repository: "acme/api", environment: "prod:eu" },
      { subjects: ["~repo:acme/api:environment:*"], residual: ["environment"] },
    ],
    [
      "a leading literal with A or 3 is matched through sub: it starts the value, never inside %3A",
      ISSUERS.github,
      { repository: "acme/api", environment: { pattern: "APAC-3*" } },
      { subjects: ["~repo:acme/api:environment:APAC-3*"], residual: [] },
    ],
    [
      "a literal after * that begins with 3A can start inside a written %3A: left to the claim",
      ISSUERS.github,
      { repository: "acme/api", environment: { pattern: "eu*3Ab" } },
      { subjects: ["~repo:acme/api:environment:*"], residual: ["environment"] },
    ],
    [
      "a literal after * that begins with A can end a written %3A: left to the claim",
      ISSUERS.github,
      { repository: "acme/api", environment: { pattern: "*A" } },
      { subjects: ["~repo:acme/api:environment:*"], residual: ["environment"] },
    ],
    [
      "a literal % in a pattern meets the encoding: left to the claim",
      ISSUERS.github,
      { repository: "acme/api", environment: { pattern: "100%*" } },
      { subjects: ["~repo:acme/api:environment:*"], residual: ["environment"] },
    ],
    [
      "an exact value with % but no %3A is written as it is",
      ISSUERS.github,
      { repository: "acme/api", environment: "100%" },
      { subjects: ["=repo:acme/api:environment:100%"], residual: [] },
    ],
    [
      "an environment pattern free of the encoding stays in sub",
      ISSUERS.github,
      { repository: "acme/api", environment: { pattern: "prod-*" } },
      { subjects: ["~repo:acme/api:environment:prod-*"], residual: [] },
    ],
    [
      "immutable subjects split the repository and carry both IDs",
      ISSUERS.githubImmutable,
      {
        repository: "acme/api",
        repository_owner_id: "7",
        repository_id: "9",
        environment: "production",
      },
      { subjects: ["=repo:acme@7/api@9:environment:production"], residual: [] },
    ],
    [
      "immutable subjects with a repository pattern keep the owner literal; the repository ID after the wildcard is left to the claim",
      ISSUERS.githubImmutable,
      {
        repository: { pattern: "acme/*" },
        repository_owner_id: "7",
        repository_id: "9",
        environment: "production",
      },
      // another repository of acme@7 can fill the * with its own name and a workflow of its own
      { subjects: ["~repo:acme@7/*@9:environment:production"], residual: ["repository_id"] },
    ],
    [
      "immutable subjects pinned by IDs alone: no wildcard may stand before them (issue 9, defect 1)",
      ISSUERS.githubImmutable,
      {
        repository_owner_id: "123456",
        repository_id: "456789",
        ref: "refs/heads/main",
        environment: { absent: true },
      },
      {
        subjects: ["~repo:*@123456/*@456789:ref:refs/heads/main"],
        residual: ["repository_id", "repository_owner_id"],
      },
    ],
    [
      "a GitLab project pinned in the literal head of sub is pinned whatever the layout",
      ISSUERS.gitlab,
      { project_path: "acme/api", ref: "main", ref_type: "branch" },
      { subjects: ["=project_path:acme/api:ref_type:branch:ref:main"], residual: [] },
    ],
    [
      "a custom template carries the reusable workflow in sub",
      ISSUERS.githubTemplate,
      {
        repository: "acme/api",
        environment: "production",
        job_workflow_ref: "acme/wf/.github/workflows/d.yml@refs/heads/main",
      },
      {
        subjects: [
          "=repo:acme/api:environment:production:job_workflow_ref:acme/wf/.github/workflows/d.yml@refs/heads/main",
        ],
        residual: [],
      },
    ],
    [
      "a claim that is not in sub stays residual",
      ISSUERS.github,
      {
        repository: "acme/api",
        environment: "production",
        job_workflow_ref: "acme/wf/.github/workflows/d.yml@refs/heads/main",
      },
      { subjects: ["=repo:acme/api:environment:production"], residual: ["job_workflow_ref"] },
    ],
    [
      "GitLab's default sub carries path, ref type and ref",
      ISSUERS.gitlab,
      { project_path: "acme/api", ref_type: "branch", ref: "main" },
      { subjects: ["=project_path:acme/api:ref_type:branch:ref:main"], residual: [] },
    ],
    [
      "GitLab unpinned ref type becomes a wildcard between separators",
      ISSUERS.gitlab,
      { project_path: "acme/api", ref: { pattern: "release/*" } },
      { subjects: ["~project_path:acme/api:ref_type:*:ref:release/*"], residual: [] },
    ],
    [
      "HCP Terraform: any project of an organization's workspace",
      ISSUERS.terraform,
      {
        terraform_organization_name: "acme",
        terraform_workspace_name: "prod",
        terraform_run_phase: "apply",
      },
      { subjects: ["~organization:acme:project:*:workspace:prod:run_phase:apply"], residual: [] },
    ],
    [
      "Buildkite: a step key may hold ':', so sub stops at the first wildcard before it",
      ISSUERS.buildkite,
      {
        organization_slug: "acme",
        pipeline_slug: "deploy",
        build_branch: "main",
        build_tag: { absent: true },
      },
      {
        subjects: ["~organization:acme:pipeline:deploy:ref:refs/heads/main:commit:*"],
        residual: [],
      },
    ],
    [
      "CircleCI: a branch name can echo the layout of sub, so sub stops at the first wildcard",
      ISSUERS.circleci,
      {
        "oidc.circleci.com/project-id": "p1",
        "oidc.circleci.com/vcs-origin": "github.com/acme/api",
        "oidc.circleci.com/vcs-ref": "refs/heads/main",
      },
      {
        subjects: [`~org/${ORG}/project/p1/user/*`],
        residual: ["oidc.circleci.com/vcs-origin", "oidc.circleci.com/vcs-ref"],
      },
    ],
    [
      "a written sub is matched as written, and other claims are checked on their own",
      ISSUERS.github,
      { sub: "repo:acme/api:environment:production", repository: "acme/api" },
      { subjects: ["=repo:acme/api:environment:production"], residual: ["repository"] },
    ],
  ];
  for (const [title, issuer, selector, expected] of cases) {
    it(title, () => assert.deepStrictEqual(summary(project(issuer, selector)), expected));
  }

  it("reports a selector no token can match", () => {
    const p = project(ISSUERS.github, {
      repository: "acme/api",
      ref: "refs/heads/main",
      event_name: "pull_request",
      environment: { absent: true },
    });
    assert.equal(p.satisfiable, false);
  });

  it("lists every combination of oneOf values up to the cap, then checks the widest claim outside sub", () => {
    const envs = Array.from({ length: 300 }, (_, i) => `env-${i}`);
    const p = project(ISSUERS.gitlab, {
      project_path: { oneOf: ["acme/a", "acme/b"] },
      ref: { oneOf: envs },
    });
    assert.deepStrictEqual(summary(p).residual, ["ref"]);
    assert.deepStrictEqual(summary(p).subjects, [
      "~project_path:acme/a:ref_type:*:ref:*",
      "~project_path:acme/b:ref_type:*:ref:*",
    ]);
  });
});

/**
 * The central property: against an independent model of how each issuer builds sub, for any
 * selector and token, (1) the projection is sound: a token the selector accepts has its sub in
 * the projected set; (2) it is exact once the residual claims are checked: a token whose sub is
 * in the set and whose residual claims match is accepted. An unsatisfiable verdict means no token
 * is accepted. Does not prove the vendors build sub as the models say (that is domain-facts).
 */
describe("projectSubject against independent token models", () => {
  const models: [string, object, TokenModel][] = [
    ["GitHub (legacy)", ISSUERS.github, githubModel()],
    ["GitHub (immutable)", ISSUERS.githubImmutable, githubModel(true)],
    [
      "GitHub (custom template with job_workflow_ref)",
      ISSUERS.githubTemplate,
      githubModel(false, ["repo", "context", "job_workflow_ref"]),
    ],
    ["GitLab", ISSUERS.gitlab, gitlabModel()],
    ["HCP Terraform", ISSUERS.terraform, terraformCloudModel()],
    ["Buildkite", ISSUERS.buildkite, buildkiteModel()],
    ["CircleCI", ISSUERS.circleci, circleciModel(ORG)],
  ];
  for (const [name, config, tokenModel] of models) {
    it(`is sound and exact for ${name}`, () => {
      const issuer = model(config);
      fc.assert(
        fc.property(
          selectors(tokenModel),
          fc.array(tokenModel.tokens, { minLength: 30, maxLength: 30 }),
          (selector, tokens) => {
            const claims = claimsOf(selector);
            const p = projectSubject(claims, issuer);
            for (const t of tokens) {
              const accepted = [...claims].every(([k, m]) => matches(m, t[k]));
              const bySub = p.subjects.some((g) =>
                g.literal ? g.text === t.sub : globMatch(g.text, t.sub!),
              );
              const residualOk = [...p.residual.keys()].every((k) => matches(claims.get(k)!, t[k]));
              if (!p.satisfiable)
                assert.equal(accepted, false, `unsatisfiable, yet accepts ${t.sub}`);
              if (accepted)
                assert.ok(
                  bySub,
                  `unsound: ${t.sub} is accepted but not in ${JSON.stringify(p.subjects)}`,
                );
              if (bySub && residualOk)
                assert.ok(accepted, `wider than the selector: ${JSON.stringify(t)}`);
            }
          },
        ),
        { numRuns: 400 },
      );
    });
  }
});
