#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of --confirm SECS and `portxdp confirm` (design.md
# section 11), with deadlines of 2 to 8 seconds (8 where the test checks
# things before the deadline: on a loaded machine a command may take a
# second or more): an unconfirmed apply is undone and
# frames are judged by the old policy again, status says so; a confirmed
# one stays; the undo happens although the shell that made the change was
# killed (SIGKILL) and its session hung up (SIGHUP); a second change while
# one waits is refused; an unconfirmed attach detaches (its egress
# program too), also when its namespace was deleted; a killed watcher
# shows in status, a SIGTERM'd one undoes at once; bad values and confirm
# with nothing waiting fail.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
OLD=$TMPD/old.policy
NEW=$TMPD/new.policy
printf 'default open\nclose 23/tcp\n' >"$OLD"
printf 'default open\nclose 24/tcp\n' >"$NEW"
unset SSH_CONNECTION

need_jq() { command -v jq >/dev/null || skip "jq is not installed (make deps-test)"; }

# status --json's confirm object, one field of it ("null" when none).
confirm_field() {
	px status "$IF_IN" --json | jq -r ".interfaces[0].confirm.$1 // \"null\""
}

# Wait up to 30 s for the confirmation to leave "pending" (the undo waits
# for the pins lock, which other runs' commands may hold long).
wait_undone() {
	local i
	for i in $(seq 300); do
		[ "$(confirm_field state)" = pending ] || return 0
		sleep 0.1
	done
	fail "still pending after 30 s: $(px status "$IF_IN")"
}

# Wait up to 10 s until process PID is gone (or a zombie): a watcher
# released by `confirm` can undo nothing after that.
wait_gone() { # pid
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.1
	done
	fail "process $1 still runs after 10 s"
}

# Wait up to 30 s until status no longer works on $IF_IN (undone attach).
wait_detached() {
	local i
	for i in $(seq 300); do
		px status "$IF_IN" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
}

setup() {
	need_jq
	lab_setup
	# The watcher and its record go with the test, however it ends.
	on_cleanup 'px confirm "$IF_IN" >/dev/null 2>&1'
	px attach "$IF_IN" --policy "$OLD" >/dev/null
}

test_apply_unconfirmed_comes_back() {
	setup
	out=$(px apply "$IF_IN" "$NEW" --confirm 8)
	echo "$out" | grep -q "run 'portxdp confirm $IF_IN' within 8 s" ||
		fail "apply's output: $out"
	expect_tcp reached 23
	expect_tcp timeout 24
	assert_eq "$(confirm_field state)" pending "state after apply"
	px status "$IF_IN" | grep -q "confirm *pending: 'applied $NEW'" ||
		fail "status: $(px status "$IF_IN")"
	# the one time format: local with its offset in text, UTC Z in JSON
	echo "$out" | grep -Eq 'undone at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} [+-][0-9]{4}$' ||
		fail "apply's time is not 'YYYY-MM-DD HH:MM:SS +ZZZZ': $out"
	confirm_field deadline | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' ||
		fail "JSON deadline is not UTC Z: $(confirm_field deadline)"
	wait_undone
	confirm_field done_at | grep -Eq 'T[0-9:]{8}Z$' ||
		fail "JSON done_at is not UTC Z: $(confirm_field done_at)"
	assert_eq "$(confirm_field state)" "rolled back" "state after the deadline"
	expect_tcp timeout 23
	expect_tcp reached 24
	px status "$IF_IN" | grep -q "confirm *rolled back at .*the previous policy is back" ||
		fail "status: $(px status "$IF_IN")"
	assert_eq "$(px status "$IF_IN" --json | jq -r '.interfaces[0].policy.source')" \
		"$(realpath "$OLD")" "source after the undo"
	# Nothing left to confirm: a clear line, exit 1.
	err=$(px confirm "$IF_IN" 2>&1) && fail "confirm after the undo succeeded"
	echo "$err" | grep -q "nothing to confirm on $IF_IN" || fail "message: $err"
}

