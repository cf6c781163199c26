import { literalPrefix } from "./glob";
import type { OwnerPath } from "./issuer";
import type { Matcher } from "./matcher";
import { finiteValues, matches } from "./matcher";

/** The owner part of a path value: what precedes its first (or last) '/'; undefined without one. */
export function ownerOf(path: string, split: OwnerPath["split"]): string | undefined {
  const at = split === "first" ? path.indexOf("/") : path.lastIndexOf("/");
  return at === -1 ? undefined : path.slice(0, at);
}

/**
 * Whether some path the matcher accepts can have `owner` as its owner part. True when unsure: a
 * pattern is judged by its literal prefix alone.
 */
export function ownerFits(owner: string, path: Matcher, split: OwnerPath["split"]): boolean {
  if (path.kind === "absent") return true;
  if (path.kind !== "pattern") return finiteValues(path)!.some((v) => ownerOf(v, split) === owner);
  const lead = `${owner}/`;
  const prefix = literalPrefix(path.pattern);
  if (lead.startsWith(prefix)) return true;
  if (!prefix.startsWith(lead)) return false;
  // past the owner, a '/' in the prefix makes a longer namespace the owner of the last '/'
  return split === "first" || !prefix.slice(lead.length).includes("/");
}

/** Whether a path value's owner part is one the owner matcher accepts (true without a '/'). */
export function pathFits(path: string, owner: Matcher, split: OwnerPath["split"]): boolean {
  const o = ownerOf(path, split);
  return o === undefined || owner.kind === "absent" || matches(owner, o);
}

/** Whether some token can carry both matchers' values; true when unsure (two patterns). */
export function ownerAndPathAgree(
  owner: Matcher,
  path: Matcher,
  split: OwnerPath["split"],
): boolean {
  if (owner.kind === "absent" || path.kind === "absent") return true;
  if (path.kind !== "pattern") return finiteValues(path)!.some((v) => pathFits(v, owner, split));
  const owners = finiteValues(owner);
  return !owners || owners.some((o) => ownerFits(o, path, split));
}
