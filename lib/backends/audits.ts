import type { Finding, NotCompared } from "../audit/finding";
import type { DocumentIR } from "../ir/types";
import type { Plan } from "../plan/types";
import type { Cloud } from "./cloud";
import { auditAws, awsNotCompared } from "./aws/audit";
import { readAwsFiles } from "./aws/deployed";
import { auditAzure, azureNotCompared } from "./azure/audit";
import { readAzureFiles } from "./azure/deployed";
import { auditGcp, gcpNotCompared } from "./gcp/audit";
import { readGcpFiles } from "./gcp/deployed";
import type { StateResource } from "../audit/pulumi-state";
import { AWS_PACKAGES, awsStateFiles } from "./aws/stack-state";
import { AZURE_PACKAGES, azureStateFiles } from "./azure/stack-state";
import { GCP_PACKAGES, gcpStateFiles } from "./gcp/stack-state";

/** A file of deployed state: its name and its parsed JSON. */
export interface DeployedFile {
  readonly source: string;
  readonly json: unknown;
}

/** How one cloud's deployed state is read from its CLI's outputs and compared with the plan. */
export interface CloudAudit {
  /** The CLI outputs it reads, for messages: "aws iam get-account-authorization-details, …". */
  readonly reads: string;
  /** The findings of the files, or the problems that stop reading them (each names its file). */
  audit(
    ir: DocumentIR,
    plan: Plan,
    files: readonly DeployedFile[],
  ): Finding[] | { problems: string[] };
  /**
   * What `audit` of the same files could not compare, for want of a kind of file (permissions
   * without role assignments or IAM policies): a run without findings then says so. Files
   * `audit` refuses give nothing here: its problems stop the run.
   */
  notCompared(plan: Plan, files: readonly DeployedFile[]): NotCompared[];
}

/** One audit per cloud, keyed by the schema's clouds. */
export const AUDITS: { readonly [C in Cloud]: CloudAudit } = {
  aws: cloudAudit(
    "aws iam get-account-authorization-details, get-role and get-open-id-connect-provider --output json",
    readAwsFiles,
    auditAws,
    awsNotCompared,
  ),
  azure: cloudAudit(
    "az identity federated-credential list, az role assignment list --all and az identity list (or show) -o json",
    readAzureFiles,
    auditAzure,
    azureNotCompared,
  ),
  gcp: cloudAudit(
    "gcloud iam workload-identity-pools providers list and gcloud asset search-all-iam-policies --format=json, or get-iam-policy outputs wrapped as {resource, policy}",
    readGcpFiles,
    auditGcp,
    gcpNotCompared,
  ),
};

/**
 * A cloud's audit from its reader and comparisons. The files are read once for both `audit`
 * and `notCompared`: the command asks both of the same list.
 */
function cloudAudit<D>(
  reads: string,
  read: (files: readonly DeployedFile[]) => { deployment: D } | { problems: string[] },
  audit: (ir: DocumentIR, plan: Plan, deployment: D) => Finding[],
  notCompared: (plan: Plan, deployment: D) => NotCompared[],
): CloudAudit {
  const readings = new WeakMap<readonly DeployedFile[], ReturnType<typeof read>>();
  const readOnce = (files: readonly DeployedFile[]) => {
    let found = readings.get(files);
    if (!found) readings.set(files, (found = read(files)));
    return found;
  };
  return {
    reads,
    audit(ir, plan, files) {
      const found = readOnce(files);
      return "problems" in found ? found : audit(ir, plan, found.deployment);
    },
    notCompared(plan, files) {
      const found = readOnce(files);
      return "problems" in found ? [] : notCompared(plan, found.deployment);
    },
  };
}

/** How one cloud's resources of Pulumi stack exports (`--pulumi-state`) become files its audit reads. */
export interface StateAudit {
  /** The Pulumi packages whose resources are the cloud's: `aws` of `aws:iam/role:Role`. */
  readonly packages: readonly string[];
  /** The files, shaped as the CLI outputs `audit` reads, or the problems (each names its resource). */
  files(resources: readonly StateResource[]): { files: DeployedFile[] } | { problems: string[] };
}

/** One state reader per cloud, keyed by the schema's clouds. */
export const STATE_AUDITS: { readonly [C in Cloud]: StateAudit } = {
  aws: { packages: AWS_PACKAGES, files: awsStateFiles },
  azure: { packages: AZURE_PACKAGES, files: azureStateFiles },
  gcp: { packages: GCP_PACKAGES, files: gcpStateFiles },
};
