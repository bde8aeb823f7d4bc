#!/usr/bin/env bash
# Installs what is missing, builds, and opens the lab (baton). Arguments go to it: --help.
set -euo pipefail
cd "$(dirname "$0")/.."

# Without a display the lab cannot open its window: say so before installing and building
# (baton makes the same check; --help and --version need no display).
needs_display=1
for arg in "$@"; do
    case "$arg" in -h | --help | --help-all | -v | --version) needs_display=0 ;; esac
done
platform=${QT_QPA_PLATFORM:-}
platform=${platform%%[;:]*}
case "$platform" in
offscreen | minimal | minimalegl | vnc | eglfs | linuxfb | vkkhrdisplay) needs_display=0 ;;
esac
if [[ $needs_display == 1 && -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
    cat >&2 <<'EOF'
run.sh: no display to open the lab's window on (DISPLAY and WAYLAND_DISPLAY are unset).
  On a machine without one, give it a virtual display: xvfb-run scripts/run.sh
  For headless runs, baton-sim plays the same scenarios on virtual time and checks them:
  build/app/baton-sim/baton-sim --help (scripts/run.sh --version builds it, and the lab).
EOF
    exit 2
fi

. scripts/deps.sh
baton_install_deps
cmake --preset default >/dev/null
# The lab and the tools (the agents it starts in Redis mode, baton-sim that plays the runs it
# saves, baton-ctl, baton-campaign): about half of the project; scripts/test.sh builds the rest,
# the tests and the benchmarks.
cmake --build --preset default --target baton baton-agent baton-sim baton-ctl baton-campaign
exec build/app/baton/baton "$@"
