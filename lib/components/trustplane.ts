import * as pulumi from "@pulumi/pulumi";
import { compileDocument } from "../compile";
import type { Issue } from "../errors";
import { TrustplaneError, error, formatPath, isError, quote } from "../errors";
import type { readIntentFile } from "../intent/file";
import type { IntentDocument } from "../intent/document";
import type { DocumentIR } from "../ir/types";
import type { GrantPlan, Plan } from "../plan/types";
import { StackValues } from "../render/outputs";
import type { renderCompiled } from "../render/render";
import type { CloudGrant, CloudOutputs } from "./shared";
import { OPTION_KEYS } from "./options";
import type { TrustPlaneOptions } from "./options";
import { loadModule, prepare } from "./prepare";

export type { TrustPlaneOptions } from "./options";

/** The intent document (v1) and the program's late-bound values. */
export type TrustPlaneArgs = IntentDocument & TrustPlaneOptions;

/** What app teams read from the stack: per identity and target, the values their CI needs. */
export interface Summary {
  readonly identities: Record<
    string,
    { issuer: string; grants: Record<string, Record<string, string>> }
  >;
}

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
    const { readIntentFile: read } = loadModule<{ readIntentFile: typeof readIntentFile }>(
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
    const setup = prepare(plan, ir, document, { providers, adopt, tags, only });
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
    const common = { providers, tags, existing: adopt.existing === true };
    const parent = { parent: this };
    const outputs: CloudOutputs[] = [];
    const { components: c } = setup;
    if (c.aws) {
      const Aws = c.aws;
      const child = new Aws(
        `${name}-aws`,
        { ...common, grants: of("aws"), adopted: setup.awsProviders },
        parent,
      );
      outputs.push(child.outputs);
    }
    if (c.azure) {
      const Azure = c.azure;
      outputs.push(new Azure(`${name}-azure`, { ...common, grants: of("azure") }, parent).outputs);
    }
    if (c.gcp) {
      const Gcp = c.gcp;
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
