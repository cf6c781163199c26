import type * as pulumi from "@pulumi/pulumi";

/** What a Pulumi program adds to the intent document: values known only to the program. */
export interface TrustPlaneOptions {
  /**
   * A Pulumi provider per target name (an `aws.Provider` for an AWS target, and so on). AWS
   * targets in different accounts, or Azure targets in different subscriptions, need one each
   * (or `only`): one provider for them is refused with `shared_provider`, before registering.
   */
  readonly providers?: Readonly<Record<string, pulumi.ProviderResource>>;
  /** Resources that exist already: referenced, never created. */
  readonly adopt?: {
    /**
     * Target name → issuer name → the ARN of the account's existing IAM OIDC provider for that
     * issuer. Issuers with one URL in one account must adopt one ARN: strings are compared
     * before registering; an Output when it resolves, the target's resources waiting for it.
     */
    readonly awsOidcProviders?: Readonly<
      Record<string, Readonly<Record<string, pulumi.Input<string>>>>
    >;
    /** GCP target names whose workload identity pool (the target's `poolId`) exists. */
    readonly gcpPools?: readonly string[];
    /**
     * Take over the planned resources that exist already under their planned names (what
     * `trustplane import` drafts): AWS roles, OIDC providers, policy attachments and inline
     * policies, Azure managed identities, GCP pools, providers and service accounts are
     * registered with Pulumi's `import` option, keeping as found what carries trust (trust
     * policies, conditions, client IDs, tags), so the first `pulumi up` changes nothing. Remove
     * it after that `up`: the next one applies the intent to them in place.
     *
     * @default false
     */
    readonly existing?: boolean;
  };
  /**
   * Tags on the AWS OIDC providers and roles and on the Azure managed identities: a tag either
   * of the clouds this stack tags would refuse stops it before anything registers (`invalid_tag`).
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The targets this stack deploys, by name or by cloud (`aws`, `azure`, `gcp`), so one
   * document can drive a stack per account, subscription or project.
   *
   * @default - every target
   */
  readonly only?: readonly string[];
}

/** The option keys: never document keys, so an intent file cannot set them. */
export const OPTION_KEYS = ["providers", "adopt", "tags", "only"] as const;
