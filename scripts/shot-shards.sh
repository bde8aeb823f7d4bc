#!/usr/bin/env bash
# The README's screenshot of the Shards view (docs/shards.png): a private redis-server, three
# baton-agent --shards 12 processes, a fourth that joins and is then killed (SIGKILL), and the
# lab watching the family (its Resources list and the Shards grid).
# usage: scripts/shot-shards.sh [OUT.png]   (QT_SCALE_FACTOR=2 for the 200 % view)
# Needs redis-server, redis-cli and /work/shared/tools/shot (xvfb, imagemagick); run it from
# the repository after building build/app/baton/baton and build/app/baton-agent/baton-agent.
set -euo pipefail
out=${1:-docs/shards.png}
shot=${SHOT:-/work/shared/tools/shot}
build=${BUILD:-build}
lab=$build/app/baton/baton
agent=$build/app/baton-agent/baton-agent
for x in "$lab" "$agent"; do
    [ -x "$x" ] || { echo "no $x: build it first (cmake --build $build)" >&2; exit 2; }
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
home=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --logfile "$home/redis.log" &
pids=($!)
cleanup() { # a killed job's status is not a failure here: set -e must not end the cleanup
    set +e
    kill "${pids[@]}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$home"
}
trap cleanup EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

run_agent() {
    "$agent" --redis "redis://127.0.0.1:$port" --resource jobs --shards 12 --id "$1" \
        --ttl 2s --refresh 400ms --retry 2s >/dev/null 2>&1 &
    pids+=($!)
}
for id in node-a node-b node-c; do run_agent "$id"; done
(
    sleep 1.5
    "$agent" --redis "redis://127.0.0.1:$port" --resource jobs --shards 12 --id node-d \
        --ttl 2s --refresh 400ms --retry 2s >/dev/null 2>&1 &
    d=$!
    sleep 4
    kill -KILL "$d"
) &
pids+=($!)

HOME=$home "$shot" "$out" "${WAIT:-12}" "$lab" --redis "redis://127.0.0.1:$port" --agents 0 --resource jobs-0
if [ "${QT_SCALE_FACTOR:-1}" = 1 ]; then # the lab's window, as docs/resources.png, not the screen
    convert "$out" -crop 1360x860+0+0 +repage "$out"
fi
echo "wrote $out"
