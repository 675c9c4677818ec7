import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { CacheBucket } from "./cache-bucket";
import { CiImageRepository } from "./ci-image-repository";
import { RunnerStackConfig, RunnerStackConfigInput, fleetEnvironment, formatPath, parseConfig } from "../config/parse";
import { IEcrRepository } from "../iam/ecr-actions";
import { ExistingEcrRepository } from "./existing-ecr-repository";
import { PrivateEcrRepository } from "./private-ecr-repository";
import { RunnerFleet } from "./runner-fleet";
import { renderReviewReport } from "../report/review-report";
import { jsonTexts } from "../support/json-strings";
import { SecurityRules, acknowledgeRule } from "../rules/aspect";
import { templateSequences } from "../rules/template-guard";
import { resolveVariables } from "./stack-variables";
import { terraformName } from "../support/terraform-names";

export interface ApplicationRepository {
  readonly repository: IEcrRepository;
  /** Fleets whose jobs may pull. */
  readonly pull: readonly string[];
  /** Fleets whose jobs may push (and pull). */
  readonly push: readonly string[];
  readonly usedAsJobImage: boolean;
}

/**
 * GitLab runners on EC2 whose jobs build, test and push images to ECR with their instance role:
 * the CI image repository, the application repositories, one shared cache bucket, and one runner
 * fleet (module instance) per configured fleet, each role granted exactly what it needs.
 *
 * Needs an AWS provider in the stack (GitlabRunnerStack adds one). Takes the configuration as
 * users write it and validates it; invalid input throws ConfigError naming every problem.
 */
export class GitlabRunnerEcr extends Construct {
  /** The validated configuration, variable references (`{ terraformVariable }`) included. */
  readonly config: RunnerStackConfig;
  readonly ciImage: CiImageRepository;
  readonly applicationRepositories: readonly ApplicationRepository[];
  readonly cache: CacheBucket;
  readonly fleets: readonly RunnerFleet[];
  /** The security rules checking this construct's tree (or its stack's) at synthesis. */
  readonly securityRules: SecurityRules;

  constructor(scope: Construct, id: string, config: RunnerStackConfigInput | RunnerStackConfig) {
    super(scope, id);
    this.config = parseConfig(config);
    this.securityRules = SecurityRules.applyTo(this);
    this.node.addValidation({ validate: () => templatesInConfiguration(this.config) });
    // Values left to Terraform variables become references from here on.
    const c = resolveVariables(this, this.config);
    const { accountId, region } = c.aws;

    this.ciImage = new CiImageRepository(this, "ci-image", {
      repositoryName: c.ciImage.repositoryName,
      accountId,
      region,
      tag: c.ciImage.tag,
      digest: c.ciImage.digest,
      keepTaggedImages: c.ciImage.keepTaggedImages,
      untaggedExpiryDays: c.ciImage.untaggedExpiryDays,
      encryption: c.ciImage.encryption,
    });

    this.applicationRepositories = c.repositories.map((r) => {
      // Construct ids come from names, not list positions (see terraformName).
      const repository: IEcrRepository =
        r.arn !== undefined
          ? new ExistingEcrRepository(this, terraformName("existing", r.arn), r.arn)
          : new PrivateEcrRepository(this, terraformName("app", r.name!), {
              repositoryName: r.name!,
              accountId,
              region,
              encryption: c.ciImage.encryption,
            });
      return { repository, pull: r.pull, push: r.push, usedAsJobImage: r.usedAsJobImage };
    });

    this.cache = new CacheBucket(this, "cache", {
      bucketName: c.cache.bucketName ?? `${c.name}-cache-${accountId}-${region}`,
      region,
      expirationDays: c.cache.expirationDays,
    });

    this.fleets = c.fleets.map((f) => {
      const mayPull = (a: ApplicationRepository) => a.pull.includes(f.name) || a.push.includes(f.name);
      // The images this fleet's jobs may run in: the CI image, and the job-image repositories they may pull.
      const jobImageRepositories = [this.ciImage, ...this.applicationRepositories.filter((a) => a.usedAsJobImage && mayPull(a)).map((a) => a.repository)];
      const fleet = new RunnerFleet(this, f.name, {
        environment: fleetEnvironment(c.name, f.name),
        executor: f.executor,
        vpcId: c.network.vpcId,
        subnetIds: c.network.subnetIds,
        gitlabUrl: c.gitlab.url,
        runnerVersion: c.gitlab.runnerVersion,
        runnerTokenSsmParameter: f.runnerTokenSsmParameter,
        managerInstanceType: f.manager.instanceType,
        maxConcurrentJobs: f.maxConcurrentJobs,
        workers: f.workers,
        defaultImage: this.ciImage.imageUri,
        jobImageRegistryHosts: [...new Set(jobImageRepositories.map((r) => r.registryHost))].sort(),
        cacheBucketName: this.cache.bucketName,
        cacheShared: c.cache.shareBetweenFleets,
        jobHopLimit: c.metadataHopLimit,
        tags: c.tags,
      });
      for (const [ruleId, reason] of Object.entries(f.acknowledge)) acknowledgeRule(fleet, ruleId, reason);

      // The manager resolves its job images' registry credentials itself, in every executor mode.
      for (const repository of jobImageRepositories) repository.grantPull(fleet.manager);
      // It also signs the cache's pre-signed URLs.
      this.cache.grantReadWrite(fleet.manager);
      // Job containers (docker: on the manager; otherwise on workers) use the role of the instance
      // they run on: the CI image, and exactly the repositories whose lists name the fleet.
      if (c.ciImage.push.includes(f.name)) this.ciImage.grantPullPush(fleet.jobs);
      else this.ciImage.grantPull(fleet.jobs);
      for (const app of this.applicationRepositories) {
        if (app.push.includes(f.name)) app.repository.grantPullPush(fleet.jobs);
        else if (app.pull.includes(f.name)) app.repository.grantPull(fleet.jobs);
      }
      return fleet;
    });

    this.addOutputs();
  }

