#!/usr/bin/env bash
# Package, docs and infrastructure checks. .ci/run calls this after `pnpm build`; it can be run
# alone the same way (after a build). Every step runs even when an earlier one fails, so one CI
# run shows every problem; the script fails if any step did.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
step() {
  local name="$1"
  shift
  printf '\n-- %s --\n' "$name"
  if ! "$@"; then
    failed+=("$name")
    printf -- '-- FAILED: %s --\n' "$name"
  fi
}

step "typecheck root tests and scripts (test/tsconfig.json)" pnpm exec tsc -p test/tsconfig.json --noEmit
step "CloudFormation template (infra/*.yaml against scripts/cfn)" pnpm run --silent check:infra
step "API reference (typedoc: no warning, no broken link, no undocumented export)" pnpm run --silent docs:api
step "public API (api/*.api.md match the built packages' surface; pnpm api:update after a change)" pnpm run --silent api:check
step "npm packages (publint, attw --pack, npm pack --dry-run contents)" pnpm run --silent check:packages

if [ "${#failed[@]}" -gt 0 ]; then
  printf '\nci-extra: %d step(s) failed:\n' "${#failed[@]}"
  printf '  - %s\n' "${failed[@]}"
  exit 1
fi
printf '\nci-extra: all package, docs and infrastructure checks passed\n'
