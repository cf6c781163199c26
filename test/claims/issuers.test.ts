import { strict as assert } from "node:assert";
import type { AwsArtefacts } from "../../lib/backends/aws/grant";
import type { AzureArtefacts } from "../../lib/backends/azure/grant";
import type { GcpArtefacts } from "../../lib/backends/gcp/grant";
import { ISSUER_PRESETS } from "../../lib/claims/issuers";
import { analyse } from "../../lib/compile";
import { formatPath } from "../../lib/errors";
import { ALL_GRANTS, grantsIn, oneIdentity } from "../support/documents";

/**
 * One scenario per issuer kind, with what every cloud does with it side by side: the AWS
 * provider and trust-policy conditions, the Azure credentials, the GCP audience and attribute
 * condition, or the errors that refuse the cloud. Each cloud is compiled on its own, so one
 * cloud's refusal does not hide another's output.
 *
 * The expectations are derived from each issuer's documented `sub` layout (see the comments in
 * lib/claims/issuers/*.ts). What this does NOT prove: that the vendors really issue these
 * claims and subjects, that the clouds accept the artefacts, or that they evaluate them as we
 * read them (test/backends/{aws,gcp}.test.ts run evaluators on token models for that).
 */

type Refusal = [code: string, path: string][];

interface Sides {
  aws: { provider: string; conditions: object[] } | Refusal;
  azure: { issuer: string; audience: string; subjects: string[] } | Refusal;
  gcp: { audience: string; condition: string } | Refusal;
}

const ACCOUNT = "arn:aws:iam::111111111111:oidc-provider";
const POOL = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools";
/** The default GCP audience of the identity `deploy`: its provider's full name. */
const GCP_PROVIDER = `https:${POOL}/trustplane/providers/deploy`;
const AZURE = "api://AzureADTokenExchange";
const STS = "sts.amazonaws.com";

function errors(document: unknown): Refusal {
  return analyse(document)
    .issues.filter((i) => i.severity === "error")
    .map((i) => [i.code, formatPath(i.path)]);
}

/** The issuer kinds the scenarios below compiled; the last of them requires every preset. */
const scenarioKinds = new Set<string>();

function sides(issuer: object, subjects: object[]): Sides {
  scenarioKinds.add((issuer as { kind: string }).kind);
  const compile = (cloud: "aws" | "azure" | "gcp") => {
    const document = oneIdentity(issuer as never, subjects as never, grantsIn(cloud));
    const { plan } = analyse(document);
    return plan ? plan.identities[0]!.grants[0]! : errors(document);
  };
  const aws = compile("aws");
  const azure = compile("azure");
  const gcp = compile("gcp");
  return {
    aws: Array.isArray(aws)
      ? aws
      : (() => {
          const a = aws.artefacts as AwsArtefacts;
          for (const s of a.trustPolicy.Statement)
            assert.equal(s.Principal.Federated, a.providerArn);
          return {
            provider: a.providerArn,
            conditions: a.trustPolicy.Statement.map((s) => s.Condition),
          };
        })(),
    azure: Array.isArray(azure)
      ? azure
      : (() => {
          const { credentials } = azure.artefacts as AzureArtefacts;
          assert.ok(credentials.length > 0);
          const [{ issuer: iss, audience }] = credentials as [(typeof credentials)[0]];
          for (const c of credentials)
            assert.deepStrictEqual([c.issuer, c.audience], [iss, audience]);
          return { issuer: iss, audience, subjects: credentials.map((c) => c.subject) };
        })(),
    gcp: Array.isArray(gcp)
      ? gcp
      : (() => {
          const g = gcp.artefacts as GcpArtefacts;
          assert.deepStrictEqual(g.allowedAudiences, [gcp.audience]);
          return { audience: gcp.audience, condition: g.attributeCondition };
        })(),
  };
}

const GITHUB = "token.actions.githubusercontent.com";
const CIRCLE_ORG = "0f0e0d0c-0b0a-0908-0706-050403020100";
const CIRCLE_PROJECT = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d";
const BB_WORKSPACE = "{11111111-2222-4333-8444-555555555555}";
const BB_REPO = "{aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}";
const EKS = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

