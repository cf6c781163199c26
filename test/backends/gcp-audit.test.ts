import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { auditGcp } from "../../lib/backends/gcp/audit";
import type { DeployedProvider } from "../../lib/backends/gcp/deployed";
import { readGcpProviders } from "../../lib/backends/gcp/deployed";
import { compileDocument } from "../../lib/compile";
import { intentAccepts } from "../../lib/inspect/token-claims";
import type { Plan } from "../../lib/plan/types";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const compiled = (file: string) =>
  compileDocument(parse(readFileSync(join(EXAMPLES, file), "utf8")) as unknown);
const { plan, ir } = compiled("platform.yaml");

/**
 * What `gcloud iam workload-identity-pools providers list --format=json` prints for the plan's
 * providers (https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools.providers:
 * name, displayName, state, disabled, attributeMapping, attributeCondition, oidc.issuerUri,
 * oidc.allowedAudiences), one file for all.
 */
function exportOf(of: Plan): { source: string; json: unknown }[] {
  const json = of.identities.flatMap((i) =>
    i.grants.flatMap((g) =>
      g.cloud === "gcp"
        ? [
            {
              name: g.artefacts.providerName,
              displayName: g.artefacts.providerId,
              state: "ACTIVE",
              disabled: false,
              attributeMapping: { ...g.artefacts.attributeMapping },
              attributeCondition: g.artefacts.attributeCondition,
              oidc: {
                issuerUri: g.artefacts.issuerUri,
                allowedAudiences: [...g.artefacts.allowedAudiences],
              },
            },
          ]
        : [],
    ),
  );
  return [{ source: "providers.json", json }];
}

function read(files: { source: string; json: unknown }[]): DeployedProvider[] {
  const r = readGcpProviders(files);
  assert.ok("providers" in r, JSON.stringify(r));
  return r.providers;
}

const api = plan!.identities
  .find((i) => i.name === "api-deploy")!
  .grants.find((g) => g.cloud === "gcp")!.artefacts as { providerName: string };

/**
 * `audit` on GCP workload identity pool providers (issue 13, part 4, library only). Proves a
 * faithful export of every example has no finding and that a loosened condition, a dropped
 * provider, an unconditioned shadow provider and unreadable CEL each give their finding; does
 * NOT compare IAM bindings (not built yet).
 */
describe("audit: GCP providers against the intent", () => {
  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"))) {
    it(`finds nothing in a deployment of ${file}'s compiled plan`, () => {
      const c = compiled(file);
      assert.deepEqual(auditGcp(c.ir!, c.plan!, read(exportOf(c.plan!))), []);
    });
  }

  it("reports a loosened condition as an over-grant with a token the intent refuses", () => {
    const providers = read(exportOf(plan!)).map((p) =>
      p.name === api.providerName
        ? { ...p, attributeCondition: "assertion.repository.startsWith('acme/')" }
        : p,
    );
    const found = auditGcp(ir!, plan!, providers);
    assert.ok(found.length > 0);
    const identity = ir!.identities.find((i) => i.name === "api-deploy")!;
    for (const f of found) {
      assert.equal(f.kind, "over-grant");
      assert.equal(intentAccepts(identity, f.token!), false);
    }
  });

  it("reports a provider not deployed as missing, and one no identity plans as unmanaged", () => {
    const providers = read(exportOf(plan!));
    const without = providers.filter((p) => p.name !== api.providerName);
    assert.deepEqual(
      auditGcp(ir!, plan!, without).map((f) => `${f.kind} ${f.resource}`),
      [`missing ${api.providerName}`],
    );
    const shadow = {
      ...providers[0]!,
      name: `${api.providerName}-old`,
      attributeCondition: "true",
    };
    assert.deepEqual(
      auditGcp(ir!, plan!, [...providers, shadow]).map((f) => f.kind),
      // no condition on GitHub's shared issuer: unsafe whatever the intent says
      ["risky", "unmanaged"],
    );
    const conditioned = { ...shadow, attributeCondition: "assertion.repository == 'acme/old'" };
    assert.deepEqual(
      auditGcp(ir!, plan!, [...providers, conditioned]).map((f) => f.kind),
      ["unmanaged"],
    );
  });

  it("reads an empty condition as GCP does (every token) and empty audiences as the provider's name", () => {
    const [item] = (exportOf(plan!)[0]!.json as Record<string, unknown>[]).filter(
      (p) => p.name === api.providerName,
    );
    const loose = {
      ...item!,
      attributeCondition: "",
      oidc: { issuerUri: "https://token.actions.githubusercontent.com" },
    };
    const [p] = read([{ source: "p.json", json: [loose] }]);
    assert.equal(p!.attributeCondition, "true");
    assert.deepEqual(p!.allowedAudiences, [
      `//iam.googleapis.com/${api.providerName}`,
      `https://iam.googleapis.com/${api.providerName}`,
    ]);
  });

  it("reports CEL it cannot parse as risky and decides nothing by guess", () => {
    const providers = read(exportOf(plan!)).map((p) =>
      p.name === api.providerName ? { ...p, attributeCondition: "assertion.repository ==" } : p,
    );
    assert.deepEqual(
      auditGcp(ir!, plan!, providers).map((f) => f.kind),
      ["risky"],
    );
  });

  it("refuses a file that is not a providers list, by name", () => {
    assert.deepEqual(readGcpProviders([{ source: "x.json", json: { bindings: [] } }]), {
      problems: [
        "x.json is not an output trustplane reads for GCP: expected gcloud iam workload-identity-pools providers list --format=json",
      ],
    });
  });
});
