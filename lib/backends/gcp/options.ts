import { z } from "zod";

/** A GCP project and its workload identity pool: a target with `cloud: gcp`. */
export const GcpTarget = z
  .strictObject({
    cloud: z.literal("gcp").describe("A GCP project."),
    projectId: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
        "project IDs are 6-30 lowercase letters, digits and dashes",
      )
      .describe("The project ID."),
    projectNumber: z
      .string()
      .regex(/^[1-9]\d{0,19}$/, "project numbers are digits, written as a string")
      .describe("The project number, quoted in YAML: principal and audience names use it."),
    poolId: z
      .string()
      .default("trustplane")
      .describe("The workload identity pool trustplane creates in the project."),
  })
  .describe(
    "A GCP project: a workload identity pool with a provider per issuer, and service accounts or direct role bindings.",
  );

/** The grant keys only GCP reads (besides `roles`). */
export const gcpGrantOptions = {
  mode: z
    .enum(["impersonate", "direct"])
    .optional()
    .describe(
      "GCP: `impersonate` grants the roles to a service account the workload impersonates; `direct` binds them to the federated principal. Defaults to `impersonate`.",
    ),
  providerId: z
    .string()
    .optional()
    .describe(
      "GCP: the workload identity pool provider's ID. Defaults to one derived from the identity.",
    ),
  serviceAccountId: z
    .string()
    .optional()
    .describe(
      "GCP (`impersonate`): the service account's ID. Defaults to one derived from the identity's name.",
    ),
};
