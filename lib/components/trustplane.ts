import * as pulumi from "@pulumi/pulumi";
import { compile } from "../compile";
import type { Issue } from "../errors";
import { TrustplaneError, error, formatPath, quote } from "../errors";
import { readIntentFile } from "../intent/file";
import type { IntentDocument } from "../intent/schema";
import type { GrantPlan, Plan } from "../plan/types";
import type { AwsTrust } from "./aws";
import type { AzureTrust } from "./azure";
import type { GcpTrust } from "./gcp";
import type { CloudGrant, CloudOutputs } from "./shared";

/** What a Pulumi program adds to the intent document: values known only to the program. */
export interface TrustPlaneOptions {
  /** A Pulumi provider per target name (an `aws.Provider` for an AWS target, and so on). */
  readonly providers?: Readonly<Record<string, pulumi.ProviderResource>>;
  /** Resources that exist already: referenced, never created. */
  readonly adopt?: {
    /** Target name → issuer name → the ARN of the account's existing IAM OIDC provider for that issuer. */
    readonly awsOidcProviders?: Readonly<
      Record<string, Readonly<Record<string, pulumi.Input<string>>>>
    >;
    /** GCP target names whose workload identity pool (the target's `poolId`) exists. */
    readonly gcpPools?: readonly string[];
  };
  /** Tags on the AWS OIDC providers and roles and on the Azure managed identities. */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The targets this stack deploys, by name or by cloud (`aws`, `azure`, `gcp`), so one
   * document can drive a stack per account, subscription or project.
   *
   * @default - every target
   */
  readonly only?: readonly string[];
}

/** The intent document (v1) and the program's late-bound values. */
export type TrustPlaneArgs = IntentDocument & TrustPlaneOptions;

/** What app teams read from the stack: per identity and target, the values their CI needs. */
export interface Summary {
  readonly identities: Record<
    string,
    { issuer: string; grants: Record<string, Record<string, string>> }
  >;
}

const CLOUD_MODULES = {
  aws: "./aws",
  azure: "./azure",
  gcp: "./gcp",
} as const;

/**
 * Deploys an intent document: validates and compiles it (throwing one TrustplaneError with every
 * error before any resource is registered), then creates exactly the resources `trustplane plan`
 * lists, under one child component per cloud. A cloud's SDK is loaded only when the document
 * has a grant there.
 *
 * @example
 * ```ts
 * const platform = TrustPlane.fromFile("platform", "intent.yaml", { only: ["aws-prod"] });
 * export const summary = platform.summary;
 * ```
 */
export class TrustPlane extends pulumi.ComponentResource {
  /** The compiled plan this component deployed (warnings included in `warnings`). */
  readonly plan: Plan;
  readonly warnings: readonly Issue[];
  /** Identity name → target name → outputs (role ARN; client, principal and tenant IDs; provider and service account). */
  readonly identities: pulumi.Output<Record<string, Record<string, Record<string, string>>>>;
  /** One object to export for app teams. */
  readonly summary: pulumi.Output<Summary>;

  /** A TrustPlane for an intent file (YAML or JSON), with the program's late-bound values. */
  static fromFile(
    name: string,
    path: string,
    options: TrustPlaneOptions = {},
    opts?: pulumi.ComponentResourceOptions,
  ): TrustPlane {
    const file = readIntentFile(path);
    if ("unreadable" in file) {
      throw new TrustplaneError([
        error("invalid_syntax", [], `cannot read ${path}: ${file.unreadable}`),
      ]);
    }
    if (file.data === undefined)
      throw new TrustplaneError(file.issues.map((i) => located(path, i)));
    const data = file.data as Record<string, unknown>;
    return new TrustPlane(name, { ...data, ...options } as TrustPlaneArgs, opts);
  }

  constructor(name: string, args: TrustPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    // everything is checked before the component or any child is registered
    const { providers = {}, adopt = {}, tags = {}, only, ...document } = args;
    const { plan, warnings } = compile(document);
    const selected = select(plan, only);
    super("trustplane:index:TrustPlane", name, {}, opts);
    this.plan = plan;
    this.warnings = warnings;
    for (const w of warnings)
      void pulumi.log.warn(`${w.code}: ${w.message} (at ${formatPath(w.path)})`, this);

    const byCloud = (cloud: GrantPlan["cloud"]) => selected.filter((g) => g.grant.cloud === cloud);
    const outputs: CloudOutputs[] = [];
    const common = { providers, tags };
    if (byCloud("aws").length) {
      const { AwsTrust: Aws } = load<{ AwsTrust: typeof AwsTrust }>(CLOUD_MODULES.aws);
      const adopted = awsAdoptions(plan, adopt.awsOidcProviders ?? {}, document);
      outputs.push(
        new Aws(
          `${name}-aws`,
          { ...common, grants: byCloud("aws") as never, adopted },
          { parent: this },
        ).outputs,
      );
    }
    if (byCloud("azure").length) {
      const { AzureTrust: Azure } = load<{ AzureTrust: typeof AzureTrust }>(CLOUD_MODULES.azure);
      outputs.push(
        new Azure(
          `${name}-azure`,
          { ...common, grants: byCloud("azure") as never },
          { parent: this },
        ).outputs,
      );
    }
    if (byCloud("gcp").length) {
      const { GcpTrust: Gcp } = load<{ GcpTrust: typeof GcpTrust }>(CLOUD_MODULES.gcp);
      const { adopted, projects } = gcpTargets(plan, adopt.gcpPools ?? [], document);
      outputs.push(
        new Gcp(
          `${name}-gcp`,
          { ...common, grants: byCloud("gcp") as never, adopted, projects },
          { parent: this },
        ).outputs,
      );
    }

    const merged: CloudOutputs = {};
    for (const o of outputs)
      for (const [identity, targets] of Object.entries(o))
        Object.assign((merged[identity] ??= {}), targets);
    this.identities = pulumi.output(merged);
    this.summary = this.identities.apply((values) => summarize(selected, values));
    this.registerOutputs({ identities: this.identities, summary: this.summary });
  }
}

