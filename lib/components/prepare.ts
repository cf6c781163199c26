import * as pulumi from "@pulumi/pulumi";
import type { Cloud } from "../backends/cloud";
import type { Issue } from "../errors";
import { TrustplaneError, error, isError, quote } from "../errors";
import type { IntentDocument } from "../intent/document";
import type { DocumentIR } from "../ir/types";
import type { Plan } from "../plan/types";
import type { renderCompiled } from "../render/render";
import type { AwsTrust } from "./aws";
import type { AzureTrust } from "./azure";
import type { GcpTrust } from "./gcp";
import type { TrustPlaneOptions } from "./options";
import { adoptedAwsProviders, sharedProviderIssues } from "./providers";
import type { CloudGrant } from "./shared";
import { tagIssues } from "./tags";

/**
 * Each cloud's component module (loaded only when the stack deploys that cloud), the SDK it
 * needs, and the package of that SDK's providers.
 */
const CLOUD_MODULES = {
  aws: { module: "./aws", sdk: "@pulumi/aws", provider: "aws", name: "AWS" },
  azure: {
    module: "./azure",
    sdk: "@pulumi/azure-native",
    provider: "azure-native",
    name: "Azure",
  },
  gcp: { module: "./gcp", sdk: "@pulumi/gcp", provider: "gcp", name: "GCP" },
} as const satisfies Record<Cloud, { module: string; sdk: string; provider: string; name: string }>;

/** The component classes of the clouds this stack deploys. */
interface CloudComponents {
  aws?: typeof AwsTrust;
  azure?: typeof AzureTrust;
  gcp?: typeof GcpTrust;
}

/**
 * Loads a module when it is first needed: a cloud's component only when the document has grants
 * there (a program for one cloud runs without the other clouds' SDKs installed, and
 * `import "trustplane/pulumi"` loads none of them), the YAML reader only for `fromFile`.
 */
export function loadModule<T>(module: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point is to load on demand
  return require(module) as T;
}

/** What the constructor needs beyond the plan, checked in full before anything is registered. */
export interface Setup {
  readonly selected: CloudGrant[];
  /** Planned provider resource name → adopted ARN. */
  readonly awsProviders: Record<string, pulumi.Input<string>>;
  /** Planned pool resource names to adopt. */
  readonly gcpPools: Set<string>;
  /** Project ID per GCP target. */
  readonly projects: Record<string, string>;
  /** The hand-off renderer, loaded when some identity has a `handoff`. */
  readonly renderer?: typeof renderCompiled;
  /** The components of the clouds with grants in this stack, their SDKs loaded. */
  readonly components: CloudComponents;
}

