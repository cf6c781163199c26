import { quote } from "../../errors";
import type { TokenClaims } from "../../inspect/token-claims";
import { claimString, describeAudiences, describeClaim } from "../../inspect/token-claims";
import type { Verdict } from "../../inspect/verdict";
import { deny } from "../../inspect/verdict";
import type { IdentityIR } from "../../ir/types";
import type { AwsHandoff } from "./handoff";
import { awsHandoff } from "./handoff";
import type { CloudBackend, GrantPlanOf } from "../backend";
import { optionKeys } from "../backend";
import { awsGrantOptions } from "./options";
import { rows } from "../rows";
import { evaluateTrustPolicy, stsRequest } from "./evaluate";
import { awsGrant } from "./grant";
import { arnParts } from "./names";
import { shareProviders } from "./providers";
import type { TrustStatement } from "./trust-policy";

/** AWS: an IAM role per identity and account, trusting the account's OIDC provider of the issuer. */
export const awsBackend: CloudBackend<"aws", AwsHandoff> = {
  handoff: awsHandoff,
  grantKeys: optionKeys(awsGrantOptions),
  targetIssues: () => [],
  optionIssues: () => [],
  grant: awsGrant,
  share: shareProviders,
  uniqueNames: ({ artefacts: a }) => {
    const { accountId } = arnParts(a.roleArn);
    return [
      {
        // IAM role names are unique per account, whatever their case
        key: `aws ${accountId} ${a.roleName.toLowerCase()}`,
        option: "roleName",
        what: `the role name ${quote(a.roleName)} in account ${accountId}`,
      },
    ];
  },
  evaluate: evaluateRole,
  subPatterns: (a) =>
    a.trustPolicy.Statement.flatMap((s) =>
      Object.values(s.Condition).flatMap((keys) =>
        Object.entries(keys ?? {}).flatMap(([key, values]) =>
          key.endsWith(":sub") ? ([] as string[]).concat(values) : [],
        ),
      ),
    ),
  describe: ({ artefacts: a }) => [
    ...rows([
      ["role", `${a.roleArn}  (sessions up to ${a.maxSessionDuration} s)`],
      ["provider", `${a.providerArn}  (client IDs: ${a.clientIds.join(", ")})`],
      [
        "policies",
        [...a.managedPolicyArns, ...Object.keys(a.inlinePolicies).map((n) => `inline ${n}`)].join(
          ", ",
        ),
      ],
      ["boundary", a.permissionsBoundary],
    ]),
    ...a.trustPolicy.Statement.flatMap((s, i) => statementLines(s, i)),
  ],
};

/** STS's decision: the provider must list an audience of the token, then the trust policy. */
function evaluateRole(
  identity: IdentityIR,
  { artefacts: a }: GrantPlanOf<"aws">,
  claims: TokenClaims,
  audiences: readonly string[],
): Verdict {
  const accepted = audiences.filter((aud) => a.clientIds.includes(aud));
  if (accepted.length === 0) {
    return deny(
      `aud ${describeAudiences(audiences)} is not a client ID of the OIDC provider (${a.clientIds.join(", ")})`,
    );
  }
  const iss = claimString(claims, "iss");
  if (iss === undefined) {
    return deny(
      `the token's iss is ${describeClaim(claims, "iss")}, so STS finds no OIDC provider for it`,
    );
  }
  const account = arnParts(a.roleArn);
  const verdicts = accepted.map((aud) =>
    evaluateTrustPolicy(a.trustPolicy, stsRequest(identity.issuer, iss, claims, aud, account)),
  );
  return verdicts.find((v) => v.allowed) ?? verdicts[0]!;
}

function statementLines(s: TrustStatement, index: number): string[] {
  const parts = Object.entries(s.Condition).flatMap(([op, keys]) =>
    Object.entries(keys ?? {}).map(([key, v]) => {
      const claim = key.slice(key.lastIndexOf(":") + 1);
      const values = Array.isArray(v) ? (v as string[]) : [v as string];
      return `${claim} ${op === "StringEquals" ? "=" : op === "StringLike" ? "like" : "null ="} ${values.join(" | ")}`;
    }),
  );
  return [`      ${(index ? "or" : "trust").padEnd(12)}${parts.join("\n                  and ")}`];
}
