import { CLOUDS, backendOf } from "../backends";
import type { Cloud } from "../backends/cloud";
import type { IssuerModel } from "../claims/issuer";
import { issuerIssues, issuerModel } from "../claims/issuers";
import type { Matcher } from "../claims/matcher";
import { normalizeMatcher } from "../claims/matcher";
import type { Issue, Path } from "../errors";
import { error, quote } from "../errors";
import type { GrantConfig, IssuerConfig, ParsedDocument } from "../intent/document";
import { resolveHandoff } from "./handoff";
import { lintSelector } from "./lint";
import type { DocumentIR, GrantIR, IdentityIR, SelectorIR, TargetIR } from "./types";

/** Issues after which a selector names claims no cloud can read: its identity is not compiled. */
const UNREADABLE = new Set<Issue["code"]>([
  "unknown_claim",
  "reserved_claim",
  "claim_not_selectable",
]);

/**
 * Resolves names and normalizes a schema-valid document into the IR, with every issue found on
 * the way. Identities that reference a missing issuer are left out of the IR (and reported).
 */
export function resolve(doc: ParsedDocument): { ir: DocumentIR; issues: Issue[] } {
  const issues: Issue[] = [];
  const issuers = new Map<string, { config: IssuerConfig; model: IssuerModel }>();
  for (const [name, config] of Object.entries(doc.issuers)) {
    const model = issuerModel(config);
    issuers.set(name, { config, model });
    for (const issue of issuerIssues(config, model, ["issuers", name])) issues.push(issue);
  }
  const targets = new Map<string, TargetIR>();
  for (const [name, config] of Object.entries(doc.targets)) {
    const target: TargetIR = { ...config, name };
    targets.set(name, target);
    issues.push(...backendOf(target.cloud).targetIssues(target, ["targets", name]));
  }

  const identities: IdentityIR[] = [];
  const seen = new Map<string, number>();
  doc.identities.forEach((identity, i) => {
    const path: Path = ["identities", i];
    const first = seen.get(identity.name);
    if (first !== undefined) {
      issues.push(
        error(
          "duplicate_identity",
          [...path, "name"],
          `identity ${quote(identity.name)} is already declared at identities[${first}]; names must be unique`,
        ),
      );
      return;
    }
    seen.set(identity.name, i);
    const grants = resolveGrants(identity.grants, targets, path, issues);
    const issuer = issuers.get(identity.issuer);
    if (!issuer) {
      const known = [...issuers.keys()];
      issues.push(
        error(
          "unknown_issuer",
          [...path, "issuer"],
          `no issuer is named ${quote(identity.issuer)}; ${known.length ? `declared issuers: ${known.join(", ")}` : "declare it under issuers"}`,
        ),
      );
      return;
    }
    const audiencePinsOwner =
      !!issuer.model.audiencePinsOwner &&
      !issuer.config.audiences &&
      identity.grants.every((g) => g.audience === undefined);
    let unreadable = false;
    const selectors = identity.subjects.map((subject, j): SelectorIR => {
      const claims = new Map<string, Matcher>(
        Object.entries(subject)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, m]) => [k, normalizeMatcher(m)]),
      );
      const spath: Path = [...path, "subjects", j];
      const found = lintSelector(claims, issuer.model, spath, { audiencePinsOwner });
      for (const issue of found) {
        issues.push(issue);
        if (UNREADABLE.has(issue.code)) unreadable = true;
      }
      return { claims, path: spath };
    });
    // claims the issuer does not have would only add noise in every cloud; stop here
    if (unreadable) return;
    const handoff =
      identity.handoff &&
      resolveHandoff(identity.handoff, grants, issuer.model.kind, [...path, "handoff"]);
    if (handoff) issues.push(...handoff.issues);
    identities.push({
      name: identity.name,
      ...(identity.description !== undefined ? { description: identity.description } : {}),
      issuerName: identity.issuer,
      issuer: issuer.model,
      selectors,
      grants,
      ...(handoff?.handoff ? { handoff: handoff.handoff } : {}),
      path,
    });
  });
  return { ir: { identities, targets }, issues };
}

function resolveGrants(
  grants: readonly GrantConfig[],
  targets: ReadonlyMap<string, TargetIR>,
  path: Path,
  issues: Issue[],
): GrantIR[] {
  const out: GrantIR[] = [];
  const used = new Set<string>();
  grants.forEach((options, k) => {
    const gpath: Path = [...path, "grants", k];
    const target = targets.get(options.target);
    if (!target) {
      const known = [...targets.keys()];
      issues.push(
        error(
          "unknown_target",
          [...gpath, "target"],
          `no target is named ${quote(options.target)}; ${known.length ? `declared targets: ${known.join(", ")}` : "declare it under targets"}`,
        ),
      );
      return;
    }
    if (used.has(target.name)) {
      issues.push(
        error(
          "duplicate_grant",
          [...gpath, "target"],
          `this identity already has a grant for ${quote(target.name)}; merge the two grants into one`,
        ),
      );
      return;
    }
    used.add(target.name);
    const mismatched = optionIssues(options, target, gpath);
    issues.push(...mismatched);
    if (mismatched.length === 0) out.push({ target, options, path: gpath });
  });
  return out;
}

function optionIssues(options: GrantConfig, target: TargetIR, path: Path): Issue[] {
  const issues: Issue[] = [];
  const keysOf = (cloud: Cloud) => backendOf(cloud).grantKeys as readonly string[];
  const allowed = new Set<string>(["target", "audience", ...keysOf(target.cloud)]);
  for (const key of Object.keys(options)) {
    if (allowed.has(key)) continue;
    const owner = CLOUDS.filter((c) => keysOf(c).includes(key));
    issues.push(
      error(
        "grant_option_mismatch",
        [...path, key],
        `${key} is a ${owner.join("/")} option, but ${target.name} is an ${target.cloud} target; ${target.cloud} grants take ${keysOf(target.cloud).join(", ")}`,
      ),
    );
  }
  issues.push(...backendOf(target.cloud).optionIssues(options, path));
  return issues;
}
