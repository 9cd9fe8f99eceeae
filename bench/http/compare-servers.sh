#!/usr/bin/env bash
# Several HTTP servers against nginx on the same 256 MiB file, in interleaved rounds of wrk (random ranges of BLOCK
# bytes, 2 threads, 16 connections), with each server's CPU time per request (user + system, from /proc, its child
# processes included) and wrk's. For questions bench/http/http-vs-nginx.sh does not answer: several builds or settings
# side by side, or the Kestrel-only ceiling (bench/http/KestrelCeiling). Needs nginx and wrk (http-vs-nginx.sh installs
# them).
#
#   bench/http/compare-servers.sh ROUNDS SECONDS BLOCK NAME=COMMAND [NAME=COMMAND ...]
#
# COMMAND starts a server in the foreground; {PORT} is replaced by a free port and {ROOT} by the directory that holds
# data.bin. Example (the data plane of a Release build against the Kestrel ceiling):
#
#   bench/http/compare-servers.sh 5 5 4096 \
#     "mmap=dotnet src/MmapActors.Cli/bin/Release/net10.0/mmapctl.dll serve --root {ROOT} --port 0 --http-port {PORT}" \
#     "kestrel=env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet bench/http/KestrelCeiling/bin/Release/net10.0/KestrelCeiling.dll {PORT} --inline"
#
# Every server listens on 127.0.0.1 and is stopped (by its own pid) when the script exits.
set -euo pipefail
[[ $# -ge 4 ]] || { sed -n '2,18p' "$0" >&2; exit 2; }
rounds=$1 seconds=$2 block=$3
shift 3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/nginx.sh"
bench_workspace mmap-compare $((256 * 1024 * 1024))
start_nginx
names=(nginx) ports=("$nginx_port") server_pids=("$nginx_pid")
for spec in "$@"; do
  name=${spec%%=*}
  start_command "$work/$name.log" "${spec#*=}"
  names+=("$name") ports+=("$server_port") server_pids+=("$server_pid")
done
for i in "${!ports[@]}"; do
  await_answer "${ports[$i]}" 150 "${names[$i]} does not answer" "$work/${names[$i]}.log"
done

cpu_ticks() { # a process and its children, user + system, in clock ticks
  local total=0
  for p in $1 $(pgrep -P "$1" || true); do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done
  echo $total
}
run_wrk() { # port seconds
  FILE_SIZE=$size BLOCK=$block /usr/bin/time -f "%U %S" -o "$work/wrk.time" \
    wrk -t2 -c16 -d"$2s" -s "$here/range.lua" "http://127.0.0.1:$1/" 2>/dev/null | awk '/Requests\/sec/ { print $2 }'
}
for port in "${ports[@]}"; do run_wrk "$port" 5 > /dev/null; done # JIT tiering, connections, page cache

hz=$(getconf CLK_TCK)
declare -A rates cpu
for round in $(seq 1 "$rounds"); do
  for i in "${!names[@]}"; do
    before=$(cpu_ticks "${server_pids[$i]}")
    rate=$(run_wrk "${ports[$i]}" "$seconds")
    after=$(cpu_ticks "${server_pids[$i]}")
    server_us=$(echo "($after - $before) * 1000000 / $hz / ($rate * $seconds)" | bc -l)
    wrk_us=$(awk -v r="$rate" -v s="$seconds" '{ print ($1 + $2) * 1e6 / (r * s) }' "$work/wrk.time")
    rates[${names[$i]}]+="$rate " cpu[${names[$i]}]+="$server_us "
    printf 'round %d  %-14s %10.0f req/s  server %5.1f us CPU/request  wrk %5.1f us CPU/request\n' \
      "$round" "${names[$i]}" "$rate" "$server_us" "$wrk_us" >&2
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
nginx_rate=$(echo "${rates[nginx]}" | median)
echo
echo "random $block B ranges, wrk -t2 -c16 -d${seconds}s, $rounds interleaved rounds (medians), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
printf '%-14s %12s %7s %22s\n' server "req/s" ratio "server CPU/request"
for name in "${names[@]}"; do
  rate=$(echo "${rates[$name]}" | median)
  printf '%-14s %12.0f %7.2f %19.1f us\n' "$name" "$rate" "$(echo "$rate / $nginx_rate" | bc -l)" "$(echo "${cpu[$name]}" | median)"
done
