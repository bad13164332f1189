#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The tc hook: `--mode tc` through the verbs (attach, status,
# stats, apply, log, detach, detach --stale), `--mode auto` choosing tc on
# veth and saying why, --force moving a filter between XDP and tc (and
# back) with the verdicts right after each move, and the clsact fallback
# of kernels without TCX (forced by PORTXDP_PROBE_MISSING=tcx).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

POL=$(mktemp /tmp/pxtc.XXXXXX)
trap 'rm -f "$POL"' EXIT
printf 'default closed\nopen 22\nopen 5000/udp\n' >"$POL"

field() { # jq-path: from `status IF --json`
	px status "$IF_IN" --json | jq -r ".interfaces[0]$1"
}

counter() { # proto port field, from `stats IF --json`
	px stats "$IF_IN" --json | jq -r --arg pr "$1" --argjson p "$2" \
		"[.ports[] | select(.proto == \$pr and .port == \$p) | .$3] | add // 0"
}

test_tc_mode_through_the_verbs() {
	need jq
	lab_setup >/dev/null
	local out log
	out=$(px attach "$IF_IN" --policy "$POL" --mode tc)
	echo "$out" | grep -q "(tc mode)" || fail "attach said: $out"
	px status "$IF_IN" | grep -q "^$IF_IN: attached, tc mode (tcx)" ||
		fail "status: $(px status "$IF_IN")"
	assert_eq "$(field .hook)" tcx "status --json hook"
	ip -n "$NS" link show "$IF_IN" | grep -q 'prog/xdp' &&
		fail "an XDP program is on $IF_IN in tc mode"
	expect_tcp reached 22
	expect_tcp timeout 23
	expect_udp reached 5000
	# (a probe that timed out says nothing of when its SYN was judged)
	wait_stats '[.ports[] | select(.proto == "tcp" and .port == 23) | .dropped] | add >= 1' || true
	assert_eq "$(counter tcp 23 dropped)" 1 "stats: 23/tcp dropped"
	assert_eq "$(counter tcp 22 passed)" 1 "stats: 22/tcp passed"
	# apply: the live policy of a tc filter changes like any other
	printf 'default closed\nopen 23\n' >"$POL.2"
	on_cleanup rm -f "$POL.2"
	px apply "$IF_IN" "$POL.2" >/dev/null
	expect_tcp timeout 22
	expect_tcp reached 23
	# log: the tc program's drops reach the reader
	log=$(mktemp)
	on_cleanup rm -f "$log"
	timeout 20 "$PORTXDP" --netns "$NS" log "$IF_IN" --count 1 >"$log" 2>"$log.err" &
	on_cleanup rm -f "$log.err"
	log_ready "$log.err"
	expect_tcp timeout 22
	wait $! || fail "log --count 1 did not end"
	grep -q "22/tcp" "$log" || fail "log: $(cat "$log")"
	px detach "$IF_IN" >/dev/null
	assert_status 1 px status "$IF_IN"
	expect_tcp reached 22
}

test_auto_picks_tc_on_veth_and_says_why() {
	need jq
	lab_setup >/dev/null
	local err
	err=$(px attach "$IF_IN" --policy "$POL" 2>&1 >/dev/null)
	echo "$err" | grep -q "veth, a virtual device: tc mode" ||
		fail "attach said: $err"
	assert_eq "$(field .mode)" tc "auto's mode on veth"
	expect_tcp timeout 23
}

test_force_moves_between_xdp_and_tc() {
	need jq
	lab_setup >/dev/null
	local err
	px attach "$IF_IN" --policy "$POL" --mode generic >/dev/null
	err=$(px attach "$IF_IN" --policy "$POL" --mode tc --force 2>&1 >/dev/null)
	echo "$err" | grep -q "without a gap" || fail "to tc: $err"
	assert_eq "$(field .hook)" tcx "hook after the move to tc"
	ip -n "$NS" link show "$IF_IN" | grep -q 'prog/xdp' &&
		fail "the XDP filter is still there"
	expect_tcp timeout 23
	expect_tcp reached 22
	# tc to tc: the TCX link switches program
	px attach "$IF_IN" --policy "$POL" --mode tc --force >/dev/null 2>&1
	assert_eq "$(field .hook)" tcx "hook after tc to tc"
	expect_tcp timeout 23
	px attach "$IF_IN" --policy "$POL" --mode native --force >/dev/null 2>&1
	assert_eq "$(field .mode)" native "mode after the move back"
	ip -n "$NS" link show "$IF_IN" | grep -q 'prog/xdp' ||
		fail "no XDP program after the move back"
	expect_tcp timeout 23
	expect_tcp reached 22
}

test_stale_tc_filter_is_removed() {
	lab_setup >/dev/null
	px attach "$IF_IN" --policy "$POL" --mode tc >/dev/null
	# stale pins, and `detach --stale` removes every namespace's: another
	# run's test that looks at its own waits, as this one does for it
	stale_lock
	ip -n "$NS" link del "$IF_IN"
	gone() { px status | grep -q "^$IF_IN: interface gone"; }
	wait_until 100 gone || fail "status: $(px status)"
	px detach --stale | grep -q "removed stale pins of $IF_IN" ||
		fail "detach --stale removed nothing"
}

test_clsact_without_tcx() {
	need jq
	lab_setup >/dev/null
	local out
	out=$(PORTXDP_PROBE_MISSING=tcx px attach "$IF_IN" --policy "$POL" --mode tc)
	echo "$out" | grep -q "(tc mode, clsact)" || fail "attach said: $out"
	assert_eq "$(field .hook)" clsact "status --json hook"
	tc -n "$NS" filter show dev "$IF_IN" ingress | grep -q portxdp_tc ||
		fail "no clsact filter on $IF_IN"
	expect_tcp timeout 23
	expect_tcp reached 22
	# log: no link to ask, the pins say the filter is there
	timeout 20 "$PORTXDP" --netns "$NS" log "$IF_IN" --count 1 >"$POL.log" 2>"$POL.err" &
	on_cleanup rm -f "$POL.log" "$POL.err"
	log_ready "$POL.err"
	expect_tcp timeout 24
	wait $! || fail "log on a clsact filter did not end"
	grep -q "24/tcp" "$POL.log" || fail "log: $(cat "$POL.log")"
	# replaced in place, then moved to TCX, without a gap
	PORTXDP_PROBE_MISSING=tcx px attach "$IF_IN" --policy "$POL" --mode tc --force >/dev/null 2>&1
	assert_eq "$(field .hook)" clsact "hook after clsact --force"
	px attach "$IF_IN" --policy "$POL" --mode tc --force >/dev/null 2>&1
	assert_eq "$(field .hook)" tcx "hook after the move to TCX"
	tc -n "$NS" filter show dev "$IF_IN" ingress | grep -q portxdp_tc &&
		fail "the clsact filter stayed"
	expect_tcp timeout 23
	PORTXDP_PROBE_MISSING=tcx px attach "$IF_IN" --policy "$POL" --mode tc --force >/dev/null 2>&1
	px detach "$IF_IN" >/dev/null
	tc -n "$NS" filter show dev "$IF_IN" ingress | grep -q portxdp_tc &&
		fail "detach left the clsact filter"
	expect_tcp reached 23
}

run_tests
