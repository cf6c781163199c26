import { isRecord, own } from "../../internal/own";

/**
 * What an AWS account has deployed, read from files the user produces with the AWS CLI, without
 * giving trustplane credentials: `aws iam get-account-authorization-details --output json`,
 * `aws iam get-role --output json` and `aws iam get-open-id-connect-provider --output json`.
 *
 * @see https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html
 * @see https://docs.aws.amazon.com/cli/latest/reference/iam/get-role.html
 * @see https://docs.aws.amazon.com/cli/latest/reference/iam/get-open-id-connect-provider.html
 */

/** A role as deployed. Lists a file does not hold (get-role has no policies) are undefined. */
export interface DeployedRole {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  /** The trust policy as JSON data, decoded when the file holds the API's URL-encoded text. */
  readonly trustPolicy: Readonly<Record<string, unknown>>;
  readonly managedPolicyArns?: readonly string[];
  readonly inlinePolicies?: Readonly<Record<string, unknown>>;
  readonly permissionsBoundary?: string;
  readonly maxSessionDuration?: number;
  /** The files it was read from. */
  readonly sources: readonly string[];
}

/** An IAM OIDC provider as deployed: its URL (with https://) and client IDs. */
export interface DeployedOidcProvider {
  /** Known when the file names it (`OpenIDConnectProviderArn`, the command's own parameter). */
  readonly arn?: string;
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly sources: readonly string[];
}

export interface AwsDeployment {
  readonly roles: readonly DeployedRole[];
  readonly providers: readonly DeployedOidcProvider[];
}

/** Which AWS CLI output a file is; undefined when it is none of them. */
export type AwsFileKind = "account-authorization-details" | "role" | "oidc-provider";

/** The kind of an AWS CLI output, from its content. */
export function awsFileKind(json: unknown): AwsFileKind | undefined {
  if (!isRecord(json)) return undefined;
  if (Array.isArray(own(json, "RoleDetailList"))) return "account-authorization-details";
  if (isRecord(own(json, "Role"))) return "role";
  if (typeof own(json, "Url") === "string" && Array.isArray(own(json, "ClientIDList")))
    return "oidc-provider";
  return undefined;
}

/** What reading the files gave: the deployment, or the problems that stop it (each names its file). */
export type AwsRead = { readonly deployment: AwsDeployment } | { readonly problems: string[] };

/**
 * Reads AWS CLI outputs (each already parsed JSON, with the name of its file) into one
 * deployment. A role or provider in several files is merged; files that disagree on it, a file
 * of no known kind, and a policy that is neither JSON nor URL-encoded JSON are problems. Never
 * throws.
 */
export function readAwsFiles(files: readonly { source: string; json: unknown }[]): AwsRead {
  const problems: string[] = [];
  const roles = new Map<string, DeployedRole>();
  const providers = new Map<string, DeployedOidcProvider>();
  for (const { source, json } of files) {
    const kind = awsFileKind(json);
    const record = json as Record<string, unknown>;
    if (kind === undefined) {
      problems.push(
        `${source} is not an output trustplane reads for AWS: expected aws iam get-account-authorization-details, get-role or get-open-id-connect-provider --output json`,
      );
    } else if (kind === "oidc-provider") {
      const provider = readProvider(record, source, problems);
      if (provider) merge(providers, provider.arn ?? provider.url, provider, source, problems);
    } else {
      const list = kind === "role" ? [own(record, "Role")] : own(record, "RoleDetailList");
      (list as unknown[]).forEach((entry, i) => {
        const where = kind === "role" ? `${source}: Role` : `${source}: RoleDetailList[${i}]`;
        const role = readRole(entry, where, source, problems);
        if (role) merge(roles, role.arn, role, source, problems);
      });
    }
  }
  if (problems.length) return { problems };
  return { deployment: { roles: [...roles.values()], providers: [...providers.values()] } };
}

