import type { HclBody } from "../../render/hcl";
import type { CloudHandoff, GrantHandoffBase } from "../handoff";
import { error } from "../../errors";

/** What an AWS grant hands off: the role to assume, and where. */
export interface AwsHandoff extends GrantHandoffBase<"aws"> {
  readonly accountId: string;
  readonly roleArn: string;
  readonly region: string;
  readonly sessionName: string;
  readonly maxSessionDuration: number;
}

/** HCP Terraform's default audience for AWS. */
const TFC_AUDIENCE = "aws.workload.identity";

/** AWS in a hand-off: the s3 backend and the aws provider, assuming the grant's role. */
export const awsHandoff: CloudHandoff<"aws", AwsHandoff> = {
  backend: { name: "s3", keys: ["bucket", "key", "region"], required: ["bucket", "key"] },
  settingIssues: (config, path) =>
    config.awsRegion === undefined
      ? [
          error(
            "missing_key",
            [...path, "awsRegion"],
            "the AWS provider needs a region: set awsRegion, e.g. awsRegion: eu-west-1",
          ),
        ]
      : [],
  grant: (target, { audience, artefacts }, { identity, handoff }) => ({
    cloud: "aws",
    target: target.name,
    audience,
    accountId: target.accountId,
    roleArn: artefacts.roleArn,
    // settingIssues requires it whenever an AWS grant is handed off
    region: handoff.awsRegion!,
    sessionName: `trustplane-${identity}`,
    maxSessionDuration: artefacts.maxSessionDuration,
  }),
  knownBeforeDeploy: ["roleArn"],
  backendSettings: (g, config, { tokenFile }) => [
    ...(tokenFile === undefined
      ? [{ comment: `Credentials: the role ${g.roleArn}, assumed by the CI's login step.` }]
      : []),
    { attribute: "bucket", value: config.bucket! },
    { attribute: "key", value: config.key! },
    // the backend's own region, or the provider's
    { attribute: "region", value: config.region ?? g.region },
    // S3-native locking: DynamoDB locking is deprecated
    { attribute: "use_lockfile", value: true },
    ...(tokenFile === undefined
      ? []
      : [
          {
            attribute: "assume_role_with_web_identity",
            value: {
              role_arn: g.roleArn,
              session_name: g.sessionName,
              web_identity_token_file: tokenFile,
            },
          },
        ]),
  ],
  provider: (g, { tokenFile }) => {
    const body: HclBody = [
      { attribute: "region", value: g.region },
      // a credential for another account fails here instead of changing the wrong account
      { attribute: "allowed_account_ids", value: [g.accountId] },
      ...(tokenFile === undefined
        ? []
        : [
            {
              block: "assume_role_with_web_identity",
              body: [
                { attribute: "role_arn", value: g.roleArn },
                { attribute: "session_name", value: g.sessionName },
                { attribute: "web_identity_token_file", value: tokenFile },
              ],
            },
          ]),
    ];
    return { block: "provider", labels: ["aws"], body };
  },
  files: () => [],
  github: {
    action: "aws-actions/configure-aws-credentials@v6",
    login: (g) => ({
      name: `AWS credentials for ${g.target}`,
      uses: "aws-actions/configure-aws-credentials@v6",
      with: {
        "role-to-assume": g.roleArn,
        "aws-region": g.region,
        // written even when it is the action's default, so the file shows what the role trusts
        audience: g.audience,
        "role-session-name": g.sessionName,
      },
    }),
    beforeTerraform: () => [],
    terraformEnv: () => ({}),
  },
  gitlab: { tokenVariable: "AWS_ID_TOKEN", variables: () => ({}) },
  workspaceVariables: (g, phase, variable) => [
    variable("TFC_AWS_PROVIDER_AUTH", "true", "dynamic AWS credentials"),
    variable(`TFC_AWS_${phase}_ROLE_ARN`, g.roleArn, `the role assumed in ${g.target}`),
    ...(g.audience === TFC_AUDIENCE
      ? []
      : [variable("TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE", g.audience, "the role trusts this aud")]),
  ],
};
