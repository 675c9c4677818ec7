#!/usr/bin/env node
// `npm run review:diff -- <base> [<head>]` in this repository: builds first when a source changed
// (like tools/app.js), then runs the command the package ships as gitlab-runner-ecr-review-diff.
"use strict";
require("./build").ensureBuilt();
require("../dist/modules/app/review-diff-main.js");
