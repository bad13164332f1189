#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Live changes that last (design.md section 2): `open/close --persist`
# appends the change to the live policy's source file atomically (a dated
# comment, the file's mode and owner kept, a symlink followed), so a later
# apply gives the same policy; it refuses, changing nothing, when the file
# was edited since it was applied or when live changes are not in it; and
# `status` says when the live policy differs from its file and how to keep
# it.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
unset SSH_CONNECTION

need_jq() { command -v jq >/dev/null || skip "jq is not installed (make deps-test)"; }

setup() {
	need_jq
	DIR=$(mktemp -d "$TMPD/t.XXXXXX") # a folder per test
	POL=$DIR/web.policy
	printf 'default closed\nopen 22/tcp\n' >"$POL"
	chmod 640 "$POL"
	chown 1:2 "$POL"
	lab_setup
	px attach "$IF_IN" --policy "$POL" >/dev/null
}

test_persist_appends_and_apply_keeps_it() {
	setup
	out=$(px open "$IF_IN" 8080/tcp --persist)
	echo "$out" | grep -q "open 8080/tcp (kept in the policy file)" ||
		fail "open --persist said: $out"
	tail -n 2 "$POL" | head -n 1 |
		grep -Eq '^# [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} [+-][0-9]{4}: portxdp open --persist$' ||
		fail "no dated comment: $(cat "$POL")"
	assert_eq "$(tail -n 1 "$POL")" "open 8080/tcp" "the appended line"
	assert_eq "$(stat -c '%a %u %g' "$POL")" "640 1 2" "mode and owner"
	assert_eq "$(ls -A "$DIR")" "web.policy" "files left in the folder"
	expect_tcp reached 8080
	# the live policy is the file now: no live change, status quiet
	px status "$IF_IN" | grep -q '^  source ' &&
		fail "status says the file differs: $(px status "$IF_IN")"
	assert_eq "$(px status "$IF_IN" --json | jq -r '.interfaces[0].policy.source_file.differs')" false "differs"
	# and apply of the file changes nothing
	px diff "$IF_IN" "$POL" | grep -q 'no change' ||
		fail "diff after persist: $(px diff "$IF_IN" "$POL")"
	px close "$IF_IN" 8080/tcp --persist >/dev/null
	px apply "$IF_IN" "$POL" >/dev/null
	expect_tcp timeout 8080
}

test_persist_through_a_symlink_keeps_the_link() {
	setup
	mv "$POL" "$DIR/real.policy"
	ln -s real.policy "$POL"
	px apply "$IF_IN" "$POL" >/dev/null
	px open "$IF_IN" 8081/tcp --persist >/dev/null
	[ -L "$POL" ] || fail "the symlink was replaced by a file"
	assert_eq "$(tail -n 1 "$DIR/real.policy")" "open 8081/tcp" "the real file's last line"
}

test_persist_refuses_an_edited_file() {
	setup
	echo 'open 25/tcp' >>"$POL"
	before=$(cat "$POL")
	assert_status 1 px open "$IF_IN" 8080/tcp --persist
	px open "$IF_IN" 8080/tcp --persist 2>&1 | grep -q "changed since it was applied" ||
		fail "no reason given"
	assert_eq "$(cat "$POL")" "$before" "the file after the refusal"
	expect_tcp timeout 8080
	# status says so, and how to see it
	px status "$IF_IN" | grep -q "was edited since it was applied: 'portxdp diff" ||
		fail "status: $(px status "$IF_IN")"
}

test_status_names_live_changes_and_persist_refuses_them() {
	setup
	px open "$IF_IN" 8080/tcp >/dev/null
	px status "$IF_IN" | grep -q "differs from $POL by the live changes (open 8080/tcp).*portxdp save $IF_IN" ||
		fail "status: $(px status "$IF_IN")"
	assert_eq "$(px status "$IF_IN" --json | jq -r '.interfaces[0].policy.source_file.live_changes')" "open 8080/tcp" "live_changes"
	before=$(cat "$POL")
	assert_status 1 px close "$IF_IN" 9000 --persist
	assert_eq "$(cat "$POL")" "$before" "the file after the refusal"
}

test_persist_with_confirm_is_bad_usage() {
	setup
	assert_status 2 px open "$IF_IN" 8080/tcp --persist --confirm 30
	expect_tcp timeout 8080
}

run_tests
