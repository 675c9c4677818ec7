#!/bin/sh
# Builds the CI image from docker/Dockerfile and pushes it to its ECR repository, tagged with the
# version and with the git commit. Logs in through the ECR credential helper only: there is no
# `docker login` and no password anywhere.
#
# Where to push, first match wins:
#   --repository-url URL --version TAG       explicit, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/docker-ecr 1.0.0
#   --registry HOST --repository NAME --version TAG    the same URL in two parts
#   --outputs FILE                           the stack's outputs, in any of these forms:
#                                              cdktf.out/stacks/<stack>/cdk.tf.json (the outputs are literals there),
#                                              `terraform output -json`, or `cdktf output --outputs-file`
#   (nothing)                                the only stack in cdktf.out/stacks/ (run `npx cdktf synth` first)
# The outputs used are ci_image_repository_url and ci_image_uri (its tag is the version); --version
# overrides the tag. Reading outputs needs jq.
#
# --base-image REF overrides the Dockerfile's BASE_IMAGE, e.g. with the ECR pull-through cache's copy.
#
# Exit status 2: a usage error or a missing prerequisite (docker, the helper, outputs, git commit).
#
# POSIX sh, not bash: it runs in Alpine images (busybox ash), which have no bash.
set -eu
# pipefail where the shell has it (busybox ash, bash; not dash before 0.5.13), hence the guard
# shellcheck disable=SC3040
if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi

script_dir="$(cd "$(dirname "$0")" && pwd)"
project_dir="$(cd "${script_dir}/.." && pwd)"

die() {
  echo "build-and-push: $*" >&2
  exit 2
}

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
}

repository_url=""
registry_arg=""
repository_arg=""
version=""
outputs=""
base_image=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --repository-url) [ "$#" -ge 2 ] || die "--repository-url needs a value"; repository_url="$2"; shift 2 ;;
    --registry) [ "$#" -ge 2 ] || die "--registry needs a value"; registry_arg="$2"; shift 2 ;;
    --repository) [ "$#" -ge 2 ] || die "--repository needs a value"; repository_arg="$2"; shift 2 ;;
    --version) [ "$#" -ge 2 ] || die "--version needs a value"; version="$2"; shift 2 ;;
    --outputs) [ "$#" -ge 2 ] || die "--outputs needs a file"; outputs="$2"; shift 2 ;;
    --base-image) [ "$#" -ge 2 ] || die "--base-image needs an image reference"; base_image="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

if [ -n "$registry_arg" ] || [ -n "$repository_arg" ]; then
  if [ -z "$registry_arg" ] || [ -z "$repository_arg" ]; then die "--registry and --repository go together"; fi
  [ -z "$repository_url" ] || die "give --repository-url or --registry with --repository, not both"
  repository_url="${registry_arg}/${repository_arg}"
fi

# One output's value from any of the three file forms; empty when absent.
output_value() {
  jq -r --arg k "$1" '
    if has("output") then .output[$k].value
    elif has($k) then (.[$k] | if type == "object" and has("value") then .value else . end)
    elif length == 1 and (.[keys[0]] | type) == "object" then .[keys[0]][$k]
    else null end
    | if . == null then "" else . end' "$outputs"
}

if [ -z "$repository_url" ]; then
  if [ -z "$outputs" ]; then
    # the arguments are parsed already, so the positional parameters can hold the matches
    set -- "${project_dir}"/cdktf.out/stacks/*/cdk.tf.json
    [ -e "$1" ] || die "no stack outputs: run 'npx cdktf synth', or pass --outputs FILE or --repository-url URL --version TAG"
    [ "$#" -eq 1 ] || die "$# stacks in cdktf.out/stacks; pick one with --outputs"
    outputs="$1"
  fi
  [ -r "$outputs" ] || die "outputs file '$outputs' not found"
  command -v jq >/dev/null 2>&1 || die "jq is needed to read '$outputs' (or pass --repository-url and --version)"
  repository_url="$(output_value ci_image_repository_url)"
  [ -n "$repository_url" ] || die "no ci_image_repository_url output in '$outputs'"
  if [ -z "$version" ]; then
    image_uri="$(output_value ci_image_uri)"
    case "$image_uri" in
      "${repository_url}:"*) version="${image_uri#"${repository_url}:"}" ;;
      *) die "ci_image_uri '${image_uri}' carries no tag (pinned by digest?); pass --version" ;;
    esac
  fi
fi

case "$repository_url" in
  *"\${"*) die "'$repository_url' is a Terraform reference, known only after apply: use 'terraform output -json' as --outputs" ;;
  */*) ;;
  *) die "repository URL '$repository_url' is not <registry host>/<repository>" ;;
