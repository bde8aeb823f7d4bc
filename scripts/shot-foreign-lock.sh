#!/usr/bin/env bash
# The README's screenshot of another library's lock in the lab (docs/foreign-lock.png): a private
# redis-server, a SET-PX lock that changes holder every two seconds, and `baton --lock` on it.
# usage: scripts/shot-foreign-lock.sh [OUT.png]   (QT_SCALE_FACTOR=2 for the 200 % view)
# Needs redis-server, redis-cli and /work/shared/tools/shot (xvfb, imagemagick); run it from
# the repository after building build/app/baton/baton.
set -euo pipefail
out=${1:-docs/foreign-lock.png}
shot=${SHOT:-/work/shared/tools/shot}
lab=build/app/baton/baton
[ -x "$lab" ] || { echo "no $lab: build it first (cmake --build build --target baton)" >&2; exit 2; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
home=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --logfile "$home/redis.log" &
redis_pid=$!
writer_pid=
cleanup() { # a killed job's status is not a failure here: set -e must not end the cleanup
    set +e
    [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null
    kill "$redis_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$home"
}
trap cleanup EXIT
cli() { redis-cli -p "$port" "$@" >/dev/null; }
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

# Other locks the pattern lists beside it, held all along.
cli SET leader:scheduler "sched-7f3a@host-a:4242" PX 600000
cli HSET leader:billing "6f1c2d3e-0a1b-4c5d-8e9f-0123456789ab:1" 1
cli PEXPIRE leader:billing 600000

# leader:reports: each holder takes the key with SET NX, renews it three times, then stops
# (a crash): the key expires and the next one takes it. The last one overwrites (a takeover).
(
    for holder in reports-1@host-a:8080 reports-2@host-b:8080 reports-3@host-c:8080; do
        until [ "$(redis-cli -p "$port" SET leader:reports "$holder" PX 800 NX)" = OK ]; do
            sleep 0.1
        done
        for _ in 1 2 3; do sleep 0.4; cli SET leader:reports "$holder" PX 800 XX; done
        sleep 0.4
    done
    cli SET leader:reports reports-4@host-d:8080 PX 800
    while sleep 0.4; do cli SET leader:reports reports-4@host-d:8080 PX 800 XX; done
) &
writer_pid=$!

HOME=$home "$shot" "$out" 8 "$lab" --redis "redis://127.0.0.1:$port" \
    --lock-pattern 'leader:*' --lock leader:reports
if [ "${QT_SCALE_FACTOR:-1}" = 1 ]; then # the lab's window, as docs/resources.png, not the screen
    convert "$out" -crop 1360x860+0+0 +repage "$out"
fi
echo "wrote $out"
