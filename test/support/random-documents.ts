import fc from "fast-check";
import { compileDocument } from "../../lib/compile";
import type { DocumentIR } from "../../lib/ir/types";
import type { Plan } from "../../lib/plan/types";
import { ALL_GRANTS, TARGETS } from "./documents";
import type { TokenModel } from "./tokens";
import { githubModel, selectors, terraformCloudModel } from "./tokens";

// Random intent documents for property tests (verify, audit) -------------------------------------------------------------------------

const ISSUERS = {
  gh: { kind: "github" },
  ghids: { kind: "github", subjectFormat: "immutable" },
  ghes: { kind: "github", url: "https://ghe.example.com/_services/token" },
  idp: {
    kind: "oidc",
    url: "https://idp.platform.example",
    claims: ["namespace", "app"],
    subjectTemplate: "ns:{namespace}:app:{app}",
  },
  idpa: {
    kind: "oidc",
    url: "https://idp-a.platform.example",
    claims: ["namespace", "app"],
    subjectTemplate: "ns:{namespace}:app:{app}",
    alphabets: { namespace: "a-z*", app: "a-z" },
  },
  gl: { kind: "gitlab", subjectClaims: ["project_id", "ref_type", "ref"] },
  tfc: { kind: "terraform-cloud" },
  k8s: { kind: "kubernetes", url: "https://oidc.eks.eu-west-1.amazonaws.com/id/B71EBF2C4DDE" },
} as const;
type IssuerKey = keyof typeof ISSUERS;

const pool = (values: TokenModel["values"]): TokenModel => ({ tokens: fc.constant({}), values });

/** GitLab with project_id subjects: pins by ID, refs and the claims only GCP can check. */
const GITLAB = pool({
  project_id: ["4711", "4712"],
  ref_type: ["branch", "tag"],
  ref: ["main", "v1", "release/1", "release/*", "main*", "v?"],
  namespace_path: ["acme", "acme/ops"],
  ref_protected: ["true", "false"],
});

/**
 * A platform's own issuer, `ns:{namespace}:app:{app}`: values that hold the template's literals
 * (`payments:app:evil`) next to the plain ones.
 */
const PLATFORM = pool({
  namespace: ["payments", "payments:app:evil", "pay", "payments:app", "pay*", "*:app:*"],
  app: ["web", "web:app:x", "w?b", "api"],
});

/** Service accounts, selected through `sub` (absent is left out: every token carries sub). */
const KUBERNETES = pool({
  sub: [
    "system:serviceaccount:payments:api",
    "system:serviceaccount:payments:api-x",
    "system:serviceaccount:ci:deploy",
    "system:serviceaccount:apps:*",
    "system:serviceaccount:payments:api*",
  ],
});

/** Selectors per issuer, each with the owner pinned as a shared issuer requires. */
const SUBJECTS: Record<IssuerKey, fc.Arbitrary<Record<string, unknown>>> = {
  gh: selectors(githubModel()).map((s) => ({ ...s, repository_owner: "acme" })),
  ghids: fc.tuple(selectors(githubModel(true)), fc.boolean()).map(([s, byName]) =>
    // some pin the owner's name too; the others the IDs alone (issue 9, defect 1)
    byName
      ? { repository_owner_id: "100", repository_id: "900", ...s, repository_owner: "acme" }
      : { ...s, repository_owner_id: "100", repository_id: "900" },
  ),
  // pinned by IDs alone or with a repository pattern: no wildcard may stand before the IDs
  ghes: selectors(githubModel()).map((s) => ({ repository_owner_id: "100", ...s })),
  idp: selectors(PLATFORM),
  idpa: selectors(PLATFORM),
  gl: selectors(GITLAB).map((s) => ({ project_id: "4711", ...s })),
  tfc: selectors(terraformCloudModel()).map((s) => ({ ...s, terraform_organization_name: "acme" })),
  k8s: selectors(KUBERNETES).filter((s) => !(s.sub as { absent?: true }).absent),
};

interface RawIdentity {
  readonly issuer: IssuerKey;
  readonly subjects: readonly Record<string, unknown>[];
  readonly grants: readonly Record<string, unknown>[];
}

const rawIdentity: fc.Arbitrary<RawIdentity> = fc
  .constantFrom(...(Object.keys(ISSUERS) as IssuerKey[]))
  .chain((issuer) =>
    fc.record({
      issuer: fc.constant(issuer),
      subjects: fc.array(SUBJECTS[issuer], { minLength: 1, maxLength: 3 }),
      grants: fc.subarray(ALL_GRANTS, { minLength: 1 }),
    }),
  );

function documentOf(identities: readonly RawIdentity[]): Record<string, unknown> {
  return structuredClone({
    version: 1,
    issuers: ISSUERS,
    targets: TARGETS,
    identities: identities.map((identity, i) => ({ name: `id-${i}`, ...identity })),
  });
}

interface Generated {
  readonly document: Record<string, unknown>;
  /** Grants trustplane refused for their identity alone (a cloud that cannot express it). */
  readonly refusedGrants: number;
}

/**
 * 1–4 identities over five issuers. Most random selectors cannot be expressed in every cloud
 * (Azure has no wildcards, AWS and Azure see only sub for most issuers), so each identity keeps
 * the grants trustplane compiles for it alone, and an identity left with none is dropped: the
 * refusals are counted, not tested.
 */
export const documents: fc.Arbitrary<Generated> = fc
  .array(rawIdentity, { minLength: 1, maxLength: 4 })
  .map((raw) => {
    let refusedGrants = 0;
    const kept = raw
      .map((identity) => {
        const grants = identity.grants.filter((g) => {
          const ok = compileDocument(documentOf([{ ...identity, grants: [g] }])).plan;
          if (!ok) refusedGrants++;
          return ok;
        });
        return { ...identity, grants };
      })
      .filter((identity) => identity.grants.length > 0);
    return { document: documentOf(kept), refusedGrants };
  });

/** Compiles a generated document; undefined when trustplane refuses it. */
export function compiled(g: Generated): { ir: DocumentIR; plan: Plan } | undefined {
  if ((g.document.identities as unknown[]).length === 0) return undefined;
  const { plan, ir } = compileDocument(g.document);
  return plan && ir ? { plan, ir } : undefined;
}
