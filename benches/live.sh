#!/usr/bin/env bash
# Live-view benchmark: latency from the simulated camera's clock to a decoded picture at the
# client, and the CPU (% of one core) each live viewer costs `custos serve`.
#
# The scheme is made by `custos demo` (its accounts, cameras sim-1 and sim-2); its two
# cameras are then pointed at `custos simcam` running as a separate process (640x360,
# 25 fps, GOP_S-second GOP), so the server's CPU figures hold no camera encoding, and
# `custos serve` runs the scheme (recording both cameras, as the demo does).
#
# Latency: the operator signs in through the API (POST /api/v1/sessions, after accepting
# the confidentiality declaration through its page, as a person does), reads
# /api/v1/cameras/sim-1/live.mp4 with curl and pipes it into the live_latency example
# (crates/media/examples), which decodes it with ffmpeg's low-delay flags and reads the
# time drawn on each picture. It counts LATENCY_S seconds after 5 s of warm-up. The
# browser's own playback buffer is not included.
#
# CPU: for 0 and each of VIEWERS concurrent viewers (curl, spread over sim-1 and sim-2),
# waits WARMUP_S, then reads the server's CPU time from /proc/PID/stat over MEASURE_S.
# Per viewer = (CPU with N - CPU with 0) / N. The latency is measured again (20 s) while
# the last group of viewers is still watching. With the defaults it runs about 4.5 minutes.
#
# Usage: benches/live.sh [VIEWERS...]     (default: 1 4 16)
# Needs: curl, ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/.."
WARMUP_S=${WARMUP_S:-10}
MEASURE_S=${MEASURE_S:-30}
LATENCY_S=${LATENCY_S:-30}
GOP_S=${GOP_S:-1}
if [ $# -gt 0 ]; then VIEWERS=("$@"); else VIEWERS=(1 4 16); fi

for tool in curl ffmpeg awk sed; do
    command -v "$tool" >/dev/null || {
        echo "benches/live.sh needs $tool; install it (apt-get install $tool)" >&2
        exit 1
    }
done

cargo build --release --locked -q -p custos -p custos-media --bin custos --example live_latency
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
BIN="$TARGET/release/custos"
PROBE="$TARGET/release/examples/live_latency"
WORK="$(mktemp -d /tmp/custos-live.XXXXXX)"
DATA="$WORK/scheme"
pids=()
viewers=()
cleanup() {
    for p in "${viewers[@]}" "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

die() { echo "benches/live.sh: $*" >&2; exit 1; }

# Waits up to 60 s for a line matching $2 in log $1 written by process $3; prints the line.
wait_for() {
    local log=$1 pattern=$2 pid=$3
    for _ in $(seq 1 300); do
        if grep -q -- "$pattern" "$log" 2>/dev/null; then grep -m1 -- "$pattern" "$log"; return; fi
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "the process writing $log stopped"; }
        sleep 0.2
    done
    cat "$log" >&2
    die "no line matching '$pattern' in $log after 60 s"
}

# 1. The scheme, with the demo's accounts and cameras.
"$BIN" --data "$DATA" --log warn demo --listen 127.0.0.1:0 > "$WORK/demo.log" 2>&1 &
demo=$!
pids+=("$demo")
wait_for "$WORK/demo.log" "running at http://" "$demo" >/dev/null
PASSWORD=$(awk '$1 == "operator" && $2 == "password" {print $3}' "$WORK/demo.log")
[ -n "$PASSWORD" ] || die "the demo printed no password for operator: $(cat "$WORK/demo.log")"
kill -INT "$demo"
wait "$demo" || true

# 2. The cameras in their own process, and the server.
"$BIN" --log warn simcam --listen 127.0.0.1:0 --cameras 2 --size 640x360 --fps 25 \
    --gop "$GOP_S" > "$WORK/simcam.log" 2>&1 &
simcam=$!
pids+=("$simcam")
line=$(wait_for "$WORK/simcam.log" "Simulated cameras at" "$simcam")
read -r -a urls <<< "$(sed 's/.*Simulated cameras at \(.*\) — .*/\1/' <<< "$line")"
[ "${#urls[@]}" = 2 ] || die "cannot read the simulated cameras' addresses from: $line"
for i in 1 2; do
    "$BIN" --data "$DATA" --log warn camera edit "sim-$i" --url "${urls[$((i - 1))]}" \
        --reason "live-view benchmark: cameras in their own process" >/dev/null
done
"$BIN" --data "$DATA" --log warn serve --listen 127.0.0.1:0 > "$WORK/serve.log" 2>&1 &
server=$!
pids+=("$server")
line=$(wait_for "$WORK/serve.log" "running at http://" "$server")
ADDR=$(sed 's|.*running at http://\([^/]*\)/.*|\1|' <<< "$line")
URL="http://$ADDR"

# 3. Sign in: accept the declaration through its page (the API refuses until then), then
# take an API token.
code=$(curl -s -o /dev/null -D "$WORK/login.hdr" -w '%{http_code}' \
    --data-urlencode username=operator --data-urlencode "password=$PASSWORD" \
    --data-urlencode next=/ "$URL/login")
[ "$code" = 303 ] || die "signing in through /login answered $code"
COOKIE=$(tr -d '\r' < "$WORK/login.hdr" | sed -n 's/^[Ss]et-[Cc]ookie: \(custos_session=[^;]*\).*/\1/p' | head -1)
[ -n "$COOKIE" ] || die "signing in gave no session cookie"
csrf=$(curl -s -H "Cookie: $COOKIE" "$URL/account/declaration" |
    sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
if [ -n "$csrf" ]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" \
        --data-urlencode "csrf=$csrf" "$URL/account/declaration")
    [ "$code" = 303 ] || die "accepting the declaration answered $code"
fi
TOKEN=$(curl -s -H 'Content-Type: application/json' \
    -d "{\"username\":\"operator\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/sessions" |
    sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || die "POST /api/v1/sessions gave no token"
AUTH="Authorization: Bearer $TOKEN"
code=$(curl -s -o "$WORK/preflight" -w '%{http_code}' --max-time 4 -H "$AUTH" \
    "$URL/api/v1/cameras/sim-1/live.mp4" || true)
[ "$code" = 200 ] || die "live.mp4 answered $code: $(head -c 300 "$WORK/preflight")"

# Latency with one viewer (the probe) or alongside the viewers already running.
latency() {
    local out=$1 seconds=$2
    set +o pipefail
    curl -sN -H "$AUTH" "$URL/api/v1/cameras/sim-1/live.mp4" |
        "$PROBE" --width 640 --height 360 --warmup-s 5 --seconds "$seconds" > "$out"
    local rc=${PIPESTATUS[1]}
    set -o pipefail
    [ "$rc" = 0 ] || die "the latency probe failed (exit $rc)"
    awk '{printf "  %-22s %s\n", $1, $2}' "$out"
}
echo
echo "latency, 1 viewer, GOP ${GOP_S} s, ${LATENCY_S} s measured (ms; age of the picture against its camera clock):"
latency "$WORK/latency-1.txt" "$LATENCY_S"

# 4. CPU per viewer.
clk=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# What a viewer has received: curl's writes to /dev/null (sockets' reads are not counted).
wchar() { awk '/^wchar:/ {print $2}' "/proc/$1/io" 2>/dev/null || echo 0; }
pct() { awk -v a="$1" -v b="$2" -v c="$clk" -v s="$MEASURE_S" 'BEGIN {printf "%.2f", (b - a) / c / s * 100}'; }

printf '\n%-8s %-13s %-15s %-10s %-15s %-16s\n' viewers "server CPU %" "CPU/viewer %" "RSS MiB" "simcam CPU %" "kbit/s/viewer"
for n in 0 "${VIEWERS[@]}"; do
    viewers=()
    for i in $(seq 1 "$n"); do
        curl -sN -H "$AUTH" "$URL/api/v1/cameras/sim-$(( (i - 1) % 2 + 1 ))/live.mp4" > /dev/null &
        viewers+=($!)
    done
    sleep "$WARMUP_S"
    b0=0; for p in "${viewers[@]}"; do b0=$(( b0 + $(wchar "$p") )); done
    s0=$(cpu_ticks "$server"); c0=$(cpu_ticks "$simcam")
    sleep "$MEASURE_S"
    s1=$(cpu_ticks "$server"); c1=$(cpu_ticks "$simcam")
    b1=0; for p in "${viewers[@]}"; do b1=$(( b1 + $(wchar "$p") )); done
    rss=$(awk -v r="$(rss_kib "$server")" 'BEGIN {printf "%.1f", r / 1024}')
    for p in "${viewers[@]}"; do kill -0 "$p" 2>/dev/null || die "a viewer stopped watching"; done
    cpu=$(pct "$s0" "$s1"); simcpu=$(pct "$c0" "$c1")
    if [ "$n" -eq 0 ]; then
        base=$cpu
        printf '%-8s %-13s %-15s %-10s %-15s %-16s\n' 0 "$cpu" - "$rss" "$simcpu" -
    else
        per=$(awk -v c="$cpu" -v b="$base" -v n="$n" 'BEGIN {printf "%.2f", (c - b) / n}')
        rate=$(awk -v a="$b0" -v b="$b1" -v n="$n" -v s="$MEASURE_S" 'BEGIN {printf "%.0f", (b - a) * 8 / 1000 / s / n}')
        printf '%-8s %-13s %-15s %-10s %-15s %-16s\n' "$n" "$cpu" "$per" "$rss" "$simcpu" "$rate"
    fi
    if [ "$n" -gt 0 ] && [ "$n" = "${VIEWERS[-1]}" ]; then
        echo "  latency with these $n viewers watching as well (20 s measured):"
        latency "$WORK/latency-$n.txt" 20
    fi
    for p in "${viewers[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${viewers[@]}"; do wait "$p" 2>/dev/null || true; done
    viewers=()
    sleep 2
done
echo
echo "(server: custos serve recording sim-1 and sim-2 and serving the viewers; simcam: the"
echo " cameras' process; kbit/s/viewer: what each viewer received, from /proc/PID/io)"
