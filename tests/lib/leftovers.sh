#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Removes what an interrupted earlier test run left behind, so a leftover
# never fails the next run: the namespaces and veths the end-to-end tests
# name after their shell's PID (tests/lib/e2e.sh: pxt, pxo; lifecycle.sh:
# pxl, pxn; faults.sh: pxf), with the pins of their filters, and the user
# privileges.sh makes (pxtest), when that PID no longer runs. A test file
# of another run going on right now keeps all of its own (its PID runs);
# nothing else is touched. Run by tests/run.sh before the end-to-end
# tests; says one line per thing removed.
set -u
PORTXDP=${PORTXDP:-build/portxdp}
[ "$(id -u)" = 0 ] || exit 0

# The PID in a name the tests own, or nothing.
owner() { [[ $1 =~ ^px[tlnf]([0-9]+)$ ]] && echo "${BASH_REMATCH[1]}"; }

for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
	pid=$(owner "$ns") || continue
	[ ! -d "/proc/$pid" ] || continue
	ino=$(stat -L -c %i "/var/run/netns/$ns" 2>/dev/null) &&
		rm -rf "/sys/fs/bpf/portxdp/net-$ino"
	ip netns del "$ns" 2>/dev/null && echo "leftovers: removed namespace $ns"
done

for link in $(ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
	[[ $link =~ ^pxo([0-9]+)$ ]] || continue
	[ ! -d "/proc/${BASH_REMATCH[1]}" ] || continue
	"$PORTXDP" detach "$link" >/dev/null 2>&1
	ip link del "$link" 2>/dev/null && echo "leftovers: removed veth $link"
done
# privileges.sh's user (its useradd fails, and the test skips, while one
# of the same name is left)
for user in $(getent passwd | cut -d: -f1); do
	[[ $user =~ ^pxtest([0-9]+)$ ]] || continue
	[ ! -d "/proc/${BASH_REMATCH[1]}" ] || continue
	userdel "$user" 2>/dev/null && echo "leftovers: removed user $user"
done
exit 0
