import { createHash } from "node:crypto";

/** A GUID made from a name, as Entra ID gives each identity its own: the same name, the same GUID. */
export function mockGuid(kind: string, name: string): string {
  const h = createHash("sha256").update(`${kind}:${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The outputs a cloud computes for a resource (ARNs, client and principal IDs, e-mails), shaped
 * like the real ones, added to the echoed inputs. Shared by the tests' mocks and the benchmark's.
 */
export function mockState(type: string, given: Record<string, unknown>): Record<string, unknown> {
  const inputs = given as Record<string, string>;
  const state: Record<string, unknown> = { ...given };
  switch (type) {
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      state.arn = `arn:aws:iam::111111111111:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`;
      break;
    case "aws:iam/role:Role":
      state.arn = `arn:aws:iam::111111111111:role${inputs.path ?? "/"}${inputs.name}`;
      break;
    case "azure-native:managedidentity:UserAssignedIdentity":
      state.name = inputs.resourceName;
      state.clientId = mockGuid("client", inputs.resourceName!);
      state.principalId = mockGuid("principal", inputs.resourceName!);
      state.tenantId = "00000000-0000-0000-0000-00000000000a";
      break;
    case "gcp:serviceaccount/account:Account":
      state.email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
      state.name = `projects/${inputs.project}/serviceAccounts/${String(state.email)}`;
      break;
  }
  return state;
}
