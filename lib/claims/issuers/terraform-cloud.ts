import type { IssuerConfigOf } from "./preset";
import type { IssuerModel } from "../issuer";
import { vocabulary } from "../issuer";
import type { ValueShape } from "../shapes";

/** IDs HCP Terraform writes with a type prefix, and the run phases. */
const TERRAFORM_SHAPES = new Map<string, ValueShape>([
  ["terraform_run_phase", { test: /^(plan|apply)$/, words: "plan or apply" }],
  ...(
    [
      ["terraform_organization_id", "org-"],
      ["terraform_project_id", "prj-"],
      ["terraform_workspace_id", "ws-"],
      ["terraform_run_id", "run-"],
    ] as const
  ).map(
    ([claim, prefix]) =>
      [
        claim,
        {
          test: new RegExp(`^${prefix}[A-Za-z0-9]+$`),
          prefix,
          words: `an ID such as ${prefix}AbC123, not a name`,
        },
      ] as const,
  ),
]);

export const TERRAFORM_CLOUD_URL = "https://app.terraform.io";
const SHARED = new Set([TERRAFORM_CLOUD_URL, "https://app.eu.terraform.io"]);

/** @see https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens */
const CLAIMS = [
  "terraform_organization_id",
  "terraform_organization_name",
  "terraform_project_id",
  "terraform_project_name",
  "terraform_workspace_id",
  "terraform_workspace_name",
  "terraform_full_workspace",
  "terraform_run_id",
  "terraform_run_phase",
];

type TerraformCloudConfig = IssuerConfigOf<"terraform-cloud">;

export function terraformCloudIssuer(config: TerraformCloudConfig): IssuerModel {
  const url = config.url ?? TERRAFORM_CLOUD_URL;
  const org = ["organization:", { claim: "terraform_organization_name" }];
  return {
    kind: "terraform-cloud",
    label: "HCP Terraform",
    url,
    shared: SHARED.has(url),
    // names are letters, digits, spaces, '-' and '_'; IDs are `ws-…`; the full workspace holds ':'
    shapes: TERRAFORM_SHAPES,
    claims: vocabulary(
      CLAIMS,
      { terraform_full_workspace: { excludes: "", structure: { separator: ":", parts: 6 } } },
      { excludes: ":" },
    ),
    claimPrefixes: [],
    subject: {
      separators: ":",
      cases: [
        {
          label: "a workspace run",
          when: { terraform_workspace_name: { kind: "present" } },
          parts: [
            ...org,
            ":project:",
            { claim: "terraform_project_name" },
            ":workspace:",
            { claim: "terraform_workspace_name" },
            ":run_phase:",
            { claim: "terraform_run_phase" },
          ],
        },
        {
          label: "a module test run",
          when: { terraform_workspace_name: { kind: "absent" } },
          parts: [...org, ":module:", { opaque: "module", excludes: ":" }, ":operation:test_run"],
        },
      ],
    },
    ownerPins: [
      { claim: "terraform_organization_name" },
      { claim: "terraform_organization_id" },
      { claim: "terraform_project_id" },
      { claim: "terraform_workspace_id" },
      { claim: "terraform_full_workspace", prefix: /^organization:[^:]+:/ },
      { claim: "sub", prefix: /^organization:[^:]+:/ },
    ],
    mutableNames: [
      { name: "terraform_organization_name", id: "terraform_organization_id" },
      { name: "terraform_project_name", id: "terraform_project_id" },
      { name: "terraform_workspace_name", id: "terraform_workspace_id" },
    ],
    mutableFix:
      "only GCP can check them: HCP Terraform builds sub from names, and AWS and Azure match sub only",
    refClaims: ["terraform_workspace_name", "terraform_workspace_id", "terraform_full_workspace"],
    audiences: { aws: "aws.workload.identity" },
    gcpAudienceHttps: false,
    awsClaimKeys: new Set(config.awsClaimKeys ?? []),
    awsRequiresSub: true,
    sample: {
      terraform_organization_name: "acme",
      terraform_organization_id: "org-Abc123",
      terraform_project_name: "platform",
      terraform_project_id: "prj-Def456",
      terraform_workspace_name: "prod",
      terraform_workspace_id: "ws-Ghi789",
      terraform_full_workspace: "organization:acme:project:platform:workspace:prod",
      terraform_run_phase: "apply",
      terraform_run_id: "run-Jkl012",
    },
    restoreInvariants: (c, fixed) => {
      if (c.terraform_workspace_name === undefined) return true;
      const full = `organization:${c.terraform_organization_name}:project:${c.terraform_project_name}:workspace:${c.terraform_workspace_name}`;
      if (c.terraform_full_workspace === full) return true;
      if (fixed.has("terraform_full_workspace")) return false;
      c.terraform_full_workspace = full;
      return true;
    },
    shortSubject: ["terraform_run_id", "terraform_run_phase"],
  };
}
