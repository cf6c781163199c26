import { expression } from "../../render/hcl";
import type { CloudHandoff, GrantHandoffBase, HandoffAuth } from "../handoff";
import { providerAudience } from "./names";

/** What a GCP grant hands off: the provider to exchange tokens at, and the account to act as. */
export interface GcpHandoff extends GrantHandoffBase<"gcp"> {
  readonly projectId: string;
  readonly projectNumber: string;
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>`. */
  readonly workloadIdentityProvider: string;
  /** Impersonation mode only; direct mode binds roles to the federated principal. */
  readonly serviceAccountEmail?: string;
}

/** The file name of a GCP grant's `external_account` credential configuration. */
export const credentialsFile = (target: string) => `${target}-credentials.json`;

/** GCP in a hand-off: the gcs backend and the google provider, through the provider's exchange. */
export const gcpHandoff: CloudHandoff<"gcp", GcpHandoff> = {
  backend: { name: "gcs", keys: ["bucket", "prefix"], required: ["bucket"] },
  settingIssues: () => [],
  grant: (target, { audience, artefacts: a }) => ({
    cloud: "gcp",
    target: target.name,
    audience,
    projectId: target.projectId,
    projectNumber: target.projectNumber,
    workloadIdentityProvider: a.providerName,
    ...(a.serviceAccountEmail !== undefined ? { serviceAccountEmail: a.serviceAccountEmail } : {}),
  }),
  knownBeforeDeploy: ["workloadIdentityProvider", "serviceAccountEmail", "audience"],
  backendSettings: (g, config, { tokenFile }) => [
    {
      comment:
        tokenFile === undefined
          ? "Credentials: application default credentials from the CI's login step."
          : `Credentials: GOOGLE_APPLICATION_CREDENTIALS=${credentialsFile(g.target)} (a backend takes no expressions).`,
    },
    { attribute: "bucket", value: config.bucket! },
    ...(config.prefix === undefined ? [] : [{ attribute: "prefix", value: config.prefix }]),
  ],
  provider: (g, { tokenFile }) => ({
    block: "provider",
    labels: ["google"],
    body: [
      { attribute: "project", value: g.projectId },
      ...(tokenFile === undefined
        ? []
        : [
            {
              attribute: "credentials",
              value: expression(`file("\${path.module}/${credentialsFile(g.target)}")`),
            },
          ]),
    ],
  }),
  files: (g, auth) =>
    auth.tokenFile === undefined
      ? []
      : [
          {
            path: credentialsFile(g.target),
            text: `${JSON.stringify(credentials(g, auth), null, 2)}\n`,
          },
        ],
  github: {
    action: "google-github-actions/auth@v3",
    login: (g) => ({
      name: `Google Cloud credentials for ${g.target}`,
      uses: "google-github-actions/auth@v3",
      with: {
        workload_identity_provider: g.workloadIdentityProvider,
        ...(g.serviceAccountEmail !== undefined ? { service_account: g.serviceAccountEmail } : {}),
        // the action's default audience is the provider's name behind https://iam.googleapis.com/
        ...(g.audience !== providerAudience(g.workloadIdentityProvider, true)
          ? { audience: g.audience }
          : {}),
      },
    }),
    beforeTerraform: () => [],
    terraformEnv: () => ({}),
  },
  gitlab: {
    tokenVariable: "GCP_ID_TOKEN",
    variables: (g) => ({ GOOGLE_APPLICATION_CREDENTIALS: credentialsFile(g.target) }),
  },
  workspaceVariables: (g, phase, variable) => {
    const provider = g.workloadIdentityProvider;
    return [
      variable("TFC_GCP_PROVIDER_AUTH", "true", "dynamic GCP credentials"),
      variable("TFC_GCP_WORKLOAD_PROVIDER_NAME", provider, `the provider in ${g.target}`),
      ...(g.serviceAccountEmail === undefined
        ? [
            variable(
              "TFC_GCP_PRINCIPAL_TYPE",
              "workload_pool",
              "roles are bound to the federated principal",
            ),
          ]
        : [
            variable(
              `TFC_GCP_${phase}_SERVICE_ACCOUNT_EMAIL`,
              g.serviceAccountEmail,
              `the service account impersonated in ${g.target}`,
            ),
          ]),
      // HCP Terraform's default is the provider's name without `https:`
      ...(g.audience === providerAudience(provider, false)
        ? []
        : [
            variable(
              "TFC_GCP_WORKLOAD_IDENTITY_AUDIENCE",
              g.audience,
              "the provider allows this aud",
            ),
          ]),
    ];
  },
};

/**
 * The `external_account` credential configuration (AIP-4117) that exchanges the token in the
 * job's token file at Google's STS for this grant's provider, then impersonates its service
 * account (impersonate mode) or uses the federated token directly (direct mode).
 */
function credentials(g: GcpHandoff, { tokenFile }: HandoffAuth): Record<string, unknown> {
  return {
    type: "external_account",
    // STS wants the provider's resource name here, whatever `aud` the token carries
    audience: providerAudience(g.workloadIdentityProvider, false),
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    token_url: "https://sts.googleapis.com/v1/token",
    ...(g.serviceAccountEmail === undefined
      ? {}
      : {
          service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${g.serviceAccountEmail}:generateAccessToken`,
        }),
    credential_source: { file: tokenFile, format: { type: "text" } },
  };
}
