import type { Cloud } from "../backends/cloud";
import type { ArtefactsOf } from "../backends/cloud-types";
import type { Grant, Selector, Target } from "../intent/document";

/**
 * Deployed trust read back into the intent document's terms, one per deployed role, managed
 * identity or provider: what each cloud's decompiler gives `import`.
 */
export interface ImportedTrust<C extends Cloud = Cloud> {
  readonly cloud: C;
  /** The deployed resource: an ARN, a resource ID, a provider's full name. */
  readonly resource: string;
  /** The name the identity would take: the role's, managed identity's or provider's. */
  readonly name: string;
  readonly issuerUrl: string;
  /** The `aud` the deployed trust accepts. */
  readonly audience: string;
  /** OR'ed, as the deployed artefact decides; `sub` stays as deployed until it reads back exactly. */
  readonly subjects: readonly Selector[];
  readonly target: ImportedTarget;
  /** The grant key that holds the deployed resource's name (the draft drops it where it is the default). */
  readonly nameKey: "roleName" | "identityName" | "providerId";
  /** The grant's keys besides `target` and `audience`: physical names, permissions. */
  readonly grant: Readonly<Omit<Grant, "target" | "audience">>;
  /** What the draft says about this trust: what the files did not hold, what was left out. */
  readonly notes: readonly string[];
  /**
   * The deployed trust in the shape of the draft's compiled artefacts (the compiled ones with what
   * is deployed put over them), for deciding the same tokens with both.
   */
  overlay(compiled: ArtefactsOf<C>): ArtefactsOf<C>;
}

/** The target a trust lands in, with the keys the files did not give (filled with placeholders). */
export interface ImportedTarget {
  /** A name for the target, made unique by `import`: `aws-111111111111`. */
  readonly name: string;
  readonly config: Target;
  /** Keys of `config` that hold placeholders, each with what to put there. */
  readonly placeholders: Readonly<Record<string, string>>;
}

/** Deployed trust `import` could not read into the document, and why. */
export interface NotImported {
  readonly cloud: Cloud;
  readonly resource: string;
  readonly reason: string;
}

/** What one cloud's deployed state decompiles into. */
export interface Decompiled<C extends Cloud = Cloud> {
  readonly trusts: readonly ImportedTrust<C>[];
  readonly skipped: readonly NotImported[];
}

/**
 * One selector per combination of alternatives: conditions AND'ed across claims, values OR'ed
 * within one. Undefined when there would be more than `max` selectors.
 */
export function combinations(
  claims: readonly (readonly [string, readonly Selector[string][]])[],
  max: number,
): Selector[] | undefined {
  let out: Selector[] = [{}];
  for (const [claim, options] of claims) {
    out = out.flatMap((s) => options.map((m) => ({ ...s, [claim]: m })));
    if (out.length > max) return undefined;
  }
  return out;
}

/** An identity name (lowercase, digits, single dashes, at most 48) proposed from a resource name. */
export function identityNameOf(resourceName: string): string {
  const name = resourceName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "")
    .slice(0, 48)
    .replace(/-+$/, "");
  return name || "imported";
}