esac
[ -n "$version" ] || die "no version: pass --version"
matches() { printf '%s\n' "$1" | grep -Eqx "$2"; }
matches "$version" '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}' || die "'$version' is not a valid image tag"
registry="${repository_url%%/*}"
case "$base_image" in *[![:graph:]]*) die "--base-image '$base_image' is not an image reference" ;; esac

command -v docker >/dev/null 2>&1 || die "docker CLI not found on PATH"
command -v docker-credential-ecr-login >/dev/null 2>&1 ||
  die "docker-credential-ecr-login not found on PATH (package amazon-ecr-credential-helper, or docker-credential-ecr-login on Alpine)"

# The docker client must send this registry's login to the helper: either credsStore (the CI
# image's setting) or a credHelpers entry for the host (the runner manager's setting).
docker_config="${DOCKER_CONFIG:-${HOME}/.docker}/config.json"
registry_re="$(printf '%s' "$registry" | sed 's/[.]/[.]/g')"
if ! { [ -r "$docker_config" ] &&
  { grep -Eq '"credsStore"[[:space:]]*:[[:space:]]*"ecr-login"' "$docker_config" ||
    grep -Eq "\"${registry_re}\"[[:space:]]*:[[:space:]]*\"ecr-login\"" "$docker_config"; }; }; then
  die "${docker_config} does not send ${registry} to ecr-login; add {\"credHelpers\":{\"${registry}\":\"ecr-login\"}}"
fi

commit="${CI_COMMIT_SHA:-}"
if [ -z "$commit" ]; then
  commit="$(git -C "$project_dir" rev-parse HEAD 2>/dev/null)" || die "no git commit: run inside the repository or set CI_COMMIT_SHA"
fi
matches "$commit" '[0-9a-f]{40}' || die "'$commit' is not a full git commit SHA"
commit_tag="git-$(printf '%s' "$commit" | cut -c1-12)"

# The source label: the project URL without the credentials a clone URL may carry. Rule: after the
# scheme (from the start for scp-style user@host:path), everything up to the LAST `@` is userinfo
# and goes, and so do query and fragment. Pasted passwords break RFC 3986 with raw `/`, `:` or `@`,
# so neither the first `/` nor the first `@` can be trusted to end them. What is left must be
# host[:port]/path (scp-style host:path), else the label is `unknown`. The price: an `@` in the path
# (https://host/g/p@v1) also cuts the URL there; GitLab project paths cannot contain `@`.
source_label() {
  url="$1"
  case "$url" in "" | *[![:graph:]]*) echo unknown; return ;; esac
  scheme=""
  case "$url" in
    [A-Za-z]*://*)
      scheme="${url%%://*}"
      case "$scheme" in *[!A-Za-z0-9+.-]*) scheme="" ;; *) scheme="${scheme}://" ;; esac
      ;;
  esac
  rest="${url#"$scheme"}"
  rest="${rest##*@}"
  rest="${rest%%[?#]*}"
  if [ -n "$scheme" ]; then authority="${rest%%/*}"; else authority="${rest%%[:/]*}"; fi
  path="${rest#"$authority"}"
  case "$authority" in
    "" | *[!A-Za-z0-9.:_-]*) echo unknown; return ;;
  esac
  if [ -z "${path#?}" ]; then echo unknown; return; fi
  printf '%s\n' "${scheme}${rest}"
}
source_url="$(source_label "${CI_PROJECT_URL:-$(git -C "$project_dir" remote get-url origin 2>/dev/null || true)}")"

echo "build-and-push: ${repository_url}:${version} and :${commit_tag}"
# --build-arg only when given, so the Dockerfile's default applies otherwise
if [ -n "$base_image" ]; then set -- --build-arg "BASE_IMAGE=${base_image}"; else set --; fi
docker build \
  --pull \
  "$@" \
  --file "${script_dir}/Dockerfile" \
  --build-arg "IMAGE_VERSION=${version}" \
  --build-arg "IMAGE_REVISION=${commit}" \
  --build-arg "IMAGE_SOURCE=${source_url}" \
  --tag "${repository_url}:${version}" \
  "${script_dir}"
docker tag "${repository_url}:${version}" "${repository_url}:${commit_tag}"
# ECR tags are immutable in this stack: pushing an existing version fails instead of replacing it.
docker push "${repository_url}:${version}"
docker push "${repository_url}:${commit_tag}"
