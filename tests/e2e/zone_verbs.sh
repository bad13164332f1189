#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The verbs around zones (doc/design.md, section 8) over the lab's veth
# pair: the SSH-session guard judges by the client's zone (a `close ...
# from` or a `block` that shuts the client out is refused like a plain
# close; one that shuts only other sources out is not), `diff` says what
# changes per zone, and a zone's counts follow its name across an apply
# that reorders and renames zones.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
unset SSH_CONNECTION # set on purpose below

test_ssh_guard_knows_zones() {
	lab_setup
	local base cut_zone other_zone zone_opens blocks err
	base=$(policy_file base.policy 'default closed' 'open 22/tcp')
	cut_zone=$(policy_file cut.policy 'default closed' 'open 22/tcp' \
		"zone office $ADDR_OUT" 'close 22 from office')
	other_zone=$(policy_file other.policy 'default closed' 'open 22/tcp' \
		'zone far 198.51.100.250' 'close 22 from far')
	zone_opens=$(policy_file opens.policy 'default closed' \
		"zone office $ADDR_OUT" 'open 22 from office')
	blocks=$(policy_file blocks.policy 'default open' "block $ADDR_OUT/32")
	px attach "$IF_IN" --policy "$base" >/dev/null
	export SSH_CONNECTION="$ADDR_OUT 50000 $ADDR_IN 22"
	# a from line that closes ssh for the client's zone: refused
	err=$(px apply "$IF_IN" "$cut_zone" 2>&1) &&
		fail "apply closed ssh for the client's zone"
	echo "$err" | grep -q "for zone 'office'" || fail "message: $err"
	echo "$err" | grep -q "open 22/tcp from office" || fail "fix: $err"
	px diff "$IF_IN" "$cut_zone" 2>&1 | grep -q "warning: .*SSH" ||
		fail "diff does not warn"
	expect_tcp reached 22
	# the same for another zone: the client keeps ssh, no question
	px apply "$IF_IN" "$other_zone" >/dev/null ||
		fail "a close from another zone was refused"
	# base closed, the client's zone opens it: allowed, and then a
	# plain close of 22 (the base) is no cut for this client either
	px apply "$IF_IN" "$zone_opens" >/dev/null ||
		fail "closing the base while the client's zone opens 22"
	expect_tcp reached 22
	px open "$IF_IN" 22 >/dev/null
	px close "$IF_IN" 22 >/dev/null ||
		fail "close 22 refused though the client's zone opens it"
	expect_tcp reached 22
	# a block of the client: refused, naming the block
	err=$(px apply "$IF_IN" "$blocks" 2>&1) && fail "apply blocked the client"
	echo "$err" | grep -q "blocks $ADDR_OUT" || fail "message: $err"
	# check warns the same way
	px check "$cut_zone" 2>&1 | grep -q "warning: ssh" ||
		fail "check does not warn: $(px check "$cut_zone" 2>&1)"
	# --force goes through, and cuts
	px apply --force "$IF_IN" "$cut_zone" >/dev/null
	expect_tcp timeout 22
	# attach refuses the same
	px detach "$IF_IN" >/dev/null
	assert_status 1 px attach "$IF_IN" --policy "$cut_zone"
	unset SSH_CONNECTION
}

# The exporter's zone family: per zone name, dropped/passed/blocked, and
# reason="blocked" in dropped, so the drops sum to totals.dropped; a
# reordering apply keeps a zone's counts (stats and exporter agree), and
# promtool accepts the text.
test_exporter_zone_family_follows_names() {
	need jq curl
	lab_setup
	local port=$((20000 + $$ % 10000)) m pid
	policy_file z1.policy 'default closed' 'open 40001/udp' \
		"zone near $ADDR_OUT" 'zone far 203.0.113.0/24' \
		'open 40002/udp from near far' >/dev/null
	policy_file z2.policy 'default closed' 'open 40001/udp' \
		'zone far 203.0.113.0/24' "zone near $ADDR_OUT" \
		'zone new 198.51.100.250' 'open 40002/udp from near far new' \
		>/dev/null
	policy_file z3.policy 'default open' "block $ADDR_OUT" >/dev/null
	px attach "$IF_IN" --policy "$TMPD/z1.policy" >/dev/null
	"$PXNET" send "$ADDR_IN" 40002 3 >/dev/null
	px apply "$IF_IN" "$TMPD/z2.policy" >/dev/null
	"$PXNET" send "$ADDR_IN" 40002 1 >/dev/null
	wait_stats '[.zones[] | select(.name == "near") | .passed] == [4]' || true
	assert_eq "$(px stats "$IF_IN" --json | jq -c '[.zones[] | select(.name == "near") | .passed]')" \
		"[4]" "near's count went on across the reordering apply"
	assert_eq "$(px stats "$IF_IN" --json | jq -c '[.zones[] | select(.name == "new") | .passed]')" \
		"[0]" "new starts from zero"
	"$PORTXDP" exporter --listen "127.0.0.1:$port" 2>"$TMPD/exp.err" &
	pid=$!
	on_cleanup "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	for _ in $(seq 300); do
		curl -sf "http://127.0.0.1:$port/metrics" >"$TMPD/m" && break
		sleep 0.1
	done
	m=$(grep "interface=\"$IF_IN\"" "$TMPD/m" | grep '^portxdp_zone_packets_total') ||
		fail "no zone family: $(cat "$TMPD/m" "$TMPD/exp.err" | head -30)"
	echo "$m" | grep -q 'zone="near",verdict="passed"} 4$' || fail "near: $m"
	echo "$m" | grep -q 'zone="new",verdict="passed"} 0$' || fail "new: $m"
	# a block: reason="blocked" in dropped, and the zone's blocked
	px apply "$IF_IN" "$TMPD/z3.policy" >/dev/null
	"$PXNET" send "$ADDR_IN" 40001 1 >/dev/null
	"$PXNET" send "$ADDR_IN" 40001 1 >/dev/null
	wait_stats '.totals.blocked >= 2' || true
	curl -sf "http://127.0.0.1:$port/metrics" >"$TMPD/m"
	grep "interface=\"$IF_IN\"" "$TMPD/m" |
		grep -q '^portxdp_dropped_packets_total{.*reason="blocked"} 2$' ||
		fail "blocked: $(grep "interface=\"$IF_IN\"" "$TMPD/m" | grep blocked)"
	# near is gone from the policy: its series stays, unchanged
	grep "interface=\"$IF_IN\"" "$TMPD/m" |
		grep -q 'zone="near",verdict="passed"} 4$' || fail "near vanished"
	assert_eq "$(grep "interface=\"$IF_IN\"" "$TMPD/m" |
		grep '^portxdp_dropped_packets_total' | awk '{ s += $2 } END { print s }')" \
		"$(px stats "$IF_IN" --json | jq .totals.dropped)" "dropped sums to totals"
	if command -v promtool >/dev/null; then
		promtool check metrics <"$TMPD/m" || fail "promtool rejects the text"
	fi
}

