import { own } from "../internal/own";
import { alignGlob, countParses, overlaps, sameParts } from "./alignment";
import { globCovers, literalPrefix } from "./glob";
import type { IssuerModel, OwnerPath } from "./issuer";
import { claimSpec } from "./issuer";
import type { Fact } from "./layouts";
import { principalFacts } from "./layouts";
import type { Matcher } from "./matcher";
import { ownerOf } from "./owner-path";
import { compatible, finiteValues, guardHolds, impliedBy, matches } from "./matcher";
import type { CaseContext } from "./slots";
import { expand, piece, slotOptions } from "./slots";
import type { ClaimSpec, SubjectCase, SubjectGlob, SubjectTemplate } from "./template";

/**
 * What matching `sub` alone can do for one selector: the union of `subjects` holds the `sub` of
 * every token the selector accepts, and a token whose `sub` is in that union and whose
 * `residual` claims satisfy the selector is accepted by it. Empty `residual` means `sub` alone
 * is exact.
 */
export interface SubjectProjection {
  readonly satisfiable: boolean;
  readonly subjects: readonly SubjectGlob[];
  /** Claim name → why `sub` cannot decide it, phrased for messages. */
  readonly residual: ReadonlyMap<string, string>;
}

/**
 * Projects a selector onto the `sub` of the issuer's declared layout. Sound by construction: a
 * wildcard is only placed where no claim value can shift the layout of `sub` (see `faithful`),
 * what names the sender (the repository, the project) is only left to `sub` where every layout
 * another principal may choose shows it too (see `layouts.ts`), and anything `sub` cannot decide
 * is reported in `residual` instead of being dropped.
 */
export function projectSubject(
  selector: ReadonlyMap<string, Matcher>,
  issuer: IssuerModel,
): SubjectProjection {
  const template = issuer.subject;
  const spec = (claim: string) => claimSpec(issuer, claim);
  const sub = selector.get("sub");
  if (sub) return projectWrittenSubject(selector, sub);
  if (!template) {
    const why = `the layout of ${issuer.label}'s sub is not known, so sub cannot stand in for claims`;
    return {
      satisfiable: true,
      subjects: [{ text: "*", literal: false }],
      residual: new Map([...selector.keys()].map((k) => [k, why])),
    };
  }
  const subjects = new Map<string, SubjectGlob>();
  const residual = new Map<string, string>();
  let satisfiable = false;
  const results: CaseResult[] = [];
  for (const c of template.cases) {
    const result = projectCase(selector, c, template, spec);
    if (!result) continue;
    satisfiable = true;
    results.push(result);
    for (const g of result.globs) subjects.set(`${g.literal}:${g.text}`, g);
    for (const [k, why] of result.residual) {
      // a part of a split claim (GitHub's repository_name) is decided or not with its whole
      const split = template.split;
      const claim = !selector.has(k) && split?.into.includes(k) ? split.claim : k;
      if (!residual.has(claim)) residual.set(claim, why);
    }
  }
  // a hint to rule a case out helps only if another case's sub decides the claim
  const hintedOnce = new Set<string>();
  for (const r of results) {
    for (const [claim, hint] of r.hinted) {
      const why = residual.get(claim);
      if (why && !hintedOnce.has(claim) && results.some((o) => o !== r && o.decided.has(claim))) {
        residual.set(claim, `${why} (to make sub decide it, ${hint})`);
        hintedOnce.add(claim);
      }
    }
  }
  const globs = [...subjects.values()];
  for (const [claim, why] of unpinnedPrincipal(selector, issuer, globs, residual))
    residual.set(claim, why);
  for (const relation of issuer.ownerPaths ?? [])
    if (ownerFollowsPath(selector, relation, residual)) residual.delete(relation.claim);
  return { satisfiable, subjects: globs, residual };
}

/**
 * Whether sub decides an owner claim through its path (GitLab's namespace_path is project_path
 * up to its last '/', both vouched by the issuer): the path is decided and each of its values'
 * owner part satisfies the owner's matcher. Patterns never do: `acme/*` has many owners.
 */
