import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lowest } from "../scripts/test-peers";

const PEERS = (
  JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
    peerDependencies: Record<string, string>;
  }
).peerDependencies;

/**
 * The peer ranges `npm run test:peers` installs the lowest versions of (that script runs the
 * component tests on them; this one runs no install). Proves the script reads every declared
 * range and that the AWS range leaves out the releases the component cannot run on.
 */
describe("peer dependency ranges", () => {
  it("are all read by npm run test:peers, which takes each one's lowest version", () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(PEERS).map(([name, range]) => [name, lowest(range)])),
      {
        "@pulumi/pulumi": "3.142.0",
        "@pulumi/aws": "6.65.0",
        "@pulumi/azure-native": "2.21.1",
        "@pulumi/gcp": "8.0.0",
      },
    );
  });

  // @pulumi/aws 6.64.0 and earlier throw "Missing required property 'thumbprintLists'" for an
  // OpenIdConnectProvider without thumbprints, as trustplane registers it
  it("admit no @pulumi/aws before 6.65.0, the first release where thumbprintLists is optional", () => {
    assert.equal(lowest(PEERS["@pulumi/aws"]!), "6.65.0");
  });

  it("lowest takes the lowest alternative in any order, and refuses range forms it cannot read", () => {
    assert.equal(lowest("^7.0.0 || ^6.65.0"), "6.65.0");
    assert.equal(lowest("^3.10.0 || ^3.9.1"), "3.9.1");
    assert.throws(() => lowest(">=6.0.0"), /expected \^x\.y\.z/);
    assert.throws(() => lowest("^6.0"), /expected \^x\.y\.z/);
  });
});
