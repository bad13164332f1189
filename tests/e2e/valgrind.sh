#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The CLI under valgrind: attach, status, stats in every format,
# apply/open/close/diff, check, detach and their error paths, over the
# lab, each run with memcheck's full leak check. Any invalid read or
# write, use of uninitialised memory in our code, or leak (definite,
# indirect or possible) fails the test; "still reachable" does not.
#
# Suppressions for valgrind's bpf() wrapper, all with frames inside
# libbpf: it checks attr fields that libbpf leaves unset on purpose (the
# kernel reads only the first attr_sz bytes: expected_attach_type and
# prog_ifindex in the map-creation probe, flags in get_next_key), and it
# takes the NULL key of bpf_map_get_next_key, which asks for the first key,
# for an unaddressable one.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
cat >"$TMPD/libbpf.supp" <<'EOF'
{
   libbpf-map-create-expected_attach_type
   Memcheck:Param
   bpf(attr->expected_attach_type)
   fun:syscall
   obj:*libbpf.so*
}
{
   libbpf-map-create-prog_ifindex
   Memcheck:Param
   bpf(attr->prog_ifindex)
   fun:syscall
   obj:*libbpf.so*
}
{
   libbpf-get-next-key-flags
   Memcheck:Param
   bpf(attr->flags)
   fun:syscall
   fun:bpf_map_get_next_key
}
{
   libbpf-get-next-key-first
   Memcheck:Param
   bpf(attr->key)
   fun:syscall
   fun:bpf_map_get_next_key
}
EOF
printf 'default closed\nopen 22/tcp\n' >"$TMPD/closed.policy"
printf 'default open\nclose 23\n' >"$TMPD/open.policy"
printf 'default closed\nopen 99999\n' >"$TMPD/bad.policy"

# portxdp in the lab's namespace under memcheck; output kept in $TMPD/vg.
vg_px() { # expected-status args...
	local want=$1 rc=0
	shift
	valgrind -q --leak-check=full \
		--show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		--error-exitcode=99 --suppressions="$TMPD/libbpf.supp" \
		"$PORTXDP" --netns "$NS" "$@" >"$TMPD/vg" 2>&1 || rc=$?
	if [ "$rc" = 99 ] || grep -q '^==[0-9]*==' "$TMPD/vg"; then
		sed 's/^/    /' "$TMPD/vg"
		fail "valgrind found errors in 'portxdp $*'"
	fi
	[ "$rc" = "$want" ] || fail "'portxdp $*' exited $rc, expected $want: $(cat "$TMPD/vg")"
}

test_cli_under_valgrind() {
	command -v valgrind >/dev/null || skip "valgrind is not installed (make deps-test)"
	lab_setup
	vg_px 0 attach "$IF_IN" --policy "$TMPD/closed.policy"
	"$PXNET" send "$ADDR_IN" 23 5 >/dev/null || true
	vg_px 0 status
	vg_px 0 status "$IF_IN" --json
	vg_px 0 stats "$IF_IN"
	vg_px 0 stats "$IF_IN" --json --top 3
	vg_px 0 stats "$IF_IN" --prometheus
	vg_px 0 diff "$IF_IN" "$TMPD/open.policy"
	vg_px 0 apply "$IF_IN" "$TMPD/open.policy"
	vg_px 0 open "$IF_IN" 23/tcp
	vg_px 0 close "$IF_IN" 80,443/tcp
	vg_px 0 check "$TMPD/closed.policy"
	vg_px 2 check "$TMPD/bad.policy"
	vg_px 2 apply "$IF_IN" "$TMPD/bad.policy"
	vg_px 1 attach "$IF_IN" --policy "$TMPD/closed.policy"
	vg_px 0 attach --force "$IF_IN" --policy "$TMPD/closed.policy"
	vg_px 0 detach "$IF_IN"
	vg_px 1 detach "$IF_IN"
	vg_px 1 stats "$IF_IN"
	vg_px 1 attach nosuchif0 --policy "$TMPD/closed.policy"
	stale_lock
	vg_px 0 detach --stale
	vg_px 0 table
}

run_tests
