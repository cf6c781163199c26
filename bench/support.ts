// Helpers shared by the benchmarks in bench/.
import type { IntentDocument } from "../lib/intent/document";
import { TARGETS } from "../test/support/documents";

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A number with thousands separators and a fixed number of decimals. */
export const fmt = (x: number, digits = 0) =>
  x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * N GitHub identities, each with two selectors pinned by owner and repository IDs (as a platform
 * team writes them: no warnings) and a grant in every cloud.
 */
export function githubDocument(n: number): IntentDocument {
  type Identity = IntentDocument["identities"][number];
  const identities = Array.from({ length: n }, (_, i): Identity => ({
    name: `svc-${i}`,
    issuer: "github",
    subjects: [
      { ...pinned(i), environment: { oneOf: ["production", "staging"] } },
      { ...pinned(i), ref: "refs/heads/main", environment: { absent: true } },
    ],
    grants: [
      { target: "aws-prod", managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      {
        target: "azure-prod",
        roles: [{ role: "Reader", scope: "/subscriptions/00000000-0000-0000-0000-00000000000b" }],
      },
      { target: "gcp-prod", roles: ["roles/viewer"] },
    ],
  }));
  return {
    version: 1,
    issuers: { github: { kind: "github", subjectFormat: "immutable" } },
    targets: TARGETS,
    identities,
  };
}

const pinned = (i: number) => ({
  repository: `acme/svc-${i}`,
  repository_owner_id: "1342004",
  repository_id: String(100_000 + i),
});
