import { canonical } from "../../internal/canonical";
import type { Description } from "../../internal/merge";
import { DECLARED, mergeFields, removedProblem } from "../../internal/merge";
import { isRecord, own } from "../../internal/own";
import type { DeployedIamPolicy, PolicyRead } from "./iam-policies";
import {
  isBarePolicy,
  isPolicySearch,
  isWrappedPolicy,
  mergePolicies,
  readPolicies,
} from "./iam-policies";

/**
 * What a GCP project has deployed, read from files the user produces with gcloud: the workload
 * identity pool providers, from `gcloud iam workload-identity-pools providers list
 * --workload-identity-pool=POOL --location=global --format=json` (a list; each item's `name` is
 * the provider's full name), and the IAM policies of projects and service accounts (see
 * `./iam-policies.ts`).
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

/**
 * Everything read from the GCP files. `policies` is undefined when no policy file was given:
 * bindings are then not compared.
 */
export interface GcpDeployment {
  readonly providers: readonly DeployedProvider[];
  readonly policies?: readonly DeployedIamPolicy[];
}

const PROVIDER_NAME =
  /^projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/;

/**
 * Which gcloud output a file is, from its content; undefined when it is none of them. A bare
 * policy is known in order to be refused with the way to wrap it; an empty list holds nothing.
 */
export type GcpFileKind = "providers" | "policy-search" | "policy" | "bare-policy" | "empty";

/** The kind of a gcloud output. */
export function gcpFileKind(json: unknown): GcpFileKind | undefined {
  if (Array.isArray(json) && json.length === 0) return "empty";
  if (isProviderList(json)) return "providers";
  if (isPolicySearch(json)) return "policy-search";
  if (isWrappedPolicy(json)) return "policy";
  if (isBarePolicy(json)) return "bare-policy";
  return undefined;
}

function isProviderList(json: unknown): boolean {
  return (
    Array.isArray(json) &&
    json.every((p) => {
      const name = isRecord(p) ? own(p, "name") : undefined;
      return typeof name === "string" && PROVIDER_NAME.test(name);
    })
  );
}

/**
 * Reads gcloud outputs (each parsed JSON, with its file's name) into one deployment. A file of no
 * known kind, a bare policy (it names no resource), a provider that is not OIDC, an unreadable
 * binding, and files that disagree on one resource (`mergeProviders`, `mergePolicies`) are
 * problems naming the file. Never throws.
 */
export function readGcpFiles(
  files: readonly { source: string; json: unknown }[],
): { deployment: GcpDeployment } | { problems: string[] } {
  const problems: string[] = [];
  const providers: ProviderRead[] = [];
  let policies: PolicyRead[] | undefined;
  for (const { source, json } of files) {
    const kind = gcpFileKind(json);
    if (kind === undefined) {
      problems.push(
        `${source} is not an output trustplane reads for GCP: expected gcloud iam workload-identity-pools providers list, gcloud asset search-all-iam-policies, or a get-iam-policy output wrapped as {"resource": "projects/P", "policy": …} (--format=json)`,
      );
    } else if (kind === "bare-policy") {
      problems.push(
        `${source} is not an output trustplane reads for GCP: an IAM policy does not say whose it is; wrap it with its resource: gcloud projects get-iam-policy P --format=json | jq '{resource: "projects/P", policy: .}' (projects/P/serviceAccounts/EMAIL for a service account's)`,
      );
    } else if (kind === "providers") {
      providers.push(...readProviders(json as Record<string, unknown>[], source, problems));
    } else if (kind !== "empty") {
      policies ??= [];
      const wrapped = kind === "policy";
      const items = (wrapped ? [json] : json) as Record<string, unknown>[];
      const marked = wrapped ? own(json as Record<string, unknown>, DECLARED) : undefined;
      const declares = marked === "part" || marked === "bindings" ? marked : undefined;
      for (const policy of readPolicies(items, source, wrapped, problems))
        policies.push({ policy, ...(declares ? { declares } : {}) });
    }
  }
  const deployment = {
    providers: mergeProviders(providers, problems),
    ...(policies ? { policies: mergePolicies(policies, problems) } : {}),
  };
  return problems.length ? { problems } : { deployment };
}

/** A provider as one file describes it; `declared` when it is a stack's (`DECLARED`). */
interface ProviderRead extends Description<DeployedProvider> {
  readonly declared: boolean;
}

/**
 * One provider per name. What files say of one provider must agree (audiences in any order). A
 * providers list holds every provider of its pool, so a stack's provider of that pool which the
 * list lacks was removed (`removedProblem`).
 */
function mergeProviders(reads: readonly ProviderRead[], problems: string[]): DeployedProvider[] {
  const byName = new Map<string, ProviderRead[]>();
  for (const r of reads) byName.set(r.item.name, [...(byName.get(r.item.name) ?? []), r]);
  const listed = new Map<string, string[]>();
  for (const r of reads.filter((r) => !r.declared))
    listed.set(poolOf(r.item.name), [...(listed.get(poolOf(r.item.name)) ?? []), r.source]);
  return [...byName].map(([name, list]) => {
    const pool = listed.get(poolOf(name));
    if (pool && list.every((r) => r.declared))
      problems.push(removedProblem(list[0]!.source, `provider ${name}`, [...new Set(pool)]));
    const disagree = (field: string, source: string, earlier: readonly string[]) =>
      problems.push(
        `${source} and ${earlier.join(", ")} disagree on ${field} of ${name}: pass files of one moment`,
      );
    // a list of audiences is a set; the rest compares as JSON whatever the order of its keys
    const form = (v: unknown) =>
      canonical(Array.isArray(v) ? (v as unknown[]).map((x) => canonical(x)).sort() : v);
    const same = (_: string, a: unknown, b: unknown) => form(a) === form(b);
    return mergeFields(list, same, disagree, ["source"]);
  });
}

/** The pool of a provider's full name. */
function poolOf(name: string): string {
  return name.slice(0, name.lastIndexOf("/providers/"));
}

function readProviders(
  list: readonly Record<string, unknown>[],
  source: string,
  problems: string[],
): ProviderRead[] {
  return list.flatMap((item) => {
    const name = own(item, "name") as string;
    const oidc = own(item, "oidc");
    const issuerUri = isRecord(oidc) ? own(oidc, "issuerUri") : undefined;
    if (typeof issuerUri !== "string") {
      problems.push(`${source}: provider ${name} is not an OIDC provider (no oidc.issuerUri)`);
      return [];
    }
    const audiences = own(oidc as Record<string, unknown>, "allowedAudiences");
    const listed = Array.isArray(audiences)
      ? audiences.filter((a): a is string => typeof a === "string")
      : [];
    const mapping = own(item, "attributeMapping");
    const condition = own(item, "attributeCondition");
    const provider: DeployedProvider = {
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
    };
    return [{ item: provider, source, declared: own(item, DECLARED) !== undefined }];
  });
}
