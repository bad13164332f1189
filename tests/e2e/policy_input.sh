#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of what check, apply, diff and attach do with a policy
# path that names no policy: a FIFO (must not hang), a directory, a symlink
# to a file of secrets (its content must never be printed), an empty
# policy (refused: it would open everything), a UTF-8 byte-order mark
# (accepted), and the SSH guard naming the session's real port. Every
# refusal must leave the live filter as it was.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
GOOD=$TMPD/good.policy
printf 'default open\nclose 23/tcp\n' >"$GOOD"
mkfifo -m 600 "$TMPD/fifo.policy"
mkdir "$TMPD/dir.policy"
# A made-up secret, shaped like /etc/shadow; never a real system file.
SECRET=Sekr1tPxTest
printf 'root:$y$j9T$%sHash:19000:0:99999:7:::\nalice:%s:19001:0:99999:7:::\n' \
	"$SECRET" "$SECRET" >"$TMPD/secret"
chmod 600 "$TMPD/secret"
ln -s "$TMPD/secret" "$TMPD/link.policy"
: >"$TMPD/empty.policy"
printf '# only a comment\n\n' >"$TMPD/comments.policy"
unset SSH_CONNECTION

# Run a verb on a bad path: it must end within 10 s with the given status
# and a message holding want, and never print the secret.
refused() { # status want verb args...
	local status=$1 want=$2 rc=0 out
	shift 2
	out=$(timeout 10 "$PORTXDP" --netns "$NS" "$@" 2>&1) || rc=$?
	[ "$rc" != 124 ] || fail "'$*' hung"
	assert_eq "$rc" "$status" "exit status of '$*'"
	printf '%s' "$out" | grep -qF -- "$want" || fail "'$*' said: $out"
	! printf '%s' "$out" | grep -q "$SECRET" || fail "'$*' quoted the secret: $out"
}

source_of() { px status "$IF_IN" | awk '$1 == "policy" { print $2 }'; }

test_bad_paths_refused_by_every_verb() {
	lab_setup
	px attach "$IF_IN" --policy "$GOOD" >/dev/null
	local before p
	before=$(source_of)
	for p in fifo.policy dir.policy link.policy; do
		case $p in
		fifo.policy) set -- 1 "it is a FIFO" ;;
		dir.policy) set -- 1 "is a directory" ;;
		link.policy) set -- 2 "not a policy file" ;;
		esac
		refused "$1" "$2" check "$TMPD/$p"
		refused "$1" "$2" apply "$IF_IN" "$TMPD/$p"
		refused "$1" "$2" diff "$IF_IN" "$TMPD/$p"
		refused "$1" "$2" attach "$IF_IN" --force --policy "$TMPD/$p"
	done
	refused 1 "character device" check /dev/zero
	assert_eq "$(source_of)" "$before" "live policy after the refusals"
	expect_tcp timeout 23
}

test_empty_policy_refused() {
	lab_setup
	local p
	for p in empty.policy comments.policy; do
		refused 2 "write 'default open'" attach "$IF_IN" --policy "$TMPD/$p"
	done
	! px status "$IF_IN" >/dev/null 2>&1 || fail "attached: $(px status "$IF_IN")"
	px attach "$IF_IN" --policy "$GOOD" >/dev/null
	refused 2 "the policy has no rules" apply "$IF_IN" "$TMPD/empty.policy"
	refused 2 "write 'default open'" check "$TMPD/comments.policy"
	expect_tcp timeout 23 # still the good policy
}

test_bom_accepted() {
	lab_setup
	printf '\xef\xbb\xbfdefault open\r\nclose 23/tcp\r\n' >"$TMPD/bom.policy"
	"$PORTXDP" check "$TMPD/bom.policy" >/dev/null || fail "check refused a BOM"
	px attach "$IF_IN" --policy "$TMPD/bom.policy" >/dev/null
	expect_tcp timeout 23
	expect_tcp reached 22
}

test_ssh_refusal_names_the_session_port() {
	lab_setup
	local cut=$TMPD/cut.policy out rc=0
	printf 'default closed\nopen ssh ephemeral bootpc\n' >"$cut"
	export SSH_CONNECTION="198.51.100.9 50000 $ADDR_IN 2222"
	refused 1 "open 2222/tcp" attach "$IF_IN" --policy "$cut"
	px attach "$IF_IN" --policy "$GOOD" >/dev/null
	refused 1 "closes 2222/tcp (ssh)" apply "$IF_IN" "$cut"
	out=$(px diff "$IF_IN" "$cut" 2>&1) || rc=$?
	assert_eq "$rc" 0 "diff exit status"
	printf "%s" "$out" | grep -q "shuts 2222/tcp to this SSH session" || fail "diff said: $out"
	unset SSH_CONNECTION
}

