import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { TrustPlane } from "../../lib/components";
import { analyse } from "../../lib/compile";
import { mocks, registered, valueOf } from "../support/mocks";

const EXAMPLES = join(__dirname, "..", "..", "examples");

/**
 * Proves what TrustPlane registers under Pulumi's mocks: types, logical names and inputs. Does
 * not prove that any cloud accepts the requests.
 */
describe("TrustPlane", () => {
  before(async () => {
    await pulumi.runtime.setMocks(mocks, "trustplane", "test", false);
  });
  beforeEach(() => {
    registered.length = 0;
  });

  it("registers exactly the resources the plan lists", async () => {
    const platform = TrustPlane.fromFile("platform", join(EXAMPLES, "platform.yaml"));
    await valueOf(platform.summary);
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs?.();
    const custom = registered
      .filter((r) => r.custom)
      .map((r) => `${r.type} ${r.name}`)
      .sort();
    const planned = [
      ...new Set(
        platform.plan.identities.flatMap((i) =>
          i.grants.flatMap((g) => g.resources.map((r) => `${r.type} ${r.name}`)),
        ),
      ),
    ].sort();
    assert.deepStrictEqual(custom, planned);
    void analyse;
  });
});
