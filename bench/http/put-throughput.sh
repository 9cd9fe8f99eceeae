#!/usr/bin/env bash
# Whole-file and range PUT throughput of several mmapctl builds, with curl, in interleaved rounds: a whole-file PUT
# replacing an existing file, and a range PUT (Content-Range bytes 0-N/*) growing an empty file. Each build serves its
# own fresh directory on 127.0.0.1 and is stopped (by its own pid) when the script exits.
#
#   bench/http/put-throughput.sh ROUNDS MIB NAME=MMAPCTL_DLL [NAME=MMAPCTL_DLL ...]
#
# Example (main's Release build against this worktree's):
#   bench/http/put-throughput.sh 3 256 base=/tmp/base/src/MmapActors.Cli/bin/Release/net10.0/mmapctl.dll \
#     new=src/MmapActors.Cli/bin/Release/net10.0/mmapctl.dll
set -euo pipefail
rounds=$1 mib=$2; shift 2
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/nginx.sh" # free_port, bench_cleanup (no nginx here)
work="$(mktemp -d /tmp/mmap-put.XXXXXX)"
pids=()
trap bench_cleanup EXIT
head -c $((mib << 20)) /dev/urandom > "$work/upload.bin"
bytes=$((mib << 20))
names=() ports=()
# curl uploads without a credential: a data plane writes anonymously only when told to (docs/remote.md); a build older
# than the setting ignores the key and writes anonymously anyway.
echo "mmap.http.anonymous-writes = on" > "$work/anonymous-writes.hocon"
for spec in "$@"; do
  # A free port each, not a fixed one: on a shared machine another process may hold it, and the readiness probe
  # below would then time that process instead.
  name=${spec%%=*} dll=${spec#*=} port=$(free_port)
  mkdir -p "$work/$name"
  dotnet "$dll" serve --root "$work/$name" --port 0 --http-port "$port" --config "$work/anonymous-writes.hocon" >/dev/null 2>&1 &
  pids+=($!) names+=("$name") ports+=("$port")
done
for p in "${ports[@]}"; do
  for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$p/" && break; sleep 0.2; done
done
for i in "${!names[@]}"; do # a first upload, so that every later whole-file PUT replaces a file
  curl -sf -o /dev/null -T "$work/upload.bin" "http://127.0.0.1:${ports[$i]}/whole.bin"
done
speed() { awk -v b="$bytes" -v t="$1" 'BEGIN { printf "%6.0f MB/s", b / t / 1e6 }'; }
for round in $(seq "$rounds"); do
  for i in "${!names[@]}"; do
    t=$(curl -sf -o /dev/null -w '%{time_total}' -T "$work/upload.bin" "http://127.0.0.1:${ports[$i]}/whole.bin")
    echo "round $round  ${names[$i]}  whole-file PUT (replace)     $(speed "$t")"
  done
  for i in "${!names[@]}"; do
    : > "$work/${names[$i]}/grow.bin"
    t=$(curl -sf -o /dev/null -w '%{time_total}' -T "$work/upload.bin" -H "Content-Range: bytes 0-$((bytes - 1))/*" \
      "http://127.0.0.1:${ports[$i]}/grow.bin")
    echo "round $round  ${names[$i]}  range PUT (growing an empty file) $(speed "$t")"
  done
done
echo "${mib} MiB, curl -T, $rounds interleaved rounds, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
