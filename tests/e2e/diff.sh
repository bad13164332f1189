#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What `diff IF FILE` and `apply` say a change does, beyond ports: the
# ban rule (doc/design.md, section 10), zones and block lines (section
# 8), and diff --json's "changed" (whether apply would change anything);
# apply's summary line names them too, and close warns when a zone's
# from line keeps open a port it closes.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
unset SSH_CONNECTION

test_diff_ban_rule() {
	lab_setup
	local a b out js
	a=$(policy_file a.policy 'default closed' 'zone lan 198.51.100.0/28' \
		'ban after 3 ports in 60s for 10m except 198.51.100.1')
	b=$(policy_file b.policy 'default closed' 'zone lan 198.51.100.0/28' \
		'ban after 5 ports in 60s for 1h except lan')
	px attach "$IF_IN" --policy "$a" >/dev/null
	out=$(px diff "$IF_IN" "$b")
	echo "$out" | grep -qx 'ban after 5 ports in 1m for 1h except lan (now ban after 3 ports in 1m for 10m except 198.51.100.1/32)' ||
		fail "ban line: $out"
	echo "$out" | grep -q 'no change' && fail "no change: $out"
	echo "$out" | grep -q '; the ban rule changes$' || fail "summary: $out"
	js=$(px diff "$IF_IN" "$b" --json)
	assert_eq "$(echo "$js" | jq -c '.ban')" \
		'{"from":"ban after 3 ports in 1m for 10m except 198.51.100.1/32","to":"ban after 5 ports in 1m for 1h except lan"}' \
		"json ban"
	assert_eq "$(echo "$js" | jq -c '.changed')" true "json changed"
	# the same rule, except in another order: no change
	px apply "$IF_IN" "$b" >/dev/null
	b=$(policy_file b2.policy 'default closed' 'zone lan 198.51.100.0/28' \
		'ban after 5 ports in 1m for 1h except lan')
	out=$(px diff "$IF_IN" "$b")
	echo "$out" | grep -q 'no change' || fail "same rule: $out"
	js=$(px diff "$IF_IN" "$b" --json)
	assert_eq "$(echo "$js" | jq -c '[.ban, .changed]')" '[null,false]' "json same"
	# no rule next
	b=$(policy_file none.policy 'default closed' 'zone lan 198.51.100.0/28')
	out=$(px diff "$IF_IN" "$b")
	echo "$out" | grep -qx 'no ban rule (now ban after 5 ports in 1m for 1h except lan)' ||
		fail "no rule: $out"
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '.ban.to')" null "json no rule"
}

test_diff_changed_zones_block() {
	lab_setup
	local a b js
	a=$(policy_file a.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 80/tcp from office')
	px attach "$IF_IN" --policy "$a" >/dev/null
	assert_eq "$(px diff "$IF_IN" "$a" --json | jq -c '.changed')" false "same file"
	b=$(policy_file b.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 81/tcp from office')
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '.changed')" true "a zone's port"
	b=$(policy_file c.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 80/tcp from office' 'block 198.51.100.77')
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '.changed')" true "a block line"
	b=$(policy_file d.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 80/tcp from office' 'option replies on')
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '.changed')" true "replies"
	b=$(policy_file e.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 80/tcp from office' 'open 22/tcp')
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '.changed')" true "a port"
}

# apply's one line names what changes beside ports (diff's per-zone view)
# A zone's addresses edited, its counts and verdicts the same: diff (and
# so the Ansible role, which applies on "changed") sees it.
test_diff_zone_prefixes_moved() {
	lab_setup
	local a b out
	a=$(policy_file a.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 22/tcp from office')
	b=$(policy_file b.policy 'default closed' 'zone office 198.51.100.248/29' \
		'open 22/tcp from office')
	px attach "$IF_IN" --policy "$a" >/dev/null
	out=$(px diff "$IF_IN" "$b")
	echo "$out" | grep -q 'no change' && fail "moved prefixes: $out"
	echo "$out" | grep -q '^zone office: changed' || fail "zone line: $out"
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '[.changed, .zones[0].status]')" \
		'[true,"changed"]' "json"
	assert_eq "$(px diff "$IF_IN" "$a" --json | jq -c '[.changed, .zones[0].status]')" \
		'[false,"same"]' "json, the same file"
}

test_apply_says_zones_block_ban() {
	lab_setup
	local a b out
	a=$(policy_file a.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 80/tcp from office' 'ban after 3 ports in 60s for 10m except office')
	b=$(policy_file b.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 81/tcp from office' 'ban after 5 ports in 60s for 1h except office')
	px attach "$IF_IN" --policy "$a" >/dev/null
	out=$(px apply "$IF_IN" "$b")
	echo "$out" | grep -q 'udp 0 opened, 0 closed; 1 zone changes, ban rule changes$' ||
		fail "zone and ban: $out"
	b=$(policy_file c.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 81/tcp from office' 'ban after 5 ports in 60s for 1h except office' \
		'block 198.51.100.77')
	out=$(px apply "$IF_IN" "$b")
	echo "$out" | grep -q 'udp 0 opened, 0 closed; 1 zone changes$' || fail "block: $out"
	out=$(px apply "$IF_IN" "$b")
	echo "$out" | grep -q 'udp 0 opened, 0 closed$' || fail "the same again: $out"
}

# close changes the base: a zone's from line that opens the port keeps it
# open from that zone, and close says so (exit 0)
test_close_warns_a_zone_keeps_the_port() {
	lab_setup
	local a out err
	a=$(policy_file a.policy 'default closed' 'zone office 198.51.100.245' \
		'open ssh from office' 'open 8080/tcp')
	px attach "$IF_IN" --policy "$a" >/dev/null
	out=$(px close "$IF_IN" ssh 2>"$TMPD/err") || fail "close failed"
	err=$(cat "$TMPD/err")
	echo "$err" | grep -q "22/tcp stays open from zone office: .*edit the 'from' line" ||
		fail "no warning: $err"
	echo "$out" | grep -q 'close ssh: tcp 0 opened, 0 closed' || fail "summary: $out"
	# a port no zone opens: no warning
	px close "$IF_IN" 8080/tcp 2>"$TMPD/err" >/dev/null || fail "close 8080"
	# (but for the line of a wait for another run's pins lock)
	[ "$(lines_said <"$TMPD/err")" = 0 ] || fail "warning for 8080: $(cat "$TMPD/err")"
	px close --help | grep -q 'Zones keep their verdicts' || fail "close --help"
}

run_tests
