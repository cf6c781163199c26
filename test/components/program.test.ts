import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import type { Summary } from "../../lib/components";
import { mocks, silenceWarnings, valueOf } from "../support/mocks";
import { mockGuid } from "../support/mock-state";

/**
 * Runs the platform program the README tells teams to copy, under Pulumi's mocks: it compiles
 * examples/platform.yaml and exports what app teams need. Does not prove `pulumi up` succeeds
 * against real clouds.
 */
describe("examples/pulumi (the platform program)", () => {
  it("exports a summary with every identity's grants, logging the document's warnings", async () => {
    await pulumi.runtime.setMocks(mocks, "trustplane-platform", "prod", false);
    const quiet = silenceWarnings();
    let program: { summary: pulumi.Output<Summary> };
    try {
      // the program registers its resources when loaded, so it is loaded after the mocks
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      program = require("../../examples/pulumi") as typeof program;
    } finally {
      quiet.restore();
    }
    assert.deepStrictEqual(
      quiet.messages.map((m) => `${m.split(":")[0]} ${m.slice(m.lastIndexOf("(at "))}`),
      [
        "mutable_subject (at identities[0].subjects[0])",
        "mutable_subject (at identities[0].subjects[1])",
        "mutable_subject (at identities[0].subjects[2])",
        "mutable_subject (at identities[1].subjects[0])",
      ],
    );
    const summary = await valueOf(program.summary);
    assert.deepStrictEqual(Object.keys(summary.identities).sort(), [
      "api-deploy",
      "api-release",
      "web-deploy",
    ]);
    assert.deepStrictEqual(summary.identities["api-release"]!.grants["aws-prod"], {
      cloud: "aws",
      audience: "sts.amazonaws.com",
      roleArn: "arn:aws:iam::111111111111:role/api-release",
    });
    assert.equal(
      summary.identities["web-deploy"]!.grants["azure-prod"]!.clientId,
      mockGuid("client", "web-deploy"),
    );
  });
});
