#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What `diff IF FILE` and `apply` say a change does, beyond ports: the
# ban rule (doc/design.md, section 10), zones and block lines (section
# 8), and diff --json's "changed" (whether apply would change anything).

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
unset SSH_CONNECTION

policy() { # name lines...
	local f=$TMPD/$1
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}

test_diff_ban_rule() {
	lab_setup
	local a b out js
	a=$(policy a.policy 'default closed' 'zone lan 198.51.100.0/28' \
		'ban after 3 ports in 60s for 10m except 198.51.100.1')
	b=$(policy b.policy 'default closed' 'zone lan 198.51.100.0/28' \
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
	b=$(policy b2.policy 'default closed' 'zone lan 198.51.100.0/28' \
		'ban after 5 ports in 1m for 1h except lan')
	out=$(px diff "$IF_IN" "$b")
	echo "$out" | grep -q 'no change' || fail "same rule: $out"
	js=$(px diff "$IF_IN" "$b" --json)
	assert_eq "$(echo "$js" | jq -c '[.ban, .changed]')" '[null,false]' "json same"
	# no rule next
	b=$(policy none.policy 'default closed' 'zone lan 198.51.100.0/28')
	out=$(px diff "$IF_IN" "$b")
	echo "$out" | grep -qx 'no ban rule (now ban after 5 ports in 1m for 1h except lan)' ||
		fail "no rule: $out"
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '.ban.to')" null "json no rule"
}

test_diff_changed_zones_block() {
	lab_setup
	local a b js
	a=$(policy a.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 80/tcp from office')
	px attach "$IF_IN" --policy "$a" >/dev/null
	assert_eq "$(px diff "$IF_IN" "$a" --json | jq -c '.changed')" false "same file"
	b=$(policy b.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 81/tcp from office')
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '.changed')" true "a zone's port"
	b=$(policy c.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 80/tcp from office' 'block 198.51.100.77')
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '.changed')" true "a block line"
	b=$(policy d.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 80/tcp from office' 'option replies on')
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '.changed')" true "replies"
	b=$(policy e.policy 'default closed' 'zone office 198.51.100.240/29' \
		'open 80/tcp from office' 'open 22/tcp')
	assert_eq "$(px diff "$IF_IN" "$b" --json | jq -c '.changed')" true "a port"
}

run_tests
