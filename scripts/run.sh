#!/usr/bin/env bash
# Installs what is missing, builds, and opens the lab (baton). Arguments go to it: --help.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
baton_install_deps
cmake --preset default >/dev/null
cmake --build --preset default
exec build/app/baton/baton "$@"