export function prepare(
  plan: Plan,
  ir: DocumentIR,
  document: IntentDocument,
  options: Pick<TrustPlaneOptions, "providers" | "adopt" | "only" | "tags">,
): Setup {
  const issues: Issue[] = [];
  const all = plan.identities.flatMap((identity) =>
    identity.grants.map((grant) => ({ identity, grant })),
  );
  const targets = document.targets;

  // only: the targets (or clouds) of this stack
  const known = new Set(all.flatMap(({ grant }) => [grant.target, grant.cloud]));
  (options.only ?? []).forEach((name, i) => {
    if (!known.has(name)) {
      issues.push(
        error(
          "invalid_value",
          ["only", i],
          `${quote(name)} is neither a target with grants nor a cloud with grants; use one of ${[...known].sort().join(", ")}`,
        ),
      );
    }
  });
  const only = options.only;
  const selected = only
    ? all.filter(({ grant }) => only.includes(grant.target) || only.includes(grant.cloud))
    : all;

  for (const [target, provider] of Object.entries(options.providers ?? {})) {
    if (!(target in targets)) {
      issues.push(
        error(
          "unknown_target",
          ["providers", target],
          `providers names ${quote(target)}, which is no target of the document`,
        ),
      );
      continue;
    }
    const expected = CLOUD_MODULES[targets[target]!.cloud];
    const given = packageOf(provider);
    if (given !== expected.provider) {
      issues.push(
        error(
          "provider_mismatch",
          ["providers", target],
          `providers gives ${expected.name} target ${quote(target)} ${given === undefined ? "something that is not a Pulumi provider" : `a provider of ${quote(given)}`}; give it a Provider of ${expected.sdk}`,
        ),
      );
    }
  }

  issues.push(...sharedProviderIssues(selected, targets, options.providers ?? {}));
  issues.push(...tagIssues(options.tags ?? {}, selected));
  const components = loadComponents(selected, issues);

  const awsProviders = adoptedAwsProviders(all, options.adopt?.awsOidcProviders ?? {}, issues);

  const gcpPools = new Set<string>();
  (options.adopt?.gcpPools ?? []).forEach((target, i) => {
    const grant = all.find(({ grant }) => grant.target === target && grant.cloud === "gcp");
    if (grant) gcpPools.add(grant.grant.resources[0]!.name);
    else
      issues.push(
        error(
          "invalid_value",
          ["adopt", "gcpPools", i],
          `${quote(target)} is not a GCP target with grants`,
        ),
      );
  });

  // the hand-off is rendered once now, so that a document it cannot render registers nothing
  const renderer = ir.identities.some((i) => i.handoff)
    ? loadModule<{ renderCompiled: typeof renderCompiled }>("../render/render").renderCompiled
    : undefined;
  if (renderer) issues.push(...renderer(ir, plan).issues.filter(isError));

  if (issues.length) throw new TrustplaneError(issues);
  const projects: Record<string, string> = {};
  for (const [name, target] of Object.entries(targets))
    if (target.cloud === "gcp") projects[name] = target.projectId;
  return { selected, awsProviders, gcpPools, projects, renderer, components };
}

/** The package a Pulumi provider resource serves (`aws`, `azure-native`, `gcp`). */
function packageOf(provider: unknown): string | undefined {
  if (!pulumi.ProviderResource.isInstance(provider)) return undefined;
  return (provider as unknown as { getPackage?(): string }).getPackage?.();
}

/**
 * Loads the component of every cloud the stack deploys, with its SDK, before anything is
 * registered: a missing SDK is an issue that names the package to install.
 */
function loadComponents(selected: readonly CloudGrant[], issues: Issue[]): CloudComponents {
  const components: CloudComponents = {};
  const targetsOf = (cloud: Cloud) => [
    ...new Set(selected.filter((g) => g.grant.cloud === cloud).map((g) => g.grant.target)),
  ];
  const loaders: { [C in Cloud]: () => CloudComponents[C] } = {
    aws: () => loadModule<{ AwsTrust: typeof AwsTrust }>(CLOUD_MODULES.aws.module).AwsTrust,
    azure: () =>
      loadModule<{ AzureTrust: typeof AzureTrust }>(CLOUD_MODULES.azure.module).AzureTrust,
    gcp: () => loadModule<{ GcpTrust: typeof GcpTrust }>(CLOUD_MODULES.gcp.module).GcpTrust,
  };
  const load = <C extends Cloud>(cloud: C) => {
    const targets = targetsOf(cloud);
    if (targets.length === 0) return;
    const { sdk, name } = CLOUD_MODULES[cloud];
    try {
      components[cloud] = loaders[cloud]();
    } catch (e) {
      const missing = /Cannot find module '(@pulumi\/[^/']+)/.exec(String(e))?.[1];
      if (missing === undefined) throw e;
      issues.push(
        error(
          "missing_sdk",
          ["targets", targets[0]!],
          `this stack deploys ${name} grants (targets ${targets.map(quote).join(", ")}), but ${missing} cannot be loaded: install it (npm install ${sdk}), or set the TrustPlane option only to the targets this stack deploys`,
        ),
      );
    }
  };
  for (const cloud of Object.keys(CLOUD_MODULES) as Cloud[]) load(cloud);
  return components;
}
