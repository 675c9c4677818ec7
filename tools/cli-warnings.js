#!/usr/bin/env node
// Keeps Node's known, meaningless warnings out of the cdktf CLI's own process (run by npm's prepare
// step, so by every `npm ci` and `npm install`, and by `npm test`). On Node 26 the CLI prints
// "ExperimentalWarning: localStorage is not available ..." at start: its bundled localforage tests
// `typeof localStorage`, which Node 26 answers with that warning. The app cannot filter it (it is a
// different process), and no Node option does it on every Node (Node 20 refuses
// --no-experimental-webstorage in NODE_OPTIONS; --disable-warning=ExperimentalWarning would drop
// every experimental warning). So this adds one line to the CLI's two-line start script,
// node_modules/cdktf-cli/bundle/bin/cdktf (the file `npx cdktf` runs): it installs the filter of
// modules/support/node-warnings.ts (compiled in dist/) before the CLI loads, and the CLI runs as
// before when dist/ is missing. cdktf-cli is pinned at 0.21.0, its last release (CDKTF is archived),
// so the script's content is known; any other content is left alone with a note.
//   node tools/cli-warnings.js            add the line if it is missing (prints nothing then)
//   node tools/cli-warnings.js --check    exit 1 unless the line is there
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const ORIGINAL = '#!/usr/bin/env node\nrequire("./cdktf.js");\n';
const MARKER = "// gitlab-runner-ecr: tools/cli-warnings.js";

/** The start script with the filter, which requires the compiled module by a path relative to the script. */
function patched(binDir) {
  const module = path.join(root, "dist", "modules", "support", "node-warnings.js");
  const relative = path.relative(binDir, module).split(path.sep).join("/");
  return [
    "#!/usr/bin/env node",
    `${MARKER} drops the Node warnings listed in modules/support/node-warnings.ts (Node 26's localStorage one).`,
    `try { require(${JSON.stringify(relative.startsWith(".") ? relative : `./${relative}`)}).dropKnownWarnings(); } catch (e) { if (e.code !== "MODULE_NOT_FOUND") throw e; }`,
    'require("./cdktf.js");',
    "",
  ].join("\n");
}

function main() {
  const check = process.argv.includes("--check");
  let cli;
  try {
    cli = path.dirname(require.resolve("cdktf-cli/package.json", { paths: [root] }));
  } catch {
    return 0; // no cdktf CLI installed (npm ci --omit=dev, the CDK Terrain variant): nothing to do
  }
  const bin = path.join(cli, "bundle", "bin", "cdktf");
  if (!fs.existsSync(bin)) return 0; // another CLI (the CDK Terrain variant's copy renames cdktf-cli to cdktn-cli)
  const text = fs.readFileSync(bin, "utf8");
  const wanted = patched(path.dirname(bin));
  if (text === wanted) return 0;
  if (check) {
    console.error(`tools/cli-warnings.js: ${bin} does not install the warning filter; run \`node tools/cli-warnings.js\``);
    return 1;
  }
  if (text !== ORIGINAL && !text.includes(MARKER)) {
    const { version } = JSON.parse(fs.readFileSync(path.join(cli, "package.json"), "utf8"));
    console.error(`tools/cli-warnings.js: cdktf-cli ${version}'s ${bin} is not the start script of 0.21.0; left alone`);
    return 0;
  }
  fs.writeFileSync(bin, wanted);
  return 0;
}

process.exitCode = main();
