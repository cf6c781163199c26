import { backendOf } from "../backends";
import type { GrantPlanOf } from "../backends/cloud-types";
import { compileDocument } from "../compile";
import type { Issue } from "../errors";
import { isError } from "../errors";
import { judgedTokens } from "../inspect/corpus";
import type { TokenClaims } from "../inspect/token-claims";
import { audiencesOf } from "../inspect/token-claims";
import type { IntentDocument } from "../intent/document";
import type { ImportedTrust } from "./trust";

/** A token the draft and the deployed trust decide differently. */
export interface Divergence {
  /** `wider`: the draft accepts it and the deployed trust refuses it; `narrower`: the opposite. */
  readonly kind: "wider" | "narrower";
  readonly token: TokenClaims;
}

/** The outcome of proving one imported trust's draft. */
export type Proof =
  | { readonly errors: readonly Issue[] }
  | {
      readonly divergences: readonly Divergence[];
      readonly tokens: number;
      readonly warnings: readonly Issue[];
    };

/**
 * Compiles a one-identity draft of `trust` and decides `verify`'s corpus for it (with attacker
 * tokens shaped to both the draft's and the deployed `sub` values, and the issuer's ordinary
 * token) with the draft's compiled artefacts and with the deployed trust, by the cloud's
 * evaluator. The draft is exact on this corpus when no token is decided differently; it proves
 * nothing about tokens outside it.
 */
export function prove(document: IntentDocument, trust: ImportedTrust): Proof {
  const { ir, plan, issues } = compileDocument(document);
  if (!ir || !plan) return { errors: issues.filter(isError) };
  const identity = ir.identities[0]!;
  const grant = plan.identities[0]!.grants[0]!;
  const backend = backendOf(grant.cloud);
  const deployed = {
    ...grant,
    // the trust and the grant are of the same cloud: the draft compiled it from the trust
    artefacts: (trust.overlay as (a: unknown) => typeof grant.artefacts)(grant.artefacts),
  } as GrantPlanOf<typeof grant.cloud>;
  const patterns = new Set([
    ...backend.subPatterns(grant.artefacts),
    ...backend.subPatterns(deployed.artefacts),
  ]);
  const tokens = judgedTokens(identity, ir.identities, [...patterns]);
  const divergences: Divergence[] = [];
  for (const claims of tokens) {
    const audiences = audiencesOf(claims) ?? [grant.audience];
    const draft = backend.evaluate(identity, grant, claims, audiences).allowed;
    const live = backend.evaluate(identity, deployed, claims, audiences).allowed;
    if (draft !== live) divergences.push({ kind: draft ? "wider" : "narrower", token: claims });
  }
  return { divergences, tokens: tokens.length, warnings: issues };
}
