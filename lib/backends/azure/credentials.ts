import { projectSubject } from "../../claims/subject";
import type { Issue, Path } from "../../errors";
import { count, error, quote } from "../../errors";
import type { IdentityIR } from "../../ir/types";
import { fitName, shortHash, slug } from "../../internal/names";
import { AZURE_LIMITS } from "./limits";

/** The `aud` Entra ID recommends for federated identity credentials, and azure/login asks for. */
export const AZURE_AUDIENCE = "api://AzureADTokenExchange";

/** Azure's limits on federated identity credentials. */
export const MAX_CREDENTIALS = AZURE_LIMITS.credentials.count;
const MAX_FIELD = AZURE_LIMITS.credentials.fieldLength;

/** One federated identity credential: Azure admits a token whose (iss, sub, aud) equal these exactly. */
export interface FederatedCredential {
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
}

/**
 * The federated identity credentials that admit exactly the identity's tokens: one per concrete
 * subject. Azure compares issuer, subject and audience exactly and case-sensitively, so a
 * selector must reduce to exact subjects; anything else is refused with a fix.
 *
 * @see https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations
 */
export function azureCredentials(
  identity: IdentityIR,
  audience: string,
  audiencePath: Path,
): { credentials: FederatedCredential[]; issues: Issue[] } {
  const { issuer } = identity;
  const issues: Issue[] = [];
  // subject → the first selector that needs it, where a problem with it is reported
  const subjects = new Map<string, Path>();
  for (const selector of identity.selectors) {
    const projection = projectSubject(selector.claims, issuer);
    for (const [claim, why] of projection.residual) {
      issues.push(
        error(
          "claim_not_expressible",
          [...selector.path, claim],
          `Azure federated credentials match only the exact sub, and ${why}; change the selector so sub decides it, or leave Azure out of this identity`,
        ),
      );
    }
    const open = projection.subjects.filter((s) => !s.literal);
    if (open.length) {
      issues.push(
        error(
          "pattern_not_expressible",
          selector.path,
          `Azure federated credentials need exact subjects, but this selector accepts sub values such as ${quote(open[0]!.text)}; pin every claim in it to exact values (oneOf lists several), since Azure has no wildcards`,
        ),
      );
    }
    if (projection.residual.size || open.length) continue;
    for (const s of projection.subjects)
      if (!subjects.has(s.text)) subjects.set(s.text, selector.path);
  }
  const credentials = [...subjects.keys()].sort().map((subject) => ({
    name: credentialName(subject, issuer.url, audience),
    issuer: issuer.url,
    subject,
    audience,
  }));
  if (credentials.length > MAX_CREDENTIALS) {
    issues.push(
      error(
        "azure_too_many_credentials",
        [...identity.path, "subjects"],
        `this identity needs ${count(credentials.length, "federated credential")} (one per exact subject) and Azure allows ${MAX_CREDENTIALS} per identity; split it into several identities`,
      ),
    );
  }
  for (const [field, value, path] of [
    ["issuer", issuer.url, ["issuers", identity.issuerName, "url"]],
    ["audience", audience, audiencePath],
    ...[...subjects].map(([subject, at]) => ["subject", subject, at] as const),
  ] as const) {
    if (value.length > MAX_FIELD) {
      issues.push(
        error(
          "azure_value_too_long",
          path,
          `Azure allows ${MAX_FIELD} characters in a credential's ${field}, and this one has ${value.length}: ${quote(value)}`,
        ),
      );
    }
  }
  return { credentials, issues };
}

/** Readable, valid (`[A-Za-z0-9][A-Za-z0-9_-]{2,119}`) and stable: the same subject keeps its name. */
function credentialName(subject: string, issuer: string, audience: string): string {
  const hash = shortHash(`${issuer}\n${subject}\n${audience}`);
  const head = fitName(slug(subject) || "subject", 110);
  return `${head}-${hash}`.replace(/^[^A-Za-z0-9]+/, "");
}
