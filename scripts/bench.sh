#!/usr/bin/env bash
# Installs what is missing, builds (preset default) and runs every benchmark: prints the table of
# figures and writes them as JSON. Each benchmark starts its own redis-server and processes.
# Usage: scripts/bench.sh [--quick] [--out FILE] [--only NAME,...] [--list]
#   --out:   where the JSON goes (default bench/results.json; build/bench/results-quick.json with
#            --quick)
#   --quick: a short run of each benchmark (under a minute in all) that shows it still works
#   --list:  the benchmarks' names
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
baton_install_deps
args=("$@")
case " $* " in
    *" --out "* | *" --list "* | *" --help "* | *" -h "*) ;;
    *" --quick "*) args+=(--out build/bench/results-quick.json) ;;
    *) args+=(--out bench/results.json) ;;
esac
cmake --preset default >/dev/null
cmake --build --preset default --target baton-bench
exec build/bench/baton-bench "${args[@]}"
