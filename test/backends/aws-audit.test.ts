import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Finding } from "../../lib/audit/finding";
import { auditAws } from "../../lib/backends/aws/audit";
import type { AwsDeployment, DeployedRole } from "../../lib/backends/aws/deployed";
import { compileDocument } from "../../lib/compile";
import { intentAccepts } from "../../lib/inspect/token-claims";
import type { Plan } from "../../lib/plan/types";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const compiled = (file: string) =>
  compileDocument(parse(readFileSync(join(EXAMPLES, file), "utf8")) as unknown);
const { plan, ir } = compiled("platform.yaml");
const awsGrantsOf = (p: Plan) =>
  p.identities.flatMap((i) =>
    i.grants.flatMap((g) => (g.cloud === "aws" ? [{ identity: i.name, grant: g }] : [])),
  );
const awsGrants = awsGrantsOf(plan!);

/** What `pulumi up` of the plan deployed, as the AWS CLI files would show it. */
function faithful(of: Plan = plan!): AwsDeployment {
  const grants = awsGrantsOf(of);
  const roles: DeployedRole[] = grants.map(({ grant: { artefacts: a } }) => ({
    arn: a.roleArn,
    name: a.roleName,
    path: a.rolePath,
    trustPolicy: structuredClone(a.trustPolicy) as unknown as Record<string, unknown>,
    managedPolicyArns: [...a.managedPolicyArns],
    inlinePolicies: structuredClone(a.inlinePolicies),
    ...(a.permissionsBoundary ? { permissionsBoundary: a.permissionsBoundary } : {}),
    sources: ["export"],
  }));
  const providers = new Map(
    grants.map(({ grant: { artefacts: a } }) => [
      a.providerArn,
      { arn: a.providerArn, url: a.providerUrl, clientIds: [...a.clientIds], sources: ["export"] },
    ]),
  );
  return { roles, providers: [...providers.values()] };
}

const apiDeploy = awsGrants.find((g) => g.identity === "api-deploy")!.grant;
const ROLE = apiDeploy.artefacts.roleArn;

/** The deployment with api-deploy's role changed by `change`. */
function tampered(
  change: (role: { -readonly [K in keyof DeployedRole]: DeployedRole[K] }) => void,
): AwsDeployment {
  const d = faithful();
  change(d.roles.find((r) => r.arn === ROLE)!);
  return d;
}

const kinds = (findings: readonly Finding[]) => findings.map((f) => `${f.kind} ${f.resource}`);

/** The sub condition of the api-deploy role's first statement. */
function subCondition(role: DeployedRole): Record<string, Record<string, unknown>> {
  return (
    role.trustPolicy as { Statement: { Condition: Record<string, Record<string, unknown>> }[] }
  ).Statement[0]!.Condition;
}

/**
 * `audit` on AWS (issue 13, part 2: the comparison, library only). Proves, on the platform
 * example, that a faithful deployment has no finding and that each tampering gives its finding
 * (an over-grant's token is one the intent refuses). Does NOT cover Azure and GCP, the CLI, or
 * AWS's own reading of operators it does not evaluate (those are reported as risky, undecided).
 */
