import { compileDocument } from "../compile";
import type { Issue } from "../errors";
import type { IdentityHandoff, Placeholder } from "./model";
import { identityHandoff } from "./model";
import { StackValues } from "./outputs";

/** Every identity's hand-off, or the document's issues when it has errors. */
export interface Handoffs {
  readonly handoffs?: readonly IdentityHandoff[];
  /** Values left as placeholders because no stack reported them. */
  readonly placeholders: readonly Placeholder[];
  readonly issues: readonly Issue[];
}

/**
 * Compiles the document and builds the hand-off of each identity that has a `handoff` section,
 * taking late values (Azure client IDs) from the stacks' outputs. Pure; never throws on bad input.
 */
export function buildHandoffs(document: unknown, stacks = new StackValues()): Handoffs {
  const { plan, ir, issues } = compileDocument(document);
  if (!plan || !ir) return { placeholders: [], issues };
  const placeholders: Placeholder[] = [];
  const handoffs = ir.identities.flatMap((identity) => {
    const { handoff } = identity;
    if (!handoff) return [];
    const planned = plan.identities.find((p) => p.name === identity.name)!;
    return [identityHandoff({ ...identity, handoff }, planned, stacks, placeholders)];
  });
  return { handoffs, placeholders, issues };
}
