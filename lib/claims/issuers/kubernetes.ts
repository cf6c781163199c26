import type { IssuerConfigOf } from "./preset";
import type { IssuerModel } from "../issuer";
import { vocabulary } from "../issuer";

type KubernetesConfig = IssuerConfigOf<"kubernetes">;

/**
 * A cluster's service account token issuer (EKS, AKS, GKE, self-managed). Selectors name the
 * service account through `sub`: `system:serviceaccount:<namespace>:<name>`.
 */
export function kubernetesIssuer(config: KubernetesConfig): IssuerModel {
  return {
    kind: "kubernetes",
    label: "Kubernetes",
    url: config.url,
    shared: false,
    claims: vocabulary([]),
    claimPrefixes: [],
    ownerPins: [],
    mutableNames: [],
    refClaims: [],
    audiences: {},
    gcpAudienceHttps: true,
    sample: { sub: "system:serviceaccount:default:app" },
    awsClaimKeys: new Set(config.awsClaimKeys ?? []),
  };
}
