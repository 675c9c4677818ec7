// HCL output: the renderer of module inputs keeps every value exactly (checked by real Terraform,
// which evaluates the HCL and the JSON form side by side), and `cdktf synth --hcl` of the stack
// passes `terraform fmt -check` and says the same as cdk.tf.json.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "@cdktf/hcl2json";
import { hclExpression, splitTemplate, unwrapInterpolationOnlyStrings } from "../../modules/hcl/hcl-expression";
import { credHelpersInstallScript } from "../../modules/support/manager-docker-config";
import { AUTOSCALER_WORKER_START_SCRIPT } from "../../modules/constructs/runner-fleet";
import { TERRAFORM_ENV, requireTool } from "../support/system-tools";
import { tempFolder } from "../support/temp-folder";
import { expectedAwsRequirement } from "../support/aws-binding";

const ROOT = join(__dirname, "..", "..");
const hasTerraform = requireTool("terraform", "Terraform 1.11 from HashiCorp; it is not a Debian package");
const withTerraform = hasTerraform ? describe : describe.skip;

// Values whose HCL form is easy to get wrong. Each is a Terraform JSON value, so strings are
// templates: "$${" is a literal "${", and "${local.base}" is a reference.
const CASES: Record<string, unknown> = {
  plain: "t3.large",
  quotes: 'say "hi"',
  backslashes: "C:\\temp\\n is not a newline",
  escapedQuote: 'a \\" b',
  multiLineScript: credHelpersInstallScript(["123456789012.dkr.ecr.eu-west-1.amazonaws.com"]),
  startScript: AUTOSCALER_WORKER_START_SCRIPT,
  noTrailingNewline: "line one\nline two",
  twoLines: "one\n",
  heredocMarkerInside: "a\nEOT\nb\n",
  windowsNewlines: "a\r\nb\r\n",
  tabsAndControl: "a\tb\u0001c",
  literalTemplateSequences: "echo $${HOME} and %%{x}",
  looksLikeJson: '{"credHelpers":{"x":"ecr-login"}}',
  looksLikeList: "[1, 2]",
  digits: "0123",
  unicode: "grüße ✓",
  empty: "",
  reference: "${local.base}",
  referenceInText: 'pre-"${local.base}"-post',
  referenceWithFunction: '${join("-", [local.base, "x"])}',
  numbers: [0, 1.5, -3, 1e21],
  booleansAndNull: [true, false, null],
  emptyList: [],
  emptyObject: {},
  nested: { "key with space": { list: ["a\nb\n", "${local.base}"], n: 2 }, "123": "digits key", plain_key: true },
};

describe("splitTemplate", () => {
  test("splits literals and interpolations, honouring $${ escapes and quoted braces", () => {
    expect(splitTemplate('a $${b} ${x.y} c ${f("}", {k = 1})}')).toEqual([
      { literal: "a ${b} " },
      { expression: "x.y" },
      { literal: " c " },
      { expression: 'f("}", {k = 1})' },
    ]);
  });

  test("refuses template directives and unterminated interpolations", () => {
    expect(() => splitTemplate("%{ if true }x%{ endif }")).toThrow(/directives/);
    expect(() => splitTemplate("${a.b")).toThrow(/unterminated/);
  });
});

describe("unwrapInterpolationOnlyStrings", () => {
  test("unwraps attribute and list values that are one reference, not text or heredoc bodies", () => {
    const hcl = [
      'bucket = "${aws_s3_bucket.cache.id}"',
      '  "${aws_iam_policy.a.arn}",',
      'name = "x-${var.y}"',
      "script = <<EOT",
      'keep = "${aws_s3_bucket.cache.id}"',
      "EOT",
      'after = "${var.z}"',
    ].join("\n");
    expect(unwrapInterpolationOnlyStrings(hcl).split("\n")).toEqual([
      "bucket = aws_s3_bucket.cache.id",
      "  aws_iam_policy.a.arn,",
      'name = "x-${var.y}"',
      "script = <<EOT",
      'keep = "${aws_s3_bucket.cache.id}"',
      "EOT",
      "after = var.z",
    ]);
  });
});

