// Bad configurations, as a new user or an attacker would write them, each run through the app as
// `npx cdktf synth` runs it: it must exit 1 with a message naming the field, in plain English,
// without a stack trace, without repeating a secret, and leave the output folder as it was (absent
// stays absent; present stays byte-identical). Unusual but valid configurations must synthesize.
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { runApp } from "../../modules/app/app";
import { tempFolder } from "../support/temp-folder";

type Category = "strings are data" | "secrets" | "hostile files" | "checked before writing" | "plain English";
type Config = Record<string, any>;

function base(): Config {
  return {
    name: "acme-runners",
    aws: { region: "eu-central-1", accountId: "210987654321" },
    tags: { Team: "platform" },
    network: { vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: ["subnet-0a1b2c3d4e5f60718"] },
    gitlab: { url: "https://gitlab.acme.internal" },
    ciImage: { repositoryName: "ci/image", tag: "2.0.0", push: ["scale"] },
    repositories: [{ name: "apps/web", push: ["scale"] }],
    fleets: [{ name: "scale", executor: "docker-autoscaler", runnerTokenSsmParameter: "/acme/token", workers: {} }],
  };
}

interface Case {
  readonly category: Category;
  readonly what: string;
  /** The file: bytes, text, or a change to the base configuration (written as YAML or JSON). */
  readonly file: Buffer | string | ((c: Config) => void);
  readonly ext?: ".yaml" | ".json";
  /** A line of the output that names the field. */
  readonly expect: RegExp;
  /** Text that must never appear in the output. */
  readonly secret?: string;
}

const change = (category: Category, what: string, f: (c: Config) => void, expect: RegExp, secret?: string): Case => ({
  category,
  what,
  file: f,
  expect,
  secret,
});
const S: Category = "strings are data";
const K: Category = "secrets";
const H: Category = "hostile files";
const C: Category = "checked before writing";
const E: Category = "plain English";

const TAG_CHARS = /^ {2}- tags\.Team: may hold only letters, digits, spaces and _ \. : \/ = \+ - @/;
const URL_PLAIN = /^ {2}- gitlab\.url: must be a plain URL .*it goes into a shell script on the manager at boot/;
const NOT_A_FLEET = (path: string) => new RegExp(`^ {2}- ${path.replace(/[[\].]/g, "\\$&")}: "\\w+" is not a fleet; the fleets are scale`);
const b64 = (s: string) => Buffer.from(s).toString("base64");
const KMS = "arn:aws:kms:eu-central-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/** Repository ARNs of the base configuration's own registry (account and region). */
const OWN_ECR = "arn:aws:ecr:eu-central-1:210987654321:repository/";
const HUB_SECRET = "arn:aws:secretsmanager:eu-central-1:210987654321:secret:ecr-pullthroughcache/docker-hub-AbCdEf";

const GITLAB_TOKENS: [string, string][] = [
  ["glpat-", "personal, project or group access token"],
  ["gloas-", "OAuth application secret"],
  ["gldt-", "deploy token"],
  ["glrt-", "runner authentication token"],
  ["glrtr-", "runner authentication token"],
  ["glcbt-", "CI/CD job token"],
  ["glptt-", "pipeline trigger token"],
  ["glft-", "feed token"],
  ["glimt-", "incoming mail token"],
  ["glagent-", "agent for Kubernetes token"],
  ["glwt-", "workspace token"],
  ["glsoat-", "SCIM OAuth access token"],
  ["glffct-", "feature flags client token"],
  ["_gitlab_session=", "session cookie"],
  ["GR1348941", "runner registration token"],
];

const deepJson = (n: number) => `{"name": ${"[".repeat(n)}${"]".repeat(n)}}`;