function ownerFollowsPath(
  selector: ReadonlyMap<string, Matcher>,
  relation: OwnerPath,
  residual: ReadonlyMap<string, string>,
): boolean {
  const owner = selector.get(relation.claim);
  const values = finiteValues(selector.get(relation.path) ?? { kind: "absent" });
  if (!owner || !values || !residual.has(relation.claim) || residual.has(relation.path))
    return false;
  return values.every((v) => {
    const part = ownerOf(v, relation.split);
    return part !== undefined && matches(owner, part);
  });
}

/**
 * The claims naming the sender that the globs leave to the declared layout: another principal of
 * the issuer lays out its own sub, so a glob pins such a claim only where the text before its
 * first wildcard shows the claim's value whatever the layout. The declared layout is trusted for
 * what follows only once the sender is one the selector names.
 */
function unpinnedPrincipal(
  selector: ReadonlyMap<string, Matcher>,
  issuer: IssuerModel,
  globs: readonly SubjectGlob[],
  residual: ReadonlyMap<string, string>,
): [string, string][] {
  const layouts = issuer.layouts;
  if (!layouts) return [];
  const facts = globs.map((g) =>
    principalFacts(layouts, g.literal ? g.text : literalPrefix(g.text), g.literal),
  );
  const out: [string, string][] = [];
  for (const claim of layouts.claims) {
    const m = selector.get(claim);
    if (!m || residual.has(claim)) continue;
    const open = globs.find((_, i) => !implies(m, facts[i]!.get(claim)));
    if (open) {
      out.push([
        claim,
        `another ${layouts.principal} can lay out its own sub (${layouts.setting}) and ${open.literal ? `write ${JSON.stringify(open.text)}` : `fill the wildcards of ${JSON.stringify(open.text)}`} with values of its own, so sub does not prove ${claim}`,
      ]);
    }
  }
  return out;
}

/** Whether everything a sub shows of a claim satisfies the matcher. */
function implies(m: Matcher, fact: Fact | undefined): boolean {
  if (!fact || m.kind === "absent") return false;
  if (fact.whole) return matches(m, fact.value);
  return m.kind === "pattern" && globCovers(m.pattern, `${fact.value}*`);
}

function projectWrittenSubject(
  selector: ReadonlyMap<string, Matcher>,
  sub: Matcher,
): SubjectProjection {
  const values = finiteValues(sub);
  const subjects: SubjectGlob[] = values
    ? values.map((text) => ({ text, literal: true }))
    : sub.kind === "pattern"
      ? [{ text: sub.pattern, literal: false }]
      : [];
  const why = "sub is given, so it is matched as written and this claim is checked on its own";
  const residual = new Map([...selector.keys()].filter((k) => k !== "sub").map((k) => [k, why]));
  return { satisfiable: sub.kind !== "absent", subjects, residual };
}

interface CaseResult {
  readonly globs: readonly SubjectGlob[];
  readonly residual: ReadonlyMap<string, string>;
  /** Claims this case's sub decides. */
  readonly decided: ReadonlySet<string>;
  /** Residual claims the case's `ruleOut` hint would help with. */
  readonly hinted: ReadonlyMap<string, string>;
}

