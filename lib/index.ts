/**
 * trustplane: declare workload identity intents once, compile them into least-privilege OIDC
 * federation for AWS, Azure and GCP.
 *
 * @example
 * ```ts
 * import { compile, diff, readIntentFile, verify } from "trustplane";
 * const file = readIntentFile("intent.yaml");
 * const { plan, warnings } = compile(file.data); // throws TrustplaneError listing every error
 * plan.identities[0].grants[0].artefacts; // the trust policy, credentials or provider condition
 * verify(file.data).verification?.ok; // every cloud decides generated tokens as the intent means
 * diff(readIntentFile("old.yaml").data, file.data).diff?.widens; // who gains access, or a permission
 * ```
 */
export { analyse, check, compile } from "./compile";
export type { Analysis } from "./compile";
export { TrustplaneError, formatIssues, formatPath } from "./errors";
export type { Issue, IssueCode, Path, Severity } from "./errors";
export type {
  AwsTarget,
  AzureRole,
  AzureTarget,
  Backend,
  BitbucketIssuer,
  BuildkiteIssuer,
  CircleciIssuer,
  GcpTarget,
  GithubIssuer,
  GitlabIssuer,
  Grant,
  Handoff,
  Identity,
  IntentDocument,
  Issuer,
  KubernetesIssuer,
  Matcher,
  OidcIssuer,
  ParsedDocument,
  PulumiCloudIssuer,
  Selector,
  Target,
  TerraformCloudIssuer,
} from "./intent/document";
export { loadText } from "./intent/load";
export type { LoadedText, LocatedIssue } from "./intent/load";
export { MAX_INTENT_BYTES, readIntentFile } from "./intent/file";
export type { Unreadable } from "./intent/file";
export type { GrantPlan, IdentityPlan, Plan, PlanResource } from "./plan/types";
export type { AwsArtefacts } from "./backends/aws/grant";
export type { TrustPolicy, TrustStatement } from "./backends/aws/trust-policy";
export type { AzureArtefacts, RoleAssignment } from "./backends/azure/grant";
export type { FederatedCredential } from "./backends/azure/credentials";
export type { GcpArtefacts, ProjectBinding } from "./backends/gcp/grant";
export type { IssuerKind } from "./claims/issuer";
export type { Cloud } from "./backends/cloud";
export { explain } from "./inspect/explain";
export type { Decision, Explanation } from "./inspect/explain";
export { verify } from "./inspect/verify";
export type { Divergence, GrantTally, Verification } from "./inspect/verify";
export { diff } from "./inspect/diff";
export type {
  AccessChange,
  PermissionChange,
  ResourceChange,
  ResourceChanges,
  ResourceRef,
  TrustDiff,
} from "./inspect/diff";
export { readToken, verifyJwt } from "./inspect/token";
export type { ReadToken } from "./inspect/token";
export type { TokenClaims } from "./inspect/token-claims";
export { render } from "./render/render";
export type { RenderedFile, Rendering, TerraformFormat } from "./render/render";
export { StackValues } from "./render/outputs";
export type { Placeholder } from "./render/model";
