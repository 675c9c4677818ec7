#!/usr/bin/env bash
# The README's synthesis and the test suite on Node 22, 24 and 26 (tools/node-matrix.sh [22 24 26]),
# on the node_modules that `npm ci` installed: its native parts are Node-API builds, one binary for
# every Node (@swc/core, @parcel/watcher, @unrs/resolver, and the cdktf CLI's pty module,
# @lydell/node-pty under the name the CLI loads). The machine's own Node (20) is .ci/run's first
# pass, with every suite; this adds the others.
#
# Suites that test no JavaScript of this project's running Node are left to that first pass
# (GRE_MATRIX_ALL=1 runs them here too): the packaging test (a clone, npm pack and two installs),
# __tests__/docker (shell scripts under busybox, shellcheck, the Dockerfile, the example pipeline)
# and __tests__/e2e (the credential helper against a real registry). Everything that runs the app,
# the cdktf CLI, Terraform through the CLI's pty, or the library on this Node runs on each.
set -euo pipefail
cd "$(dirname "$0")/.."

majors=("$@")
[ "${#majors[@]}" -gt 0 ] || majors=(22 24 26)

skip=(--testPathIgnorePatterns '/__tests__/(docker|e2e)/')
if [ "${GRE_MATRIX_ALL:-}" = 1 ]; then skip=(); fi

for major in "${majors[@]}"; do
  bin="$(tools/node-dist.sh "$major")"
  (
    export PATH="$bin:$PATH"
    start=$SECONDS
    echo "== Node $(node --version) ($bin)"
    # node_modules/.bin and npm's scripts must resolve node to this one, not the machine's.
    [ "$(command -v node)" = "$bin/node" ] || { echo "node-matrix: node on PATH is $(command -v node), not $bin/node" >&2; exit 1; }

    # The README's first command (after npm ci): the synthesis succeeds and prints no error or warning.
    rm -rf cdktf.out
    out="$(npx cdktf synth 2>&1)" || { echo "$out"; echo "node-matrix: npx cdktf synth failed on Node $major" >&2; exit 1; }
    test -s cdktf.out/stacks/gitlab-runners/cdk.tf.json
    if grep -E '\[ERROR\]|\[WARN\]|Warning|pty\.node' <<<"$out"; then
      echo "node-matrix: npx cdktf synth printed the lines above on Node $major" >&2
      exit 1
    fi
    echo "npx cdktf synth: ok"

    # The README's second command (after npm ci), and its output checked for warnings too.
    log="$(mktemp)"
    trap 'rm -f "$log"' EXIT
    GRE_PACKAGE_TEST=skip npm test -- "${skip[@]}" 2>&1 | tee "$log"
    if grep -E '^\(node:[0-9]+\) |\[DEP0[0-9]+\]|ExperimentalWarning' "$log"; then
      echo "node-matrix: npm test printed the Node warnings above on Node $major" >&2
      exit 1
    fi
    echo "== Node $major: synthesis and tests passed in $((SECONDS - start)) s"
  )
done
