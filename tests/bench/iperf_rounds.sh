# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# The veth pair and the interleaved iperf3 rounds behind throughput.sh and
# replies.sh, sourced by both. The caller sets ROWS, ROUNDS, TMP and NAME[ROW], and defines
# setup_ROW for each row, `teardown ROW` and `run_one` (prints Gbit/s, or
# nan when the run failed or timed out). Row "none" is the baseline.

# veth_pair_up WHO TOOL...: with every TOOL installed (else exit 1, naming
# it), namespace $NS and a veth pair: $IF_S here with $ADDR_S, $IF_R in
# $NS with $ADDR_R, both /30 and up
veth_pair_up() {
	local who=$1 t
	shift
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "$who: $t missing" >&2; exit 1; }
	done
	ip netns add "$NS" || exit 1
	ip link add "$IF_S" type veth peer name "$IF_R" netns "$NS" || exit 1
	ip addr add "$ADDR_S/30" dev "$IF_S"
	ip link set "$IF_S" up
	ip -n "$NS" addr add "$ADDR_R/30" dev "$IF_R"
	ip -n "$NS" link set "$IF_R" up
	ip -n "$NS" link set lo up
}

# median, min and max of the numbers on stdin (nan when none)
med() {
	sort -g | awk '$1 != "nan" { v[n++] = $1 }
		END { if (!n) { print "nan nan nan"; exit }
		      printf "%.2f %.2f %.2f\n", v[int((n - 1) / 2)], v[0], v[n - 1] }'
}

# the median of one row's runs
row_median() { # row
	awk -v r="$1" '$1 == r { print $2 }' "$TMP/raw" | med
}

# iperf_rounds WHO: ROUNDS rounds, every row once a round, the order
# rotated each round; a row whose setup fails is said on stderr and skipped
iperf_rounds() {
	local r k row rows
	read -ra rows <<<"$ROWS"
	: >"$TMP/raw"
	for ((r = 0; r < ROUNDS; r++)); do
		for ((k = 0; k < ${#rows[@]}; k++)); do
			row=${rows[$(((k + r) % ${#rows[@]}))]}
			if ! "setup_$row" >"$TMP/setup.log" 2>&1; then
				echo "  $1: setting up $row failed: $(head -3 "$TMP/setup.log")" >&2
				teardown "$row" >/dev/null 2>&1
				continue
			fi
			echo "$row $(run_one)" >>"$TMP/raw"
			teardown "$row" >/dev/null 2>&1
		done
	done
}

# iperf_table FIRST-COLUMN: one markdown row a row, as a share of "none"
iperf_table() {
	local row m lo hi base rows
	read -ra rows <<<"$ROWS"
	read -r base _ < <(row_median none)
	echo "| $1 | Gbit/s | min-max | of no filter |"
	echo "|---|---:|---:|---:|"
	for row in "${rows[@]}"; do
		read -r m lo hi < <(row_median "$row")
		if [ "$m" = nan ]; then
			echo "| ${NAME[$row]} | n/a | - | - |"
			continue
		fi
		awk -v n="${NAME[$row]}" -v m="$m" -v lo="$lo" -v hi="$hi" -v b="$base" 'BEGIN {
			printf "| %s | %.1f | %.1f-%.1f | %s |\n", n, m, lo, hi,
				b == "nan" ? "-" : sprintf("%.0f%%", 100 * m / b) }'
	done
}

# iperf_target ROW WHAT: whether ROW stays within 5% of no filter
iperf_target() {
	local a b
	read -r a _ < <(row_median "$1")
	read -r b _ < <(row_median none)
	awk -v a="$a" -v b="$b" -v w="$2" 'BEGIN {
		if (a == "nan" || b == "nan") { printf "Target (%s within 5%% of no filter): not measured\n", w; exit }
		printf "Target (%s within 5%% of no filter): %s (%.0f%%)\n", w,
			(a >= 0.95 * b) ? "met" : "MISSED", 100 * a / b }'
}