function projectCase(
  selector: ReadonlyMap<string, Matcher>,
  c: SubjectCase,
  template: SubjectTemplate,
  spec: (claim: string) => ClaimSpec,
): CaseResult | undefined {
  for (const [claim, guard] of Object.entries(c.when)) {
    const m = selector.get(claim);
    if (m && !compatible(m, guard)) return undefined;
  }
  const residual = new Map<string, string>();
  const slotClaims = c.parts.flatMap((p) =>
    typeof p === "object" && "claim" in p ? [p.claim] : [],
  );
  for (const claim of slotClaims) if (selector.get(claim)?.kind === "absent") return undefined;

  const context: CaseContext = { selector, template, case: c, spec, residual };
  const options = slotOptions(context, slotClaims);
  if (!options) return undefined;

  const globs: SubjectGlob[] = [];
  let decidedBySub: Set<string> | undefined;
  let cut = false;
  const undelimited = new Map<string, string>();
  let lookalike: SubjectCase | undefined;
  for (const assignment of expand(context, options)) {
    const pieces = c.parts.map((p) => piece(context, p, assignment));
    const glob = alignGlob(pieces, template.separators, residual, (text) =>
      countParses(text, c, spec),
    );
    globs.push(glob.glob);
    cut ||= glob.cut;
    if (glob.undelimited) undelimited.set(glob.undelimited.claim, glob.undelimited.next);
    const others = template.cases.filter((o) => o !== c && overlaps(glob.glob, o, spec));
    lookalike ??= others[0];
    // a lookalike case's token still shows the values of a literal prefix both layouts share
    const safe =
      others.length === 0
        ? glob.captured
        : others.every((o) => sameParts(c, o, glob.prefix.parts))
          ? glob.prefix.claims
          : [];
    decidedBySub = decidedBySub ? new Set(safe.filter((k) => decidedBySub!.has(k))) : new Set(safe);
  }
  const captured = decidedBySub ?? new Set<string>();
  const hinted = new Map<string, string>();
  for (const [claim, m] of selector) {
    if (residual.has(claim)) continue;
    if (lookalike && !captured.has(claim)) {
      residual.set(
        claim,
        `the sub of ${c.label} can read like the sub of ${lookalike.label}, so sub cannot tell them apart`,
      );
      continue;
    }
    if (captured.has(claim)) continue;
    const guard = own(c.when, claim);
    if (guard && impliedBy(m, guard)) continue;
    const split = template.split;
    if (split?.claim === claim && split.into.every((k) => captured.has(k) && !residual.has(k)))
      continue;
    const next = undelimited.get(claim);
    residual.set(
      claim,
      next !== undefined
        ? `a ${claim} value may itself hold ${next ? JSON.stringify(next) : "more text"}, which follows it in the sub of ${c.label}, so sub cannot tell where the value ends`
        : cut
          ? cutReason(c)
          : `the sub of ${c.label} does not carry ${claim}`,
    );
    if (!cut && c.ruleOut) hinted.set(claim, c.ruleOut);
  }
  const decided = new Set([...selector.keys()].filter((k) => !residual.has(k)));
  return { globs, residual, decided, hinted };
}

function cutReason(c: SubjectCase): string {
  return `a wildcard in the sub of ${c.label} could reach into the next value, so sub stops deciding there`;
}

/**
 * The `sub` an issuer writes for these claims: the first case whose guards hold, its parts
 * filled in (GitHub's ':' written as '%3A'). Undefined when no case holds or a value is missing.
 */
export function renderSubject(
  template: SubjectTemplate,
  claims: Readonly<Record<string, string | undefined>>,
  spec: (claim: string) => ClaimSpec,
): string | undefined {
  const c = caseOf(template, claims);
  if (!c) return undefined;
  const split = template.split;
  const whole = split && claims[split.claim];
  const derived: Record<string, string | undefined> =
    split && whole !== undefined && whole.includes(split.at)
      ? { [split.into[1]]: whole.slice(whole.indexOf(split.at) + split.at.length) }
      : {};
  let out = "";
  for (const part of c.parts) {
    if (typeof part === "string") out += part;
    else if ("opaque" in part) out += `${part.opaque}-1`;
    else {
      const value = own(claims, part.claim) ?? own(derived, part.claim);
      if (value === undefined) return undefined;
      out += spec(part.claim).colonEncoded ? value.replaceAll(":", "%3A") : value;
    }
  }
  return out;
}

/** The case of the layout an issuer picks for these claims: the first whose guards hold. */
export function caseOf(
  template: SubjectTemplate,
  claims: Readonly<Record<string, string | undefined>>,
): SubjectCase | undefined {
  return template.cases.find((k) =>
    Object.entries(k.when).every(([name, g]) => guardHolds(g, own(claims, name))),
  );
}

/**
 * The claims whose values the issuer writes into these claims' sub, and those that choose its
 * layout: a token cannot change one of them and keep its sub.
 */
export function subjectClaims(
  template: SubjectTemplate,
  claims: Readonly<Record<string, string | undefined>>,
): Set<string> {
  const out = new Set(template.cases.flatMap((k) => Object.keys(k.when)));
  for (const part of caseOf(template, claims)?.parts ?? [])
    if (typeof part === "object" && "claim" in part) out.add(part.claim);
  if (template.split && template.split.into.some((k) => out.has(k))) out.add(template.split.claim);
  return out;
}
