import type { KubernetesIssuer } from "../../intent/document";
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

/**
 * The managed clusters' issuer URLs: EKS (`oidc.eks.<region>.amazonaws.com/id/<id>`), GKE
 * (`container.googleapis.com/v1/projects/…/clusters/…`) and AKS (`<region>.oic.prod-aks.azure.com/…`).
 */
export function recognizeCluster(url: string): KubernetesIssuer | undefined {
  const managed =
    /^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[A-Za-z0-9]+$/.test(url) ||
    /^https:\/\/container\.googleapis\.com\/v1\/projects\/[^/]+\/(locations|zones)\/[^/]+\/clusters\/[^/]+$/.test(
      url,
    ) ||
    /^https:\/\/[a-z0-9-]+\.oic\.prod-aks\.azure\.com\/[0-9a-f-]+\/[0-9a-f-]+\/?$/.test(url);
  return managed ? { kind: "kubernetes", url } : undefined;
}
