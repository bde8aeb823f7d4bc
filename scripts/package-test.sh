#!/usr/bin/env bash
# Builds the DEB from the default build (cpack -G DEB), installs it with apt-get (which must
# resolve its declared dependencies), runs the installed tools from /usr/bin, checks the desktop
# entry, icon, metainfo, man pages, licence and pkg-config file, then removes the package.
# Needs root (or passwordless sudo): it installs system-wide. CI runs it after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
baton_install_deps
start=$(date +%s)
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -qq)

cmake --preset default >/dev/null
cmake --build --preset default
out=build/package
rm -rf "$out"
cpack --config build/CPackConfig.cmake -G DEB -B "$out" >/dev/null
deb=$(ls "$out"/baton_*.deb)
echo "package-test: $deb"
dpkg-deb --field "$deb" Package Version Depends Recommends

fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
trap '"${apt[@]}" remove baton >/dev/null || true' EXIT
"${apt[@]}" install "./$deb" >/dev/null

/usr/bin/baton --version | grep -q '^baton ' || fail "baton --version"
/usr/bin/baton-agent --help | grep -q -- '--resource' || fail "baton-agent --help"
/usr/bin/baton-sim --help | grep -q -- '--electors' || fail "baton-sim --help"
/usr/bin/baton-campaign --help | grep -q -- '--faults' || fail "baton-campaign --help"
/usr/bin/baton-ctl --help | grep -q -- 'resign' || fail "baton-ctl --help"
id=io.github.baton.Baton
for f in /usr/share/applications/$id.desktop /usr/share/icons/hicolor/scalable/apps/$id.svg \
    /usr/share/metainfo/$id.metainfo.xml /usr/share/doc/baton/LICENSE \
    /usr/share/man/man1/{baton,baton-agent,baton-sim,baton-campaign,baton-ctl}.1.gz; do
    [ -s "$f" ] || fail "missing $f"
done
desktop-file-validate /usr/share/applications/$id.desktop || fail "desktop-file-validate"
appstreamcli validate --no-net /usr/share/metainfo/$id.metainfo.xml >/dev/null ||
    fail "appstreamcli validate"
[ "$(grep '^Exec=' /usr/share/applications/$id.desktop | cut -d= -f2 | cut -d' ' -f1)" = baton ] ||
    fail "the desktop entry does not run baton"

# The library from pkg-config: build the README's example against the installed headers.
scratch=$(mktemp -d)
g++ -std=c++20 app/example/main.cpp -o "$scratch/example" $(pkg-config --cflags --libs baton) ||
    fail "building against pkg-config baton"
"$scratch/example" | grep -q "this instance is now the leader" || fail "the example did not run"
rm -rf "$scratch"

trap - EXIT
"${apt[@]}" remove baton >/dev/null
[ ! -e /usr/bin/baton ] || fail "apt-get remove left /usr/bin/baton"
echo "package-test: ok in $(( $(date +%s) - start ))s"
