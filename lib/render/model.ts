import type { GrantHandoff } from "../backends";
import { backendOf } from "../backends";
import type { Placeholder } from "../backends/handoff";
import type { BackendConfig } from "../intent/document";
import type { IssuerModel } from "../claims/issuer";
import type { CiKind, HandoffIR } from "../ir/types";
import type { IdentityIR, SelectorIR } from "../ir/types";
import type { IdentityPlan } from "../plan/types";
import type { Issue, Path } from "../errors";
import { error } from "../errors";
import type { StackValues } from "./outputs";

/**
 * What the renderers read: per identity with a `handoff`, the values an app team's Terraform
 * and CI need for each grant, from the plan (known offline) and the stack's outputs (known after
 * `pulumi up`). Plain data; every renderer is a pure function of it.
 */
export interface IdentityHandoff {
  readonly name: string;
  /** The `handoff` section in the document. */
  readonly path: Path;
  readonly issuer: IssuerModel;
  /** The identity's selectors: a CI job must produce claims one of them accepts. */
  readonly selectors: readonly SelectorIR[];
  readonly ci: CiKind;
  readonly grants: readonly GrantHandoff[];
  readonly backend?: BackendHandoff;
  /** Where a job without login actions keeps each cloud's token, as `<target>.jwt`. */
  readonly tokenDirectory: string;
}

export type { AwsHandoff } from "../backends/aws/handoff";
export type { AzureHandoff } from "../backends/azure/handoff";
export type { GcpHandoff } from "../backends/gcp/handoff";
export type { GrantHandoff } from "../backends";
export type { Placeholder } from "../backends/handoff";
export { placeholderText } from "../backends/handoff";

/** The state backend of a hand-off: its name in Terraform, the grant that reads it, its settings. */
export interface BackendHandoff {
  readonly kind: string;
  readonly grant: GrantHandoff;
  readonly config: BackendConfig;
}

/**
 * The hand-off of one identity from its IR, its plan and the values its stacks reported;
 * records every value it had to leave as a placeholder.
 */
export function identityHandoff(
  identity: IdentityIR & { readonly handoff: HandoffIR },
  plan: IdentityPlan,
  stack: StackValues,
  placeholders: Placeholder[],
  issues: Issue[],
): IdentityHandoff {
  const { handoff } = identity;
  const context = { identity: identity.name, handoff, stack, placeholders };
  const grants = handoff.grants.map(({ target }) => {
    const planned = plan.grants.find((p) => p.target === target.name);
    if (!planned) throw new Error(`no plan for ${identity.name} in ${target.name}`);
    const grant = backendOf(target.cloud).handoff.grant(target, planned, context);
    issues.push(...disagreements(identity.name, grant, stack));
    return grant;
  });
  const backend = handoff.backend;
  return {
    name: identity.name,
    path: handoff.path,
    issuer: identity.issuer,
    selectors: identity.selectors,
    ci: handoff.ci,
    grants,
    ...(backend ? { backend: backendHandoff(backend, grants) } : {}),
    tokenDirectory: handoff.tokenDirectory,
  };
}

function backendHandoff(
  backend: NonNullable<HandoffIR["backend"]>,
  grants: readonly GrantHandoff[],
): BackendHandoff {
  const { grant: planned, ...config } = backend;
  const grant = grants.find((g) => g.target === planned.target.name)!;
  return { kind: backendOf(grant.cloud).handoff.backend.name, grant, config };
}

/**
 * Outputs that contradict the document: the stack was deployed from another version of it, and
 * files rendered from either would not authenticate.
 */
function disagreements(identity: string, grant: GrantHandoff, stack: StackValues): Issue[] {
  return backendOf(grant.cloud).handoff.knownBeforeDeploy.flatMap((output) => {
    const expected = (grant as unknown as Record<string, string | undefined>)[output];
    const reported = stack.get(identity, grant.target, output);
    if (reported === undefined || reported === expected) return [];
    return [
      error(
        "invalid_value",
        [],
        `the stack outputs give ${identity} in ${grant.target} ${output} ${JSON.stringify(reported)}, the document compiles to ${JSON.stringify(expected ?? "none")}; deploy this document (pulumi up) or render the one the stack was deployed from`,
      ),
    ];
  });
}
