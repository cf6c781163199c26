import type { Issue } from "../errors";
import { error, formatPath } from "../errors";
import { plainData } from "../intent/plain";
import { isRecord, own } from "../internal/own";

/** Values the stacks reported after `pulumi up`: identity → target → output name → value. */
export class StackValues {
  private readonly values = new Map<string, string>();

  /** The value of one output, if a stack reported it. */
  get(identity: string, target: string, output: string): string | undefined {
    return this.values.get(key(identity, target, output));
  }

  /**
   * Adds the outputs of one stack: the JSON of `pulumi stack output --json` whose `summary` (or
   * `identities`) is TrustPlane's, or that object itself. Two stacks reporting different values
   * for one output is an issue.
   */
  add(json: unknown, source: string): Issue[] {
    // what reaches the written files is plain JSON text, as the intent's own values are
    const plain = plainData(json);
    if (plain.issues.length)
      return plain.issues.map((i) => ({
        ...i,
        message: `${source}${i.path.length ? ` at ${formatPath(i.path)}` : ""}: ${i.message}`,
      }));
    const issues: Issue[] = [];
    const found = identitiesOf(plain.data);
    if (!found) {
      return [
        error(
          "invalid_value",
          [],
          `${source} holds no TrustPlane outputs: pass the JSON of \`pulumi stack output --json\` of a stack that exports the TrustPlane's summary (or identities)`,
        ),
      ];
    }
    for (const [identity, targets] of Object.entries(found)) {
      for (const [target, outputs] of Object.entries(targets)) {
        for (const [output, value] of Object.entries(outputs)) {
          if (typeof value !== "string") continue;
          const rule = own(OUTPUT_RULES, output);
          if (rule && !rule.test.test(value)) {
            issues.push(
              error(
                "invalid_value",
                [identity, target, output],
                `${source} reports ${output} ${JSON.stringify(value)} for ${identity} in ${target}, which is not ${rule.words}: pass the outputs of the stack that deployed it`,
              ),
            );
            continue;
          }
          const k = key(identity, target, output);
          const known = this.values.get(k);
          if (known !== undefined && known !== value) {
            issues.push(
              error(
                "invalid_value",
                [identity, target, output],
                `${source} reports ${output} ${JSON.stringify(value)} for ${identity} in ${target}, another outputs file ${JSON.stringify(known)}; pass the outputs of one deployment`,
              ),
            );
          }
          this.values.set(k, value);
        }
      }
    }
    return issues;
  }
}

const GUID = {
  test: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  words: "a GUID",
};

/** What the outputs the hand-off writes into files look like: anything else is refused. */
const OUTPUT_RULES: Readonly<Record<string, { test: RegExp; words: string }>> = {
  clientId: GUID,
  principalId: GUID,
  tenantId: GUID,
  subscriptionId: GUID,
  roleArn: { test: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, words: "a role ARN" },
  serviceAccountEmail: {
    test: /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
    words: "a service account e-mail",
  },
  workloadIdentityProvider: {
    test: /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/,
    words: "a workload identity provider name",
  },
};

const key = (identity: string, target: string, output: string) =>
  JSON.stringify([identity, target, output]);

type Outputs = Record<string, Record<string, Record<string, unknown>>>;

/** identity → target → outputs, from either of TrustPlane's output shapes, at the top or one level down. */
function identitiesOf(json: unknown): Outputs | undefined {
  if (!isRecord(json)) return undefined;
  const candidates = [json, ...Object.values(json).filter(isRecord)];
  for (const c of candidates) {
    const identities = c.identities;
    if (!isRecord(identities)) continue;
    const out: Outputs = {};
    for (const [name, entry] of Object.entries(identities)) {
      if (!isRecord(entry)) continue;
      // the summary nests targets under `grants`; the identities output does not
      const targets = isRecord(entry.grants) ? entry.grants : entry;
      out[name] = Object.fromEntries(
        Object.entries(targets).filter((t): t is [string, Record<string, unknown>] =>
          isRecord(t[1]),
        ),
      );
    }
    return out;
  }
  return undefined;
}
