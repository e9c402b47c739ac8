#!/usr/bin/env bash
# Hardening benchmark, against `custos demo` (release build) on 127.0.0.1 only:
#
# 1. Sign-in under a burst: 300 concurrent wrong API sign-ins, each from its own address
#    (X-Forwarded-For through a trusted loopback proxy), so none is throttled and every
#    password check is attempted: throughput of password checks, answers (401 checked,
#    503 busy), and the server's memory idle, at its peak and after. Then 300 at once from
#    one address: exactly 20 are checked, the rest refused at once.
# 2. Recorder under a connection flood: the demo (open-file limit 512) records its two
#    simulated cameras while 1,500 idle and slow connections are held for FLOOD_S seconds;
#    frames the camera had to drop for the recorder (the simulator logs "RTSP client too
#    slow"), gaps in the footage, and the slowest /healthz answer.
#
# Usage: benches/attack.sh        Needs: python3.
set -euo pipefail
cd "$(dirname "$0")/.."
FLOOD_S=${FLOOD_S:-30}
cargo build --release --locked -q -p custos
BIN="$PWD/target/release/custos"
WORK="$(mktemp -d /tmp/custos-attack.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

start_demo() { # DATA NOFILE [CONFIG] -> sets PID and ADDR
    local data=$1 nofile=$2 config=${3:-}
    local args=(--data "$data")
    [ -n "$config" ] && args=(--config "$config" "${args[@]}")
    (ulimit -n "$nofile"; exec "$BIN" "${args[@]}" --log info demo --listen 127.0.0.1:0) \
        > "$data.out" 2> "$data.log" &
    PID=$!
    for _ in $(seq 1 200); do
        ADDR=$(sed -n 's|.*running at http://\([^/]*\)/.*|\1|p' "$data.out" 2>/dev/null | head -n 1)
        [ -n "$ADDR" ] && break
        sleep 0.1
    done
    [ -n "$ADDR" ] || { echo "the demo did not start"; cat "$data.log"; exit 1; }
}

echo "== 1. sign-in burst ($(nproc) cores)"
printf '[web]\ntrusted_proxies = ["127.0.0.1/32"]\n' > "$WORK/proxy.toml"
start_demo "$WORK/signin" 4096 "$WORK/proxy.toml"
sleep 5
python3 benches/attack.py signin "$ADDR" "$PID" 300 forwarded
python3 benches/attack.py signin "$ADDR" "$PID" 300
kill -INT "$PID"; wait "$PID" || true

echo "== 2. recorder under a connection flood (${FLOOD_S} s)"
start_demo "$WORK/flood" 512
sleep 5
python3 benches/attack.py flood "$ADDR" "$FLOOD_S" 1500
sleep 2
kill -INT "$PID"; wait "$PID" || true
slow=$(grep -c "RTSP client too slow" "$WORK/flood.log" || true)
gaps=$(python3 - "$WORK/flood/custos.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT COUNT(*) FROM recording_gaps").fetchone()[0])
EOF
)
echo "recorder_fell_behind=$slow recording_gaps=$gaps"
