# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# The benchmark smoke run for `make test`: proves the benchmark code still
# works (loads every program, checks their verdicts, prints well-formed
# tables) with a few thousand repeats, in seconds. No timing is asserted:
# a shared CI machine cannot promise one; `make bench` measures.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh
PROGBENCH=${PROGBENCH:-$BUILD/tools/progbench}

need_progbench() {
	[ -x "$PROGBENCH" ] || skip "$PROGBENCH not built"
	[ "$(id -u)" = 0 ] || skip "BPF_PROG_TEST_RUN needs root"
}

# Rows of the cost table: 5 packets x 3 programs, each with a verdict and
# numbers in the ns and ratio columns (xdp-filter's may be n/a if absent).
test_progbench_cost_table() {
	local out rows bad
	need_progbench
	out=$("$PROGBENCH" -n 3000 -r 3 -d /dev/null) || fail "progbench exited $?"
	echo "$out" | grep -q '^| packet | program | verdict | ns/packet |' ||
		fail "no cost table header"
	rows=$(echo "$out" | grep -cE '^\| [^|]+ \| (empty \(XDP_PASS\)|portxdp|xdp-filter) \| (pass|drop|-) \|')
	assert_eq "$rows" 15 "cost table rows"
	bad=$(echo "$out" | grep -E '^\| [^|]+ \| (empty \(XDP_PASS\)|portxdp) \|' |
		grep -vcE '\| (pass|drop) \| [0-9]+\.[0-9] \| [0-9.]+-[0-9.]+ \| [0-9]+\.[0-9]{2} \|' || true)
	assert_eq "$bad" 0 "malformed rows for the floor or portxdp"
	echo "$out" | grep -q '^| packet | portxdp x floor |' || fail "no target table"
	# The floor is the floor: its own ratio is 1.00.
	echo "$out" | grep -E '^\| IPv4/UDP closed port \| empty' | grep -q '| 1.00 |' ||
		fail "floor row is not 1.00 x floor"
}

test_progbench_sizes_table() {
	local out
	need_progbench
	out=$("$PROGBENCH" --sizes 2>/dev/null) || fail "progbench --sizes exited $?"
	echo "$out" | grep -qE '^\| portxdp \| [0-9]+ \| [0-9]+ \| [0-9]+ \| [0-9]+ \|' ||
		fail "no portxdp size row"
	echo "$out" | grep -qE '^\| portxdp \| px_counters \| (percpu_)?array \| [0-9]+ \|' ||
		fail "no px_counters map row"
}

test_progbench_bad_usage() {
	need_progbench
	assert_status 2 "$PROGBENCH" -r 0
	assert_status 2 "$PROGBENCH" --no-such-option
}

run_tests
