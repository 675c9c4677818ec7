import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Construct } from "constructs";
import { DataResource, Fn, Op, TerraformOutput, TerraformStack, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GitlabRunnerEcrProps } from "../generated/props.generated";
import { ConfigError, RunnersConfig, ValidatedRunnersConfig, fleetEnvironment, formatPath } from "../config/parse";
import { renderReviewReport, reviewJson, reviewModelOf } from "../report/review-report";
import { deployerPolicyFiles } from "../iam/deployer-policy";
import { SecurityRules, acknowledgeRules, withAcknowledgeHint } from "../rules/aspect";
import { runnerTags } from "../config/fleet-checks";
import { templateSequences } from "../rules/template-guard";
import { jsonTexts } from "../support/json-strings";
import { RUNNERS_CHILD_IDS, terraformName } from "../support/terraform-names";
import { defaultCacheBucketName } from "../config/defaults";
import { ssmParameterArnName } from "../aws/names";
import { CacheBucket } from "./cache-bucket";
import { ExistingEcrRepository, IEcrRepository, PrivateEcrRepository } from "./ecr-repository";
import { PullThroughCacheRule } from "./pull-through-cache";
import { RunnerFleet } from "./runner-fleet";
import { resolveVariables } from "./stack-variables";

export interface PullThroughCache {
  readonly rule: PullThroughCacheRule;
  /** Fleets whose managers and jobs may pull through it. */
  readonly pull: readonly string[];
}

export interface ApplicationRepository {
  readonly repository: IEcrRepository;
  /** Fleets whose jobs may pull. */
  readonly pull: readonly string[];
  /** Fleets whose jobs may push (and pull). */
  readonly push: readonly string[];
  readonly usedAsJobImage: boolean;
  /** Tags matching BUILD_CACHE_TAGS stay mutable (a created repository's BuildKit registry cache). */
  readonly buildCache: boolean;
}

/** Tags of a repository with `buildCache` that stay mutable: the BuildKit registry cache's. */
export const BUILD_CACHE_TAGS = ["buildcache*"];

/**
 * GitlabRunnerEcr's props: the configuration file's fields but `backend`; `aws` may come from the
 * stack's provider. Generated from the schema (modules/generated/props.generated.ts), documented field by field.
 */
export { GitlabRunnerEcrProps } from "../generated/props.generated";

/**
 * `aws` from the stack's AwsProvider when the props leave it out: a literal region and exactly one
 * allowed account (ARNs and registry hosts are written from them as literals). Each way the
 * provider can be missing or unusable gets its own message, at the field.
 */
function withAccount(scope: Construct, props: GitlabRunnerEcrProps | RunnersConfig): unknown {
  if (props.aws !== undefined) return props;
  const providers = TerraformStack.of(scope)
    .node.findAll()
    .filter((c) => c instanceof AwsProvider || (c as { terraformResourceType?: string }).terraformResourceType === "aws");
  const provider = providers.find((c): c is AwsProvider => c instanceof AwsProvider);
  const problem = (why: string) => new ConfigError("props", [`aws: not given, and ${why}`]);
  if (provider === undefined) {
    throw problem(
      providers.length > 0
        ? "the stack's AWS provider comes from another copy of @cdktf/provider-aws than this library's (install it once: it is a peer dependency)"
        : "the stack has no AwsProvider to take the account and region from: add one, or give aws: { accountId, region }",
    );
  }
  const region = provider.region;
  const accounts = provider.allowedAccountIds;
  if (typeof region !== "string" || region.includes("${"))
    throw problem("the stack's AwsProvider has no literal region (ARNs are written from it): set region, or give aws");
  if (accounts === undefined || accounts.length !== 1)
    throw problem(
      `the stack's AwsProvider names ${accounts === undefined ? "no" : accounts.length} allowed account(s); it needs exactly one (allowedAccountIds: ["<account id>"]), or give aws`,
    );
  return { ...props, aws: { region, accountId: accounts[0] } };
}

