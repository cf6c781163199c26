import { describeSelector } from "./claims/matcher";
import { awsGrant } from "./backends/aws/grant";
import { azureGrant } from "./backends/azure/grant";
import { gcpGrant } from "./backends/gcp/grant";
import type { Issue } from "./errors";
import { TrustplaneError, error, isError, quote } from "./errors";
import { parseDocument } from "./intent/parse";
import { resolve } from "./ir/resolve";
import type { AwsTargetIR, DocumentIR, GrantIR, IdentityIR } from "./ir/types";
import { isGrantFor } from "./ir/types";
import type { GrantPlan, IdentityPlan, Plan } from "./plan/types";

/** The outcome of analysing a document: every issue, and the plan when there is no error. */
export interface Analysis {
  readonly plan?: Plan;
  readonly issues: readonly Issue[];
}

/**
 * Validates a document and compiles every identity × grant into the artefacts each cloud will
 * enforce. Pure and synchronous; never throws on bad input.
 */
export function analyse(document: unknown): Analysis {
  const { plan, issues } = compileDocument(document);
  return plan ? { plan, issues } : { issues };
}

/**
 * `analyse`, keeping the IR next to the plan: `explain` and `verify` need the selectors that
 * the plan compiled.
 *
 * @internal
 */
export function compileDocument(document: unknown): Analysis & { readonly ir?: DocumentIR } {
  const parsed = parseDocument(document);
  if (!parsed.document) return { issues: parsed.issues };
  const { ir, issues } = resolve(parsed.document);
  const identities = ir.identities.map((identity) => planIdentity(identity, issues));
  for (const issue of nameConflicts(identities, ir.identities)) issues.push(issue);
  for (const issue of providerLimits(identities, ir.identities)) issues.push(issue);
  const plan = { identities: shareProviders(identities) };
  return issues.some(isError) ? { issues } : { plan, ir, issues };
}

/** Every error and warning in the document; never throws. */
export function check(document: unknown): readonly Issue[] {
  return analyse(document).issues;
}

/**
 * The plan of a valid document, with its warnings.
 *
 * @throws TrustplaneError listing every error, when there is one
 */
export function compile(document: unknown): { plan: Plan; warnings: readonly Issue[] } {
  const { plan, issues } = analyse(document);
  if (!plan) throw new TrustplaneError(issues.filter(isError));
  return { plan, warnings: issues };
}

function planIdentity(identity: IdentityIR, issues: Issue[]): IdentityPlan {
  const grants = identity.grants.map((grant) => {
    const built = planGrant(identity, grant);
    for (const issue of built.issues) issues.push(issue);
    return built.plan;
  });
  return {
    name: identity.name,
    issuer: identity.issuerName,
    issuerUrl: identity.issuer.url,
    accepts: identity.selectors.map((s) => describeSelector(s.claims)),
    grants,
  };
}

function planGrant(identity: IdentityIR, grant: GrantIR): { plan: GrantPlan; issues: Issue[] } {
  const target = grant.target.name;
  if (isGrantFor(grant, "aws")) {
    const { audience, artefacts, resources, issues } = awsGrant(identity, grant);
    return { plan: { target, cloud: "aws", audience, resources, artefacts }, issues };
  }
  if (isGrantFor(grant, "azure")) {
    const { audience, artefacts, resources, issues } = azureGrant(identity, grant);
    return { plan: { target, cloud: "azure", audience, resources, artefacts }, issues };
  }
  if (isGrantFor(grant, "gcp")) {
    const { audience, artefacts, resources, issues } = gcpGrant(identity, grant);
    return { plan: { target, cloud: "gcp", audience, resources, artefacts }, issues };
  }
  throw new Error(`unreachable: a grant for cloud ${grant.target.cloud}`);
}

/**
 * One IAM OIDC provider serves every identity of an issuer in an account, so its client ID list
 * is the union of their audiences.
 */
function shareProviders(identities: readonly IdentityPlan[]): IdentityPlan[] {
  const audiences = new Map<string, Set<string>>();
  for (const g of awsGrants(identities)) {
    const key = g.artefacts.providerArn;
    audiences.set(key, (audiences.get(key) ?? new Set()).add(g.audience));
  }
  return identities.map((identity) => ({
    ...identity,
    grants: identity.grants.map((g) =>
      g.cloud === "aws"
        ? {
            ...g,
            artefacts: {
              ...g.artefacts,
              clientIds: [...audiences.get(g.artefacts.providerArn)!].sort(),
            },
          }
        : g,
    ),
  }));
}

