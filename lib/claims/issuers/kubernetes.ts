import type { IssuerConfigOf } from "./preset";
import type { IssuerModel } from "../issuer";
import { vocabulary } from "../issuer";
import type { ValueShape } from "../shapes";

/** A projected service account token's sub (kubernetes.io, "Service account tokens"). */
const SERVICE_ACCOUNT: ValueShape = {
  test: /^system:serviceaccount:[^:]+:[^:]+$/,
  prefix: "system:serviceaccount:",
  words: "system:serviceaccount:NAMESPACE:NAME, naming the namespace and the service account",
  suggest: (v) => (/^[^:]+:[^:]+$/.test(v) ? `system:serviceaccount:${v}` : undefined),
};

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
    shapes: new Map([["sub", SERVICE_ACCOUNT]]),
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
