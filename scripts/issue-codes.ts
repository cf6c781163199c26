import type { IssueCode, Severity } from "../lib/errors";

/** What an issue code means for the user: an error or a warning, and the fix, for docs/cli.md. */
export interface IssueCodeDoc {
  readonly severity: Severity;
  readonly fix: string;
}

/**
 * Every issue code, in the order docs/cli.md lists them: `npm run generate` writes its table from
 * this, and a code without an entry does not compile.
 */
export const ISSUE_CODES: { readonly [C in IssueCode]: IssueCodeDoc } = {
  invalid_syntax: {
    severity: "error",
    fix: "the file is not YAML or JSON (or nests absurdly deep, or repeats a key): change the line shown",
  },
  unknown_key: {
    severity: "error",
    fix: "the message names the allowed keys, and the closest one",
  },
  missing_key: { severity: "error", fix: "add the key the message names" },
  invalid_type: { severity: "error", fix: "write the value as the type the message names" },
  invalid_value: {
    severity: "error",
    fix: "the message names the allowed values or the rule (also: a program option that names nothing)",
  },
  unknown_issuer: { severity: "error", fix: "declare the issuer, or fix the name" },
  unknown_target: { severity: "error", fix: "declare the target, or fix the name" },
  duplicate_identity: { severity: "error", fix: "give each identity its own name" },
  duplicate_grant: {
    severity: "error",
    fix: "one grant per target per identity; a policy or role listed twice is one resource declared twice",
  },
  grant_option_mismatch: { severity: "error", fix: "use the options of the target's cloud" },
  name_conflict: {
    severity: "error",
    fix: "two grants get one physical name: set `roleName`, `identityName`, `providerId` or `serviceAccountId`",
  },
  invalid_name: {
    severity: "error",
    fix: "a physical name the cloud refuses, or a key named `__proto__`: rename it",
  },
  unknown_claim: {
    severity: "error",
    fix: "use the issuer's claim names (the message suggests one)",
  },
  claim_not_selectable: {
    severity: "error",
    fix: "the claim is a list or a boolean (CircleCI `oidc.circleci.com/context-ids`; GitLab `groups_direct`): select another claim",
  },
  reserved_claim: {
    severity: "error",
    fix: "`aud`, `iss`, `exp`…: set audiences on grants instead",
  },
  owner_not_pinned: { severity: "error", fix: "pin the organization or owner on a shared issuer" },
  immutable_ids_required: {
    severity: "error",
    fix: "with `subjectFormat: immutable`, pin `repository_owner_id` and `repository_id`",
  },
  unsatisfiable_selector: {
    severity: "error",
    fix: "no token can match: remove the contradiction (`event_name: pull_request` with a branch ref), or write the value as the issuer does (`ref: refs/heads/main`, `repository: owner/name`, `sub: system:serviceaccount:NS:NAME`); the message names the value meant",
  },
  claim_not_expressible: {
    severity: "error",
    fix: "make `sub` decide the claim (e.g. `environment: {absent: true}`), or leave that cloud out of the identity",
  },
  pattern_not_expressible: {
    severity: "error",
    fix: "Azure needs exact values: list them with `oneOf`",
  },
  aws_policy_variable: { severity: "error", fix: "AWS cannot trust a value holding `${`" },
  aws_character_unsupported: { severity: "error", fix: "AWS cannot trust a value outside Latin-1" },
  aws_trust_policy_too_large: {
    severity: "error",
    fix: "raise the quota (`L-C07B4B0D`) and set `trustPolicyQuota`, or split the identity",
  },
  aws_sub_required: {
    severity: "error",
    fix: "IAM refuses a role trusting GitHub, GitLab, HCP Terraform or Buildkite without a `sub` condition: select claims `sub` carries",
  },
  aws_condition_key_invalid: {
    severity: "error",
    fix: "an issuer URL path or claim name with `:` cannot be an IAM condition key: leave AWS out or select another claim",
  },
  aws_too_many_client_ids: {
    severity: "error",
    fix: "an OIDC provider holds at most 100 client IDs: let identities share audiences",
  },
  aws_too_many_providers: {
    severity: "error",
    fix: "raise the account's OIDC provider quota (`L-858F3967`) and set `oidcProviderQuota`, or trust fewer issuers",
  },
  aws_value_too_long: {
    severity: "error",
    fix: "IAM takes OIDC provider URLs of at most 255 characters: leave AWS out of the identities of an issuer with a longer URL",
  },
  aws_policy_arn_mismatch: {
    severity: "error",
    fix: "a role takes policies of its own account and partition, or AWS managed ones of its partition: fix the ARN",
  },
  aws_too_many_managed_policies: {
    severity: "error",
    fix: "raise the account's quota of managed policies per role (default 10, at most 20) and set `managedPolicyQuota`, or merge policies",
  },
  aws_invalid_policy: {
    severity: "error",
    fix: "an inline policy IAM answers with MalformedPolicyDocument: write it in the IAM policy grammar (`Version`, `Statement` with `Effect`, `Action`, `Resource`; no `Principal`)",
  },
  aws_inline_policies_too_large: {
    severity: "error",
    fix: "a role's inline policies hold at most 10,240 characters together (white space not counted): move statements into customer managed policies",
  },
  azure_too_many_credentials: {
    severity: "error",
    fix: "an identity holds at most 20 federated credentials: split the identity",
  },
  azure_value_too_long: { severity: "error", fix: "shorten the value the message names" },
  azure_unknown_role: {
    severity: "error",
    fix: "give a built-in role name or a role definition GUID",
  },
  azure_invalid_scope: { severity: "error", fix: "give a full scope ID (`/subscriptions/…`)" },
  azure_region_unsupported: {
    severity: "error",
    fix: "Azure creates no federated credential on a managed identity in this region: set the target's `location` to a supported region (the identity may act on resources anywhere)",
  },
  gcp_condition_too_long: {
    severity: "error",
    fix: "fewer or shorter values, or split the identity",
  },
  mutable_subject: { severity: "warning", fix: "a name can be registered again: also pin its ID" },
  broad_ref_trust: { severity: "warning", fix: "pin a ref or an environment" },
  pattern_spans_claims: {
    severity: "warning",
    fix: "a wildcard crosses parts of a structured value: write the earlier parts out",
  },
  literal_wildcard: {
    severity: "warning",
    fix: "an exact value with `*` or `?` matches only those characters: write `{pattern: …}`",
  },
  aws_unknown_managed_policy: {
    severity: "warning",
    fix: "an `arn:…:iam::aws:policy/…` ARN missing from trustplane's snapshot of AWS managed policies (AWS may have added it since): check the name and path; the message suggests the closest",
  },
  azure_custom_audience: {
    severity: "warning",
    fix: "Azure takes an audience other than `api://AzureADTokenExchange`, but tools request that one unless told: use it (and have the job request it), or make sure the job requests yours; Pulumi Cloud's own audience is not flagged",
  },
  missing_sdk: {
    severity: "error",
    fix: "Pulumi program: install the cloud SDK the message names, or set `only` to the targets this stack deploys",
  },
  provider_mismatch: {
    severity: "error",
    fix: "Pulumi program: give the target a provider of its own cloud, with credentials for its account, subscription and tenant",
  },
  shared_provider: {
    severity: "error",
    fix: "Pulumi program: AWS targets in different accounts, or Azure targets in different subscriptions, need a provider each (`providers`), or a stack each (`only`)",
  },
  invalid_tag: {
    severity: "error",
    fix: "Pulumi program: a tag AWS or Azure refuses (AWS: `aws:` keys, keys over 128 or values over 256 characters, characters outside letters, digits, spaces and `_.:/=+-@`; Azure: names with `<>%&\\?/`, names over 512 or values over 256 characters; either: more than 50): change it",
  },
};
