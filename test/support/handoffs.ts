import { compileDocument } from "../../lib/compile";
import type { Issue } from "../../lib/errors";
import { handoffsOf } from "../../lib/render/handoffs";
import type { IdentityHandoff, Placeholder } from "../../lib/render/model";
import type { StackValues } from "../../lib/render/outputs";

/**
 * Compiles the document and builds its hand-offs, for tests of the renderers one by one; the
 * document's issues instead when it has errors.
 */
export function buildHandoffs(
  document: unknown,
  stacks?: StackValues,
): {
  handoffs?: readonly IdentityHandoff[];
  placeholders: readonly Placeholder[];
  issues: readonly Issue[];
} {
  const { plan, ir, issues } = compileDocument(document);
  if (!plan || !ir) return { placeholders: [], issues };
  const built = handoffsOf(ir, plan, stacks);
  return { ...built, issues: [...issues, ...built.issues] };
}
