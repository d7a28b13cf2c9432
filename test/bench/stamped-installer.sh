#!/bin/sh
# The installer as the benchmark's server runs it: scripts/install-skypilot.sh
# ($BENCH_INSTALLER) under the stamping relay (stamp-relay.pl), which passes its
# output through unchanged and notes when each line was printed ($BENCH_STAMPS).
set -u
exec perl "$(dirname "$0")/stamp-relay.pl" "$BENCH_STAMPS" sh "$BENCH_INSTALLER" "$@"
