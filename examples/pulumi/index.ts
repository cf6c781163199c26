// The platform repository's Pulumi program: copy it, and import from "trustplane/pulumi".
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { TrustPlane } from "../../lib/components";

const config = new pulumi.Config("trustplane");

// One document for the whole organisation; each stack deploys the targets it is configured
// for (`pulumi config set --path 'trustplane:only[0]' aws-prod`), or all of them.
const platform = TrustPlane.fromFile("platform", join(__dirname, "..", "platform.yaml"), {
  only: config.getObject<string[]>("only"),
  tags: { "managed-by": "trustplane" },
});

/** Per identity and target: the role ARN, client and tenant IDs, provider and service account. */
export const identities = platform.identities;
/** What app teams configure their CI with: `pulumi stack output summary --json`. */
export const summary = platform.summary;
/** The app teams' hand-off files (path → text), as `trustplane render` writes them. */
export const handoff = platform.handoff;
