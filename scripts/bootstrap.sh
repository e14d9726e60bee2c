#!/usr/bin/env bash
# Sets up what this repository needs on a machine that has only Node (any version npm runs on,
# e.g. Node 20) and npm: Node 22 from the npm registry, pnpm 10, and ffmpeg from apt. Each step
# says what it does; a step that cannot succeed (no root for apt, no npm) stops with the reason
# and what to do instead. `./run` and `.ci/run` source this file and call `bootstrap`.
#
#   source scripts/bootstrap.sh && bootstrap      # then node 22, pnpm and ffmpeg are on PATH
#
# Where things go: Node 22 in $ECS_FANOUT_NODE_PREFIX (default ~/.node22); pnpm with
# `npm install -g`, or in ~/.pnpm10 when the global prefix is not writable.

bootstrap_say() { printf 'setup: %s\n' "$*" >&2; }
bootstrap_fail() {
  printf 'setup: error: %s\n' "$*" >&2
  return 1
}

# "22.12.0" from `node --version`; empty when there is no node.
bootstrap_node_version() { node --version 2>/dev/null | sed -nE 's/^v([0-9]+\.[0-9]+\.[0-9]+).*/\1/p'; }

# Whether version $1 is at least $2 (both x.y.z).
bootstrap_at_least() {
  local IFS=.
  # shellcheck disable=SC2206
  local a=($1) b=($2)
  local i
  for i in 0 1 2; do
    [ "${a[i]:-0}" -gt "${b[i]:-0}" ] && return 0
    [ "${a[i]:-0}" -lt "${b[i]:-0}" ] && return 1
  done
  return 0
}

bootstrap_node() {
  local want="22.12.0" prefix="${ECS_FANOUT_NODE_PREFIX:-$HOME/.node22}" have
  have=$(bootstrap_node_version)
  if [ -n "$have" ] && bootstrap_at_least "$have" "$want"; then
    bootstrap_say "node $have on PATH is new enough (>= $want)"
    return 0
  fi
  if [ ! -x "$prefix/node_modules/node/bin/node" ]; then
    command -v npm >/dev/null 2>&1 ||
      bootstrap_fail "node ${have:-is missing} (need >= $want) and there is no npm to fetch Node 22 with; install Node 22 from https://nodejs.org" ||
      return 1
    bootstrap_say "node ${have:-not found} is older than $want: installing Node 22 from the npm registry into $prefix (npm install --prefix $prefix node@22)"
    npm install --silent --no-fund --no-audit --prefix "$prefix" node@22 >&2 ||
      bootstrap_fail "npm could not install node@22 into $prefix (is the npm registry reachable? see the npm error above)" ||
      return 1
  fi
  export PATH="$prefix/node_modules/node/bin:$PATH"
  have=$(bootstrap_node_version)
  { [ -n "$have" ] && bootstrap_at_least "$have" "$want"; } ||
    bootstrap_fail "$prefix/node_modules/node/bin/node does not run as Node >= $want (got '${have}'); remove $prefix and retry" ||
    return 1
  bootstrap_say "using node $have from $prefix"
}

bootstrap_pnpm() {
  local have
  have=$(pnpm --version 2>/dev/null | cut -d. -f1)
  if [ -n "$have" ] && [ "$have" -ge 10 ] 2>/dev/null; then
    bootstrap_say "pnpm $(pnpm --version) on PATH"
    return 0
  fi
  if [ -x "$HOME/.pnpm10/node_modules/.bin/pnpm" ]; then
    export PATH="$HOME/.pnpm10/node_modules/.bin:$PATH"
  else
    command -v npm >/dev/null 2>&1 || bootstrap_fail "pnpm 10 is missing and there is no npm to install it with" || return 1
    # corepack needs its own download endpoint; npm's registry is the one source we rely on.
    bootstrap_say "pnpm ${have:+$have is too old}${have:-not found}: installing pnpm 10 (npm install -g pnpm@10)"
    if ! npm install -g --silent --no-fund --no-audit pnpm@10 >&2; then
      bootstrap_say "the global npm prefix is not writable: installing pnpm 10 into ~/.pnpm10 instead"
      npm install --silent --no-fund --no-audit --prefix "$HOME/.pnpm10" pnpm@10 >&2 ||
        bootstrap_fail "npm could not install pnpm@10 (see the npm error above)" || return 1
      export PATH="$HOME/.pnpm10/node_modules/.bin:$PATH"
    fi
    hash -r
    # npm's global bin folder may not be on PATH (a custom prefix): add it.
    if ! command -v pnpm >/dev/null 2>&1; then
      local global
      global="$(npm prefix -g 2>/dev/null)/bin"
      if [ -x "$global/pnpm" ]; then
        bootstrap_say "npm's global bin folder $global is not on PATH: adding it"
        export PATH="$global:$PATH"
      fi
    fi
  fi
  have=$(pnpm --version 2>/dev/null | cut -d. -f1)
  { [ -n "$have" ] && [ "$have" -ge 10 ] 2>/dev/null; } ||
    bootstrap_fail "pnpm 10 was installed but 'pnpm --version' does not run from PATH ($PATH)" || return 1
  bootstrap_say "using pnpm $(pnpm --version)"
}

bootstrap_ffmpeg() {
  if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
    bootstrap_say "ffmpeg and ffprobe on PATH ($(command -v ffmpeg))"
    return 0
  fi
  local sudo=""
  command -v apt-get >/dev/null 2>&1 ||
    bootstrap_fail "ffmpeg is missing and this machine has no apt-get: install ffmpeg (with ffprobe) with its package manager, or put them on PATH" ||
    return 1
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      bootstrap_fail "ffmpeg is missing and apt-get needs root: run this as root, allow passwordless sudo, or install ffmpeg yourself (sudo apt-get install -y ffmpeg) and run it again" ||
        return 1
    fi
  fi
  # apt's own output goes to a log, shown only when a step fails (dpkg prints hundreds of lines).
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/ecs-fanout-apt.XXXXXX")
  bootstrap_say "ffmpeg not found: installing it with ${sudo:+sudo }apt-get (update, then install -y ffmpeg; log: $log)"
  $sudo apt-get update -qq >"$log" 2>&1 ||
    { tail -n 20 "$log" >&2; bootstrap_fail "apt-get update failed (above: the end of $log)"; } || return 1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends ffmpeg >>"$log" 2>&1 ||
    { tail -n 20 "$log" >&2; bootstrap_fail "apt-get install ffmpeg failed (above: the end of $log)"; } || return 1
  hash -r
  command -v ffprobe >/dev/null 2>&1 || bootstrap_fail "ffmpeg was installed but ffprobe is not on PATH" || return 1
  bootstrap_say "installed $(ffmpeg -version 2>/dev/null | head -1)"
}

bootstrap() {
  bootstrap_node && bootstrap_pnpm && bootstrap_ffmpeg
}

# Run directly: set up, then say how to get the same PATH in this shell.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  bootstrap
  bootstrap_say "done; for this shell: export PATH=\"$PATH\""
fi
