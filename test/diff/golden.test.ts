import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { diff } from "../../lib";
import { formatDiff } from "../../lib/cli/diff-format";
import { diffMarkdown } from "../../lib/cli/diff-markdown";
import { golden } from "../support/golden";

type Json = Record<string, unknown>;
interface Doc {
  identities: { name: string; subjects: Json[]; grants: Json[] }[];
}

const ROOT = join(__dirname, "..", "..");

/** The identity of the document named `name`. */
const named = (doc: Doc, name: string) => {
  const found = doc.identities.find((i) => i.name === name);
  assert.ok(found, name);
  return found;
};

/** A pull request's change to each example, as a reviewer would get it. */
const EDITS: Readonly<Record<string, (doc: Doc) => void>> = {
  // a dev environment for the API, and Cloud Run's invoker role; any tag may now release
  platform(doc) {
    const deploy = named(doc, "api-deploy");
    deploy.subjects[1]!.environment = { oneOf: ["staging", "qa", "dev"] };
    (deploy.grants[2]!.roles as string[]).push("roles/run.invoker");
    named(doc, "api-release").subjects[0]!.ref = { pattern: "refs/tags/*" };
  },
  // the service account renamed, and its role with it
  "eks-service-account"(doc) {
    const api = named(doc, "payments-api");
    api.subjects[0]!.sub = "system:serviceaccount:payments:api-v2";
    api.grants[0]!.roleName = "payments-api-v2";
  },
  // the apply job may now run in an environment too
  "github-pull-requests"(doc) {
    delete named(doc, "infra-apply").subjects[0]!.environment;
  },
  // only v2 tags deploy; internal-tools renamed
  gitlab(doc) {
    named(doc, "shop-deploy").subjects[1]!.ref = "v2";
    named(doc, "internal-tools").name = "release-tools";
  },
  // the stack's deployments may now destroy it
  "pulumi-cloud"(doc) {
    named(doc, "platform-stack").subjects[0]!.operation = {
      oneOf: ["preview", "update", "refresh", "destroy"],
    };
  },
  // network-apply's Azure role down to one resource group; plans read less in AWS
  "terraform-cloud"(doc) {
    const scope = "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/network";
    named(doc, "network-apply").grants[1]!.roles = [{ role: "Network Contributor", scope }];
    named(doc, "network-plan").grants[0]!.managedPolicyArns = [
      "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    ];
  },
};

/**
 * The diff of each example and a change to it (`EDITS`) as `trustplane diff` prints it for a
 * terminal and as a pull request comment, kept as golden text. Proves the reports are stable and
 * reviewed; does NOT prove them right beyond what test/diff/diff.test.ts and the properties check.
 */
describe("diff: the examples, changed", () => {
  const examples = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".yaml"));

  it("has an edit for every example", () => {
    assert.deepEqual(
      examples.map((f) => f.replace(/\.yaml$/, "")),
      Object.keys(EDITS).sort(),
    );
  });

  for (const file of examples) {
    const name = file.replace(/\.yaml$/, "");
    it(name, () => {
      const base = parse(readFileSync(join(ROOT, "examples", file), "utf8")) as Doc;
      const head = structuredClone(base);
      EDITS[name]!(head);
      const result = diff(base, head);
      assert.ok(result.diff, JSON.stringify(result.issues.head));
      const report = { base: `examples/${file}`, head: `${name}.yaml (edited)`, diff: result.diff };
      golden(`diff/${name}.txt`, `${formatDiff(report)}\n`);
      golden(`diff/${name}.md`, `${diffMarkdown(report)}\n`);
    });
  }
});
