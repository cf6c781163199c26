import { issuerVariants, recognizeIssuer } from "../claims/issuers";
import type { IssuerModel } from "../claims/issuer";
import { compileDocument } from "../compile";
import type { Issue } from "../errors";
import type { Grant, Identity, IntentDocument, Issuer, Selector, Target } from "../intent/document";
import type { Divergence, Proof } from "./prove";
import { prove } from "./prove";
import { canonicalSelectors, withoutPresenceSplits } from "./selectors";
import { subjectSelector } from "./subject";
import type { Decompiled, ImportedTrust, NotImported } from "./trust";
import { identityNameOf } from "./trust";
import { omit } from "../internal/own";

/** How one deployed trust went into the draft. */
export interface ImportedIdentity {
  readonly trust: ImportedTrust;
  /** The identity of the draft that holds it (several trusts with the same selectors share one). */
  readonly identity: string;
  /** `claims`: read back into the issuer's claims; `sub`: kept as deployed, the only exact reading. */
  readonly form: "claims" | "sub";
  /** Tokens decided by both the draft's compiled artefacts and the deployed trust. */
  readonly tokens: number;
  readonly divergences: readonly Divergence[];
}

/** A draft intent document, with how each deployed trust went into it. */
export interface ImportDraft {
  readonly document: IntentDocument;
  readonly imported: readonly ImportedIdentity[];
  readonly skipped: readonly NotImported[];
  /** Placeholders the user must fill: a path in the document, and what belongs there. */
  readonly placeholders: readonly { readonly path: (string | number)[]; readonly what: string }[];
  /** The draft's own warnings, from compiling it. */
  readonly warnings: readonly Issue[];
}

/**
 * Drafts one intent document from the clouds' decompiled trust: an issuer per URL (its preset
 * when the URL shows one), a target per account, subscription and project, an identity per
 * trust — its `sub` read back into the issuer's claims where the compiled claims decide the
 * corpus exactly as the deployed trust does, else kept as deployed — then identities with the
 * same issuer and selectors merged into one with a grant per target. Each trust is proved on
 * its own (see `prove`); a trust whose draft does not compile is skipped with the errors.
 */
export function draftIntent(decompiled: readonly Decompiled[]): ImportDraft {
  const trusts = decompiled.flatMap((d) => d.trusts);
  const skipped = decompiled.flatMap((d) => [...d.skipped]);
  const targets = new Map<string, { name: string; target: ImportedTrust["target"] }>();
  for (const t of trusts) {
    const key = JSON.stringify(t.target.config);
    const taken = new Set([...targets.values()].map((x) => x.name));
    if (!targets.has(key))
      targets.set(key, { name: unique(t.target.name, taken), target: t.target });
  }
  const issuers = new Map<string, { name: string; config: Issuer; url: string }>();
  const names = new Set<string>();
  const imported: ImportedIdentity[] = [];
  const identities: Identity[] = [];
  // trust read from sub first: its issuer's layout is then known to the trust that has no sub
  const hasSub = (t: ImportedTrust) => t.subjects.some((s) => "sub" in s);
  for (const trust of [...trusts.filter(hasSub), ...trusts.filter((t) => !hasSub(t))]) {
    const target = targets.get(JSON.stringify(trust.target.config))!.name;
    const name = unique(trust.name, names);
    // an issuer whose identity already has these selectors first, so that the two merge
    const same = JSON.stringify(canonicalSelectors(trust.subjects));
    const preferred = [...issuers.values()]
      .filter((i) => i.url === trust.issuerUrl)
      .sort((a, b) => Number(holds(b.name)) - Number(holds(a.name)))
      .map((i) => i.config);
    function holds(issuer: string) {
      return identities.some((i) => i.issuer === issuer && JSON.stringify(i.subjects) === same);
    }
    const drafted = draftTrust(trust, name, target, preferred);
    if ("errors" in drafted) {
      skipped.push({
        cloud: trust.cloud,
        resource: trust.resource,
        reason: `its draft does not compile: ${drafted.errors.map((e) => e.message).join("; ")}`,
      });
      continue;
    }
    names.add(name);
    const key = JSON.stringify(drafted.issuer);
    if (!issuers.has(key)) {
      const taken = new Set([...issuers.values()].map((i) => i.name));
      const base = issuerName(trust.issuerUrl, drafted.issuer);
      issuers.set(key, { name: unique(base, taken), config: drafted.issuer, url: trust.issuerUrl });
    }
    identities.push({ ...drafted.identity, issuer: issuers.get(key)!.name });
    imported.push({
      trust,
      identity: name,
      form: drafted.identity.subjects.some((s) => "sub" in s) ? "sub" : "claims",
      tokens: drafted.proof.tokens,
      divergences: drafted.proof.divergences,
    });
  }
  const merged = mergeIdentities(identities, imported);
  const used = (key: string) => merged.some((i) => i.issuer === key);
  const document: IntentDocument = {
    version: 1,
    issuers: Object.fromEntries(
      [...issuers.values()].filter((i) => used(i.name)).map((i) => [i.name, i.config]),
    ),
    targets: Object.fromEntries(
      [...targets.values()]
        .filter((t) => merged.some((i) => i.grants.some((g) => g.target === t.name)))
        .map((t): [string, Target] => [t.name, t.target.config]),
    ),
    identities: merged,
  };
  const placeholders = [...targets.values()]
    .filter((t) => t.name in document.targets)
    .flatMap((t) =>
      Object.entries(t.target.placeholders).map(([key, what]) => ({
        path: ["targets", t.name, key],
        what,
      })),
    );
  const { issues } = compileDocument(document);
  return { document, imported, skipped, placeholders, warnings: issues };
}

