import type { Finding } from "../audit/finding";
import type { DocumentIR } from "../ir/types";
import type { Plan } from "../plan/types";
import type { Cloud } from "./cloud";
import { auditAws } from "./aws/audit";
import { readAwsFiles } from "./aws/deployed";
import { auditAzure } from "./azure/audit";
import { readAzureFiles } from "./azure/deployed";
import { auditGcp } from "./gcp/audit";
import { readGcpFiles } from "./gcp/deployed";

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
}

/** One audit per cloud, keyed by the schema's clouds. */
export const AUDITS: { readonly [C in Cloud]: CloudAudit } = {
  aws: {
    reads:
      "aws iam get-account-authorization-details, get-role and get-open-id-connect-provider --output json",
    audit(ir, plan, files) {
      const read = readAwsFiles(files);
      return "problems" in read ? read : auditAws(ir, plan, read.deployment);
    },
  },
  azure: {
    reads:
      "az identity federated-credential list, az role assignment list --all and az identity list (or show) -o json",
    audit(ir, plan, files) {
      const read = readAzureFiles(files);
      return "problems" in read ? read : auditAzure(ir, plan, read.deployment);
    },
  },
  gcp: {
    reads:
      "gcloud iam workload-identity-pools providers list and gcloud asset search-all-iam-policies --format=json, or get-iam-policy outputs wrapped as {resource, policy}",
    audit(ir, plan, files) {
      const read = readGcpFiles(files);
      return "problems" in read ? read : auditGcp(ir, plan, read.deployment);
    },
  },
};
