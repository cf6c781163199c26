import * as pulumi from "@pulumi/pulumi";
import { compileDocument } from "../compile";
import type { Cloud } from "../backends/cloud";
import type { Issue } from "../errors";
import { TrustplaneError, error, formatPath, isError, quote } from "../errors";
import type { readIntentFile } from "../intent/file";
import type { IntentDocument } from "../intent/document";
import type { DocumentIR } from "../ir/types";
import type { GrantPlan, Plan } from "../plan/types";
import { StackValues } from "../render/outputs";
import type { renderCompiled } from "../render/render";
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

const OPTION_KEYS = ["providers", "adopt", "tags", "only"] as const;

/** Each cloud's component module, loaded only when the stack deploys that cloud. */
const CLOUD_MODULES = {
  aws: "./aws",
  azure: "./azure",
  gcp: "./gcp",
} as const satisfies Record<Cloud, string>;

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
  /**
   * The files `trustplane render` writes (path → text) for the identities with a `handoff`,
   * with this stack's values filled in; values other stacks hold stay placeholders.
   */
  readonly handoff: pulumi.Output<Record<string, string>>;

  /** A TrustPlane for an intent file (YAML or JSON), with the program's late-bound values. */
  static fromFile(
    name: string,
    path: string,
    options: TrustPlaneOptions = {},
    opts?: pulumi.ComponentResourceOptions,
  ): TrustPlane {
    // the YAML parser is loaded for files only: a program passing the document as an object skips it
    const { readIntentFile: read } = load<{ readIntentFile: typeof readIntentFile }>(
      "../intent/file",
    );
    const file = read(path);
    if ("unreadable" in file) {
      throw new TrustplaneError([
        error("invalid_syntax", [], `cannot read ${path}: ${file.unreadable}`),
      ]);
    }
    if (file.data === undefined)
      throw new TrustplaneError(file.issues.map((i) => located(path, i)));
    const data = file.data as Record<string, unknown>;
    // program-only values never come from the file: a file could otherwise adopt or redirect resources
    const misplaced = OPTION_KEYS.filter((key) => key in data);
    if (misplaced.length) {
      throw new TrustplaneError(
        misplaced.map((key) =>
          error(
            "unknown_key",
            [key],
            `${quote(key)} is a program option, not a document key; pass it to TrustPlane.fromFile`,
          ),
        ),
      );
    }
    return new TrustPlane(name, { ...data, ...options } as TrustPlaneArgs, opts);
  }

  constructor(name: string, args: TrustPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    // everything is checked, and every problem reported at once, before anything is registered
    const { providers = {}, adopt = {}, tags = {}, only, ...document } = args;
    const { plan, ir, issues: warnings } = compileDocument(document);
    if (!plan || !ir) throw new TrustplaneError(warnings.filter(isError));
    const setup = prepare(plan, ir, document, { providers, adopt, only });
    super("trustplane:index:TrustPlane", name, {}, opts);
    this.plan = plan;
    this.warnings = warnings;
    for (const w of warnings) {
      void pulumi.log.warn(`${w.code}: ${w.message} (at ${formatPath(w.path)})`, this);
    }
    const { selected } = setup;
    const of = <C extends GrantPlan["cloud"]>(cloud: C) =>
      selected.filter(
        (g): g is CloudGrant<Extract<GrantPlan, { cloud: C }>> => g.grant.cloud === cloud,
      );
    const common = { providers, tags };
    const parent = { parent: this };
    const outputs: CloudOutputs[] = [];
    if (of("aws").length) {
      const { AwsTrust: Aws } = load<{ AwsTrust: typeof AwsTrust }>(CLOUD_MODULES.aws);
      const child = new Aws(
        `${name}-aws`,
        { ...common, grants: of("aws"), adopted: setup.awsProviders },
        parent,
      );
      outputs.push(child.outputs);
    }
    if (of("azure").length) {
      const { AzureTrust: Azure } = load<{ AzureTrust: typeof AzureTrust }>(CLOUD_MODULES.azure);
      outputs.push(new Azure(`${name}-azure`, { ...common, grants: of("azure") }, parent).outputs);
    }
    if (of("gcp").length) {
      const { GcpTrust: Gcp } = load<{ GcpTrust: typeof GcpTrust }>(CLOUD_MODULES.gcp);
      const gcpArgs = {
        ...common,
        grants: of("gcp"),
        adopted: setup.gcpPools,
        projects: setup.projects,
      };
      outputs.push(new Gcp(`${name}-gcp`, gcpArgs, parent).outputs);
    }
    const merged: CloudOutputs = {};
    for (const o of outputs) {
      for (const [identity, targets] of Object.entries(o))
        Object.assign((merged[identity] ??= {}), targets);
    }
    this.identities = pulumi.output(merged);
    this.summary = this.identities.apply((values) => summarize(selected, values));
    const { renderer } = setup;
    this.handoff = renderer
      ? this.identities.apply((values) => handoffFiles(renderer, ir, plan, values))
      : pulumi.output<Record<string, string>>({});
    this.registerOutputs({
      identities: this.identities,
      summary: this.summary,
      handoff: this.handoff,
    });
  }
}

