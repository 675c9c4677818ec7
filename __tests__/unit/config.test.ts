import { ConfigError, RunnerStackConfigInput, parseConfig } from "../../modules/config/parse";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { z } from "zod";
import { configShape } from "../../modules/config/schema";
import { settableValues } from "../../modules/config/settable-values";
import { ValueRule, zodSchema } from "../../modules/config/value-rules";

/** The problem lines for a configuration, or [] when it is valid. */
function problems(config: unknown): readonly string[] {
  try {
    parseConfig(config);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

function withChange(change: (c: any) => void): RunnerStackConfigInput {
  const c = structuredClone(DEFAULT_CONFIG) as any;
  change(c);
  return c;
}

test("the embedded default is valid and gets its defaults filled in", () => {
  const c = parseConfig(DEFAULT_CONFIG);
  expect(c.gitlab.runnerVersion).toBe("19.5.2");
  expect(c.metadataHopLimit).toBe(2);
  expect(c.backend).toEqual({ type: "local" });
  expect(c.cache.shareBetweenFleets).toBe(false);
  expect(c.fleets.map((f) => [f.executor, f.workers?.maxJobsPerInstance, f.acknowledge])).toEqual([
    ["docker-autoscaler", 1, {}],
    ["docker-autoscaler", 1, {}],
  ]);
  // pull defaults to every fleet; push to none, here set.
  expect(c.repositories[0]).toEqual({
    name: "apps/example-app",
    pull: ["autoscaler", "merge-requests"],
    push: ["autoscaler"],
    usedAsJobImage: true,
    buildCache: true,
    acknowledge: {},
  });
  // The pull-through cache defaults to ECR Public, for every fleet.
  expect(c.pullThroughCache).toEqual([{ prefix: "ecr-public", upstream: "public.ecr.aws", pull: ["autoscaler", "merge-requests"] }]);
  expect(c.ciImage.push).toEqual(["autoscaler"]);
});

// One row per class of bad input: the change, and the line expected among the problems.
const cases: [string, (c: any) => void, string | RegExp][] = [
  ["region", (c) => (c.aws.region = "europe"), /^aws\.region: must be an AWS region such as eu-west-1/],
  ["account id", (c) => (c.aws.accountId = "12345"), "aws.accountId: must be a 12-digit AWS account id"],
  ["account id as number", (c) => (c.aws.accountId = 123456789012), "aws.accountId: must be a string (got a number; quote it)"],
  ["VPC id", (c) => (c.network.vpcId = "vpc-xyz"), /^network\.vpcId: must be a VPC id/],
  ["subnet id", (c) => (c.network.subnetIds = ["subnet-1", "subnet-0123456789abcdef0"]), /^network\.subnetIds\[0\]: must be a subnet id/],
  ["no subnets", (c) => (c.network.subnetIds = []), "network.subnetIds: needs at least one subnet"],
  ["http GitLab URL", (c) => (c.gitlab.url = "http://gitlab.example.com"), /^gitlab\.url: must use https:\/\//],
  [
    "GitLab URL with credentials",
    (c) => (c.gitlab.url = "https://user:pw@gitlab.example.com"),
    /^gitlab\.url: must be a plain URL .*no credentials/,
  ],
  ["GitLab URL with a query", (c) => (c.gitlab.url = "https://gitlab.example.com/?a=b"), /^gitlab\.url: must be a plain URL/],
  ["not a URL", (c) => (c.gitlab.url = "gitlab"), /^gitlab\.url: must use https:\/\//],
  ["runner version", (c) => (c.gitlab.runnerVersion = "latest"), /^gitlab\.runnerVersion: must be a GitLab Runner release/],
  [
    "docker+machine with two instance types",
    (c) => ((c.fleets[0].executor = "docker+machine"), (c.fleets[0].workers.instanceTypes = ["m6i.large", "m5.large"])),
    "fleets[0].workers.instanceTypes: gives 2 instance types, but docker+machine takes exactly one (amazonec2-instance-type); executor: docker-autoscaler spreads workers over several types and subnets",
  ],
  [
    "docker+machine with instance types from a variable",
    (c) => ((c.fleets[0].executor = "docker+machine"), (c.fleets[0].workers.instanceTypes = { terraformVariable: "types" })),
    /^fleets\[0\]\.workers\.instanceTypes: must be a literal list of one instance type with docker\+machine/,
  ],
  [
    "docker+machine in a subnet not listed",
    (c) => ((c.fleets[0].executor = "docker+machine"), (c.fleets[0].workers.subnetId = "subnet-0123456789abcdef0")),
    /^fleets\[0\]\.workers\.subnetId: must be one of network\.subnetIds/,
  ],
  [
    "a worker subnet for docker-autoscaler",
    (c) => (c.fleets[0].workers.subnetId = "subnet-0a1b2c3d4e5f60718"),
    /^fleets\[0\]\.workers\.subnetId: only for docker\+machine: docker-autoscaler spreads its workers over every subnet/,
  ],
  [
    "executor",
    (c) => (c.fleets[0].executor = "kubernetes"),
    'fleets[0].executor: must be one of "docker", "docker+machine" or "docker-autoscaler"',
  ],
  [
    "repository name with capitals",
    (c) => (c.ciImage.repositoryName = "CI/Image"),
    /^ciImage\.repositoryName: must be a valid ECR repository name/,
  ],
  [
    "repository name with double slash",
    (c) => (c.repositories[0].name = "apps//x"),
    /^repositories\[0\]\.name: must be a valid ECR repository name/,
  ],
  ["repository ARN", (c) => (c.repositories = [{ arn: "arn:aws:s3:::bucket" }]), /^repositories\[0\]\.arn: must be an ECR repository ARN/],
  [
    "repository with name and ARN",
    (c) => (c.repositories = [{ name: "x1", arn: "arn:aws:ecr:eu-west-1:123456789012:repository/x1" }]),
    /^repositories\[0\]: set exactly one of name/,
  ],
  [
    "repository equal to the CI image repository",
    (c) => (c.repositories = [{ name: "ci/docker-ecr" }]),
    /^repositories\[0\]\.name: is the CI image repository/,
  ],
  [
    "repositories with the same Terraform address",
    (c) => (c.repositories = [{ name: "apps/web" }, { name: "apps_web" }]),
    /^repositories\[1\]\.name: gives the same Terraform address as repositories\[0\]\.name/,
  ],
  [
    "duplicate repositories",
    (c) => (c.repositories = [{ name: "apps/web" }, { name: "apps/web" }]),
    "repositories[1]: is the same repository as repositories[0] (by name); list each repository once",
  ],
  [
    "access, replaced by pull and push",
    (c) => (c.repositories[0].access = "pull-push"),
    /^repositories\[0\]\.access: was replaced by lists of fleet names: .* For "pull-push" write push: \[autoscaler, merge-requests\]/,
  ],
  [
    "an unknown fleet in push",
    (c) => (c.repositories[0].push = ["prod"]),
    'repositories[0].push[0]: "prod" is not a fleet; the fleets are autoscaler, merge-requests',
  ],
  [
    "an unknown fleet in ciImage.push",
    (c) => (c.ciImage.push = ["autoscaler", "nope"]),
    'ciImage.push[1]: "nope" is not a fleet; the fleets are autoscaler, merge-requests',
  ],
  ["bad image tag", (c) => (c.ciImage.tag = "-bad"), /^ciImage\.tag: must be a Docker tag/],
  ["bad digest", (c) => (c.ciImage = { repositoryName: "ci/docker-ecr", digest: "sha256:abc" }), /^ciImage\.digest: must be sha256:/],
  ["tag and digest", (c) => (c.ciImage.digest = "sha256:" + "0".repeat(64)), /^ciImage: set exactly one of tag or digest/],
  ["neither tag nor digest", (c) => delete c.ciImage.tag, /^ciImage: set exactly one of tag or digest/],
  ["duplicate fleet names", (c) => (c.fleets[1].name = "autoscaler"), 'fleets[1].name: duplicates fleets[0].name "autoscaler"'],
  ["fleet name", (c) => (c.fleets[0].name = "Docker_1"), /^fleets\[0\]\.name: must be 1-20 characters/],
  ["no fleets", (c) => (c.fleets = []), "fleets: needs at least one fleet"],
  [
    "workers on a docker fleet",
    (c) => (c.fleets[0].executor = "docker"),
    /^fleets\[0\]\.workers: only for docker\+machine and docker-autoscaler/,
  ],
  [
    "a worker executor without workers",
    (c) => delete c.fleets[1].workers,
    /^fleets\[1\]\.workers: is required with the docker-autoscaler executor/,
  ],
  ["bucket name with capitals", (c) => (c.cache = { bucketName: "My_Bucket" }), /^cache\.bucketName: must be 3-63 characters/],
  [
    "bucket name like an IP address",
    (c) => (c.cache = { bucketName: "192.168.1.1" }),
    "cache.bucketName: must not be formatted as an IP address",
  ],
  [
    "bucket name with adjacent periods",
    (c) => (c.cache = { bucketName: "a..b" }),
    "cache.bucketName: must not contain two adjacent periods",
  ],
  ["bucket name with reserved prefix", (c) => (c.cache = { bucketName: "xn--cache" }), /^cache\.bucketName: must not start with xn--/],
  ["Name tag", (c) => (c.tags.Name = "runners"), /^tags: must not set Name/],
  ["hop limit 1", (c) => (c.metadataHopLimit = 1), /^metadataHopLimit: must be at least 2/],
  [
    "SSM parameter name",
    (c) => (c.fleets[0].runnerTokenSsmParameter = "my token"),
    /^fleets\[0\]\.runnerTokenSsmParameter: must be an SSM parameter name/,
  ],
  [
    "SSM parameter path without its leading / (SSM refuses it; IAM's ARN would read it as /acme/token)",
    (c) => (c.fleets[0].runnerTokenSsmParameter = "acme/token"),
    /^fleets\[0\]\.runnerTokenSsmParameter: must be a name without \/ \(runner-token\) or a path that starts with \//,
  ],
  [
    "SSM parameter path of 16 levels",
    (c) => (c.fleets[0].runnerTokenSsmParameter = "/a".repeat(16)),
    /^fleets\[0\]\.runnerTokenSsmParameter: must be a name without \/ .*at most 15 levels/,
  ],
  ["misspelt field", (c) => (c.fleets[0].manager.instanceTyp = "t3.large"), /^fleets\[0\]\.manager\.instanceTyp: unknown field/],
  ["missing field", (c) => delete c.network, "network: is required"],
  [
    "instance type",
    (c) => (c.fleets[0].manager.instanceType = "large"),
    /^fleets\[0\]\.manager\.instanceType: must be an EC2 instance type/,
  ],
  [
    "absolute local state path",
    (c) => (c.backend = { type: "local", path: "/var/state.tfstate" }),
    /^backend\.path: must be a relative path/,
  ],
  ["unknown backend", (c) => (c.backend = { type: "gcs" }), 'backend.type: must be one of "local" or "s3"'],
  [
    "environment too long for the module's IAM names",
    (c) => ((c.name = "a-rather-long-stack-name"), (c.fleets[0].name = "a-long-fleet-name-xx")),
    /^fleets\[0\]\.name: with name "a-rather-long-stack-name" gives the module environment .* the module needs at most 44/,
  ],
];

test.each(cases)("rejects a bad %s, naming the field", (_what, change, expected) => {
  const lines = problems(withChange(change));
  expect(lines.length).toBeGreaterThan(0);
  if (typeof expected === "string") expect(lines).toContain(expected);
  else expect(lines.some((l) => expected.test(l))).toBe(true);
});

describe("tokens", () => {
  test.each([
    ["a runner authentication token", "glrt-abcdEFGH1234_xyz"],
    ["a legacy registration token", "GR1348941abcdefghijklmn"],
    ["a personal access token", "glpat-abcdefghij0123456789"],
  ])("%s anywhere in the configuration is rejected with advice", (_what, token) => {
    const lines = problems(withChange((c) => (c.fleets[1].runnerTokenSsmParameter = token)));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^fleets\[1\]\.runnerTokenSsmParameter: the value looks like a GitLab .*token\. .*SSM Parameter Store as a SecureString/,
      ),
    );
  });

  test("a token in an unknown field or a tag is reported too", () => {
    const lines = problems(withChange((c) => ((c.tags.Owner = "glrt-0123456789abcdef"), (c.token = "glrt-0123456789abcdef"))));
    expect(lines).toContainEqual(expect.stringMatching(/^tags\.Owner: the value looks like a GitLab runner authentication token/));
    expect(lines).toContainEqual(expect.stringMatching(/^token: the value looks like a GitLab runner authentication token/));
  });

  test("the error message never repeats the token", () => {
    const lines = problems(withChange((c) => (c.gitlab.url = "https://gitlab.com/?t=glrt-0123456789abcdef")));
    expect(lines.join("\n")).not.toContain("glrt-0123456789abcdef");
  });

  test("ordinary strings that merely contain the letters are accepted", () => {
    expect(problems(withChange((c) => (c.tags.Team = "glrt")))).toEqual([]);
  });
});

test("every problem is reported at once, one line each", () => {
  const lines = problems(withChange((c) => ((c.aws.region = "x"), (c.aws.accountId = "1"), (c.fleets[0].executor = "shell"))));
  expect(lines).toHaveLength(3);
  expect(lines.map((l) => l.split(":")[0])).toEqual(["aws.region", "aws.accountId", "fleets[0].executor"]);
});

describe("runner versions: at or above the credential-helper allowlist fix of each line", () => {
  const verdict = (v: string) => (problems(withChange((c) => (c.gitlab.runnerVersion = v)))[0] ?? "ok").replace(/:.*/s, "");
  test.each(["19.4.0", "19.5.2", "19.3.2", "19.2.4", "19.1.3", "19.3.9", "20.0.0", "21.1.0"])("%s is accepted", (v) =>
    expect(verdict(v)).toBe("ok"),
  );
  test.each(["19.3.1", "19.2.3", "19.1.2", "19.0.9", "18.11.3", "16.0.3"])("%s is refused", (v) => {
    expect(problems(withChange((c) => (c.gitlab.runnerVersion = v)))).toEqual([
      "gitlab.runnerVersion: must be 19.4.0, 19.3.2, 19.2.4, 19.1.3 or later in its line: earlier releases run any credential helper a job's DOCKER_AUTH_CONFIG names, on the manager",
    ]);
  });
});

describe("pull-through namespaces are the stack's own registry's, and the rules in effect are compared", () => {
  const OWN = "arn:aws:ecr:eu-west-1:123456789012:repository/";
  const valid: [string, (c: any) => void][] = [
    [
      "no pull-through cache in China: ecr-public is a name like any other",
      (c) => ((c.aws.region = "cn-north-1"), (c.repositories[0].name = "ecr-public/app")),
    ],
    ["pullThroughCache: [] frees the default prefix", (c) => ((c.pullThroughCache = []), (c.repositories[0].name = "ecr-public/app"))],
    [
      "push to a repository of that name in another region",
      (c) => c.repositories.push({ arn: "arn:aws:ecr:eu-central-1:123456789012:repository/ecr-public/app", push: ["autoscaler"] }),
    ],
    [
      "push to a repository of that name in another account",
      (c) => c.repositories.push({ arn: "arn:aws:ecr:eu-west-1:444455556666:repository/ecr-public/app", push: ["autoscaler"] }),
    ],
    ["pull (no push) from a cached repository", (c) => c.repositories.push({ arn: `${OWN}ecr-public/docker/library/docker` })],
    ["a name that only starts like the prefix", (c) => (c.repositories[0].name = "ecr-public-mirror/app")],
    [
      "one writer of a build cache, another fleet pulling",
      (c) => ((c.repositories[0].push = ["autoscaler"]), (c.repositories[0].pull = ["merge-requests"])),
    ],
    [
      "two writers of a repository without buildCache",
      (c) => ((c.repositories[0].buildCache = false), (c.repositories[0].push = ["autoscaler", "merge-requests"])),
    ],
    [
      "a credentialed upstream with its fleets",
      (c) =>
        (c.pullThroughCache = [
          {
            prefix: "docker-hub",
            upstream: "registry-1.docker.io",
            credentialArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf",
            pull: ["autoscaler"],
          },
        ]),
    ],
    [
      "runner tokens from two variables with two defaults",
      (c) => (
        (c.fleets[0].runnerTokenSsmParameter = { terraformVariable: "a_token", default: "/a" }),
        (c.fleets[1].runnerTokenSsmParameter = { terraformVariable: "b_token", default: "/b" })
      ),
    ],
    [
      "a state bucket apart from the cache bucket",
      (c) => (c.backend = { type: "s3", bucket: "gitlab-runners-state", key: "k", region: "eu-west-1" }),
    ],
  ];
  test.each(valid)("accepts %s", (_what, change) => expect(problems(withChange(change))).toEqual([]));

  test("the same prefix twice is one problem (overlap), not also a shared Terraform address", () => {
    const lines = problems(
      withChange(
        (c) =>
          (c.pullThroughCache = [
            { prefix: "k8s", upstream: "registry.k8s.io" },
            { prefix: "k8s", upstream: "quay.io" },
          ]),
      ),
    );
    expect(lines).toEqual([
      'pullThroughCache[1].prefix: overlaps pullThroughCache[0].prefix "k8s"; each rule needs a namespace of its own',
    ]);
  });

  test("a credentialed upstream's pull list is not filled in: it was required", () => {
    const c = parseConfig(
      withChange(
        (c) =>
          (c.pullThroughCache = [
            { prefix: "ecr-public", upstream: "public.ecr.aws" },
            {
              prefix: "ghcr",
              upstream: "ghcr.io",
              credentialArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/ghcr-AbCdEf",
              pull: ["merge-requests"],
            },
          ]),
      ),
    );
    expect(c.pullThroughCache.map((r) => [r.prefix, r.pull])).toEqual([
      ["ecr-public", ["autoscaler", "merge-requests"]],
      ["ghcr", ["merge-requests"]],
    ]);
  });
});

describe("a mistaken aws field is reported at that field only, without knock-on errors", () => {
  const withLocation = (aws: { region: string; accountId: string }) => ({
    name: "acme",
    aws,
    network: { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0"] },
    gitlab: { url: "https://gitlab.example.com" },
    ciImage: { repositoryName: "ci/image", tag: "1.0.0" },
    pullThroughCache: [
      {
        prefix: "hub",
        upstream: "registry-1.docker.io",
        credentialArn: "arn:aws:secretsmanager:eu-central-1:111122223333:secret:ecr-pullthroughcache/hub-AbCdEf",
        pull: ["scale"],
      },
    ],
    backend: {
      type: "s3",
      bucket: "acme-state",
      key: "r.tfstate",
      region: "eu-central-1",
      kmsKeyId: "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
    fleets: [{ name: "scale", executor: "docker-autoscaler", runnerTokenSsmParameter: "/acme/token", workers: {} }],
  });
  const problems = (config: unknown) => {
    try {
      parseConfig(config, "test");
      return [];
    } catch (e) {
      return (e as ConfigError).problems;
    }
  };

  test.each([
    [{ region: "eu-wst-1", accountId: "111122223333" }, /^aws\.region: must be an AWS region/],
    [{ region: "eu-central-1", accountId: "11112222333" }, /^aws\.accountId: must be a 12-digit AWS account id/],
  ])("%j", (aws, expected) => {
    const found = problems(withLocation(aws));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  test("with a valid location, a secret of another region is still reported", () => {
    expect(problems(withLocation({ region: "eu-west-1", accountId: "111122223333" }))).toEqual([
      expect.stringMatching(/^pullThroughCache\[0\]\.credentialArn: is a secret of account 111122223333 in eu-central-1/),
    ]);
  });
});

describe("the fields a Terraform variable may stand for: the schema's literalOrVariable marks and settableValues agree", () => {
  type Marked = { path: string; literal: z.ZodType };
  /** Every literalOrVariable field of a schema, as a path with `*` for list items. */
  const marked = (schema: z.ZodType, path: readonly string[] = []): Marked[] => {
    const def = (schema as any)._zod.def;
    switch (def.type) {
      case "optional":
      case "default":
      case "prefault":
      case "nullable":
      case "readonly":
        return marked(def.innerType, path);
      case "pipe":
        return marked(def.in, path);
      case "object":
        return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, field]) => marked(field, [...path, key]));
      case "array":
        return marked(def.element, [...path, "*"]);
      case "record":
        return marked(def.valueType, [...path, "*"]);
      case "union": {
        const options = def.options as z.ZodType[];
        const variable = options.find((o) => (o as any)._zod.def.type === "object" && "terraformVariable" in (o as any)._zod.def.shape);
        if (variable !== undefined) return [{ path: path.join("."), literal: options.find((o) => o !== variable)! }];
        return options.flatMap((o) => marked(o, path));
      }
      default:
        return [];
    }
  };
  // Every settable value appears: a fleet with workers, so the workers' fields are listed too.
  const settable = settableValues(parseConfig(DEFAULT_CONFIG)).map((v) => ({
    path: v.path.map((p) => (typeof p === "number" ? "*" : p)).join("."),
    rule: v.rule,
  }));

  test("the same fields, each once", () => {
    const fromSchema = marked(configShape).map((m) => m.path);
    expect(fromSchema.length).toBeGreaterThan(5);
    expect([...new Set(settable.map((s) => s.path))].sort()).toEqual([...fromSchema].sort());
  });

  test("each with the value rule whose literal the schema accepts", () => {
    const literals = new Map(marked(configShape).map((m) => [m.path, m.literal]));
    for (const { path, rule } of settable) {
      expect([path, z.toJSONSchema((zodSchema as (r: ValueRule) => z.ZodType)(rule))]).toEqual([path, z.toJSONSchema(literals.get(path)!)]);
    }
  });
});
