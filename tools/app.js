#!/usr/bin/env node
// The app command of cdktf.json: synthesizes from compiled JavaScript (no type-checking on each
// synth: tests and `npm run build` do that), rebuilding first whenever a source changed since the
// last build, so a stale build is never synthesized.
"use strict";
require("./build").ensureBuilt();
require("../dist/main.js");
