"""``python -m bench.child RESULT.json COMMAND…``: run COMMAND, then write its exit status, CPU time
and peak RSS (the kernel's ``rusage``) to RESULT.json.

A child's ``ru_maxrss`` starts from the RSS of the process it was forked from, and the benchmark's
own process is large (it imported trafilatura and newspaper4k); this launcher is small, so the
figure is the crawl's own peak.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    result, command = sys.argv[1], sys.argv[2:]
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    with open(result, "w", encoding="utf-8") as out:
        json.dump(
            {
                "status": os.waitstatus_to_exitcode(status),
                "cpu": usage.ru_utime + usage.ru_stime,
                "max_rss_kib": usage.ru_maxrss,
            },
            out,
        )


if __name__ == "__main__":
    main()
