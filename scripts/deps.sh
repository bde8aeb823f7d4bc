#!/usr/bin/env bash
# Installs the Debian 12 packages Baton needs, when any is missing. Sourced by run.sh, test.sh,
# bench.sh and fuzz.sh.
BATON_PACKAGES=(cmake ninja-build g++ ccache pkg-config qt6-base-dev qt6-charts-dev qt6-svg-dev
    libgl-dev libhiredis-dev nlohmann-json3-dev libcli11-dev redis-server redis-tools xvfb
    clang-14 libclang-rt-14-dev libcpp-httplib-dev prometheus)
# Packaging: man pages, the DEB's dependencies, desktop-entry and metainfo checks.
BATON_PACKAGES+=(help2man dpkg-dev desktop-file-utils appstream)
# High availability tests and bench: Redis Sentinel.
BATON_PACKAGES+=(redis-sentinel)

baton_install_deps() {
    local missing=()
    for p in "${BATON_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "baton: installing missing packages: ${missing[*]}" >&2
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            echo "baton: these packages are missing and this user cannot install them. Run:" >&2
            echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
            return 1
        fi
    fi
    "${sudo[@]}" apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}