/**
 * GitLab runners on EC2 whose jobs build, test and push images to ECR with their instance role:
 * the CI image repository, the application repositories, one cache bucket, and one runner fleet
 * (module instance) per configured fleet, each role granted exactly what its fleet's lists say.
 *
 * Needs an AWS provider in the stack (GitlabRunnerStack adds one). Takes its props as users write
 * them and validates them; invalid input throws ConfigError naming every problem. The security
 * rules cover the whole stack that holds it, your own constructs included. A stack holds one
 * GitlabRunnerEcr: its Terraform addresses are fixed (module.runner_<fleet>, aws_s3_bucket.cache,
 * the outputs), so a second one is refused.
 */
export class GitlabRunnerEcr extends Construct {
  /** The validated props, variable references (`{ terraformVariable }`) included. */
  readonly config: RunnersConfig;
  /** The CI image's repository; `ciImageUri` is the runners' default job image. */
  readonly ciImage: PrivateEcrRepository;
  readonly ciImageUri: string;
  readonly applicationRepositories: readonly ApplicationRepository[];
  /** ECR pull-through cache rules, with the fleets that may pull through each. */
  readonly pullThroughCache: readonly PullThroughCache[];
  readonly cache: CacheBucket;
  readonly fleets: readonly RunnerFleet[];
  /** The security rules checking this construct's stack at synthesis. */
  readonly securityRules: SecurityRules;

  constructor(scope: Construct, id: string, props: GitlabRunnerEcrProps | RunnersConfig | ValidatedRunnersConfig) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    const other = stack.node.findAll().find((c) => c instanceof GitlabRunnerEcr && c !== this);
    if (other !== undefined) {
      throw new Error(
        `${this.node.path}: stack ${stack.node.id} already holds a GitlabRunnerEcr (${other.node.path}). Its Terraform addresses are fixed ` +
          "(module.runner_<fleet>, aws_s3_bucket.cache, the outputs), so a second one would overwrite it: add the fleets to the first, or use a stack of its own",
      );
    }
    // Validated once: by whoever made a ValidatedRunnersConfig (GitlabRunnerStack, the app), else here.
    this.config = props instanceof ValidatedRunnersConfig ? props.value : ValidatedRunnersConfig.parse(withAccount(this, props)).value;
    this.securityRules = SecurityRules.of(stack);
    this.node.addValidation({ validate: () => templatesInConfiguration(this.config) });
    // Values left to Terraform variables become references from here on.
    const c = resolveVariables(this, this.config);
    const { accountId, region } = c.aws;

    this.ciImage = new PrivateEcrRepository(this, RUNNERS_CHILD_IDS.ciImage, {
      repositoryName: c.ciImage.repositoryName,
      accountId,
      region,
      keepTaggedImages: c.ciImage.keepTaggedImages,
      untaggedExpiryDays: c.ciImage.untaggedExpiryDays,
      encryption: c.ciImage.encryption,
      forceDelete: c.forceDestroy,
    });
    this.ciImageUri = this.ciImage.imageUri((c.ciImage.digest ?? c.ciImage.tag)!);

    this.applicationRepositories = c.repositories.map((r) => {
      // Construct ids come from names, not list positions (see terraformName). An existing
      // repository holds no Terraform block, so its id keeps the whole ARN (`/` separates construct
      // paths and `--` is in no repository name): two ARNs never share an id.
      const repository =
        r.arn !== undefined
          ? new ExistingEcrRepository(this, `existing_${r.arn.replaceAll("/", "--")}`, r.arn)
          : new PrivateEcrRepository(this, terraformName("app", r.name!), {
              repositoryName: r.name!,
              accountId,
              region,
              encryption: c.ciImage.encryption,
              forceDelete: c.forceDestroy,
              mutableTags: r.buildCache ? BUILD_CACHE_TAGS : [],
            });
      acknowledgeRules(repository, r.acknowledge);
      return { repository, pull: r.pull, push: r.push, usedAsJobImage: r.usedAsJobImage, buildCache: r.buildCache };
    });

    this.pullThroughCache = c.pullThroughCache.map((r) => ({
      rule: new PullThroughCacheRule(this, terraformName("pull-through", r.prefix), { ...r, accountId, region }),
      pull: r.pull,
    }));

    this.cache = new CacheBucket(this, RUNNERS_CHILD_IDS.cache, {
      bucketName: c.cache.bucketName ?? defaultCacheBucketName(c.name, accountId, region),
      region,
      accountId,
      expirationDays: c.cache.expirationDays,
      forceDestroy: c.forceDestroy,
    });

