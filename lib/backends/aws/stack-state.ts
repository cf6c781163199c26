import type { StateResource } from "../../audit/pulumi-state";
import { stateOutputs } from "../../audit/pulumi-state";
import { DECLARED } from "../../internal/merge";
import { isRecord, own } from "../../internal/own";
import { AWS_TYPES } from "./grant";

/**
 * AWS's resources of Pulumi stack exports, as the AWS CLI outputs `readAwsFiles` reads: each
 * role a `get-role` document with the policies the stacks attach to it, each OIDC provider a
 * `get-open-id-connect-provider` document with its ARN. One reader thus checks and merges both
 * sources: a role's policies in a stack are marked `DECLARED` (the stack's part of them), the
 * rest of it must agree with a CLI file's.
 *
 * @see https://www.pulumi.com/registry/packages/aws/api-docs/iam/role/
 * @see https://www.pulumi.com/registry/packages/aws/api-docs/iam/openidconnectprovider/
 */

/** The Pulumi packages whose resources are AWS's. */
export const AWS_PACKAGES = ["aws"] as const;

/** The other ways stacks attach policies to a role than trustplane's components do. */
const TYPES = {
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  exclusiveAttachments: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
} as const;

const ROLE_OUTPUTS = [
  "arn",
  "name",
  "path",
  "assumeRolePolicy",
  "managedPolicyArns",
  "inlinePolicies",
  "permissionsBoundary",
  "maxSessionDuration",
];

interface Role {
  readonly resource: StateResource;
  readonly outputs: Readonly<Record<string, unknown>>;
}

/** The policies of one role ARN, from every resource of the exports that names it. */
interface Policies {
  readonly managed: Set<string>;
  /** By name: a policy's own resource wins over the role's list (as of its last refresh). */
  readonly inline: Map<string, unknown>;
}

/**
 * The CLI documents of AWS's resources (`aws:` types) of stack exports, each named
 * `FILE: URN`. A role's managed policies are the union of its `managedPolicyArns` output (as of
 * its last refresh) and the RolePolicyAttachment, PolicyAttachment and
 * RolePolicyAttachmentsExclusive resources naming it; its inline policies its `inlinePolicies`
 * and the RolePolicy resources. A policy resource is matched to a role of the exports by name
 * (or ARN), among roles of one name in several accounts by provider; policies of roles the
 * exports do not hold are not read. A role or provider without its identifying outputs, or with
 * an output sealed as a secret, is a problem naming it. Never throws.
 */
export function awsStateFiles(
  resources: readonly StateResource[],
): { files: { source: string; json: unknown }[] } | { problems: string[] } {
  const problems: string[] = [];
  const read = (resource: StateResource, names: readonly string[]) => {
    const result = stateOutputs(resource, names);
    return "problem" in result ? void problems.push(result.problem) : result.outputs;
  };
  const roles: Role[] = [];
  const policies = new Map<string, Policies>();
  const providers: { source: string; json: unknown }[] = [];
  for (const resource of resources) {
    if (resource.type === AWS_TYPES.role) {
      const outputs = read(resource, ROLE_OUTPUTS);
      if (!outputs) continue;
      const arn = outputs.arn;
      if (typeof arn !== "string" || typeof outputs.name !== "string") {
        problems.push(`${resource.source}: ${resource.urn} has no arn or name output`);
        continue;
      }
      roles.push({ resource, outputs });
      const known = policies.get(arn) ?? { managed: new Set(), inline: new Map() };
      policies.set(arn, known);
      for (const policyArn of strings(outputs.managedPolicyArns)) known.managed.add(policyArn);
      for (const p of Array.isArray(outputs.inlinePolicies) ? outputs.inlinePolicies : []) {
        const name = isRecord(p) ? own(p, "name") : undefined;
        // the provider records a role without inline policies as one entry with an empty name
        if (typeof name === "string" && name !== "" && !known.inline.has(name))
          known.inline.set(name, own(p as Record<string, unknown>, "policy"));
      }
    } else if (resource.type === AWS_TYPES.provider) {
      const outputs = read(resource, ["arn", "url", "clientIdLists"]);
      if (!outputs) continue;
      if (typeof outputs.arn !== "string" || typeof outputs.url !== "string") {
        problems.push(`${resource.source}: ${resource.urn} has no arn or url output`);
        continue;
      }
      providers.push({
        source: `${resource.source}: ${resource.urn}`,
        json: {
          OpenIDConnectProviderArn: outputs.arn,
          Url: outputs.url,
          ClientIDList: strings(outputs.clientIdLists),
        },
      });
    }
  }
  const policiesOf = (role: unknown, by: StateResource): Policies | undefined => {
    const named = roles.filter((r) => r.outputs.name === role || r.outputs.arn === role);
    const arns = new Set(named.map((r) => r.outputs.arn as string));
    const arn =
      arns.size > 1
        ? named.find((r) => r.resource.provider === by.provider)?.outputs.arn
        : named[0]?.outputs.arn;
    return policies.get(arn as string);
  };
  for (const resource of resources) {
    if (resource.type === AWS_TYPES.attachment) {
      const outputs = read(resource, ["role", "policyArn"]);
      if (outputs && typeof outputs.policyArn === "string")
        policiesOf(outputs.role, resource)?.managed.add(outputs.policyArn);
    } else if (resource.type === TYPES.policyAttachment) {
      const outputs = read(resource, ["roles", "policyArn"]);
      if (outputs && typeof outputs.policyArn === "string")
        for (const role of strings(outputs.roles))
          policiesOf(role, resource)?.managed.add(outputs.policyArn);
    } else if (resource.type === TYPES.exclusiveAttachments) {
      const outputs = read(resource, ["roleName", "policyArns"]);
      const known = outputs && policiesOf(outputs.roleName, resource);
      for (const arn of known ? strings(outputs.policyArns) : []) known!.managed.add(arn);
    } else if (resource.type === AWS_TYPES.inlinePolicy) {
      const outputs = read(resource, ["role", "name", "policy"]);
      if (outputs && typeof outputs.name === "string")
        policiesOf(outputs.role, resource)?.inline.set(outputs.name, outputs.policy);
    }
  }
  if (problems.length) return { problems };
  const files = roles.map((r) => roleFile(r, policies.get(r.outputs.arn as string)!));
  return { files: [...files, ...providers] };
}

/** A role as `aws iam get-role` prints it, with the policies `get-account-authorization-details` lists. */
function roleFile(
  { resource, outputs: o }: Role,
  { managed, inline }: Policies,
): { source: string; json: unknown } {
  const boundary = typeof o.permissionsBoundary === "string" ? o.permissionsBoundary : "";
  return {
    source: `${resource.source}: ${resource.urn}`,
    json: {
      Role: {
        // a stack holds the policies it attaches; a CLI output may show others too
        [DECLARED]: "part",
        Arn: o.arn,
        RoleName: o.name,
        Path: typeof o.path === "string" ? o.path : "/",
        AssumeRolePolicyDocument: o.assumeRolePolicy,
        AttachedManagedPolicies: [...managed].map((PolicyArn) => ({ PolicyArn })),
        RolePolicyList: [...inline].map(([PolicyName, PolicyDocument]) => ({
          PolicyName,
          PolicyDocument,
        })),
        // the provider records "no boundary" as an empty string
        ...(boundary ? { PermissionsBoundary: { PermissionsBoundaryArn: boundary } } : {}),
        ...(typeof o.maxSessionDuration === "number"
          ? { MaxSessionDuration: o.maxSessionDuration }
          : {}),
      },
    },
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