describe("issuer presets side by side", () => {
  it("github.com, legacy subjects: an environment", () => {
    assert.deepStrictEqual(
      sides({ kind: "github" }, [{ repository: "acme/api", environment: "production" }]),
      {
        aws: {
          provider: `${ACCOUNT}/${GITHUB}`,
          conditions: [
            {
              StringEquals: {
                [`${GITHUB}:aud`]: STS,
                [`${GITHUB}:sub`]: "repo:acme/api:environment:production",
              },
            },
          ],
        },
        azure: {
          issuer: `https://${GITHUB}`,
          audience: AZURE,
          subjects: ["repo:acme/api:environment:production"],
        },
        gcp: {
          audience: GCP_PROVIDER,
          condition:
            "has(assertion.environment) && assertion.environment == 'production' && has(assertion.repository) && assertion.repository == 'acme/api'",
        },
      },
    );
  });

  it("github.com, legacy subjects: a branch, with the repository ID", () => {
    // legacy sub holds names only: AWS checks the ID with its GitHub claim key, Azure cannot
    assert.deepStrictEqual(
      sides({ kind: "github" }, [
        {
          repository: "acme/api",
          repository_id: "900",
          ref: "refs/heads/main",
          environment: { absent: true },
        },
      ]),
      {
        aws: {
          provider: `${ACCOUNT}/${GITHUB}`,
          conditions: [
            {
              StringEquals: {
                [`${GITHUB}:aud`]: STS,
                [`${GITHUB}:repository_id`]: "900",
                [`${GITHUB}:sub`]: "repo:acme/api:ref:refs/heads/main",
              },
            },
          ],
        },
        azure: [["claim_not_expressible", "identities[0].subjects[0].repository_id"]],
        gcp: {
          audience: GCP_PROVIDER,
          condition:
            "!has(assertion.environment) && has(assertion.ref) && assertion.ref == 'refs/heads/main' && has(assertion.repository) && assertion.repository == 'acme/api' && has(assertion.repository_id) && assertion.repository_id == '900'",
        },
      },
    );
  });

  it("github.com, immutable subjects: the IDs are in sub", () => {
    assert.deepStrictEqual(
      sides({ kind: "github", subjectFormat: "immutable" }, [
        {
          repository: "acme/api",
          repository_owner_id: "100",
          repository_id: "900",
          environment: { oneOf: ["production", "staging"] },
        },
      ]),
      {
        aws: {
          provider: `${ACCOUNT}/${GITHUB}`,
          conditions: [
            {
              StringEquals: {
                [`${GITHUB}:aud`]: STS,
                [`${GITHUB}:sub`]: [
                  "repo:acme@100/api@900:environment:production",
                  "repo:acme@100/api@900:environment:staging",
                ],
              },
            },
          ],
        },
        azure: {
          issuer: `https://${GITHUB}`,
          audience: AZURE,
          subjects: [
            "repo:acme@100/api@900:environment:production",
            "repo:acme@100/api@900:environment:staging",
          ],
        },
        gcp: {
          audience: GCP_PROVIDER,
          condition:
            "has(assertion.environment) && assertion.environment in ['production', 'staging'] && has(assertion.repository) && assertion.repository == 'acme/api' && has(assertion.repository_id) && assertion.repository_id == '900' && has(assertion.repository_owner_id) && assertion.repository_owner_id == '100'",
        },
      },
    );
  });

  it("GitHub Enterprise Cloud: the enterprise's own issuer path, no GitHub claim keys", () => {
    const host = `${GITHUB}/acme-corp`;
    assert.deepStrictEqual(
      sides({ kind: "github", enterpriseSlug: "acme-corp" }, [
        { repository: "acme/api", ref: { pattern: "refs/tags/v*" }, environment: { absent: true } },
      ]),
      {
        aws: {
          provider: `${ACCOUNT}/${host}`,
          conditions: [
            {
              StringEquals: { [`${host}:aud`]: STS },
              StringLike: { [`${host}:sub`]: "repo:acme/api:ref:refs/tags/v*" },
            },
          ],
        },
        azure: [["pattern_not_expressible", "identities[0].subjects[0]"]],
        gcp: {
          audience: GCP_PROVIDER,
          condition:
            "!has(assertion.environment) && has(assertion.ref) && assertion.ref.startsWith('refs/tags/v') && has(assertion.repository) && assertion.repository == 'acme/api'",
        },
      },
    );
  });

  it("GitHub Enterprise Server: a custom URL, sub only on AWS", () => {
    const host = "github.example.com/_services/token";
    assert.deepStrictEqual(
      sides({ kind: "github", url: `https://${host}` }, [
        { repository: "acme/api", environment: "production" },
        { repository: "acme/api", repository_id: "900", environment: "staging" },
      ]),
      {
        // the second selector's repository_id has no STS key on GHES
        aws: [["claim_not_expressible", "identities[0].subjects[1].repository_id"]],
        azure: [["claim_not_expressible", "identities[0].subjects[1].repository_id"]],
        gcp: {
          audience: GCP_PROVIDER,
          condition:
            "(has(assertion.environment) && assertion.environment == 'production' && has(assertion.repository) && assertion.repository == 'acme/api') || (has(assertion.environment) && assertion.environment == 'staging' && has(assertion.repository) && assertion.repository == 'acme/api' && has(assertion.repository_id) && assertion.repository_id == '900')",
        },
      },
    );
    assert.deepStrictEqual(
      sides({ kind: "github", url: `https://${host}` }, [
        { repository: "acme/api", environment: "production" },
      ]),
      {
        aws: {
          provider: `${ACCOUNT}/${host}`,
          conditions: [
            {
              StringEquals: {
                [`${host}:aud`]: STS,
                [`${host}:sub`]: "repo:acme/api:environment:production",
              },
            },
          ],
        },
        azure: {
          issuer: `https://${host}`,
          audience: AZURE,
          subjects: ["repo:acme/api:environment:production"],
        },
        gcp: {
          audience: GCP_PROVIDER,
          condition:
            "has(assertion.environment) && assertion.environment == 'production' && has(assertion.repository) && assertion.repository == 'acme/api'",
        },
      },
    );
  });

  it("gitlab.com, default subject: protected tags by pattern", () => {
    assert.deepStrictEqual(
      sides({ kind: "gitlab" }, [
        { project_path: "acme/platform/api", ref_type: "tag", ref: { pattern: "v*" } },
      ]),
      {
        aws: {
          provider: `${ACCOUNT}/gitlab.com`,
          conditions: [
            {
              StringEquals: { "gitlab.com:aud": STS },
              StringLike: {
                "gitlab.com:sub": "project_path:acme/platform/api:ref_type:tag:ref:v*",
              },
            },
          ],
        },
        azure: [["pattern_not_expressible", "identities[0].subjects[0]"]],
        gcp: {
          audience: GCP_PROVIDER,
          condition:
            "has(assertion.project_path) && assertion.project_path == 'acme/platform/api' && has(assertion.ref) && assertion.ref.startsWith('v') && has(assertion.ref_type) && assertion.ref_type == 'tag'",
        },
      },
    );
  });

  it("gitlab.com, subjectClaims [project_id, ref_type, ref]: a branch by project ID", () => {
    assert.deepStrictEqual(
      sides({ kind: "gitlab", subjectClaims: ["project_id", "ref_type", "ref"] }, [
        { project_id: "4242", ref_type: "branch", ref: "main" },
      ]),
      {
        aws: {
          provider: `${ACCOUNT}/gitlab.com`,
          conditions: [
            {
              StringEquals: {
                "gitlab.com:aud": STS,
                "gitlab.com:sub": "project_id:4242:ref_type:branch:ref:main",
              },
            },
          ],
        },
        azure: {
          issuer: "https://gitlab.com",
          audience: AZURE,
          subjects: ["project_id:4242:ref_type:branch:ref:main"],
        },
        gcp: {
          audience: GCP_PROVIDER,
          condition:
            "has(assertion.project_id) && assertion.project_id == '4242' && has(assertion.ref) && assertion.ref == 'main' && has(assertion.ref_type) && assertion.ref_type == 'branch'",
        },
      },
    );
  });

  it("HCP Terraform: one workspace's apply runs", () => {
    const sub = "organization:acme:project:platform:workspace:prod:run_phase:apply";
    assert.deepStrictEqual(
      sides({ kind: "terraform-cloud" }, [
        {
          terraform_organization_name: "acme",
          terraform_project_name: "platform",
          terraform_workspace_name: "prod",
          terraform_run_phase: "apply",
        },
      ]),
      {
        aws: {
          provider: `${ACCOUNT}/app.terraform.io`,
          conditions: [
            {
              StringEquals: {
                "app.terraform.io:aud": "aws.workload.identity",
                "app.terraform.io:sub": sub,
              },
            },
          ],
        },
        azure: { issuer: "https://app.terraform.io", audience: AZURE, subjects: [sub] },
        gcp: {
          // HCP Terraform sends the provider name without the https: scheme
          audience: POOL + "/trustplane/providers/deploy",
          condition:
            "has(assertion.terraform_organization_name) && assertion.terraform_organization_name == 'acme' && has(assertion.terraform_project_name) && assertion.terraform_project_name == 'platform' && has(assertion.terraform_run_phase) && assertion.terraform_run_phase == 'apply' && has(assertion.terraform_workspace_name) && assertion.terraform_workspace_name == 'prod'",
        },
      },
    );
  });

  it("HCP Terraform: every run phase of a workspace", () => {
    const sub = "organization:acme:project:platform:workspace:prod:run_phase:*";
    const result = sides({ kind: "terraform-cloud" }, [
      {
        terraform_organization_name: "acme",
        terraform_project_name: "platform",
        terraform_workspace_name: "prod",
      },
    ]);
    assert.deepStrictEqual(
      { aws: result.aws, azure: result.azure },
      {
        aws: {
          provider: `${ACCOUNT}/app.terraform.io`,
          conditions: [
            {
              StringEquals: { "app.terraform.io:aud": "aws.workload.identity" },
              StringLike: { "app.terraform.io:sub": sub },
            },
          ],
        },
        azure: [["pattern_not_expressible", "identities[0].subjects[0]"]],
      },
    );
  });

  it("Pulumi Deployments: the organization is the audience everywhere", () => {
    const sub = "pulumi:deploy:org:acme:project:infra:stack:prod:operation:update:scope:write";
    assert.deepStrictEqual(
      sides({ kind: "pulumi-cloud", organization: "acme" }, [
        { org: "acme", project: "infra", stack: "prod", operation: "update", scope: "write" },
      ]),
      {
        aws: {
          provider: `${ACCOUNT}/api.pulumi.com/oidc`,
          conditions: [
            {
              StringEquals: { "api.pulumi.com/oidc:aud": "acme", "api.pulumi.com/oidc:sub": sub },
            },
          ],
        },
        azure: { issuer: "https://api.pulumi.com/oidc", audience: "acme", subjects: [sub] },
        gcp: {
          audience: "acme",
          condition:
            "has(assertion.operation) && assertion.operation == 'update' && has(assertion.org) && assertion.org == 'acme' && has(assertion.project) && assertion.project == 'infra' && has(assertion.scope) && assertion.scope == 'write' && has(assertion.stack) && assertion.stack == 'prod'",
        },
      },
    );
  });

  it("Pulumi ESC: per-cloud audiences, sub selected as written", () => {
    const sub = "pulumi:environments:org:acme:env:platform/prod";
    assert.deepStrictEqual(
      sides({ kind: "pulumi-cloud", organization: "acme", token: "environments" }, [{ sub }]),
      {
        aws: {
          provider: `${ACCOUNT}/api.pulumi.com/oidc`,
          conditions: [
            {
              StringEquals: {
                "api.pulumi.com/oidc:aud": "aws:acme",
                "api.pulumi.com/oidc:sub": sub,
              },
            },
          ],
        },
        azure: { issuer: "https://api.pulumi.com/oidc", audience: "azure:acme", subjects: [sub] },
        gcp: { audience: "gcp:acme", condition: `has(assertion.sub) && assertion.sub == '${sub}'` },
      },
    );
  });

  it("Kubernetes (EKS): one service account", () => {
    const sub = "system:serviceaccount:payments:deployer";
    assert.deepStrictEqual(sides({ kind: "kubernetes", url: `https://${EKS}` }, [{ sub }]), {
      aws: {
        provider: `${ACCOUNT}/${EKS}`,
        conditions: [{ StringEquals: { [`${EKS}:aud`]: STS, [`${EKS}:sub`]: sub } }],
      },
      azure: { issuer: `https://${EKS}`, audience: AZURE, subjects: [sub] },
      gcp: { audience: GCP_PROVIDER, condition: `has(assertion.sub) && assertion.sub == '${sub}'` },
    });
  });

  /**
   * Token v2 (the default) sub is `org/O/project/P/user/U/vcs-origin/V/vcs-ref/R`, or
   * `org/O/project/P/user/U` for webhook jobs. U is opaque, so AWS needs a wildcard; P excludes
   * '/' and comes before it, so `org/O/project/P/user/*` admits exactly project P's tokens of
   * either layout. This is the condition CircleCI documents for AWS.
   */
  it("CircleCI (token v2): one project", () => {
    const host = `oidc.circleci.com/org/${CIRCLE_ORG}`;
    assert.deepStrictEqual(
      sides({ kind: "circleci", organizationId: CIRCLE_ORG }, [
        { "oidc.circleci.com/project-id": CIRCLE_PROJECT },
      ]),
      {
        aws: {
          provider: `${ACCOUNT}/${host}`,
          conditions: [
            {
              StringEquals: { [`${host}:aud`]: CIRCLE_ORG },
              StringLike: { [`${host}:sub`]: `org/${CIRCLE_ORG}/project/${CIRCLE_PROJECT}/user/*` },
            },
          ],
        },
        azure: [["pattern_not_expressible", "identities[0].subjects[0]"]],
        gcp: {
          audience: CIRCLE_ORG,
          condition: `('oidc.circleci.com/project-id' in assertion) && assertion['oidc.circleci.com/project-id'] == '${CIRCLE_PROJECT}'`,
        },
      },
    );
  });

  /**
   * Token v1 sub has no ref, so only GCP can check vcs-ref. (With v2 the ref is in sub but after
   * the opaque user, and refs hold '/': a `user/*` wildcard could swallow a crafted branch name,
   * so refusing there is right too.)
   */
  it("CircleCI (token v1): a project's main branch", () => {
    const ref = 'identities[0].subjects[0]["oidc.circleci.com/vcs-ref"]';
    assert.deepStrictEqual(
      sides({ kind: "circleci", organizationId: CIRCLE_ORG, tokenVersion: 1 }, [
        {
          "oidc.circleci.com/project-id": CIRCLE_PROJECT,
          "oidc.circleci.com/vcs-ref": "refs/heads/main",
        },
      ]),
      {
        aws: [["claim_not_expressible", ref]],
        azure: [
          ["claim_not_expressible", ref],
          ["pattern_not_expressible", "identities[0].subjects[0]"],
        ],
        gcp: {
          audience: CIRCLE_ORG,
          condition: `('oidc.circleci.com/project-id' in assertion) && assertion['oidc.circleci.com/project-id'] == '${CIRCLE_PROJECT}' && ('oidc.circleci.com/vcs-ref' in assertion) && assertion['oidc.circleci.com/vcs-ref'] == 'refs/heads/main'`,
        },
      },
    );
  });

  it("Buildkite: a pipeline's branch builds (commit and step vary)", () => {
    const host = "agent.buildkite.com";
    assert.deepStrictEqual(
      sides({ kind: "buildkite" }, [
        {
          organization_slug: "acme",
          pipeline_slug: "deploy",
          build_branch: "main",
          build_tag: { absent: true },
        },
      ]),
      {
        aws: {
          provider: `${ACCOUNT}/${host}`,
          conditions: [
            {
              StringEquals: { [`${host}:aud`]: STS },
              StringLike: {
                [`${host}:sub`]:
                  // every sub continues `:step:<key>`, so the tail after commit: is one wildcard
                  "organization:acme:pipeline:deploy:ref:refs/heads/main:commit:*",
              },
            },
          ],
        },
        azure: [["pattern_not_expressible", "identities[0].subjects[0]"]],
        gcp: {
          audience: GCP_PROVIDER,
          condition:
            "has(assertion.build_branch) && assertion.build_branch == 'main' && !has(assertion.build_tag) && has(assertion.organization_slug) && assertion.organization_slug == 'acme' && has(assertion.pipeline_slug) && assertion.pipeline_slug == 'deploy'",
        },
      },
    );
  });

  it("Bitbucket Pipelines: claims only, so only GCP can check them", () => {
    const url = "https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc";
    const issuer = { kind: "bitbucket", workspace: "acme", workspaceUuid: BB_WORKSPACE };
    const audience = `ari:cloud:bitbucket::workspace/${BB_WORKSPACE}`;
    assert.deepStrictEqual(sides(issuer, [{ repositoryUuid: BB_REPO, branchName: "main" }]), {
      aws: [
        ["claim_not_expressible", "identities[0].subjects[0].branchName"],
        ["claim_not_expressible", "identities[0].subjects[0].repositoryUuid"],
      ],
      azure: [
        ["claim_not_expressible", "identities[0].subjects[0].branchName"],
        ["claim_not_expressible", "identities[0].subjects[0].repositoryUuid"],
        ["pattern_not_expressible", "identities[0].subjects[0]"],
      ],
      gcp: {
        audience,
        condition: `has(assertion.branchName) && assertion.branchName == 'main' && has(assertion.repositoryUuid) && assertion.repositoryUuid == '${BB_REPO}'`,
      },
    });
    // a sub pattern is matched as written: AWS takes it, Azure has no wildcards
    const host = url.slice("https://".length);
    assert.deepStrictEqual(sides(issuer, [{ sub: { pattern: `${BB_REPO}:*` } }]), {
      aws: {
        provider: `${ACCOUNT}/${host}`,
        conditions: [
          {
            StringEquals: { [`${host}:aud`]: audience },
            StringLike: { [`${host}:sub`]: `${BB_REPO}:*` },
          },
        ],
      },
      azure: [["pattern_not_expressible", "identities[0].subjects[0]"]],
      gcp: {
        audience,
        condition: `has(assertion.sub) && assertion.sub.startsWith('${BB_REPO}:')`,
      },
    });
  });

  it("generic OIDC with a subject template", () => {
    const issuer = {
      kind: "oidc",
      url: "https://ci.example.com",
      claims: ["namespace", "app"],
      subjectTemplate: "ns:{namespace}:app:{app}",
    };
    assert.deepStrictEqual(sides(issuer, [{ namespace: "payments", app: "api" }]), {
      aws: {
        provider: `${ACCOUNT}/ci.example.com`,
        conditions: [
          {
            StringEquals: {
              "ci.example.com:aud": STS,
              "ci.example.com:sub": "ns:payments:app:api",
            },
          },
        ],
      },
      azure: {
        issuer: "https://ci.example.com",
        audience: AZURE,
        subjects: ["ns:payments:app:api"],
      },
      gcp: {
        audience: GCP_PROVIDER,
        condition:
          // `namespace` is a CEL reserved word: it cannot follow a dot
          "has(assertion.app) && assertion.app == 'api' && ('namespace' in assertion) && assertion['namespace'] == 'payments'",
      },
    });
  });

  it("generic OIDC shared by tenants, with an owner claim", () => {
    const issuer = {
      kind: "oidc",
      url: "https://oidc.saas.example",
      claims: ["tenant", "pipeline"],
      subjectTemplate: "tenant:{tenant}:pipeline:{pipeline}",
      shared: true,
      ownerClaims: ["tenant"],
    };
    const sub = "tenant:acme:pipeline:deploy";
    assert.deepStrictEqual(sides(issuer, [{ tenant: "acme", pipeline: "deploy" }]), {
      aws: {
        provider: `${ACCOUNT}/oidc.saas.example`,
        conditions: [
          { StringEquals: { "oidc.saas.example:aud": STS, "oidc.saas.example:sub": sub } },
        ],
      },
      azure: { issuer: "https://oidc.saas.example", audience: AZURE, subjects: [sub] },
      gcp: {
        audience: GCP_PROVIDER,
        condition:
          "has(assertion.pipeline) && assertion.pipeline == 'deploy' && has(assertion.tenant) && assertion.tenant == 'acme'",
      },
    });
  });

  it("has a scenario for every issuer preset (a new preset needs one here)", () => {
    assert.deepStrictEqual([...scenarioKinds].sort(), Object.keys(ISSUER_PRESETS).sort());
  });

  describe("owner pins", () => {
    const owner = (issuer: object, selector: object): Refusal =>
      errors(oneIdentity(issuer as never, [selector as never], ALL_GRANTS)).filter(
        ([code]) => code === "owner_not_pinned",
      );
    const NOT_PINNED: Refusal = [["owner_not_pinned", "identities[0].subjects[0]"]];
    const oidcShared = {
      kind: "oidc",
      url: "https://oidc.saas.example",
      claims: ["tenant", "pipeline"],
      shared: true,
      ownerClaims: ["tenant"],
    };

    /** [issuer, selector, pinned]: shared issuers need a pin; per-owner issuers never do. */
    const cases: [string, object, object, boolean][] = [
      ["github.com", { kind: "github" }, { environment: "production" }, false],
      ["github.com", { kind: "github" }, { repository: "acme/api" }, true],
      ["github.com", { kind: "github" }, { repository: { pattern: "acme/*" } }, true],
      ["github.com", { kind: "github" }, { repository: { pattern: "acme*" } }, false],
      ["github.com", { kind: "github" }, { repository_owner_id: "100" }, true],
      ["github.com", { kind: "github" }, { sub: { pattern: "repo:acme/*" } }, true],
      ["github.com", { kind: "github" }, { sub: { pattern: "repo:acme*" } }, false],
      [
        "github.com",
        { kind: "github" },
        { job_workflow_ref: "acme/wf/.github/workflows/d.yml@refs/heads/main" },
        false,
      ],
      [
        "GitHub Enterprise Cloud",
        { kind: "github", enterpriseSlug: "acme-corp" },
        { environment: "production" },
        true,
      ],
      [
        "GitHub Enterprise Server",
        { kind: "github", url: "https://github.example.com/_services/token" },
        { environment: "production" },
        true,
      ],
      ["gitlab.com", { kind: "gitlab" }, { ref: "main", ref_type: "branch" }, false],
      ["gitlab.com", { kind: "gitlab" }, { project_path: { pattern: "acme/*" } }, true],
      ["gitlab.com", { kind: "gitlab" }, { namespace_id: "7" }, true],
      [
        "self-managed GitLab",
        { kind: "gitlab", url: "https://gitlab.example.com" },
        { ref: "main", ref_type: "branch" },
        true,
      ],
      ["HCP Terraform", { kind: "terraform-cloud" }, { terraform_workspace_name: "prod" }, false],
      [
        "HCP Terraform",
        { kind: "terraform-cloud" },
        { terraform_organization_name: "acme", terraform_workspace_name: "prod" },
        true,
      ],
      [
        "HCP Terraform EU",
        { kind: "terraform-cloud", url: "https://app.eu.terraform.io" },
        { terraform_workspace_name: "prod" },
        false,
      ],
      [
        "Terraform Enterprise",
        { kind: "terraform-cloud", url: "https://tfe.example.com" },
        { terraform_workspace_name: "prod" },
        true,
      ],
      [
        "Buildkite",
        { kind: "buildkite" },
        { pipeline_slug: "deploy", build_branch: "main" },
        false,
      ],
      [
        "Buildkite",
        { kind: "buildkite" },
        { organization_slug: "acme", pipeline_slug: "deploy", build_branch: "main" },
        true,
      ],
      [
        "Pulumi Cloud (the audience names the organization)",
        { kind: "pulumi-cloud", organization: "acme" },
        { stack: "prod" },
        true,
      ],
      [
        "CircleCI",
        { kind: "circleci", organizationId: CIRCLE_ORG },
        { "oidc.circleci.com/vcs-ref": "refs/heads/main" },
        true,
      ],
      [
        "Bitbucket",
        { kind: "bitbucket", workspace: "acme", workspaceUuid: BB_WORKSPACE },
        { branchName: "main" },
        true,
      ],
      [
        "Kubernetes",
        { kind: "kubernetes", url: `https://${EKS}` },
        { sub: { pattern: "system:serviceaccount:apps:*" } },
        true,
      ],
      ["shared generic OIDC", oidcShared, { pipeline: "deploy" }, false],
      ["shared generic OIDC", oidcShared, { tenant: "acme", pipeline: "deploy" }, true],
      ["unshared generic OIDC", { ...oidcShared, shared: false }, { pipeline: "deploy" }, true],
    ];
    for (const [name, issuer, selector, pinned] of cases) {
      it(`${name}: ${JSON.stringify(selector)} ${pinned ? "is accepted" : "is refused"}`, () => {
        assert.deepStrictEqual(owner(issuer, selector), pinned ? [] : NOT_PINNED);
      });
    }
  });
});
