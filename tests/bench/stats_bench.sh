#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench, statistics part: what reading the counters costs.
# Attaches the filter in a lab namespace, puts hits on a few ports, then
# measures over RUNS runs (median, min, max):
#   - reading and summing all PX_COUNTER_KEYS counters of every CPU through
#     one mmap of the counter map, as `portxdp -v stats` reports it (maps_read_counters alone);
#   - `portxdp stats IF --json` as a whole command, wall clock, process
#     start to exit, netns entry included. Target: under 20 ms.
# Prints one line per measure and "PASS|FAIL stats_json_under_20ms".
# Environment: BUILD (build), RUNS (50), TARGET_MS (20).

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh
RUNS=${RUNS:-50}
TARGET_MS=${TARGET_MS:-20}

# median min max of numbers on stdin, one a line
stats3() {
	sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median %.2f ms (min %.2f, max %.2f, %d runs)", m, v[1], v[NR], NR }'
}

bench() {
	local i t0 t1 read_ms cmd_ms med ncpu
	lab_setup >/dev/null
	px attach "$IF_IN" >/dev/null || { echo "  attach failed"; return 1; }
	for i in 22 53 80 443 40002; do
		"$PXNET" send "$ADDR_IN" "$i" 20 >/dev/null
	done
	ncpu=$(px -v stats "$IF_IN" --json 2>&1 >/dev/null |
		sed -n 's/.*counters on \([0-9]*\) CPUs.*/\1/p')
	read_ms=$(for i in $(seq "$RUNS"); do
		px -v stats "$IF_IN" --json 2>&1 >/dev/null |
			sed -n 's/.*counters on .* CPUs in \([0-9.]*\) ms.*/\1/p'
	done | stats3)
	echo "stats: read and sum $((2 * 65536)) counters x ${ncpu:-?} CPUs (one mmap): $read_ms"
	cmd_ms=$(for i in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		px stats "$IF_IN" --json >/dev/null
		t1=$(date +%s%N)
		echo "$(((t1 - t0) / 1000))" | awk '{ print $1 / 1000 }'
	done | stats3)
	echo "stats: 'portxdp stats IF --json', whole command: $cmd_ms"
	med=$(echo "$cmd_ms" | awk '{ print $2 }')
	if awk -v m="$med" -v t="$TARGET_MS" 'BEGIN { exit !(m < t) }'; then
		echo "PASS stats_json_under_${TARGET_MS}ms"
	else
		echo "FAIL stats_json_under_${TARGET_MS}ms"
	fi
}

trap lab_cleanup EXIT
bench
