import { error, quote } from "../../errors";
import type { GcpHandoff } from "./handoff";
import { gcpHandoff } from "./handoff";
import type { CloudBackend } from "../backend";
import type * as Evaluate from "./evaluate";
import { optionKeys } from "../backend";
import { gcpGrantOptions } from "./options";
import { rows } from "../rows";
import { gcpGrant } from "./grant";
import { poolIdIssues } from "./names";

/** GCP: a workload identity pool provider per identity, and the bindings of its principal set. */
export const gcpBackend: CloudBackend<"gcp", GcpHandoff> = {
  handoff: gcpHandoff,
  grantKeys: ["roles", ...optionKeys(gcpGrantOptions)],
  targetIssues: (target, path) => poolIdIssues(target.poolId, [...path, "poolId"]),
  optionIssues: (options, path) =>
    (options.roles ?? []).flatMap((role, i) =>
      typeof role === "string"
        ? []
        : [
            error(
              "grant_option_mismatch",
              [...path, "roles", i],
              `gcp roles are role names such as roles/run.admin, got an object with scope ${quote(role.scope)}`,
            ),
          ],
    ),
  grant: gcpGrant,
  share: (grants) => ({ plans: grants.map((g) => g.plan), issues: [] }),
  uniqueNames: ({ artefacts: a }) => [
    {
      key: `gcp provider ${a.providerName}`,
      option: "providerId",
      what: `the provider ID ${quote(a.providerId)} in pool ${a.poolId}`,
    },
    ...(a.serviceAccountEmail
      ? [
          {
            key: `gcp sa ${a.serviceAccountEmail}`,
            option: "serviceAccountId",
            what: `the service account ${quote(a.serviceAccountEmail)}`,
          },
        ]
      : []),
  ],
  evaluate: (_, { artefacts }, claims, audiences) =>
    evaluator().evaluateProvider(artefacts, claims, audiences),
  // the provider's condition tests claims, not sub: there is no sub pattern to fill
  subPatterns: () => [],
  describe: ({ artefacts: a }) =>
    rows([
      ["provider", a.providerName],
      ["condition", a.attributeCondition],
      ["subject", `google.subject = ${a.attributeMapping["google.subject"]}`],
      ["principal", a.principals.join(", ")],
      ["account", a.serviceAccountEmail],
      ["roles", a.projectBindings.map((b) => b.role).join(", ") || undefined],
    ]),
};

let loaded: typeof Evaluate | undefined;

/** The CEL evaluator, loaded on the first decision: compiling and deploying never load CEL. */
function evaluator(): typeof Evaluate {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point is to load on demand
  return (loaded ??= require("./evaluate") as typeof Evaluate);
}