describe("audit: AWS deployed trust against the intent", () => {
  const sub = "token.actions.githubusercontent.com:sub";

  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"))) {
    it(`finds nothing in a deployment of ${file}'s compiled plan`, () => {
      const c = compiled(file);
      assert.deepEqual(auditAws(c.ir!, c.plan!, faithful(c.plan)), []);
    });
  }

  it("reports a widened sub as an over-grant, with a token the intent refuses", () => {
    const d = tampered((role) => {
      const c = subCondition(role);
      delete c.StringEquals![sub];
      c.StringLike = { [sub]: "repo:acme/*" };
    });
    const found = auditAws(ir!, plan!, d).filter((f) => f.kind === "over-grant");
    assert.ok(found.length > 0);
    const identity = ir!.identities.find((i) => i.name === "api-deploy")!;
    for (const f of found) {
      assert.equal(f.resource, ROLE);
      assert.equal(intentAccepts(identity, f.token!), false, JSON.stringify(f.token));
    }
  });

  it("reports a dropped sub value as an under-grant", () => {
    const d = tampered((role) => {
      const values = subCondition(role).StringEquals![sub] as string[];
      subCondition(role).StringEquals![sub] = values.slice(1);
    });
    const found = auditAws(ir!, plan!, d);
    assert.ok(found.some((f) => f.kind === "under-grant" && f.resource === ROLE));
    assert.ok(found.every((f) => f.kind === "under-grant"));
  });

  it("reports extra and missing policies as permissions", () => {
    const d = tampered((role) => {
      role.managedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"];
    });
    assert.deepEqual(
      auditAws(ir!, plan!, d).map((f) => f.message),
      [
        `${ROLE}: managed policies the grant does not attach: arn:aws:iam::aws:policy/AdministratorAccess`,
        `${ROLE}: managed policies of the grant not attached: arn:aws:iam::aws:policy/ReadOnlyAccess`,
      ],
    );
  });

  it("reports a role or provider that is not deployed as missing", () => {
    const d = faithful();
    const withoutRole = { ...d, roles: d.roles.filter((r) => r.arn !== ROLE) };
    assert.deepEqual(kinds(auditAws(ir!, plan!, withoutRole)), [`missing ${ROLE}`]);
    const withoutProviders = { ...d, providers: [] };
    assert.ok(
      auditAws(ir!, plan!, withoutProviders).every(
        (f) => f.kind === "missing" && f.resource.includes(":oidc-provider/"),
      ),
    );
  });

  it("reports a role trusting a declared issuer that no identity plans as unmanaged", () => {
    const d = faithful();
    const shadow: DeployedRole = {
      ...d.roles[0]!,
      arn: "arn:aws:iam::111111111111:role/old-deployer",
      name: "old-deployer",
      sources: ["export"],
    };
    assert.deepEqual(kinds(auditAws(ir!, plan!, { ...d, roles: [...d.roles, shadow] })), [
      "unmanaged arn:aws:iam::111111111111:role/old-deployer",
    ]);
  });

  it("reports a role trusting a shared issuer without a sub or aud condition as risky, intent or not", () => {
    const d = faithful();
    const open: DeployedRole = {
      ...d.roles[0]!,
      arn: "arn:aws:iam::111111111111:role/any-repo",
      name: "any-repo",
      trustPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: apiDeploy.artefacts.providerArn },
            Action: "sts:AssumeRoleWithWebIdentity",
          },
        ],
      },
      sources: ["export"],
    };
    const found = auditAws(ir!, plan!, { ...d, roles: [...d.roles, open] });
    assert.deepEqual(kinds(found), [
      "unmanaged arn:aws:iam::111111111111:role/any-repo",
      "risky arn:aws:iam::111111111111:role/any-repo",
    ]);
    assert.equal(
      found[1]!.message,
      "role arn:aws:iam::111111111111:role/any-repo trusts GitHub Actions (token.actions.githubusercontent.com) without a condition on aud or sub: every customer of the shared issuer can assume it",
    );
  });

  it("reports a sub wildcard before the owner on a shared issuer as risky, intent or not", () => {
    const d = faithful();
    const prefix: DeployedRole = {
      ...d.roles[0]!,
      arn: "arn:aws:iam::111111111111:role/acme-prefix",
      name: "acme-prefix",
      trustPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: apiDeploy.artefacts.providerArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
              // acme* also matches acme-evil/…; acme/* would name the owner
              StringLike: { [sub]: ["repo:acme*", "repo:acme/*"] },
            },
          },
        ],
      },
      sources: ["export"],
    };
    const found = auditAws(ir!, plan!, { ...d, roles: [...d.roles, prefix] });
    assert.deepEqual(
      found.filter((f) => f.kind === "risky").map((f) => f.message),
      [
        'role arn:aws:iam::111111111111:role/acme-prefix matches sub "repo:acme*" on GitHub Actions, a shared issuer: its wildcard comes before the owner is named, so other customers whose owner names start alike can assume it',
      ],
    );
  });

  it("reports operators it does not evaluate as risky, and decides nothing by guess", () => {
    const d = tampered((role) => {
      const c = subCondition(role);
      c["ForAnyValue:StringLike"] = { [sub]: "repo:acme/*" };
    });
    const found = auditAws(ir!, plan!, d);
    assert.deepEqual(kinds(found), [`risky ${ROLE}`]);
    assert.match(found[0]!.message, /ForAnyValue:StringLike/);
  });
});
