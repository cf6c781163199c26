import type { IssuerKind } from "../claims/issuer";
import type { CiKind } from "./types";

/** What a CI target is to a hand-off: whose tokens its jobs carry and how credentials flow. */
export interface CiTarget {
  /** The issuer kind whose tokens its jobs carry; `none` runs anywhere that has a token file. */
  readonly issuer?: IssuerKind;
  /** Its job writes each cloud's token to `<tokenDirectory>/<target>.jwt`, which Terraform reads. */
  readonly tokenFiles: boolean;
  /** The platform injects each cloud's credentials (HCP Terraform): Terraform names no client. */
  readonly injectsCredentials: boolean;
  /** The platform keeps the state (HCP Terraform's workspace): the hand-off has no backend. */
  readonly keepsState: boolean;
}

/**
 * Every CI a hand-off can target. GitHub's login actions exchange tokens themselves, HCP
 * Terraform injects credentials, and GitLab jobs (and `none`: a pod's projected token, another
 * CI) write token files. Keyed by the schema's `ci`: a target without an entry does not compile.
 */
export const CI_TARGETS: { readonly [K in CiKind]: CiTarget } = {
  github: { issuer: "github", tokenFiles: false, injectsCredentials: false, keepsState: false },
  gitlab: { issuer: "gitlab", tokenFiles: true, injectsCredentials: false, keepsState: false },
  "hcp-terraform": {
    issuer: "terraform-cloud",
    tokenFiles: false,
    injectsCredentials: true,
    keepsState: true,
  },
  none: { tokenFiles: true, injectsCredentials: false, keepsState: false },
};

/** The CI whose tokens an issuer mints; `none` for workloads that read a token file. */
export function nativeCi(kind: IssuerKind): CiKind | undefined {
  return (Object.keys(CI_TARGETS) as CiKind[]).find((ci) => CI_TARGETS[ci].issuer === kind);
}
