import { strict as assert } from "node:assert";
import { awsFileKind, readAwsFiles } from "../../lib/backends/aws/deployed";
import type { AwsDeployment } from "../../lib/backends/aws/deployed";
import { awsStateFiles } from "../../lib/backends/aws/stack-state";
import type { StateResource } from "../../lib/audit/pulumi-state";

// Fixtures in the shapes the AWS CLI documents: `aws iam get-account-authorization-details`
// (https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html:
// RoleDetailList entries with Path, RoleName, RoleId, Arn, CreateDate, AssumeRolePolicyDocument,
// InstanceProfileList, RolePolicyList, AttachedManagedPolicies, PermissionsBoundary; the API
// returns policies URL-encoded per RFC 3986, the CLI prints them decoded), `aws iam get-role`
// (a Role object with MaxSessionDuration) and `aws iam get-open-id-connect-provider` (Url
// without scheme, ClientIDList, ThumbprintList, CreateDate, Tags).

const TRUST = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: {
        Federated: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
      },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:acme/api:environment:production",
        },
      },
    },
  ],
};
const READ_STATE = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-state/*" }],
};

const DETAILS = {
  UserDetailList: [],
  GroupDetailList: [],
  RoleDetailList: [
    {
      Path: "/",
      RoleName: "api-deploy",
      RoleId: "AROA1234567890EXAMPLE",
      Arn: "arn:aws:iam::111111111111:role/api-deploy",
      CreateDate: "2026-01-30T17:09:20Z",
      AssumeRolePolicyDocument: TRUST,
      InstanceProfileList: [],
      RolePolicyList: [{ PolicyName: "read-state", PolicyDocument: READ_STATE }],
      AttachedManagedPolicies: [
        { PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
      ],
      PermissionsBoundary: {
        PermissionsBoundaryType: "Policy",
        PermissionsBoundaryArn: "arn:aws:iam::111111111111:policy/boundary",
      },
      Tags: [],
      RoleLastUsed: {},
    },
    {
      // what the API itself returns: the policies URL-encoded
      Path: "/ci/",
      RoleName: "legacy",
      RoleId: "AROA2234567890EXAMPLE",
      Arn: "arn:aws:iam::111111111111:role/ci/legacy",
      CreateDate: "2024-01-30T17:09:20Z",
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(TRUST)),
      InstanceProfileList: [],
      RolePolicyList: [
        {
          PolicyName: "read-state",
          PolicyDocument: encodeURIComponent(JSON.stringify(READ_STATE)),
        },
      ],
      AttachedManagedPolicies: [],
    },
  ],
  Policies: [],
};

const GET_ROLE = {
  Role: {
    Path: "/",
    RoleName: "api-deploy",
    RoleId: "AROA1234567890EXAMPLE",
    Arn: "arn:aws:iam::111111111111:role/api-deploy",
    CreateDate: "2026-01-30T17:09:20Z",
    AssumeRolePolicyDocument: TRUST,
    MaxSessionDuration: 3600,
    RoleLastUsed: {},
  },
};

const PROVIDER = {
  Url: "token.actions.githubusercontent.com",
  ClientIDList: ["sts.amazonaws.com"],
  ThumbprintList: ["6938fd4d98bab03faadb97b34396831e3780aea1"],
  CreateDate: "2026-01-30T17:09:20Z",
  Tags: [],
};

function deployment(...files: [string, unknown][]): AwsDeployment {
  const read = readAwsFiles(files.map(([source, json]) => ({ source, json })));
  assert.ok("deployment" in read, JSON.stringify(read));
  return read.deployment;
}

function problems(...files: [string, unknown][]): string[] {
  const read = readAwsFiles(files.map(([source, json]) => ({ source, json })));
  assert.ok("problems" in read, "expected problems");
  return read.problems;
}

/**
 * Reading what an AWS account has deployed (issue 13, first part: the files). Proves the shapes
 * read, merged and refused; does NOT prove the comparison with the intent, which is not built yet.
 */
