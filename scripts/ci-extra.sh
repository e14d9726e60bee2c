#!/usr/bin/env bash
# Package, docs and infrastructure checks. .ci/run calls this after `pnpm build`; it can be run
# alone the same way (after a build). Each step prints one header; any failure fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n-- %s --\n' "$*"; }

step "typecheck root tests and scripts (test/tsconfig.json)"
pnpm exec tsc -p test/tsconfig.json --noEmit

step "CloudFormation template (infra/*.yaml against scripts/cfn)"
pnpm run --silent check:infra

step "API reference (typedoc: no warning, no broken link, no undocumented export)"
pnpm run --silent docs:api

step "npm packages (publint, attw --pack, npm pack --dry-run contents)"
pnpm run --silent check:packages
