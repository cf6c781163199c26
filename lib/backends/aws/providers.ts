import type { Issue } from "../../errors";
import { error, quote } from "../../errors";
import type { GrantPlanOf, PlacedGrant } from "../backend";
import { IAM_LIMITS } from "./limits";

/**
 * One IAM OIDC provider serves every identity of an issuer in an account, so its client ID list
 * is the union of their audiences: at most 100 (the schema holds each to 255 characters), for a
 * URL of at most 255 characters, and no more providers in an account than its quota
 * (`oidcProviderQuota`).
 */
export function shareProviders(grants: readonly PlacedGrant<"aws">[]): {
  plans: GrantPlanOf<"aws">[];
  issues: Issue[];
} {
  const issues: Issue[] = [];
  const audiences = new Map<string, Set<string>>();
  const providers = new Map<string, Set<string>>();
  // a URL too long for IAM is reported once, at the issuer, however many grants use it
  const longUrls = new Set<string>();
  for (const { plan, grant, identity } of grants) {
    const arn = plan.artefacts.providerArn;
    const url = plan.artefacts.providerUrl;
    if (url.length > IAM_LIMITS.providerUrlLength && !longUrls.has(url)) {
      longUrls.add(url);
      issues.push(
        error(
          "aws_value_too_long",
          ["issuers", identity.issuerName, "url"],
          `IAM allows ${IAM_LIMITS.providerUrlLength} characters in an OIDC provider's URL, and this issuer's has ${url.length}: ${quote(url)}; AWS cannot trust this issuer, so leave AWS out of its identities`,
        ),
      );
    }
    const ids = audiences.get(arn) ?? new Set<string>();
    audiences.set(arn, ids.add(plan.audience));
    if (ids.size === IAM_LIMITS.clientIds + 1)
      issues.push(
        error(
          "aws_too_many_client_ids",
          grant.options.audience !== undefined ? [...grant.path, "audience"] : grant.path,
          `the OIDC provider ${arn} would need ${IAM_LIMITS.clientIds + 1} client IDs (one per audience its identities trust), and IAM allows ${IAM_LIMITS.clientIds}; let identities of this issuer share audiences`,
        ),
      );
    const { target } = grant;
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
  }
  const plans = grants.map(({ plan }) => ({
    ...plan,
    artefacts: {
      ...plan.artefacts,
      clientIds: [...audiences.get(plan.artefacts.providerArn)!].sort(),
    },
  }));
  return { plans, issues };
}
