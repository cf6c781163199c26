import type { Issue, Path } from "../errors";
import type { BackendConfig, HandoffConfig } from "../intent/document";
import type { HandoffIR } from "../ir/types";
import type { HclBlock, HclBody } from "../render/hcl";
import type { StackValues } from "../render/outputs";
import type { GrantPlanOf, TargetOf } from "./cloud-types";
import type { Cloud } from "./cloud";

/** What every cloud's part of a hand-off carries: the grant's target and its token's `aud`. */
export interface GrantHandoffBase<C extends Cloud> {
  readonly cloud: C;
  readonly target: string;
  /** The `aud` the token for this grant must carry. */
  readonly audience: string;
}

/** How a hand-off's job gets one grant's credentials to Terraform. */
export interface HandoffAuth {
  /** The token file the job writes and Terraform reads; undefined when a login step or the platform brings credentials. */
  readonly tokenFile?: string;
  /** The platform injects the credentials itself (HCP Terraform): Terraform names no client and no OIDC. */
  readonly injected: boolean;
}

/** A value known only after `pulumi up`, written as a marked placeholder until outputs are given. */
export interface Placeholder {
  readonly identity: string;
  readonly target: string;
  readonly output: "clientId";
  /** The text written in its place. */
  readonly text: string;
}

/** The placeholder written for an output the stack has not reported (yet). */
export function placeholderText(identity: string, target: string, output: string): string {
  return `<${output} of ${identity} in ${target}: run pulumi up, then trustplane render --outputs>`;
}

/** What a cloud's hand-off reads besides its grant: the identity, its hand-off and the stacks. */
export interface HandoffContext {
  readonly identity: string;
  readonly handoff: HandoffIR;
  readonly stack: StackValues;
  /** Values left as placeholders are recorded here. */
  readonly placeholders: Placeholder[];
}

/** One variable of an HCP Terraform workspace, as its API takes it. */
export interface WorkspaceVariable {
  readonly key: string;
  readonly value: string;
  readonly category: "env";
  readonly sensitive: false;
  readonly description: string;
}

/** Makes a workspace variable: key, value, what it is for. */
export type VariableMaker = (key: string, value: string, description: string) => WorkspaceVariable;

/** A step of a GitHub Actions job, as the workflow syntax writes it. */
export type GithubStep = Readonly<Record<string, unknown>>;

/**
 * What one cloud contributes to an app team's hand-off: the values its grant hands off, its
 * Terraform state backend and provider, the files and CI steps that authenticate them, and HCP
 * Terraform's variables for it. `G` is the cloud's grant hand-off.
 */
export interface CloudHandoff<C extends Cloud, G extends GrantHandoffBase<C>> {
  /** The backend's name in Terraform (`s3`), the `handoff.backend` keys it takes and needs. */
  readonly backend: {
    readonly name: string;
    readonly keys: readonly (keyof BackendConfig)[];
    readonly required: readonly (keyof BackendConfig)[];
  };
  /** Hand-off settings this cloud needs (AWS: awsRegion), when one of its grants is handed off. */
  settingIssues(config: HandoffConfig, path: Path): Issue[];
  /** The values the grant hands off: from the plan, and from the stack once deployed. */
  grant(target: TargetOf<C>, plan: GrantPlanOf<C>, context: HandoffContext): G;
  /** The hand-off values the plan knows before `pulumi up`, as the components name their outputs. */
  readonly knownBeforeDeploy: readonly (keyof G & string)[];
  /** The settings of the state backend in this cloud, authenticated as the grant. */
  backendSettings(grant: G, config: BackendConfig, auth: HandoffAuth): HclBody;
  /** The Terraform provider, authenticated as the grant. */
  provider(grant: G, auth: HandoffAuth): HclBlock;
  /** Files the Terraform configuration reads besides its own (GCP's credential configuration). */
  files(grant: G, auth: HandoffAuth): { readonly path: string; readonly text: string }[];
  /** GitHub Actions: the action that logs in, the steps before each Terraform command, its env. */
  readonly github: {
    readonly action: string;
    login(grant: G): GithubStep;
    beforeTerraform(grant: G): GithubStep[];
    terraformEnv(grant: G): Readonly<Record<string, string>>;
  };
  /** GitLab CI: the `id_tokens` variable of the cloud's token, and what the job exports. */
  readonly gitlab: {
    readonly tokenVariable: string;
    variables(grant: G): Readonly<Record<string, string>>;
  };
  /** HCP Terraform's workspace variables that give runs of `phase` the grant's credentials. */
  workspaceVariables(grant: G, phase: string, variable: VariableMaker): WorkspaceVariable[];
}
