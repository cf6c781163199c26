import { strict as assert } from "node:assert";
import fc from "fast-check";
import { compileDocument } from "../../lib/compile";
import type { AccessChange, TrustDiff, Version } from "../../lib/inspect/diff";
import { diffVersions } from "../../lib/inspect/diff";
import type { TokenClaims } from "../../lib/inspect/token-claims";
import { audiencesOf, intentAccepts } from "../../lib/inspect/token-claims";
import { identityCorpus } from "../../lib/inspect/verify";
import { ALL_GRANTS } from "../support/documents";
import { documents } from "../support/random-documents";

type Json = Record<string, unknown>;
interface Doc {
  identities: { name: string; issuer: string; subjects: Json[]; grants: Json[] }[];
}

/** The claims that pin a shared issuer's owner: changing them is refused, not a widening. */
const PINS = new Set([
  "repository_owner",
  "repository_owner_id",
  "repository_id",
  "project_id",
  "terraform_organization_name",
]);

const WIDENINGS = ["selector added", "pattern loosened", "absent dropped", "grant added"] as const;
type Widening = (typeof WIDENINGS)[number];

/**
 * Two versions of the document, the second wider in identity `i` alone: every token the first's
 * intent lets in, it lets in too. One of them is the generated document itself, the other has a
 * selector more (a copy with another value) or one less, a value followed by `*` (or a pattern's
 * `*` narrowed to `x*`), an `absent` less (or, on GitHub, one more), a grant more or less, whichever the
 * identity allows. Undefined where it allows none of the kind.
 */
function widened(
  document: Json,
  kind: Widening,
  i: number,
  pick: number,
): [Json, Json] | undefined {
  const doc = structuredClone(document) as unknown as Doc;
  if (doc.identities.length === 0) return undefined;
  const identity = doc.identities[i % doc.identities.length]!;
  const subjects = identity.subjects;
  const entries = subjects.flatMap((s, j) =>
    Object.entries(s)
      .filter(([claim]) => !PINS.has(claim))
      .map(([claim, m]) => ({ j, claim, m })),
  );
  const at = <T>(xs: readonly T[]) => (xs.length ? xs[pick % xs.length] : undefined);
  const narrower = (): [Json, Json] => [doc as unknown as Json, document];
  const wider = (): [Json, Json] => [document, doc as unknown as Json];
  const exact = at(entries.filter((x) => typeof x.m === "string"));
  if (kind === "grant added") {
    const missing = ALL_GRANTS.filter((g) => !identity.grants.some((h) => h.target === g.target));
    if (identity.grants.length < 2 || (missing.length && pick % 2)) {
      if (!missing.length) return undefined;
      identity.grants.push(structuredClone(missing[pick % missing.length]!));
      return wider();
    }
    identity.grants.splice(pick % identity.grants.length, 1);
    return narrower();
  }
  if (kind === "selector added") {
    if (subjects.length > 1 && pick % 2) {
      subjects.splice(pick % subjects.length, 1);
      return narrower();
    }
    if (!exact) return undefined;
    subjects.push({ ...subjects[exact.j], [exact.claim]: `${exact.m as string}x` });
    return wider();
  }
  if (kind === "pattern loosened") {
    const pattern = at(entries.filter((x) => has(x.m, "pattern")));
    if (pattern && pick % 2) {
      const was = (pattern.m as { pattern: string }).pattern;
      subjects[pattern.j]![pattern.claim] = { pattern: was.replace("*", "x*") };
      return narrower();
    }
    if (!exact) return undefined;
    subjects[exact.j]![exact.claim] = { pattern: `${exact.m as string}*` };
    return wider();
  }
  const absent = at(entries.filter((x) => has(x.m, "absent")));
  if (absent && Object.keys(subjects[absent.j]!).length > 1) {
    delete subjects[absent.j]![absent.claim];
    return wider();
  }
  const open = at(subjects.flatMap((s, j) => (s.environment === undefined ? [j] : [])));
  if (identity.issuer.startsWith("gh") && open !== undefined) {
    subjects[open]!.environment = { absent: true };
    return narrower();
  }
  return undefined;
}

const has = (m: unknown, key: string) => typeof m === "object" && m !== null && key in m;

function version(document: Json): Version | undefined {
  const { ir, plan } = compileDocument(document);
  return ir && plan ? { document, ir, plan } : undefined;
}

/** Whether the version's intent lets the token into the identity's grant on the target. */
function intends(v: Version, identity: string, target: string, token: TokenClaims): boolean {
  const i = v.ir.identities.find((x) => x.name === identity);
  const grant = v.plan.identities
    .find((p) => p.name === identity)
    ?.grants.find((g) => g.target === target);
  if (!i || !grant) return false;
  return (
    intentAccepts(i, token) && (audiencesOf(token) ?? [grant.audience]).includes(grant.audience)
  );
}

/**
 * Whether some token of verify's corpora (both versions') is let in by `to`'s intent and not by
 * `from`'s, for some grant: the oracle's own search, which decides by the intents only.
 */
