import { z } from "zod";

/** A GCP project and its workload identity pool: a target with `cloud: gcp`. */
export const GcpTarget = z.strictObject({
  cloud: z.literal("gcp"),
  projectId: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
      "project IDs are 6-30 lowercase letters, digits and dashes",
    ),
  projectNumber: z
    .string()
    .regex(/^[1-9]\d{0,19}$/, "project numbers are digits, written as a string"),
  /** The workload identity pool to create (or adopt) in the project. @default "trustplane" */
  poolId: z.string().default("trustplane"),
});

/** The grant keys only GCP reads (besides `roles`). */
export const gcpGrantOptions = {
  /** `impersonate`: through a service account; `direct`: roles bound to the federated principal. @default "impersonate" */
  mode: z.enum(["impersonate", "direct"]).optional(),
  providerId: z.string().optional(),
  serviceAccountId: z.string().optional(),
};
