import type { Issue } from "../errors";
import type { DocumentIR } from "../ir/types";
import type { Plan } from "../plan/types";
import type { IdentityHandoff, Placeholder } from "./model";
import { identityHandoff } from "./model";
import { StackValues } from "./outputs";

/**
 * The hand-off of each identity that has a `handoff` section, from the compiled document,
 * taking late values (Azure client IDs) from the stacks' outputs and recording the ones left
 * as placeholders.
 */
export function handoffsOf(
  ir: DocumentIR,
  plan: Plan,
  stacks = new StackValues(),
): { handoffs: IdentityHandoff[]; placeholders: Placeholder[]; issues: Issue[] } {
  const placeholders: Placeholder[] = [];
  const issues: Issue[] = [];
  const handoffs = ir.identities.flatMap((identity) => {
    const { handoff } = identity;
    if (!handoff) return [];
    const planned = plan.identities.find((p) => p.name === identity.name)!;
    return [identityHandoff({ ...identity, handoff }, planned, stacks, placeholders, issues)];
  });
  return { handoffs, placeholders, issues };
}