describe("audit: reading AWS CLI outputs", () => {
  it("tells each file's kind from its content", () => {
    assert.equal(awsFileKind(DETAILS), "account-authorization-details");
    assert.equal(awsFileKind(GET_ROLE), "role");
    assert.equal(awsFileKind(PROVIDER), "oidc-provider");
    for (const other of [null, [], "x", { Roles: [] }, { Url: 1, ClientIDList: [] }])
      assert.equal(awsFileKind(other), undefined, JSON.stringify(other));
  });

  it("reads roles with their trust policy, policies and boundary, decoding URL-encoded documents", () => {
    const { roles } = deployment(["details.json", DETAILS]);
    assert.deepEqual(
      roles.map((r) => [
        r.arn,
        r.path,
        r.trustPolicy,
        r.managedPolicyArns,
        { ...r.inlinePolicies },
      ]),
      [
        [
          "arn:aws:iam::111111111111:role/api-deploy",
          "/",
          TRUST,
          ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          { "read-state": READ_STATE },
        ],
        [
          "arn:aws:iam::111111111111:role/ci/legacy",
          "/ci/",
          TRUST,
          [],
          { "read-state": READ_STATE },
        ],
      ],
    );
    assert.equal(roles[0]!.permissionsBoundary, "arn:aws:iam::111111111111:policy/boundary");
  });

  it("merges a role that several files show: get-role adds MaxSessionDuration", () => {
    const { roles } = deployment(["details.json", DETAILS], ["role.json", GET_ROLE]);
    const role = roles.find((r) => r.name === "api-deploy")!;
    assert.equal(role.maxSessionDuration, 3600);
    assert.deepEqual(role.managedPolicyArns, ["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    assert.deepEqual(role.sources, ["details.json", "role.json"]);
    // get-role alone has no policy lists: unknown, not empty
    const alone = deployment(["role.json", GET_ROLE]).roles[0]!;
    assert.equal(alone.managedPolicyArns, undefined);
    assert.equal(alone.inlinePolicies, undefined);
  });

  it("reads OIDC providers with their scheme, and the ARN a file names", () => {
    const named = {
      ...PROVIDER,
      OpenIDConnectProviderArn:
        "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
    };
    assert.deepEqual(deployment(["p.json", PROVIDER]).providers, [
      {
        url: "https://token.actions.githubusercontent.com",
        clientIds: ["sts.amazonaws.com"],
        sources: ["p.json"],
      },
    ]);
    assert.equal(deployment(["p.json", named]).providers[0]!.arn, named.OpenIDConnectProviderArn);
  });

  it("refuses, naming the file, what it cannot read", () => {
    const broken = structuredClone(DETAILS);
    broken.RoleDetailList[1]!.AssumeRolePolicyDocument = "%7B%22Version%";
    const changed = structuredClone(GET_ROLE);
    changed.Role.AssumeRolePolicyDocument = { ...TRUST, Statement: [] };
    assert.deepEqual(
      problems(
        ["users.json", { Users: [] }],
        ["broken.json", broken],
        ["details.json", DETAILS],
        ["role.json", changed],
        ["p.json", { ...PROVIDER, OpenIDConnectProviderArn: "arn:aws:s3:::x" }],
      ),
      [
        "users.json is not an output trustplane reads for AWS: expected aws iam get-account-authorization-details, get-role or get-open-id-connect-provider --output json",
        'broken.json: RoleDetailList[1] (legacy): the policy document is neither JSON nor URL-encoded JSON ("%7B%22Version%"…)',
        'p.json: OpenIDConnectProviderArn "arn:aws:s3:::x" is not an OIDC provider ARN',
        "role.json and broken.json, details.json disagree on trustPolicy of arn:aws:iam::111111111111:role/api-deploy: pass files of one moment",
      ],
    );
  });

  it("keeps names like __proto__ as data", () => {
    const hostile = JSON.parse(
      JSON.stringify(DETAILS).replace('"PolicyName":"read-state"', '"PolicyName":"__proto__"'),
    ) as unknown;
    const role = deployment(["h.json", hostile]).roles[0]!;
    assert.deepEqual(Object.keys(role.inlinePolicies!), ["__proto__"]);
    assert.deepEqual(role.inlinePolicies!["__proto__"], READ_STATE);
  });

  it("merges a trust policy whose keys, lists and condition values are written otherwise", () => {
    // the same policy as IAM reads it: keys reordered, a list of one for a string, sets reordered
    const statement = TRUST.Statement[0]!;
    const reordered = {
      Statement: [
        {
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:sub": ["repo:acme/api:environment:production"],
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            },
          },
          Action: ["sts:AssumeRoleWithWebIdentity"],
          Principal: { Federated: [statement.Principal.Federated] },
          Effect: "Allow",
        },
      ],
      Version: "2012-10-17",
    };
    const role = structuredClone(GET_ROLE);
    role.Role.AssumeRolePolicyDocument = reordered as unknown as typeof TRUST;
    const provider = { ...PROVIDER, ClientIDList: ["b", "sts.amazonaws.com"] };
    const merged = deployment(
      ["details.json", DETAILS],
      ["role.json", role],
      ["p1.json", provider],
      ["p2.json", { ...provider, ClientIDList: ["sts.amazonaws.com", "b"] }],
    );
    assert.deepEqual(merged.roles[0]!.trustPolicy, TRUST);
    assert.deepEqual(merged.providers[0]!.sources, ["p1.json", "p2.json"]);
    // a value added to the list is a change, not a form
    const widened = structuredClone(role);
    (
      widened.Role.AssumeRolePolicyDocument.Statement[0]!.Condition.StringEquals as Record<
        string,
        unknown
      >
    )["token.actions.githubusercontent.com:sub"] = [
      "repo:acme/api:environment:production",
      "repo:acme/api:environment:qa",
    ];
    assert.deepEqual(problems(["details.json", DETAILS], ["role.json", widened]), [
      "role.json and details.json disagree on trustPolicy of arn:aws:iam::111111111111:role/api-deploy: pass files of one moment",
    ]);
  });

  describe("a stack's state with CLI outputs", () => {
    const ROLE_ARN = "arn:aws:iam::111111111111:role/api-deploy";
    const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
    const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    /** A resource of a stack export, as `readStackExport` gives it. */
    const resource = (type: string, name: string, outputs: Record<string, unknown>) =>
      ({
        urn: `urn:pulumi:prod::platform::${type}::${name}`,
        type,
        outputs,
        source: "prod.json",
      }) satisfies StateResource;
    /** api-deploy as a stack declares it: the role (its own lists as of creation), and `more`. */
    const state = (...more: StateResource[]): { source: string; json: unknown }[] => {
      const role = resource("aws:iam/role:Role", "api-deploy", {
        arn: ROLE_ARN,
        name: "api-deploy",
        path: "/",
        assumeRolePolicy: JSON.stringify(TRUST),
        managedPolicyArns: [],
        inlinePolicies: [{ name: "", policy: "" }],
        permissionsBoundary: "arn:aws:iam::111111111111:policy/boundary",
        maxSessionDuration: 3600,
      });
      const files = awsStateFiles([role, ...more]);
      assert.ok("files" in files, JSON.stringify(files));
      return files.files;
    };
    const attach = (policyArn: string) =>
      resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", policyArn, {
        role: "api-deploy",
        policyArn,
      });
    const inline = (name: string, policy: unknown) =>
      resource("aws:iam/rolePolicy:RolePolicy", name, {
        role: "api-deploy",
        name,
        policy: JSON.stringify(policy),
      });
    const read = (...files: { source: string; json: unknown }[]) =>
      readAwsFiles([{ source: "details.json", json: DETAILS }, ...files]);
    const STATE_ROLE = "prod.json: urn:pulumi:prod::platform::aws:iam/role:Role::api-deploy";

    it("takes the CLI output's policies, of which the stack declares a part", () => {
      // the account also has read-state and ReadOnlyAccess, attached outside the stack
      const reordered = { Version: "2012-10-17", Statement: { ...READ_STATE.Statement[0]! } };
      const found = read(...state(attach(READ_ONLY), inline("read-state", reordered)));
      assert.ok("deployment" in found, JSON.stringify(found));
      const role = found.deployment.roles.find((r) => r.arn === ROLE_ARN)!;
      assert.deepEqual(role.managedPolicyArns, [READ_ONLY]);
      assert.deepEqual({ ...role.inlinePolicies }, { "read-state": READ_STATE });
      assert.deepEqual(role.sources, ["details.json", STATE_ROLE]);
      // a stack that declares none of them agrees too
      assert.ok("deployment" in read(...state()));
    });

    it("refuses a policy the stack declares that the CLI output lacks, or whose document differs", () => {
      const removed = (what: string) =>
        `${STATE_ROLE} declares ${what} of ${ROLE_ARN}, which details.json do not hold: it was removed outside the stack, or the files are not of one moment; run pulumi refresh, export the stack again and pass CLI outputs of that moment`;
      assert.deepEqual(
        read(...state(attach(ADMIN), inline("tfstate", READ_STATE), inline("read-state", TRUST))),
        {
          problems: [
            removed(`managed policy ${ADMIN}`),
            removed("inline policy tfstate"),
            `${STATE_ROLE} and details.json disagree on inline policy read-state of ${ROLE_ARN}: pass files of one moment`,
          ],
        },
      );
    });

    it("keeps the stack's policies where no CLI output lists them (get-role lists none)", () => {
      const found = readAwsFiles([
        { source: "role.json", json: GET_ROLE },
        ...state(attach(ADMIN), inline("tfstate", READ_STATE)),
      ]);
      assert.ok("deployment" in found, JSON.stringify(found));
      const [role] = found.deployment.roles;
      assert.deepEqual(role!.managedPolicyArns, [ADMIN]);
      assert.deepEqual(Object.keys(role!.inlinePolicies!), ["tfstate"]);
      assert.equal(role!.maxSessionDuration, 3600);
    });

    it("refuses a role of the stack that the account's authorization details do not list", () => {
      const details = { ...DETAILS, RoleDetailList: DETAILS.RoleDetailList.slice(1) };
      assert.deepEqual(readAwsFiles([{ source: "details.json", json: details }, ...state()]), {
        problems: [
          `${STATE_ROLE} declares role ${ROLE_ARN}, which details.json do not hold: it was removed outside the stack, or the files are not of one moment; run pulumi refresh, export the stack again and pass CLI outputs of that moment`,
        ],
      });
      // another account's details say nothing of it
      const elsewhere = JSON.parse(
        JSON.stringify(details).replaceAll("111111111111", "222222222222"),
      ) as unknown;
      assert.ok("deployment" in readAwsFiles([{ source: "d.json", json: elsewhere }, ...state()]));
    });

    it("still refuses a trust policy that the state and the CLI output describe otherwise", () => {
      const files = state();
      const role = (files[0]!.json as { Role: Record<string, unknown> }).Role;
      role.AssumeRolePolicyDocument = JSON.stringify({ ...TRUST, Statement: [] });
      assert.deepEqual(read(...files), {
        problems: [
          `${STATE_ROLE} and details.json disagree on trustPolicy of ${ROLE_ARN}: pass files of one moment`,
        ],
      });
    });
  });
});