test_apply_confirmed_stays() {
	setup
	# 60 s where the change is confirmed: `confirm` takes the pins lock,
	# which another run's commands (20 opens at once) may hold for many
	# seconds, and the watcher undoes at the deadline; nothing waits for it
	px apply "$IF_IN" "$NEW" --confirm 60 >/dev/null
	pid=$(confirm_field watcher_pid)
	assert_eq "$(px confirm "$IF_IN")" "$IF_IN: kept 'applied $NEW'" "confirm's line"
	assert_eq "$(confirm_field state)" null "confirm in status after confirm"
	wait_gone "$pid"
	expect_tcp reached 23
	expect_tcp timeout 24
	assert_eq "$(px status "$IF_IN" --json | jq -r '.interfaces[0].policy.source')" \
		"$(realpath "$NEW")" "source after confirm"
	assert_status 1 px confirm "$IF_IN"
	# open and close take it too, and a later change goes ahead.
	px open "$IF_IN" 24/tcp --confirm 60 >/dev/null
	expect_tcp reached 24
	px confirm "$IF_IN" >/dev/null
	px close "$IF_IN" 24/tcp --confirm 8 >/dev/null
	expect_tcp timeout 24
	wait_undone
	expect_tcp reached 24
}

test_undone_after_session_killed() {
	setup
	# The change is made from a shell in a session of its own, as over SSH.
	# shellcheck disable=SC2016
	setsid bash -c 'echo $$ >"$1"; "$2" --netns "$3" apply "$4" "$5" \
		--confirm 8 >/dev/null; sleep 60 & sleep 60; wait' \
		- "$TMPD/sid" "$PORTXDP" "$NS" "$IF_IN" "$NEW" &
	for i in $(seq 300); do # the apply may wait for another run's pins lock
		[ "$(confirm_field state)" = pending ] && break
		sleep 0.1
	done
	assert_eq "$(confirm_field state)" pending "state after apply"
	sid=$(cat "$TMPD/sid")
	[ "$(ps -o sid= -p "$sid" | tr -d ' ')" = "$sid" ] ||
		fail "the apply shell $sid does not lead its own session"
	on_cleanup "pkill -KILL -s $sid"
	kill -KILL "$sid"
	pkill -HUP -s "$sid" || true
	expect_tcp timeout 24
	wait_undone
	assert_eq "$(confirm_field state)" "rolled back" "state after the session died"
	expect_tcp timeout 23
	expect_tcp reached 24
}

test_second_change_refused_while_pending() {
	setup
	# 60 s: ten refused commands must all meet the pending change, also
	# when each waits for the pins lock on a busy machine; then the
	# watcher is told to undo at once (SIGTERM), not awaited
	px apply "$IF_IN" "$NEW" --confirm 60 >/dev/null
	for cmd in "open $IF_IN 8080" "close $IF_IN 8080" "apply $IF_IN $OLD" \
		"attach $IF_IN --force --policy $OLD" "apply $IF_IN $OLD --confirm 5"; do
		# shellcheck disable=SC2086
		err=$(px $cmd 2>&1) && fail "'$cmd' went ahead while pending"
		# shellcheck disable=SC2086
		assert_status 1 px $cmd
		echo "$err" | grep -q "run 'portxdp confirm $IF_IN'" || fail "message: $err"
	done
	expect_tcp reached 23
	expect_tcp timeout 24
	expect_tcp reached 8080
	kill -TERM "$(confirm_field watcher_pid)"
	wait_undone
	expect_tcp timeout 23
	# Once undone, changes go ahead again.
	px open "$IF_IN" 23 >/dev/null
	expect_tcp reached 23
}

test_attach_unconfirmed_detaches() {
	need_jq
	lab_setup
	on_cleanup 'px confirm "$IF_IN" >/dev/null 2>&1'
	px attach "$IF_IN" --policy "$OLD" --confirm 8 >/dev/null
	expect_tcp timeout 23
	assert_eq "$(confirm_field state)" pending "state after attach"
	wait_detached
	out=$(px status "$IF_IN" 2>&1) && fail "still attached: $out"
	echo "$out" | grep -q "rolled back at .*portxdp was detached from $IF_IN" ||
		fail "status: $out"
	expect_tcp reached 23
	# A confirmed attach stays (60 s: see test_apply_confirmed_stays).
	px attach "$IF_IN" --policy "$OLD" --confirm 60 >/dev/null
	pid=$(confirm_field watcher_pid)
	px confirm "$IF_IN" >/dev/null
	wait_gone "$pid"
	px status "$IF_IN" >/dev/null || fail "detached although confirmed"
	expect_tcp timeout 23
}

