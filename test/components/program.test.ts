import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import type { Summary } from "../../lib/components";
import { mocks, valueOf } from "../support/mocks";

/**
 * Runs the platform program the README tells teams to copy, under Pulumi's mocks: it compiles
 * examples/platform.yaml and exports what app teams need. Does not prove `pulumi up` succeeds
 * against real clouds.
 */
describe("examples/pulumi (the platform program)", () => {
  it("exports a summary with every identity's grants", async () => {
    await pulumi.runtime.setMocks(mocks, "trustplane-platform", "prod", false);
    // the program registers its resources when loaded, so it is loaded after the mocks
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require("../../examples/pulumi") as { summary: pulumi.Output<Summary> };
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
      "client-web-deploy",
    );
  });
});