function witness(from: Version, to: Version): boolean {
  for (const identity of to.ir.identities) {
    const plan = to.plan.identities.find((p) => p.name === identity.name)!;
    const mine = [from, to].flatMap((v) => {
      const i = v.ir.identities.find((x) => x.name === identity.name);
      const p = v.plan.identities.find((x) => x.name === identity.name);
      return i && p ? identityCorpus(i, p, v.ir.identities).map((t) => t.claims) : [];
    });
    for (const grant of plan.grants) {
      for (const claims of mine) {
        const token = audiencesOf(claims) ? claims : { ...claims, aud: grant.audience };
        if (
          intends(to, identity.name, grant.target, token) &&
          !intends(from, identity.name, grant.target, token)
        )
          return true;
      }
    }
  }
  return false;
}

/**
 * Every change is `change`, and its token is let in by the intent of the version that has it
 * (`after` for a gain, `before` for a loss) and refused by the other's.
 */
function assertSound(
  d: TrustDiff,
  change: AccessChange["change"],
  before: Version,
  after: Version,
): void {
  const [has, lacks] = change === "gained" ? [after, before] : [before, after];
  for (const c of d.changes) {
    const what = `${c.identity} ${c.target} ${JSON.stringify(c.token)}`;
    assert.equal(c.change, change, what);
    assert.ok(intends(has, c.identity, c.target, c.token), `${change}, yet not intended: ${what}`);
    assert.ok(!intends(lacks, c.identity, c.target, c.token), `${change}, yet intended: ${what}`);
  }
}

/**
 * `diff` on random intents (test/support/random-documents.ts) and random mutations of one
 * identity. Widening ones: every reported token is gained, let in by HEAD's intent and refused by
 * BASE's, and one is reported whenever the oracle's own search of verify's corpora finds such a
 * token; swapping BASE and HEAD mirrors it with losses. Rewrites that mean the same report
 * nothing, on a corpus for every identity. The skip of identities whose trust is equal in both
 * versions changes nothing. Does NOT prove that a widening outside those corpora is found: the
 * oracle searches the same corpora diff builds (it decides by the intents, diff by the compiled
 * artefacts); nor that mutations HEAD refuses to compile would be reported (they are skipped).
 */
describe("diff on random intents", () => {
  it("is empty for a document and itself, deciding every identity on its corpus", function () {
    this.timeout(300_000);
    let runs = 0;
    fc.assert(
      fc.property(documents, (g) => {
        const v = version(g.document);
        if (!v) return;
        runs++;
        const d = diffVersions(v, version(structuredClone(g.document))!, { decideAll: true });
        assert.deepEqual(d, {
          widens: false,
          narrows: false,
          changes: [],
          permissions: [],
          resources: { added: [], removed: [], changed: [] },
          notes: [],
        });
      }),
      { numRuns: 40 },
    );
    assert.ok(runs >= 20, `${runs} documents`);
  });

  it("reports widenings as gains the intents agree with, and the reverse as losses", function () {
    this.timeout(600_000);
    const tried = Object.fromEntries(WIDENINGS.map((k) => [k, 0])) as Record<Widening, number>;
    let witnessed = 0;
    fc.assert(
      fc.property(
        documents,
        fc.constantFrom(...WIDENINGS),
        fc.nat(),
        fc.nat(),
        (g, kind, i, pick) => {
          const pair = widened(g.document, kind, i, pick);
          const base = pair && version(pair[0]);
          const head = pair && version(pair[1]);
          if (!base || !head) return;
          tried[kind]++;
          const wider = diffVersions(base, head);
          assertSound(wider, "gained", base, head);
          const narrower = diffVersions(head, base);
          assertSound(narrower, "lost", head, base);
          if (witness(base, head)) {
            witnessed++;
            assert.ok(wider.changes.length > 0, `no gain reported for ${kind}`);
            assert.ok(narrower.changes.length > 0, `no loss reported for ${kind}`);
            assert.equal(wider.widens, true);
          }
          // the skip of identities whose trust is equal loses nothing
          assert.deepEqual(diffVersions(base, head, { decideAll: true }), wider);
        },
      ),
      { numRuns: 200 },
    );
    const runs = Object.values(tried).reduce((a, b) => a + b, 0);
    assert.ok(
      runs >= 60 && witnessed >= runs / 2 && WIDENINGS.every((k) => tried[k] >= 3),
      `${witnessed} of ${runs} witnessed; tried ${JSON.stringify(tried)}`,
    );
  });

  it("reports nothing for rewrites that mean the same", function () {
    this.timeout(300_000);
    let runs = 0;
    fc.assert(
      fc.property(documents, (g) => {
        const base = version(g.document);
        const head = base && version(rewritten(g.document));
        if (!base || !head) return;
        runs++;
        const d = diffVersions(base, head, { decideAll: true });
        assert.deepEqual(d.changes, [], JSON.stringify(g.document.identities));
        assert.deepEqual(d.permissions, []);
      }),
      { numRuns: 60 },
    );
    assert.ok(runs >= 30, `${runs} documents`);
  });
});

/** Every identity's selectors reversed, each first `oneOf` split into one selector per value. */
function rewritten(document: Json): Json {
  const doc = structuredClone(document) as unknown as Doc;
  for (const identity of doc.identities) {
    identity.subjects = identity.subjects.reverse().flatMap((s) => {
      const split = Object.entries(s).find(([, m]) => has(m, "oneOf"));
      if (!split) return [s];
      const [claim, m] = split;
      return (m as { oneOf: string[] }).oneOf.map((v) => ({ ...s, [claim]: v }));
    });
  }
  return doc as unknown as Json;
}
