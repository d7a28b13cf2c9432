#!/bin/sh
# Benchmark fixture standing in for the installer: prints grammar lines that carry
# the wall-clock time (ns) they were printed at, so the benchmark can measure how
# long a line takes to reach an SSE client. Not an installer.
set -u
i=0
while [ "$i" -lt "${BENCH_LINES:-200}" ]; do
    printf '[carapace] installing: t=%s\n' "$(date +%s%N)"
    i=$((i + 1))
    sleep 0.01
done
