# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# The command line as a user meets it before any filter exists: verbs
# shortened to a unique prefix and an ambiguous one named as such, a
# --netns name that cannot be a namespace's refused as bad usage, and the
# bash completion (for portxdp, ./portxdp and build/portxdp; SPEC names
# each once; tcp/udp after PORT/). Nothing is attached.
. "$(dirname "$0")/../lib/e2e.sh"

PORTXDP_ABS=$(realpath "$PORTXDP")

# An ambiguous prefix says which verbs it could be, exit 2, one line.
test_ambiguous_prefix_names_the_candidates() {
	local p want err rc
	for p in st:"stats, status" sta:"stats, status" stat:"stats, status" \
		a:"apply, attach" d:"detach, diff" l:"lab, log"; do
		want=${p#*:} p=${p%%:*} rc=0
		err=$("$PORTXDP" "$p" 2>&1 >/dev/null) || rc=$?
		assert_eq "$rc" 2 "exit status of 'portxdp $p'"
		assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "lines from 'portxdp $p'"
		printf '%s' "$err" | grep -qF "ambiguous: $want" ||
			fail "'portxdp $p' said: $err"
	done
	err=$("$PORTXDP" nosuchverb 2>&1) && fail "nosuchverb ran"
	printf '%s' "$err" | grep -q "unknown command 'nosuchverb'" ||
		fail "nosuchverb said: $err"
}

# A unique prefix is the verb (as bpftool takes them).
test_unique_prefix_runs_the_verb() {
	"$PORTXDP" statu --help | grep -q '^usage: portxdp status' ||
		fail "'statu' is not status"
	"$PORTXDP" at --help | grep -q '^usage: portxdp attach' ||
		fail "'at' is not attach"
	assert_eq "$("$PORTXDP" tab --json | head -c 1)" "[" "'tab --json'"
	assert_eq "$("$PORTXDP" ch --help | head -1)" \
		"$("$PORTXDP" check --help | head -1)" "'ch' is check"
}

# A name that cannot name a namespace: exit 2 and one line naming it,
# before anything runs; a good name that is not there stays exit 1.
test_netns_invalid_name_is_bad_usage() {
	local n err rc long
	long=$(printf 'n%.0s' $(seq 300))
	for n in ../x a/b . .. "" "$long"; do
		rc=0
		err=$("$PORTXDP" --netns "$n" status 2>&1 >/dev/null) || rc=$?
		assert_eq "$rc" 2 "exit status of --netns '${n:0:20}'"
		assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "lines for --netns '${n:0:20}'"
		printf '%s' "$err" | grep -q "is not a network namespace name" ||
			fail "--netns '${n:0:20}' said: $err"
	done
	assert_status 2 "$PORTXDP" --netns=../x stats eth0
	assert_status 2 "$PORTXDP" status --netns /etc
	assert_status 1 "$PORTXDP" --netns nosuchns$$ status
}

# attach --force --confirm: the rollback (a detach) could not bring back
# the filter that --force replaced, so the pair is bad usage, exit 2,
# pointing at apply --confirm; nothing runs.
# A zone's ports change in the file: live open/close with 'from' says so
# (exit 2) instead of calling 'from' an unknown port name.
test_live_from_points_to_the_file() {
	assert_status 2 "$PORTXDP" open eth0 9000/tcp from office
	out=$("$PORTXDP" open eth0 9000/tcp from office 2>&1) || true
	echo "$out" | grep -q "'from' is for the policy file" || fail "message: $out"
}

test_attach_force_with_confirm_is_refused() {
	local err rc=0
	err=$("$PORTXDP" attach lo --force --confirm 5 2>&1 >/dev/null) || rc=$?
	assert_eq "$rc" 2 "exit status of attach --force --confirm"
	printf '%s' "$err" | grep -q "apply lo FILE --confirm" ||
		fail "attach --force --confirm said: $err"
}

# Completion as bash runs it: the function `complete -p` names for the
# command word (its whole path, else its last part), COMP_WORDS/COMP_CWORD in, COMPREPLY out,
# in a folder of its own with ./portxdp and build/portxdp and no portxdp
# in PATH unless CPATH says otherwise. Prints COMPREPLY on one line.
complete_in() { # dir words...
	local dir=$1
	shift
	(cd "$dir" && PATH=${CPATH:-/usr/bin:/bin} bash -c '
		. "$1"; shift
		c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		      local f # as bash looks: the whole path, then its last part
		      f=$(complete -p "$1" 2>/dev/null || complete -p "${1##*/}" 2>/dev/null) ||
			      { echo "no completion for $1"; return; }
		      f=${f#*-F }; ${f%% *}; echo "${COMPREPLY[*]}"; }
		c "$@"' _ "$OLDPWD/contrib/bash-completion/portxdp" "$@")
}

test_completion_for_source_tree_paths() {
	local dir
	dir=$(mktemp -d)
	on_cleanup "rm -rf '$dir'"
	mkdir "$dir/build"
	ln -s "$PORTXDP_ABS" "$dir/portxdp"
	ln -s "$PORTXDP_ABS" "$dir/build/portxdp"
	assert_eq "$(complete_in "$dir" ./portxdp stat)" "status stats" "./portxdp verbs"
	assert_eq "$(complete_in "$dir" build/portxdp stat)" "status stats" "build/portxdp verbs"
	assert_eq "$(complete_in "$dir" ./build/portxdp at)" "attach" "./build/portxdp verbs"
	# Port names come from the portxdp being completed, not from PATH.
	assert_eq "$(complete_in "$dir" ./portxdp close lo tel)" telnet "./portxdp names"
	assert_eq "$(complete_in "$dir" build/portxdp lab probe tel)" telnet "build/portxdp names"
}

test_completion_offers_ping_once() {
	local out CPATH=${PORTXDP_ABS%/*}:/usr/bin:/bin
	out=$(complete_in "$PWD" portxdp open lo p)
	tr ' ' '\n' <<<"$out" | grep -qx pop3 || fail "no table names in '$out'"
	assert_eq "$(tr ' ' '\n' <<<"$out" | grep -cx ping)" 1 "ping in '$out'"
	out=$(complete_in "$PWD" portxdp lab probe "")
	assert_eq "$(tr ' ' '\n' <<<"$out" | sort | uniq -d)" "" "repeated in '$out'"
}

test_completion_protocol_after_port_slash() {
	assert_eq "$(complete_in "$PWD" "$PORTXDP_ABS" open lo 8080/)" \
		"8080/tcp 8080/udp" "8080/"
	assert_eq "$(complete_in "$PWD" "$PORTXDP_ABS" close lo 53/u)" "53/udp" "53/u"
	assert_eq "$(complete_in "$PWD" "$PORTXDP_ABS" open lo 80,443/t)" \
		"80,443/tcp" "80,443/t"
	assert_eq "$(complete_in "$PWD" "$PORTXDP_ABS" lab probe 137-139/)" \
		"137-139/tcp 137-139/udp" "137-139/"
	# stats -p is --prometheus: the interface still completes after it.
	complete_in "$PWD" "$PORTXDP_ABS" stats -p l | grep -qw lo ||
		fail "stats -p took the next word as a value"
}

run_tests
