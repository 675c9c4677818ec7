#!/usr/bin/env bash
# The README's synthesis and the test suite on Node 22 and 24 (tools/node-matrix.sh [22 24]), on
# the node_modules that `npm ci` installed: its native parts are Node-API builds (@swc/core,
# @parcel/watcher, @unrs/resolver: one binary for every Node), the cdktf CLI's pty module too:
# @lydell/node-pty under the name the CLI loads. The
# machine's own Node (20) is .ci/run's first pass; this adds the others.
set -euo pipefail
cd "$(dirname "$0")/.."

majors=("$@")
[ "${#majors[@]}" -gt 0 ] || majors=(22 24)

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
    if grep -E '\[ERROR\]|\[WARN\]|Warning' <<<"$out"; then
      echo "node-matrix: npx cdktf synth printed the lines above on Node $major" >&2
      exit 1
    fi
    echo "npx cdktf synth: ok"

    # The README's second command (after npm ci).
    GRE_PACKAGE_TEST=skip npm test
    echo "== Node $major: synthesis and tests passed in $((SECONDS - start)) s"
  )
done
