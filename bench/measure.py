"""Time a command over repeated runs and report its peak memory.

Usage: python3 bench/measure.py RUNS -- COMMAND...
Prints min, median and max wall time, and the largest peak RSS of the runs.
Exit statuses 0-3 count as a run (check exits 1 on stale files, a test 3 when unreachable).
"""

import os
import statistics
import sys
import time


# The command's own output would drown the figures.
QUIET = [
    (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
    (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
]


def main() -> int:
    runs = int(sys.argv[1])
    command = sys.argv[sys.argv.index("--") + 1 :]
    times = []
    peak_kib = 0
    for _ in range(runs):
        start = time.perf_counter()
        pid = os.posix_spawnp(command[0], command, os.environ, file_actions=QUIET)
        _, status, usage = os.wait4(pid, 0)
        times.append(time.perf_counter() - start)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1, 2, 3):
            print(f"command failed with exit {code}: {' '.join(command)}", file=sys.stderr)
            return 2
        peak_kib = max(peak_kib, usage.ru_maxrss)
    ms = [t * 1000 for t in times]
    print(
        f"{' '.join(command[:3])}: runs {runs}, wall min {min(ms):.1f} ms,"
        f" median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms,"
        f" peak RSS {peak_kib / 1024:.1f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
