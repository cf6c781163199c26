import type { IssuerKind } from "../claims/issuer";
import type { Issue, Path } from "../errors";
import { error, quote } from "../errors";
import type { BackendConfig, HandoffConfig } from "../intent/document";
import { CLOUDS, backendOf } from "../backends";
import { CI_TARGETS, nativeCi } from "./ci";
import type { GrantIR, HandoffIR } from "./types";

export const DEFAULT_TOKEN_DIRECTORY = "/tmp/trustplane";

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
  const native = nativeCi(issuerKind);
  const ci = config.ci ?? native ?? "none";
  if (ci !== "none" && ci !== native) {
    issues.push(
      error(
        "invalid_value",
        [...path, "ci"],
        `ci ${quote(ci)} needs tokens from its own issuer, but this identity trusts a ${issuerKind} issuer; use ${native ? `${quote(native)} or ` : ""}"none"`,
      ),
    );
  }
  if (CI_TARGETS[ci].keepsState && config.backend) {
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
    CI_TARGETS[ci].keepsState || !config.backend
      ? undefined
      : resolveBackend(config.backend, chosen, [...path, "backend"]);
  if (backend) issues.push(...backend.issues);
  // what a cloud needs of the hand-off's settings (AWS: a region), once per cloud handed off
  for (const cloud of new Set(chosen.map((g) => g.target.cloud)))
    issues.push(...backendOf(cloud).handoff.settingIssues(config, path));
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
  for (const cloud of CLOUDS) {
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
  const backend = backendOf(cloud).handoff.backend;
  const issues: Issue[] = [];
  for (const key of Object.keys(config) as (keyof BackendConfig)[]) {
    if (key === "target" || backend.keys.includes(key)) continue;
    issues.push(
      error(
        "grant_option_mismatch",
        [...path, key],
        `${key} is not a setting of the ${backend.name} backend (${config.target} is an ${cloud} target); it takes ${backend.keys.join(", ")}`,
      ),
    );
  }
  for (const key of backend.required) {
    if (config[key] === undefined) {
      issues.push(
        error(
          "missing_key",
          [...path, key],
          `the ${backend.name} backend needs ${key}; it takes ${backend.keys.join(", ")}`,
        ),
      );
    }
  }
  return issues.length ? { issues } : { backend: { ...config, grant }, issues };
}
