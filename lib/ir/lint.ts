import { literalPrefix } from "../claims/glob";
import type { IssuerModel, OwnerPath } from "../claims/issuer";
import { knowsClaim, RESERVED_CLAIMS } from "../claims/issuer";
import type { Matcher } from "../claims/matcher";
import { describeMatcher, describeSelector, finiteValues, matches } from "../claims/matcher";
import { ownerAndPathAgree } from "../claims/owner-path";
import { projectSubject } from "../claims/subject";
import { claimSpec } from "../claims/issuer";
import { shapeIssues } from "../claims/shapes";
import type { Issue, Path } from "../errors";
import { error, quote, warning } from "../errors";
import { own } from "../internal/own";

/** Unknown claims reported one by one per selector; the rest are summed up in one issue. */
const MAX_UNKNOWN = 10;

/** Prefixes that leave a ref pattern open to every branch, tag or pull request. */
const OPEN_REF_PREFIXES = new Set(["", "refs/", "refs/heads/", "refs/tags/", "refs/pull/"]);

/**
 * Checks one selector against its issuer: the vocabulary, the owner pin on shared issuers, the
 * claims its subject form requires, whether any token can match at all, and the legal-but-risky shapes.
 */
export function lintSelector(
  claims: ReadonlyMap<string, Matcher>,
  issuer: IssuerModel,
  path: Path,
  options: { readonly audiencePinsOwner: boolean },
): Issue[] {
  const issues: Issue[] = [];
  const unknown: string[] = [];
  for (const claim of claims.keys()) {
    if (RESERVED_CLAIMS.has(claim)) {
      issues.push(
        error(
          "reserved_claim",
          [...path, claim],
          `${claim} is checked by every cloud on its own and cannot be selected; ${
            claim === "aud" ? "set audience on the grant instead" : "remove it"
          }`,
        ),
      );
    } else if (issuer.unselectable?.has(claim)) {
      issues.push(
        error(
          "claim_not_selectable",
          [...path, claim],
          `${issuer.label} tokens carry ${claim} as ${issuer.unselectable.get(claim)!}, and a selector compares one string; select another claim`,
        ),
      );
    } else if (!knowsClaim(issuer, claim)) {
      unknown.push(claim);
    }
  }
  for (const claim of unknown.slice(0, MAX_UNKNOWN)) {
    issues.push(error("unknown_claim", [...path, claim], unknownClaimMessage(claim, issuer)));
  }
  if (unknown.length > MAX_UNKNOWN) {
    const rest = unknown.slice(MAX_UNKNOWN);
    issues.push(
      error(
        "unknown_claim",
        path,
        `${rest.length} more claims ${issuer.label} tokens do not have: ${rest
          .slice(0, 5)
          .map((c) => quote(c))
          .join(", ")}${rest.length > 5 ? ", ..." : ""}`,
      ),
    );
  }
  if (issues.length) return issues;

  for (const [claim, m] of claims) {
    const foreign = outsideAlphabet(m, claimSpec(issuer, claim).alphabet);
    if (foreign !== undefined)
      issues.push(
        error(
          "unsatisfiable_selector",
          [...path, claim],
          `no ${issuer.label} token can match this selector: the issuer declares the characters of ${claim} (alphabets.${claim}), and ${claim} ${describeMatcher(m)} holds ${JSON.stringify(foreign)}, which is not one of them; fix the value or the alphabet`,
        ),
      );
  }
  issues.push(...shapeIssues(claims, issuer, path));
  if (issuer.shared && !pinsOwner(claims, issuer) && !options.audiencePinsOwner) {
    const pins = [...new Set(issuer.ownerPins.map((p) => p.claim))].join(", ");
    issues.push(
      error(
        "owner_not_pinned",
        path,
        `every ${issuer.label} customer shares the issuer ${issuer.url}, so this selector would trust other organizations' tokens; pin the owner with one of ${pins}`,
      ),
    );
  }
  if (issuer.requiredPins && !claims.has("sub")) {
    const missing = issuer.requiredPins.claims.filter((c) => !pinned(claims.get(c)));
    if (missing.length) {
      issues.push(
        error(
          "immutable_ids_required",
          path,
          `${issuer.requiredPins.reason}; pin ${missing.join(" and ")}`,
        ),
      );
    }
  }
  if (issuer.subject && !claims.has("sub")) {
    const projection = projectSubject(claims, issuer);
    if (!projection.satisfiable) {
      issues.push(
        error(
          "unsatisfiable_selector",
          path,
          `no ${issuer.label} token can match this selector: ${describeSelector(claims)} contradicts how the issuer fills its claims (${issuer.subject.cases.map((c) => c.label).join("; ")}); remove the conflicting claim`,
        ),
      );
    }
  }
  // the projection onto sub finds some of these contradictions too: report each selector once
  const found = issues.some((i) => i.code === "unsatisfiable_selector");
  for (const relation of found ? [] : (issuer.ownerPaths ?? [])) {
    const contradiction = ownerContradiction(claims, relation);
    if (contradiction)
      issues.push(
        error(
          "unsatisfiable_selector",
          [...path, relation.claim],
          `no ${issuer.label} token can match this selector: ${contradiction}; make them agree`,
        ),
      );
  }
  return [...issues, ...risks(claims, issuer, path)];
}

/** A character the matcher's values (or a pattern's literal text) hold outside the alphabet. */
function outsideAlphabet(m: Matcher, alphabet: RegExp | undefined): string | undefined {
  if (!alphabet || m.kind === "absent") return undefined;
  const texts = m.kind === "pattern" ? [m.pattern.replace(/[*?]/g, "")] : finiteValues(m)!;
  for (const text of texts) for (const ch of text) if (!alphabet.test(ch)) return ch;
  return undefined;
}

