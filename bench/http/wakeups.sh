#!/usr/bin/env bash
# Why nginx's figure for small ranges jumps between rounds: per wrk round (random ranges of BLOCK bytes, 2 threads,
# 16 connections), the requests per second, how the connections fall over the server's processes, and the
# interrupts between processors (rescheduling and function calls, RES + CAL in /proc/interrupts) per request.
# Without COMMAND it measures nginx; with one, that server instead ({PORT} and {ROOT} as in compare-servers.sh).
# Needs nginx and wrk (http-vs-nginx.sh installs them). See docs/benchmarks.md, "sixth pass".
#
#   bench/http/wakeups.sh ROUNDS SECONDS BLOCK [COMMAND]
#
# Every server listens on 127.0.0.1 and is stopped (by its own pid) when the script exits.
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2,10p' "$0" >&2; exit 2; }
rounds=$1 seconds=$2 block=$3 command=${4:-}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/nginx.sh"
bench_workspace mmap-wakeups $((256 * 1024 * 1024))
if [[ -z $command ]]; then
  start_nginx
  port=$nginx_port log=$work/nginx/error.log
else
  log=$work/server.log
  start_command "$log" "$command"
  port=$server_port
fi
await_answer "$port" 150 "the server does not answer" "$log"

interrupts() { awk '/^ *(RES|CAL):/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s }' /proc/interrupts; }
# The server's processes (nginx: its workers) and how many of the connections to the port each holds.
holders() { ss -tnpH state established "( sport = :$port )" | grep -o 'pid=[0-9]*' | sort | uniq -c | awk '{ printf "%s%s", sep, $1; sep = " + " }'; }

FILE_SIZE=$size BLOCK=$block wrk -t2 -c16 -d3s -s "$here/range.lua" "http://127.0.0.1:$port/" > /dev/null 2>&1 # warm-up
printf '%-6s %10s  %-24s %s\n' round "req/s" "connections per process" "interrupts per request"
for round in $(seq 1 "$rounds"); do
  before=$(interrupts)
  FILE_SIZE=$size BLOCK=$block wrk -t2 -c16 -d"${seconds}s" -s "$here/range.lua" "http://127.0.0.1:$port/" > "$work/wrk.out" 2>/dev/null &
  wrk_pid=$!
  sleep $((seconds > 2 ? 1 : 0)); held=$(holders) # once wrk's connections are up
  wait "$wrk_pid"
  after=$(interrupts)
  rate=$(awk '/Requests\/sec/ { print $2 }' "$work/wrk.out")
  printf '%-6d %10.0f  %-24s %.3f\n' "$round" "$rate" "$held" "$(echo "($after - $before) / ($rate * $seconds)" | bc -l)"
done