    this.fleets = c.fleets.map((f) => {
      const mayPull = (a: ApplicationRepository) => a.pull.includes(f.name) || a.push.includes(f.name);
      // The images this fleet's jobs may run in: the CI image, and the job-image repositories they may pull.
      const jobImageRepositories = [
        this.ciImage,
        ...this.applicationRepositories.filter((a) => a.usedAsJobImage && mayPull(a)).map((a) => a.repository),
      ];
      const fleet = new RunnerFleet(this, f.name, {
        environment: fleetEnvironment(c.name, f.name),
        executor: f.executor,
        vpcId: c.network.vpcId,
        subnetIds: c.network.subnetIds,
        gitlabUrl: c.gitlab.url,
        runnerVersion: c.gitlab.runnerVersion,
        runnerTokenSsmParameter: f.runnerTokenSsmParameter,
        ...(f.gitlab === undefined
          ? {}
          : {
              gitlabRegistration: {
                scope: f.gitlab.scope,
                ...(f.gitlab.id === undefined ? {} : { id: f.gitlab.id }),
                protected: f.gitlab.protected,
                tags: runnerTags(f),
                runUntagged: f.gitlab.runUntagged,
                description: `${fleetEnvironment(c.name, f.name)} (gitlab-runner-ecr, AWS ${c.aws.region})`,
              },
            }),
        managerInstanceType: f.manager.instanceType,
        maxConcurrentJobs: f.maxConcurrentJobs,
        workers: f.workers,
        defaultImage: this.ciImageUri,
        jobImageRegistryHosts: [...new Set(jobImageRepositories.map((r) => r.registryHost))].sort(),
        cacheBucketName: this.cache.bucketNameReference,
        cacheShared: c.cache.shareBetweenFleets,
        jobHopLimit: c.metadataHopLimit,
        tags: c.tags,
      });
      acknowledgeRules(fleet, f.acknowledge);

      // The manager resolves its job images' registry credentials itself, in every executor mode.
      for (const repository of jobImageRepositories) repository.grantPull(fleet.managerPolicy);
      // Images and services from an upstream come through the cache: the worker's Docker daemon
      // pulls them with the login the manager's credential helper made (so ECR sees the manager's
      // role), and a FROM in docker build is pulled with the job's own login (the job's role).
      for (const cache of this.pullThroughCache.filter((p) => p.pull.includes(f.name))) {
        cache.rule.grantPull(fleet.managerPolicy);
        cache.rule.grantPull(fleet.jobPolicy);
      }
      // It also signs the cache's pre-signed URLs.
      this.cache.grantReadWrite(fleet.managerPolicy);
      // Job containers (on the manager or on workers, as the executor says) use the role of the instance
      // they run on: the CI image, and exactly the repositories whose lists name the fleet.
      if (c.ciImage.push.includes(f.name)) this.ciImage.grantPullPush(fleet.jobPolicy);
      else this.ciImage.grantPull(fleet.jobPolicy);
      for (const app of this.applicationRepositories) {
        if (app.push.includes(f.name)) app.repository.grantPullPush(fleet.jobPolicy);
        else if (app.pull.includes(f.name)) app.repository.grantPull(fleet.jobPolicy);
      }
      return fleet;
    });

