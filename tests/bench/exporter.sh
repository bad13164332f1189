#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench, exporter part: what a Prometheus scrape of
# `portxdp exporter` costs. Attaches the filter in a lab namespace, puts
# made-up hits on N ports (build/tools/pxfill, no packets), and times RUNS
# scrapes with curl (median, min, max), wall clock, connection included:
#   - 10,000 ports with hits, the default --max-ports (1024 series each for
#     dropped and passed, the rest summed per class);
#   - the same with --max-ports 10000 (every port its own series);
#   - all 131,072 counters non-zero: the number of series must stay within
#     2 x N + 22 for the filter.
# Target: a scrape under 50 ms; reported, not asserted.
# Environment: BUILD (build), RUNS (30).

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh
RUNS=${RUNS:-30}
PXFILL=$BUILD/tools/pxfill
PORT=$((20000 + $$ % 10000))

stats3() {
	sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median %.2f ms (min %.2f, max %.2f, %d runs)", m, v[1], v[NR], NR }'
}

# ports max-ports: print the scrape time and the filter's series.
scrape() {
	local ports=$1 max=$2 pid dir i series
	px detach "$IF_IN" >/dev/null 2>&1
	px attach "$IF_IN" >/dev/null || { echo "  attach failed"; return 1; }
	dir=/sys/fs/bpf/portxdp/net-$(stat -L -c %i "/var/run/netns/$NS")/$IF_IN
	"$PXFILL" "$dir" "$ports" || return 1
	"$PORTXDP" exporter --listen "127.0.0.1:$PORT" --max-ports "$max" 2>/dev/null &
	pid=$!
	for i in $(seq 50); do
		curl -sf -o /dev/null "http://127.0.0.1:$PORT/metrics" && break
		sleep 0.1
	done
	series=$(curl -sf "http://127.0.0.1:$PORT/metrics" |
		grep -c "^portxdp_[a-z_]*{interface=\"$IF_IN\"")
	echo "exporter: $ports ports with hits, --max-ports $max: $series series;" \
		"scrape $(for i in $(seq "$RUNS"); do
			curl -sf -o /dev/null -w '%{time_total}\n' \
				"http://127.0.0.1:$PORT/metrics" | awk '{ print $1 * 1000 }'
		done | stats3)"
	kill "$pid"
	wait "$pid" 2>/dev/null
	[ "$series" -le $((2 * max + 22)) ] ||
		echo "  over the bound: $series > $((2 * max + 22))"
}

bench() {
	lab_setup >/dev/null
	scrape 10000 1024
	scrape 10000 10000
	scrape 131072 1024
}

( trap lab_cleanup EXIT; bench )
