import type { IntentDocument } from "../../lib/intent/document";

/** Targets in every cloud, reused by the tests. */
export const TARGETS = {
  "aws-prod": { cloud: "aws", accountId: "111111111111" },
  "azure-prod": {
    cloud: "azure",
    tenantId: "00000000-0000-0000-0000-00000000000a",
    subscriptionId: "00000000-0000-0000-0000-00000000000b",
    resourceGroup: "identities",
    location: "westeurope",
  },
  "gcp-prod": { cloud: "gcp", projectId: "acme-prod", projectNumber: "123456789012" },
} as const;

export const AZURE_SCOPE = "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/app";

/** A grant in each of the three clouds. */
export const ALL_GRANTS = [
  { target: "aws-prod", managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
  { target: "azure-prod", roles: [{ role: "Reader", scope: AZURE_SCOPE }] },
  { target: "gcp-prod", roles: ["roles/viewer"] },
];

type Json = Record<string, unknown>;

/**
 * A document with one identity `deploy` trusting `subjects` from `issuer`, granted in every
 * cloud unless `grants` says otherwise.
 */
export function oneIdentity(
  issuer: Json,
  subjects: Json[],
  grants: Json[] = ALL_GRANTS,
): IntentDocument {
  return {
    version: 1,
    issuers: { ci: issuer },
    targets: structuredClone(TARGETS),
    identities: [{ name: "deploy", issuer: "ci", subjects, grants }],
  } as unknown as IntentDocument;
}

/** Grants in only the named clouds' targets. */
export function grantsIn(...clouds: ("aws" | "azure" | "gcp")[]): Json[] {
  return ALL_GRANTS.filter((g) => clouds.some((c) => g.target.startsWith(c)));
}
