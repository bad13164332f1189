#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of the faults a filter meets in the field:
#   - its interface is deleted while attached: status says so, detach
#     cleans the pins, a new interface of the same name attaches cleanly;
#   - two CLI processes change the same interface at once: they take turns
#     on the lock under the pin folder, and the live policy is one whole
#     policy, never a mix;
#   - bpffs missing in a mount namespace of the command's own: attach
#     refuses (the pins would die with it), or says clearly that it cannot
#     mount it (both in a private mount namespace, so the host's pins are
#     untouched);
#   - pins of a network namespace that was deleted: status reports them,
#     `detach --stale` removes them and nothing that still runs;
#   - another XDP program on the interface: refused without --force,
#     replaced cleanly with it.
# Traffic checks use the lab's veth pair (tests/lib/e2e.sh).

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

PORTXDP_ABS=$(realpath "$PORTXDP")
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
NS2=pxf$$
# the vanished namespace's veth: names of this run only, as `status` lists
# every namespace's filters (other runs' too)
VA=pxfa$$ VB=pxfb$$

# Only 22/tcp open: probes to 23 must time out while the filter runs.
closed_policy() {
	printf 'default closed\nopen 22/tcp\n' >"$TMPD/closed.policy"
	echo "$TMPD/closed.policy"
}

ns_pins() { # namespace -> its pin folder
	echo "/sys/fs/bpf/portxdp/net-$(stat -L -c %i "/var/run/netns/$1")"
}

# Poll up to ~30 s for a command's output to contain a string.
wait_for() { # string command...
	local want=$1 i
	shift
	for i in $(seq 300); do
		"$@" 2>&1 | grep -qF -- "$want" && return 0
		sleep 0.1
	done
	fail "'$*' never said '$want'; last: $("$@" 2>&1 | tr '\n' ' ')"
}

xdp_prog_id() { # ifname in $NS -> attached program id, or empty
	ip -n "$NS" -d link show dev "$1" | awk '/prog\/xdp/ { for (i = 1; i <= NF; i++) if ($i == "id") { print $(i + 1); exit } }'
}

test_interface_deleted_while_attached() {
	lab_setup
	stale_lock
	local pins out
	px attach "$IF_IN" --policy "$(closed_policy)" >/dev/null
	pins=$(ns_pins "$NS")/$IF_IN
	[ -e "$pins/link" ] || fail "no pins after attach"
	ip link del "$IF_OUT" # takes its peer $IF_IN with it
	wait_for "interface gone" px status "$IF_IN"
	out=$(px status)
	echo "$out" | grep -qF "portxdp detach $IF_IN" ||
		fail "status names no way out: $out"
	out=$(px detach "$IF_IN")
	echo "$out" | grep -q "is gone; removed portxdp's leftover pins" ||
		fail "detach said: $out"
	[ ! -e "$pins" ] || fail "pins left in $pins"
	# A new interface of the same name attaches cleanly and filters.
	ip link add "$IF_OUT" type veth peer name "$IF_IN" netns "$NS"
	ip addr add "$ADDR_OUT/30" dev "$IF_OUT"
	ip link set "$IF_OUT" up
	ip -n "$NS" addr add "$ADDR_IN/30" dev "$IF_IN"
	ip -n "$NS" link set "$IF_IN" up
	px attach "$IF_IN" --policy "$(closed_policy)" >/dev/null
	px status "$IF_IN" | grep -q "^$IF_IN: attached" || fail "not attached"
	expect_tcp timeout 23
	px detach "$IF_IN" >/dev/null
	[ ! -e "$pins" ] || fail "pins left after the second detach"
	expect_tcp reached 23
}

