#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (ctest). Tests that need Redis start
# their own redis-server. Usage: scripts/test.sh [PRESET] [extra ctest args]
#   PRESET: default (release, the default) or debug-asan (AddressSanitizer + UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
baton_install_deps
preset=${1:-default}
shift || true
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
export QT_QPA_PLATFORM=offscreen
ctest --preset "$preset" "$@"
