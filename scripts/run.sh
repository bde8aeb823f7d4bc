#!/usr/bin/env bash
# Installs what is missing, builds, and runs Baton. Arguments go to the program.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
baton_install_deps
cmake --preset default >/dev/null
cmake --build --preset default
exec build/app/example/baton-example "$@"
