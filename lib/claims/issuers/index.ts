import type { IssuerConfig } from "../../intent/schema";
import type { IssuerModel } from "../issuer";
import { bitbucketIssuer } from "./bitbucket";
import { buildkiteIssuer } from "./buildkite";
import { circleciIssuer } from "./circleci";
import { githubIssuer } from "./github";
import { gitlabIssuer } from "./gitlab";
import { kubernetesIssuer } from "./kubernetes";
import { oidcIssuer } from "./oidc";
import { pulumiCloudIssuer } from "./pulumi-cloud";
import { terraformCloudIssuer } from "./terraform-cloud";

/** The model of a configured issuer, with its kind's preset applied. */
export function issuerModel(config: IssuerConfig): IssuerModel {
  const model = build(config);
  const audiences = { ...model.audiences, ...config.audiences };
  return { ...model, audiences };
}

function build(config: IssuerConfig): IssuerModel {
  switch (config.kind) {
    case "github":
      return githubIssuer(config);
    case "gitlab":
      return gitlabIssuer(config);
    case "terraform-cloud":
      return terraformCloudIssuer(config);
    case "pulumi-cloud":
      return pulumiCloudIssuer(config);
    case "kubernetes":
      return kubernetesIssuer(config);
    case "circleci":
      return circleciIssuer(config);
    case "buildkite":
      return buildkiteIssuer(config);
    case "bitbucket":
      return bitbucketIssuer(config);
    case "oidc":
      return oidcIssuer(config);
  }
}
