import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { configWith, synth, testApp } from "../support/helpers";
import { expectedAwsRequirement } from "../support/aws-binding";

describe("the embedded default configuration", () => {
  const { json, text } = synth();

  test("two fleets share one CI image repository and one cache bucket", () => {
    expect(Object.keys(json.module).sort()).toEqual(["runner_autoscaler", "runner_merge-requests"]);
    expect(Object.keys(json.resource.aws_s3_bucket!)).toEqual(["cache"]);
    const images = Object.values(json.module).map((m) => m.runner_worker_docker_options.image);
    expect(new Set(images)).toEqual(new Set(["123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/docker-ecr:1.0.0"]));
    // By reference to the bucket resource: Terraform creates the bucket before any runner uses it.
    const buckets = Object.values(json.module).map((m) => m.runner_worker_cache.bucket);
    expect(new Set(buckets)).toEqual(new Set(["${aws_s3_bucket.cache.bucket}"]));
    expect(json.resource.aws_s3_bucket!.cache.bucket).toBe("gitlab-runners-cache-123456789012-eu-west-1");
    expect(json.resource.aws_ecr_repository!["ci_docker-ecr"].name).toBe("ci/docker-ecr");
  });

  test("each fleet is its own module instance with its own environment", () => {
    expect(json.module["runner_merge-requests"]!.environment).toBe("gitlab-runners-merge-requests");
    expect(json.module.runner_autoscaler!.environment).toBe("gitlab-runners-autoscaler");
    for (const m of Object.values(json.module)) {
      expect(m.source).toBe("cattle-ops/gitlab-runner/aws");
      expect(m.version).toBe("9.5.2");
    }
  });

  test("IMDSv2 everywhere: hop limit 1 on the managers (no containers there), 2 on the workers where jobs run", () => {
    for (const m of Object.values(json.module)) {
      expect(m.runner_metadata_options).toEqual({
        http_endpoint: "enabled",
        http_tokens: "required",
        http_put_response_hop_limit: 1,
        instance_metadata_tags: "disabled",
      });
      expect(m.runner_worker_docker_autoscaler_instance.http_tokens).toBe("required");
      expect(m.runner_worker_docker_autoscaler_instance.http_put_response_hop_limit).toBe(2);
    }
  });

  test("every job gets a fresh worker instance, and each runner its own cache namespace", () => {
    for (const m of Object.values(json.module)) {
      expect(m.runner_worker_docker_autoscaler.max_use_count).toBe(1);
      expect(m.runner_worker_cache.shared).toBe(false);
    }
  });

  test("the runner token is referenced by SSM parameter name only", () => {
    expect(json.module["runner_merge-requests"]!.runner_gitlab).toEqual({
      url: "https://gitlab.com",
      runner_version: "19.5.2",
      preregistered_runner_token_ssm_parameter_name: "/gitlab-runners/merge-requests/runner-token",
      // The module's deprecated token parameter, never read here; a name of the fleet's own, not the account-wide default.
      access_token_secure_parameter_store_name: "gitlab-runners-merge-requests-unused-access-token",
    });
    expect(json.module["runner_merge-requests"]!.runner_gitlab_registration_token_secure_parameter_store_name).toBe(
      "gitlab-runners-merge-requests-unused-registration-token",
    );
    // No registration token as a value (runner_gitlab.registration_token); the parameter name input above may say it.
    expect(text).not.toMatch(/glrt-|GR1348941|"registration_token"/);
  });

  test("ECR repositories are immutable (but the build cache tags), scanned, encrypted and have a lifecycle policy", () => {
    for (const [name, repo] of Object.entries(json.resource.aws_ecr_repository!)) {
      expect(repo.image_scanning_configuration).toEqual({ scan_on_push: true });
      expect(repo.encryption_configuration).toEqual([{ encryption_type: "AES256" }]);
      const rules = JSON.parse(json.resource.aws_ecr_lifecycle_policy![name].policy).rules;
      expect(rules.map((r: any) => r.selection.tagStatus)).toEqual(["untagged", "tagged"]);
      expect(rules[1].selection).toMatchObject({ countType: "imageCountMoreThan", countNumber: 30 });
    }
    expect(json.resource.aws_ecr_repository!["ci_docker-ecr"].image_tag_mutability).toBe("IMMUTABLE");
    // apps/example-app keeps a BuildKit registry cache: only tags matching buildcache* move.
    expect(json.resource.aws_ecr_repository!["apps_example-app"]).toMatchObject({
      image_tag_mutability: "IMMUTABLE_WITH_EXCLUSION",
      image_tag_mutability_exclusion_filter: [{ filter: "buildcache*", filter_type: "WILDCARD" }],
    });
  });

  test("the pull-through cache for ECR Public: a rule, and a template for the repositories it creates (mutable, encrypted, expiring)", () => {
    expect(json.resource.aws_ecr_pull_through_cache_rule!["ecr-public"]).toEqual({
      ecr_repository_prefix: "ecr-public",
      upstream_registry_url: "public.ecr.aws",
    });
    const template = json.resource.aws_ecr_repository_creation_template!["ecr-public"];
    expect(template).toMatchObject({
      prefix: "ecr-public",
      applied_for: ["PULL_THROUGH_CACHE"],
      image_tag_mutability: "MUTABLE",
      encryption_configuration: [{ encryption_type: "AES256" }],
    });
    expect(JSON.parse(template.lifecycle_policy).rules.map((r: any) => r.selection.tagStatus)).toEqual(["untagged", "tagged"]);
    expect(json.output.pull_through_cache!.value).toEqual({ "public.ecr.aws": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public" });
  });

  test("the cache bucket is encrypted, not public, TLS-only, and expires objects", () => {
    const r = json.resource;
    expect(r.aws_s3_bucket_public_access_block!.cache).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(r.aws_s3_bucket_server_side_encryption_configuration!.cache.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe(
      "AES256",
    );
    const policy = JSON.parse(r.aws_s3_bucket_policy!.cache.policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    ]);
    expect(r.aws_s3_bucket_lifecycle_configuration!.cache.rule[0].expiration).toEqual([{ days: 14 }]);
  });

  test("the provider is pinned to the configured account and region, with default tags", () => {
    expect(json.provider.aws![0]).toEqual({
      region: "eu-west-1",
      allowed_account_ids: ["123456789012"],
      default_tags: [{ tags: { Project: "gitlab-runners", ManagedBy: "cdktf" } }],
    });
  });

  test("the local backend path is relative", () => {
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.test.tfstate" } });
  });

  test("outputs: CI image, registry host, application repositories, roles per fleet, cache bucket", () => {
    expect(json.output.ci_image_uri!.value).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/docker-ecr:1.0.0");
    expect(json.output.registry_host!.value).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    expect(json.output.application_repository_urls!.value).toEqual({
      "apps/example-app": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/apps/example-app",
    });
    expect(json.output.cache_bucket_name!.value).toBe("gitlab-runners-cache-123456789012-eu-west-1");
    expect(json.output.fleets!.value).toEqual({
      "merge-requests": {
        executor: "docker-autoscaler",
        manager_role_name: "${module.runner_merge-requests.runner_agent_role_name}",
        worker_role_name: "${module.runner_merge-requests.runner_role_name}",
      },
      autoscaler: {
        executor: "docker-autoscaler",
        manager_role_name: "${module.runner_autoscaler.runner_agent_role_name}",
        worker_role_name: "${module.runner_autoscaler.runner_role_name}",
      },
    });
  });

  test("Terraform treats ${ and %{ in JSON strings as templates: only intended references contain them, no script or document", () => {
    const templated: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (typeof v === "string" && /[$%]\{/.test(v)) templated.push(path);
      else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(json.module, "module");
    walk(json.resource, "resource");
    expect(templated.sort()).toEqual([
      "module.runner_autoscaler.runner_role.policy_arns[0]",
      "module.runner_autoscaler.runner_worker_cache.bucket",
      "module.runner_autoscaler.runner_worker_docker_autoscaler_role.policy_arns[0]",
      "module.runner_merge-requests.runner_role.policy_arns[0]",
      "module.runner_merge-requests.runner_worker_cache.bucket",
      "module.runner_merge-requests.runner_worker_docker_autoscaler_role.policy_arns[0]",
      "resource.aws_ecr_lifecycle_policy.apps_example-app.repository",
      "resource.aws_ecr_lifecycle_policy.ci_docker-ecr.repository",
      "resource.aws_s3_bucket_lifecycle_configuration.cache.bucket",
      "resource.aws_s3_bucket_ownership_controls.cache.bucket",
      "resource.aws_s3_bucket_policy.cache.bucket",
      "resource.aws_s3_bucket_public_access_block.cache.bucket",
      "resource.aws_s3_bucket_server_side_encryption_configuration.cache.bucket",
    ]);
  });

  test("synthesizing twice gives byte-identical output", () => {
    expect(synth().text).toBe(text);
  });
});

describe("configuration choices", () => {
  test("an image pinned by digest becomes the default image by digest", () => {
    const digest = "sha256:" + "ab".repeat(32);
    const { json } = synth(configWith({ ciImage: { repositoryName: "ci/docker-ecr", digest } }));
    expect(json.module.runner_autoscaler!.runner_worker_docker_options.image).toBe(
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/docker-ecr@${digest}`,
    );
  });

  test("a larger hop limit reaches where jobs run (workers; the docker executor's manager), never a worker executor's manager", () => {
    const docker = {
      name: "docker",
      executor: "docker" as const,
      runnerTokenSsmParameter: "/t",
      acknowledge: { "jobs-not-on-manager": "Test: hop limit of a manager that runs jobs" },
    };
    const { json } = synth(configWith({ metadataHopLimit: 3, fleets: [DEFAULT_CONFIG.fleets[0]!, docker] }));
    expect(json.module.runner_docker!.runner_metadata_options.http_put_response_hop_limit).toBe(3);
    expect(json.module.runner_autoscaler!.runner_metadata_options.http_put_response_hop_limit).toBe(1);
    expect(json.module.runner_autoscaler!.runner_worker_docker_autoscaler_instance.http_put_response_hop_limit).toBe(3);
  });

  test("cache.shareBetweenFleets opts into one namespace for every fleet; maxJobsPerInstance reaches both worker executors", () => {
    const machine = {
      ...DEFAULT_CONFIG.fleets[1]!,
      name: "machine",
      executor: "docker+machine" as const,
      workers: { maxJobsPerInstance: 5 },
    };
    const scaler = { ...DEFAULT_CONFIG.fleets[0]!, workers: { maxJobsPerInstance: 7 } };
    const { json } = synth(configWith({ cache: { shareBetweenFleets: true }, fleets: [scaler, machine] }));
    expect(json.module.runner_autoscaler!.runner_worker_cache.shared).toBe(true);
    expect(json.module.runner_machine!.runner_worker_cache.shared).toBe(true);
    expect(json.module.runner_autoscaler!.runner_worker_docker_autoscaler.max_use_count).toBe(7);
    expect(json.module.runner_machine!.runner_worker_docker_machine_instance.destroy_after_max_builds).toBe(5);
  });

  test("docker+machine gets one instance type and one subnet (workers.subnetId, manager included), and a deprecation warning", () => {
    const machine = (workers: object) => [{ ...DEFAULT_CONFIG.fleets[1]!, name: "machine", executor: "docker+machine" as const, workers }];
    const first = synth(configWith({ fleets: machine({ instanceTypes: ["m5.large"] }) })).json.module.runner_machine!;
    expect(first.runner_worker_docker_machine_instance).toMatchObject({ types: ["m5.large"], subnet_ids: ["subnet-0a1b2c3d4e5f60718"] });
    expect(first.subnet_id).toBe("subnet-0a1b2c3d4e5f60718");
    expect(first.runner_worker_docker_machine_fleet).toBeUndefined(); // fleet mode would put a private key into the user data
    const second = synth(configWith({ fleets: machine({ subnetId: "subnet-0f1e2d3c4b5a69788" }) })).json.module.runner_machine!;
    expect(second.runner_worker_docker_machine_instance.subnet_ids).toEqual(["subnet-0f1e2d3c4b5a69788"]);
    expect(second.subnet_id).toBe("subnet-0f1e2d3c4b5a69788");

    const stack = new GitlabRunnerStack(testApp(), "test", configWith({ fleets: machine({}) }));
    const warnings = stack.runners
      .fleet("machine")
      .node.metadata.filter((m) => m.type === "@cdktf/warn")
      .map((m) => m.data);
    expect(warnings).toEqual([
      "GitLab removes the docker+machine executor in GitLab 20.0 (May 2027). Move this fleet before then: set executor: docker-autoscaler (the workers' settings carry over; workers.subnetId goes). " +
        "Meanwhile its workers share one security group that accepts SSH (22) and the Docker API (2376) from every worker of the fleet, and docker-machine's client certificates come from one CA per manager: a privileged job can reach the jobs running at the same time on sibling workers. docker-autoscaler workers accept connections from their manager only.",
    ]);
  });

  test("the manager's ECR login is written before the runner package installs and starts: pre_install_script, 0700/0600, quoted heredoc", () => {
    const install = synth().json.module.runner_autoscaler!.runner_install;
    expect(install.post_install_script).toBeUndefined();
    expect(install.amazon_ecr_credential_helper).toBe(true);
    const lines = (install.pre_install_script as string).split("\n");
    expect(lines.slice(1, 4)).toEqual([
      "install -d -m 0700 /root/.docker",
      "install -m 0600 /dev/null /root/.docker/config.json",
      "cat > /root/.docker/config.json <<'GITLAB_RUNNER_ECR_EOF'",
    ]);
  });

  test("forceDestroy (off by default) lets destroy empty the cache bucket and the created repositories", () => {
    const json = synth().json;
    expect(json.resource.aws_s3_bucket!.cache.force_destroy).toBeUndefined();
    const on = synth(configWith({ forceDestroy: true })).json;
    expect(on.resource.aws_s3_bucket!.cache.force_destroy).toBe(true);
    for (const repo of Object.values(on.resource.aws_ecr_repository!)) expect(repo.force_delete).toBe(true);
  });

  test("docker+machine workers get IMDSv2 with the hop limit", () => {
    const fleets = [{ ...DEFAULT_CONFIG.fleets[1]!, name: "machine", executor: "docker+machine" as const }];
    const { json } = synth(configWith({ fleets }));
    expect(json.module.runner_machine!.runner_worker_docker_machine_ec2_metadata_options).toEqual({
      http_tokens: "required",
      http_put_response_hop_limit: 2,
    });
  });

  test("an S3 backend is encrypted and uses S3 state locking", () => {
    const { json } = synth(configWith({ backend: { type: "s3", bucket: "acme-tf-state", key: "runners.tfstate", region: "eu-west-1" } }));
    expect(json.terraform.backend).toEqual({
      s3: { bucket: "acme-tf-state", key: "runners.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
  });

  test("the configured runner version and cache bucket name are used", () => {
    const { json } = synth(
      configWith({ gitlab: { url: "https://gitlab.example.com", runnerVersion: "19.3.2" }, cache: { bucketName: "my-cache" } }),
    );
    expect(json.module.runner_autoscaler!.runner_gitlab.runner_version).toBe("19.3.2");
    expect(json.module.runner_autoscaler!.runner_worker_cache.bucket).toBe("${aws_s3_bucket.cache.bucket}");
    expect(json.resource.aws_s3_bucket!.cache.bucket).toBe("my-cache");
  });
});

test("the AWS provider is required as a range from the binding's release to the next major, the lock file choosing the release", () => {
  const { json } = synth();
  expect(json.terraform.required_providers.aws).toEqual(expectedAwsRequirement());
});
