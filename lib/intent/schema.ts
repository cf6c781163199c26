import { z } from "zod";
import { AwsTarget, awsGrantOptions } from "../backends/aws/options";
import { AzureRole, AzureTarget, azureGrantOptions } from "../backends/azure/options";
import { GcpTarget, gcpGrantOptions } from "../backends/gcp/options";
import type * as Document from "./document";
import {
  BitbucketIssuer,
  BuildkiteIssuer,
  CircleciIssuer,
  GithubIssuer,
  GitlabIssuer,
  Issuer,
  KubernetesIssuer,
  OidcIssuer,
  PulumiCloudIssuer,
  TerraformCloudIssuer,
} from "./issuer-schema";
import { Audience, Matcher, Name, Selector, noControl } from "./values";

export { Issuer } from "./issuer-schema";
export { Matcher, Name, Selector } from "./values";

/**
 * The intent document, version 1: the CLI's file format and the Pulumi component's args.
 * Every key here is a public contract; add keys, never rename them.
 */

export const Target = z
  .discriminatedUnion("cloud", [AwsTarget, AzureTarget, GcpTarget])
  .describe("Where trust lands, by `cloud`: an AWS account, an Azure subscription, a GCP project.");

export const Grant = z
  .strictObject({
    target: z.string().describe("The name of an entry in `targets`."),
    audience: Audience.optional().describe(
      "The `aud` tokens must carry for this grant. Defaults to the issuer's audience for the target's cloud.",
    ),
    ...awsGrantOptions,
    // azure (objects) and gcp (role names)
    roles: z
      .array(
        z.union(
          [
            z
              .string()
              .min(1)
              .max(300)
              .describe("A GCP role, granted on the project: `roles/…` or a custom role name."),
            AzureRole,
          ],
          {
            error: "a role is a GCP role name such as roles/run.admin, or an Azure {role, scope}",
          },
        ),
      )
      .optional()
      .meta({
        description:
          "Azure: role assignments `{role, scope}`; GCP: role names granted on the project (or to the service account's principal, by `mode`).",
        examples: [["roles/run.admin"], [{ role: "Contributor", scope: "/subscriptions/<id>" }]],
      }),
    ...azureGrantOptions,
    ...gcpGrantOptions,
  })
  .describe(
    "What the identity may do in one target. Only the options of the target's cloud are allowed.",
  );

const AwsRegion = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "expected an AWS region such as eu-west-1");

const Backend = z
  .strictObject({
    target: z
      .string()
      .describe(
        "The grant (by target name) whose cloud holds the state: `s3` for AWS, `azurerm` for Azure, `gcs` for GCP.",
      ),
    bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, "bucket names are 3-222 of [a-z0-9._-]")
      .optional()
      .describe("s3 and gcs: the bucket."),
    key: z
      .string()
      .min(1)
      .max(1024)
      .refine(noControl, "keys never contain control characters")
      .optional()
      .meta({
        description: "s3 and azurerm: the state object's key.",
        examples: ["api/terraform.tfstate"],
      }),
    region: AwsRegion.optional().describe(
      "s3: the bucket's region. Defaults to `handoff.awsRegion`.",
    ),
    storageAccount: z
      .string()
      .regex(/^[a-z0-9]{3,24}$/, "storage account names are 3-24 lowercase letters and digits")
      .optional()
      .describe("azurerm: the storage account."),
    container: z
      .string()
      .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "container names are 3-63 of [a-z0-9-]")
      .optional()
      .describe("azurerm: the blob container."),
    prefix: z
      .string()
      .min(1)
      .max(1024)
      .refine(noControl, "prefixes never contain control characters")
      .optional()
      .describe("gcs: the prefix of the state objects."),
  })
  .describe(
    "Where the app team's Terraform keeps its state, reached through this identity's grant in the target's cloud.",
  );

export const Handoff = z
  .strictObject({
    ci: z
      .enum(["github", "gitlab", "hcp-terraform", "none"])
      .optional()
      .describe(
        "The CI the jobs run in. Defaults to `github`, `gitlab` or `hcp-terraform` by the issuer's kind, `none` otherwise.",
      ),
    targets: z
      .array(z.string())
      .min(1)
      .optional()
      .describe(
        "The grants (by target name) the Terraform configuration uses, one per cloud. Defaults to every grant, when no cloud has two.",
      ),
    awsRegion: AwsRegion.optional().describe(
      "The region of the AWS provider (and of an s3 backend without its own).",
    ),
    backend: Backend.optional(),
    tokenDirectory: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]*$/, "an absolute path of letters, digits, '.', '_', '-' and '/'")
      .optional()
      .describe(
        "Where the job (or pod) keeps each cloud's token as `<target>.jwt`, for CIs without login actions. Defaults to `/tmp/trustplane`.",
      ),
  })
  .describe(
    "What `trustplane render` writes for the app team that runs this identity's jobs: Terraform provider and backend blocks and a CI snippet.",
  );

export const Identity = z
  .strictObject({
    name: Name.describe(
      "The identity's name, unique in the document: it names the role, managed identity and service account.",
    ),
    description: z.string().max(256).optional().describe("What the identity is for, for people."),
    issuer: z.string().describe("The name of an entry in `issuers`: who signs its tokens."),
    subjects: z
      .array(Selector)
      .min(1, "an identity needs at least one selector")
      .describe("Selectors, OR'ed: a token of the issuer is trusted when it matches any of them."),
    grants: z
      .array(Grant)
      .min(1, "an identity needs at least one grant")
      .describe("What the identity may do, one grant per target."),
    handoff: Handoff.optional(),
  })
  .describe("A workload identity: which tokens (subjects) may do what (grants) where (targets).");

export const IntentDocument = z
  .strictObject({
    version: z
      .literal(1, "set version: 1, the version of the intent document this trustplane reads")
      .describe("The version of the intent document format: 1."),
    issuers: z
      .record(Name, Issuer)
      .describe(
        "Who signs the workloads' OIDC tokens, by name (lowercase letters, digits, dashes).",
      ),
    targets: z
      .record(Name, Target)
      .describe(
        "Where workloads may act, by name: AWS accounts, Azure subscriptions, GCP projects.",
      ),
    identities: z.array(Identity).describe("The workload identities and what each may do."),
  })
  .describe(
    "A trustplane intent document: which workloads, described by the claims of their OIDC tokens, may do what in which AWS account, Azure subscription or GCP project.",
  );

/** The schemas the JSON Schema and the TypeScript declarations name (lib/intent/document.ts). */
export const NAMED_SCHEMAS = {
  Issuer,
  GithubIssuer,
  GitlabIssuer,
  TerraformCloudIssuer,
  PulumiCloudIssuer,
  KubernetesIssuer,
  CircleciIssuer,
  BuildkiteIssuer,
  BitbucketIssuer,
  OidcIssuer,
  Target,
  AwsTarget,
  AzureTarget,
  GcpTarget,
  Identity,
  Selector,
  Matcher,
  Grant,
  AzureRole,
  Handoff,
  Backend,
};

/** Both ways assignable: the generated declarations say exactly what the schema accepts. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only while lib/intent/document.ts matches this file: run `npm run generate` if not. */
export const GENERATED_TYPES_MATCH: [
  Same<Document.IntentDocument, z.input<typeof IntentDocument>>,
  Same<Document.ParsedDocument, z.output<typeof IntentDocument>>,
] = [true, true];
