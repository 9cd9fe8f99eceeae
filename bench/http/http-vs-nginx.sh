#!/usr/bin/env bash
# The HTTP data plane against nginx, same client (wrk), same file, same minutes: random 4 KiB and 1 MiB Range requests
# over 16 connections, in interleaved rounds, each figure beside nginx's; then the server's memory while 4 curl
# clients each stream 1 GiB. Installs nginx-light and wrk from Debian when missing.
#
# Nine short rounds by default, not three long ones: nginx's figure for small ranges is bimodal. On 2 cores it serves
# up to a third more in the rounds where the scheduler keeps each wake-up between its workers and wrk's threads on one
# processor (next to no rescheduling interrupts in /proc/interrupts; docs/benchmarks.md, "sixth pass"), and which
# rounds do is set by how wrk's connections happen to fall, not by an option of either server. The median of three
# rounds said more about how often nginx met that mode than about either server. The spread (lowest and highest
# round) is printed beside each median.
#
#   bench/http/http-vs-nginx.sh [--rounds N] [--seconds S] [--size-mib M] [--quick] [--no-client] [--sha-gib G]
#
# Last (--sha-gib, default 1; 0 skips), curl against the data plane with a G GiB file: download whole and in 4
# ranges, upload whole and in 4 ranges, each compared by sha256.
#
# Then (unless --no-client) our own remote client, from the quick benchmarks in the same run: remote.stream (one
# 64 MiB ReadRangeAsync at a time, over the data plane) and remote.read1m.c16 (16 callers, random 1 MiB ranges), each
# beside nginx's 1 MiB figure, plus remote.stream.actors (the same stream over actor chunks).
#
# Every server listens on 127.0.0.1 only and is stopped (by its own pid) when the script exits.
set -euo pipefail

rounds=9 seconds=5 size_mib=256 stream_gib=1 client=1 sha_gib=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --size-mib) size_mib="$2"; shift 2 ;;
    --quick) rounds=1 seconds=3 size_mib=64 stream_gib=0 client=0 sha_gib=0; shift ;;
    --sha-gib) sha_gib="$2"; shift 2 ;;
    --no-client) client=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
  echo "installing nginx-light and wrk from Debian" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null
fi

source "$here/nginx.sh"
bench_workspace mmap-http-bench $((size_mib * 1024 * 1024))
cat "$work/root/data.bin" > /dev/null # into the page cache for both servers

start_nginx

dotnet build "$repo/src/MmapActors.Cli" -c Release --nologo -v quiet >/dev/null
http_port=$(free_port)
# The curl uploads below carry no credential: a data plane writes anonymously only when told to (docs/remote.md).
echo "mmap.http.anonymous-writes = on" > "$work/anonymous-writes.hocon"
dotnet "$repo/src/MmapActors.Cli/bin/Release/net10.0/mmapctl.dll" serve --root "$work/root" --port 0 --http-port "$http_port" \
  --config "$work/anonymous-writes.hocon" > "$work/serve.log" 2>&1 &
pids+=($!)
mmap_pid=$!
for _ in $(seq 1 100); do
  grep -q "HTTP data plane at" "$work/serve.log" 2>/dev/null && break
  sleep 0.2
done
grep -q "HTTP data plane at" "$work/serve.log" || { cat "$work/serve.log" >&2; exit 1; }
for port in "$nginx_port" "$http_port"; do
  await_answer "$port" 50 "no answer on port $port" "$work/serve.log" "$work/nginx/error.log"
done

