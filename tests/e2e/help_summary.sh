#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# 'portxdp --help' lists each verb with its options: every long option in
# a verb's own usage line ('portxdp VERB --help') is in that verb's line of
# the summary, so a newcomer reading only the summary misses none (lab
# aside: its summary is 'up|probe|down ...').

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

test_help_summary_names_every_verb_option() {
	local top v line use o missing=""
	top=$("$PORTXDP" --help)
	for v in $(echo "$top" | awk '/^Commands:/ { f = 1; next }
		/^Global/ { f = 0 } f && /^  [a-z]/ { print $1 }'); do
		[ "$v" = lab ] && continue
		line=$(echo "$top" | awk -v v="$v" '$1 == v')
		use=$("$PORTXDP" "$v" --help 2>&1 | sed '/^$/q')
		for o in $(echo "$use" | grep -o -- '--[a-z-]*' | sort -u); do
			echo "$line" | grep -q -- "$o" || missing="$missing $v:$o"
		done
	done
	assert_eq "$missing" "" "options missing from 'portxdp --help'"
}

run_tests