# The undo of an attach removes the whole filter: with replies on, its
# egress program too (tc mode on a veth: TCX ingress and egress).
test_attach_undo_removes_egress_too() {
	need_jq
	lab_setup
	on_cleanup 'px confirm "$IF_IN" >/dev/null 2>&1'
	printf 'default closed\nopen 22/tcp\noption replies on\n' >"$TMPD/replies.policy"
	px attach "$IF_IN" --policy "$TMPD/replies.policy" --confirm 8 >/dev/null
	ingress=$(px status "$IF_IN" --json | jq -r '.interfaces[0].prog_id')
	egress=$(px status "$IF_IN" --json | jq -r '.interfaces[0].replies.egress_prog_id // 0')
	[ "$egress" -gt 0 ] || fail "no egress program after attach: $(px status "$IF_IN" --json)"
	wait_detached
	for id in "$ingress" "$egress"; do
		! bpftool prog show id "$id" >/dev/null 2>&1 ||
			fail "program $id still loaded after the undo"
	done
}

# A namespace deleted before the deadline takes its filter along; the
# watcher then removes the record and the pins, and touches nothing else.
test_deleted_namespace_leaves_nothing() {
	need_jq
	lab_setup
	ino=$(stat -L -c %i "/var/run/netns/$NS")
	px attach "$IF_IN" --policy "$OLD" --confirm 2 >/dev/null
	[ -e "/run/portxdp/confirm/net-$ino.$IF_IN" ] || fail "no record after attach"
	stale_lock # its pins are stale until the watcher removes them
	ip netns del "$NS"
	for i in $(seq 300); do
		[ -e "/run/portxdp/confirm/net-$ino.$IF_IN" ] || break
		sleep 0.1
	done
	[ ! -e "/run/portxdp/confirm/net-$ino.$IF_IN" ] || fail "the record outlived its namespace"
	[ ! -e "/sys/fs/bpf/portxdp/net-$ino/$IF_IN" ] || fail "the pins outlived their namespace"
}

test_killed_watcher_shows_in_status() {
	setup
	px apply "$IF_IN" "$NEW" --confirm 30 >/dev/null
	pid=$(confirm_field watcher_pid)
	assert_eq "$(confirm_field watcher_running)" true "watcher_running"
	kill -KILL "$pid"
	# a zombie until reaped: "watcher gone" once it is
	watcher_gone() { [ "$(confirm_field state)" = "watcher gone" ]; }
	wait_until 100 watcher_gone || true
	assert_eq "$(confirm_field state)" "watcher gone" "state"
	px status "$IF_IN" | grep -q "watcher (pid $pid) was killed" ||
		fail "status: $(px status "$IF_IN")"
	err=$(px open "$IF_IN" 8080 2>&1) && fail "open went ahead"
	echo "$err" | grep -q "its watcher is gone" || fail "message: $err"
	px confirm "$IF_IN" >/dev/null
	expect_tcp timeout 24
	# SIGTERM (shutdown, a session torn down) undoes the change at once.
	px apply "$IF_IN" "$OLD" --confirm 30 >/dev/null
	expect_tcp reached 24
	kill -TERM "$(confirm_field watcher_pid)"
	wait_undone
	assert_eq "$(confirm_field state)" "rolled back" "state after SIGTERM"
	confirm_field result | grep -q "the watcher got SIGTERM" ||
		fail "result: $(confirm_field result)"
	expect_tcp timeout 24
}

test_bad_input_changes_nothing() {
	setup
	for v in 0 86401 -1 2x ""; do
		err=$(px apply "$IF_IN" "$NEW" --confirm "$v" 2>&1) &&
			fail "--confirm '$v' accepted"
		assert_status 2 px apply "$IF_IN" "$NEW" --confirm "$v"
		assert_status 2 px open "$IF_IN" 24 --confirm "$v"
		assert_status 2 px attach "$IF_IN" --force --confirm "$v"
	done
	echo "$err" | grep -q -- "--confirm takes a time from 1s to 1d (86400 seconds), not" ||
		fail "message: $err"
	expect_tcp timeout 23
	expect_tcp reached 24
	err=$(px confirm "$IF_IN" 2>&1) && fail "confirm with nothing pending"
	assert_status 1 px confirm "$IF_IN"
	echo "$err" | grep -q "nothing to confirm on $IF_IN: no change made with --confirm is waiting" ||
		fail "message: $err"
	assert_status 2 px confirm
}

run_tests