# wrk: 2 threads (the machine has 2 cores), 16 connections; prints requests/s.
run_wrk() { # port block
  FILE_SIZE=$size BLOCK=$2 wrk -t2 -c16 -d"${seconds}s" -s "$here/range.lua" "http://127.0.0.1:$1/" 2>/dev/null |
    awk '/Requests\/sec/ { print $2 }'
}
# warm-up of both (JIT, page cache, connections)
FILE_SIZE=$size BLOCK=4096 wrk -t2 -c16 -d5s -s "$here/range.lua" "http://127.0.0.1:$http_port/" >/dev/null 2>&1 # JIT tiering
FILE_SIZE=$size BLOCK=1048576 wrk -t2 -c16 -d3s -s "$here/range.lua" "http://127.0.0.1:$http_port/" >/dev/null 2>&1
FILE_SIZE=$size BLOCK=4096 wrk -t2 -c16 -d2s -s "$here/range.lua" "http://127.0.0.1:$nginx_port/" >/dev/null 2>&1

declare -A results
for round in $(seq 1 "$rounds"); do
  for block in 4096 1048576; do
    for server in nginx mmap; do
      port=$nginx_port; [[ $server == mmap ]] && port=$http_port
      rps=$(run_wrk "$port" "$block")
      results[$server.$block]+="$rps "
      printf 'round %d  %-5s %7s B ranges: %10s req/s\n' "$round" "$server" "$block" "$rps" >&2
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
echo
echo "HTTP data plane vs nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), $size_mib MiB file in the page cache, wrk -t2 -c16 -d${seconds}s, $rounds interleaved rounds (medians), $(nproc) cores, $(date -u +%FT%TZ)"
spread() { tr ' ' '\n' | grep -v '^$' | sort -g | awk -v k="$1" 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo * k, hi * k }'; }
printf '%-28s %14s %14s %7s   %s\n' "workload" "mmap serve" "nginx" "ratio" "rounds (lowest-highest): mmap / nginx"
for block in 4096 1048576; do
  m=$(echo "${results[mmap.$block]}" | median)
  n=$(echo "${results[nginx.$block]}" | median)
  if [[ $block == 4096 ]]; then
    printf '%-28s %10.0f r/s %10.0f r/s %7.2f   %s / %s r/s\n' "random 4 KiB ranges" "$m" "$n" "$(echo "$m / $n" | bc -l)" \
      "$(echo "${results[mmap.$block]}" | spread 1)" "$(echo "${results[nginx.$block]}" | spread 1)"
  else
    printf '%-28s %9.0f MB/s %9.0f MB/s %7.2f   %s / %s MB/s\n' "random 1 MiB ranges" "$(echo "$m * 1.048576" | bc -l)" "$(echo "$n * 1.048576" | bc -l)" "$(echo "$m / $n" | bc -l)" \
      "$(echo "${results[mmap.$block]}" | spread 1.048576)" "$(echo "${results[nginx.$block]}" | spread 1.048576)"
  fi
done

if [[ $client == 1 ]]; then
  json="$work/quick.json"
  dotnet run -c Release --project "$repo/bench/MmapActors.Benchmarks" -- quick --filter remote.stream --filter remote.read1m \
    --no-baselines --seconds "$seconds" --rounds "$((rounds < 3 ? rounds : 3))" --json "$json" > "$work/quick.log" 2>&1 ||
    { cat "$work/quick.log" >&2; exit 1; }
  n=$(echo "${results[nginx.1048576]}" | median)
  python3 - "$json" "$(echo "$n * 1.048576" | bc -l)" <<'PY'
import json, sys
figures = {f["name"]: f for f in json.load(open(sys.argv[1]))["figures"]}
nginx = float(sys.argv[2])
for name in ("remote.stream", "remote.read1m.c16", "remote.stream.actors"):
    f = figures[name]
    print(f"{name + ' (our client)':28} {f['value']:9.0f} MB/s {nginx:9.0f} MB/s {f['value'] / nginx:7.2f}   (vs nginx's random 1 MiB ranges)")
PY
fi

