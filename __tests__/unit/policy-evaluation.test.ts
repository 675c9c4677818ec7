// The synthesis-time evaluator. Expectations come from IAM's documented semantics (policy
// evaluation logic, wildcards in ARNs, condition operators); review-report.test.ts also holds it
// against @cloud-copilot/iam-simulate on every cell of the shipped reports.
import { evaluate, globsOverlap, mayReach, statementsOf } from "../../modules/iam/policy-evaluation";

const doc = (...Statement: object[]) => statementsOf({ Version: "2012-10-17", Statement })!;
const REPO = "arn:aws:ecr:eu-west-1:123456789012:repository";

describe("globsOverlap: is there a string both patterns match", () => {
  test.each([
    [`${REPO}/*`, `${REPO}/ecr-public/*`, true],
    [`${REPO}/ecr-*`, `${REPO}/ecr-public/*`, true],
    [`${REPO}/ecr-public/docker`, `${REPO}/ecr-public/*`, true],
    [`${REPO}/ecr-public`, `${REPO}/ecr-public/*`, false], // the prefix itself is not under it
    [`${REPO}/apps/*`, `${REPO}/ecr-public/*`, false],
    ["arn:aws:ecr:*:*:repository/*", `${REPO}/ecr-public/*`, true],
    ["arn:aws:ecr:us-east-1:123456789012:repository/*", `${REPO}/ecr-public/*`, false],
    ["arn:aws:ecr:eu-west-?:123456789012:repository/e?r-public/x", `${REPO}/ecr-public/*`, true],
    ["*", "anything", true],
    ["a*b*c", "*x*", true],
    ["ab", "a?c", false],
    ["", "*", true],
    ["", "?", false],
  ])("%s ∩ %s: %s", (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
    expect(globsOverlap(b, a)).toBe(expected);
  });
});

describe("evaluate: one request", () => {
  test("an Allow allows; nothing else is implicitly denied; actions compare case-insensitively, resources exactly", () => {
    const s = doc({ Effect: "Allow", Action: "ecr:PutImage", Resource: `${REPO}/apps/web` });
    expect(evaluate(s, "ecr:putimage", `${REPO}/apps/web`)).toBe("Allowed");
    expect(evaluate(s, "ecr:PutImage", `${REPO}/apps/WEB`)).toBe("ImplicitlyDenied");
    expect(evaluate(s, "ecr:BatchGetImage", `${REPO}/apps/web`)).toBe("ImplicitlyDenied");
  });

  test("an explicit Deny wins over an Allow", () => {
    const s = doc(
      { Effect: "Allow", Action: "ecr:*", Resource: `${REPO}/*` },
      { Effect: "Deny", Action: "ecr:PutImage", Resource: `${REPO}/ecr-public/*` },
    );
    expect(evaluate(s, "ecr:PutImage", `${REPO}/ecr-public/x`)).toBe("ExplicitlyDenied");
    expect(evaluate(s, "ecr:PutImage", `${REPO}/apps/x`)).toBe("Allowed");
  });

  test("NotAction and NotResource allow everything they do not name", () => {
    const s = doc({ Effect: "Allow", NotAction: "iam:*", NotResource: `${REPO}/secret` });
    expect(evaluate(s, "ecr:PutImage", `${REPO}/apps/x`)).toBe("Allowed");
    expect(evaluate(s, "ecr:PutImage", `${REPO}/secret`)).toBe("ImplicitlyDenied");
    expect(evaluate(s, "iam:PassRole", "arn:aws:iam::123456789012:role/x")).toBe("ImplicitlyDenied");
  });

  test("conditions: the request's context decides; a missing key fails StringEquals", () => {
    const s = doc({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::cache/*",
      Condition: { StringEquals: { "s3:ResourceAccount": "123456789012" } },
    });
    expect(evaluate(s, "s3:GetObject", "arn:aws:s3:::cache/k", { "s3:ResourceAccount": "123456789012" })).toBe("Allowed");
    expect(evaluate(s, "s3:GetObject", "arn:aws:s3:::cache/k", { "S3:resourceaccount": "123456789012" })).toBe("Allowed");
    expect(evaluate(s, "s3:GetObject", "arn:aws:s3:::cache/k", { "s3:ResourceAccount": "999988887777" })).toBe("ImplicitlyDenied");
    expect(evaluate(s, "s3:GetObject", "arn:aws:s3:::cache/k")).toBe("ImplicitlyDenied");
  });

  test("an unknown condition operator errs towards allowed: an Allow applies, a Deny does not", () => {
    const odd = { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } };
    expect(evaluate(doc({ Effect: "Allow", Action: "ecr:PutImage", Resource: "*", Condition: odd }), "ecr:PutImage", `${REPO}/a`)).toBe(
      "Allowed",
    );
    const s = doc(
      { Effect: "Allow", Action: "ecr:PutImage", Resource: "*" },
      { Effect: "Deny", Action: "ecr:PutImage", Resource: "*", Condition: odd },
    );
    expect(evaluate(s, "ecr:PutImage", `${REPO}/a`)).toBe("Allowed");
  });

  test("a document that is not literal JSON cannot be read", () => {
    expect(statementsOf("${data.aws_iam_policy_document.x.json}")).toBeUndefined();
  });
});

describe("mayReach: allowed on some resource of a pattern", () => {
  const prefix = `${REPO}/ecr-public/*`;

  test("a grant on one repository under the prefix, a wildcard over it, or NotResource reaches it", () => {
    expect(
      mayReach(
        doc({ Effect: "Allow", Action: "ecr:PutImage", Resource: `${REPO}/ecr-public/docker/library/docker` }),
        "ecr:PutImage",
        prefix,
      ),
    ).toBe(true);
    expect(mayReach(doc({ Effect: "Allow", Action: "ecr:*", Resource: "*" }), "ecr:PutImage", prefix)).toBe(true);
    expect(mayReach(doc({ Effect: "Allow", Action: "ecr:PutImage", NotResource: `${REPO}/apps/*` }), "ecr:PutImage", prefix)).toBe(true);
  });

  test("grants elsewhere, other actions, and a Deny over the whole prefix do not", () => {
    expect(mayReach(doc({ Effect: "Allow", Action: "ecr:PutImage", Resource: `${REPO}/apps/*` }), "ecr:PutImage", prefix)).toBe(false);
    expect(mayReach(doc({ Effect: "Allow", Action: "ecr:BatchGetImage", Resource: prefix }), "ecr:PutImage", prefix)).toBe(false);
    const denied = doc(
      { Effect: "Allow", Action: "ecr:PutImage", Resource: "*" },
      { Effect: "Deny", Action: "ecr:PutImage", Resource: prefix },
    );
    expect(mayReach(denied, "ecr:PutImage", prefix)).toBe(false);
  });

  test("a condition is taken as met unless a context is given that fails it", () => {
    const pinned = doc({
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: "arn:aws:s3:::*",
      Condition: { StringEquals: { "s3:ResourceAccount": "123456789012" } },
    });
    expect(mayReach(pinned, "s3:PutObject", "arn:aws:s3:::state/*")).toBe(true);
    expect(mayReach(pinned, "s3:PutObject", "arn:aws:s3:::state/*", { "s3:ResourceAccount": "999988887777" })).toBe(false);
  });
});
