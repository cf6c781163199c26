import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Finding } from "../../lib/audit/finding";
import { auditGcp } from "../../lib/backends/gcp/audit";
import type { GcpDeployment } from "../../lib/backends/gcp/deployed";
import { gcpFileKind, readGcpFiles } from "../../lib/backends/gcp/deployed";
import { compileDocument } from "../../lib/compile";
import { intentAccepts } from "../../lib/inspect/token-claims";
import type { Plan } from "../../lib/plan/types";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const compiled = (file: string) =>
  compileDocument(parse(readFileSync(join(EXAMPLES, file), "utf8")) as unknown);
const { plan, ir } = compiled("platform.yaml");

type File = { source: string; json: unknown };
type Binding = { role: string; members: string[]; condition?: Record<string, string> };

function gcpGrants(of: Plan) {
  return of.identities.flatMap((i) => i.grants.flatMap((g) => (g.cloud === "gcp" ? [g] : [])));
}

/**
 * What `gcloud iam workload-identity-pools providers list --format=json` prints for the plan's
 * providers (https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools.providers:
 * name, displayName, state, disabled, attributeMapping, attributeCondition, oidc.issuerUri,
 * oidc.allowedAudiences), one file for all.
 */
function providersOf(of: Plan): File {
  const json = gcpGrants(of).map(({ artefacts: a }) => ({
    name: a.providerName,
    displayName: a.providerId,
    state: "ACTIVE",
    disabled: false,
    attributeMapping: { ...a.attributeMapping },
    attributeCondition: a.attributeCondition,
    oidc: { issuerUri: a.issuerUri, allowedAudiences: [...a.allowedAudiences] },
  }));
  return { source: "providers.json", json };
}

/**
 * What `gcloud asset search-all-iam-policies --scope=projects/acme-prod --format=json` prints
 * once the plan is deployed: one result per resource with a policy, each with its full resource
 * name (https://cloud.google.com/iam/docs/full-resource-names), `assetType`, `project` (by
 * number) and `policy.bindings`
 * (https://cloud.google.com/python/docs/reference/cloudasset/latest/google.cloud.asset_v1.types.IamPolicySearchResult,
 * https://cloud.google.com/iam/docs/reference/rest/v1/Policy): the project's (with the owner
 * trustplane does not plan), each planned service account's, and a bucket's.
 */
function searchOf(of: Plan): File {
  const grants = gcpGrants(of);
  const roles = new Map<string, string[]>([["roles/owner", ["user:admin@acme.example"]]]);
  for (const b of grants.flatMap((g) => g.artefacts.projectBindings))
    roles.set(b.role, [...(roles.get(b.role) ?? []), b.member]);
  const project = "projects/123456789012";
  const result = (resource: string, assetType: string, bindings: Binding[]) => ({
    resource,
    assetType,
    project,
    policy: { bindings },
  });
  return {
    source: "policies.json",
    json: [
      result(
        "//cloudresourcemanager.googleapis.com/projects/acme-prod",
        "cloudresourcemanager.googleapis.com/Project",
        [...roles].map(([role, members]) => ({ role, members })),
      ),
      ...grants.flatMap(({ artefacts: a }) =>
        a.serviceAccountEmail
          ? [
              result(
                `//iam.googleapis.com/projects/acme-prod/serviceAccounts/${a.serviceAccountEmail}`,
                "iam.googleapis.com/ServiceAccount",
                [{ role: "roles/iam.workloadIdentityUser", members: [...a.principals] }],
              ),
            ]
          : [],
      ),
      result("//storage.googleapis.com/acme-tfstate-web", "storage.googleapis.com/Bucket", [
        { role: "roles/storage.objectAdmin", members: [grants[0]!.artefacts.principals[0]!] },
      ]),
    ],
  };
}

function exportOf(of: Plan): File[] {
  return gcpGrants(of).length ? [providersOf(of), searchOf(of)] : [];
}

function read(files: File[]): GcpDeployment {
  const r = readGcpFiles(files);
  assert.ok("deployment" in r, JSON.stringify(r));
  return r.deployment;
}

const api = gcpGrants(plan!).find((g) => g.artefacts.providerId === "api-deploy")!.artefacts;
const web = gcpGrants(plan!).find((g) => g.artefacts.providerId === "web-deploy")!.artefacts;
const API_SA = `serviceAccount:${api.serviceAccountEmail!}`;
const API_ACCOUNT = `projects/acme-prod/serviceAccounts/${api.serviceAccountEmail!}`;

