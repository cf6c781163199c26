import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { IMPORTS } from "../../lib/backends/imports";
import { conditionSelectors } from "../../lib/backends/gcp/decompile-cel";
import { draftIntent } from "../../lib/import/draft";
import type { IntentDocument } from "../../lib/intent/document";
import { cli } from "../support/cli";

const GITHUB = "token.actions.githubusercontent.com";
const ARN = `arn:aws:iam::111111111111:oidc-provider/${GITHUB}`;

/**
 * A role as `aws iam get-account-authorization-details` prints it
 * (https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html),
 * with the URL-encoded trust policy the API returns.
 */
function role(name: string, condition: unknown, encoded = false) {
  const policy = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: ARN },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: condition,
      },
    ],
  };
  return {
    Path: "/",
    RoleName: name,
    Arn: `arn:aws:iam::111111111111:role/${name}`,
    AssumeRolePolicyDocument: encoded ? encodeURIComponent(JSON.stringify(policy)) : policy,
    RolePolicyList: [],
    AttachedManagedPolicies: [],
  };
}

const provider = {
  OpenIDConnectProviderArn: ARN,
  Url: GITHUB,
  ClientIDList: ["sts.amazonaws.com"],
  ThumbprintList: [],
};

function awsDraft(...roles: unknown[]) {
  const decompiled = IMPORTS.aws([
    { source: "details.json", json: { RoleDetailList: roles } },
    { source: "provider.json", json: provider },
  ]);
  if ("problems" in decompiled) throw new Error(decompiled.problems.join("; "));
  return draftIntent([decompiled]);
}

