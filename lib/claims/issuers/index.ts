import type { Issuer, IssuerConfig } from "../../intent/document";
import type { Issue, Path } from "../../errors";
import { error, quote } from "../../errors";
import type { IssuerKind, IssuerModel } from "../issuer";
import { bitbucketIssuer } from "./bitbucket";
import { buildkiteIssuer } from "./buildkite";
import { circleciIssuer, recognizeCircleci } from "./circleci";
import { githubConfigIssues, githubIssuer } from "./github";
import { gitlabConfigIssues, gitlabIssuer, gitlabSubjectVariants } from "./gitlab";
import { kubernetesIssuer, recognizeCluster } from "./kubernetes";
import { oidcConfigIssues, oidcIssuer } from "./oidc";
import type { IssuerPreset } from "./preset";
import { pulumiCloudIssuer } from "./pulumi-cloud";
import { terraformCloudIssuer } from "./terraform-cloud";

/**
 * Every kind of issuer, keyed by the schema's `kind`: a kind without a preset does not compile.
 * Presets are listed in the order the docs present them.
 */
export const ISSUER_PRESETS: { readonly [K in IssuerKind]: IssuerPreset<K> } = {
  github: {
    model: githubIssuer,
    configIssues: githubConfigIssues,
    subjectVariants: (config) => [{ ...config, subjectFormat: "immutable" }],
  },
  gitlab: {
    model: gitlabIssuer,
    configIssues: gitlabConfigIssues,
    subjectVariants: gitlabSubjectVariants,
  },
  "terraform-cloud": { model: terraformCloudIssuer },
  "pulumi-cloud": { model: pulumiCloudIssuer },
  kubernetes: { model: kubernetesIssuer, recognize: recognizeCluster },
  circleci: { model: circleciIssuer, recognize: recognizeCircleci },
  buildkite: { model: buildkiteIssuer },
  bitbucket: { model: bitbucketIssuer },
  oidc: { model: oidcIssuer, configIssues: oidcConfigIssues },
};

// a preset's functions take only its own kind's configuration, which `config.kind` guarantees
const presetOf = (kind: IssuerKind) => ISSUER_PRESETS[kind] as IssuerPreset<IssuerKind>;

/** The model of a configured issuer, with its kind's preset applied and its own audiences. */
export function issuerModel(config: IssuerConfig): IssuerModel {
  const model = presetOf(config.kind).model(config);
  const audiences = { ...model.audiences, ...config.audiences };
  return { ...model, audiences };
}

/**
 * The configuration of the issuer at `url`: the first kind whose own URL it is (`{kind}` alone,
 * or what the kind recognises in the URL), else a generic `oidc` issuer. Never throws.
 */
export function recognizeIssuer(url: string): Issuer {
  for (const kind of Object.keys(ISSUER_PRESETS) as IssuerKind[]) {
    const preset = presetOf(kind);
    const recognized = preset.recognize?.(url);
    if (recognized) return recognized;
    try {
      if (preset.model({ kind } as IssuerConfig).url === url) return { kind } as Issuer;
    } catch {
      // the kind needs more configuration than its name: only `recognize` can tell
    }
  }
  return { kind: "oidc", url };
}

/** The issuer configured with each other `sub` layout its kind may use, guessed from `subjects`. */
export function issuerVariants(issuer: Issuer, subjects: readonly string[]): Issuer[] {
  return presetOf(issuer.kind).subjectVariants?.(issuer, subjects) ?? [];
}

/** Problems of an issuer's configuration that the schema cannot see, under `path`. */
export function issuerIssues(config: IssuerConfig, model: IssuerModel, path: Path): Issue[] {
  const issues = [...(presetOf(config.kind).configIssues?.(config, model, path) ?? [])];
  // a generic issuer may really end its iss with '/' (Auth0 does); the presets' issuers never do
  if (config.kind !== "oidc" && model.url.endsWith("/")) {
    issues.push(
      error(
        "invalid_value",
        [...path, "url"],
        `${model.label} tokens carry iss without a trailing '/': write ${quote(model.url.replace(/\/+$/, ""))}; with the '/', the clouds would trust an issuer no token names, and deny every token`,
      ),
    );
  }
  return issues;
}
