/**
 * Role definition IDs of common Azure built-in roles (the same GUID in every tenant).
 * Other roles are given by their GUID.
 *
 * @see https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
 */
export const BUILTIN_ROLES: Readonly<Record<string, string>> = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
  "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  "Storage Account Contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
  "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  AcrPush: "8311e382-0749-4cb8-b61a-304f252e45ec",
  AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  "Website Contributor": "de139f84-1756-47ae-9be6-808fbbe84772",
  "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
  "Virtual Machine Contributor": "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
  "Monitoring Reader": "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
  "Azure Kubernetes Service Cluster User Role": "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
  "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
  "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
  "Log Analytics Contributor": "92aaf0da-9dab-42b6-94a3-d43ce8d16293",
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The role definition GUID for a built-in role name (any case) or a GUID; undefined if unknown. */
export function roleGuid(role: string): string | undefined {
  if (GUID.test(role)) return role.toLowerCase();
  const key = Object.keys(BUILTIN_ROLES).find(
    (name) => name.toLowerCase() === role.trim().toLowerCase(),
  );
  return key ? BUILTIN_ROLES[key] : undefined;
}