function readRole(
  entry: unknown,
  where: string,
  source: string,
  problems: string[],
): DeployedRole | undefined {
  if (!isRecord(entry)) return void problems.push(`${where} is not an object`);
  const arn = string(entry, "Arn");
  const name = string(entry, "RoleName");
  if (arn === undefined || name === undefined)
    return void problems.push(`${where} has no Arn or RoleName`);
  const at = `${where} (${name})`;
  const trustPolicy = policyDocument(own(entry, "AssumeRolePolicyDocument"), at, problems);
  if (trustPolicy === undefined) return undefined;
  const attached = own(entry, "AttachedManagedPolicies");
  const inline = own(entry, "RolePolicyList");
  const boundary = own(entry, "PermissionsBoundary");
  const maxSessionDuration = own(entry, "MaxSessionDuration");
  return {
    arn,
    name,
    path: string(entry, "Path") ?? "/",
    trustPolicy,
    ...(Array.isArray(attached)
      ? {
          managedPolicyArns: attached.flatMap((p) =>
            isRecord(p) ? (string(p, "PolicyArn") ?? []) : [],
          ),
        }
      : {}),
    ...(Array.isArray(inline) ? { inlinePolicies: inlinePolicies(inline, at, problems) } : {}),
    ...(isRecord(boundary) && string(boundary, "PermissionsBoundaryArn")
      ? { permissionsBoundary: string(boundary, "PermissionsBoundaryArn") }
      : {}),
    ...(typeof maxSessionDuration === "number" ? { maxSessionDuration } : {}),
    sources: [source],
  };
}

function inlinePolicies(list: unknown[], at: string, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const p of list) {
    const name = isRecord(p) ? string(p, "PolicyName") : undefined;
    if (!isRecord(p) || name === undefined) {
      problems.push(`${at}: an entry of RolePolicyList has no PolicyName`);
      continue;
    }
    const document = policyDocument(own(p, "PolicyDocument"), `${at}: policy ${name}`, problems);
    if (document !== undefined) out[name] = document;
  }
  return out;
}

function readProvider(
  json: Record<string, unknown>,
  source: string,
  problems: string[],
): DeployedOidcProvider | undefined {
  const url = string(json, "Url")!;
  const clientIds = (own(json, "ClientIDList") as unknown[]).filter(
    (c): c is string => typeof c === "string",
  );
  const arn = string(json, "OpenIDConnectProviderArn");
  if (arn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/.test(arn)) {
    return void problems.push(
      `${source}: OpenIDConnectProviderArn ${JSON.stringify(arn)} is not an OIDC provider ARN`,
    );
  }
  // the CLI prints the URL without its scheme; trust policies and tokens know it with https://
  const full = /^https:\/\//.test(url) ? url : `https://${url}`;
  return { ...(arn ? { arn } : {}), url: full, clientIds, sources: [source] };
}

/**
 * A policy as the file holds it: JSON data as the CLI prints it, or the URL-encoded JSON text
 * the API returns (RFC 3986).
 */
function policyDocument(
  value: unknown,
  at: string,
  problems: string[],
): Record<string, unknown> | undefined {
  if (isRecord(value)) return value;
  if (typeof value !== "string") return void problems.push(`${at}: the policy document is missing`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.trimStart().startsWith("{") ? value : decodeURIComponent(value));
  } catch {
    return void problems.push(
      `${at}: the policy document is neither JSON nor URL-encoded JSON (${JSON.stringify(value.slice(0, 40))}…)`,
    );
  }
  if (!isRecord(parsed)) return void problems.push(`${at}: the policy document is not an object`);
  return parsed;
}

/** Adds `item` under `key`, merging what another file said of it; a disagreement is a problem. */
function merge<T extends { readonly sources: readonly string[] }>(
  into: Map<string, T>,
  key: string,
  item: T,
  source: string,
  problems: string[],
): void {
  const known = into.get(key);
  if (!known) {
    into.set(key, item);
    return;
  }
  const merged: Record<string, unknown> = { ...known };
  for (const [field, value] of Object.entries(item)) {
    if (field === "sources") continue;
    const before = own(known as Record<string, unknown>, field);
    if (before !== undefined && JSON.stringify(before) !== JSON.stringify(value)) {
      problems.push(
        `${source} and ${known.sources.join(", ")} disagree on ${field} of ${key}: pass files of one moment`,
      );
    }
    merged[field] = before ?? value;
  }
  into.set(key, { ...(merged as T), sources: [...known.sources, source] });
}

function string(record: Record<string, unknown>, key: string): string | undefined {
  const value = own(record, key);
  return typeof value === "string" ? value : undefined;
}