/** Why no token can carry both the owner and the path the selector asks for, when that is certain. */
function ownerContradiction(
  claims: ReadonlyMap<string, Matcher>,
  { claim, path, split }: OwnerPath,
): string | undefined {
  const owner = claims.get(claim);
  const whole = claims.get(path);
  if (!owner || !whole || ownerAndPathAgree(owner, whole, split)) return undefined;
  return `${claim} ${describeMatcher(owner)} is never what precedes the ${split} '/' of ${path} ${describeMatcher(whole)}`;
}

/** Words people write for a claim that has another name. */
const SYNONYMS: Readonly<Record<string, string>> = {
  branch: "ref",
  tag: "ref",
  repo: "repository",
  org: "repository_owner",
  project: "project_path",
  workspace: "terraform_workspace_name",
};

function unknownClaimMessage(claim: string, issuer: IssuerModel): string {
  const known = [...issuer.claims.keys()];
  const plain = (k: string) => k.toLowerCase().replace(/[-_]/g, "");
  const near =
    known.find((k) => plain(k) === plain(claim)) ??
    known.find((k) => k === own(SYNONYMS, claim)) ??
    known.find((k) => k !== "sub" && claim.length >= 3 && plain(k).startsWith(plain(claim)));
  const list = known.length > 12 ? `${known.slice(0, 12).join(", ")}, ...` : known.join(", ");
  return `${issuer.label} tokens have no claim ${quote(claim)}; ${near ? `did you mean "${near}"?` : `known claims: ${list}`}`;
}

function pinned(m: Matcher | undefined): boolean {
  return m !== undefined && (m.kind === "exact" || m.kind === "oneOf");
}

function pinsOwner(claims: ReadonlyMap<string, Matcher>, issuer: IssuerModel): boolean {
  return issuer.ownerPins.some((pin) => {
    const m = claims.get(pin.claim);
    if (!m || m.kind === "absent") return false;
    if (m.kind === "pattern") return !!pin.prefix && pin.prefix.test(literalPrefix(m.pattern));
    return true;
  });
}

/** Warnings for trust that is legal but wider than it looks. */
function risks(claims: ReadonlyMap<string, Matcher>, issuer: IssuerModel, path: Path): Issue[] {
  const issues: Issue[] = [];
  if (issuer.shared && !claims.has("sub")) {
    const byName = issuer.mutableNames.filter(
      (n) => claims.has(n.name) && !claims.has(n.id) && claims.get(n.name)!.kind !== "absent",
    );
    if (byName.length) {
      issues.push(
        warning(
          "mutable_subject",
          path,
          `${byName.map((n) => n.name).join(" and ")} can be recycled: a renamed or deleted name can be registered again by someone else; also pin ${byName.map((n) => n.id).join(" and ")}: IDs are never reused${issuer.mutableFix ? ` (${issuer.mutableFix})` : ""}`,
        ),
      );
    }
  }
  const event = claims.get("event_name");
  // a selector for pull request jobs (and not for pushes) is narrow in its own way
  const onlyPullRequests =
    event !== undefined && matches(event, "pull_request") && !matches(event, "push");
  if (issuer.kind === "github" && onlyPullRequests) {
    issues.push(
      warning(
        "broad_ref_trust",
        [...path, "event_name"],
        "pull request jobs run code from any branch before it is reviewed; keep this identity's grants read-only",
      ),
    );
  } else if (
    issuer.refClaims.length &&
    !claims.has("sub") &&
    !issuer.refClaims.some((c) => narrows(claims.get(c)))
  ) {
    issues.push(
      warning(
        "broad_ref_trust",
        path,
        `any ${issuer.kind === "github" ? "branch, tag or pull request" : "branch or tag"} can use this identity because none of ${issuer.refClaims.join(", ")} is pinned; pin one to the branch, tag or environment that deploys`,
      ),
    );
  }
  if (issuer.kind === "github" && event && matches(event, "pull_request_target")) {
    issues.push(
      warning(
        "broad_ref_trust",
        [...path, "event_name"],
        "pull_request_target jobs run with the base repository's permissions on pull requests from forks; trust them only if the job never runs the pull request's code",
      ),
    );
  }
  for (const [claim, m] of claims) {
    if (m.kind !== "pattern") continue;
    const why = spans(claim, m.pattern, issuer);
    if (why) issues.push(warning("pattern_spans_claims", [...path, claim], why));
  }
  return issues;
}

function narrows(m: Matcher | undefined): boolean {
  if (!m || m.kind === "absent") return false;
  return m.kind !== "pattern" || !OPEN_REF_PREFIXES.has(literalPrefix(m.pattern));
}

/** Why a pattern's wildcard can reach from one part of a structured value into the next. */
function spans(claim: string, pattern: string, issuer: IssuerModel): string | undefined {
  if (claim === "sub" && issuer.subject) {
    const prefix = literalPrefix(pattern);
    const seps = issuer.subject.separators;
    const tailOnly = pattern === `${prefix}*` && seps.includes(prefix.slice(-1));
    if (tailOnly) return undefined;
    return `the wildcard in ${quote(pattern)} can run past a separator (${seps}) into the next value of sub; select the claims themselves, which trustplane matches exactly`;
  }
  const structure = claimSpec(issuer, claim).structure;
  if (!structure) return undefined;
  const prefix = literalPrefix(pattern);
  const fixed = prefix.split(structure.separator).length - 1;
  if (fixed >= structure.parts - 1) return undefined;
  return `${claim} is made of ${structure.parts} parts separated by "${structure.separator}", and the wildcard in ${quote(pattern)} comes before the last one, so it also matches other values of the later parts (for example any ref); write the earlier parts out in full`;
}
