import { strict as assert } from "node:assert";
import { analyse } from "../../lib/compile";
import type { Issue } from "../../lib/errors";
import { formatPath } from "../../lib/errors";
import { TARGETS } from "../support/documents";

const GITHUB = { kind: "github" };
const API = { repository: "acme/api", environment: "production" };

/** A document with one GitHub identity named `name`, granted in azure-prod with `grant`. */
function withIdentity(name: string, grant: object = {}, issuer: object = GITHUB, target = {}) {
  return {
    version: 1,
    issuers: { ci: issuer },
    targets: { "azure-prod": { ...TARGETS["azure-prod"], ...target } },
    identities: [
      { name, issuer: "ci", subjects: [API], grants: [{ target: "azure-prod", ...grant }] },
    ],
  };
}

const found = (issues: readonly Issue[], code: string) =>
  issues.filter((i) => i.code === code).map((i) => [formatPath(i.path), i.severity, i.message]);

describe("azure limits", () => {
  describe("managed identity names", () => {
    it("fails when the identity's own name is under 3 characters, and says to set identityName", () => {
      assert.deepStrictEqual(found(analyse(withIdentity("ab")).issues, "invalid_name"), [
        [
          "identities[0].grants[0].identityName",
          "error",
          `the managed identity would be named "ab", and identity names are 3-128 letters, digits, '-' and '_', starting with a letter or digit; set identityName on this grant`,
        ],
      ]);
    });

    it("accepts 3 characters, and the fix", () => {
      assert.deepStrictEqual(found(analyse(withIdentity("abc")).issues, "invalid_name"), []);
      const fixed = analyse(withIdentity("ab", { identityName: "ab-deploy" }));
      assert.ok(fixed.plan, JSON.stringify(fixed.issues));
    });

    it("fails on an identityName Azure refuses, in the schema", () => {
      for (const name of ["ab", "-abc", "a".repeat(129), "a.b.c"]) {
        const { issues } = analyse(withIdentity("deploy", { identityName: name }));
        assert.deepStrictEqual(
          issues.filter((i) => i.severity === "error").map((i) => [i.code, formatPath(i.path)]),
          [["invalid_value", "identities[0].grants[0].identityName"]],
          name,
        );
      }
      assert.ok(analyse(withIdentity("deploy", { identityName: "A".repeat(128) })).plan);
    });
  });

  describe("regions", () => {
    it("fails on a location whose managed identities take no federated credential", () => {
      for (const location of ["newzealandnorth", "malaysiasouth"]) {
        const { issues } = analyse(withIdentity("deploy", {}, GITHUB, { location }));
        assert.deepStrictEqual(
          issues.filter((i) => i.severity === "error").map((i) => [i.code, formatPath(i.path)]),
          [["azure_region_unsupported", "targets.azure-prod.location"]],
          location,
        );
      }
    });

    it("accepts the regions Microsoft has enabled since (East Asia, Italy North) and the others", () => {
      for (const location of ["eastasia", "italynorth", "westeurope", "malaysiawest"]) {
        assert.ok(analyse(withIdentity("deploy", {}, GITHUB, { location })).plan, location);
      }
    });
  });

  describe("audiences", () => {
    const PULUMI = { kind: "pulumi-cloud", organization: "acme" };
    /** Two Pulumi Deployments identities (stacks one and two) granted in azure-prod. */
    const stacks = (issuer: object) => ({
      version: 1,
      issuers: { ci: issuer },
      targets: { "azure-prod": TARGETS["azure-prod"] },
      identities: ["one", "two"].map((stack) => ({
        name: stack,
        issuer: "ci",
        subjects: [
          { org: "acme", project: "platform", stack, operation: "update", scope: "write" },
        ],
        grants: [{ target: "azure-prod" }],
      })),
    });
    const warned = (document: unknown) => {
      const { plan, issues } = analyse(document);
      assert.ok(plan, JSON.stringify(issues));
      return issues
        .filter((i) => i.code === "azure_custom_audience")
        .map((i) => [formatPath(i.path), i.severity]);
    };

    it("warns once per issuer whose audience for Azure is custom, unless the issuer fixes it", () => {
      assert.deepStrictEqual(warned(stacks(PULUMI)), []);
      const bitbucket = {
        kind: "bitbucket",
        workspace: "acme",
        workspaceUuid: "{0f0e0d0c-0b0a-4908-8706-050403020100}",
      };
      const pipelines = {
        version: 1,
        issuers: { ci: bitbucket },
        targets: { "azure-prod": TARGETS["azure-prod"] },
        identities: ["one", "two"].map((name, i) => ({
          name,
          issuer: "ci",
          subjects: [
            {
              sub: `{4b6c8d0e-2f1a-4c3b-9d5e-7f6a8b0c2d1${i}}:{6d8e0f2a-4b3c-4e5d-9f7a-9b8c0d2e4f3a}`,
            },
          ],
          grants: [{ target: "azure-prod" }],
        })),
      };
      assert.deepStrictEqual(warned(pipelines), [["issuers.ci.audiences.azure", "warning"]]);
      // a grant's own audience is the grant's choice, whatever the issuer
      const own = stacks(PULUMI);
      own.identities[0]!.grants[0] = { target: "azure-prod", audience: "acme-azure" } as never;
      assert.deepStrictEqual(warned(own), [["identities[0].grants[0].audience", "warning"]]);
    });

    it("stays quiet on the recommended audience, in each cloud's form", () => {
      for (const aud of ["api://AzureADTokenExchange", "api://AzureADTokenExchangeUSGov"]) {
        assert.deepStrictEqual(warned(stacks({ ...PULUMI, audiences: { azure: aud } })), [], aud);
      }
      assert.deepStrictEqual(warned(withIdentity("deploy")), []);
    });

    it("warns at a grant's own custom audience", () => {
      assert.deepStrictEqual(warned(withIdentity("deploy", { audience: "api://acme" })), [
        ["identities[0].grants[0].audience", "warning"],
      ]);
    });
  });
});
