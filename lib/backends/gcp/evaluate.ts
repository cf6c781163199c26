import type { CelResult } from "@bufbuild/cel";
import { celEnv, isCelError, parse, plan, unparse } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import type { GcpArtefacts } from "./grant";
import { quote } from "../../errors";
import { celClaims } from "./cel-claims";
import { GCP_LIMITS } from "./limits";
import { MAX_SUBJECT_BYTES } from "./names";
import type { TokenClaims } from "../../inspect/token-claims";
import { claimString, describeAudiences, describeClaim } from "../../inspect/token-claims";
import type { Verdict } from "../../inspect/verdict";
import { allow, deny } from "../../inspect/verdict";

const ENV = celEnv({ funcs: strings });
type Program = (vars: Record<string, unknown>) => CelResult;
const programs = new Map<string, Program>();

/** Parses and plans a CEL expression once; providers repeat theirs for every token. */
function program(source: string): Program {
  let p = programs.get(source);
  if (!p) {
    if (programs.size > 10_000) programs.clear();
    p = plan(ENV, parse(source)) as Program;
    programs.set(source, p);
  }
  return p;
}

/** The expressions among `sources` that do not parse as CEL here (deployed ones may use more). */
export function unparsable(sources: readonly string[]): string[] {
  return sources.filter((source) => {
    try {
      program(source);
      return false;
    } catch {
      return true;
    }
  });
}

/** "When evaluated, the total size of all mapped attributes must not exceed 8KB." */
const MAX_MAPPED_BYTES = GCP_LIMITS.mapping.mappedBytes;

/**
 * The token exchange with a workload identity pool provider, then the IAM check of the bound
 * principals: issuer and audience, the attribute mapping (every expression must yield a
 * string), the attribute condition, `google.subject`'s 127 bytes, and a principal that matches
 * the mapped attributes. Evaluated with @bufbuild/cel, the closest relative of GCP's cel-go.
 *
 * @see https://cloud.google.com/iam/docs/workload-identity-federation
 */
export function evaluateProvider(
  provider: GcpArtefacts,
  claims: TokenClaims,
  audiences: readonly string[],
): Verdict {
  if (claimString(claims, "iss") !== provider.issuerUri) {
    return deny(
      `the provider trusts issuer ${provider.issuerUri}, and the token's issuer is ${describeClaim(claims, "iss")}`,
    );
  }
  if (!audiences.some((a) => provider.allowedAudiences.includes(a))) {
    return deny(
      `aud ${describeAudiences(audiences)} is not among the provider's allowed audiences (${provider.allowedAudiences.join(", ")})`,
    );
  }
  const assertion = celClaims(claims);
  const google = new Map<string, string>();
  const attribute = new Map<string, string>();
  for (const [key, source] of Object.entries(provider.attributeMapping)) {
    const value = program(source)({ assertion });
    if (isCelError(value)) return deny(`attribute mapping ${key} failed: ${value.message}`);
    if (typeof value !== "string")
      return deny(`attribute mapping ${key} gave a ${typeof value}, not a string`);
    const [space, name] = key.split(".", 2) as [string, string];
    (space === "google" ? google : attribute).set(name, value);
  }
  const mapped = [...google.values(), ...attribute.values()];
  const size = mapped.reduce((n, v) => n + Buffer.byteLength(v, "utf8"), 0);
  if (size > MAX_MAPPED_BYTES)
    return deny(`the mapped attributes take ${size} bytes, over GCP's ${MAX_MAPPED_BYTES}`);
  const subject = google.get("subject");
  if (typeof subject !== "string") return deny("the attribute mapping gives no google.subject");
  const bytes = Buffer.byteLength(subject, "utf8");
  if (bytes > MAX_SUBJECT_BYTES)
    return deny(`google.subject is ${bytes} bytes, over GCP's ${MAX_SUBJECT_BYTES}`);
  const result = program(provider.attributeCondition)({ assertion, attribute, google });
  if (isCelError(result)) return deny(`attribute condition failed: ${result.message}`);
  if (result !== true) {
    return deny(
      `attribute condition evaluated to false: ${whyFalse(provider.attributeCondition, { assertion, attribute, google })}`,
    );
  }
  const pool = provider.providerName.slice(0, provider.providerName.lastIndexOf("/providers/"));
  const match = provider.principals.find((p) => principalMatches(p, pool, subject, attribute));
  if (!match) {
    return deny(
      `no bound principal matches the token's attributes (${[...attribute]
        .map(([k, v]) => `attribute.${k} = ${quote(v)}`)
        .join(", ")})`,
    );
  }
  return allow(`attribute condition is true and ${match} matches`);
}

/** Whether a principal identifier names this token, mapped into `pool`. */
function principalMatches(
  principal: string,
  pool: string,
  subject: string,
  attribute: ReadonlyMap<string, string>,
): boolean {
  const m =
    /^principal(Set)?:\/\/iam\.googleapis\.com\/(.+?)\/(subject\/(.+)|attribute\.([a-z0-9_]+)\/(.+)|group\/(.+)|\*)$/.exec(
      principal,
    );
  if (!m || m[2] !== pool) return false;
  const [, set, , , subjectValue, name, value] = m;
  if (subjectValue !== undefined) return !set && subjectValue === subject;
  if (name !== undefined) return !!set && attribute.get(name) === value;
  if (m[7] !== undefined) return false; // google.groups is never mapped by trustplane
  return !!set;
}

type ParsedCel = ReturnType<typeof parse>;
type CelExpr = NonNullable<ParsedCel["expr"]>;

/** A condition's alternatives (`||`), each as its tests (`&&`), planned once per condition. */
interface Anatomy {
  readonly alternatives: readonly (readonly { readonly text: string; readonly run: Program }[])[];
}
const anatomies = new Map<string, Anatomy>();

function anatomy(source: string): Anatomy {
  let a = anatomies.get(source);
  if (!a) {
    if (anatomies.size > 10_000) anatomies.clear();
    const parsed = parse(source);
    const alternatives = split(parsed.expr, "_||_").map((alternative) =>
      split(alternative, "_&&_").map((test) => ({
        text: unparse(test),
        run: plan(ENV, { ...parsed, expr: test }) as Program,
      })),
    );
    a = { alternatives };
    anatomies.set(source, a);
  }
  return a;
}

/**
 * Which test failed, for the reason: the first false test of each alternative (`||`) of the
 * condition, as CEL source. Evaluates the parts separately; the decision itself is the whole.
 */
function whyFalse(source: string, vars: Record<string, unknown>): string {
  const failures = anatomy(source).alternatives.map(
    (tests) => (tests.find((t) => t.run(vars) !== true) ?? tests[0]!).text,
  );
  if (failures.length === 1) return `${failures[0]} does not hold`;
  const shown = failures.slice(0, 3).map((f) => `${f} does not hold`);
  return `in each of its ${failures.length} alternatives a test fails: ${shown.join("; ")}${failures.length > 3 ? "; ..." : ""}`;
}

/** The operands of a chain of one binary operator (`a && b && c` → [a, b, c]). */
function split(expr: CelExpr, operator: string): CelExpr[] {
  const kind = expr.exprKind;
  if (
    kind.case === "callExpr" &&
    kind.value.function === operator &&
    kind.value.args.length === 2
  ) {
    return kind.value.args.flatMap((arg) => split(arg, operator));
  }
  return [expr];
}
