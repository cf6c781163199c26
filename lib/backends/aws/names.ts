import type { TargetOf } from "../cloud";

/** The `aud` AWS tooling asks tokens for (configure-aws-credentials, EKS pod identity webhooks). */
export const AWS_AUDIENCE = "sts.amazonaws.com";

/** `token.actions.githubusercontent.com`: the provider's name in ARNs and condition keys. */
export function providerHost(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, "");
}

/** The ARN IAM gives the OIDC provider for `issuerUrl` in the target account. */
export function providerArn(target: TargetOf<"aws">, issuerUrl: string): string {
  return `arn:${target.partition}:iam::${target.accountId}:oidc-provider/${providerHost(issuerUrl)}`;
}

export function roleArn(target: TargetOf<"aws">, path: string, name: string): string {
  return `arn:${target.partition}:iam::${target.accountId}:role${path}${name}`;
}

/** One provider per issuer URL per account: this logical name is shared by every identity. */
export function providerResourceName(target: TargetOf<"aws">, issuerUrl: string): string {
  return `oidc-provider/${target.accountId}/${providerHost(issuerUrl)}`;
}

/** The partition and account of an IAM ARN (`arn:<partition>:iam::<account>:…`). */
export function arnParts(arn: string): { partition: string; accountId: string } {
  const [, partition = "", , , accountId = ""] = arn.split(":");
  return { partition, accountId };
}