/**
 * Loads a cloud's component module only when the document needs it: a program for one cloud
 * runs without the other clouds' SDKs installed, and `import "trustplane"` loads none of them.
 */
function load<T>(module: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point is to load on demand
  return require(module) as T;
}

/** The grants the stack deploys: all, or those of the targets (or clouds) named in `only`. */
function select(plan: Plan, only: readonly string[] | undefined): CloudGrant[] {
  const all = plan.identities.flatMap((identity) =>
    identity.grants.map((grant) => ({ identity, grant })),
  );
  if (only === undefined) return all;
  const known = new Set(all.flatMap(({ grant }) => [grant.target, grant.cloud]));
  const unknown = only
    .map((name, i) => [name, i] as const)
    .filter(([name]) => !known.has(name))
    .map(([name, i]) =>
      error(
        "invalid_value",
        ["only", i],
        `${quote(name)} is neither a target with grants nor a cloud with grants; use one of ${[...known].sort().join(", ")}`,
      ),
    );
  if (unknown.length) throw new TrustplaneError(unknown);
  return all.filter(({ grant }) => only.includes(grant.target) || only.includes(grant.cloud));
}

/** Adopted AWS providers, keyed by the planned resource name they stand for. */
function awsAdoptions(
  plan: Plan,
  given: Readonly<Record<string, Readonly<Record<string, pulumi.Input<string>>>>>,
  document: IntentDocument,
): Record<string, pulumi.Input<string>> {
  const out: Record<string, pulumi.Input<string>> = {};
  const issues: Issue[] = [];
  for (const [target, byIssuer] of Object.entries(given)) {
    for (const [issuer, arn] of Object.entries(byIssuer)) {
      const grant = plan.identities
        .filter((i) => i.issuer === issuer)
        .flatMap((i) => i.grants)
        .find((g) => g.target === target && g.cloud === "aws");
      if (!grant || document.targets[target]?.cloud !== "aws") {
        issues.push(
          error(
            "invalid_value",
            ["adopt", "awsOidcProviders", target, issuer],
            `no AWS grant of target ${quote(target)} trusts issuer ${quote(issuer)}; adopt providers the document uses`,
          ),
        );
        continue;
      }
      out[grant.resources[0]!.name] = arn;
    }
  }
  if (issues.length) throw new TrustplaneError(issues);
  return out;
}

/** The planned pool names to adopt, and the project ID of every GCP target. */
function gcpTargets(
  plan: Plan,
  pools: readonly string[],
  document: IntentDocument,
): { adopted: Set<string>; projects: Record<string, string> } {
  const projects: Record<string, string> = {};
  for (const [name, target] of Object.entries(document.targets))
    if (target.cloud === "gcp") projects[name] = target.projectId;
  const adopted = new Set<string>();
  const issues: Issue[] = [];
  pools.forEach((target, i) => {
    const grant = plan.identities
      .flatMap((x) => x.grants)
      .find((g) => g.target === target && g.cloud === "gcp");
    if (!grant) {
      issues.push(
        error(
          "invalid_value",
          ["adopt", "gcpPools", i],
          `${quote(target)} is not a GCP target with grants`,
        ),
      );
      return;
    }
    adopted.add(grant.resources[0]!.name);
  });
  if (issues.length) throw new TrustplaneError(issues);
  return { adopted, projects };
}

function summarize(
  selected: readonly CloudGrant[],
  values: Record<string, Record<string, Record<string, string>>>,
): Summary {
  const identities: Summary["identities"] = {};
  for (const { identity, grant } of selected) {
    const entry = (identities[identity.name] ??= { issuer: identity.issuerUrl, grants: {} });
    entry.grants[grant.target] = {
      cloud: grant.cloud,
      audience: grant.audience,
      ...values[identity.name]?.[grant.target],
    };
  }
  return { identities };
}

function located(path: string, issue: Issue & { line?: number; column?: number }): Issue {
  return issue.line === undefined
    ? issue
    : { ...issue, message: `${path}:${issue.line}:${issue.column}: ${issue.message}` };
}
