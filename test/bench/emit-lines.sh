#!/bin/sh
# Benchmark fixture standing in for a chatty installer (uv relaying a line per
# package): BENCH_LINES lines of the installer's grammar, 10 ms apart, run by the
# server as it runs the installer and stamped by the same relay. Not an installer.
set -u
i=0
while [ "$i" -lt "${BENCH_LINES:-200}" ]; do
    printf '[carapace] installing: burst line %s\n' "$i"
    i=$((i + 1))
    sleep 0.01
done
