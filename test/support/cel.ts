import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

/**
 * Runs a GCP workload identity pool provider's CEL on a token's claims, in the order Google's
 * STS applies it: the attribute mapping (google.subject, attribute.*) over `assertion`, then the
 * attribute condition over `assertion`, `attribute` and `google`. An evaluation error anywhere
 * rejects the token, as it fails the exchange in GCP.
 *
 * What this does NOT model: GCP's own CEL runtime (cel-es here; RE2 there), the issuer,
 * audience, signature and expiry checks, list-valued attributes, and IAM bindings.
 */

/** GCP's limit on the mapped google.subject, in UTF-8 bytes. */
export const MAX_SUBJECT_BYTES = 127;

const env = celEnv({ funcs: strings });

/** The part of a provider this evaluates (GcpArtefacts has both fields). */
export interface ProviderCel {
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition: string;
}

export type Exchange =
  | {
      readonly accepted: true;
      readonly google: Readonly<Record<string, string>>;
      readonly attribute: Readonly<Record<string, string>>;
    }
  | { readonly accepted: false; readonly reason: string };

/**
 * The outcome of presenting a token with these claims to the provider. Throws when an
 * expression does not parse: GCP refuses to create such a provider, so no token is involved.
 */
export function exchange(
  provider: ProviderCel,
  assertion: Readonly<Record<string, string>>,
): Exchange {
  const google: Record<string, string> = {};
  const attribute: Record<string, string> = {};
  for (const [target, src] of Object.entries(provider.attributeMapping)) {
    const value = evaluate(src, { assertion });
    if (typeof value !== "string") return reject(`${target} mapped to ${describe(value)}`);
    const [scope, name] = splitTarget(target);
    (scope === "google" ? google : attribute)[name] = value;
  }
  const subject = google.subject;
  if (subject === undefined) return reject("the mapping sets no google.subject");
  if (Buffer.byteLength(subject, "utf8") > MAX_SUBJECT_BYTES) {
    return reject(`google.subject is longer than ${MAX_SUBJECT_BYTES} bytes`);
  }
  const verdict = evaluate(provider.attributeCondition, { assertion, attribute, google });
  if (verdict !== true) return reject(`the attribute condition gave ${describe(verdict)}`);
  return { accepted: true, google, attribute };
}

/** Evaluates one expression; a CEL error is returned as a value, a parse error throws. */
export function evaluate(src: string, vars: Record<string, Record<string, string>>): unknown {
  return plan(env, parse(src))(vars);
}

function splitTarget(target: string): ["google" | "attribute", string] {
  const match = /^(google|attribute)\.(.+)$/.exec(target);
  if (!match) throw new Error(`not a GCP attribute mapping key: ${target}`);
  return [match[1] as "google" | "attribute", match[2]!];
}

function reject(reason: string): Exchange {
  return { accepted: false, reason };
}

function describe(value: unknown): string {
  if (isCelError(value)) return `a CEL error (${value.message})`;
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