# Memory while 4 clients each stream stream_gib GiB (the file, again and again), for both servers.
status_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
tree_kib() { # a process and its children (nginx workers): field $2 of /proc/PID/status, summed
  local total=0
  for p in $1 $(pgrep -P "$1" || true); do total=$((total + $(status_kib "$p" "$2"))); done
  echo $total
}
# RssAnon is what the server allocated (heaps, buffers); VmRSS also counts the served file's pages that its maps have
# touched, which are the page cache, shared, not the server's.
stream_test() { # name pid port
  local before peak=0 peak_rss=0 cpids=() repeats=$(( stream_gib * 1024 / size_mib ))
  [[ $repeats -lt 1 ]] && return 0
  before=$(tree_kib "$2" RssAnon)
  for c in 1 2 3 4; do
    ( for _ in $(seq 1 "$repeats"); do curl -sf -o /dev/null "http://127.0.0.1:$3/data.bin"; done ) &
    cpids+=($!)
  done
  local start=$(date +%s.%N)
  while kill -0 "${cpids[@]}" 2>/dev/null; do
    local now; now=$(tree_kib "$2" RssAnon); (( now > peak )) && peak=$now
    now=$(tree_kib "$2" VmRSS); (( now > peak_rss )) && peak_rss=$now
    sleep 0.2
  done
  for p in "${cpids[@]}"; do wait "$p"; done
  local secs; secs=$(echo "$(date +%s.%N) - $start" | bc -l)
  printf '%-6s anonymous RSS %5d MiB before, peak %5d MiB (VmRSS peak %5d MiB) while 4 clients each streamed %d GiB (%.0f MB/s in all)\n' \
    "$1" $((before / 1024)) $((peak / 1024)) $((peak_rss / 1024)) "$stream_gib" "$(echo "4 * $stream_gib * 1073.741824 / $secs" | bc -l)"
}
echo
stream_test mmap "$mmap_pid" "$http_port"
stream_test nginx "$nginx_pid" "$nginx_port"

# curl, byte for byte: a sha_gib GiB file down and up, whole and by ranges.
if [[ $sha_gib -gt 0 ]]; then
  big=$((sha_gib * 1024 * 1024 * 1024)) url="http://127.0.0.1:$http_port"
  head -c "$big" /dev/urandom > "$work/root/big.bin"
  want=$(sha256sum < "$work/root/big.bin" | cut -d' ' -f1)
  check() { [[ "$1" == "$want" ]] && echo "ok  " || { echo "FAIL"; failed=1; }; }
  failed=0 quarter=$((big / 4))
  got=$(curl -sf "$url/big.bin" | sha256sum | cut -d' ' -f1)
  echo "sha256 $(check "$got") curl download, whole (${sha_gib} GiB)"
  got=$(for i in 0 1 2 3; do curl -sf -r "$((i * quarter))-$(((i + 1) * quarter - 1))" "$url/big.bin"; done | sha256sum | cut -d' ' -f1)
  echo "sha256 $(check "$got") curl download, 4 ranges"
  curl -sf -T "$work/root/big.bin" "$url/up-whole.bin"
  echo "sha256 $(check "$(sha256sum < "$work/root/up-whole.bin" | cut -d' ' -f1)") curl upload, whole"
  rm -f "$work/root/up-whole.bin"
  for i in 3 2 1 0; do # the last range first: it creates the file at its full size
    # from a file, so that curl sends a Content-Length (from a pipe it would send chunked, which PUT refuses: 411)
    dd if="$work/root/big.bin" of="$work/part.bin" bs=1M skip=$((i * quarter / 1048576)) count=$((quarter / 1048576)) status=none
    curl -sf -T "$work/part.bin" -H "Content-Range: bytes $((i * quarter))-$(((i + 1) * quarter - 1))/$big" "$url/up-ranges.bin"
  done
  rm -f "$work/part.bin"
  echo "sha256 $(check "$(sha256sum < "$work/root/up-ranges.bin" | cut -d' ' -f1)") curl upload, 4 ranges"
  rm -f "$work/root/up-ranges.bin" "$work/root/big.bin"
  [[ $failed == 0 ]] || exit 1
fi