# The same, but the new interface appears before anyone runs detach:
# attach finds the old pins, sees their link attached to nothing, and
# replaces them without --force.
test_new_interface_of_same_name_takes_over_stale_pins() {
	lab_setup
	stale_lock
	local out
	px attach "$IF_IN" --policy "$(closed_policy)" >/dev/null
	ip link del "$IF_OUT"
	wait_for "interface gone" px status "$IF_IN"
	ip link add "$IF_OUT" type veth peer name "$IF_IN" netns "$NS"
	ip addr add "$ADDR_OUT/30" dev "$IF_OUT"
	ip link set "$IF_OUT" up
	ip -n "$NS" addr add "$ADDR_IN/30" dev "$IF_IN"
	ip -n "$NS" link set "$IF_IN" up
	out=$(px attach "$IF_IN" --policy "$(closed_policy)" 2>&1) ||
		fail "attach over stale pins failed: $out"
	echo "$out" | grep -q "removing stale pins" || fail "attach said: $out"
	px status "$IF_IN" | grep -q "^$IF_IN: attached" || fail "not attached"
	expect_tcp timeout 23
}

# A held lock makes a change wait: the lock is real.
test_lock_makes_changes_wait() {
	lab_setup
	local t1 out
	px attach "$IF_IN" --policy "$(closed_policy)" >/dev/null
	printf 'default open\n' >"$TMPD/open.policy"
	# The holder says when it has the lock, and lets go (saying when) once
	# told to: not after a fixed second, which a loaded machine may spend
	# before apply even reaches the lock. At most 30 s.
	flock /sys/fs/bpf/portxdp sh -c 'date +%s%N >"$1.held"
		for i in $(seq 600); do [ -e "$1.go" ] && break; sleep 0.05; done
		date +%s%N >"$1"' - "$TMPD/released" &
	local holder=$! apply
	on_cleanup "touch '$TMPD/released.go'"
	# (another run's command may hold the lock first)
	wait_until 300 test -s "$TMPD/released.held" || fail "flock never got the lock"
	px apply "$IF_IN" "$TMPD/open.policy" >"$TMPD/apply.out" 2>&1 &
	apply=$!
	says_waiting() { grep -q "waiting for another portxdp command" "$TMPD/apply.out"; }
	wait_until 300 says_waiting || fail "apply said nothing about waiting: $(cat "$TMPD/apply.out")"
	kill -0 "$apply" 2>/dev/null || fail "apply ended while the lock was held: $(cat "$TMPD/apply.out")"
	touch "$TMPD/released.go"
	wait "$apply" || fail "apply failed: $(cat "$TMPD/apply.out")"
	t1=$(date +%s%N)
	wait "$holder"
	[ "$t1" -ge "$(cat "$TMPD/released")" ] ||
		fail "apply ended before the lock was let go"
}

# Two applies at once, many times: every time the result is one of the
# two policies exactly (diff against it reports no change), and the
# folder of pins stays whole.
test_concurrent_applies_leave_one_whole_policy() {
	lab_setup
	local i a b ra rb pins
	px attach "$IF_IN" --policy "$(closed_policy)" >/dev/null
	pins=$(ns_pins "$NS")/$IF_IN
	# Two policies that differ in every port they name and in both flags.
	printf 'default closed\nopen 1000-30000/tcp\nopen ping\n' >"$TMPD/a.policy"
	printf 'default open\nclose 1000-30000\nclose ping\noption fragments drop\n' \
		>"$TMPD/b.policy"
	for i in $(seq 10); do
		px apply "$IF_IN" "$TMPD/a.policy" >"$TMPD/a.out" 2>&1 &
		a=$!
		px apply "$IF_IN" "$TMPD/b.policy" >"$TMPD/b.out" 2>&1 &
		b=$!
		ra=0 rb=0
		wait $a || ra=$?
		wait $b || rb=$?
		[ $ra = 0 ] && [ $rb = 0 ] ||
			fail "round $i: apply exited $ra/$rb: $(cat "$TMPD/a.out" "$TMPD/b.out")"
		if ! px diff "$IF_IN" "$TMPD/a.policy" | grep -q "no change" &&
			! px diff "$IF_IN" "$TMPD/b.policy" | grep -q "no change"; then
			fail "round $i: the live policy is neither a nor b"
		fi
		for f in link policy counters totals; do
			[ -e "$pins/$f" ] || fail "round $i: pin $f missing"
		done
	done
}

