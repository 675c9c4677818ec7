// GitlabRunnerEcrProps is generated from the schema (tools/generate-props.ts): fresh, documented
// from the schema's descriptions, and exactly the schema's input type (aws aside).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { z } from "zod";
import { PROPS_FILE, propsSource } from "../../tools/generate-props";
import { runnersShape } from "../../modules/config/schema";
import { DEFAULTS } from "../../modules/config/defaults";
import type { RunnersConfigInput } from "../../modules/config/parse";
import type { GitlabRunnerEcrProps } from "../../index";

test("modules/generated/props.generated.ts is fresh (npm run gen:docs)", () => {
  expect(readFileSync(PROPS_FILE, "utf8")).toBe(propsSource());
});

test("every field the schema describes carries its description and default in the props' TSDoc", () => {
  const source = readFileSync(PROPS_FILE, "utf8");
  const described: string[] = [];
  const walk = (s: any) => {
    if (typeof s?.description === "string") described.push(s.description);
    for (const child of Object.values(s?.properties ?? {})) walk(child);
    if (s?.items) walk(s.items);
  };
  walk(z.toJSONSchema(runnersShape, { io: "input", unrepresentable: "any" }));
  expect(described.length).toBeGreaterThan(40);
  expect(described.filter((d) => !source.includes(d))).toEqual([]);
  expect(source).toContain("   * @default 2\n   */\n  readonly metadataHopLimit?:");
  expect(source).toContain('   * @default ["m6i.large"]\n   */\n  readonly instanceTypes?:');
});

test("the props are the schema's input type: each assigns to the other (aws may be left out)", () => {
  // Compile-time checks: tsc (npm test) fails if either assignment does not hold.
  const fromInput = (c: RunnersConfigInput): GitlabRunnerEcrProps => c;
  const toInput = (p: GitlabRunnerEcrProps & { aws: RunnersConfigInput["aws"] }): RunnersConfigInput => p;
  expect(typeof fromInput).toBe("function");
  expect(typeof toInput).toBe("function");
});

test("RunnerFleetProps documents only the defaults RunnerFleet applies, with DEFAULTS' values", () => {
  // Its workers' optional settings are picked from the generated props (their @default from the
  // schema); the @default written in runner-fleet.ts itself must name the value from DEFAULTS.
  const file = join(__dirname, "..", "..", "modules", "constructs", "runner-fleet.ts");
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const documented: Record<string, string> = {};
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    for (const member of node.members) {
      for (const tag of ts.getJSDocTags(member).filter((t) => t.tagName.text === "default")) {
        documented[`${node.name.text}.${(member.name as ts.Identifier).text}`] = ts.getTextOfJSDocComment(tag.comment) ?? "";
      }
    }
  });
  const applied: Record<string, unknown> = {
    "RunnerFleetProps.cacheShared": DEFAULTS.cache.shareBetweenFleets,
    "RunnerFleetProps.jobHopLimit": DEFAULTS.jobHopLimit,
  };
  expect(Object.keys(documented).sort()).toEqual(Object.keys(applied).sort());
  for (const [field, value] of Object.entries(applied)) expect([field, JSON.parse(documented[field]!)]).toEqual([field, value]);
});