# A file name with a newline or an escape sequence: printed escaped by
# every verb, in summaries and in FILE:LINE:COL alike, never raw.
test_file_names_escaped() {
	lab_setup
	px attach "$IF_IN" --policy "$GOOD" >/dev/null
	local nl=$TMPD/$'new\nline.policy' esc=$TMPD/$'red\e[31m.policy' out
	printf 'default open\nclose 23/tcp 24/tcp\n' >"$nl"
	printf 'default open\n\nclose 99999\n' >"$esc"
	escaped() { # what output
		case $2 in *$'\e'* | *$'new\nline'*) fail "$1 printed a raw name: $2" ;; esac
	}
	out=$("$PORTXDP" check "$nl" 2>&1)
	escaped check "$out"
	assert_eq "$out" "$TMPD/new\\x0aline.policy: ok" "check's summary"
	out=$(px diff "$IF_IN" "$nl" 2>&1)
	printf '%s' "$out" | grep -qx 'close 24/tcp' || fail "diff said: $out"
	out=$(px apply "$IF_IN" "$nl" 2>&1)
	escaped apply "$out"
	printf '%s' "$out" | grep -qF "applied $TMPD/new\x0aline.policy: tcp" ||
		fail "apply said: $out"
	expect_tcp timeout 24 # applied
	out=$(px diff "$IF_IN" "$nl" 2>&1)
	printf '%s' "$out" | grep -qF "already matches $TMPD/new\x0aline.policy" ||
		fail "diff said: $out"
	refused 2 "red\x1b[31m.policy:3:7: error: port 99999 out of range" \
		apply "$IF_IN" "$esc"
	out=$(timeout 10 "$PORTXDP" check "$esc" 2>&1) && fail "check passed"
	escaped "check of a bad file" "$out"
	refused 1 'cannot read policy '"$TMPD"'/gone\x1b]0;x\x07: No such file' \
		apply "$IF_IN" "$TMPD/"$'gone\e]0;x\a'
	out=$(px attach "$IF_IN" --force --policy "$nl" 2>&1)
	escaped attach "$out"
	expect_tcp timeout 24
	expect_tcp reached 22
}

# A second `option` or `ban` line is refused at FILE:LINE:COL naming the
# first, and the live policy stays; idle times and bans take durations.
test_once_lines_and_durations() {
	lab_setup
	px attach "$IF_IN" --policy "$GOOD" >/dev/null
	local dup=$TMPD/dup.policy days=$TMPD/days.policy
	printf 'default open\noption replies on\nclose 24/tcp\n  option replies on tcp-idle 60\n' >"$dup"
	refused 2 "dup.policy:4:3: error: 'option replies' given twice (first on line 2)" \
		apply "$IF_IN" "$dup"
	printf 'default open\noption fragments drop\nclose 24/tcp\noption fragments pass\n' >"$dup"
	refused 2 "dup.policy:4:1: error: 'option fragments' given twice (first on line 2)" \
		check "$dup"
	expect_tcp reached 24 # the good policy still
	printf 'default open\nclose 24/tcp\noption replies on tcp-idle 1d udp-idle 1h30m\n' >"$days"
	px apply "$IF_IN" "$days" >/dev/null
	px status "$IF_IN" | grep -q "tcp idle 86400 s, udp idle 5400 s" ||
		fail "status: $(px status "$IF_IN")"
	expect_tcp timeout 24
	printf 'default open\noption replies on udp-idle 1d1s\n' >"$dup"
	refused 2 "idle time '1d1s' is out of range" apply "$IF_IN" "$dup"
	px ban "$IF_IN" 198.51.100.250 --for 1h30m >/dev/null
	px bans "$IF_IN" | grep -q "198.51.100.250 .* 1h 29m\|198.51.100.250 .* 1h 30m" ||
		fail "bans: $(px bans "$IF_IN")"
	refused 2 "--for '90x' is not a duration" ban "$IF_IN" 198.51.100.251 --for 90x
}

# `zone z file -` in a policy read from stdin: stdin is the policy, so the
# zone would be empty; refused at its line:col, the live policy unchanged.
test_zone_file_dash_refused() {
	lab_setup
	px attach "$IF_IN" --policy "$GOOD" >/dev/null
	local p='default open\nclose 24/tcp\nzone z file -\nblock z\n' out rc=0
	out=$(printf "$p" | timeout 10 "$PORTXDP" --netns "$NS" apply "$IF_IN" - 2>&1) || rc=$?
	assert_eq "$rc" 2 "exit status of 'apply IF -'"
	printf '%s\n' "$out" | grep -qF "<stdin>:3:13: error: zone 'z': a zone file cannot be '-' (stdin)" ||
		fail "apply said: $out"
	printf '%s\n' "$out" | grep -qF "stdin is already the policy" || fail "no hint: $out"
	rc=0
	out=$(printf "$p" | timeout 10 "$PORTXDP" check - 2>&1) || rc=$?
	assert_eq "$rc" 2 "exit status of 'check -'"
	expect_tcp reached 24 # the good policy still
}

run_tests