# Two `attach --force` at once: both succeed one after the other, and one
# filter runs, with complete pins.
test_concurrent_force_attaches_leave_one_filter() {
	lab_setup
	local a b ra=0 rb=0 pins
	px attach "$IF_IN" --policy "$(closed_policy)" --mode generic >/dev/null
	pins=$(ns_pins "$NS")/$IF_IN
	px attach --force "$IF_IN" --policy "$(closed_policy)" --mode generic >"$TMPD/a.out" 2>&1 &
	a=$!
	px attach --force "$IF_IN" --policy "$(closed_policy)" --mode generic >"$TMPD/b.out" 2>&1 &
	b=$!
	wait $a || ra=$?
	wait $b || rb=$?
	[ $ra = 0 ] && [ $rb = 0 ] ||
		fail "attach --force exited $ra/$rb: $(cat "$TMPD/a.out" "$TMPD/b.out")"
	px status "$IF_IN" | grep -q "^$IF_IN: attached" || fail "not attached"
	[ "$(px status "$IF_IN" | grep -o 'program id [0-9]*' | awk '{ print $3 }')" = \
		"$(xdp_prog_id "$IF_IN")" ] || fail "pinned program is not the one attached"
	for f in link policy counters totals; do
		[ -e "$pins/$f" ] || fail "pin $f missing"
	done
	expect_tcp timeout 23
}

