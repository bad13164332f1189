#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of privileges, with a real unprivileged user
# made for the run (useradd, removed on exit):
#   - pins and their folders are root-only (0600 and 0700), whatever the
#     umask of whoever attached;
#   - every verb that touches the filter, run by that user, prints one line
#     saying that root (or CAP_BPF with CAP_NET_ADMIN) is needed, exits 1,
#     and changes nothing: same program, same policy, same pins;
#   - `check` of a file the user cannot read names the file and the reason.
# The filter under test sits on the lab's outside end ($IF_OUT, in this
# namespace), so the user's commands need no --netns; --netns itself is
# tested on its own.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

PORTXDP_ABS=$(realpath "$PORTXDP")
PXUSER=pxtest$$
TMPD=$(mktemp -d)
chmod 0755 "$TMPD" # the user reads the policies in it, except secret
cleanup_all() {
	userdel "$PXUSER" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup_all EXIT
NEED_MSG="needs root (or CAP_BPF with CAP_NET_ADMIN)"

printf 'default closed\nopen 22/tcp\n' >"$TMPD/closed.policy"
printf 'default open\n' >"$TMPD/open.policy"
printf 'default closed\n' >"$TMPD/secret.policy"
chmod 0644 "$TMPD/closed.policy" "$TMPD/open.policy"
chmod 0600 "$TMPD/secret.policy"
have_user=no
if command -v useradd >/dev/null && command -v setpriv >/dev/null &&
	useradd -M -N -d / -s /bin/sh "$PXUSER" 2>/dev/null; then
	have_user=yes
fi

# Run portxdp as the unprivileged user, no groups, no capabilities.
as_user() {
	setpriv --reuid="$PXUSER" --regid="$(id -g "$PXUSER")" --clear-groups \
		--inh-caps=-all env -i PATH=/usr/bin:/bin \
		PORTXDP_DATADIR="$PORTXDP_DATADIR" "$PORTXDP_ABS" "$@"
}

need_user() {
	[ $have_user = yes ] || skip "cannot create a user (useradd, setpriv)"
	as_user --version >/dev/null 2>&1 ||
		skip "$PXUSER cannot run $PORTXDP_ABS (a folder on the way is not world-readable)"
}

pins_of_out() { echo "/sys/fs/bpf/portxdp/net-$(stat -L -c %i /proc/self/ns/net)/$IF_OUT"; }

# Everything that must not change: the program on IF_OUT, the live policy,
# its pins (names, inodes, modes). Only IF_OUT's: other tests running at
# the same time change theirs.
snapshot() {
	ip -d link show dev "$IF_OUT" | grep -o 'prog/xdp id [0-9]*'
	"$PORTXDP" diff "$IF_OUT" "$TMPD/closed.policy"
	ls -lRi "$(pins_of_out)" 2>&1
}

test_pins_are_root_only() {
	lab_setup
	local pins f
	# Even with a careless umask the folders and pins are root-only.
	(umask 000 && "$PORTXDP" attach "$IF_OUT" --policy "$TMPD/closed.policy" >/dev/null)
	trap '"$PORTXDP" detach "$IF_OUT" >/dev/null 2>&1; lab_cleanup' EXIT
	pins=$(pins_of_out)
	assert_eq "$(stat -c %a /sys/fs/bpf/portxdp)" 700 "/sys/fs/bpf/portxdp mode"
	assert_eq "$(stat -c %a "${pins%/*}")" 700 "namespace folder mode"
	assert_eq "$(stat -c %a "$pins")" 700 "interface folder mode"
	for f in link policy counters totals; do
		assert_eq "$(stat -c '%a %U' "$pins/$f")" "600 root" "pin $f"
	done
}

test_unprivileged_user_is_refused_and_nothing_changes() {
	need_user
	lab_setup
	local before after out rc args
	"$PORTXDP" attach "$IF_OUT" --policy "$TMPD/closed.policy" >/dev/null
	trap '"$PORTXDP" detach "$IF_OUT" >/dev/null 2>&1; lab_cleanup' EXIT
	before=$(snapshot)
	while IFS= read -r args; do
		rc=0
		# shellcheck disable=SC2086 # args is a word list on purpose
		out=$(as_user $args 2>&1) || rc=$?
		assert_eq "$rc" 1 "'portxdp $args' as $PXUSER: exit status"
		assert_eq "$(printf '%s\n' "$out" | wc -l)" 1 "'portxdp $args': lines"
		printf '%s' "$out" | grep -qF "$NEED_MSG" ||
			fail "'portxdp $args' said: $out"
	done <<EOF
attach $IF_OUT --policy $TMPD/closed.policy
attach --force $IF_OUT --policy $TMPD/open.policy
detach $IF_OUT
detach --stale
status
status $IF_OUT
status --json
apply $IF_OUT $TMPD/open.policy
open $IF_OUT 23
close $IF_OUT 22
diff $IF_OUT $TMPD/open.policy
stats $IF_OUT
stats $IF_OUT --json
log $IF_OUT
EOF
	after=$(snapshot)
	assert_eq "$after" "$before" "state after the user's commands"
	# Still filtering: a probe from the lab into IF_OUT.
	assert_eq "$(ip netns exec "$NS" "$PXNET" tcp "$ADDR_OUT" 23 600 || true)" \
		timeout "tcp port 23 into $IF_OUT"
}

# --netns needs root before any verb runs: one line, and it says so.
test_unprivileged_user_netns() {
	need_user
	lab_setup
	local out rc=0
	out=$(as_user --netns "$NS" status 2>&1) || rc=$?
	assert_eq "$rc" 1 "exit status"
	assert_eq "$(printf '%s\n' "$out" | wc -l)" 1 "lines"
	printf '%s' "$out" | grep -q "needs root" || fail "said: $out"
}

# check needs no privilege, but a file it cannot read is named, with why.
test_check_unreadable_file() {
	need_user
	local out rc=0
	out=$(as_user check "$TMPD/secret.policy" 2>&1 >/dev/null) || rc=$?
	assert_eq "$rc" 1 "exit status of check on an unreadable file (a failed operation)"
	assert_eq "$(printf '%s\n' "$out" | wc -l)" 1 "lines on stderr"
	printf '%s' "$out" | grep -qF "$TMPD/secret.policy" || fail "said: $out"
	printf '%s' "$out" | grep -qi "permission denied" || fail "said: $out"
	# A readable file checks fine as the same user.
	as_user check "$TMPD/closed.policy" >/dev/null 2>&1 ||
		fail "check of a readable policy failed as $PXUSER"
}

run_tests