describe("import of hand-written trust (the anchors' typical policies)", function () {
  this.timeout(30_000);

  it("reads repo:ORG/* (StringLike, URL-encoded policy) as a repository pattern, exactly", () => {
    const draft = awsDraft(
      role(
        "org-wide",
        {
          StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
          StringLike: { [`${GITHUB}:sub`]: "repo:acme/*" },
        },
        true,
      ),
    );
    assert.deepEqual(draft.document.identities[0]!.subjects, [
      { repository: { pattern: "acme/*" } },
    ]);
    assert.deepEqual(draft.imported[0]!.divergences, []);
  });

  it("reads StringLike environments and exact branches into the issuer's claims", () => {
    const draft = awsDraft(
      role("deploy", {
        StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
        StringLike: {
          [`${GITHUB}:sub`]: [
            "repo:acme/api:environment:prod-*",
            "repo:acme/api:ref:refs/heads/main",
          ],
        },
      }),
    );
    assert.deepEqual(draft.document.identities[0]!.subjects, [
      { environment: { absent: true }, ref: "refs/heads/main", repository: "acme/api" },
      { environment: { pattern: "prod-*" }, repository: "acme/api" },
    ]);
    assert.deepEqual(draft.imported[0]!.divergences, []);
  });

  it("reads GitLab's project_path:…:ref_type:branch:ref:main into its claims", () => {
    const host = "gitlab.com";
    const arn = `arn:aws:iam::111111111111:oidc-provider/${host}`;
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: arn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${host}:aud`]: "https://gitlab.com",
              [`${host}:sub`]: "project_path:acme/app:ref_type:branch:ref:main",
            },
          },
        },
      ],
    };
    const decompiled = IMPORTS.aws([
      {
        source: "role.json",
        json: {
          Role: {
            Path: "/",
            RoleName: "app",
            Arn: "arn:aws:iam::111111111111:role/app",
            AssumeRolePolicyDocument: policy,
          },
        },
      },
      {
        source: "p.json",
        json: { OpenIDConnectProviderArn: arn, Url: host, ClientIDList: ["https://gitlab.com"] },
      },
    ]);
    if ("problems" in decompiled) throw new Error(decompiled.problems.join("; "));
    const draft = draftIntent([decompiled]);
    assert.deepEqual(draft.document.issuers, { gitlab: { kind: "gitlab" } });
    assert.deepEqual(draft.document.identities[0]!.subjects, [
      { project_path: "acme/app", ref: "main", ref_type: "branch" },
    ]);
    assert.deepEqual(draft.imported[0]!.divergences, []);
    // get-role has no policies: the draft says so
    assert.match(draft.imported[0]!.trust.notes.join("\n"), /without its policies/);
  });

  it("does not import what it cannot state, and says why", () => {
    const draft = awsDraft(
      role("any-repo", { StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" } }),
      role("anyvalue", { "ForAnyValue:StringLike": { [`${GITHUB}:sub`]: "repo:acme/*" } }),
    );
    assert.deepEqual(draft.imported, []);
    assert.deepEqual(
      draft.skipped.map((s) => [s.resource.split("/").pop(), s.reason.slice(0, 40)]),
      [
        ["anyvalue", "it uses the condition operator ForAnyVal"],
        ["any-repo", "its draft does not compile: every GitHub"],
      ],
    );
  });
});

describe("import of hand-written Azure and GCP trust", function () {
  this.timeout(30_000);

  it("reads an Azure credential for an environment into its claims, with the identity's roles", () => {
    // az identity federated-credential list / az identity list / az role assignment list --all
    const id =
      "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/ci/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api-prod";
    const decompiled = IMPORTS.azure([
      {
        source: "credentials.json",
        json: [
          {
            audiences: ["api://AzureADTokenExchange"],
            id: `${id}/federatedIdentityCredentials/github-prod`,
            issuer: "https://token.actions.githubusercontent.com",
            name: "github-prod",
            subject: "repo:acme/api:environment:prod",
          },
        ],
      },
      {
        source: "identities.json",
        json: [
          {
            id,
            name: "api-prod",
            location: "westeurope",
            tenantId: "00000000-0000-0000-0000-00000000000a",
            principalId: "11111111-1111-1111-1111-111111111111",
            clientId: "22222222-2222-2222-2222-222222222222",
          },
        ],
      },
      {
        source: "assignments.json",
        json: [
          {
            id: "/subscriptions/00000000-0000-0000-0000-00000000000b/providers/Microsoft.Authorization/roleAssignments/33333333-3333-3333-3333-333333333333",
            principalId: "11111111-1111-1111-1111-111111111111",
            principalType: "ServicePrincipal",
            roleDefinitionId:
              "/subscriptions/00000000-0000-0000-0000-00000000000b/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
            roleDefinitionName: "Reader",
            scope: "/subscriptions/00000000-0000-0000-0000-00000000000b",
          },
        ],
      },
    ]);
    if ("problems" in decompiled) throw new Error(decompiled.problems.join("; "));
    const draft = draftIntent([decompiled]);
    assert.deepEqual(draft.document.identities, [
      {
        name: "api-prod",
        issuer: "github",
        subjects: [{ environment: "prod", repository: "acme/api" }],
        grants: [
          {
            target: "azure-ci",
            roles: [
              { role: "Reader", scope: "/subscriptions/00000000-0000-0000-0000-00000000000b" },
            ],
          },
        ],
      },
    ]);
    assert.deepEqual(draft.placeholders, []);
    assert.deepEqual(draft.imported[0]!.divergences, []);
  });

  it("reads google-github-actions/auth's documented provider (owner condition, copied attributes)", () => {
    // gcloud iam workload-identity-pools providers list, as the auth action's README creates it
    const decompiled = IMPORTS.gcp([
      {
        source: "providers.json",
        json: [
          {
            name: "projects/123456789012/locations/global/workloadIdentityPools/github/providers/my-repo",
            state: "ACTIVE",
            attributeMapping: {
              "google.subject": "assertion.sub",
              "attribute.actor": "assertion.actor",
              "attribute.repository": "assertion.repository",
              "attribute.repository_owner": "assertion.repository_owner",
            },
            attributeCondition: "assertion.repository_owner == 'acme'",
            oidc: { issuerUri: "https://token.actions.githubusercontent.com" },
          },
        ],
      },
    ]);
    if ("problems" in decompiled) throw new Error(decompiled.problems.join("; "));
    const draft = draftIntent([decompiled]);
    assert.deepEqual(draft.document.identities[0]!.subjects, [{ repository_owner: "acme" }]);
    assert.deepEqual(draft.document.targets, {
      "gcp-123456789012-github": {
        cloud: "gcp",
        projectId: "replace-me",
        projectNumber: "123456789012",
        poolId: "github",
      },
    });
    assert.deepEqual(draft.imported[0]!.divergences, []);
  });
});

describe("GCP attribute conditions read back into selectors", () => {
  const cases: [string, Record<string, string>, unknown][] = [
    [
      "assertion.repository == 'acme/api' && assertion.ref.startsWith('refs/tags/')",
      {},
      [{ repository: "acme/api", ref: { pattern: "refs/tags/*" } }],
    ],
    [
      "attribute.repo in ['acme/a', 'acme/b'] || !has(assertion.environment)",
      { "attribute.repo": "assertion.repository" },
      [{ repository: { oneOf: ["acme/a", "acme/b"] } }, { environment: { absent: true } }],
    ],
    [
      "assertion['ref'].matches('(?s)^refs/heads/release-.*$') && has(assertion.sub)",
      {},
      [{ ref: { pattern: "refs/heads/release-*" }, sub: { pattern: "*" } }],
    ],
    ["has(assertion.x) && !has(assertion.x)", {}, []],
    [
      "assertion.repository_owner == 'acme' && assertion.sub.size() < 100",
      {},
      "its condition uses the < operation, which import does not read",
    ],
    [
      "attribute.team == 'x'",
      { "attribute.team": "assertion.groups[0]" },
      "its condition uses the == operation, which import does not read",
    ],
  ];
  for (const [condition, mapping, expected] of cases)
    it(condition, () => assert.deepEqual(conditionSelectors(condition, mapping), expected));
});

describe("trustplane import (CLI)", function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), "trustplane-import-"));
  const details = join(dir, "details.json");
  const providerFile = join(dir, "provider.json");
  writeFileSync(
    details,
    JSON.stringify({
      RoleDetailList: [
        role("deploy", {
          StringEquals: {
            [`${GITHUB}:aud`]: "sts.amazonaws.com",
            [`${GITHUB}:sub`]: "repo:acme/api:environment:production",
          },
        }),
      ],
    }),
  );
  writeFileSync(providerFile, JSON.stringify(provider));

  it("writes a draft that check accepts, and reports the proof", async () => {
    const target = join(dir, "intent.yaml");
    const r = await cli("import", "--aws", details, "--aws", providerFile, "--out", target);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /→ identity deploy: exact on \d+ tokens/);
    const text = readFileSync(target, "utf8");
    assert.match(text, /^# Drafted by `trustplane import`/);
    assert.match(text, /# from arn:aws:iam::111111111111:role\/deploy/);
    assert.deepEqual((parse(text) as IntentDocument).identities[0]!.subjects, [
      { environment: "production", repository: "acme/api" },
    ]);
    assert.equal((await cli("check", target)).code, 0);
  });

  it("refuses unreadable input (exit 2) and writes nothing", async () => {
    const target = join(dir, "never.yaml");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{");
    assert.equal((await cli("import", "--aws", bad, "--out", target)).code, 2);
    assert.equal((await cli("import", "--out", target)).code, 2);
    assert.equal((await cli("import", "--aws", details)).code, 2);
    assert.equal(existsSync(target), false);
  });
});