  /**
   * The plan-review report (see modules/report/) as Markdown. Complete after synthesis, when the
   * security rules have run; the app writes it to cdktf.out/stacks/<stack>/review.md.
   */
  reviewReport(): string {
    const { accountId, region } = this.config.aws;
    const subject = { scope: this, accountId, region, ciImage: this.ciImage, cache: this.cache, applicationRepositories: this.applicationRepositories, fleets: this.fleets };
    return renderReviewReport(subject, TerraformStack.of(this).node.id, this.securityRules.findings);
  }

  private addOutputs(): void {
    const out = (id: string, value: unknown, description: string) =>
      new TerraformOutput(this, id, { value, description }).overrideLogicalId(id);
    out("ci_image_uri", this.ciImage.imageUri, "Default job image of the runners");
    out("ci_image_repository_url", this.ciImage.repositoryUrl, "Repository to push new CI image versions to");
    out("registry_host", this.ciImage.registryHost, "ECR registry host of this account and region");
    out(
      "application_repository_urls",
      Object.fromEntries(this.applicationRepositories.map((a) => [a.repository.repositoryName, a.repository.repositoryUrl])),
      "Application image repositories, by name",
    );
    out("cache_bucket_name", this.cache.bucketName, "Shared runner cache bucket");
    out(
      "fleets",
      Object.fromEntries(
        this.fleets.map((f) => [
          f.node.id,
          {
            executor: f.executor,
            manager_role_name: f.module.runnerAgentRoleName,
            // null for the docker executor, which has no workers
            worker_role_name: f.module.runnerRoleName,
          },
        ]),
      ),
      "Per fleet: executor and the names of its manager and worker IAM roles",
    );
  }
}

/**
 * Configuration is data (see modules/rules/template-guard.ts): no key or value of the configuration holds a
 * Terraform template sequence. The schema refuses them per field; this runs again at synthesis on
 * what the construct actually holds, so a configuration changed after validation cannot slip one in.
 */
function templatesInConfiguration(config: RunnerStackConfig): string[] {
  return jsonTexts(config)
    .filter(({ text }) => {
      const { interpolations, directives } = templateSequences(text);
      return interpolations.length > 0 || directives > 0 || /\$\$\{|%%\{/.test(text);
    })
    .map(({ path, isKey }) => `configuration-is-data: ${formatPath(path)}${isKey ? " (a key)" : ""} holds a Terraform template sequence (\${ or %{); configuration is data`);
}
