import { strict as assert } from "node:assert";
import { ISSUER_PRESETS, issuerModel } from "../../lib/claims/issuers";
import { analyse } from "../../lib/compile";
import { formatPath } from "../../lib/errors";
import type { IssuerConfig } from "../../lib/intent/document";
import { verify } from "../../lib/inspect/verify";
import { grantsIn, oneIdentity } from "../support/documents";

type Json = Record<string, unknown>;

const GITHUB = { kind: "github" };
const GITLAB = { kind: "gitlab" };
const EKS = { kind: "kubernetes", url: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC" };
const TFC = { kind: "terraform-cloud" };

/** `code path: message` of the issues of one selector in an identity with grants in every cloud. */
function issues(issuer: Json, selector: Json): string[] {
  return analyse(oneIdentity(issuer, [selector], grantsIn("aws", "azure", "gcp")))
    .issues.filter((i) => i.code === "unsatisfiable_selector" || i.code === "literal_wildcard")
    .map((i) => `${i.code} ${formatPath(i.path)}: ${i.message}`);
}

const AT = "identities[0].subjects[0]";

/**
 * Values no token of the issuer carries, refused with the value meant (issue 12, item 9). Proves
 * the messages and that the issuers' own sample tokens fit every shape; does NOT prove the
 * shapes cover every mistake, nor that vendors never change what they write.
 */
describe("claim value shapes", () => {
  const cases: [title: string, issuer: Json, selector: Json, expected: string[]][] = [
    [
      "GitHub ref without refs/heads/",
      GITHUB,
      { repository: "acme/api", ref: "main" },
      [
        `unsatisfiable_selector ${AT}.ref: no GitHub Actions token can match ref "main": ref is always a full ref name such as refs/heads/main, refs/tags/v1 or refs/pull/7/merge; did you mean "refs/heads/main"?`,
      ],
    ],
    [
      "GitHub ref pattern without refs/",
      GITHUB,
      { repository: "acme/api", ref: { pattern: "release-*" } },
      [
        `unsatisfiable_selector ${AT}.ref: no GitHub Actions token can match ref {pattern: "release-*"}: ref is always a full ref name such as refs/heads/main, refs/tags/v1 or refs/pull/7/merge; did you mean {pattern: "refs/heads/release-*"}?`,
      ],
    ],
    [
      "GitHub repository with a wildcard written as an exact value",
      GITHUB,
      { repository: "contoso/*", ref: "refs/heads/main" },
      [
        `unsatisfiable_selector ${AT}.repository: no GitHub Actions token can match repository "contoso/*": repository is always owner/name, such as acme/api; did you mean {pattern: "contoso/*"}?`,
      ],
    ],
    [
      "GitHub repository as a URL",
      GITHUB,
      { repository: "https://github.com/contoso/payments.git", environment: "prod" },
      [
        `unsatisfiable_selector ${AT}.repository: no GitHub Actions token can match repository "https://github.com/contoso/payments.git": repository is always owner/name, such as acme/api; did you mean "contoso/payments"?`,
      ],
    ],
    [
      "GitHub repository ID as a name",
      GITHUB,
      { repository: "acme/api", repository_id: "acme-api", environment: "prod" },
      [
        `unsatisfiable_selector ${AT}.repository_id: no GitHub Actions token can match repository_id "acme-api": repository_id is always a number written in digits`,
      ],
    ],
    [
      "GitLab ref with refs/heads/",
      GITLAB,
      { project_path: "acme/api", ref_type: "branch", ref: { oneOf: ["refs/heads/main", "dev"] } },
      [
        `unsatisfiable_selector ${AT}.ref: no GitLab CI token can match ref "refs/heads/main": ref is always a branch or tag name as GitLab writes it: main, not refs/heads/main; did you mean "main"?`,
      ],
    ],
    [
      "a Kubernetes sub without the service account",
      EKS,
      { sub: "system:serviceaccount:payments" },
      [
        `unsatisfiable_selector ${AT}.sub: no Kubernetes token can match sub "system:serviceaccount:payments": sub is always system:serviceaccount:NAMESPACE:NAME, naming the namespace and the service account`,
      ],
    ],
    [
      "a Kubernetes sub without its prefix",
      EKS,
      { sub: "payments:api" },
      [
        `unsatisfiable_selector ${AT}.sub: no Kubernetes token can match sub "payments:api": sub is always system:serviceaccount:NAMESPACE:NAME, naming the namespace and the service account; did you mean "system:serviceaccount:payments:api"?`,
      ],
    ],
    [
      "an HCP Terraform workspace name where the ID goes",
      TFC,
      {
        terraform_organization_name: "acme",
        terraform_workspace_id: "network-prod",
        terraform_run_phase: "apply",
      },
      [
        `unsatisfiable_selector ${AT}.terraform_workspace_id: no HCP Terraform token can match terraform_workspace_id "network-prod": terraform_workspace_id is always an ID such as ws-AbC123, not a name`,
      ],
    ],
    [
      "a free-text claim with a wildcard written as an exact value: a warning",
      GITHUB,
      { repository: "acme/api", environment: "prod-*" },
      [
        `literal_wildcard ${AT}.environment: environment "prod-*" is an exact value, so '*' and '?' in it match only themselves; did you mean {pattern: "prod-*"}?`,
      ],
    ],
    [
      "values and patterns of the right shape",
      GITHUB,
      {
        repository: { oneOf: ["acme/api", "acme/web.site"] },
        repository_id: "123",
        ref: { pattern: "refs/tags/v*" },
        job_workflow_ref: "acme/ci/.github/workflows/deploy.yml@refs/heads/main",
      },
      [],
    ],
    [
      "a sub pattern of the right shape",
      EKS,
      { sub: { pattern: "system:serviceaccount:ci:*" } },
      [],
    ],
    ["a pattern open at the start", GITHUB, { repository: "acme/api", ref: { pattern: "*" } }, []],
  ];
  for (const [title, issuer, selector, expected] of cases) {
    it(title, () => assert.deepStrictEqual(issues(issuer, selector), expected));
  }

  it("fits every issuer's own sample token: no shape refuses what the vendor writes", () => {
    const configs: Record<string, IssuerConfig> = {
      github: { kind: "github", subjectFormat: "legacy" },
      gitlab: { kind: "gitlab" },
      "terraform-cloud": { kind: "terraform-cloud" },
      "pulumi-cloud": { kind: "pulumi-cloud", organization: "acme", token: "deployments" },
      kubernetes: EKS as IssuerConfig,
      circleci: {
        kind: "circleci",
        organizationId: "00000000-0000-4000-8000-000000000000",
        tokenVersion: 2,
      },
      buildkite: { kind: "buildkite" },
      bitbucket: {
        kind: "bitbucket",
        workspace: "acme",
        workspaceUuid: "{00000000-0000-4000-8000-000000000000}",
      },
      oidc: {
        kind: "oidc",
        url: "https://id.example.com",
        claims: [],
        shared: false,
        ownerClaims: [],
      },
    };
    let checked = 0;
    for (const kind of Object.keys(ISSUER_PRESETS)) {
      const model = issuerModel(configs[kind]!);
      for (const [claim, shape] of model.shapes ?? []) {
        const value = model.sample[claim];
        if (value === undefined) continue;
        checked++;
        assert.match(value, shape.test, `${kind} ${claim}`);
      }
    }
    assert.ok(checked >= 10, `only ${checked} sample values have a shape`);
  });
});

describe("issuer URLs with a trailing '/'", () => {
  it("are refused for the presets, whose tokens never carry one, with the URL to write", () => {
    const document = oneIdentity(
      { ...EKS, url: `${EKS.url}/` },
      [{ sub: "system:serviceaccount:ci:deploy" }],
      grantsIn("aws"),
    );
    const found = analyse(document).issues.map(
      (i) => `${i.code} ${formatPath(i.path)}: ${i.message}`,
    );
    assert.deepStrictEqual(found, [
      `invalid_value issuers.ci.url: Kubernetes tokens carry iss without a trailing '/': write "${EKS.url}"; with the '/', the clouds would trust an issuer no token names, and deny every token`,
    ]);
  });

  it("are accepted for a generic issuer, whose iss may really end with '/'", () => {
    const document = oneIdentity(
      { kind: "oidc", url: "https://tenant.auth0.com/" },
      [{ sub: "ci|deploy" }],
      grantsIn("aws"),
    );
    assert.deepStrictEqual(analyse(document).issues, []);
  });
});

describe("a claim implied by the others is decided (GitLab namespace_path from project_path)", () => {
  const pinned = {
    namespace_path: "contoso/infra",
    project_path: "contoso/infra/network",
    ref_type: "branch",
    ref: "main",
  };

  it("compiles for AWS, Azure and GCP, and every cloud decides as the intent means", () => {
    const document = oneIdentity(GITLAB, [pinned], grantsIn("aws", "azure", "gcp"));
    assert.deepStrictEqual(
      analyse(document).issues.filter((i) => i.severity === "error"),
      [],
    );
    const { verification } = verify(document);
    assert.equal(verification?.ok, true, JSON.stringify(verification?.divergences[0]));
  });

  it("stays undecided when project_path is a pattern: acme/infra/* has deeper namespaces too", () => {
    const document = oneIdentity(
      GITLAB,
      [{ ...pinned, project_path: { pattern: "contoso/infra/*" } }],
      grantsIn("azure"),
    );
    assert.deepStrictEqual(
      analyse(document)
        .issues.filter((i) => i.code === "claim_not_expressible")
        .map((i) => formatPath(i.path)),
      ["identities[0].subjects[0].namespace_path"],
    );
  });

  it("is refused when the namespace is not the project's", () => {
    const document = oneIdentity(
      GITLAB,
      [{ ...pinned, namespace_path: "contoso" }],
      grantsIn("azure"),
    );
    assert.deepStrictEqual(
      analyse(document)
        .issues.filter((i) => i.severity === "error")
        .map((i) => `${i.code} ${formatPath(i.path)}`),
      [
        "unsatisfiable_selector identities[0].subjects[0].namespace_path",
        // Azure's own refusal stands beside it: neither claim can then be left to sub
        "claim_not_expressible identities[0].subjects[0].namespace_path",
      ],
    );
  });
});
