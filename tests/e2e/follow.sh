#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of `portxdp follow IF FILE` (doc/design.md, section 12):
# the live policy follows FILE through a write in place, a rename over it
# and the symlink swap of a Kubernetes ConfigMap volume (reproduced with
# the kubelet's own steps); a bad version is refused with one line and the
# last good policy stays; counters keep running; SIGTERM ends it with exit 0
# and the filter left as it was. The live policy is compared with a file
# through `portxdp diff --json` (no ports to open or close: the same).

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d /tmp/pxfollow.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT

# Is the live policy of the lab's filter the policy in file $1? (Polls: a
# change is applied after a short wait for quiet.)
await_live() { # file what
	local i d
	for i in $(seq 300); do
		d=$(px diff "$IF_IN" "$1" --json 2>/dev/null | jq -c '[.open, .close, .ping]')
		[ "$d" = '[[],[],null]' ] && return 0
		sleep 0.1
	done
	echo "  diff: $d"
	cat "$TMPD/follow.err" "$TMPD/follow.out" 2>/dev/null
	fail "live policy is not $2"
}

FPID=
start_follow() { # file
	# stderr appended: the test empties the file as follow runs
	: >"$TMPD/follow.err"
	"$PORTXDP" --netns "$NS" follow "$IF_IN" "$1" >"$TMPD/follow.out" \
		2>>"$TMPD/follow.err" &
	FPID=$!
	on_cleanup "kill $FPID 2>/dev/null"
	local i
	for i in $(seq 300); do # it may wait for the pins lock first
		grep -q 'following' "$TMPD/follow.err" && return 0
		kill -0 "$FPID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TMPD/follow.err"
	fail "follow did not start"
}

setup() {
	need jq
	lab_setup
	printf 'default closed\nopen ssh\n' >"$TMPD/a.policy"
	printf 'default closed\nopen ssh\nopen 8080/tcp\n' >"$TMPD/b.policy"
	printf 'default closed\nopen 443/tcp\n' >"$TMPD/c.policy"
	printf 'default closed\nopen 99999\n' >"$TMPD/bad.policy"
	px attach "$IF_IN" --policy "$TMPD/a.policy" >/dev/null
}

test_follows_writes_and_renames() {
	setup
	mkdir "$TMPD/etc"
	cp "$TMPD/b.policy" "$TMPD/etc/eth.policy"
	start_follow "$TMPD/etc/eth.policy"
	await_live "$TMPD/b.policy" "the file at start"
	cat "$TMPD/c.policy" >"$TMPD/etc/eth.policy" # in place
	await_live "$TMPD/c.policy" "after a write in place"
	cp "$TMPD/a.policy" "$TMPD/etc/.new" && mv "$TMPD/etc/.new" "$TMPD/etc/eth.policy"
	await_live "$TMPD/a.policy" "after a rename over the file"
	grep -q "$IF_IN: applied $TMPD/etc/eth.policy" "$TMPD/follow.out" ||
		fail "no apply line in: $(cat "$TMPD/follow.out")"
}

test_configmap_symlink_swap() {
	setup
	# A ConfigMap volume as the kubelet lays it out (atomic_writer.go).
	local v=$TMPD/cm
	mkdir -p "$v/..2026_11_28_10_00_00.1"
	cp "$TMPD/b.policy" "$v/..2026_11_28_10_00_00.1/policy"
	ln -s ..2026_11_28_10_00_00.1 "$v/..data"
	ln -s ..data/policy "$v/policy"
	start_follow "$v/policy"
	await_live "$TMPD/b.policy" "the ConfigMap at start"
	# An update: a new timestamped folder, a ..data_tmp symlink to it
	# renamed over ..data, then the old folder removed.
	mkdir "$v/..2026_11_28_10_05_00.2"
	cp "$TMPD/c.policy" "$v/..2026_11_28_10_05_00.2/policy"
	ln -s ..2026_11_28_10_05_00.2 "$v/..data_tmp"
	mv -T "$v/..data_tmp" "$v/..data"
	rm -rf "$v/..2026_11_28_10_00_00.1"
	await_live "$TMPD/c.policy" "after the ..data swap"
}

test_bad_version_refused_counters_kept_sigterm() {
	setup
	cp "$TMPD/b.policy" "$TMPD/live.policy"
	start_follow "$TMPD/live.policy"
	await_live "$TMPD/b.policy" "the file at start"
	PROBE_MS=300 tcp_probe 8080 >/dev/null
	PROBE_MS=300 tcp_probe 23 >/dev/null
	local before
	# both probes counted (one that timed out says nothing of when its SYN
	# was judged), so that the counts read now are the ones to keep
	probes_counted() { wait_stats '[.ports[] | select(.port == 8080 or .port == 23)] | length == 2'; }
	probes_counted || fail "no counts from the probes: $(px stats "$IF_IN" --json)"
	before=$(px stats "$IF_IN" --json | jq -c '[.ports[] | select(.port == 8080 or .port == 23) | [.port, .dropped, .passed]]')
	: >"$TMPD/follow.err"
	cp "$TMPD/bad.policy" "$TMPD/live.policy"
	said_error() { grep -q "error: .*live.policy has errors" "$TMPD/follow.err"; }
	wait_until 300 said_error || fail "the line: $(cat "$TMPD/follow.err")"
	await_live "$TMPD/b.policy" "the last good policy after a bad one"
	kill -0 "$FPID" || fail "follow ended on a bad version"
	cp "$TMPD/c.policy" "$TMPD/live.policy"
	await_live "$TMPD/c.policy" "a good version after the bad one"
	# counted once follow went on to the next version: all it said of
	# the bad one
	assert_eq "$(lines_said <"$TMPD/follow.err")" 1 "lines for the bad version"
	assert_eq "$(px stats "$IF_IN" --json | jq -c '[.ports[] | select(.port == 8080 or .port == 23) | [.port, .dropped, .passed]]')" \
		"$before" "counters across the changes"
	kill -TERM "$FPID"
	local rc=0
	wait "$FPID" || rc=$?
	assert_eq "$rc" 0 "exit status on SIGTERM"
	await_live "$TMPD/c.policy" "the policy after follow ended"
	px status "$IF_IN" >/dev/null || fail "the filter is gone"
}

test_not_attached_fails() {
	lab_setup
	printf 'default closed\n' >"$TMPD/x.policy"
	assert_status 1 px follow "$IF_IN" "$TMPD/x.policy"
	assert_status 2 px follow "$IF_IN"
}

run_tests