# In a mount namespace of its own with nothing at /sys/fs/bpf (as under
# 'ip netns exec'), attach could mount bpffs, but that bpffs and the pins
# in it would vanish with the command: it refuses, names --netns, and
# leaves nothing mounted or attached.
test_bpffs_missing_is_mounted() {
	lab_setup
	local out rc=0
	out=$(unshare -m --propagation private sh -c '
		umount /sys/fs/bpf 2>/dev/null
		[ "$(stat -f -c %T /sys/fs/bpf)" != bpf_fs ] || exit 9
		"$1" --netns "$2" attach "$3" --policy "$4"
		rc=$?
		stat -f -c %T /sys/fs/bpf
		exit $rc' sh "$PORTXDP_ABS" "$NS" "$IF_IN" "$(closed_policy)" 2>&1) || rc=$?
	assert_eq "$rc" 1 "exit status: $out"
	echo "$out" | grep -qF "run 'portxdp --netns $NS attach $IF_IN' instead" ||
		fail "attach said: $out"
	echo "$out" | grep -q "^bpf_fs$" && fail "a throwaway bpffs was left mounted: $out"
	[ -z "$(xdp_prog_id "$IF_IN")" ] || fail "something was attached"
}

# ... and when it cannot be mounted (no /sys/fs/bpf at all), a clear error
# and nothing attached.
test_bpffs_unmountable_is_a_clear_error() {
	lab_setup
	local out rc=0
	out=$(unshare -m --propagation private sh -c '
		mount -t tmpfs none /sys/fs &&
		"$1" --netns "$2" attach "$3" --policy "$4"' sh "$PORTXDP_ABS" \
		"$NS" "$IF_IN" "$(closed_policy)" 2>&1) || rc=$?
	assert_eq "$rc" 1 "exit status"
	assert_eq "$(echo "$out" | wc -l)" 1 "lines of output"
	echo "$out" | grep -q "bpffs is not mounted at /sys/fs/bpf and mounting it failed" ||
		fail "attach said: $out"
	[ -z "$(xdp_prog_id "$IF_IN")" ] || fail "something was attached"
}

# A filter in a namespace that is then deleted leaves pins that status
# reports and `detach --stale` removes; a live filter stays.
test_pins_of_vanished_namespace() {
	lab_setup
	stale_lock
	local dir out
	# Only $VA's pins, then the folder if empty: the namespace inode in
	# its name is free once NS2 is gone, and the next namespace made on
	# the machine (another run's) takes it, and pins its filters there.
	trap 'ip netns del "$NS2" 2>/dev/null || true; [ -z "${dir:-}" ] || { rm -rf "$dir/$VA"; rmdir "$dir" 2>/dev/null; }; lab_cleanup' EXIT
	ip netns add "$NS2"
	ip -n "$NS2" link add "$VA" type veth peer name "$VB"
	ip -n "$NS2" link set "$VA" up
	ip -n "$NS2" link set "$VB" up
	"$PORTXDP" --netns "$NS2" attach "$VA" --policy "$(closed_policy)" >/dev/null
	dir=$(ns_pins "$NS2")
	px attach "$IF_IN" --policy "$(closed_policy)" >/dev/null
	ip netns del "$NS2"
	# The namespace goes away asynchronously; its link then has no interface.
	wait_for "$VA: pinned in a network namespace that is gone" "$PORTXDP" status
	out=$("$PORTXDP" status --json)
	echo "$out" | grep -q "\"pins\": *\"$dir\"" || fail "status --json: $out"
	out=$("$PORTXDP" detach --stale)
	echo "$out" | grep -q "removed stale pins of $VA" || fail "detach --stale: $out"
	[ ! -e "$dir" ] || fail "$dir is still there"
	"$PORTXDP" status | grep -q "$VA" && fail "status still lists $VA"
	px status "$IF_IN" | grep -q "^$IF_IN: attached" ||
		fail "--stale removed a live filter"
	expect_tcp timeout 23
	# again: nothing of this test's is left (someone else's stale pins
	# elsewhere on the machine may be, and are removed and named)
	out=$("$PORTXDP" detach --stale)
	echo "$out" | grep -q "no stale pins" ||
		! echo "$out" | grep -q "stale pins of \($VA\|$IF_IN\) " || fail "second --stale: $out"
	assert_status 2 "$PORTXDP" detach --stale "$IF_IN"
}

# A tiny foreign XDP program (passes everything) to collide with.
foreign_prog() {
	cat >"$TMPD/foreign.c" <<'EOF'
struct xdp_md;
__attribute__((section("xdp"), used)) int foreign(struct xdp_md *ctx)
{
	return 2; /* XDP_PASS */
}
char _license[] __attribute__((section("license"), used)) = "GPL";
EOF
	clang -O2 -g -target bpf -c "$TMPD/foreign.c" -o "$TMPD/foreign.o" ||
		skip "cannot build a foreign XDP program with clang"
}

test_other_xdp_program_needs_force() {
	local mode id out rc
	lab_setup
	foreign_prog
	for mode in xdpgeneric xdpdrv; do
		ip -n "$NS" link set dev "$IF_IN" "$mode" obj "$TMPD/foreign.o" sec xdp
		id=$(xdp_prog_id "$IF_IN")
		[ -n "$id" ] || fail "$mode: the foreign program did not attach"
		rc=0
		out=$(px attach "$IF_IN" --policy "$(closed_policy)" 2>&1) || rc=$?
		assert_eq "$rc" 1 "$mode: attach without --force"
		echo "$out" | grep -q "already has an XDP program (id $id, 'foreign')" ||
			fail "$mode: attach said: $out"
		echo "$out" | grep -q -- "--force" || fail "$mode: no hint of --force: $out"
		assert_eq "$(xdp_prog_id "$IF_IN")" "$id" "$mode: foreign program kept"
		[ ! -e "$(ns_pins "$NS")/$IF_IN" ] || fail "$mode: pins left behind"
		out=$(px attach --force "$IF_IN" --policy "$(closed_policy)" 2>&1) ||
			fail "$mode: attach --force failed: $out"
		echo "$out" | grep -q "replacing XDP program id $id" ||
			fail "$mode: attach --force said: $out"
		[ "$(xdp_prog_id "$IF_IN")" != "$id" ] || fail "$mode: not replaced"
		expect_tcp timeout 23
		expect_tcp reached 22
		px detach "$IF_IN" >/dev/null
		[ -z "$(xdp_prog_id "$IF_IN")" ] || fail "$mode: detach left a program"
		expect_tcp reached 23
	done
}

run_tests
