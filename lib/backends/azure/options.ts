import { z } from "zod";
import { AZURE_LIMITS, IDENTITY_NAME_RULE } from "./limits";

const Guid = z
  .string()
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    "expected a GUID",
  );

/** An Azure subscription and the resource group of its managed identities: a target with `cloud: azure`. */
export const AzureTarget = z
  .strictObject({
    cloud: z.literal("azure").describe("An Azure subscription."),
    tenantId: Guid.describe("The Microsoft Entra tenant ID."),
    subscriptionId: Guid.describe("The subscription that holds the managed identities."),
    resourceGroup: z
      .string()
      .regex(
        /^[-\w._()]{1,90}$/u,
        "resource group names are 1-90 letters, digits, '-', '_', '.', '(' and ')'",
      )
      .refine((s) => !s.endsWith("."), "resource group names cannot end with '.'")
      .describe("The existing resource group that holds the managed identities."),
    location: z
      .string()
      .regex(/^[a-z0-9]{2,40}$/, "expected an Azure region name such as westeurope")
      .meta({ description: "The region of the managed identities.", examples: ["westeurope"] }),
  })
  .describe(
    "An Azure subscription: user-assigned managed identities with federated credentials and role assignments.",
  );

/** A role assignment: a grant's `roles` entry in an Azure target. */
export const AzureRole = z
  .strictObject({
    role: z
      .string()
      .min(1)
      .max(200)
      .meta({
        description: "A built-in role's name or a role definition's GUID.",
        examples: ["Storage Blob Data Contributor"],
      }),
    scope: z
      .string()
      .min(1)
      .max(1000)
      .meta({
        description:
          "Where the role applies: `/subscriptions/<id>[/resourceGroups/<rg>[/providers/…]]` or a management group.",
        examples: ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/app"],
      }),
  })
  .describe("An Azure role assignment for the managed identity.");

/** The grant keys only Azure reads (besides `roles`). */
export const azureGrantOptions = {
  identityName: z
    .string()
    .regex(AZURE_LIMITS.identityName, IDENTITY_NAME_RULE)
    .optional()
    .describe("Azure: the managed identity's name. Defaults to the identity's name."),
};
