/** A resource the Pulumi component registers: its type token and logical name. */
export interface PlanResource {
  readonly type: string;
  readonly name: string;
  /** Shared by every grant that uses it (one AWS OIDC provider per account and issuer, one GCP pool per target). */
  readonly shared?: true;
}
