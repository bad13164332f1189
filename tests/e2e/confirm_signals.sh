#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# --confirm when the command itself dies right after the change: its
# stdout closed (SIGPIPE as it prints the change's line), or a hangup, must
# not leave the change made with no watcher to undo it. The change is
# undone at the deadline, as if the command had ended normally.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
OLD=$TMPD/old.policy
NEW=$TMPD/new.policy
printf 'default open\nclose 23/tcp\n' >"$OLD"
printf 'default open\nclose 24/tcp\n' >"$NEW"
unset SSH_CONNECTION

confirm_field() {
	px status "$IF_IN" --json | jq -r ".interfaces[0].confirm.$1 // \"null\""
}

setup() {
	command -v jq >/dev/null || skip "jq is not installed (make deps-test)"
	lab_setup
	on_cleanup 'px confirm "$IF_IN" >/dev/null 2>&1'
}

# The reader of stdout is gone before apply prints: apply dies of
# SIGPIPE, but only once its watcher runs.
test_apply_confirm_closed_stdout_is_undone() {
	setup
	px attach "$IF_IN" --policy "$OLD" >/dev/null
	# 8 s: the checks of the pending state first, on a loaded machine too
	px apply "$IF_IN" "$NEW" --confirm 8 | true
	assert_eq "$(confirm_field state)" pending "state after apply | true"
	assert_eq "$(confirm_field watcher_running)" true "watcher_running"
	for i in $(seq 300); do
		[ "$(confirm_field state)" = pending ] || break
		sleep 0.1
	done
	assert_eq "$(confirm_field state)" "rolled back" "state after the deadline"
	assert_eq "$(px status "$IF_IN" --json | jq -r '.interfaces[0].policy.source')" \
		"$(realpath "$OLD")" "source after the undo"
}

# The same for attach: the filter goes again at the deadline.
test_attach_confirm_closed_stdout_is_undone() {
	setup
	px attach "$IF_IN" --policy "$OLD" --confirm 8 | true
	assert_eq "$(confirm_field state)" pending "state after attach | true"
	for i in $(seq 300); do
		px status "$IF_IN" >/dev/null 2>&1 || break
		sleep 0.1
	done
	out=$(px status "$IF_IN" 2>&1) && fail "still attached: $out"
	echo "$out" | grep -q "rolled back at .*portxdp was detached" ||
		fail "status: $out"
}

run_tests
