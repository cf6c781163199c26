import { compileDocument } from "../compile";
import type { Issue } from "../errors";
import { count, isError, quote } from "../errors";
import { canonical } from "../internal/canonical";
import { isRecord, own } from "../internal/own";
import type { DocumentIR, IdentityIR } from "../ir/types";
import type { Plan } from "../plan/types";
import type { AccessChange, VersionedIdentity } from "./diff-access";
import { accessChanges } from "./diff-access";
import type { PermissionChange, ResourceChanges } from "./diff-plan";
import { permissionChanges, resourceChanges } from "./diff-plan";

export type { AccessChange } from "./diff-access";
export type { PermissionChange, ResourceChange, ResourceChanges, ResourceRef } from "./diff-plan";

/** How HEAD differs from BASE: who gains and who loses access, permissions, resources. */
export interface TrustDiff {
  /** Some token gains access to some grant, or some grant gains or changes a permission. */
  readonly widens: boolean;
  /** Some token loses access to some grant, or some grant loses or changes a permission. */
  readonly narrows: boolean;
  /** Per identity, target and cloud, the tokens that gain or lose access. */
  readonly changes: readonly AccessChange[];
  readonly permissions: readonly PermissionChange[];
  readonly resources: ResourceChanges;
  /** What the lists do not say: a BASE with errors compared as trusting nothing, a rename. */
  readonly notes: readonly string[];
}

/** One compiled version of a document, with the document itself (its issuers as written). */
export interface Version {
  readonly document: unknown;
  readonly ir: DocumentIR;
  readonly plan: Plan;
}

/**
 * Compares two versions of an intent document, as a reviewer of a change to it needs: which
 * tokens gain or lose access, per identity, target and cloud (decided by both versions' compiled
 * artefacts on a corpus built from both, see `accessChanges`), which permissions each grant adds,
 * removes or changes, and which resources `pulumi up` adds, removes or replaces. A rewrite that
 * means the same reports no access change. Never throws: without a diff when HEAD has errors; a
 * BASE with errors is compared as trusting nothing, so everything HEAD grants is gained
 * (a note says so). The issues of both versions are returned.
 */
export function diff(
  base: unknown,
  head: unknown,
): { diff?: TrustDiff; issues: { base: readonly Issue[]; head: readonly Issue[] } } {
  const before = compileDocument(base);
  const after = compileDocument(head);
  const issues = { base: before.issues, head: after.issues };
  if (!after.plan || !after.ir) return { issues };
  const was =
    before.plan && before.ir ? { document: base, ir: before.ir, plan: before.plan } : undefined;
  const result = diffVersions(was, { document: head, ir: after.ir, plan: after.plan });
  if (was) return { diff: result, issues };
  const errors = count(before.issues.filter(isError).length, "error");
  const note = `BASE has ${errors}, so it is compared as trusting nothing: everything HEAD grants is gained`;
  return { diff: { ...result, notes: [note, ...result.notes] }, issues };
}

/**
 * `diff` of compiled versions (BASE undefined: nothing). `decideAll` decides every identity's
 * grants on a corpus, even those whose trust is equal in both: the tests and the benchmark
 * compare it with the skip.
 *
 * @internal
 */
export function diffVersions(
  base: Version | undefined,
  head: Version,
  { decideAll = false } = {},
): TrustDiff {
  const names = [
    ...new Set([...head.plan.identities, ...(base?.plan.identities ?? [])].map((p) => p.name)),
  ];
  const changes: AccessChange[] = [];
  const permissions: PermissionChange[] = [];
  for (const name of names) {
    const was = base && versioned(base, name);
    const now = versioned(head, name);
    changes.push(...accessChanges(was, now, decideAll));
    permissions.push(...permissionChanges(was?.plan, now?.plan));
  }
  const moved = (change: PermissionChange["change"]) =>
    permissions.some((p) => p.change === change || p.change === "changed");
  return {
    widens: changes.some((c) => c.change === "gained") || moved("added"),
    narrows: changes.some((c) => c.change === "lost") || moved("removed"),
    changes,
    permissions,
    resources: resourceChanges(base?.plan, head.plan),
    notes: base ? renames(base, head) : [],
  };
}

function versioned(version: Version, name: string): VersionedIdentity | undefined {
  const identity = version.ir.identities.find((i) => i.name === name);
  const plan = version.plan.identities.find((p) => p.name === name);
  if (!identity || !plan) return undefined;
  const issuers = isRecord(version.document) ? version.document.issuers : undefined;
  const issuer = isRecord(issuers) ? own(issuers, identity.issuerName) : undefined;
  return { identity, plan, others: version.ir.identities, issuer: canonical(issuer) ?? "" };
}

/**
 * An identity gone and one new with the same issuer and selectors: most likely a rename, which
 * `pulumi up` carries out by deleting and creating, since names derive from the identity's.
 */
function renames(base: Version, head: Version): string[] {
  const trust = (i: IdentityIR) => canonical([i.issuer.url, i.selectors.map((s) => [...s.claims])]);
  const gone = base.ir.identities.filter((i) => !head.ir.identities.some((h) => h.name === i.name));
  const added = head.ir.identities.filter(
    (i) => !base.ir.identities.some((b) => b.name === i.name),
  );
  return gone.flatMap((old) => {
    const successor = added.find((n) => trust(n) === trust(old));
    return successor
      ? [
          `identity ${quote(old.name)} is gone and ${quote(successor.name)} is new with the same issuer and selectors: if it is a rename, pulumi up replaces every resource of the identity, and its workloads need the new role, client and provider names`,
        ]
      : [];
  });
}
