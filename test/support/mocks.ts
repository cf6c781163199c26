import type * as pulumi from "@pulumi/pulumi";

/** One registration the mocks saw: type token, logical name, inputs, and its options. */
export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
}

export const registered: Registered[] = [];

/**
 * Pulumi mocks that echo inputs and add the outputs each cloud computes (ARNs, IDs, e-mails),
 * shaped like the real ones. They prove nothing about what a cloud accepts.
 */
export const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    registered.push({
      type: args.type,
      name: args.name,
      custom: args.custom ?? true,
      inputs: args.inputs as Record<string, unknown>,
    });
    const inputs = args.inputs as Record<string, string>;
    const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
    switch (args.type) {
      case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        state.arn = `arn:aws:iam::111111111111:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`;
        break;
      case "aws:iam/role:Role":
        state.arn = `arn:aws:iam::111111111111:role${inputs.path ?? "/"}${inputs.name}`;
        break;
      case "azure-native:managedidentity:UserAssignedIdentity":
        state.name = inputs.resourceName;
        state.clientId = `client-${inputs.resourceName}`;
        state.principalId = `principal-${inputs.resourceName}`;
        state.tenantId = "00000000-0000-0000-0000-00000000000a";
        break;
      case "gcp:serviceaccount/account:Account":
        state.email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
        state.name = `projects/${inputs.project}/serviceAccounts/${state.email as string}`;
        break;
    }
    return { id: `${args.name}-id`, state };
  },
  call: (args) => args.inputs as Record<string, unknown>,
};

/** Resolves an output (under mocks, outside preview). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}
