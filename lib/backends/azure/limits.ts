/**
 * What Azure accepts of the inputs trustplane registers, each rule with where it is written (read
 * 2026-12-07). The schema, the grant checks and the Pulumi option checks use these, and
 * test/components/cloud-rules.test.ts holds every registered input to them: one table.
 */
export const AZURE_LIMITS = {
  /**
   * A user-assigned managed identity's name: 3-128 letters, digits, `-` and `_`, starting with a
   * letter or digit.
   *
   * @see https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftmanagedidentity
   */
  identityName: /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/,
} as const;

/** The managed identity name rule, as messages say it. */
export const IDENTITY_NAME_RULE =
  "identity names are 3-128 letters, digits, '-' and '_', starting with a letter or digit";
