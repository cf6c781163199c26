import { isRecord, own } from "../../internal/own";

/**
 * The federated identity credentials an Azure subscription has deployed, read from
 * `az identity federated-credential list -o json` (one file per identity; each item's `id`
 * names its identity).
 *
 * @see https://learn.microsoft.com/cli/azure/identity/federated-credential#az-identity-federated-credential-list
 */

/** A deployed federated credential and the managed identity it belongs to. */
export interface DeployedCredential {
  /** The identity's resource ID, lowercased: Azure resource IDs compare case-insensitively. */
  readonly identityId: string;
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
  /** Set when the credential matches claims by expression (flexible FICs) instead of `subject`. */
  readonly expression?: string;
  readonly source: string;
}

/** The resource ID of a user-assigned managed identity, lowercased for comparison. */
export function identityId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/microsoft.managedidentity/userassignedidentities/${name}`.toLowerCase();
}

const CREDENTIAL_ID =
  /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+)\/federatedidentitycredentials\/[^/]+$/i;

/** Whether a file is `az identity federated-credential list` output: a list of credentials. */
export function isCredentialList(json: unknown): boolean {
  return (
    Array.isArray(json) &&
    json.every(
      (c) =>
        isRecord(c) &&
        typeof own(c, "id") === "string" &&
        CREDENTIAL_ID.test(own(c, "id") as string),
    )
  );
}

/**
 * Reads credential lists (each already parsed JSON, with its file's name). A file that is not
 * one, or an item without issuer or subject (and no expression), is a problem naming the file.
 * Never throws.
 */
export function readAzureCredentials(
  files: readonly { source: string; json: unknown }[],
): { credentials: DeployedCredential[] } | { problems: string[] } {
  const problems: string[] = [];
  const credentials: DeployedCredential[] = [];
  for (const { source, json } of files) {
    if (!isCredentialList(json)) {
      problems.push(
        `${source} is not an output trustplane reads for Azure: expected az identity federated-credential list -o json (a list whose items' id names their identity)`,
      );
      continue;
    }
    (json as Record<string, unknown>[]).forEach((item, i) => {
      const id = own(item, "id") as string;
      const issuer = own(item, "issuer");
      const subject = own(item, "subject");
      const expression = own(item, "claimsMatchingExpression");
      const audiences = own(item, "audiences");
      const text = (v: unknown) => (typeof v === "string" ? v : undefined);
      // flexible credentials hold {value, languageVersion}
      const described =
        text(expression) ?? (isRecord(expression) ? text(own(expression, "value")) : undefined);
      if (typeof issuer !== "string" || (typeof subject !== "string" && described === undefined)) {
        problems.push(`${source}[${i}] (${id}) has no issuer or subject`);
        return;
      }
      credentials.push({
        identityId: CREDENTIAL_ID.exec(id)![1]!.toLowerCase(),
        name: text(own(item, "name")) ?? id.slice(id.lastIndexOf("/") + 1),
        issuer,
        subject: typeof subject === "string" ? subject : "",
        audiences: Array.isArray(audiences)
          ? audiences.filter((a): a is string => typeof a === "string")
          : [],
        ...(described !== undefined ? { expression: described } : {}),
        source,
      });
    });
  }
  return problems.length ? { problems } : { credentials };
}
