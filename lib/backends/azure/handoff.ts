import type { CloudHandoff, GithubStep, GrantHandoffBase } from "../handoff";
import { AZURE_AUDIENCE } from "./credentials";
import { placeholderText } from "../handoff";

/** What an Azure grant hands off: the managed identity to log in as. */
export interface AzureHandoff extends GrantHandoffBase<"azure"> {
  /** The managed identity's client ID, or a placeholder (see `Placeholder`). */
  readonly clientId: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
}

/** Azure in a hand-off: the azurerm backend and provider, logged in as the managed identity. */
export const azureHandoff: CloudHandoff<"azure", AzureHandoff> = {
  backend: {
    name: "azurerm",
    keys: ["storageAccount", "container", "key"],
    required: ["storageAccount", "container", "key"],
  },
  settingIssues: () => [],
  grant: (target, { audience }, { identity, stack, placeholders }) => {
    let clientId = stack.get(identity, target.name, "clientId");
    if (clientId === undefined) {
      clientId = placeholderText(identity, target.name, "clientId");
      placeholders.push({ identity, target: target.name, output: "clientId", text: clientId });
    }
    return {
      cloud: "azure",
      target: target.name,
      audience,
      clientId,
      tenantId: target.tenantId,
      subscriptionId: target.subscriptionId,
    };
  },
  knownBeforeDeploy: ["tenantId", "subscriptionId"],
  backendSettings: (g, config, { tokenFile }) => [
    { attribute: "storage_account_name", value: config.storageAccount! },
    { attribute: "container_name", value: config.container! },
    { attribute: "key", value: config.key! },
    // Entra ID to the blob data plane, not an account key
    { attribute: "use_azuread_auth", value: true },
    { attribute: "use_oidc", value: true },
    { attribute: "client_id", value: g.clientId },
    { attribute: "tenant_id", value: g.tenantId },
    ...(tokenFile === undefined ? [] : [{ attribute: "oidc_token_file_path", value: tokenFile }]),
  ],
  provider: (g, { tokenFile, injected }) => ({
    block: "provider",
    labels: ["azurerm"],
    body: [
      // HCP Terraform refuses a configuration that sets client_id or use_oidc: it injects both
      ...(injected
        ? []
        : [
            { attribute: "use_oidc", value: true },
            { attribute: "client_id", value: g.clientId },
          ]),
      { attribute: "tenant_id", value: g.tenantId },
      { attribute: "subscription_id", value: g.subscriptionId },
      ...(tokenFile === undefined ? [] : [{ attribute: "oidc_token_file_path", value: tokenFile }]),
      { block: "features", body: [] },
    ],
  }),
  files: () => [],
  github: {
    action: "azure/login@v3",
    login: (g) => ({
      name: `Azure login for ${g.target}`,
      uses: "azure/login@v3",
      with: {
        "client-id": g.clientId,
        "tenant-id": g.tenantId,
        "subscription-id": g.subscriptionId,
        ...(g.audience !== AZURE_AUDIENCE ? { audience: g.audience } : {}),
      },
    }),
    // azurerm asks GitHub for a token with the default audience; another one needs a token file
    beforeTerraform: (g) => (g.audience !== AZURE_AUDIENCE ? [tokenStep(g)] : []),
    // what azurerm (provider and backend) reads to authenticate with the job's OIDC token
    terraformEnv: (g) => ({
      ARM_USE_OIDC: "true",
      ARM_CLIENT_ID: g.clientId,
      ARM_TENANT_ID: g.tenantId,
      ARM_SUBSCRIPTION_ID: g.subscriptionId,
    }),
  },
  gitlab: { tokenVariable: "AZURE_ID_TOKEN", variables: () => ({}) },
  workspaceVariables: (g, phase, variable) => [
    variable("TFC_AZURE_PROVIDER_AUTH", "true", "dynamic Azure credentials"),
    variable(`TFC_AZURE_${phase}_CLIENT_ID`, g.clientId, `the managed identity in ${g.target}`),
    ...(g.audience === AZURE_AUDIENCE
      ? []
      : [
          variable(
            "TFC_AZURE_WORKLOAD_IDENTITY_AUDIENCE",
            g.audience,
            "the federated credentials expect this aud",
          ),
        ]),
  ],
};

/**
 * Writes a token with the grant's audience under $RUNNER_TEMP and points azurerm at it. The
 * audience reaches the shell as an environment variable, never as script text.
 */
function tokenStep(g: AzureHandoff): GithubStep {
  const file = `$RUNNER_TEMP/${g.target}.jwt`;
  return {
    name: `Azure token for ${g.target}`,
    shell: "bash",
    env: { AUDIENCE: g.audience },
    run: [
      "umask 077",
      `url="$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$(jq -rn --arg aud "$AUDIENCE" '$aud | @uri')"`,
      `curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$url" | jq -er .value > "${file}"`,
      `echo "ARM_OIDC_TOKEN_FILE_PATH=${file}" >> "$GITHUB_ENV"`,
    ].join("\n"),
  };
}
