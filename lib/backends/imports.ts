import type { DeployedFile } from "./audits";
import type { Decompiled } from "../import/trust";
import type { Cloud } from "./cloud";
import { decompileAws } from "./aws/decompile";
import { readAwsFiles } from "./aws/deployed";
import { decompileAzure } from "./azure/decompile";
import { readAzureFiles } from "./azure/deployed";
import { decompileGcp } from "./gcp/decompile";
import { readGcpFiles } from "./gcp/deployed";

/**
 * One decompiler per cloud, keyed by the schema's clouds: the files of deployed state (the same
 * CLI outputs `audit` reads) read back into the document's terms, or the problems that stop
 * reading them (each names its file).
 */
export const IMPORTS: {
  readonly [C in Cloud]: (files: readonly DeployedFile[]) => Decompiled<C> | { problems: string[] };
} = {
  aws(files) {
    const read = readAwsFiles(files);
    return "problems" in read ? read : decompileAws(read.deployment);
  },
  azure(files) {
    const read = readAzureFiles(files);
    return "problems" in read ? read : decompileAzure(read.deployment);
  },
  gcp(files) {
    const read = readGcpFiles(files);
    return "problems" in read ? read : decompileGcp(read.deployment);
  },
};
