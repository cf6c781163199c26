import { strict as assert } from "node:assert";
import { analyse } from "../../lib/compile";
import { isError } from "../../lib/errors";
import { AZURE_SCOPE, oneIdentity } from "../support/documents";

const GITHUB = { kind: "github" };
const API = { repository: "acme/api", environment: "production" };
const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const READER_GUID = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

/** `[code, path, message]` of every error of one identity with these grants. */
function errors(grants: object[]): [string, string, string][] {
  return analyse(oneIdentity(GITHUB, [API], grants as never))
    .issues.filter(isError)
    .map((i) => [i.code, i.path.join("."), i.message]);
}

// A repeated entry would be one resource registered twice: Pulumi refuses the duplicate URN
// only at `pulumi up`, after the other resources of the stack are created.
describe("a grant that lists one thing twice", () => {
  it("refuses a repeated managed policy at the repeat, naming the first", () => {
    assert.deepEqual(errors([{ target: "aws-prod", managedPolicyArns: [READ_ONLY, READ_ONLY] }]), [
      [
        "invalid_value",
        "identities.0.grants.0.managedPolicyArns.1",
        `"${READ_ONLY}" repeats entry 0; list each policy once`,
      ],
    ]);
  });

  it("refuses a repeated GCP role, pointing at its index in the whole list", () => {
    assert.deepEqual(
      errors([{ target: "gcp-prod", roles: ["roles/viewer", "roles/run.admin", "roles/viewer"] }]),
      [
        [
          "invalid_value",
          "identities.0.grants.0.roles.2",
          '"roles/viewer" repeats entry 0; list each role once',
        ],
      ],
    );
  });

  it("refuses an Azure role given by name and by GUID on scopes that differ only in case", () => {
    const upper = AZURE_SCOPE.replace("resourceGroups", "RESOURCEGROUPS");
    assert.deepEqual(
      errors([
        {
          target: "azure-prod",
          roles: [
            { role: "Reader", scope: AZURE_SCOPE },
            { role: READER_GUID, scope: upper },
          ],
        },
      ]),
      [
        [
          "invalid_value",
          "identities.0.grants.0.roles.1",
          `"${READER_GUID}" on "${upper}" repeats entry 0; assign each role on each scope once`,
        ],
      ],
    );
  });

  it("accepts one role on two scopes next to a policy listed once", () => {
    assert.deepEqual(
      errors([
        { target: "aws-prod", managedPolicyArns: [READ_ONLY] },
        {
          target: "azure-prod",
          roles: [
            { role: "Reader", scope: AZURE_SCOPE },
            { role: "Reader", scope: `${AZURE_SCOPE}-two` },
          ],
        },
      ]),
      [],
    );
  });
});
