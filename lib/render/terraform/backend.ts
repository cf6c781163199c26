import type { HclBody } from "../hcl";
import type { BackendHandoff, IdentityHandoff } from "../model";
import { gcpCredentialsFile, tokenFile } from "./tokens";

/**
 * `backend.tf`: the state backend in the cloud of the backend's grant, authenticated as that
 * grant's identity — through the CI's login step (GitHub), or a token file (GitLab, none).
 */
export function backendBody(h: IdentityHandoff, backend: BackendHandoff): HclBody {
  return [
    {
      block: "terraform",
      body: [{ block: "backend", labels: [backend.kind], body: settings(h, backend) }],
    },
  ];
}

function settings(h: IdentityHandoff, b: BackendHandoff): HclBody {
  const file = tokenFile(h, b.grant);
  switch (b.kind) {
    case "s3":
      return [
        ...(file === undefined
          ? [
              {
                comment: `Credentials: the role ${b.grant.roleArn}, assumed by the CI's login step.`,
              },
            ]
          : []),
        { attribute: "bucket", value: b.bucket },
        { attribute: "key", value: b.key },
        { attribute: "region", value: b.region },
        // S3-native locking: DynamoDB locking is deprecated
        { attribute: "use_lockfile", value: true },
        ...(file === undefined
          ? []
          : [
              {
                attribute: "assume_role_with_web_identity",
                value: {
                  role_arn: b.grant.roleArn,
                  session_name: b.grant.sessionName,
                  web_identity_token_file: file,
                },
              },
            ]),
      ];
    case "azurerm":
      return [
        { attribute: "storage_account_name", value: b.storageAccount },
        { attribute: "container_name", value: b.container },
        { attribute: "key", value: b.key },
        // Entra ID to the blob data plane, not an account key
        { attribute: "use_azuread_auth", value: true },
        { attribute: "use_oidc", value: true },
        { attribute: "client_id", value: b.grant.clientId },
        { attribute: "tenant_id", value: b.grant.tenantId },
        ...(file === undefined ? [] : [{ attribute: "oidc_token_file_path", value: file }]),
      ];
    case "gcs":
      return [
        {
          comment:
            file === undefined
              ? "Credentials: application default credentials from the CI's login step."
              : `Credentials: GOOGLE_APPLICATION_CREDENTIALS=${gcpCredentialsFile(b.grant.target)} (a backend takes no expressions).`,
        },
        { attribute: "bucket", value: b.bucket },
        ...(b.prefix === undefined ? [] : [{ attribute: "prefix", value: b.prefix }]),
      ];
  }
}
