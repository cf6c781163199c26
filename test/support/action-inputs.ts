import { parse } from "yaml";

/**
 * The inputs of each action at the major a generated workflow pins, as their `action.yml` and
 * README document them (../shared/reference/domain-facts.md §4.1; hashicorp/setup-terraform's
 * action.yml of its node24 release). A subset where the list is long: a key missing here is
 * refused by the check, never let through. actionlint 1.7.7 knows only older majors.
 */
export const ACTION_INPUTS: Readonly<Record<string, readonly string[]>> = {
  "actions/checkout@v6": [
    "repository",
    "ref",
    "token",
    "path",
    "fetch-depth",
    "persist-credentials",
  ],
  "aws-actions/configure-aws-credentials@v6": [
    "role-to-assume",
    "aws-region",
    "audience",
    "role-session-name",
    "role-duration-seconds",
    "role-chaining",
    "web-identity-token-file",
    "allowed-account-ids",
    "output-credentials",
    "sts-endpoint",
  ],
  "azure/login@v3": [
    "client-id",
    "tenant-id",
    "subscription-id",
    "allow-no-subscriptions",
    "audience",
    "environment",
    "auth-type",
    "enable-AzPSSession",
  ],
  "google-github-actions/auth@v3": [
    "workload_identity_provider",
    "service_account",
    "project_id",
    "audience",
    "create_credentials_file",
    "export_environment_variables",
  ],
  "hashicorp/setup-terraform@v4": [
    "cli_config_credentials_hostname",
    "cli_config_credentials_token",
    "terraform_version",
    "terraform_version_file",
    "terraform_wrapper",
  ],
};

/** Steps that use an action we have no input list for, or pass it an input it does not take. */
export function unknownInputs(workflow: string): string[] {
  const doc = parse(workflow) as { jobs: Record<string, { steps: Record<string, unknown>[] }> };
  const found: string[] = [];
  for (const [job, { steps }] of Object.entries(doc.jobs)) {
    for (const step of steps) {
      if (typeof step.uses !== "string") continue;
      const inputs = ACTION_INPUTS[step.uses];
      if (!inputs) found.push(`${job}: no input list for ${step.uses}`);
      for (const key of Object.keys((step.with as object | undefined) ?? {})) {
        if (!inputs?.includes(key)) found.push(`${job}: ${step.uses} takes no input ${key}`);
      }
    }
  }
  return found;
}