type Proven = Extract<Proof, { divergences: unknown }>;

/**
 * The draft of one trust: the first reading, over the issuer's configurations (its preset's
 * `sub` layouts), that the proof shows decides the corpus as the deployed trust does — its
 * `sub` read back into claims and simplified, then read back only, then kept as deployed; when
 * none is exact, the deployed `sub` with its divergences.
 */
function draftTrust(
  trust: ImportedTrust,
  name: string,
  target: string,
  preferred: readonly Issuer[],
): { identity: Identity; issuer: Issuer; proof: Proven } | { errors: readonly Issue[] } {
  const base = recognizeIssuer(trust.issuerUrl);
  const exact = canonicalSelectors(trust.subjects.flatMap(splitSub));
  const claims = [...new Set(exact.flatMap((s) => Object.keys(s)))].filter((c) => c !== "sub");
  const generic: Issuer = {
    kind: "oidc",
    url: trust.issuerUrl,
    ...(claims.length ? { claims } : {}),
  };
  const draft = (issuer: Issuer, subjects: Selector[], audience?: string): IntentDocument => ({
    version: 1,
    issuers: { issuer },
    targets: { [target]: trust.target.config },
    identities: [
      {
        name,
        issuer: "issuer",
        subjects,
        grants: [{ target, ...(audience ? { audience } : {}), ...grant(trust, name) }],
      },
    ],
  });
  const configs = new Map(
    [...preferred, base, ...issuerVariants(base, subValues(exact)), generic].map((c) => [
      JSON.stringify(c),
      c,
    ]),
  );
  // readings in claims first, under every configuration; the deployed sub only when none is exact
  const readings = (model: IssuerModel) => {
    if (!exact.some((s) => "sub" in s)) return [exact];
    const readable = canonicalSelectors(exact.flatMap(splitSub).map((s) => readSub(s, model)));
    const same = (x: Selector[]) => JSON.stringify(x) === JSON.stringify(exact);
    return [withoutPresenceSplits(readable), readable].filter((x) => !same(x));
  };
  for (const issuer of configs.values()) {
    const model = compileDocument(draft(issuer, exact, trust.audience)).ir?.identities[0]?.issuer;
    for (const subjects of model ? readings(model) : []) {
      const proof = prove(draft(issuer, subjects, trust.audience), trust);
      if ("divergences" in proof && proof.divergences.length === 0)
        return finish(issuer, subjects, proof);
    }
  }
  // the preset's issuer may need what the URL does not show (Pulumi Cloud's organization)
  const proof = prove(draft(base, exact, trust.audience), trust);
  if (!("errors" in proof)) return finish(base, exact, proof);
  // only where the preset's configuration is what fails: a generic issuer must not hide an
  // error of the trust itself (a shared issuer without an owner pin)
  if (!proof.errors.every((e) => e.path[0] === "issuers")) return proof;
  const fallback = prove(draft(generic, exact, trust.audience), trust);
  return "errors" in fallback ? proof : finish(generic, exact, fallback);

  function finish(issuer: Issuer, subjects: Selector[], proof: Proven) {
    const plan = compileDocument(draft(issuer, subjects)).plan;
    const defaulted = plan?.identities[0]?.grants[0]?.audience;
    const audience = defaulted === trust.audience ? undefined : trust.audience;
    return { identity: draft(issuer, subjects, audience).identities[0]!, issuer, proof };
  }
}

