import type { IssueCode, ProgramIssueCode } from "../../lib/errors";
import { ALL_GRANTS, AZURE_SCOPE, TARGETS, grantsIn, oneIdentity } from "./documents";

const GITHUB = { kind: "github" };
const API = { repository: "acme/api", environment: "production" };

/** A document with two GitHub identities, for the checks that compare identities. */
function twoIdentities(a: object, b: object): unknown {
  const identity = (name: string, grant: object) => ({
    name,
    issuer: "gh",
    subjects: [API],
    grants: [grant],
  });
  return {
    version: 1,
    issuers: { gh: GITHUB },
    targets: TARGETS,
    identities: [identity("one", a), identity("two", b)],
  };
}

/**
 * One case per issue code: a document that triggers it, where it points, and the whole message
 * a user reads. `Record<…>` makes a new code fail to compile until it has a case. The codes of
 * the Pulumi program around a document (`ProgramIssueCode`) have theirs in test/components.
 */
export const CASES: Record<
  Exclude<IssueCode, ProgramIssueCode>,
  { document: unknown; text?: string; path: string; message: string }
> = {
  invalid_syntax: {
    document: undefined,
    text: "version: 1\nissuers: [",
    path: "",
    message: [
      "the file is not valid YAML or JSON: this [ is never closed; add a ] after its last item",
      "   2 | issuers: [",
      "     |          ^",
    ].join("\n"),
  },
  unknown_key: {
    document: { ...(oneIdentity(GITHUB, [API]) as object), extra: 1 },
    path: "extra",
    message: 'unknown key "extra"; allowed keys: version, issuers, targets, identities',
  },
  missing_key: {
    document: { issuers: {}, targets: {}, identities: [] },
    path: "version",
    message:
      "version is required; set version: 1, the version of the intent document this trustplane reads",
  },
  invalid_type: {
    document: { version: 1, issuers: [], targets: {}, identities: [] },
    path: "issuers",
    message: "expected a mapping, got []",
  },
  invalid_value: {
    document: oneIdentity(GITHUB, [{ repository: "" }]),
    path: "identities[0].subjects[0].repository",
    message: 'claim values are never empty, got ""',
  },
  unknown_issuer: {
    document: {
      version: 1,
      issuers: {},
      targets: TARGETS,
      identities: [{ name: "a", issuer: "gh", subjects: [API], grants: ALL_GRANTS }],
    },
    path: "identities[0].issuer",
    message: 'no issuer is named "gh"; declare it under issuers',
  },
  unknown_target: {
    document: oneIdentity(GITHUB, [API], [{ target: "aws-dev" }]),
    path: "identities[0].grants[0].target",
    message: 'no target is named "aws-dev"; declared targets: aws-prod, azure-prod, gcp-prod',
  },
  duplicate_identity: {
    document: {
      version: 1,
      issuers: { gh: GITHUB },
      targets: TARGETS,
      identities: [0, 1].map(() => ({
        name: "a",
        issuer: "gh",
        subjects: [API],
        grants: grantsIn("aws"),
      })),
    },
    path: "identities[1].name",
    message: 'identity "a" is already declared at identities[0]; names must be unique',
  },
  duplicate_grant: {
    document: oneIdentity(GITHUB, [API], [{ target: "aws-prod" }, { target: "aws-prod" }]),
    path: "identities[0].grants[1].target",
    message: 'this identity already has a grant for "aws-prod"; merge the two grants into one',
  },
  grant_option_mismatch: {
    document: oneIdentity(GITHUB, [API], [{ target: "aws-prod", mode: "direct" }]),
    path: "identities[0].grants[0].mode",
    message:
      "mode is a gcp option, but aws-prod is an aws target; aws grants take managedPolicyArns, inlinePolicies, permissionsBoundary, maxSessionDuration, roleName, rolePath",
  },
  name_conflict: {
    document: twoIdentities(
      { target: "aws-prod", roleName: "deployer" },
      { target: "aws-prod", roleName: "Deployer" },
    ),
    path: "identities[1].grants[0].roleName",
    message:
      'the role name "Deployer" in account 111111111111 is also used by identity one (aws-prod); set a different one on this grant',
  },
  invalid_name: {
    document: oneIdentity(GITHUB, [API], [{ target: "gcp-prod", providerId: "gcp-deploy" }]),
    path: "identities[0].grants[0].providerId",
    message: 'the provider ID "gcp-deploy" is not valid: the prefix "gcp-" is reserved by Google',
  },
  claim_not_selectable: {
    document: oneIdentity(
      { kind: "circleci", organizationId: "0f0e0d0c-0b0a-0908-0706-050403020100" },
      [{ "oidc.circleci.com/context-ids": "ctx" }],
      grantsIn("gcp"),
    ),
    path: 'identities[0].subjects[0]["oidc.circleci.com/context-ids"]',
    message:
      "CircleCI tokens carry oidc.circleci.com/context-ids as a list (the IDs of the contexts the job uses), and a selector compares one string; select another claim",
  },
  aws_sub_required: {
    document: oneIdentity(
      GITHUB,
      [{ sub: { pattern: "*" }, repository_owner_id: "4000001" }],
      grantsIn("aws"),
    ),
    path: "identities[0].subjects[0]",
    message:
      'IAM refuses a role that trusts GitHub Actions unless its trust policy checks sub, and this selector accepts any sub; select claims that sub carries (or a sub pattern narrower than "*"), or leave AWS out of this identity',
  },
  aws_condition_key_invalid: {
    document: oneIdentity(
      {
        kind: "oidc",
        url: "https://idp.example",
        claims: ["team:name"],
        awsClaimKeys: ["team:name"],
      },
      [{ "team:name": "platform" }],
      grantsIn("aws"),
    ),
    path: 'identities[0].subjects[0]["team:name"]',
    message:
      'IAM condition keys hold one \':\' (between the provider and the claim), so "idp.example:team:name" is refused ("Condition can contain only one colon"); AWS cannot check team:name: select it only for clouds that can',
  },
  aws_too_many_client_ids: {
    document: {
      version: 1,
      issuers: { gh: GITHUB },
      targets: TARGETS,
      identities: Array.from({ length: 101 }, (_, i) => ({
        name: `id-${i}`,
        issuer: "gh",
        subjects: [API],
        grants: [{ target: "aws-prod", audience: `aud-${i}`, roleName: `role-${i}` }],
      })),
    },
    path: "identities[100].grants[0].audience",
    message:
      "the OIDC provider arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com would need 101 client IDs (one per audience its identities trust), and IAM allows 100; let identities of this issuer share audiences",
  },
  aws_too_many_providers: {
    document: {
      version: 1,
      issuers: {
        a: { kind: "kubernetes", url: "https://oidc.a.example" },
        b: { kind: "kubernetes", url: "https://oidc.b.example" },
      },
      targets: { ...TARGETS, "aws-prod": { ...TARGETS["aws-prod"], oidcProviderQuota: 1 } },
      identities: ["a", "b"].map((issuer) => ({
        name: `from-${issuer}`,
        issuer,
        subjects: [{ sub: "system:serviceaccount:apps:deploy" }],
        grants: grantsIn("aws"),
      })),
    },
    path: "identities[1].grants[0]",
    message:
      "account 111111111111 would need 2 OIDC providers (one per issuer URL), over the quota of 1 for aws-prod; raise the account's quota (Service Quotas L-858F3967, default 100, at most 700) and set oidcProviderQuota on the target, or trust fewer issuers there",
  },
  aws_value_too_long: {
    document: oneIdentity(
      { kind: "kubernetes", url: `https://oidc.example/${"a".repeat(235)}` },
      [{ sub: "system:serviceaccount:apps:deploy" }],
      grantsIn("aws"),
    ),
    path: "issuers.ci.url",
    message: `IAM allows 255 characters in an OIDC provider's URL, and this issuer's has 256: "https://oidc.example/${"a".repeat(79)}… (256 characters)"; AWS cannot trust this issuer, so leave AWS out of its identities`,
  },
  aws_policy_arn_mismatch: {
    document: oneIdentity(
      GITHUB,
      [API],
      [{ target: "aws-prod", permissionsBoundary: "arn:aws-cn:iam::111111111111:policy/boundary" }],
    ),
    path: "identities[0].grants[0].permissionsBoundary",
    message:
      '"arn:aws-cn:iam::111111111111:policy/boundary" is a policy of account 111111111111 in partition aws-cn, and the role is in account 111111111111 of partition aws, where IAM cannot attach it; use arn:aws:iam::111111111111:policy/<name> or arn:aws:iam::aws:policy/<name>',
  },
  aws_too_many_managed_policies: {
    document: oneIdentity(
      GITHUB,
      [API],
      [
        {
          target: "aws-prod",
          managedPolicyArns: Array.from(
            { length: 11 },
            (_, i) => `arn:aws:iam::111111111111:policy/deploy-${i}`,
          ),
        },
      ],
    ),
    path: "identities[0].grants[0].managedPolicyArns",
    message:
      "the role would have 11 managed policies, over the quota of 10 for aws-prod; raise the account's quota of managed policies per role (Service Quotas, IAM, at most 20) and set managedPolicyQuota on the target, or merge policies",
  },
  aws_invalid_policy: {
    document: oneIdentity(
      GITHUB,
      [API],
      [
        {
          target: "aws-prod",
          inlinePolicies: {
            state: {
              Version: "2012-10-17",
              Statement: [
                { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" },
              ],
            },
          },
        },
      ],
    ),
    path: "identities[0].grants[0].inlinePolicies.state.Statement[0].Principal",
    message:
      "IAM would refuse this policy: Principal belongs in trust and resource policies, never in a role's own policy",
  },
  aws_inline_policies_too_large: {
    document: oneIdentity(
      GITHUB,
      [API],
      [
        {
          target: "aws-prod",
          inlinePolicies: {
            big: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: "s3:GetObject",
                  Resource: Array.from(
                    { length: 400 },
                    (_, i) => `arn:aws:s3:::acme-${String(i).padStart(3, "0")}/*`,
                  ),
                },
              ],
            },
          },
        },
      ],
    ),
    path: "identities[0].grants[0].inlinePolicies",
    message:
      "the role's inline policies are 10494 characters together (white space not counted, as IAM counts), and IAM allows 10240 per role; move statements into customer managed policies and list them in managedPolicyArns",
  },
  unknown_claim: {
    document: oneIdentity(GITHUB, [{ ...API, branch: "main" }]),
    path: "identities[0].subjects[0].branch",
    message: 'GitHub Actions tokens have no claim "branch"; did you mean "ref"?',
  },
  reserved_claim: {
    document: oneIdentity(GITHUB, [{ ...API, aud: "sts.amazonaws.com" }]),
    path: "identities[0].subjects[0].aud",
    message:
      "aud is checked by every cloud on its own and cannot be selected; set audience on the grant instead",
  },
  owner_not_pinned: {
    document: oneIdentity(GITHUB, [{ environment: "production" }]),
    path: "identities[0].subjects[0]",
    message:
      "every GitHub Actions customer shares the issuer https://token.actions.githubusercontent.com, so this selector would trust other organizations' tokens; pin the owner with one of repository_owner, repository_owner_id, repository, repository_id, enterprise, enterprise_id, workflow_ref, sub",
  },
  immutable_ids_required: {
    document: oneIdentity({ kind: "github", subjectFormat: "immutable" }, [API]),
    path: "identities[0].subjects[0]",
    message:
      "the issuer uses immutable subjects (repo:OWNER@OWNER_ID/REPO@REPO_ID:...), which hold the IDs; pin repository_owner_id and repository_id",
  },
  unsatisfiable_selector: {
    document: oneIdentity(GITHUB, [
      {
        repository: "acme/api",
        event_name: "pull_request",
        ref: "refs/heads/main",
        environment: { absent: true },
      },
    ]),
    path: "identities[0].subjects[0]",
    message:
      'no GitHub Actions token can match this selector: environment absent and event_name = "pull_request" and ref = "refs/heads/main" and repository = "acme/api" contradicts how the issuer fills its claims (a job with an environment; a pull request job without an environment; a job without an environment outside pull requests); remove the conflicting claim',
  },
  claim_not_expressible: {
    document: oneIdentity(
      GITHUB,
      [{ repository: "acme/api", event_name: "push" }],
      grantsIn("aws"),
    ),
    path: "identities[0].subjects[0].event_name",
    message:
      "AWS can match only sub and aud and actor, actor_id, enterprise_id, environment, job_workflow_ref, ref, repository, repository_id, repository_owner_id, workflow for GitHub Actions, and the sub of a job with an environment does not carry event_name; select event_name only for clouds that can check it, or narrow the selector so that sub decides event_name",
  },
  pattern_not_expressible: {
    document: oneIdentity(
      GITHUB,
      [{ repository: "acme/api", environment: { pattern: "prod-*" } }],
      grantsIn("azure"),
    ),
    path: "identities[0].subjects[0]",
    message:
      'Azure federated credentials need exact subjects, but this selector accepts sub values such as "repo:acme/api:environment:prod-*"; pin every claim in it to exact values (oneOf lists several), since Azure has no wildcards',
  },
  aws_policy_variable: {
    document: oneIdentity(
      GITHUB,
      [{ repository: "acme/api", environment: "${aws:username}" }],
      grantsIn("aws"),
    ),
    path: "identities[0].subjects[0].environment",
    message:
      'IAM reads "${" in a condition value as a policy variable, so "${aws:username}" would not be matched as written; AWS cannot trust a value holding "${"',
  },
  aws_character_unsupported: {
    document: oneIdentity(
      GITHUB,
      [{ repository: "acme/api", environment: "生产" }],
      grantsIn("aws"),
    ),
    path: "identities[0].subjects[0].environment",
    message:
      'IAM policies hold only Latin-1 characters, and "repo:acme/api:environment:生产" contains "生" (U+751F); AWS cannot trust this value',
  },
  aws_trust_policy_too_large: {
    document: oneIdentity(
      GITHUB,
      [
        {
          repository: "acme/api",
          environment: { oneOf: Array.from({ length: 80 }, (_, i) => `environment-${i}`) },
        },
      ],
      grantsIn("aws"),
    ),
    path: "identities[0].grants[0]",
    message:
      "the trust policy is 3769 characters (1 statement), over the quota of 2048 for aws-prod; raise the account's quota (Service Quotas L-C07B4B0D) and set trustPolicyQuota on the target, or split the identity",
  },
  azure_too_many_credentials: {
    document: oneIdentity(
      GITHUB,
      [
        {
          repository: "acme/api",
          environment: { oneOf: Array.from({ length: 21 }, (_, i) => `env-${i}`) },
        },
      ],
      grantsIn("azure"),
    ),
    path: "identities[0].subjects",
    message:
      "this identity needs 21 federated credentials (one per exact subject) and Azure allows 20 per identity; split it into several identities",
  },
  azure_value_too_long: {
    document: oneIdentity(
      { kind: "kubernetes", url: "https://k8s.example.com" },
      [{ sub: "x".repeat(601) }],
      grantsIn("azure"),
    ),
    path: "identities[0].subjects[0]",
    message:
      'Azure allows 600 characters in a credential\'s subject, and this one has 601: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (601 characters)"',
  },
  azure_unknown_role: {
    document: oneIdentity(
      GITHUB,
      [API],
      [{ target: "azure-prod", roles: [{ role: "Deployer", scope: AZURE_SCOPE }] }],
    ),
    path: "identities[0].grants[0].roles[0].role",
    message:
      '"Deployer" is not a built-in role trustplane knows; give the role definition GUID (az role definition list --name "<role>" --query [].name) or one of Owner, Contributor, Reader, User Access Administrator, Role Based Access Control Administrator, Storage Blob Data Contributor, ...',
  },
  azure_invalid_scope: {
    document: oneIdentity(
      GITHUB,
      [API],
      [{ target: "azure-prod", roles: [{ role: "Reader", scope: "app" }] }],
    ),
    path: "identities[0].grants[0].roles[0].scope",
    message:
      '"app" is not an Azure scope; use /subscriptions/<id>, /subscriptions/<id>/resourceGroups/<name>, a resource ID under it, or /providers/Microsoft.Management/managementGroups/<id>',
  },
  azure_region_unsupported: {
    document: {
      ...(oneIdentity(GITHUB, [API], grantsIn("azure")) as object),
      targets: {
        ...TARGETS,
        "azure-prod": { ...TARGETS["azure-prod"], location: "newzealandnorth" },
      },
    },
    path: "targets.azure-prod.location",
    message:
      'Azure creates no federated credential on a managed identity in New Zealand North ("newzealandnorth"): it answers 405, "Support for federated identity credentials not enabled" (Microsoft\'s list of unsupported regions, read 2026-12-07); put the identities in a supported region such as westeurope, since a managed identity may act on resources in any region',
  },
  gcp_condition_too_long: {
    document: oneIdentity(
      GITHUB,
      [
        {
          repository: "acme/api",
          environment: { oneOf: Array.from({ length: 300 }, (_, i) => `environment-${i}`) },
        },
      ],
      grantsIn("gcp"),
    ),
    path: "identities[0].subjects",
    message:
      "the attribute condition is 5712 characters and GCP allows 4096; use fewer or shorter values, or split the identity",
  },
  mutable_subject: {
    document: oneIdentity(GITHUB, [API]),
    path: "identities[0].subjects[0]",
    message:
      "repository can be recycled: a renamed or deleted name can be registered again by someone else; also pin repository_id: IDs are never reused (AWS and GCP check the IDs directly; Azure matches sub only, so opt the repository into immutable subjects and set subjectFormat: immutable on the issuer)",
  },
  broad_ref_trust: {
    document: oneIdentity(GITHUB, [{ repository: "acme/api" }], grantsIn("aws", "gcp")),
    path: "identities[0].subjects[0]",
    message:
      "any branch, tag or pull request can use this identity because none of ref, environment is pinned; pin one to the branch, tag or environment that deploys",
  },
  pattern_spans_claims: {
    document: oneIdentity(
      GITHUB,
      [{ ...API, job_workflow_ref: { pattern: "acme/wf/.github/workflows/*" } }],
      grantsIn("aws", "gcp"),
    ),
    path: "identities[0].subjects[0].job_workflow_ref",
    message:
      'job_workflow_ref is made of 2 parts separated by "@", and the wildcard in "acme/wf/.github/workflows/*" comes before the last one, so it also matches other values of the later parts (for example any ref); write the earlier parts out in full',
  },
  literal_wildcard: {
    document: oneIdentity(
      GITHUB,
      [{ repository: "acme/api", environment: "prod-*" }],
      grantsIn("aws", "gcp"),
    ),
    path: "identities[0].subjects[0].environment",
    message:
      "environment \"prod-*\" is an exact value, so '*' and '?' in it match only themselves; did you mean {pattern: \"prod-*\"}?",
  },
  aws_unknown_managed_policy: {
    document: oneIdentity(
      GITHUB,
      [API],
      [{ target: "aws-prod", managedPolicyArns: ["arn:aws:iam::aws:policy/NetworkAdministrator"] }],
    ),
    path: "identities[0].grants[0].managedPolicyArns[0]",
    message:
      '"arn:aws:iam::aws:policy/NetworkAdministrator": it is not among the AWS managed policies trustplane knows (iann0036/iam-dataset at 2073fa52 (2026-08-22), 1214 policies), so AttachRolePolicy fails with NoSuchEntity unless AWS added it since; did you mean "arn:aws:iam::aws:policy/job-function/NetworkAdministrator"?',
  },
  azure_custom_audience: {
    document: oneIdentity(
      GITHUB,
      [API],
      [
        {
          target: "azure-prod",
          audience: "api://acme-ci",
          roles: [{ role: "Reader", scope: AZURE_SCOPE }],
        },
      ],
    ),
    path: "identities[0].grants[0].audience",
    message:
      'Azure\'s federated credentials take the audience "api://acme-ci", but Microsoft recommends "api://AzureADTokenExchange", which azure/login and the Azure SDKs request unless told otherwise (an older Entra page says "must be"); use it here and have the job request it, or keep "api://acme-ci" and make sure the job requests that',
  },
};
