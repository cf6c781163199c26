import { canonical } from "../../internal/canonical";
import type { Description } from "../../internal/merge";
import { DECLARED, mergeFields, removedProblem } from "../../internal/merge";
import { bare, isRecord, omit, own } from "../../internal/own";

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

/** One file's description of a role or provider; `declared` when it is a stack's (`DECLARED`). */
interface Read<T> extends Description<T> {
  readonly declared: boolean;
}

/**
 * Reads AWS CLI outputs (each already parsed JSON, with the name of its file) into one
 * deployment. A role or provider in several files is merged (see `mergeRole`); files that
 * disagree on it, a file of no known kind, and a policy that is neither JSON nor URL-encoded JSON
 * are problems. Never throws.
 */
export function readAwsFiles(files: readonly { source: string; json: unknown }[]): AwsRead {
  const problems: string[] = [];
  const roles = new Map<string, Read<DeployedRole>[]>();
  const providers = new Map<string, Read<DeployedOidcProvider>[]>();
  // the accounts a get-account-authorization-details lists every role of, with its files
  const listed = new Map<string, string[]>();
  const add = <T>(into: Map<string, Read<T>[]>, key: string, read: Read<T>) =>
    into.set(key, [...(into.get(key) ?? []), read]);
  for (const { source, json } of files) {
    const kind = awsFileKind(json);
    const record = json as Record<string, unknown>;
    if (kind === undefined) {
      problems.push(
        `${source} is not an output trustplane reads for AWS: expected aws iam get-account-authorization-details, get-role or get-open-id-connect-provider --output json`,
      );
    } else if (kind === "oidc-provider") {
      const item = readProvider(record, source, problems);
      if (item) add(providers, item.arn ?? item.url, { item, source, declared: false });
    } else {
      const list = kind === "role" ? [own(record, "Role")] : own(record, "RoleDetailList");
      (list as unknown[]).forEach((entry, i) => {
        const where = kind === "role" ? `${source}: Role` : `${source}: RoleDetailList[${i}]`;
        const item = readRole(entry, where, source, problems);
        if (!item) return;
        const account = accountOf(item.arn);
        if (kind === "account-authorization-details" && !listed.get(account)?.includes(source))
          listed.set(account, [...(listed.get(account) ?? []), source]);
        const declared = own(entry as Record<string, unknown>, DECLARED) !== undefined;
        add(roles, item.arn, { item, source, declared });
      });
    }
  }
  const merged = [...roles].map(([arn, reads]) => mergeRole(arn, reads, listed, problems));
  const provided = [...providers].map(([key, reads]) => ({
    ...mergeFields(reads, same, disagreeing(key, problems), ["sources"]),
    sources: reads.map((r) => r.source),
  }));
  if (problems.length) return { problems };
  return { deployment: { roles: merged, providers: provided } };
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

/**
 * A role as its files describe it. What they describe wholly must agree. Its managed and inline
 * policies a stack's state holds only in part (the role's own lists are as of its last refresh,
 * its attachment and policy resources are what the stack adds): where a CLI output lists them,
 * that list is the role's and the state's policies must be in it, an inline policy of both with
 * one document; else the role has what the states list. A role of a state that the account's
 * get-account-authorization-details lacks was removed (`removedProblem`).
 */
function mergeRole(
  arn: string,
  reads: readonly Read<DeployedRole>[],
  listed: ReadonlyMap<string, readonly string[]>,
  problems: string[],
): DeployedRole {
  // the state's policies are merged below, as parts
  const whole = reads.map((r) =>
    r.declared ? { ...r, item: omit(omit(r.item, "managedPolicyArns"), "inlinePolicies") } : r,
  );
  const role = mergeFields(whole, same, disagreeing(arn, problems), ["sources"]);
  const sources = reads.map((r) => r.source);
  const parts = reads.filter((r) => r.declared);
  if (parts.length === 0) return { ...role, sources };
  const account = listed.get(accountOf(arn));
  if (parts.length === reads.length && account)
    problems.push(removedProblem(parts[0]!.source, `role ${arn}`, account));
  const managed = declaredPolicies(arn, "managed policy", reads, problems, (r) =>
    r.managedPolicyArns?.map((policy) => [policy, policy]),
  );
  const inline = declaredPolicies(
    arn,
    "inline policy",
    reads,
    problems,
    (r) => r.inlinePolicies && Object.entries(r.inlinePolicies),
  );
  return {
    ...role,
    ...(managed ? { managedPolicyArns: [...managed.keys()] } : {}),
    ...(inline ? { inlinePolicies: bare(Object.fromEntries(inline)) } : {}),
    sources,
  };
}

/**
 * One kind of a role's policies, by name (a managed policy by its ARN): the first CLI output's,
 * each a state lists being in it with the same document, or the union of the states'; undefined
 * when no file lists them.
 */
function declaredPolicies(
  arn: string,
  what: string,
  reads: readonly Read<DeployedRole>[],
  problems: string[],
  listOf: (role: DeployedRole) => [string, unknown][] | undefined,
): Map<string, unknown> | undefined {
  const wholes = reads.filter((r) => !r.declared && listOf(r.item) !== undefined);
  const truth = wholes[0] && new Map(listOf(wholes[0].item));
  const known = truth ?? new Map<string, unknown>();
  const from = new Map<string, string[]>();
  for (const { item, source } of reads.filter((r) => r.declared)) {
    for (const [name, document] of listOf(item) ?? []) {
      const earlier = truth ? wholes.map((w) => w.source) : (from.get(name) ?? []);
      if (known.has(name) && !same(what, known.get(name), document))
        problems.push(
          `${source} and ${earlier.join(", ")} disagree on ${what} ${name} of ${arn}: pass files of one moment`,
        );
      else if (!known.has(name) && truth)
        problems.push(removedProblem(source, `${what} ${name} of ${arn}`, earlier));
      else if (!known.has(name)) known.set(name, document);
      from.set(name, [...(from.get(name) ?? []), source]);
    }
  }
  return reads.some((r) => listOf(r.item) !== undefined) ? known : undefined;
}

/** Reports a field of `key` that two files give different values. */
function disagreeing(key: string, problems: string[]) {
  return (field: string, source: string, earlier: readonly string[]) =>
    problems.push(
      `${source} and ${earlier.join(", ")} disagree on ${field} of ${key}: pass files of one moment`,
    );
}

/**
 * Whether two files give a field the same value as IAM reads it. Every field read is a scalar, a
 * set (client IDs, managed policy ARNs) or policy documents, so one form compares them all.
 */
function same(_field: string, a: unknown, b: unknown): boolean {
  return canonical(iamForm(a)) === canonical(iamForm(b));
}

/**
 * A policy in one form of the many IAM reads alike: every list of IAM's policy grammar
 * (statements, actions, resources, principals, condition values) is a set, so lists are sorted
 * without repeats and a list of one is its item (a condition value may be `"a"` or `["a"]`);
 * `canonical` then sorts the keys.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
export function iamForm(value: unknown): unknown {
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, iamForm(v)]));
  if (!Array.isArray(value)) return value;
  const items = new Map(value.map(iamForm).map((v) => [canonical(v), v] as const));
  const sorted = [...items].sort(([x], [y]) => (x < y ? -1 : 1)).map(([, v]) => v);
  return sorted.length === 1 ? sorted[0] : sorted;
}

/** The account ID of an IAM ARN. */
function accountOf(arn: string): string {
  return arn.split(":")[4] ?? "";
}

function string(record: Record<string, unknown>, key: string): string | undefined {
  const value = own(record, key);
  return typeof value === "string" ? value : undefined;
}
