import { z } from "zod";

const Guid = z
  .string()
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    "expected a GUID",
  );

/** An Azure subscription and the resource group of its managed identities: a target with `cloud: azure`. */
export const AzureTarget = z.strictObject({
  cloud: z.literal("azure"),
  tenantId: Guid,
  subscriptionId: Guid,
  /** The resource group that holds the managed identities. */
  resourceGroup: z
    .string()
    .regex(
      /^[-\w._()]{1,90}$/u,
      "resource group names are 1-90 letters, digits, '-', '_', '.', '(' and ')'",
    )
    .refine((s) => !s.endsWith("."), "resource group names cannot end with '.'"),
  location: z
    .string()
    .regex(/^[a-z0-9]{2,40}$/, "expected an Azure region name such as westeurope"),
});

/** A role assignment: a grant's `roles` entry in an Azure target. */
export const AzureRole = z.strictObject({
  /** A built-in role name (lib/backends/azure/builtin-roles.ts) or a role definition GUID. */
  role: z.string().min(1).max(200),
  /** `/subscriptions/<id>[/resourceGroups/<rg>[/providers/...]]` or a management group. */
  scope: z.string().min(1).max(1000),
});

/** The grant keys only Azure reads (besides `roles`). */
export const azureGrantOptions = {
  identityName: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/,
      "identity names are 3-128 letters, digits, '-' and '_'",
    )
    .optional(),
};