/**
 * Loads a module when it is first needed: a cloud's component only when the document has grants
 * there (a program for one cloud runs without the other clouds' SDKs installed, and
 * `import "trustplane/pulumi"` loads none of them), the YAML reader only for `fromFile`.
 */
function load<T>(module: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point is to load on demand
  return require(module) as T;
}

/** What the constructor needs beyond the plan, checked in full before anything is registered. */
interface Setup {
  readonly selected: CloudGrant[];
  /** Planned provider resource name → adopted ARN. */
  readonly awsProviders: Record<string, pulumi.Input<string>>;
  /** Planned pool resource names to adopt. */
  readonly gcpPools: Set<string>;
  /** Project ID per GCP target. */
  readonly projects: Record<string, string>;
  /** The hand-off renderer, loaded when some identity has a `handoff`. */
  readonly renderer?: typeof renderCompiled;
}

function prepare(
  plan: Plan,
  ir: DocumentIR,
  document: IntentDocument,
  options: Pick<TrustPlaneOptions, "providers" | "adopt" | "only">,
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

  for (const target of Object.keys(options.providers ?? {})) {
    if (!(target in targets))
      issues.push(
        error(
          "unknown_target",
          ["providers", target],
          `providers names ${quote(target)}, which is no target of the document`,
        ),
      );
  }

  // adopted AWS providers stand for the planned provider of their account and issuer URL
  const awsProviders: Record<string, pulumi.Input<string>> = {};
  for (const [target, byIssuer] of Object.entries(options.adopt?.awsOidcProviders ?? {})) {
    for (const [issuer, arn] of Object.entries(byIssuer)) {
      const path = ["adopt", "awsOidcProviders", target, issuer];
      const grant = all.find(
        ({ identity, grant }) =>
          identity.issuer === issuer && grant.target === target && grant.cloud === "aws",
      );
      if (!grant) {
        issues.push(
          error(
            "invalid_value",
            path,
            `no AWS grant of target ${quote(target)} trusts issuer ${quote(issuer)}; adopt providers the document uses`,
          ),
        );
        continue;
      }
      const name = grant.grant.resources[0]!.name;
      if (name in awsProviders && awsProviders[name] !== arn) {
        issues.push(
          error(
            "invalid_value",
            path,
            `another issuer with the same URL already adopts a different provider in ${quote(target)}; one account has one provider per URL`,
          ),
        );
      }
      awsProviders[name] = arn;
    }
  }

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
    ? load<{ renderCompiled: typeof renderCompiled }>("../render/render").renderCompiled
    : undefined;
  if (renderer) issues.push(...renderer(ir, plan).issues.filter(isError));

  if (issues.length) throw new TrustplaneError(issues);
  const projects: Record<string, string> = {};
  for (const [name, target] of Object.entries(targets))
    if (target.cloud === "gcp") projects[name] = target.projectId;
  return { selected, awsProviders, gcpPools, projects, renderer };
}

/** The hand-off files with the values this stack reported. */
function handoffFiles(
  renderer: typeof renderCompiled,
  ir: DocumentIR,
  plan: Plan,
  values: Record<string, Record<string, Record<string, string>>>,
): Record<string, string> {
  const stacks = new StackValues();
  stacks.add({ identities: values }, "this stack");
  const { files, issues } = renderer(ir, plan, stacks);
  if (!files) throw new TrustplaneError(issues.filter(isError));
  return Object.fromEntries(files.map((f) => [f.path, f.text]));
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