const CASES: Case[] = [
  // Strings that would become Terraform or shell code.
  change(S, "tag value reading a file", (c) => (c.tags.Team = '${file("/etc/passwd")}'), TAG_CHARS),
  change(S, "tag value with a template directive", (c) => (c.tags.Team = "%{ if true }x%{ endif }"), TAG_CHARS),
  change(
    S,
    "tag key with an interpolation",
    (c) => (c.tags["${path.cwd}"] = "x"),
    /^ {2}- tags\["\$\{path\.cwd\}"\]: the key may hold only letters/,
  ),
  change(S, "tag value with a command substitution", (c) => (c.tags.Team = "$(reboot)"), TAG_CHARS),
  change(S, "tag value with backticks", (c) => (c.tags.Team = "`id`"), TAG_CHARS),
  change(S, "tag value with a double quote", (c) => (c.tags.Team = 'a"b'), TAG_CHARS),
  change(S, "tag value with a single quote", (c) => (c.tags.Team = "a'b"), TAG_CHARS),
  change(S, "tag value with a newline", (c) => (c.tags.Team = "a\nb"), TAG_CHARS),
  change(S, "tag value with a backslash", (c) => (c.tags.Team = "a\\b"), TAG_CHARS),
  change(S, "tag value with a comma (docker+machine's tag separator)", (c) => (c.tags.Team = "a,b,c"), TAG_CHARS),
  change(S, "tag value with a dollar sign", (c) => (c.tags.Team = "$HOME"), TAG_CHARS),
  change(
    S,
    "tag key starting with aws:",
    (c) => (c.tags["aws:createdBy"] = "me"),
    /^ {2}- tags\["aws:createdBy"\]: the key must not start with aws:/,
  ),
  change(
    S,
    "tag key starting with AWS: in capitals",
    (c) => (c.tags["AWS:x"] = "me"),
    /^ {2}- tags\["AWS:x"\]: the key must not start with aws:/,
  ),
  change(S, "empty tag key", (c) => (c.tags[""] = "x"), /^ {2}- tags\[""\]: the key must not be empty/),
  change(S, "tag value over 256 characters", (c) => (c.tags.Team = "a".repeat(257)), /^ {2}- tags\.Team: must be at most 256 characters/),
  change(S, "GitLab URL path with a command substitution", (c) => (c.gitlab.url = "https://gitlab.acme.internal/$(reboot)"), URL_PLAIN),
  change(S, "GitLab URL with backticks", (c) => (c.gitlab.url = "https://gitlab.acme.internal/`id`"), URL_PLAIN),
  change(S, "GitLab URL with an interpolation", (c) => (c.gitlab.url = "https://gitlab.acme.internal/${var.x}"), URL_PLAIN),
  change(S, "GitLab URL with a double quote", (c) => (c.gitlab.url = 'https://gitlab.acme.internal/"x'), URL_PLAIN),
  change(S, "GitLab URL with a backslash", (c) => (c.gitlab.url = "https://gitlab.acme.internal/a\\b"), URL_PLAIN),
  change(S, "GitLab URL with a space", (c) => (c.gitlab.url = "https://gitlab.acme.internal/a b"), URL_PLAIN),
  change(S, "GitLab URL with a single quote", (c) => (c.gitlab.url = "https://gitlab.acme.internal/a'b"), URL_PLAIN),
  change(S, "GitLab URL with a newline", (c) => (c.gitlab.url = "https://gitlab.acme.internal/\nreboot"), URL_PLAIN),
  change(S, "GitLab URL with credentials", (c) => (c.gitlab.url = "https://user:pw@gitlab.acme.internal"), URL_PLAIN),
  change(S, "GitLab URL with a query", (c) => (c.gitlab.url = "https://gitlab.acme.internal/?a=$(id)"), URL_PLAIN),
  change(
    S,
    "state key with an interpolation",
    (c) => (c.backend = { type: "s3", bucket: "acme-state", key: "${path.cwd}/x", region: "eu-central-1" }),
    /^ {2}- backend\.key: must be an S3 object key/,
  ),
  change(
    S,
    "state key with a leading slash",
    (c) => (c.backend = { type: "s3", bucket: "acme-state", key: "/x.tfstate", region: "eu-central-1" }),
    /^ {2}- backend\.key: must be an S3 object key/,
  ),
  change(
    S,
    "state key with a space",
    (c) => (c.backend = { type: "s3", bucket: "acme-state", key: "my state", region: "eu-central-1" }),
    /^ {2}- backend\.key: must be an S3 object key/,
  ),
  change(
    S,
    "state KMS key as an interpolation",
    (c) => (c.backend = { type: "s3", bucket: "acme-state", key: "k", region: "eu-central-1", kmsKeyId: "${var.k}" }),
    /^ {2}- backend\.kmsKeyId: must be the ARN of a KMS key or alias/,
  ),
  change(
    S,
    "state KMS key as a bare key id",
    (c) =>
      (c.backend = {
        type: "s3",
        bucket: "acme-state",
        key: "k",
        region: "eu-central-1",
        kmsKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
      }),
    /^ {2}- backend\.kmsKeyId: must be the ARN/,
  ),
  change(
    S,
    "local state path with an interpolation",
    (c) => (c.backend = { type: "local", path: "${path.cwd}.tfstate" }),
    /^ {2}- backend\.path: must be a relative path/,
  ),
  change(
    S,
    "token parameter with a command substitution",
    (c) => (c.fleets[0].runnerTokenSsmParameter = "/acme/$(id)"),
    /^ {2}- fleets\[0\]\.runnerTokenSsmParameter: must be an SSM parameter name/,
  ),
  change(
    S,
    "token parameter with a space",
    (c) => (c.fleets[0].runnerTokenSsmParameter = "/acme/my token"),
    /^ {2}- fleets\[0\]\.runnerTokenSsmParameter: must be an SSM parameter name/,
  ),
  change(
    S,
    "repository name with an interpolation",
    (c) => (c.repositories[0].name = "apps/${x}"),
    /^ {2}- repositories\[0\]\.name: must be a valid ECR repository name/,
  ),
  change(S, "image tag with a dollar sign", (c) => (c.ciImage.tag = "1.0$x"), /^ {2}- ciImage\.tag: must be a Docker tag/),
  change(
    S,
    "bucket name with an interpolation",
    (c) => (c.cache = { bucketName: "${x}" }),
    /^ {2}- cache\.bucketName: must be 3-63 characters/,
  ),
  change(
    S,
    "AMI id with shell",
    (c) => (c.fleets[0].workers.amiId = "ami-123;reboot"),
    /^ {2}- fleets\[0\]\.workers\.amiId: must be an AMI id/,
  ),
  change(
    S,
    "instance type with shell",
    (c) => (c.fleets[0].workers.instanceTypes = ["t3.micro; reboot"]),
    /^ {2}- fleets\[0\]\.workers\.instanceTypes\[0\]: must be an EC2 instance type/,
  ),
  change(
    S,
    "variable name closing an interpolation",
    (c) => (c.network.vpcId = { terraformVariable: "x}${file(1)" }),
    /^ {2}- network\.vpcId\.terraformVariable: must be 1-64 characters/,
  ),
  change(
    S,
    "variable default with shell",
    (c) => (c.gitlab.url = { terraformVariable: "gitlab_url", default: "https://gitlab.acme.internal/$(id)" }),
    /^ {2}- gitlab\.url\.default: must be a plain URL/,
  ),
  change(S, "stack name with a dollar sign", (c) => (c.name = "acme$x"), /^ {2}- name: must be 3-24 characters/),

  // Secrets, as values and as keys, in any field.
  ...GITLAB_TOKENS.map(([prefix, what]) =>
    change(
      K,
      `GitLab ${prefix} token as a tag value`,
      (c) => (c.tags.Owner = `${prefix}AbCdEf0123456789xyz`),
      new RegExp(`^ {2}- tags\\.Owner: the value looks like a GitLab ${what.replace(/[/()]/g, "\\$&")}`),
      `${prefix}AbCdEf0123456789xyz`,
    ),
  ),
  change(
    K,
    "runner token as a tag key",
    (c) => (c.tags["glrt-AbCdEf0123456789xyz"] = "x"),
    /^ {2}- tags\.<a key that looks like a GitLab runner authentication token>: this key looks like/,
    "glrt-AbCdEf0123456789xyz",
  ),
  change(
    K,
    "runner token as an unknown field name",
    (c) => (c["glrt-AbCdEf0123456789xyz"] = 1),
    /^ {2}- <a key that looks like a GitLab runner authentication token>: unknown field/,
    "glrt-AbCdEf0123456789xyz",
  ),
  change(
    K,
    "token as a nested unknown key",
    (c) => (c.fleets[0]["glpat-AbCdEf0123456789xyz"] = true),
    /^ {2}- fleets\[0\]\.<a key that looks like a GitLab personal/,
    "glpat-AbCdEf0123456789xyz",
  ),
  change(
    K,
    "AWS access key id as a tag value",
    (c) => (c.tags.Key = "AKIAIOSFODNN7EXAMPLE"),
    /^ {2}- tags\.Key: the value looks like an AWS access key id/,
    "AKIAIOSFODNN7EXAMPLE",
  ),
  change(
    K,
    "temporary AWS access key id",
    (c) => (c.tags.Key = "ASIAIOSFODNN7EXAMPLE"),
    /^ {2}- tags\.Key: the value looks like an AWS access key id/,
    "ASIAIOSFODNN7EXAMPLE",
  ),
  change(
    K,
    "AWS access key id as a tag key",
    (c) => (c.tags.AKIAIOSFODNN7EXAMPLE = "x"),
    /^ {2}- tags\.<a key that looks like an AWS access key id>/,
    "AKIAIOSFODNN7EXAMPLE",
  ),
  change(
    K,
    "AWS secret key under a key that names it",
    (c) => (c.aws.secret_access_key = "abcdefghijklmnopqrstuvwxyzabcdefghijklmn"),
    /^ {2}- aws\.secret_access_key: the value looks like an AWS secret access key/,
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmn",
  ),
  change(
    K,
    "random-looking AWS secret key as a tag value",
    (c) => (c.tags.Key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    /^ {2}- tags\.Key: the value looks like an AWS secret access key/,
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  ),
  change(
    K,
    "PEM private key in an unknown field",
    (c) => (c.sshKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"),
    /^ {2}- sshKey: the value looks like a private key/,
    "b3BlbnNzaC1rZXktdjEAAAAA",
  ),
  change(
    K,
    "base64 of a runner token",
    (c) => (c.tags.Blob = b64("glrt-AbCdEf0123456789xyz")),
    /^ {2}- tags\.Blob: the value looks like a GitLab runner authentication token, base64-encoded/,
    b64("glrt-AbCdEf0123456789xyz"),
  ),
  change(
    K,
    "base64 of a Docker auth document holding a token",
    (c) => (c.dockerAuth = b64('{"auths":{"gitlab.acme.internal":{"auth":"glpat-AbCdEf0123456789xyz"}}}')),
    /^ {2}- dockerAuth: the value looks like a GitLab personal.*base64-encoded/,
    "glpat-AbCdEf0123456789xyz",
  ),
  change(
    K,
    "token instead of the parameter name",
    (c) => (c.fleets[0].runnerTokenSsmParameter = "glrt-AbCdEf0123456789xyz"),
    /^ {2}- fleets\[0\]\.runnerTokenSsmParameter: the value looks like a GitLab runner authentication token\. .*SecureString/,
    "glrt-AbCdEf0123456789xyz",
  ),
  change(
    K,
    "token as a variable default",
    (c) => (c.gitlab.url = { terraformVariable: "gitlab_url", default: "https://glrt-AbCdEf0123456789xyz.example.com" }),
    /^ {2}- gitlab\.url\.default: the value looks like a GitLab runner/,
    "glrt-AbCdEf0123456789xyz",
  ),
  change(
    K,
    "token in an acknowledgement reason",
    (c) => (c.fleets[0].acknowledge = { "jobs-not-on-manager": "approved with glpat-AbCdEf0123456789xyz" }),
    /^ {2}- fleets\[0\]\.acknowledge\["jobs-not-on-manager"\]: the value looks like a GitLab personal/,
    "glpat-AbCdEf0123456789xyz",
  ),
  {
    category: K,
    what: "token in an unresolved YAML alias (a parser message would quote it)",
    file: "name: *glrt-AbCdEf0123456789xyz\n",
    expect: /^ {2}- \(file\): not valid YAML: Unresolved alias .*: <redacted: a GitLab runner authentication token>$/,
    secret: "glrt-AbCdEf0123456789xyz",
  },
  {
    category: K,
    what: "token in malformed JSON (V8 would quote it)",
    file: '{"name": glrt-AbCdEf0123456789xyz}',
    ext: ".json",
    expect: /^ {2}- \(file\): not valid JSON: Unexpected token/,
    secret: "AbCdEf0123456789xyz",
  },

  // Hostile files.
  {
    category: H,
    what: "JSON nested 2,000 levels deep",
    file: deepJson(2000),
    ext: ".json",
    expect: /^ {2}- \(file\): nested more than 16 levels deep at line 1, column/,
  },
  {
    category: H,
    what: "YAML nested 2,000 levels deep (flow)",
    file: `name: ${"[".repeat(2000)}${"]".repeat(2000)}\n`,
    expect: /^ {2}- \(root\): nested more than 16 levels deep|^ {2}- \(file\): nested too deeply/,
  },
  {
    category: H,
    what: "YAML nested 40 levels deep (blocks)",
    file: Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n") + " x\n",
    expect: /^ {2}- \(root\): nested more than 16 levels deep/,
  },
  {
    category: H,
    what: "a file over 1 MB",
    file: `${stringify(base())}#${"x".repeat(1024 * 1024)}\n`,
    expect: /^ {2}- \(file\): is 1\.0 MB; a configuration file may be at most 1 MB/,
  },
  {
    category: H,
    what: "900 KB of invalid entries",
    file: stringify({ ...base(), ...Object.fromEntries(Array.from({ length: 30000 }, (_, i) => [`junk${i}`, i])) }),
    expect: /^ {2}… and 29950 more problems$/,
  },
  {
    category: H,
    what: "JSON with a repeated top-level key (another account id)",
    file: JSON.stringify(base()).replace('"aws":', '"aws":{"region":"eu-central-1","accountId":"999988887777"},"aws":'),
    ext: ".json",
    expect: /^ {2}- aws: is given twice in the same object \(JSON keeps the last silently; remove one\) at line 1, column/,
  },
  {
    category: H,
    what: "JSON with a repeated nested key",
    file: JSON.stringify(base()).replace('"name":"scale"', '"name":"scale","name":"prod"'),
    ext: ".json",
    expect: /^ {2}- fleets\[0\]\.name: is given twice in the same object/,
  },
  {
    category: H,
    what: "YAML with a repeated key",
    file: `${stringify(base())}aws:\n  region: eu-central-1\n  accountId: "999988887777"\n`,
    expect: /^ {2}- \(file\): not valid YAML at line \d+, column 1: Map keys must be unique/,
  },
  {
    category: H,
    what: "UTF-16LE with a byte order mark",
    file: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(stringify(base()), "utf16le")]),
    expect: /^ {2}- \(file\): is UTF-16 text; save it as UTF-8/,
  },
  {
    category: H,
    what: "UTF-16BE with a byte order mark",
    file: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(stringify(base()), "utf16le").swap16()]),
    expect: /^ {2}- \(file\): is UTF-16 text; save it as UTF-8/,
  },
  {
    category: H,
    what: "UTF-16LE without a byte order mark",
    file: Buffer.from(stringify(base()), "utf16le"),
    ext: ".json",
    expect: /^ {2}- \(file\): is UTF-16 text; save it as UTF-8/,
  },
  {
    category: H,
    what: "a binary file (an ELF header)",
    file: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x3e, 0x00]),
    expect: /^ {2}- \(file\): is a binary file, not JSON or YAML text/,
  },
  {
    category: H,
    what: "a binary file (a gzip archive)",
    file: require("node:zlib").gzipSync(stringify(base())),
    expect: /^ {2}- \(file\): is (a binary file|not valid UTF-8)/,
  },
  {
    category: H,
    what: "Latin-1 text (not UTF-8)",
    file: Buffer.from("name: caf\xe9\n", "latin1"),
    expect: /^ {2}- \(file\): is not valid UTF-8 text/,
  },
  {
    category: H,
    what: "a YAML alias bomb",
    file: `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from(
      { length: 8 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(",")}]`,
    ).join("\n")}\n`,
    expect: /^ {2}- \(file\): not valid YAML.*[Ee]xcessive alias count/,
  },
  { category: H, what: "an empty file", file: "", expect: /^ {2}- \(root\): must be an object \(got null\)/ },
  {
    category: H,
    what: "JSON whose top level is a list",
    file: "[1, 2, 3]",
    ext: ".json",
    expect: /^ {2}- \(root\): must be an object \(got a list\)/,
  },
  {
    category: H,
    what: "JSON with a trailing comma",
    file: '{"name": "acme-runners",}',
    ext: ".json",
    expect: /^ {2}- \(file\): not valid JSON/,
  },
  {
    category: H,
    what: "JSON with a missing comma (the parser's whole sentence, not cut at its quotes)",
    file: '{"name": "acme-runners" "aws": {}}',
    ext: ".json",
    expect: /^ {2}- \(file\): not valid JSON at line 1, column \d+: Expected .*[a-z]$/,
  },
  { category: H, what: "YAML that is one string", file: "just some text\n", expect: /^ {2}- \(root\): must be an object \(got a string\)/ },

  // Semantic checks that used to come late (construct errors) or never.
  change(
    C,
    "docker-autoscaler without workers",
    (c) => delete c.fleets[0].workers,
    /^ {2}- fleets\[0\]\.workers: is required with the docker-autoscaler executor/,
  ),
  change(
    C,
    "docker+machine without workers",
    (c) => ((c.fleets[0].executor = "docker+machine"), delete c.fleets[0].workers),
    /^ {2}- fleets\[0\]\.workers: is required with the docker\+machine executor/,
  ),
  change(
    C,
    "docker with workers",
    (c) => (c.fleets[0].executor = "docker"),
    /^ {2}- fleets\[0\]\.workers: only for docker\+machine and docker-autoscaler/,
  ),
  change(
    C,
    "repository in the China partition from an aws stack",
    (c) => (c.repositories = [{ arn: "arn:aws-cn:ecr:cn-north-1:210987654321:repository/x" }]),
    /^ {2}- repositories\[0\]\.arn: is in partition aws-cn, but the stack's region eu-central-1 is in aws/,
  ),
  change(
    C,
    "repository in GovCloud from an aws stack",
    (c) => (c.repositories = [{ arn: "arn:aws-us-gov:ecr:us-gov-west-1:210987654321:repository/x" }]),
    /^ {2}- repositories\[0\]\.arn: is in partition aws-us-gov/,
  ),
  change(
    C,
    "repository ARN in a region that does not exist",
    (c) => (c.repositories = [{ arn: "arn:aws:ecr:eu-west-9:210987654321:repository/x" }]),
    /^ {2}- repositories\[0\]\.arn: must be an ECR repository ARN .*in a known region/,
  ),
  change(
    C,
    "repository ARN whose partition does not match its region",
    (c) => (c.repositories = [{ arn: "arn:aws:ecr:cn-north-1:210987654321:repository/x" }]),
    /^ {2}- repositories\[0\]\.arn: must be an ECR repository ARN/,
  ),
  change(
    C,
    "the CI image repository again by ARN, with push",
    (c) => (c.repositories = [{ arn: "arn:aws:ecr:eu-central-1:210987654321:repository/ci/image", push: ["scale"] }]),
    /^ {2}- repositories\[0\]\.arn: is the CI image repository/,
  ),
  change(
    C,
    "the CI image repository again by name",
    (c) => (c.repositories = [{ name: "ci/image" }]),
    /^ {2}- repositories\[0\]\.name: is the CI image repository/,
  ),
  change(
    C,
    "one repository by name and by its own ARN",
    (c) => c.repositories.push({ arn: "arn:aws:ecr:eu-central-1:210987654321:repository/apps/web" }),
    /^ {2}- repositories\[1\]: is the same repository as repositories\[0\] \(by ARN\)/,
  ),
  change(
    C,
    "one ARN twice",
    (c) =>
      (c.repositories = [
        { arn: "arn:aws:ecr:us-east-1:310987654321:repository/x" },
        { arn: "arn:aws:ecr:us-east-1:310987654321:repository/x" },
      ]),
    /^ {2}- repositories\[1\]: is the same repository as repositories\[0\]/,
  ),
  change(
    C,
    "a region that does not exist",
    (c) => (c.aws.region = "eu-west-4"),
    /^ {2}- aws\.region: must be an AWS region such as eu-west-1/,
  ),
  change(C, "a misspelt region", (c) => (c.aws.region = "eu-centrl-1"), /^ {2}- aws\.region: must be an AWS region/),
  change(
    C,
    "a state bucket region that does not exist",
    (c) => (c.backend = { type: "s3", bucket: "acme-state", key: "k", region: "us-east-7" }),
    /^ {2}- backend\.region: must be an AWS region/,
  ),
  change(
    C,
    "a state bucket in another partition",
    (c) => (c.backend = { type: "s3", bucket: "acme-state", key: "k", region: "cn-north-1" }),
    /^ {2}- backend\.region: is in partition aws-cn, but the stack's region eu-central-1 is in aws/,
  ),
  change(
    C,
    "a state KMS key in another region",
    (c) =>
      (c.backend = {
        type: "s3",
        bucket: "acme-state",
        key: "k",
        region: "eu-central-1",
        kmsKeyId: KMS.replace("eu-central-1", "us-east-1"),
      }),
    /^ {2}- backend\.kmsKeyId: is a key in us-east-1, but the state bucket is in eu-central-1/,
  ),
  change(
    C,
    "a state KMS key in another partition",
    (c) =>
      (c.backend = {
        type: "s3",
        bucket: "acme-state",
        key: "k",
        region: "eu-central-1",
        kmsKeyId: KMS.replace("arn:aws:", "arn:aws-us-gov:"),
      }),
    /^ {2}- backend\.kmsKeyId: must be the ARN|^ {2}- backend\.kmsKeyId: is a key in/,
  ),
  change(
    C,
    "an absolute state path",
    (c) => (c.backend = { type: "local", path: "/var/lib/state.tfstate" }),
    /^ {2}- backend\.path: must be a relative path/,
  ),
  change(
    C,
    "a Windows state path",
    (c) => (c.backend = { type: "local", path: "C:\\terraform\\state.tfstate" }),
    /^ {2}- backend\.path: must be a relative path/,
  ),
  change(
    C,
    "a Windows relative state path",
    (c) => (c.backend = { type: "local", path: "..\\..\\state.tfstate" }),
    /^ {2}- backend\.path: must be a relative path/,
  ),
  change(
    C,
    "a home state path",
    (c) => (c.backend = { type: "local", path: "~/state.tfstate" }),
    /^ {2}- backend\.path: must be a relative path/,
  ),
  change(
    C,
    "a state path leaving the project folder",
    (c) => (c.backend = { type: "local", path: "../../../../elsewhere.tfstate" }),
    /^ {2}- backend\.path: leaves the project folder/,
  ),
  change(
    C,
    "a state path naming another file",
    (c) => (c.backend = { type: "local", path: "../../../package.json" }),
    /^ {2}- backend\.path: must end in \.tfstate/,
  ),
  change(
    C,
    "a docker fleet without acknowledgement (a security rule)",
    (c) => ((c.fleets[0].executor = "docker"), delete c.fleets[0].workers),
    /^ {2}\[acme-runners\/runners\/scale\/runner\] jobs-not-on-manager: the docker executor runs jobs on the manager/,
  ),
  change(
    C,
    "an acknowledgement of an unknown rule",
    (c) => (c.fleets[0].acknowledge = { "no-such-rule": "because we said so" }),
    /^ {2}- fleets\[0\]\.acknowledge\["no-such-rule"\]: the key must name a security rule that can be acknowledged/,
  ),
  change(
    C,
    "an acknowledgement of the configuration-is-data guard",
    (c) => (c.fleets[0].acknowledge = { "configuration-is-data": "because we said so" }),
    /^ {2}- fleets\[0\]\.acknowledge\["configuration-is-data"\]: the key must name a security rule that can be acknowledged/,
  ),
  change(
    C,
    "an acknowledgement without a real reason",
    (c) => (c.fleets[0].acknowledge = { "jobs-not-on-manager": "ok" }),
    /^ {2}- fleets\[0\]\.acknowledge\["jobs-not-on-manager"\]: must say why in at least 10 characters/,
  ),
  change(
    C,
    "an acknowledgement breaking the report's table",
    (c) => (c.fleets[0].acknowledge = { "jobs-not-on-manager": "fine | really fine" }),
    /^ {2}- fleets\[0\]\.acknowledge\["jobs-not-on-manager"\]: may not hold control characters or \|/,
  ),
  change(
    C,
    "the removed access field",
    (c) => (c.repositories[0].access = "pull-push"),
    /^ {2}- repositories\[0\]\.access: was replaced by lists of fleet names: .* write push: \[scale\]/,
  ),
  change(C, "push naming no fleet", (c) => (c.repositories[0].push = ["prod"]), NOT_A_FLEET("repositories[0].push[0]")),
  change(C, "pull naming no fleet", (c) => (c.repositories[0].pull = ["scale", "prod"]), NOT_A_FLEET("repositories[0].pull[1]")),
  change(C, "ciImage.push naming no fleet", (c) => (c.ciImage.push = ["prod"]), NOT_A_FLEET("ciImage.push[0]")),
  change(
    C,
    "a fleet listed twice in push",
    (c) => (c.repositories[0].push = ["scale", "scale"]),
    /^ {2}- repositories\[0\]\.push\[1\]: lists "scale" twice/,
  ),
  change(
    C,
    "two fleets of one name",
    (c) => c.fleets.push({ ...c.fleets[0] }),
    /^ {2}- fleets\[1\]\.name: duplicates fleets\[0\]\.name "scale"/,
  ),
  change(
    C,
    "a module environment too long for IAM names",
    (c) => (
      (c.name = "a-very-long-stack-name-x"),
      (c.fleets[0].name = "a-long-fleet-name-xy"),
      (c.ciImage.push = []),
      (c.repositories[0].push = [])
    ),
    /^ {2}- fleets\[0\]\.name: with name "a-very-long-stack-name-x" gives the module environment/,
  ),
  change(
    C,
    "tag and digest both",
    (c) => (c.ciImage.digest = `sha256:${"0".repeat(64)}`),
    /^ {2}- ciImage: set exactly one of tag or digest/,
  ),
  change(
    C,
    "more than 40 tags",
    (c) => (c.tags = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`t${i}`, "x"]))),
    /^ {2}- tags: at most 40 tags/,
  ),
  change(C, "a Name tag", (c) => (c.tags.Name = "runners"), /^ {2}- tags: must not set Name/),

  // Pull-through namespaces belong to the cache: against the rules in effect, the implied default included.
  change(
    C,
    "push into the default pull-through prefix by ARN",
    (c) => c.repositories.push({ arn: `${OWN_ECR}ecr-public/docker/library/docker`, push: ["scale"] }),
    /^ {2}- repositories\[1\]\.push: gives push on ecr-public\/docker\/library\/docker, a pull-through cache repository \(prefix "ecr-public" of the default pull-through rule/,
  ),
  change(
    C,
    "push into a written pull-through prefix by ARN",
    (c) => (
      (c.pullThroughCache = [{ prefix: "k8s", upstream: "registry.k8s.io" }]),
      c.repositories.push({ arn: `${OWN_ECR}k8s/pause`, push: ["scale"] })
    ),
    /^ {2}- repositories\[1\]\.push: gives push on k8s\/pause, a pull-through cache repository \(prefix "k8s" of pullThroughCache\[0\]\)/,
  ),
  change(
    C,
    "a created repository under the default pull-through prefix",
    (c) => (c.repositories[0].name = "ecr-public/x"),
    /^ {2}- repositories\[0\]\.name: "ecr-public\/x" lies under the pull-through prefix "ecr-public" of the default pull-through rule/,
  ),
  change(
    C,
    "the CI image under a written pull-through prefix",
    (c) => ((c.pullThroughCache = [{ prefix: "quay", upstream: "quay.io" }]), (c.ciImage.repositoryName = "quay/ci")),
    /^ {2}- ciImage\.repositoryName: "quay\/ci" lies under the pull-through prefix "quay" of pullThroughCache\[0\]/,
  ),
  change(
    C,
    "a credentialed upstream without its fleets",
    (c) => (c.pullThroughCache = [{ prefix: "docker-hub", upstream: "registry-1.docker.io", credentialArn: HUB_SECRET }]),
    /^ {2}- pullThroughCache\[0\]\.pull: is required with credentials \(Docker Hub pulls with the secret's account\)/,
  ),
  change(
    C,
    "two pull-through prefixes differing only in . and _",
    (c) =>
      (c.pullThroughCache = [
        { prefix: "k8s.io", upstream: "registry.k8s.io" },
        { prefix: "k8s_io", upstream: "quay.io" },
      ]),
    /^ {2}- pullThroughCache\[1\]\.prefix: gives the same Terraform address as pullThroughCache\[0\]\.prefix "k8s\.io"/,
  ),
  // One runner token per fleet.
  change(
    C,
    "two fleets with one runner token",
    (c) => c.fleets.push({ ...c.fleets[0], name: "other" }),
    /^ {2}- fleets\[1\]\.runnerTokenSsmParameter: "\/acme\/token" is the parameter fleets\[0\]\.runnerTokenSsmParameter names too/,
  ),
  change(
    C,
    "two fleets with one runner token, once without its leading /",
    (c) => c.fleets.push({ ...c.fleets[0], name: "other", runnerTokenSsmParameter: "acme/token" }),
    /^ {2}- fleets\[1\]\.runnerTokenSsmParameter: must be a name without \/ \(runner-token\) or a path that starts with \//,
  ),
  change(
    C,
    "two fleets with one runner token: a simple name, and the same with a leading / (one ARN, parameter/token)",
    (c) => (
      (c.fleets[0].runnerTokenSsmParameter = "token"),
      c.fleets.push({ ...c.fleets[0], name: "other", runnerTokenSsmParameter: "/token" })
    ),
    /^ {2}- fleets\[1\]\.runnerTokenSsmParameter: "\/token" is the parameter fleets\[0\]\.runnerTokenSsmParameter names too/,
  ),
  change(
    C,
    "two fleets with one runner token variable",
    (c) => (
      (c.fleets[0].runnerTokenSsmParameter = { terraformVariable: "runner_token" }),
      c.fleets.push({ ...c.fleets[0], name: "other" })
    ),
    /^ {2}- fleets\[1\]\.runnerTokenSsmParameter: uses the Terraform variable "runner_token", as fleets\[0\]\.runnerTokenSsmParameter does/,
  ),
  change(
    C,
    "a runner token variable defaulting to another fleet's parameter",
    (c) => c.fleets.push({ ...c.fleets[0], name: "other", runnerTokenSsmParameter: { terraformVariable: "t", default: "/acme/token" } }),
    /^ {2}- fleets\[1\]\.runnerTokenSsmParameter\.default: "\/acme\/token" is the parameter fleets\[0\]\.runnerTokenSsmParameter names/,
  ),
  // The state holds the workers' SSH private key: never in the bucket every manager writes.
  change(
    C,
    "the cache bucket is the state bucket",
    (c) => ((c.cache = { bucketName: "acme-state" }), (c.backend = { type: "s3", bucket: "acme-state", key: "k", region: "eu-central-1" })),
    /^ {2}- cache\.bucketName: is the state bucket \(backend\.bucket\): every runner manager may read and write the cache bucket/,
  ),
  change(
    C,
    "the state bucket is the cache bucket's default name",
    (c) => (c.backend = { type: "s3", bucket: "acme-runners-cache-210987654321-eu-central-1", key: "k", region: "eu-central-1" }),
    /^ {2}- backend\.bucket: is the cache bucket's default name \(cache\.bucketName left out\)/,
  ),
  // Names the construct tree already holds.
  change(
    C,
    "a fleet named constructor",
    (c) => ((c.fleets[0].name = "constructor"), (c.ciImage.push = []), (c.repositories[0].push = [])),
    /^ {2}- fleets\[0\]\.name: "constructor" is a name every JavaScript object already has/,
  ),
  change(
    C,
    "a stack named constructor",
    (c) => (c.name = "constructor"),
    /^ {2}- name: "constructor" is a name every JavaScript object already has/,
  ),
  ...(["cache", "ci-image", "fleets", "variable-x"] as const).map((name) =>
    change(
      C,
      `a fleet named ${name}`,
      (c) => ((c.fleets[0].name = name), (c.ciImage.push = []), (c.repositories[0].push = [])),
      new RegExp(`^ {2}- fleets\\[0\\]\\.name: "${name}" is (the id of|kept for)`),
    ),
  ),
  ...(["__proto__", "toString", "hasOwnProperty"] as const).map((name) =>
    change(
      C,
      `a fleet named ${name}`,
      (c) => ((c.fleets[0].name = name), (c.ciImage.push = []), (c.repositories[0].push = [])),
      /^ {2}- fleets\[0\]\.name: must be 1-20 characters: lowercase letters/,
    ),
  ),
  {
    category: C,
    what: "a __proto__ tag key (zod would drop it silently)",
    file: stringify(base()).replace("tags:\n  Team: platform\n", "tags:\n  Team: platform\n  __proto__: x\n"),
    ext: ".yaml",
    expect: /^ {2}- tags\.__proto__: is not accepted as a key/,
  },
  {
    category: C,
    what: "a __proto__ acknowledgement key in JSON",
    file: JSON.stringify(base()).replace('"workers":{}', '"workers":{},"acknowledge":{"__proto__":"a reason long enough"}'),
    ext: ".json",
    expect: /^ {2}- fleets\[0\]\.acknowledge\.__proto__: is not accepted as a key/,
  },
  {
    category: C,
    what: "a __proto__ field in a fleet",
    file: JSON.stringify(base()).replace('"workers":{}', '"workers":{},"__proto__":{"executor":"docker"}'),
    ext: ".json",
    expect: /^ {2}- fleets\[0\]\.__proto__: is not accepted as a key/,
  },
  // ECR cannot limit a push to some tags: one writer per build cache unless acknowledged.
  change(
    C,
    "two fleets pushing to a build cache",
    (c) => (
      c.fleets.push({ ...c.fleets[0], name: "other", runnerTokenSsmParameter: "/acme/other" }),
      (c.repositories[0] = { name: "apps/web", buildCache: true, push: ["scale", "other"] })
    ),
    /^ {2}- repositories\[0\]\.push: lets 2 fleets \(scale, other\) push to a repository with buildCache: ECR cannot limit a push to some tags.* repositories\[0\]\.acknowledge\["build-cache-one-writer"\]$/,
  ),
  change(
    C,
    "a repository acknowledging an unknown rule",
    (c) => (c.repositories[0].acknowledge = { "one-writer": "both fleets are ours, reviewed" }),
    /^ {2}- repositories\[0\]\.acknowledge\["one-writer"\]: the key must name a security rule that can be acknowledged: .*build-cache-one-writer/,
  ),
  change(
    C,
    "a build cache acknowledgement without a real reason",
    (c) => (c.repositories[0].acknowledge = { "build-cache-one-writer": "ok" }),
    /^ {2}- repositories\[0\]\.acknowledge\["build-cache-one-writer"\]: must say why in at least 10 characters/,
  ),

  // Plain English, whatever the mistake.
  change(
    E,
    "account id as a number",
    (c) => (c.aws.accountId = 210987654321),
    /^ {2}- aws\.accountId: must be a string \(got a number; quote it\)$/,
  ),
  change(
    E,
    "a count in quotes",
    (c) => (c.fleets[0].maxConcurrentJobs = "4"),
    /^ {2}- fleets\[0\]\.maxConcurrentJobs: must be a number \(got a string; remove the quotes\)$/,
  ),
  change(
    E,
    "a fractional count",
    (c) => (c.fleets[0].maxConcurrentJobs = 2.5),
    /^ {2}- fleets\[0\]\.maxConcurrentJobs: must be a whole number/,
  ),
  change(
    E,
    "yes for a boolean",
    (c) => (c.fleets[0].workers.spot = "yes"),
    /^ {2}- fleets\[0\]\.workers\.spot: must be true or false \(got a string\)$/,
  ),
  change(E, "tags as a list", (c) => (c.tags = ["a"]), /^ {2}- tags: must be a map of strings \(got a list\)$/),
  {
    category: E,
    what: "YAML: a key indented further than the line above (the parser names the line above)",
    file: 'name: acme\naws:\n  region: eu-west-1\n    accountId: "210987654321"\n',
    ext: ".yaml",
    expect:
      /^ {2}- \(file\): not valid YAML at line 4: indented 4 spaces, more than the line above it \(2\): the keys of one mapping start at the same column$/,
  },
  {
    category: E,
    what: "YAML: a key indented less than the keys before it",
    file: 'name: acme\naws:\n  region: eu-west-1\n accountId: "210987654321"\n',
    ext: ".yaml",
    expect: /^ {2}- \(file\): not valid YAML at line 4: indented 1 space, unlike the keys before it in the same mapping/,
  },
  {
    category: E,
    what: "YAML: a colon missing after a key, the line not echoed",
    file: "name: acme\nfleets:\n  - name: a\n    runnerTokenSsmParameter glrt-AbCdEf0123456789xyz\n    workers: {}\n",
    ext: ".yaml",
    expect: /^ {2}- \(file\): not valid YAML at line 4: not "key: value" nor a list item: a colon after the key is missing$/,
    secret: "AbCdEf0123456789xyz",
  },
  change(E, "a tag value that is an object", (c) => (c.tags.Team = { a: 1 }), /^ {2}- tags\.Team: must be a string \(got an object\)$/),
  change(E, "fleets as an object", (c) => (c.fleets = { scale: {} }), /^ {2}- fleets: must be a list \(got an object\)$/),
  change(
    E,
    "one subnet as a string",
    (c) => (c.network.subnetIds = "subnet-0a1b2c3d4e5f60718"),
    /^ {2}- network\.subnetIds: must be a list \(got a string\)$/,
  ),
  change(E, "network as a string", (c) => (c.network = "default"), /^ {2}- network: must be an object \(got a string\)$/),
  change(
    E,
    "an unknown executor",
    (c) => (c.fleets[0].executor = "kubernetes"),
    /^ {2}- fleets\[0\]\.executor: must be one of "docker", "docker\+machine" or "docker-autoscaler"$/,
  ),
  change(E, "an unknown backend", (c) => (c.backend = { type: "gcs" }), /^ {2}- backend\.type: must be one of "local" or "s3"$/),
  change(
    E,
    "an unknown encryption",
    (c) => (c.ciImage.encryption = "DES"),
    /^ {2}- ciImage\.encryption: must be one of "AES256" or "KMS"$/,
  ),
  change(E, "an empty stack name", (c) => (c.name = ""), /^ {2}- name: must be 3-24 characters/),
  change(
    E,
    "an empty state bucket key",
    (c) => (c.backend = { type: "s3", bucket: "acme-state", key: "", region: "eu-central-1" }),
    /^ {2}- backend\.key: must not be empty$/,
  ),
  change(E, "zero expiry days", (c) => (c.cache = { expirationDays: 0 }), /^ {2}- cache\.expirationDays: must be at least 1$/),
  change(
    E,
    "too many tagged images",
    (c) => (c.ciImage.keepTaggedImages = 5000),
    /^ {2}- ciImage\.keepTaggedImages: must be at most 1000$/,
  ),
  change(E, "a missing section", (c) => delete c.network, /^ {2}- network: is required$/),
  change(
    E,
    "a misspelt field",
    (c) => (c.fleets[0].runnerTokenSSMParameter = "/x"),
    /^ {2}- fleets\[0\]\.runnerTokenSSMParameter: unknown field \(misspelt\? Terraform would drop it silently/,
  ),
  change(E, "no subnets", (c) => (c.network.subnetIds = []), /^ {2}- network\.subnetIds: needs at least one subnet$/),
  change(
    E,
    "no fleets",
    (c) => ((c.fleets = []), (c.ciImage.push = []), (c.repositories[0].push = [])),
    /^ {2}- fleets: needs at least one fleet$/,
  ),
  // fleets[].gitlab: registration by the stack, with the settings the fleet's grants assume.
  change(
    S,
    "runner tag with a template",
    (c) => (c.fleets[0].gitlab = { scope: "group", id: 42, protected: true, tags: ['${file("/etc/passwd")}'] }),
    /^ {2}- fleets\[0\]\.gitlab\.tags\[0\]: must be 1-63 characters: lowercase letters, digits and \. _ -/,
  ),
  change(
    S,
    "runner tag with a command substitution",
    (c) => (c.fleets[0].gitlab = { scope: "group", id: 42, protected: true, tags: ["$(id)"] }),
    /^ {2}- fleets\[0\]\.gitlab\.tags\[0\]: must be 1-63 characters/,
  ),
  change(
    C,
    "group runner without its id",
    (c) => (c.fleets[0].gitlab = { scope: "group", protected: true }),
    /^ {2}- fleets\[0\]\.gitlab\.id: is required with scope group: the numeric id of the group the runner serves$/,
  ),
  change(
    C,
    "instance runner with an id",
    (c) => (c.fleets[0].gitlab = { scope: "instance", id: 1, protected: true }),
    /^ {2}- fleets\[0\]\.gitlab\.id: is refused with scope instance/,
  ),
  change(
    C,
    "project id given as a string",
    (c) => (c.fleets[0].gitlab = { scope: "project", id: "7", protected: true }),
    /^ {2}- fleets\[0\]\.gitlab\.id: /,
  ),
  change(
    C,
    "unknown runner scope",
    (c) => (c.fleets[0].gitlab = { scope: "user", id: 7, protected: true }),
    /^ {2}- fleets\[0\]\.gitlab\.scope: /,
  ),
  change(
    C,
    "a registration token in the gitlab block",
    (c) => (c.fleets[0].gitlab = { scope: "project", id: 7, protected: true, token: "glrt-abcdefghijklmnopqrst" }),
    /^ {2}- fleets\[0\]\.gitlab\.token: unknown field/,
    "glrt-abcdefghijklmnopqrst",
  ),
  change(
    C,
    "the push fleet registered unprotected",
    (c) => (c.fleets[0].gitlab = { scope: "project", id: 7 }),
    /^ {2}- fleets\[0\]\.gitlab\.protected: must be true: fleet "scale" may push images, and an unprotected runner also takes merge-request/,
  ),
  change(
    C,
    "a protected runner taking untagged jobs",
    (c) => (c.fleets[0].gitlab = { scope: "project", id: 7, protected: true, runUntagged: true }),
    /^ {2}- fleets\[0\]\.gitlab\.runUntagged: must be false for the protected runner of fleet "scale"/,
  ),
  change(
    C,
    "a runner tag twice",
    (c) => (c.fleets[0].gitlab = { scope: "project", id: 7, protected: true, tags: ["build", "build"] }),
    /^ {2}- fleets\[0\]\.gitlab\.tags\[1\]: duplicates tags\[0\] "build"$/,
  ),
  change(
    E,
    "a hop limit of 1",
    (c) => (c.metadataHopLimit = 1),
    /^ {2}- metadataHopLimit: must be at least 2: job containers reach the instance role/,
  ),
];

/** Every folder and file below `dir` (files with the hash of their content); `undefined` when `dir` does not exist. */
function snapshot(dir: string): Record<string, string> | undefined {
  if (!existsSync(dir)) return undefined;
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = join(rel, e.name);
      if (e.isDirectory()) {
        out[`${p}/`] = "folder";
        walk(p);
      } else {
        out[p] = createHash("sha256")
          .update(readFileSync(join(dir, p)))
          .digest("hex");
      }
    }
  };
  walk("");
  return out;
}

let root: string;
beforeAll(() => (root = tempFolder("gre-corpus-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeCase(dir: string, c: Case, index: number): string {
  const ext = c.ext ?? (typeof c.file === "function" && index % 2 === 1 ? ".json" : ".yaml");
  const file = join(dir, `runners${ext}`);
  if (typeof c.file === "function") {
    const config = base();
    c.file(config);
    writeFileSync(file, ext === ".json" ? JSON.stringify(config, null, 2) : stringify(config));
  } else {
    writeFileSync(file, c.file);
  }
  return file;
}

function run(dir: string, file: string, outdir: string): { status: number; stderr: string } {
  let stderr = "";
  const status = runApp({ env: { GITLAB_RUNNER_ECR_CONFIG: file, CDKTF_OUTDIR: outdir }, cwd: dir, stderr: (t) => (stderr += t) });
  return { status, stderr };
}

test("the corpus has at least 120 bad configurations, in every category", () => {
  expect(CASES.length).toBeGreaterThanOrEqual(120);
  const counts = new Map<Category, number>();
  for (const c of CASES) counts.set(c.category, (counts.get(c.category) ?? 0) + 1);
  expect([...counts.keys()].sort()).toEqual(["checked before writing", "hostile files", "plain English", "secrets", "strings are data"]);
  for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(15);
});

describe.each([
  ["no output folder before", false],
  ["a previous output folder", true],
] as const)("with %s", (_label, present) => {
  // Each case gets a folder of its own, so one case's failure cannot change another's starting point.
  let previous: string;
  let before: Record<string, string> | undefined;
  beforeAll(() => {
    previous = join(mkdtempSync(join(root, "previous-")), "cdktf.out");
    if (present) {
      // A real earlier synthesis, with a .terraform folder of the user's beside it.
      expect(run(root, "", previous).status).toBe(0);
      mkdirSync(join(previous, "stacks", "gitlab-runners", ".terraform"));
      writeFileSync(join(previous, "stacks", "gitlab-runners", ".terraform", "marker"), "user data");
    }
    before = snapshot(previous);
  });

  test.each(CASES.map((c, i) => [c.category, c.what, c, i] as const))("%s: %s", (_category, _what, c, i) => {
    const dir = mkdtempSync(join(root, "case-"));
    const outdir = join(dir, "cdktf.out");
    if (present) cpSync(previous, outdir, { recursive: true });
    const file = writeCase(dir, c, i);
    const { status, stderr } = run(dir, file, outdir);
    const lines = stderr.trimEnd().split("\n");
    expect(status).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(c.expect));
    expect(stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(stderr).not.toMatch(/Invalid input|Invalid option|Too small|Too big|received|\brecord\b|invalid_|skipValidation/); // no zod or cdktf vocabulary
    expect(lines.length).toBeLessThanOrEqual(60);
    for (const line of lines) expect(line.length).toBeLessThan(1200);
    if (c.secret !== undefined) {
      expect(stderr).not.toContain(c.secret);
      expect(stderr).not.toContain(b64(c.secret));
    }
    expect(snapshot(outdir)).toEqual(before);
    expect(readdirSync(dir).filter((f) => f.includes("staging"))).toEqual([]);
  });
});

describe("unusual but valid configurations synthesize", () => {
  const VALID: [string, string | Buffer, string, (json: any) => void][] = [
    [
      "GovCloud",
      stringify({
        ...base(),
        aws: { region: "us-gov-west-1", accountId: "210987654321" },
        repositories: [{ arn: "arn:aws-us-gov:ecr:us-gov-east-1:310987654321:repository/x" }],
      }),
      ".yaml",
      (j) =>
        expect(j.resource.aws_iam_policy.scale_workers.policy).toContain(
          "arn:aws-us-gov:ecr:us-gov-west-1:210987654321:repository/ci/image",
        ),
    ],
    [
      "China",
      stringify({ ...base(), aws: { region: "cn-north-1", accountId: "210987654321" } }),
      ".yaml",
      (j) =>
        expect(j.module.runner_scale.runner_worker_docker_options.image).toBe(
          "210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/ci/image:2.0.0",
        ),
    ],
    [
      "the longest names (environment of 44 characters)",
      stringify({
        ...base(),
        name: "a-long-stack-name-of-23",
        fleets: [{ ...base().fleets[0], name: "fleet-name-is-twenty" }],
        ciImage: { ...base().ciImage, push: [] },
        repositories: [],
      }),
      ".yaml",
      (j) => expect(j.module["runner_fleet-name-is-twenty"].environment).toHaveLength(44),
    ],
    [
      "unicode tag values and AWS's punctuation",
      stringify({ ...base(), tags: { Équipe: "Plateforme données", チーム: "基盤", "cost:center": "a_b.c/d=e+f-g@h 1" } }),
      ".yaml",
      (j) => expect(j.provider.aws[0].default_tags[0].tags["Équipe"]).toBe("Plateforme données"),
    ],
    [
      "YAML anchors, aliases and merge keys",
      "name: acme-runners\naws: {region: eu-central-1, accountId: '210987654321'}\nnetwork: {vpcId: vpc-0a1b2c3d4e5f60718, subnetIds: [subnet-0a1b2c3d4e5f60718]}\n" +
        "gitlab: {url: 'https://gitlab.acme.internal:8443/gitlab'}\nciImage: {repositoryName: ci/image, tag: '2.0.0'}\n" +
        "fleets:\n  - &fleet\n    name: one\n    executor: docker-autoscaler\n    runnerTokenSsmParameter: /a/one\n    workers: &w {maxInstances: 3}\n" +
        "  - <<: *fleet\n    name: two\n    runnerTokenSsmParameter: /a/two\n    workers: *w\n",
      ".yaml",
      (j) =>
        expect(j.module.runner_two.runner_worker_docker_autoscaler_asg).toEqual(j.module.runner_one.runner_worker_docker_autoscaler_asg),
    ],
    [
      "a UTF-8 byte order mark in JSON",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(base()))]),
      ".json",
      (j) => expect(Object.keys(j.module)).toEqual(["runner_scale"]),
    ],
    [
      "a UTF-8 byte order mark in YAML",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(stringify(base()))]),
      ".yaml",
      () => undefined,
    ],
    [
      "an S3 backend with a KMS key",
      stringify({
        ...base(),
        backend: { type: "s3", bucket: "acme-state", key: "runners/acme.tfstate", region: "eu-central-1", kmsKeyId: KMS },
      }),
      ".yaml",
      (j) => expect(j.terraform.backend.s3.kms_key_id).toBe(KMS),
    ],
    [
      "20 fleets",
      stringify({
        ...base(),
        // Each fleet its own runner registration (one token parameter per fleet).
        fleets: Array.from({ length: 20 }, (_, i) => ({
          ...base().fleets[0],
          name: `f${i}`,
          runnerTokenSsmParameter: `/acme/f${i}/token`,
        })),
        ciImage: { ...base().ciImage, push: ["f0"] },
        repositories: [{ name: "apps/web", push: ["f1", "f2"] }],
      }),
      ".yaml",
      (j) => expect(Object.keys(j.module)).toHaveLength(20),
    ],
    [
      "values left to Terraform variables",
      stringify({
        ...base(),
        network: {
          vpcId: { terraformVariable: "vpc_id" },
          subnetIds: { terraformVariable: "subnets", default: ["subnet-0a1b2c3d4e5f60718"] },
        },
      }),
      ".yaml",
      (j) => expect(Object.keys(j.variable).sort()).toEqual(["subnets", "vpc_id"]),
    ],
    [
      "a docker fleet with its acknowledgement, an image by digest and a local state path",
      stringify({
        ...base(),
        ciImage: { repositoryName: "ci/image", digest: `sha256:${"ab".repeat(32)}` },
        repositories: [],
        backend: { type: "local", path: "../../state/acme.tfstate" },
        fleets: [
          {
            name: "small",
            executor: "docker",
            runnerTokenSsmParameter: "/acme/small",
            acknowledge: { "jobs-not-on-manager": "Trusted repositories only (reviewed)" },
          },
        ],
      }),
      ".yaml",
      (j) => expect(j.terraform.backend.local.path).toBe("../../state/acme.tfstate"),
    ],
    [
      "pulling (not pushing) a cached repository by ARN, and pushing to another account's repository of that name",
      stringify({
        ...base(),
        repositories: [
          { arn: `${OWN_ECR}ecr-public/docker/library/docker` },
          { arn: "arn:aws:ecr:eu-central-1:310987654321:repository/ecr-public/mirror", push: ["scale"] },
        ],
      }),
      ".yaml",
      (j) => {
        const policy = JSON.parse(j.resource.aws_iam_policy.scale_workers.policy);
        const push = policy.Statement.find((st: { Sid: string }) => st.Sid === "EcrPush");
        expect(push.Resource).toEqual([
          "arn:aws:ecr:eu-central-1:210987654321:repository/ci/image",
          "arn:aws:ecr:eu-central-1:310987654321:repository/ecr-public/mirror",
        ]);
      },
    ],
    [
      "no pull-through cache frees the ecr-public name",
      stringify({ ...base(), pullThroughCache: [], repositories: [{ name: "ecr-public/x", push: ["scale"] }] }),
      ".yaml",
      (j) => expect(j.resource.aws_ecr_repository["ecr-public_x"].name).toBe("ecr-public/x"),
    ],
    [
      "existing repositories whose names differ only in . and _ (no construct id shared)",
      stringify({ ...base(), repositories: [{ arn: `${OWN_ECR}team/a.b` }, { arn: `${OWN_ECR}team/a_b` }] }),
      ".yaml",
      (j) =>
        expect(j.output.application_repository_urls.value).toEqual({
          "team/a.b": "210987654321.dkr.ecr.eu-central-1.amazonaws.com/team/a.b",
          "team/a_b": "210987654321.dkr.ecr.eu-central-1.amazonaws.com/team/a_b",
        }),
    ],
    [
      "two writers of a build cache, acknowledged",
      stringify({
        ...base(),
        repositories: [
          {
            name: "apps/web",
            buildCache: true,
            push: ["scale", "other"],
            acknowledge: { "build-cache-one-writer": "Both fleets build only protected branches; reviewed in PLAT-150" },
          },
        ],
        fleets: [...base().fleets, { ...base().fleets[0], name: "other", runnerTokenSsmParameter: "/acme/other" }],
      }),
      ".yaml",
      (j) => expect(j.resource.aws_iam_policy.other_workers.policy).toContain("repository/apps/web"),
    ],
  ];

  test.each(VALID)("%s", (_what, content, ext, check) => {
    const dir = mkdtempSync(join(root, "valid-"));
    const file = join(dir, `runners${ext}`);
    writeFileSync(file, content);
    const { status, stderr } = run(dir, file, join(dir, "out"));
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const stacks = readdirSync(join(dir, "out", "stacks"));
    check(JSON.parse(readFileSync(join(dir, "out", "stacks", stacks[0]!, "cdk.tf.json"), "utf8")));
  });
});

describe("hostile files through the real process: a clean message, never a crash", () => {
  const MAIN = join(__dirname, "..", "..", "dist", "main.js");
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");

  test.each([
    ["2,000 levels of JSON nesting", (f: string) => writeFileSync(f, deepJson(2000)), ".json", /nested more than 16 levels/],
    [
      "100,000 levels of YAML nesting",
      (f: string) => writeFileSync(f, `name: ${"[".repeat(100000)}${"]".repeat(100000)}\n`),
      ".yaml",
      /\(file\): (nested too deeply|is 0\.2 MB)|nested more than 16 levels/,
    ],
    [
      "a 50 MB file",
      (f: string) => (writeFileSync(f, ""), truncateSync(f, 50 * 1024 * 1024)),
      ".yaml",
      /\(file\): is 50\.0 MB; a configuration file may be at most 1 MB/,
    ],
  ])("%s", (_what, make, ext, expected) => {
    const dir = mkdtempSync(join(root, "proc-"));
    const file = join(dir, `runners${ext}`);
    make(file);
    const r = spawnSync(process.execPath, [MAIN], {
      cwd: dir,
      env: { PATH: process.env.PATH, GITLAB_RUNNER_ECR_CONFIG: file, CDKTF_OUTDIR: join(dir, "out") },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr.length).toBeLessThan(2000);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(statSync(file).size).toBeGreaterThan(0);
  });
});
