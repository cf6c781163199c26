import type { AwsArtefacts } from "../backends/aws/grant";
import type { AzureArtefacts } from "../backends/azure/grant";
import type { GcpArtefacts } from "../backends/gcp/grant";
import type { IssuerModel } from "../claims/issuer";
import type { CiKind, HandoffIR } from "../ir/types";
import type { GrantIR, IdentityIR, SelectorIR } from "../ir/types";
import type { GrantPlan, IdentityPlan } from "../plan/types";
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

interface GrantBase {
  readonly target: string;
  /** The `aud` the token for this grant must carry. */
  readonly audience: string;
}

export interface AwsHandoff extends GrantBase {
  readonly cloud: "aws";
  readonly accountId: string;
  readonly roleArn: string;
  readonly region: string;
  readonly sessionName: string;
  readonly maxSessionDuration: number;
}

export interface AzureHandoff extends GrantBase {
  readonly cloud: "azure";
  /** The managed identity's client ID, or a placeholder (see `Placeholder`). */
  readonly clientId: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
}

export interface GcpHandoff extends GrantBase {
  readonly cloud: "gcp";
  readonly projectId: string;
  readonly projectNumber: string;
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>`. */
  readonly workloadIdentityProvider: string;
  /** Impersonation mode only; direct mode binds roles to the federated principal. */
  readonly serviceAccountEmail?: string;
}

export type GrantHandoff = AwsHandoff | AzureHandoff | GcpHandoff;

export type BackendHandoff =
  | {
      readonly kind: "s3";
      readonly grant: AwsHandoff;
      readonly bucket: string;
      readonly key: string;
      readonly region: string;
    }
  | {
      readonly kind: "azurerm";
      readonly grant: AzureHandoff;
      readonly storageAccount: string;
      readonly container: string;
      readonly key: string;
    }
  | {
      readonly kind: "gcs";
      readonly grant: GcpHandoff;
      readonly bucket: string;
      readonly prefix?: string;
    };

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
  const grants = handoff.grants.map((g) => {
    const planned = plan.grants.find((p) => p.target === g.target.name);
    if (!planned) throw new Error(`no plan for ${identity.name} in ${g.target.name}`);
    const grant = grantHandoff(identity.name, g, planned, handoff, stack, placeholders);
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
    ...(backend ? { backend: backendHandoff(backend, grants, handoff) } : {}),
    tokenDirectory: handoff.tokenDirectory,
  };
}

function grantHandoff(
  identity: string,
  { target }: GrantIR,
  grant: GrantPlan,
  handoff: HandoffIR,
  stack: StackValues,
  placeholders: Placeholder[],
): GrantHandoff {
  const base = { target: target.name, audience: grant.audience };
  switch (target.cloud) {
    case "aws": {
      const a = artefacts(grant, "aws");
      return {
        ...base,
        cloud: "aws",
        accountId: target.accountId,
        roleArn: a.roleArn,
        // resolveHandoff requires it whenever an AWS grant is handed off
        region: handoff.awsRegion!,
        sessionName: `trustplane-${identity}`,
        maxSessionDuration: a.maxSessionDuration,
      };
    }
    case "azure": {
      let clientId = stack.get(identity, target.name, "clientId");
      if (clientId === undefined) {
        clientId = placeholderText(identity, target.name, "clientId");
        placeholders.push({ identity, target: target.name, output: "clientId", text: clientId });
      }
      return {
        ...base,
        cloud: "azure",
        clientId,
        tenantId: target.tenantId,
        subscriptionId: target.subscriptionId,
      };
    }
    case "gcp": {
      const a = artefacts(grant, "gcp");
      return {
        ...base,
        cloud: "gcp",
        projectId: target.projectId,
        projectNumber: target.projectNumber,
        workloadIdentityProvider: a.providerName,
        ...(a.serviceAccountEmail !== undefined
          ? { serviceAccountEmail: a.serviceAccountEmail }
          : {}),
      };
    }
  }
}

interface ArtefactsOf {
  aws: AwsArtefacts;
  azure: AzureArtefacts;
  gcp: GcpArtefacts;
}

/** The artefacts of a grant the IR says is in `cloud`. */
function artefacts<C extends keyof ArtefactsOf>(grant: GrantPlan, cloud: C): ArtefactsOf[C] {
  if (grant.cloud !== cloud) throw new Error(`${grant.target} is not an ${cloud} grant`);
  return grant.artefacts as ArtefactsOf[C];
}

function backendHandoff(
  backend: NonNullable<HandoffIR["backend"]>,
  grants: readonly GrantHandoff[],
  handoff: HandoffIR,
): BackendHandoff {
  const grant = grants.find((g) => g.target === backend.grant.target.name)!;
  switch (grant.cloud) {
    case "aws":
      return {
        kind: "s3",
        grant,
        bucket: backend.bucket!,
        key: backend.key!,
        region: backend.region ?? handoff.awsRegion!,
      };
    case "azure":
      return {
        kind: "azurerm",
        grant,
        storageAccount: backend.storageAccount!,
        container: backend.container!,
        key: backend.key!,
      };
    case "gcp":
      return {
        kind: "gcs",
        grant,
        bucket: backend.bucket!,
        ...(backend.prefix !== undefined ? { prefix: backend.prefix } : {}),
      };
  }
}

/** The values a grant computes offline, as the components name them in their outputs. */
const KNOWN_BEFORE_DEPLOY: {
  readonly [C in GrantHandoff["cloud"]]: readonly (keyof Extract<GrantHandoff, { cloud: C }>)[];
} = {
  aws: ["roleArn"],
  azure: ["tenantId", "subscriptionId"],
  gcp: ["workloadIdentityProvider", "serviceAccountEmail", "audience"],
};

/**
 * Outputs that contradict the document: the stack was deployed from another version of it, and
 * files rendered from either would not authenticate.
 */
function disagreements(identity: string, grant: GrantHandoff, stack: StackValues): Issue[] {
  return (KNOWN_BEFORE_DEPLOY[grant.cloud] as readonly string[]).flatMap((output) => {
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