describe("hclExpression", () => {
  test("a multi-line string ending in a newline becomes a heredoc; others stay one quoted line", () => {
    expect(hclExpression("a\nb\n")).toBe("<<EOT\na\nb\nEOT");
    expect(hclExpression("a\nb")).toBe('"a\\nb"');
    expect(hclExpression("${aws_iam_policy.x.arn}")).toBe("aws_iam_policy.x.arn");
  });

  test("no rendered value contains ${, which would make cdktf re-render the attribute", () => {
    for (const value of Object.values(CASES)) {
      expect(hclExpression(value).replace(/\$\$\{/g, "")).not.toContain("${");
    }
  });

  withTerraform("round trip through real Terraform", () => {
    let dir: string;
    beforeAll(() => {
      dir = tempFolder("hcl-roundtrip-");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test("Terraform evaluates each HCL rendering to the same value as the JSON form", () => {
      const names = Object.keys(CASES);
      const hcl = names.map((n) => `  hcl_${n} = ${hclExpression(CASES[n], "  ")}`).join("\n");
      writeFileSync(join(dir, "hcl.tf"), `locals {\n  base = "b\\"ase"\n${hcl}\n}\n`);
      writeFileSync(join(dir, "json.tf.json"), JSON.stringify({ locals: Object.fromEntries(names.map((n) => [`json_${n}`, CASES[n]])) }));
      const both = (prefix: string) => `{${names.map((n) => `${n} = local.${prefix}_${n}`).join(", ")}}`;
      const run = spawnSync("terraform", ["console"], {
        cwd: dir,
        env: TERRAFORM_ENV,
        encoding: "utf8",
        input: `jsonencode([${both("hcl")}, ${both("json")}])\n`,
      });
      expect(run.stderr).toBe("");
      const [fromHcl, fromJson] = JSON.parse(JSON.parse(run.stdout.trim()) as string) as [unknown, unknown];
      expect(fromHcl).toEqual(fromJson);
      // And the JSON form is what the test meant (guards against both sides being wrong alike).
      expect((fromJson as Record<string, unknown>).literalTemplateSequences).toBe("echo ${HOME} and %{x}");
      expect((fromJson as Record<string, unknown>).referenceInText).toBe('pre-"b"ase"-post');
    });
  });
});

const STACKS: [string, string | undefined, string][] = [
  ["the embedded default", undefined, "gitlab-runners"],
  ["examples/runners.terraform-variables.yaml", join(ROOT, "examples", "runners.terraform-variables.yaml"), "acme-runners"],
  ["examples/runners.example.yaml (S3 backend)", join(ROOT, "examples", "runners.example.yaml"), "acme-runners"],
];

describe.each(STACKS)("cdktf synth --hcl of %s", (_name, configFile, stackName) => {
  let dir: string;
  let hcl: string;
  let json: Record<string, any>;
  beforeAll(() => {
    if (!hasTerraform) return;
    dir = tempFolder("hcl-synth-");
    const env = { ...TERRAFORM_ENV, GITLAB_RUNNER_ECR_CONFIG: configFile ?? "" };
    for (const [format, out] of [
      ["--hcl", "hcl"],
      [undefined, "json"],
    ] as const) {
      const args = ["cdktf", "synth", ...(format ? [format] : []), "--output", join(dir, out)];
      const run = spawnSync("npx", args, { cwd: ROOT, env, encoding: "utf8" });
      if (run.status !== 0) throw new Error(`cdktf ${args.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
    }
    hcl = readFileSync(join(dir, "hcl", "stacks", stackName, "cdk.tf"), "utf8");
    json = JSON.parse(readFileSync(join(dir, "json", "stacks", stackName, "cdk.tf.json"), "utf8"));
  }, 90_000);
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  const test_ = hasTerraform ? test : test.skip;

  test_("requires the AWS provider as the same range as the JSON does", () => {
    const { source, version } = expectedAwsRequirement();
    expect(json.terraform.required_providers.aws).toEqual({ source, version });
    const block = /required_providers \{\s*aws = \{([^}]*)\}/.exec(hcl)?.[1] ?? "";
    expect(
      block
        .split("\n")
        .map((l) => l.trim().replace(/\s+=\s+/, " = "))
        .filter(Boolean)
        .sort(),
    ).toEqual([`source = "${source}"`, `version = "${version}"`]);
  });

  test_("passes terraform fmt -check", () => {
    const run = spawnSync("terraform", ["fmt", "-check", "-diff", "cdk.tf"], {
      cwd: join(dir, "hcl", "stacks", stackName),
      env: TERRAFORM_ENV,
      encoding: "utf8",
    });
    expect(run.stdout + run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  test_("parses with hcl2json and says what cdk.tf.json says: blocks, module inputs, variables", async () => {
    const parsed = await parse("cdk.tf", hcl);
    const names = (o: Record<string, Record<string, unknown>> = {}) =>
      Object.entries(o)
        .flatMap(([type, blocks]) => Object.keys(blocks).map((n) => `${type}.${n}`))
        .sort();
    expect(names(parsed.resource)).toEqual(names(json.resource));
    expect(Object.keys(parsed.output ?? {}).sort()).toEqual(Object.keys(json.output).sort());
    const withoutMetadata = ({ "//": _metadata, ...rest }: Record<string, unknown>) => rest;
    expect(Object.keys(parsed.module).sort()).toEqual(Object.keys(json.module).sort());
    for (const [name, block] of Object.entries(json.module as Record<string, Record<string, unknown>>)) {
      expect(parsed.module[name]).toEqual([withoutMetadata(block)]);
    }
    expect(parsed.terraform[0].backend).toEqual(
      Object.fromEntries(Object.entries(json.terraform.backend as Record<string, unknown>).map(([type, settings]) => [type, [settings]])),
    );
    expect(Object.keys(parsed.variable ?? {}).sort()).toEqual(Object.keys(json.variable ?? {}).sort());
    for (const [name, block] of Object.entries((json.variable ?? {}) as Record<string, Record<string, unknown>>)) {
      const [fromHcl] = parsed.variable[name] as Record<string, unknown>[];
      // hcl2json writes a type expression as a template: "${list(string)}".
      expect({ ...fromHcl, type: String(fromHcl!.type).replace(/^\$\{(.*)\}$/, "$1") }).toEqual(block);
    }
  });
});
