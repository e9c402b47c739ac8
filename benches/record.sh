#!/usr/bin/env bash
# Recorder benchmark: CPU (% of one core) and resident memory of `custos serve` recording
# 1, 4 and 16 streams of 1080p25 H.264 at 4 Mbit/s from GStreamer's RTSP server, which
# serves a clip encoded beforehand (no encoding while measuring). Encryption and hashing are
# on, as always. Each run records for WARMUP_S, then measures over MEASURE_S.
#
# Usage: benches/record.sh [STREAMS...]     (default: 1 4 16)
# Needs: ffmpeg, python3-gi and gir1.2-gst-rtsp-server-1.0 (./scripts/test installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
WARMUP_S=${WARMUP_S:-15}
MEASURE_S=${MEASURE_S:-60}
if [ $# -gt 0 ]; then STREAMS=("$@"); else STREAMS=(1 4 16); fi

cargo build --release --locked -q -p custos
BIN="$PWD/target/release/custos"
WORK="$(mktemp -d /tmp/custos-bench.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
CLIP="${CLIP_CACHE:-$PWD/target/bench-1080p25-4M.mp4}"
if [ ! -s "$CLIP" ]; then
    echo "making the test clip (once): $CLIP"
    ffmpeg -v error -y -f lavfi -i testsrc2=size=1920x1080:rate=25 -t 100 \
        -c:v libx264 -preset veryfast -b:v 4M -maxrate 4M -bufsize 8M -g 50 -pix_fmt yuv420p "$CLIP"
fi

clk=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

printf '\n%-8s %-14s %-12s %-16s %-14s\n' streams "CPU (% core)" "RSS (MiB)" "CPU/stream (%)" "RSS/stream (MiB)"
base_rss=""
for n in 0 "${STREAMS[@]}"; do
    data="$WORK/scheme-$n"
    "$BIN" --data "$data" init --policy policies/bosmere-junior-school.toml >/dev/null
    "$BIN" --data "$data" group add bench --site bench --name Bench >/dev/null
    port=$(( 20000 + RANDOM % 20000 ))
    mounts=()
    for i in $(seq 1 "$n"); do mounts+=("cam$i=$CLIP"); done
    gst_pid=""
    if [ "$n" -gt 0 ]; then
        /usr/bin/python3 crates/custos/tests/support/gst_rtsp_server.py "$port" "${mounts[@]}" > "$WORK/gst-$n.log" &
        gst_pid=$!
        for _ in $(seq 1 50); do grep -q ready "$WORK/gst-$n.log" 2>/dev/null && break; sleep 0.2; done
        for i in $(seq 1 "$n"); do
            "$BIN" --data "$data" camera add "cam-$i" --name "Camera $i" --site bench \
                --location bench --area bench --purpose security-and-safety --group bench \
                --url "rtsp://127.0.0.1:$port/cam$i" >/dev/null
        done
    fi
    "$BIN" --data "$data" --log warn serve --listen 127.0.0.1:0 > "$WORK/serve-$n.log" 2>&1 &
    pid=$!
    sleep "$WARMUP_S"
    t0=$(cpu_ticks $pid)
    sleep "$MEASURE_S"
    t1=$(cpu_ticks $pid)
    rss=$(rss_kib $pid)
    kill -INT $pid; wait $pid || true
    [ -n "$gst_pid" ] && { kill -TERM "$gst_pid"; wait "$gst_pid" || true; }
    cpu=$(awk -v a="$t0" -v b="$t1" -v c="$clk" -v s="$MEASURE_S" 'BEGIN {printf "%.2f", (b - a) / c / s * 100}')
    rss_mib=$(awk -v r="$rss" 'BEGIN {printf "%.1f", r / 1024}')
    if [ "$n" -eq 0 ]; then
        base_cpu=$cpu; base_rss=$rss
        printf '%-8s %-14s %-12s %-16s %-14s\n' "0 (idle)" "$cpu" "$rss_mib" "-" "-"
    else
        per_cpu=$(awk -v c="$cpu" -v b="$base_cpu" -v n="$n" 'BEGIN {printf "%.2f", (c - b) / n}')
        per_rss=$(awk -v r="$rss" -v b="$base_rss" -v n="$n" 'BEGIN {printf "%.2f", (r - b) / 1024 / n}')
        printf '%-8s %-14s %-12s %-16s %-14s\n' "$n" "$cpu" "$rss_mib" "$per_cpu" "$per_rss"
        segs=$(find "$data/footage" -name '*.cseg' | wc -l)
        echo "         ($segs segment files written)"
    fi
done
