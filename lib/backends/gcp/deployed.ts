import { isRecord, own } from "../../internal/own";

/**
 * The workload identity pool providers a GCP project has deployed, read from
 * `gcloud iam workload-identity-pools providers list --workload-identity-pool=POOL
 * --location=global --format=json` (a list; each item's `name` is the provider's full name).
 *
 * @see https://cloud.google.com/sdk/gcloud/reference/iam/workload-identity-pools/providers/list
 * @see https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools.providers
 */

/** A deployed OIDC provider of a workload identity pool. */
export interface DeployedProvider {
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>`. */
  readonly name: string;
  readonly issuerUri: string;
  /** As GCP reads them: an empty list accepts the provider's own name, with or without https:. */
  readonly allowedAudiences: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  /** As GCP reads it: no condition accepts every token of the issuer. */
  readonly attributeCondition: string;
  readonly disabled: boolean;
  readonly source: string;
}

const PROVIDER_NAME =
  /^projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/;

/** Whether a file is a providers list: items named like providers. */
export function isProviderList(json: unknown): boolean {
  return (
    Array.isArray(json) &&
    json.every((p) => {
      const name = isRecord(p) ? own(p, "name") : undefined;
      return typeof name === "string" && PROVIDER_NAME.test(name);
    })
  );
}

/**
 * Reads provider lists (each parsed JSON, with its file's name). A file that is not one, or a
 * provider that is not OIDC, is a problem naming the file. Never throws.
 */
export function readGcpProviders(
  files: readonly { source: string; json: unknown }[],
): { providers: DeployedProvider[] } | { problems: string[] } {
  const problems: string[] = [];
  const providers: DeployedProvider[] = [];
  for (const { source, json } of files) {
    if (!isProviderList(json)) {
      problems.push(
        `${source} is not an output trustplane reads for GCP: expected gcloud iam workload-identity-pools providers list --format=json`,
      );
      continue;
    }
    for (const item of json as Record<string, unknown>[]) {
      const name = own(item, "name") as string;
      const oidc = own(item, "oidc");
      const issuerUri = isRecord(oidc) ? own(oidc, "issuerUri") : undefined;
      if (typeof issuerUri !== "string") {
        problems.push(`${source}: provider ${name} is not an OIDC provider (no oidc.issuerUri)`);
        continue;
      }
      const audiences = own(oidc as Record<string, unknown>, "allowedAudiences");
      const listed = Array.isArray(audiences)
        ? audiences.filter((a): a is string => typeof a === "string")
        : [];
      const mapping = own(item, "attributeMapping");
      const condition = own(item, "attributeCondition");
      providers.push({
        name,
        issuerUri,
        allowedAudiences: listed.length
          ? listed
          : [`//iam.googleapis.com/${name}`, `https://iam.googleapis.com/${name}`],
        attributeMapping: isRecord(mapping)
          ? (Object.fromEntries(
              Object.entries(mapping).filter(([, v]) => typeof v === "string"),
            ) as Record<string, string>)
          : {},
        attributeCondition:
          typeof condition === "string" && condition.trim() !== "" ? condition : "true",
        disabled: own(item, "disabled") === true || own(item, "state") === "DELETED",
        source,
      });
    }
  }
  return problems.length ? { problems } : { providers };
}
