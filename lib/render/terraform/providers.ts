import type { HclBody, HclBlock } from "../hcl";
import { expression } from "../hcl";
import type { AwsHandoff, AzureHandoff, GcpHandoff, GrantHandoff, IdentityHandoff } from "../model";
import { gcpCredentialsFile, tokenFile } from "./tokens";

/**
 * `providers.tf`: one provider per cloud the hand-off uses, authenticated as the identity's
 * grant there: by ambient credentials from the CI's login steps (GitHub), HCP Terraform's
 * dynamic credentials (`hcp-terraform`), or the token files the job writes (GitLab, none).
 */
export function providersBody(h: IdentityHandoff): HclBody {
  return h.grants.map((grant) => provider(h, grant));
}

function provider(h: IdentityHandoff, grant: GrantHandoff): HclBlock {
  switch (grant.cloud) {
    case "aws":
      return { block: "provider", labels: ["aws"], body: aws(h, grant) };
    case "azure":
      return { block: "provider", labels: ["azurerm"], body: azure(h, grant) };
    case "gcp":
      return { block: "provider", labels: ["google"], body: gcp(h, grant) };
  }
}

function aws(h: IdentityHandoff, g: AwsHandoff): HclBody {
  const file = tokenFile(h, g);
  return [
    { attribute: "region", value: g.region },
    // a credential for another account fails here instead of changing the wrong account
    { attribute: "allowed_account_ids", value: [g.accountId] },
    ...(file === undefined
      ? []
      : [
          {
            block: "assume_role_with_web_identity",
            body: [
              { attribute: "role_arn", value: g.roleArn },
              { attribute: "session_name", value: g.sessionName },
              { attribute: "web_identity_token_file", value: file },
            ],
          },
        ]),
  ];
}

function azure(h: IdentityHandoff, g: AzureHandoff): HclBody {
  const file = tokenFile(h, g);
  // HCP Terraform refuses a configuration that sets client_id or use_oidc: it injects both
  const oidc =
    h.ci === "hcp-terraform"
      ? []
      : [
          { attribute: "use_oidc", value: true },
          { attribute: "client_id", value: g.clientId },
        ];
  return [
    ...oidc,
    { attribute: "tenant_id", value: g.tenantId },
    { attribute: "subscription_id", value: g.subscriptionId },
    ...(file === undefined ? [] : [{ attribute: "oidc_token_file_path", value: file }]),
    { block: "features", body: [] },
  ];
}

function gcp(h: IdentityHandoff, g: GcpHandoff): HclBody {
  const file = tokenFile(h, g);
  return [
    { attribute: "project", value: g.projectId },
    ...(file === undefined
      ? []
      : [
          {
            attribute: "credentials",
            value: expression(`file("\${path.module}/${gcpCredentialsFile(g.target)}")`),
          },
        ]),
  ];
}
