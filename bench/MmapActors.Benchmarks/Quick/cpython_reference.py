"""The cpython.* figures of `quick`: CPython's own mmap on the bench file, driven over stdin by CpythonReference.cs.

Each command line is `<figure> <seconds>`; the answer is `<steps> <nanoseconds> <cpu nanoseconds>` for the loop that
ran that long (CPU time of this process: on a busy machine CPU per step moves far less than steps per second).
The access patterns are the raw.* callers': random 4 KiB-aligned 4 KiB slices (read: m[a:a+4096]; write:
m[a:a+4096] = block) and sequential 1 MiB slices wrapping at the end. The random offsets are drawn beforehand, so the
loop measures the slicing, not Python's random module (the .NET callers draw theirs inline, which only favours CPython).
"""
import mmap
import random
import sys
import time

BLOCK = 4096
CHUNK = 1 << 20
BATCH = 256  # operations between clock reads


def main(path):
    with open(path, "r+b") as f:
        m = mmap.mmap(f.fileno(), 0)
    size = len(m)
    rng = random.Random(12345)
    offsets = [rng.randrange(size // BLOCK) * BLOCK for _ in range(1 << 16)]
    block = bytes(BLOCK)
    state = {"i": 0, "offset": 0}

    def read4k(end):
        steps, i = 0, state["i"]
        while True:
            for _ in range(BATCH):
                a = offsets[i]
                m[a:a + BLOCK]
                i = (i + 1) & 0xFFFF
            steps += BATCH
            if time.perf_counter_ns() >= end:
                state["i"] = i
                return steps

    def write4k(end):
        steps, i = 0, state["i"]
        while True:
            for _ in range(BATCH):
                a = offsets[i]
                m[a:a + BLOCK] = block
                i = (i + 1) & 0xFFFF
            steps += BATCH
            if time.perf_counter_ns() >= end:
                state["i"] = i
                return steps

    def read1m(end):
        steps, offset = 0, state["offset"]
        while True:
            for _ in range(8):
                m[offset:offset + CHUNK]
                offset = (offset + CHUNK) % size
            steps += 8
            if time.perf_counter_ns() >= end:
                state["offset"] = offset
                return steps

    figures = {"read4k": read4k, "write4k": write4k, "read1m": read1m}
    print("ready", sys.version.split()[0], flush=True)
    for line in sys.stdin:
        name, seconds = line.split()
        cpu = time.process_time_ns()
        start = time.perf_counter_ns()
        steps = figures[name](start + int(float(seconds) * 1e9))
        print(steps, time.perf_counter_ns() - start, time.process_time_ns() - cpu, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
