#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of zones (doc/design.md, section 8) over the lab's veth
# pair, with packets from several source addresses: `local` resolved from
# the interface the policy is applied to, the longest prefix deciding,
# `block` dropping everything from a source (ping included) while its
# neighbour discovery still passes, and a bad zone file changing nothing.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
P=$TMPD/zones.policy
FRIEND=2001:db8:$LAB_SLOT::10
FOE=2001:db8:$LAB_SLOT::11
unset SSH_CONNECTION

cat >"$P" <<P
default closed
zone lan local
zone friends $FRIEND
zone foes file foes.txt
open 7001 from lan
open 7002 from friends
block foes
P

# Probes to the lab's IPv6 address leave from source $1.
from6() {
	ip -6 route replace "$ADDR6_IN/128" dev "$IF_OUT" src "$1"
}

extra_sources() {
	printf '# foes\n%s\n' "$FOE" >"$TMPD/foes.txt"
	ip -6 addr add "$FRIEND/64" dev "$IF_OUT" nodad
	ip -6 addr add "$FOE/64" dev "$IF_OUT" nodad
}

test_zones_decide_by_source() {
	lab_setup
	extra_sources
	px attach "$IF_IN" --policy "$P" >/dev/null
	# IPv4 from the lab's own /30: lan (local)
	expect_tcp reached 7001
	expect_tcp timeout 7002
	from6 "$ADDR6_OUT" # in the lab's /64: lan
	expect_tcp reached 7001 "$ADDR6_IN"
	expect_tcp timeout 7002 "$ADDR6_IN"
	from6 "$FRIEND" # its /128 is longer than lan's /64
	expect_tcp timeout 7001 "$ADDR6_IN"
	expect_tcp reached 7002 "$ADDR6_IN"
}

test_block_drops_all_but_neighbour_discovery() {
	lab_setup
	extra_sources
	px attach "$IF_IN" --policy "$P" >/dev/null
	from6 "$FOE"
	# both ends forget each other (lab_setup resolved them): the probe
	# from FOE then starts with a neighbour solicitation from FOE
	ip -n "$NS" neigh flush dev "$IF_IN"
	ip -6 neigh flush dev "$IF_OUT"
	timeout 20 "$PORTXDP" --netns "$NS" log "$IF_IN" --count 1 --json \
		>"$TMPD/log" 2>"$TMPD/log.err" &
	log_ready "$TMPD/log.err"
	expect_tcp timeout 7001 "$ADDR6_IN"
	wait
	grep -q '"reason": "blocked", "zone": "foes"' "$TMPD/log" ||
		fail "log: $(cat "$TMPD/log" "$TMPD/log.err")"
	assert_eq "$(ping_probe "$ADDR6_IN")" timeout "ping from a blocked source"
	# the lab learnt the blocked neighbour: its solicitations passed
	ip -n "$NS" -6 neigh show dev "$IF_IN" | grep -q "$FOE" ||
		fail "no neighbour entry for $FOE"
	from6 "$ADDR6_OUT"
	expect_tcp reached 7001 "$ADDR6_IN"
	command -v jq >/dev/null || return 0
	js=$(px stats "$IF_IN" --json)
	[ "$(echo "$js" | jq '.totals.blocked')" -ge 1 ] || fail "totals.blocked: $js"
	[ "$(echo "$js" | jq '.zones[] | select(.name == "foes") | .blocked')" -ge 1 ] ||
		fail "foes' blocked: $js"
	px stats "$IF_IN" --prometheus | grep -q 'portxdp_zone_packets_total{interface="'"$IF_IN"'",zone="foes",verdict="blocked"} [1-9]' ||
		fail "no zone label in Prometheus"
}

test_status_shows_zones_and_local_as_resolved() {
	lab_setup
	extra_sources
	ip -n "$NS" addr add 198.51.100.250/32 dev "$IF_IN"
	ip -n "$NS" -6 addr add 2001:db8:ffff::1/48 dev "$IF_IN" nodad
	px attach "$IF_IN" --policy "$P" >/dev/null
	out=$(px status "$IF_IN")
	echo "$out"
	# two IPv4 and two IPv6 prefixes on the interface, and fe80::/64
	echo "$out" | grep -q "zone       lan: 2 IPv4 and 3 IPv6 prefixes, local $IF_IN: .*198.51.100.250/32" ||
		fail "lan as resolved"
	echo "$out" | grep -q "zone       foes: 0 IPv4 and 1 IPv6 prefixes, file .*foes.txt; blocked" ||
		fail "foes"
}

test_bad_zone_file_changes_nothing() {
	lab_setup
	extra_sources
	px attach "$IF_IN" --policy "$P" >/dev/null
	printf '%s\n198.51.100.0/33\n' "$FOE" >"$TMPD/foes.txt"
	out=$(px apply "$IF_IN" "$P" 2>&1) && fail "apply took a bad zone file"
	echo "$out" | grep -q "foes.txt:2:1: error: prefix length out of range" ||
		fail "no FILE:LINE:COL error: $out"
	expect_tcp reached 7001
}

run_tests
