import { projectSubject } from "../../claims/subject";
import type { Issue } from "../../errors";
import { error, quote } from "../../errors";
import type { GrantIR, IdentityIR } from "../../ir/types";
import type { TargetOf } from "../cloud";
import { MAX_SUBJECT_BYTES, gcpIdProblem, providerAudience } from "./names";
import { fitName } from "../../internal/names";
import type { PlanResource } from "../../plan/resource";
import { repeats } from "../repeats";
import { celString, claimRef, conditionCel, hasClaim } from "./cel";
import { GCP_LIMITS } from "./limits";

/** Pulumi type tokens of what a GCP grant creates. */
export const GCP_TYPES = {
  pool: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
  provider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  serviceAccount: "gcp:serviceaccount/account:Account",
  serviceAccountMember: "gcp:serviceaccount/iAMMember:IAMMember",
  projectMember: "gcp:projects/iAMMember:IAMMember",
} as const;

/** The mapped attribute that names the identity whose provider admitted a token. */
export const IDENTITY_ATTRIBUTE = "trustplane_identity";
const MAX_CONDITION = GCP_LIMITS.conditionLength;

export interface ProjectBinding {
  readonly role: string;
  readonly member: string;
}

export interface GcpArtefacts {
  readonly poolId: string;
  readonly providerId: string;
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>` */
  readonly providerName: string;
  readonly issuerUri: string;
  readonly allowedAudiences: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition: string;
  /** The principals bound: to `roles/iam.workloadIdentityUser` on the service account, or to the roles directly. */
  readonly principals: readonly string[];
  readonly mode: "impersonate" | "direct";
  readonly serviceAccountId?: string;
  readonly serviceAccountEmail?: string;
  readonly projectBindings: readonly ProjectBinding[];
}

/**
 * The workload identity pool provider (one per identity, so its attribute condition holds
 * exactly the identity's selectors), the principal set of the tokens it admits, and the
 * bindings of that principal.
 *
 * @see https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines
 */
export function gcpGrant(
  identity: IdentityIR,
  grant: GrantIR<TargetOf<"gcp">>,
): { audience: string; artefacts: GcpArtefacts; resources: PlanResource[]; issues: Issue[] } {
  const { target, options } = grant;
  const issues: Issue[] = [];
  // "gcp-" is reserved, so a default provider ID never starts with it
  const providerId =
    options.providerId ?? defaultId(identity.name.replace(/^gcp-/, "wif-gcp-"), 4, 32);
  const idProblem = gcpIdProblem(providerId);
  if (idProblem) {
    issues.push(
      error(
        "invalid_name",
        [...grant.path, "providerId"],
        `the provider ID ${quote(providerId)} is not valid: ${idProblem}`,
      ),
    );
  }
  const poolName = `projects/${target.projectNumber}/locations/global/workloadIdentityPools/${target.poolId}`;
  const providerName = `${poolName}/providers/${providerId}`;
  const audience =
    options.audience ??
    identity.issuer.audiences.gcp ??
    providerAudience(providerName, identity.issuer.gcpAudienceHttps);

  const attributeCondition = conditionCel(identity.selectors.map((s) => s.claims));
  if (attributeCondition.length > MAX_CONDITION) {
    issues.push(
      error(
        "gcp_condition_too_long",
        [...identity.path, "subjects"],
        `the attribute condition is ${attributeCondition.length} characters and GCP allows ${MAX_CONDITION}; use fewer or shorter values, or split the identity`,
      ),
    );
  }
  const principal = `principalSet://iam.googleapis.com/${poolName}/attribute.${IDENTITY_ATTRIBUTE}/${identity.name}`;
  const mode = options.mode ?? "impersonate";
  const listed = (options.roles ?? []).flatMap((role, i) =>
    typeof role === "string" ? [{ role, path: [...grant.path, "roles", i] }] : [],
  );
  const roles = listed.map(({ role }) => role);
  issues.push(
    ...repeats(
      listed.map(({ role, path }) => ({ key: role, path, label: quote(role) })),
      "list each role once",
    ),
  );
  listed.forEach(({ role, path }) => {
    if (
      !/^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/.test(role)
    ) {
      issues.push(
        error(
          "invalid_value",
          path,
          `${quote(role)} is not a GCP role; use roles/<service>.<role> or projects/<id>/roles/<custom>`,
        ),
      );
    }
  });
  const serviceAccountId =
    mode === "impersonate"
      ? (options.serviceAccountId ?? defaultId(identity.name, 6, 30))
      : undefined;
  if (serviceAccountId !== undefined && !GCP_LIMITS.serviceAccountId.test(serviceAccountId)) {
    issues.push(
      error(
        "invalid_name",
        [...grant.path, "serviceAccountId"],
        `the service account ID ${quote(serviceAccountId)} is not valid: use 6-30 lowercase letters, digits and dashes, starting with a letter`,
      ),
    );
  }
  const serviceAccountEmail =
    serviceAccountId && `${serviceAccountId}@${target.projectId}.iam.gserviceaccount.com`;
  const member = serviceAccountEmail ? `serviceAccount:${serviceAccountEmail}` : principal;
  const projectBindings = roles.map((role) => ({ role, member }));

