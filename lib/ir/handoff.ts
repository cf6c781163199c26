import type { IssuerKind } from "../claims/issuer";
import type { Issue, Path } from "../errors";
import { error, quote } from "../errors";
import type { BackendConfig, HandoffConfig } from "../intent/schema";
import type { CiKind, GrantIR, HandoffIR, TargetIR } from "./types";

export const DEFAULT_TOKEN_DIRECTORY = "/tmp/trustplane";

/** The CI whose tokens an issuer mints; `none` for workloads that read a token file. */
const CI_OF: Partial<Record<IssuerKind, CiKind>> = {
  github: "github",
  gitlab: "gitlab",
  "terraform-cloud": "hcp-terraform",
};

/** Backend keys per cloud; `target` belongs to all. */
const BACKEND_KEYS: Readonly<Record<TargetIR["cloud"], readonly (keyof BackendConfig)[]>> = {
  aws: ["bucket", "key", "region"],
  azure: ["storageAccount", "container", "key"],
  gcp: ["bucket", "prefix"],
};
const REQUIRED_BACKEND_KEYS: Readonly<Record<TargetIR["cloud"], readonly (keyof BackendConfig)[]>> =
  { aws: ["bucket", "key"], azure: ["storageAccount", "container", "key"], gcp: ["bucket"] };
const BACKEND_NAME = { aws: "s3", azure: "azurerm", gcp: "gcs" } as const;

/**
 * Resolves an identity's `handoff` against its grants, with every issue: targets that are not
 * grants of the identity, two grants in one cloud, a backend in a cloud the hand-off does not
 * use or with another cloud's keys, an AWS grant without a region, a CI the issuer cannot serve.
 */
export function resolveHandoff(
  config: HandoffConfig,
  grants: readonly GrantIR[],
  issuerKind: IssuerKind,
  path: Path,
): { handoff?: HandoffIR; issues: Issue[] } {
  const issues: Issue[] = [];
  const ci = config.ci ?? CI_OF[issuerKind] ?? "none";
  const native = CI_OF[issuerKind];
  if (ci !== "none" && ci !== native) {
    issues.push(
      error(
        "invalid_value",
        [...path, "ci"],
        `ci ${quote(ci)} needs tokens from its own issuer, but this identity trusts a ${issuerKind} issuer; use ${native ? `${quote(native)} or ` : ""}"none"`,
      ),
    );
  }
  if (ci === "hcp-terraform" && config.backend) {
    issues.push(
      error(
        "invalid_value",
        [...path, "backend"],
        "HCP Terraform keeps the state in the workspace, which the tokens name; remove backend",
      ),
    );
  }
  const chosen = chooseGrants(config, grants, path, issues);
  const backend =
    ci === "hcp-terraform" || !config.backend
      ? undefined
      : resolveBackend(config.backend, chosen, [...path, "backend"]);
  if (backend) issues.push(...backend.issues);
  const needsRegion = chosen.some((g) => g.target.cloud === "aws");
  if (needsRegion && config.awsRegion === undefined) {
    issues.push(
      error(
        "missing_key",
        [...path, "awsRegion"],
        "the AWS provider needs a region: set awsRegion, e.g. awsRegion: eu-west-1",
      ),
    );
  }
  if (issues.length) return { issues };
  return {
    handoff: {
      ci,
      grants: chosen,
      ...(config.awsRegion !== undefined ? { awsRegion: config.awsRegion } : {}),
      ...(backend?.backend ? { backend: backend.backend } : {}),
      tokenDirectory: config.tokenDirectory ?? DEFAULT_TOKEN_DIRECTORY,
      path,
    },
    issues,
  };
}

/** The grants named by `targets` (or all), refusing two in one cloud: one provider per cloud. */
function chooseGrants(
  config: HandoffConfig,
  grants: readonly GrantIR[],
  path: Path,
  issues: Issue[],
): GrantIR[] {
  const byTarget = new Map(grants.map((g) => [g.target.name, g]));
  const chosen: GrantIR[] = [];
  (config.targets ?? grants.map((g) => g.target.name)).forEach((name, i) => {
    const grant = byTarget.get(name);
    if (!grant) {
      issues.push(
        error(
          "unknown_target",
          [...path, "targets", i],
          `${quote(name)} is not a target this identity has a grant for; use one of ${[...byTarget.keys()].join(", ")}`,
        ),
      );
    } else if (!chosen.includes(grant)) chosen.push(grant);
  });
  for (const cloud of ["aws", "azure", "gcp"] as const) {
    const inCloud = chosen.filter((g) => g.target.cloud === cloud).map((g) => g.target.name);
    if (inCloud.length > 1) {
      issues.push(
        error(
          "invalid_value",
          config.targets ? [...path, "targets"] : path,
          `the hand-off would configure ${inCloud.length} ${cloud} grants (${inCloud.join(", ")}), and one Terraform configuration authenticates to each cloud once; list one per cloud in targets`,
        ),
      );
    }
  }
  return chosen;
}

function resolveBackend(
  config: BackendConfig,
  chosen: readonly GrantIR[],
  path: Path,
): { backend?: HandoffIR["backend"]; issues: Issue[] } {
  const grant = chosen.find((g) => g.target.name === config.target);
  if (!grant) {
    return {
      issues: [
        error(
          "unknown_target",
          [...path, "target"],
          `the backend's target ${quote(config.target)} is not among the hand-off's grants (${chosen.map((g) => g.target.name).join(", ")}); the state is read with one of them`,
        ),
      ],
    };
  }
  const cloud = grant.target.cloud;
  const issues: Issue[] = [];
  for (const key of Object.keys(config) as (keyof BackendConfig)[]) {
    if (key === "target" || BACKEND_KEYS[cloud].includes(key)) continue;
    issues.push(
      error(
        "grant_option_mismatch",
        [...path, key],
        `${key} is not a setting of the ${BACKEND_NAME[cloud]} backend (${config.target} is an ${cloud} target); it takes ${BACKEND_KEYS[cloud].join(", ")}`,
      ),
    );
  }
  for (const key of REQUIRED_BACKEND_KEYS[cloud]) {
    if (config[key] === undefined) {
      issues.push(
        error(
          "missing_key",
          [...path, key],
          `the ${BACKEND_NAME[cloud]} backend needs ${key}; it takes ${BACKEND_KEYS[cloud].join(", ")}`,
        ),
      );
    }
  }
  return issues.length ? { issues } : { backend: { ...config, grant }, issues };
}
