#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A --confirm deadline on another day is shown with its date: 'undone at
# 22:00:42' right after 'apply --confirm 86400' at 22:00:41 reads as now.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
printf 'default open\nclose 24/tcp\n' >"$TMPD/new.policy"
unset SSH_CONNECTION

test_confirm_deadline_tomorrow_has_its_date() {
	lab_setup
	on_cleanup 'px confirm "$IF_IN" >/dev/null 2>&1'
	px attach "$IF_IN" >/dev/null
	# tomorrow's date as of before and after the apply: a run across
	# midnight sees either
	local d0 d1 day
	d0=$(date -d @$(($(date +%s) + 86400)) +%F)
	out=$(px apply "$IF_IN" "$TMPD/new.policy" --confirm 86400)
	d1=$(date -d @$(($(date +%s) + 86400)) +%F)
	day=$(echo "$out" | grep -o "otherwise it is undone at [0-9-]* " | awk '{ print $NF }')
	[ -n "$day" ] && { [ "$day" = "$d0" ] || [ "$day" = "$d1" ]; } ||
		fail "apply's line has no date $d0: $out"
	px status "$IF_IN" | grep -q "is undone at $day " ||
		fail "status has no date $day: $(px status "$IF_IN")"
}

run_tests