  const base = `${identity.name}/${target.name}`;
  const resources: PlanResource[] = [
    { type: GCP_TYPES.pool, name: `pool/${target.projectId}/${target.poolId}`, shared: true },
    { type: GCP_TYPES.provider, name: base },
    ...(serviceAccountEmail
      ? [
          { type: GCP_TYPES.serviceAccount, name: base },
          { type: GCP_TYPES.serviceAccountMember, name: `${base}/workload-identity-user` },
        ]
      : []),
    ...roles.map((role) => ({ type: GCP_TYPES.projectMember, name: `${base}/${role}` })),
  ];
  return {
    audience,
    issues,
    resources,
    artefacts: {
      poolId: target.poolId,
      providerId,
      providerName,
      issuerUri: identity.issuer.url,
      allowedAudiences: [audience],
      attributeMapping: {
        "google.subject": subjectMapping(identity),
        [`attribute.${IDENTITY_ATTRIBUTE}`]: celString(identity.name),
      },
      attributeCondition,
      principals: [principal],
      mode,
      ...(serviceAccountId && serviceAccountEmail ? { serviceAccountId, serviceAccountEmail } : {}),
      projectBindings,
    },
  };
}

/**
 * `assertion.sub` when every admitted token's sub is known to fit GCP's 127-byte limit on
 * google.subject; otherwise longer subjects map to the issuer's short run identifier (when the
 * token carries it as short strings) or to a constant, so the exchange never fails on length.
 */
function subjectMapping(identity: IdentityIR): string {
  const { issuer } = identity;
  const longest = Math.max(
    ...identity.selectors.flatMap((s) => {
      const projection = projectSubject(s.claims, issuer);
      return projection.subjects.map((g) =>
        g.literal ? Buffer.byteLength(g.text, "utf8") : Infinity,
      );
    }),
  );
  if (longest <= MAX_SUBJECT_BYTES) return "assertion.sub";
  const constant = celString(`trustplane:${identity.name}`);
  const claims = issuer.shortSubject ?? [];
  const fallback = claims.length
    ? `(${shortGuard(claims)} ? ${shortForm(claims)} : ${constant})`
    : constant;
  return `bytes(assertion.sub).size() <= ${MAX_SUBJECT_BYTES} ? assertion.sub : ${fallback}`;
}

/** `'k1:' + assertion.k1 + ':k2:' + assertion.k2`. */
function shortForm(claims: readonly string[]): string {
  return claims.map((c, i) => `'${i ? ":" : ""}${c}:' + ${claimRef(c)}`).join(" + ");
}

/** The claims are there, are strings, and make a short enough subject. */
function shortGuard(claims: readonly string[]): string {
  const present = claims.map((c) => `${hasClaim(c)} && type(${claimRef(c)}) == string`);
  return [...present, `bytes(${shortForm(claims)}).size() <= ${MAX_SUBJECT_BYTES}`].join(" && ");
}

/** The identity's name, fitted to a GCP ID's length limits. */
function defaultId(name: string, min: number, max: number): string {
  const id = fitName(name.length < min ? `${name}-workload` : name, max);
  // "gcp-" is reserved for Google's own IDs
  return id.startsWith("gcp-") ? fitName(`wif-${id}`, max) : id;
}
