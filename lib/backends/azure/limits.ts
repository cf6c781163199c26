import type { Issue, Path } from "../../errors";
import { error, quote } from "../../errors";

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
  /**
   * Federated identity credentials: at most 20 per identity; a name of 3-120 of `[A-Za-z0-9_-]`,
   * first a letter or digit; issuer, subject and the one audience at most 600 characters each;
   * issuer and subject unique per identity.
   *
   * @see https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations
   */
  credentials: { count: 20, fieldLength: 600, name: /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/ },
  /**
   * Tags of a resource: at most 50; names at most 512 characters, without `< > % & \ ? /`;
   * values at most 256 characters.
   *
   * @see https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations
   */
  tags: { count: 50, nameLength: 512, valueLength: 256, forbidden: /[<>%&\\?/]/ },
  /**
   * The audiences Entra recommends for a federated credential, per cloud: Microsoft Graph's
   * federatedIdentityCredential says `audiences` "should be set to api://AzureADTokenExchange …
   * This value represents Microsoft Entra ID in your external identity provider and has no fixed
   * value across identity providers", and the Entra include "The recommended value is
   * api://AzureADTokenExchange" (entra-docs federated-credential-configuration-considerations.md
   * at 5034399), so another audience is accepted; an older revision (0219e6d) and the errors
   * table ("Currently, federated identity credentials support a single audience") say "must be".
   * The US Government and China forms are those clouds' defaults (domain facts §2.1). Read
   * 2026-12-07.
   *
   * @see https://learn.microsoft.com/graph/api/resources/federatedidentitycredential
   */
  recommendedAudiences: [
    "api://AzureADTokenExchange",
    "api://AzureADTokenExchangeUSGov",
    "api://AzureADTokenExchangeChina",
  ],
  /**
   * Regions whose user-assigned managed identities take no federated credential: creating one
   * answers 405 ("Support for federated identity credentials not enabled"). Microsoft's
   * "Unsupported regions (user-assigned managed identities)" lists Malaysia South and New Zealand
   * North (MicrosoftDocs/entra-docs workload-identity-federation-considerations.md at 03ffb81, read
   * 2026-12-07; an older revision listed East Asia, Israel Central, Italy North, Malaysia South,
   * Mexico Central, Qatar Central and Spain Central, since enabled). The list shrinks as support
   * rolls out: refresh it from that page.
   *
   * @see https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations#unsupported-regions-user-assigned-managed-identities
   */
  credentialRegions: {
    unsupported: { malaysiasouth: "Malaysia South", newzealandnorth: "New Zealand North" },
  },
} as const;

/** The managed identity name rule, as messages say it. */
export const IDENTITY_NAME_RULE =
  "identity names are 3-128 letters, digits, '-' and '_', starting with a letter or digit";

/** Why Azure Resource Manager refuses a tag, or undefined when it takes it. */
export function azureTagProblem(name: string, value: string): string | undefined {
  const { tags } = AZURE_LIMITS;
  const bad = tags.forbidden.exec(name)?.[0];
  if (bad !== undefined) return `tag names hold none of < > % & \\ ? /, and this one holds ${bad}`;
  if ([...name].length > tags.nameLength)
    return `tag names are at most ${tags.nameLength} characters`;
  if ([...value].length > tags.valueLength)
    return `tag values are at most ${tags.valueLength} characters`;
  return undefined;
}

/** A location whose managed identities cannot hold federated credentials is refused, with the fix. */
export function regionIssues(location: string, path: Path): Issue[] {
  const unsupported: Readonly<Record<string, string>> = AZURE_LIMITS.credentialRegions.unsupported;
  const region = Object.hasOwn(unsupported, location) ? unsupported[location] : undefined;
  return region === undefined
    ? []
    : [
        error(
          "azure_region_unsupported",
          path,
          `Azure creates no federated credential on a managed identity in ${region} (${quote(location)}): it answers 405, "Support for federated identity credentials not enabled" (Microsoft's list of unsupported regions, read 2026-12-07); put the identities in a supported region such as westeurope, since a managed identity may act on resources in any region`,
        ),
      ];
}
