#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The Ansible role contrib/ansible/roles/portxdp (doc/design.md, section
# 12), run by Debian's ansible-core against this machine (-c local) on the
# lab's veth in its namespace, installing into a scratch prefix: the first
# run attaches (changed), the second changes nothing (changed=0), a new
# policy is applied (changed), so is one where only a zone changes, and a
# bad policy fails the play with nothing changed, neither the live policy
# nor the deployed file.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d /tmp/pxansible.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT

# Run the play with the policy text in file $1; print the recap's numbers
# "changed=N failed=N".
play() { # policy-file
	cat >"$TMPD/play.yml" <<EOF2
- hosts: localhost
  gather_facts: false
  roles:
    - role: portxdp
      vars:
        portxdp_src: "$PWD"
        portxdp_build: "$(realpath "$BUILD")"
        portxdp_prefix: "$TMPD/prefix"
        portxdp_policy_dir: "$TMPD/etc"
        portxdp_policies:
          - interface: "$IF_IN"
            netns: "$NS"
            policy: "{{ lookup('file', '$1') }}"
EOF2
	# the role's scratch folder in this run's TMPDIR: another run's in
	# /tmp must not count as one left by this run
	mkdir -p "$TMPD/tmp"
	TMPDIR=$TMPD/tmp ANSIBLE_ROLES_PATH=contrib/ansible/roles ANSIBLE_NOCOLOR=1 ANSIBLE_PIPELINING=1 \
		ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0 \
		ansible-playbook -i localhost, -c local "$TMPD/play.yml" \
		>"$TMPD/out" 2>&1 || true
	sed -n 's/^localhost *: .*changed=\([0-9]*\).*failed=\([0-9]*\).*/changed=\1 failed=\2/p' "$TMPD/out"
}

live_is() { # file what
	local d
	d=$("$TMPD/prefix/sbin/portxdp" --netns "$NS" diff "$IF_IN" "$1" --json |
		jq -c '[.open, .close, .ping, .changed]')
	assert_eq "$d" '[[],[],null,false]' "live policy $2"
}

test_role_changed_then_idempotent_then_bad_policy() {
	need ansible-playbook jq
	lab_setup
	printf 'default closed\nopen ssh\n' >"$TMPD/a.policy"
	printf 'default closed\nopen ssh\nopen 8080/tcp\n# comment\n' >"$TMPD/b.policy"
	printf 'default closed\nopen 70000/tcp\n' >"$TMPD/bad.policy"

	local r
	r=$(play "$TMPD/a.policy")
	case $r in "changed=0 "* | "" | *"failed=1") cat "$TMPD/out"; fail "first run: '$r'" ;; esac
	live_is "$TMPD/a.policy" "after the first run"
	assert_eq "$(play "$TMPD/a.policy")" "changed=0 failed=0" "second run"

	assert_eq "$(play "$TMPD/b.policy")" "changed=1 failed=0" "a new policy"
	live_is "$TMPD/b.policy" "after the new policy"

	local sum
	sum=$(md5sum <"$TMPD/etc/$IF_IN.policy")
	r=$(play "$TMPD/bad.policy")
	assert_eq "$r" "changed=0 failed=1" "a bad policy"
	grep -q "70000" "$TMPD/out" || fail "the play does not say what is wrong"
	live_is "$TMPD/b.policy" "after the bad policy"
	assert_eq "$(md5sum <"$TMPD/etc/$IF_IN.policy")" "$sum" "the deployed file"
	# nothing left behind in the temporary folder
	! ls -d "$TMPD"/tmp/ansible.*.portxdp 2>/dev/null | grep -q . ||
		fail "the role's scratch folder is left"
}

# Only a zone changes (no base port, ping or option): the role applies it.
test_role_applies_a_zone_only_change() {
	need ansible-playbook jq
	lab_setup
	printf 'default closed\nopen ssh\nzone office 198.51.100.240/29\nopen 8080/tcp from office\n' \
		>"$TMPD/z1.policy"
	printf 'default closed\nopen ssh\nzone office 198.51.100.240/29\nopen 8081/tcp from office\n' \
		>"$TMPD/z2.policy"
	local r
	r=$(play "$TMPD/z1.policy")
	case $r in "changed=0 "* | "" | *"failed=1") cat "$TMPD/out"; fail "first run: '$r'" ;; esac
	live_is "$TMPD/z1.policy" "after the first run"
	assert_eq "$(play "$TMPD/z2.policy")" "changed=1 failed=0" "a zone's from line"
	live_is "$TMPD/z2.policy" "after the zone change"
}

run_tests
