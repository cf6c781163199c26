/**
 * trustplane's Pulumi components: `import { TrustPlane } from "trustplane/pulumi"`. Kept apart
 * from the main entry so that the compiler and the CLI never load a Pulumi SDK.
 */
export { TrustPlane } from "./trustplane";
export type { Summary, TrustPlaneArgs, TrustPlaneOptions } from "./trustplane";