/** IAM's limit on the client IDs (audiences) of one OIDC provider. */
const MAX_CLIENT_IDS = 100;

/** IAM's limits on OIDC providers: 100 client IDs each, and the account's quota of providers. */

function providerLimits(
  plans: readonly IdentityPlan[],
  identities: readonly IdentityIR[],
): Issue[] {
  const issues: Issue[] = [];
  const audiences = new Map<string, Set<string>>();
  const providers = new Map<string, Set<string>>();
  plans.forEach((plan, i) => {
    plan.grants.forEach((g, k) => {
      if (g.cloud !== "aws") return;
      const grant = identities[i]!.grants[k]!;
      const target = grant.target as AwsTargetIR;
      const arn = g.artefacts.providerArn;
      const ids = audiences.get(arn) ?? new Set<string>();
      audiences.set(arn, ids.add(g.audience));
      if (ids.size === MAX_CLIENT_IDS + 1)
        issues.push(
          error(
            "aws_too_many_client_ids",
            grant.options.audience !== undefined ? [...grant.path, "audience"] : grant.path,
            `the OIDC provider ${arn} would need ${MAX_CLIENT_IDS + 1} client IDs (one per audience its identities trust), and IAM allows ${MAX_CLIENT_IDS}; let identities of this issuer share audiences`,
          ),
        );
      const inAccount = providers.get(target.accountId) ?? new Set<string>();
      providers.set(target.accountId, inAccount.add(arn));
      if (inAccount.size === target.oidcProviderQuota + 1)
        issues.push(
          error(
            "aws_too_many_providers",
            grant.path,
            `account ${target.accountId} would need ${inAccount.size} OIDC providers (one per issuer URL), over the quota of ${target.oidcProviderQuota} for ${target.name}; raise the account's quota (Service Quotas L-858F3967, default 100, at most 700) and set oidcProviderQuota on the target, or trust fewer issuers there`,
          ),
        );
    });
  });
  return issues;
}

function awsGrants(identities: readonly IdentityPlan[]) {
  return identities.flatMap((i) => i.grants).flatMap((g) => (g.cloud === "aws" ? [g] : []));
}

/** Physical names the clouds require to be unique, checked across identities. */
function nameConflicts(plans: readonly IdentityPlan[], identities: readonly IdentityIR[]): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, string>();
  const claim = (key: string, owner: string, path: Issue["path"], what: string) => {
    const first = seen.get(key);
    if (first === undefined) seen.set(key, owner);
    else
      issues.push(
        error(
          "name_conflict",
          path,
          `${what} is also used by ${first}; set a different one on this grant`,
        ),
      );
  };
  plans.forEach((plan, i) => {
    plan.grants.forEach((g, k) => {
      const path = identities[i]!.grants[k]!.path;
      const owner = `identity ${plan.name} (${g.target})`;
      if (g.cloud === "aws") {
        const a = g.artefacts;
        claim(
          `aws ${a.roleArn.split(":")[4]} ${a.roleName.toLowerCase()}`,
          owner,
          [...path, "roleName"],
          `the role name ${quote(a.roleName)} in account ${a.roleArn.split(":")[4]}`,
        );
      } else if (g.cloud === "azure") {
        const a = g.artefacts;
        claim(
          `azure ${a.subscriptionId} ${a.resourceGroup.toLowerCase()} ${a.identityName.toLowerCase()}`,
          owner,
          [...path, "identityName"],
          `the managed identity name ${quote(a.identityName)} in resource group ${a.resourceGroup}`,
        );
      } else {
        const a = g.artefacts;
        claim(
          `gcp provider ${a.providerName}`,
          owner,
          [...path, "providerId"],
          `the provider ID ${quote(a.providerId)} in pool ${a.poolId}`,
        );
        if (a.serviceAccountEmail) {
          claim(
            `gcp sa ${a.serviceAccountEmail}`,
            owner,
            [...path, "serviceAccountId"],
            `the service account ${quote(a.serviceAccountEmail)}`,
          );
        }
      }
    });
  });
  return issues;
}