    this.checkTokenParametersAtPlan(c.fleets.map((f) => f.runnerTokenSsmParameter));
    this.addOutputs();
    this.addReviewFiles(stack);
  }

  /**
   * review.md, review.json and deployer-policy*.json (what `terraform apply` needs) beside the stack's Terraform document, written by every synthesis
   * that passed its checks (the app's and a library user's alike): the stack's synthesizer (public
   * in cdktf) writes the document, then the review goes beside it. A failed check ends with how to
   * acknowledge a finding, not with cdktf's advice to skip every validation.
   */
  private addReviewFiles(stack: TerraformStack): void {
    const synthesizer = stack.synthesizer;
    stack.synthesizer = {
      synthesize: (session) => {
        try {
          synthesizer.synthesize(session);
        } catch (e) {
          throw withAcknowledgeHint(e);
        }
        const folder = join(session.outdir, session.manifest.forStack(stack).workingDirectory);
        const json = stack.toTerraform();
        const model = reviewModelOf(this, json);
        writeFileSync(join(folder, "review.md"), renderReviewReport(model));
        writeFileSync(join(folder, "review.json"), reviewJson(model));
        for (const [name, text] of Object.entries(deployerPolicyFiles(json))) writeFileSync(join(folder, name), text);
      },
    };
  }

  /**
   * One runner token parameter per fleet: the configuration and the one-fleet-per-runner-token rule
   * refuse a name or a variable used twice, but two variables can only be compared once Terraform
   * knows their values. Then a precondition stops the plan before anything is created.
   */
  private checkTokenParametersAtPlan(parameters: readonly string[]): void {
    if (parameters.length < 2 || !parameters.some((p) => Token.isUnresolved(p))) return;
    new DataResource(this, "runner-token-parameters-distinct", {
      lifecycle: {
        precondition: [
          {
            // As IAM's ARN spells a name (without a leading /): "t" and "/t" are one parameter to the grants.
            condition: Op.eq(
              Fn.lengthOf(Fn.distinct(parameters.map((p) => (Token.isUnresolved(p) ? Fn.trimprefix(p, "/") : ssmParameterArnName(p))))),
              parameters.length,
            ),
            errorMessage:
              "Two fleets read their runner token from the same SSM parameter: one registration would serve both fleets' jobs " +
              "with different grants. Give each fleet's runnerTokenSsmParameter a parameter of its own.",
          },
        ],
      },
    }).overrideLogicalId("runner_token_parameters_distinct");
  }

  /** The fleet of that name; throws for a name no fleet has. */
  fleet(name: string): RunnerFleet {
    const fleet = this.fleets.find((f) => f.node.id === name);
    if (fleet === undefined)
      throw new Error(`${this.node.path}: no fleet "${name}"; the fleets are ${this.fleets.map((f) => f.node.id).join(", ")}`);
    return fleet;
  }

  private addOutputs(): void {
    const out = (id: string, value: unknown, description: string) =>
      new TerraformOutput(this, id, { value, description }).overrideLogicalId(id);
    out("ci_image_uri", this.ciImageUri, "Default job image of the runners");
    out("ci_image_repository_url", this.ciImage.repositoryUrl, "Repository to push new CI image versions to");
    out("registry_host", this.ciImage.registryHost, "ECR registry host of this account and region");
    out(
      "application_repository_urls",
      Object.fromEntries(this.applicationRepositories.map((a) => [a.repository.repositoryName, a.repository.repositoryUrl])),
      "Application image repositories, by name",
    );
    out("cache_bucket_name", this.cache.bucketName, "Shared runner cache bucket");
    out(
      "pull_through_cache",
      Object.fromEntries(this.pullThroughCache.map(({ rule }) => [rule.upstream, `${rule.registryHost}/${rule.prefix}`])),
      "Pull-through cache prefixes, by upstream registry: pull <prefix>/<upstream path> instead of the upstream",
    );
    out(
      RUNNERS_CHILD_IDS.fleetsOutput,
      Object.fromEntries(
        this.fleets.map((f) => [
          f.node.id,
          {
            executor: f.executor,
            manager_role_name: f.module.runnerAgentRoleName,
            // null for an executor without workers
            worker_role_name: f.module.runnerRoleName,
          },
        ]),
      ),
      "Per fleet: executor and the names of its manager and worker IAM roles",
    );
  }
}

/**
 * Configuration is data (see modules/rules/template-guard.ts): no key or value of the configuration
 * holds a Terraform template sequence. The schema refuses them per field; this runs again at
 * synthesis on what the construct holds, so a configuration changed after validation cannot slip
 * one in.
 */
function templatesInConfiguration(config: RunnersConfig): string[] {
  return jsonTexts(config)
    .filter(({ text }) => {
      const { interpolations, directives } = templateSequences(text);
      return interpolations.length > 0 || directives > 0 || /\$\$\{|%%\{/.test(text);
    })
    .map(
      ({ path, isKey }) =>
        `configuration-is-data: ${formatPath(path)}${isKey ? " (a key)" : ""} holds a Terraform template sequence (\${ or %{); configuration is data`,
    );
}