/** The grant of a trust under identity `name`: its physical name only where it is not the default. */
function grant(trust: ImportedTrust, name: string): Omit<Grant, "target"> {
  return trust.grant[trust.nameKey] === name ? omit(trust.grant, trust.nameKey) : trust.grant;
}

/** The `sub` values (exact or glob) the selectors name. */
function subValues(selectors: readonly Selector[]): string[] {
  return selectors.flatMap((s) => {
    const sub = s.sub;
    if (typeof sub === "string") return [sub];
    if (typeof sub === "object" && "pattern" in sub) return [sub.pattern];
    if (typeof sub === "object" && "oneOf" in sub) return sub.oneOf;
    return [];
  });
}

/** A selector whose `sub` lists several values, as one selector per value. */
function splitSub(selector: Selector): Selector[] {
  const sub = selector.sub;
  if (typeof sub !== "object" || !("oneOf" in sub)) return [selector];
  return sub.oneOf.map((value) => ({ ...selector, sub: value }));
}

/** The selector with its `sub` read back into the issuer's claims, or itself when that fails. */
function readSub(selector: Selector, issuer: IssuerModel): Selector {
  const sub = selector.sub;
  if (sub === undefined || (typeof sub === "object" && !("pattern" in sub))) return selector;
  const glob = typeof sub === "object";
  const claims = subjectSelector(glob ? sub.pattern : sub, glob, issuer);
  if (!claims) return selector;
  const rest = omit(selector, "sub");
  for (const [claim, matcher] of Object.entries(claims)) {
    if (claim in rest && JSON.stringify(rest[claim]) !== JSON.stringify(matcher)) return selector;
  }
  return { ...rest, ...claims };
}

/** Identities with the same issuer and selectors, merged into the first, one grant per target. */
function mergeIdentities(
  identities: readonly Identity[],
  imported: ImportedIdentity[],
): Identity[] {
  const byKey = new Map<string, Identity>();
  const renamed = new Map<string, string>();
  for (const identity of identities) {
    const key = JSON.stringify([identity.issuer, identity.subjects]);
    const first = byKey.get(key);
    const clash = first?.grants.some((g) => identity.grants.some((h) => h.target === g.target));
    if (!first || clash) {
      byKey.set(clash ? `${key} ${identity.name}` : key, {
        ...identity,
        grants: [...identity.grants],
      });
      continue;
    }
    const own = imported.find((i) => i.identity === identity.name)!;
    first.grants.push(
      ...identity.grants.map((g) => ({
        ...g,
        ...restoreName(own.trust, identity.name, first.name),
      })),
    );
    renamed.set(identity.name, first.name);
  }
  for (const [i, entry] of imported.entries()) {
    const to = renamed.get(entry.identity);
    if (to) imported[i] = { ...entry, identity: to };
  }
  return [...byKey.values()];
}

/** The physical-name key a grant needs once its identity is renamed from `from` to `to`. */
function restoreName(trust: ImportedTrust, from: string, to: string): Partial<Grant> {
  const physical = trust.grant[trust.nameKey];
  return physical === from && from !== to ? { [trust.nameKey]: physical } : {};
}

function unique(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name.slice(0, 44)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** An issuer's name in the draft: its kind, or its host for a generic issuer. */
function issuerName(url: string, config: Issuer): string {
  return config.kind === "oidc"
    ? identityNameOf(url.replace(/^https:\/\//, "")).slice(0, 32)
    : config.kind;
}
