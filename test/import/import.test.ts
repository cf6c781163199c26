import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parse } from "yaml";
import { CLOUDS } from "../../lib/backends";
import type { DeployedFile } from "../../lib/backends/audits";
import { IMPORTS } from "../../lib/backends/imports";
import { compileDocument } from "../../lib/compile";
import { draftIntent } from "../../lib/import/draft";
import type { Decompiled } from "../../lib/import/trust";
import { verify } from "../../lib/inspect/verify";
import { cliExports } from "../support/exports";

const EXAMPLES = [
  "platform",
  "gitlab",
  "eks-service-account",
  "github-pull-requests",
  "terraform-cloud",
  "pulumi-cloud",
].map((n) => `examples/${n}.yaml`);

function decompile(files: Partial<Record<string, DeployedFile[]>>): Decompiled[] {
  return CLOUDS.flatMap((cloud) => {
    const mine = files[cloud] ?? [];
    if (!mine.length) return [];
    const result = IMPORTS[cloud](mine);
    if ("problems" in result) throw new Error(result.problems.join("; "));
    return [result];
  });
}

describe("import", () => {
  describe("round trip of every example: export → import → compile", () => {
    for (const file of EXAMPLES) {
      it(basename(file), function () {
        this.timeout(60_000);
        const { plan } = compileDocument(parse(readFileSync(file, "utf8")) as unknown);
        const draft = draftIntent(decompile(cliExports(plan!)));
        assert.deepEqual(draft.skipped, []);
        const grants = plan!.identities.flatMap((i) => i.grants).length;
        assert.equal(draft.imported.length, grants, "every deployed role, identity and provider");
        for (const x of draft.imported)
          assert.deepEqual(x.divergences, [], `${x.trust.resource} decided like the deployed`);
        assert.ok(
          draft.imported.every((x) => x.tokens > 10),
          "each proof decided tokens",
        );
        // the draft compiles, and its own artefacts agree with its selectors
        const compiled = compileDocument(draft.document);
        assert.ok(compiled.plan, JSON.stringify(compiled.issues));
        assert.equal(verify(draft.document).verification?.ok, true);
        // one identity per intent identity when the examples' selectors read back into claims
        assert.ok(draft.document.identities.length <= grants);
      });
    }
  });

  it("merges one intent's trust from three clouds into one identity with three grants", function () {
    this.timeout(30_000);
    const { plan } = compileDocument(parse(readFileSync("examples/platform.yaml", "utf8")));
    const draft = draftIntent(decompile(cliExports(plan!)));
    const api = draft.document.identities.find((i) => i.name === "api-deploy")!;
    assert.deepEqual(api.subjects, [
      { environment: { absent: true }, ref: "refs/heads/main", repository: "acme/api" },
      { environment: { oneOf: ["production", "qa", "staging"] }, repository: "acme/api" },
    ]);
    assert.deepEqual(
      api.grants.map((g) => g.target),
      ["aws-111111111111", "azure-identities", "gcp-123456789012"],
    );
    // the Azure identity list gave the tenant and region; the GCP project ID stays a placeholder
    assert.deepEqual(draft.placeholders, [
      {
        path: ["targets", "gcp-123456789012", "projectId"],
        what: "the ID of project 123456789012",
      },
    ]);
    // web-deploy's immutable subjects read back under a second GitHub issuer
    assert.deepEqual(
      Object.values(draft.document.issuers).map((i) => i),
      [{ kind: "github" }, { kind: "github", subjectFormat: "immutable" }],
    );
  });
});