# apply of a file without zones: its summary counts the zones that go,
# as diff does, and they are gone.
test_apply_without_zones_says_they_go() {
	lab_setup
	local a b out
	a=$(policy_file a.policy 'default closed' 'zone office 203.0.113.0/24' \
		'zone dev 198.51.100.240/29' 'open 22 from office' 'open ping from dev')
	b=$(policy_file b.policy 'default closed' 'open 80/tcp')
	px attach "$IF_IN" --policy "$a" >/dev/null
	px diff "$IF_IN" "$b" | grep -q '; 2 zones change$' ||
		fail "diff: $(px diff "$IF_IN" "$b")"
	out=$(px apply "$IF_IN" "$b" 2>&1)
	echo "$out" | grep -q 'tcp 1 opened, 0 closed; udp 0 opened, 0 closed; 2 zones change$' ||
		fail "apply: $out"
	px status "$IF_IN" | grep -q 'zone' && fail "zones left: $(px status "$IF_IN")"
	px diff "$IF_IN" "$b" | grep -q 'no change' || fail "after: $(px diff "$IF_IN" "$b")"
}

# diff per zone: a changed, a new and a removed zone, text and --json,
# and a file equal to the live one is "no change".
test_diff_per_zone() {
	need jq
	lab_setup
	local a b out js
	a=$(policy_file a.policy 'default closed' 'open 80/tcp' \
		'zone office 203.0.113.0/24' 'zone old 198.51.100.250' \
		'open 22 from office' 'close 80 from old')
	b=$(policy_file b.policy 'default closed' 'open 80/tcp' \
		'zone office 203.0.113.0/24 2001:db8:5::/48' \
		'zone dev 198.51.100.240/29' 'open 22 8080/tcp from office' \
		'open ping from dev')
	px attach "$IF_IN" --policy "$a" >/dev/null
	out=$(px diff "$IF_IN" "$b")
	echo "$out" | grep -q '^zone office: 1 IPv4 and 1 IPv6 prefixes (now 1 and 0)$' ||
		fail "office heading: $out"
	echo "$out" | grep -q '^  open  8080/tcp (http-alt)$' || fail "office's 8080: $out"
	echo "$out" | grep -q '^zone dev: new' || fail "dev: $out"
	echo "$out" | grep -q '^  open  ping$' || fail "dev's ping: $out"
	echo "$out" | grep -q '^zone old: removed' || fail "old: $out"
	echo "$out" | grep -q '^  open  80/tcp (http)$' || fail "old's 80 reopens: $out"
	echo "$out" | grep -q '; 3 zones change$' || fail "summary: $out"
	js=$(px diff "$IF_IN" "$b" --json)
	assert_eq "$(echo "$js" | jq -c '[.zones[] | [.name, .status]]')" \
		'[["office","changed"],["old","removed"],["dev","new"]]' "json zones"
	assert_eq "$(echo "$js" | jq -c '.zones[0].open | map(.from)')" '[8080]' "json office open"
	assert_eq "$(echo "$js" | jq -c '.zones[0].prefixes6')" '{"from":0,"to":1}' "json prefixes6"
	px diff "$IF_IN" "$a" | grep -q 'no change' || fail "same file: $(px diff "$IF_IN" "$a")"
}

run_tests
