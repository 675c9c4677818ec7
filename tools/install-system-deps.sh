#!/usr/bin/env bash
# Installs the Debian packages the test suite needs beyond Node.js. Idempotent: packages that are
# already installed are left alone, and nothing is fetched when all of them are present.
#
# What each package is for:
#   - shellcheck: lints every shell script (and the Dockerfile's RUN steps, through dockerlinter)
#   - amazon-ecr-credential-helper: docker-credential-ecr-login, the helper the e2e test exercises
#   - docker-registry: a real registry (distribution) for the e2e test
#   - skopeo: pushes and pulls images without a Docker engine
#   - apache2-utils: htpasswd, to write the registry's bcrypt password file
#   - openssl: the e2e test's throwaway CA and server certificates
#   - busybox: its ash is the CI image's shell; docker/build-and-push.sh is tested under it
#   - jq: docker/build-and-push.sh reads the stack's outputs with it (tested)
#   - util-linux: unshare, for the e2e test's private mount namespace
#   - ca-certificates: skopeo and the helper expect a system trust store to exist
#   - docker.io, only without a docker CLI on PATH: the e2e test reads a manifest with the docker CLI
set -euo pipefail

packages=(
  shellcheck
  amazon-ecr-credential-helper
  docker-registry
  skopeo
  apache2-utils
  openssl
  jq
  busybox
  util-linux
  ca-certificates
)

# The e2e test also runs the docker CLI (no engine needed). Any docker CLI will do, so Debian's
# docker.io (which also brings the engine) is installed only when there is none on PATH.
if ! command -v docker >/dev/null 2>&1; then
  packages+=(docker.io)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo)
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
# docker-registry ships a service on port 5000 that a systemd machine starts on install; the
# tests never use it (they run their own registry on loopback addresses with TLS and a password).
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
