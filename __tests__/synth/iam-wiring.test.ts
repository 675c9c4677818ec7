// Which role gets which rights, per executor. Expected grants are written out by hand from the
// rules (ECR action lists from AWS's documentation, role choice from the module's variables), not
// copied from the synthesized output.
import { parseCredHelpersInstallScript } from "../../modules/support/manager-docker-config";
import { acmeConfig as config, attachedPolicies, grants, policyDocument, synth } from "../support/helpers";

const PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const PUSH = ["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"];
const CACHE_OBJECT = ["s3:GetObject", "s3:PutObject"];

const CI = "arn:aws:ecr:eu-central-1:111122223333:repository/ci/image";
const WEB = "arn:aws:ecr:eu-central-1:111122223333:repository/apps/web";
const BASE = "arn:aws:ecr:eu-central-1:111122223333:repository/apps/base";
const TOOLS = "arn:aws:ecr:us-east-1:444455556666:repository/shared/tools";
const BUCKET = "arn:aws:s3:::acme-runner-cache";

function cacheGrants(): Record<string, string[]> {
  return {
    ...Object.fromEntries(CACHE_OBJECT.map((a) => [a, [`${BUCKET}/*`]])),
    "s3:ListBucket": [BUCKET],
  };
}

// The default pull-through cache rule (ECR Public, prefix ecr-public): every fleet's manager and
// jobs pull through it, which takes pull plus import and create under the prefix, nowhere else.
const PULL_THROUGH = "arn:aws:ecr:eu-central-1:111122223333:repository/ecr-public/*";

function ecrGrants(pull: string[], push: string[]): Record<string, string[]> {
  return {
    "ecr:GetAuthorizationToken": ["*"],
    ...Object.fromEntries(PULL.map((a) => [a, [...pull, PULL_THROUGH].sort()])),
    ...Object.fromEntries(push.length ? PUSH.map((a) => [a, [...push].sort()]) : []),
    "ecr:BatchImportUpstreamImage": [PULL_THROUGH],
    "ecr:CreateRepository": [PULL_THROUGH],
  };
}

describe("docker executor: jobs run on the manager", () => {
  const { json } = synth(config("docker"));
  const mod = json.module.runner_f!;

  test("the manager role alone gets one policy: CI image pull/push, application pull/push, cache", () => {
    expect(attachedPolicies(mod, "runner_role")).toEqual(["f_manager"]);
    expect(mod.runner_worker_docker_machine_role).toBeUndefined();
    expect(mod.runner_worker_docker_autoscaler_role).toBeUndefined();
    expect(Object.keys(json.resource.aws_iam_policy!).filter((n) => n.startsWith("f_"))).toEqual(["f_manager"]);
    expect(grants(policyDocument(json, "f_manager"))).toEqual({
      ...ecrGrants([CI, WEB, BASE, TOOLS], [CI, WEB]),
      ...cacheGrants(),
    });
  });
});

describe.each([
  ["docker+machine", "runner_worker_docker_machine_role", "runner_worker_docker_autoscaler_role"],
  ["docker-autoscaler", "runner_worker_docker_autoscaler_role", "runner_worker_docker_machine_role"],
] as const)("%s executor: jobs run on workers", (executor, workerVariable, otherVariable) => {
  const { json } = synth(config(executor));
  const mod = json.module.runner_f!;

  test("the manager pulls only job images (CI image and repositories marked usedAsJobImage) and uses the cache", () => {
    expect(attachedPolicies(mod, "runner_role")).toEqual(["f_manager"]);
    expect(grants(policyDocument(json, "f_manager"))).toEqual({ ...ecrGrants([CI, BASE, TOOLS], []), ...cacheGrants() });
  });

  test(`the worker role (${workerVariable}) pulls what its lists allow and pushes the CI image and apps/web, no cache`, () => {
    expect(attachedPolicies(mod, workerVariable)).toEqual(["f_workers"]);
    expect(mod[otherVariable]).toBeUndefined();
    expect(grants(policyDocument(json, "f_workers"))).toEqual(ecrGrants([CI, WEB, BASE, TOOLS], [CI, WEB]));
  });

  test("fleet u, named in no push list and not in apps/base's pull list, pulls the rest and pushes nothing", () => {
    expect(grants(policyDocument(json, "u_workers"))).toEqual(ecrGrants([CI, WEB, TOOLS], []));
    expect(grants(policyDocument(json, "u_manager"))).toEqual({ ...ecrGrants([CI, TOOLS], []), ...cacheGrants() });
  });
});

describe.each(["docker", "docker+machine", "docker-autoscaler"] as const)("%s executor: common rules", (executor) => {
  const { json } = synth(config(executor));
  const mod = json.module.runner_f!;
  const docs = Object.keys(json.resource.aws_iam_policy!).map((name) => policyDocument(json, name));

  test("only ecr:GetAuthorizationToken uses Resource *", () => {
    for (const doc of docs) {
      for (const s of doc.Statement) {
        if (s.Resource.includes("*")) expect(s).toMatchObject({ Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] });
        for (const a of s.Action) expect(a).not.toContain("*");
      }
    }
  });

  test("policy documents are literal JSON (no Terraform expression inside)", () => {
    for (const name of Object.keys(json.resource.aws_iam_policy!)) {
      expect(json.resource.aws_iam_policy![name].policy).not.toContain("${");
    }
  });

  test("the cache is attached through policy_arns, never through runner_worker_cache.policy, with a namespace per runner", () => {
    expect(mod.runner_worker_cache).toEqual({
      create: false,
      shared: false,
      bucket: "${aws_s3_bucket.cache.bucket}",
      authentication_type: "iam",
    });
  });

  test("the default image is the CI image and the manager has the ECR helper", () => {
    expect(mod.runner_worker_docker_options.image).toBe("111122223333.dkr.ecr.eu-central-1.amazonaws.com/ci/image:2.0.0");
    expect(mod.runner_install.amazon_ecr_credential_helper).toBe(true);
  });

  test("credHelpers hosts are exactly the registry hosts of the job images; no credsStore", () => {
    const script: string = mod.runner_install.pre_install_script;
    expect(parseCredHelpersInstallScript(script)).toEqual({
      "111122223333.dkr.ecr.eu-central-1.amazonaws.com": "ecr-login",
      "444455556666.dkr.ecr.us-east-1.amazonaws.com": "ecr-login",
    });
    expect(script).not.toContain("credsStore");
    expect(script).toContain("/root/.docker/config.json");
  });

  test("every registry host in credHelpers is one the manager may pull from", () => {
    const hosts = Object.keys(parseCredHelpersInstallScript(mod.runner_install.pre_install_script));
    const managerPull: string[] = grants(policyDocument(json, "f_manager"))["ecr:BatchGetImage"]!;
    const pullHosts = new Set(
      managerPull.map((arn) => {
        const [, , , region, account] = arn.split(":");
        return `${account}.dkr.ecr.${region}.amazonaws.com`;
      }),
    );
    for (const h of hosts) expect(pullHosts).toContain(h);
  });

  test("docker-in-docker works: privileged, /certs/client shared", () => {
    expect(mod.runner_worker_docker_options.privileged).toBe(true);
    expect(mod.runner_worker_docker_options.volumes).toEqual(expect.arrayContaining(["/certs/client", "/cache"]));
  });
});
