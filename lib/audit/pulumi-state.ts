import { bare, isRecord, own } from "../internal/own";

/**
 * The resources of a Pulumi stack's state, read from `pulumi stack export` output (or the
 * checkpoint file a self-managed backend keeps): every custom resource of the stack, whoever
 * declared it, with the outputs its provider returned, that is what is deployed.
 *
 * @see https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_export/
 * @see https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/deployments.json
 * @see https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/resources.json
 * @see https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/property-values.json
 */

/** One custom resource of a stack's state. Its outputs are read with `stateOutputs`. */
export interface StateResource {
  readonly urn: string;
  /** The type token, `package:module:Type` (`pkg:iam/role:Role`). */
  readonly type: string;
  readonly id?: string;
  /** The provider reference (`URN::ID`): tells apart accounts or projects of one stack. */
  readonly provider?: string;
  /** The outputs as the export holds them (secrets still wrapped). */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** The file it was read from. */
  readonly source: string;
}

/** The deployment schema version `pulumi stack export` writes, the only one read. */
const VERSION = 3;
/** What a file must be, for messages. */
export const STATE_EXPECTED = `pulumi stack export output ({"version": ${VERSION}, "deployment": {"resources": [...]}})`;

/** The key of special property values, and the signatures of the ones decoded (property-values.json). */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const INTEGER = "7eb310220ed6211bd6f147f2a75bfbb6";
/** Nesting beyond this in an output trustplane reads is refused rather than walked. */
const MAX_DEPTH = 64;

/** The package of a type token: `aws` of `aws:iam/role:Role`. */
export function packageOf(type: string): string {
  return type.split(":")[0]!;
}

/**
 * The custom resources of one stack export (already parsed JSON, with its file's name), or the
 * problem that stops reading it, naming the file and what was expected. Resources whose
 * delete-before-replace left them deleted (`pendingReplacement`) are not deployed and are left
 * out; resources awaiting deletion (`delete`) still exist and are kept. Never throws.
 */
export function readStackExport(
  source: string,
  json: unknown,
): { resources: StateResource[] } | { problem: string } {
  const checkpoint = isRecord(json) ? own(json, "checkpoint") : undefined;
  const deployment = isRecord(json)
    ? // the self-managed backend's file holds the same deployment as checkpoint.latest
      (own(json, "deployment") ?? (isRecord(checkpoint) ? own(checkpoint, "latest") : undefined))
    : undefined;
  if (!isRecord(json) || !isRecord(deployment))
    return { problem: `${source} is not a Pulumi stack export: expected ${STATE_EXPECTED}` };
  const version = own(json, "version");
  if (version !== VERSION)
    return {
      problem: `${source} is a Pulumi deployment of version ${JSON.stringify(version)}: expected ${STATE_EXPECTED} (run pulumi stack export with a current Pulumi CLI)`,
    };
  const list = own(deployment, "resources") ?? [];
  if (!Array.isArray(list))
    return { problem: `${source}: deployment.resources is not a list: expected ${STATE_EXPECTED}` };
  const resources: StateResource[] = [];
  for (const [i, entry] of list.entries()) {
    const urn = isRecord(entry) ? own(entry, "urn") : undefined;
    const type = isRecord(entry) ? own(entry, "type") : undefined;
    if (!isRecord(entry) || typeof urn !== "string" || typeof type !== "string")
      return { problem: `${source}: deployment.resources[${i}] has no urn or type` };
    if (own(entry, "custom") !== true || own(entry, "pendingReplacement") === true) continue;
    const outputs = own(entry, "outputs") ?? {};
    if (!isRecord(outputs))
      return { problem: `${source}: the outputs of ${urn} are not an object` };
    const id = own(entry, "id");
    const provider = own(entry, "provider");
    resources.push({
      urn,
      type,
      ...(typeof id === "string" && id !== "" ? { id } : {}),
      ...(typeof provider === "string" ? { provider } : {}),
      outputs,
      source,
    });
  }
  return { resources };
}

/**
 * The named outputs of a resource, decoded: secrets the export shows (`--show-secrets`) become
 * their values, integers their numbers. An output held encrypted, whose plaintext is not JSON
 * or that nests absurdly deep is a problem naming the resource and the output; other outputs
 * are never looked at, so a stack's unrelated secrets do not matter. Absent outputs are absent
 * from the result.
 */
export function stateOutputs(
  resource: StateResource,
  names: readonly string[],
): { outputs: Record<string, unknown> } | { problem: string } {
  const outputs = bare<unknown>();
  for (const name of names) {
    const raw = own(resource.outputs, name);
    if (raw === undefined) continue;
    try {
      outputs[name] = decoded(raw, 0);
    } catch (e) {
      if (!(e instanceof Unreadable)) throw e;
      return { problem: `${resource.source}: output ${name} of ${resource.urn} ${e.message}` };
    }
  }
  return { outputs };
}

/** Why a value cannot be read; thrown from deep inside it, caught for its output. */
class Unreadable extends Error {}

/** A property value without its wrappers; throws Unreadable when a part of it cannot be read. */
function decoded(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new Unreadable(`nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => decoded(v, depth + 1));
  if (!isRecord(value)) return value;
  const sig = own(value, SIG);
  if (sig === SECRET) {
    const plaintext = own(value, "plaintext");
    if (typeof plaintext !== "string")
      throw new Unreadable(
        "is a secret the export holds encrypted: export with pulumi stack export --show-secrets",
      );
    let parsed: unknown;
    try {
      // the plaintext is the secret's value, JSON-serialized
      parsed = JSON.parse(plaintext);
    } catch {
      throw new Unreadable("is a secret whose plaintext is not JSON");
    }
    return decoded(parsed, depth + 1);
  }
  if (sig === INTEGER) return Number(own(value, "value"));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decoded(v, depth + 1)]));
}