/**
 * `audit` on GCP (issue 13): workload identity pool providers and the IAM bindings of each
 * grant's project and service account. Proves a faithful export of every example has no
 * finding; that a loosened condition, a dropped provider, an unconditioned shadow provider,
 * unreadable CEL, a missing, conditional or extra binding and another impersonator each give
 * their finding; that search outputs and wrapped get-iam-policy outputs read alike, and that
 * bare policies and files of no known kind are refused. Does NOT compare policies on other
 * resources (buckets, datasets) nor inherited (folder, organization) bindings.
 */
describe("audit: GCP against the intent", () => {
  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"))) {
    it(`finds nothing in a deployment of ${file}'s compiled plan`, () => {
      const c = compiled(file);
      assert.deepEqual(auditGcp(c.ir!, c.plan!, read(exportOf(c.plan!))), []);
    });
  }

  it("reports a loosened condition as an over-grant with a token the intent refuses", () => {
    const d = read(exportOf(plan!));
    const providers = d.providers.map((p) =>
      p.name === api.providerName
        ? { ...p, attributeCondition: "assertion.repository.startsWith('acme/')" }
        : p,
    );
    const found = auditGcp(ir!, plan!, { ...d, providers });
    assert.ok(found.length > 0);
    const identity = ir!.identities.find((i) => i.name === "api-deploy")!;
    for (const f of found) {
      assert.equal(f.kind, "over-grant");
      assert.equal(intentAccepts(identity, f.token!), false);
    }
  });

  it("reports a provider not deployed as missing, and one no identity plans as unmanaged", () => {
    const d = read(exportOf(plan!));
    const without = d.providers.filter((p) => p.name !== api.providerName);
    assert.deepEqual(
      auditGcp(ir!, plan!, { ...d, providers: without }).map((f) => `${f.kind} ${f.resource}`),
      [`missing ${api.providerName}`],
    );
    const shadow = {
      ...d.providers[0]!,
      name: `${api.providerName}-old`,
      attributeCondition: "true",
    };
    assert.deepEqual(
      auditGcp(ir!, plan!, { ...d, providers: [...d.providers, shadow] }).map((f) => f.kind),
      // no condition on GitHub's shared issuer: unsafe whatever the intent says
      ["risky", "unmanaged"],
    );
    const conditioned = { ...shadow, attributeCondition: "assertion.repository == 'acme/old'" };
    assert.deepEqual(
      auditGcp(ir!, plan!, { ...d, providers: [...d.providers, conditioned] }).map((f) => f.kind),
      ["unmanaged"],
    );
  });

  it("reads an empty condition as GCP does (every token) and empty audiences as the provider's name", () => {
    const [item] = (providersOf(plan!).json as Record<string, unknown>[]).filter(
      (p) => p.name === api.providerName,
    );
    const loose = {
      ...item!,
      attributeCondition: "",
      oidc: { issuerUri: "https://token.actions.githubusercontent.com" },
    };
    const [p] = read([{ source: "p.json", json: [loose] }]).providers;
    assert.equal(p!.attributeCondition, "true");
    assert.deepEqual(p!.allowedAudiences, [
      `//iam.googleapis.com/${api.providerName}`,
      `https://iam.googleapis.com/${api.providerName}`,
    ]);
  });

  it("reports CEL it cannot parse as risky and decides nothing by guess", () => {
    const d = read(exportOf(plan!));
    const providers = d.providers.map((p) =>
      p.name === api.providerName ? { ...p, attributeCondition: "assertion.repository ==" } : p,
    );
    assert.deepEqual(
      auditGcp(ir!, plan!, { ...d, providers }).map((f) => f.kind),
      ["risky"],
    );
  });

  describe("reading files", () => {
    it("reads each output by its content and skips policies of other resources", () => {
      const files = exportOf(plan!);
      assert.deepEqual(
        files.map((f) => gcpFileKind(f.json)),
        ["providers", "policy-search"],
      );
      assert.deepEqual(
        read(files).policies!.map((p) => p.resource),
        ["projects/acme-prod", API_ACCOUNT, API_ACCOUNT.replace("api-deploy@", "api-release@")],
      );
    });

    it("reads get-iam-policy outputs wrapped with their resource as the search does", () => {
      const search = searchOf(plan!).json as { resource: string; policy: unknown }[];
      const wrapped = search.slice(0, 2).map((r, i) => ({
        source: `w${i}.json`,
        json: {
          resource: r.resource.replace(/^\/\/[^/]+\//, ""),
          policy: { ...(r.policy as object), etag: "BwYkhyKlIeU=", version: 1 },
        },
      }));
      assert.deepEqual(wrapped[1]!.json.resource, API_ACCOUNT);
      assert.deepEqual(
        wrapped.map((w) => gcpFileKind(w.json)),
        ["policy", "policy"],
      );
      const d = read([providersOf(plan!), ...wrapped]);
      // the search and the wrappers agree, and api-release's account is not in the wrappers
      const both = read([providersOf(plan!), searchOf(plan!), ...wrapped]);
      assert.deepEqual(both.policies![0]!.sources, ["policies.json", "w0.json"]);
      // with no binding, no token of api-release's provider can impersonate its account
      const found = auditGcp(ir!, plan!, d);
      assert.deepEqual(
        found.filter((f) => f.kind === "permissions").map((f) => f.message),
        [
          `projects/acme-prod/serviceAccounts/api-release@acme-prod.iam.gserviceaccount.com: roles/iam.workloadIdentityUser of the grant is not bound to ${gcpGrants(plan!)[1]!.artefacts.principals[0]!}: run pulumi up, or pass the policy of projects/acme-prod/serviceAccounts/api-release@acme-prod.iam.gserviceaccount.com (it is not in the files)`,
        ],
      );
      assert.deepEqual(
        [...new Set(found.filter((f) => f.kind !== "permissions").map((f) => f.kind))],
        ["under-grant"],
      );
      assert.ok(found.every((f) => f.kind === "permissions" || f.identity === "api-release"));
    });

    it("refuses a bare policy with the way to wrap it, and files of no known kind", () => {
      assert.deepEqual(readGcpFiles([{ source: "x.json", json: { bindings: [], etag: "x" } }]), {
        problems: [
          `x.json is not an output trustplane reads for GCP: an IAM policy does not say whose it is; wrap it with its resource: gcloud projects get-iam-policy P --format=json | jq '{resource: "projects/P", policy: .}' (projects/P/serviceAccounts/EMAIL for a service account's)`,
        ],
      });
      assert.deepEqual(readGcpFiles([{ source: "y.json", json: { name: "x" } }]), {
        problems: [
          'y.json is not an output trustplane reads for GCP: expected gcloud iam workload-identity-pools providers list, gcloud asset search-all-iam-policies, or a get-iam-policy output wrapped as {"resource": "projects/P", "policy": …} (--format=json)',
        ],
      });
    });

    it("refuses wrapped resources it cannot place, unique IDs and files that disagree", () => {
      const policy = { bindings: [{ role: "roles/viewer", members: ["user:a@acme.example"] }] };
      const problems = (...files: File[]) => {
        const r = readGcpFiles(files);
        return "problems" in r ? r.problems : [];
      };
      assert.deepEqual(problems({ source: "a.json", json: { resource: "folders/1", policy } }), [
        'a.json: resource "folders/1" is neither projects/PROJECT nor projects/PROJECT/serviceAccounts/EMAIL',
      ]);
      assert.deepEqual(
        problems({
          source: "b.json",
          json: { resource: "projects/acme-prod/serviceAccounts/1234567890", policy },
        }),
        [
          "b.json: projects/acme-prod/serviceAccounts/1234567890 names the service account by its unique ID; name it by its e-mail, as the intent's plan does",
        ],
      );
      assert.deepEqual(
        problems(
          { source: "c.json", json: { resource: "projects/acme-prod", policy } },
          { source: "d.json", json: { resource: "projects/acme-prod", policy: {} } },
        ),
        [
          "d.json and c.json disagree on the policy of projects/acme-prod: pass files of one moment",
        ],
      );
      assert.deepEqual(
        problems({
          source: "e.json",
          json: {
            resource: "projects/acme-prod",
            policy: { bindings: [{ role: "roles/viewer" }] },
          },
        }),
        ["e.json: policy.bindings[0] has no role or members"],
      );
    });
  });

  describe("IAM bindings", () => {
    /** The audit's messages after changing the search output's bindings, by resource. */
    const audit = (change: (bindings: Map<string, Binding[]>) => void) => {
      const search = structuredClone(searchOf(plan!).json) as {
        resource: string;
        policy: { bindings: Binding[] };
      }[];
      const byResource = new Map(search.map((r) => [r.resource, r.policy.bindings]));
      change(byResource);
      const json = [...byResource].map(([resource, bindings]) => ({
        resource,
        policy: { bindings },
      }));
      return auditGcp(ir!, plan!, read([providersOf(plan!), { source: "p.json", json }])).map(
        (f) => `${f.kind} ${f.identity} ${f.resource}: ${f.message.replace(`${f.resource}: `, "")}`,
      );
    };
    const PROJECT = "//cloudresourcemanager.googleapis.com/projects/acme-prod";
    const ACCOUNT = `//iam.googleapis.com/${API_ACCOUNT}`;
    const condition = { title: "business hours", expression: "request.time.getHours('UTC') < 18" };

    it("reports another role of the grant's service account or principal in the project", () => {
      assert.deepEqual(
        audit((b) => {
          b.get(PROJECT)!.push(
            { role: "roles/editor", members: [API_SA, "user:admin@acme.example"] },
            { role: "roles/viewer", members: [api.principals[0]!], condition },
          );
        }),
        [
          `permissions api-deploy projects/acme-prod: roles/editor is bound to ${API_SA}, which the grant does not bind`,
          `permissions api-deploy projects/acme-prod: roles/viewer is bound to ${api.principals[0]!} under the condition "request.time.getHours('UTC') < 18", which the grant does not bind`,
        ],
      );
    });

    it("reports a planned binding missing, or bound only under a condition", () => {
      assert.deepEqual(
        audit((b) => {
          const bindings = b.get(PROJECT)!;
          bindings.splice(
            bindings.findIndex((x) => x.role === "roles/run.admin"),
            1,
          );
          const storage = bindings.find((x) => x.role === "roles/storage.admin")!;
          storage.condition = condition;
        }),
        [
          `permissions api-deploy projects/acme-prod: roles/run.admin of the grant is not bound to ${API_SA}: run pulumi up`,
          `permissions web-deploy projects/acme-prod: roles/storage.admin of the grant is bound to ${web.principals[0]!} only under the condition "request.time.getHours('UTC') < 18"`,
        ],
      );
    });

    it("reports the service account's impersonation missing, and other impersonators or roles", () => {
      const pool = api.principals[0]!.replace(/\/attribute\..*$/, "/*");
      assert.deepEqual(
        audit((b) => {
          b.set(ACCOUNT, [
            { role: "roles/iam.workloadIdentityUser", members: [pool] },
            { role: "roles/iam.serviceAccountTokenCreator", members: [api.principals[0]!] },
          ]);
        }),
        [
          `permissions api-deploy ${API_ACCOUNT}: roles/iam.workloadIdentityUser of the grant is not bound to ${api.principals[0]!}: run pulumi up`,
          `permissions api-deploy ${API_ACCOUNT}: roles/iam.serviceAccountTokenCreator is bound to ${api.principals[0]!}, which the grant does not bind`,
          `permissions api-deploy ${API_ACCOUNT}: ${pool} also holds roles/iam.workloadIdentityUser, so it can impersonate ${api.serviceAccountEmail!}; the grant binds only ${api.principals[0]!}`,
        ],
      );
    });

    it("finds a project's policy by its number, and reads a search without the account's policy as an empty one", () => {
      const found = audit((b) => {
        b.set("//cloudresourcemanager.googleapis.com/projects/123456789012", b.get(PROJECT)!);
        b.delete(PROJECT);
        b.delete(ACCOUNT);
      });
      assert.deepEqual(
        found.filter((f) => f.startsWith("permissions")),
        [
          `permissions api-deploy ${API_ACCOUNT}: roles/iam.workloadIdentityUser of the grant is not bound to ${api.principals[0]!}: run pulumi up, or pass the policy of ${API_ACCOUNT} (it is not in the files)`,
        ],
      );
      // nothing binds api-deploy's account, so its provider's tokens cannot act
      const under = found.filter((f) => !f.startsWith("permissions"));
      assert.equal(under.length, 3);
      for (const f of under)
        assert.match(
          f,
          new RegExp(
            `^under-grant api-deploy ${api.providerName}: provider ${api.providerName} with the members bound to roles/iam\\.workloadIdentityUser on ${api.serviceAccountEmail!} refuses a token the intent accepts`,
          ),
        );
    });

    it("compares no binding without policy files", () => {
      const d = read([providersOf(plan!)]);
      assert.equal(d.policies, undefined);
      assert.deepEqual(auditGcp(ir!, plan!, d), []);
    });
  });
  describe("decisions with the principals the policies bind", () => {
    const pool = api.providerName.slice(0, api.providerName.lastIndexOf("/providers/"));
    const BY_REPOSITORY = `principalSet://iam.googleapis.com/${pool}/attribute.repository/acme/api`;
    const identity = ir!.identities.find((i) => i.name === "api-deploy")!;
    /**
     * api-deploy's provider as another tool made it, with `condition`: the repository mapped,
     * not trustplane's attribute, and its account bound to the repository's principal set.
     */
    const deployment = (condition: string, policies = true): GcpDeployment => {
      const d = read([providersOf(plan!), ...(policies ? [searchOf(plan!)] : [])]);
      const mapping = {
        "google.subject": "assertion.sub",
        "attribute.repository": "assertion.repository",
      };
      return {
        providers: d.providers.map((p) =>
          p.name === api.providerName
            ? { ...p, attributeMapping: mapping, attributeCondition: condition }
            : p,
        ),
        ...(d.policies && {
          policies: d.policies.map((p) =>
            p.resource === API_ACCOUNT
              ? {
                  ...p,
                  bindings: [{ role: "roles/iam.workloadIdentityUser", members: [BY_REPOSITORY] }],
                }
              : p,
          ),
        }),
      };
    };
    const decisions = (found: Finding[]) =>
      found.filter((f) => f.kind === "over-grant" || f.kind === "under-grant");

    it("decides none when the bound principals and the condition admit what the intent does", () => {
      const found = auditGcp(ir!, plan!, deployment(api.attributeCondition));
      assert.deepEqual(decisions(found), []);
      // the binding is still not the plan's
      assert.deepEqual(
        found.map((f) => `${f.kind} ${f.identity}`),
        ["permissions api-deploy", "permissions api-deploy"],
      );
    });

    it("reports an over-grant where the condition admits more of the bound repository", () => {
      const found = decisions(
        auditGcp(ir!, plan!, deployment("assertion.repository_owner == 'acme'")),
      );
      assert.ok(found.length > 0);
      for (const f of found) {
        assert.equal(`${f.kind} ${f.identity}`, "over-grant api-deploy");
        assert.equal(intentAccepts(identity, f.token!), false, JSON.stringify(f.token));
        // the binding lets only acme/api act: acme/web passes the condition and no principal
        assert.equal(f.token!.repository, "acme/api");
        assert.match(
          f.message,
          /with the members bound to roles\/iam\.workloadIdentityUser on api-deploy@acme-prod\.iam\.gserviceaccount\.com accepts a token the intent refuses/,
        );
      }
    });

    it("without policies, reports such a provider as risky instead of deciding with the plan's principals", () => {
      const found = auditGcp(ir!, plan!, deployment(api.attributeCondition, false));
      assert.deepEqual(
        found.map((f) => `${f.kind} ${f.resource}`),
        [`risky ${api.providerName}`],
      );
      assert.match(
        found[0]!.message,
        /its decisions were not compared: pass the IAM policy of api-deploy@acme-prod\.iam\.gserviceaccount\.com$/,
      );
      // a provider that maps trustplane's attribute is decided, saying what the decision assumes
      const d = read([providersOf(plan!)]);
      const loose = d.providers.map((p) =>
        p.name === api.providerName
          ? { ...p, attributeCondition: "assertion.repository == 'acme/api'" }
          : p,
      );
      const over = auditGcp(ir!, plan!, { providers: loose });
      assert.ok(over.length > 0 && over.every((f) => f.kind === "over-grant"));
      assert.match(
        over[0]!.message,
        /^provider \S+\/api-deploy, if its principals are the plan's \(no IAM policy in the files\), accepts a token the intent refuses/,
      );
    });
  });
});
