# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# `make install` / `make uninstall` into a DESTDIR, and the installed files
# at work: the binary finds its port table and default policy with no
# source tree and no PORTXDP_DATADIR, the man page renders and covers every
# verb, bash completion completes, the systemd unit passes
# `systemd-analyze verify` (skipped where systemd is absent).
. "$(dirname "$0")/../lib/e2e.sh"

STAGE=$(mktemp -d /tmp/pxinstall.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT

# Install with the test's BUILD (no rebuild when it is up to date).
do_install() { # make arguments...
	make -s --no-print-directory BUILD="$BUILD" "$@" install >/dev/null
}

test_install_layout() {
	local d=$STAGE/layout
	do_install DESTDIR="$d" PREFIX=/usr
	for f in usr/sbin/portxdp usr/share/portxdp/ports.table \
		usr/share/portxdp/default.policy usr/share/portxdp/lockdown.policy \
		usr/share/man/man8/portxdp.8 usr/share/doc/portxdp/design.md \
		usr/share/bash-completion/completions/portxdp \
		usr/lib/systemd/system/portxdp@.service \
		usr/lib/systemd/system/portxdp-exporter.service \
		usr/lib/systemd/system/portxdp-log@.service; do
		[ -f "$d/$f" ] || fail "missing $f"
	done
	[ -x "$d/usr/sbin/portxdp" ] || fail "binary not executable"
	grep -q '^ExecStart=/usr/sbin/portxdp attach %I --policy /etc/portxdp/%I.policy$' \
		"$d/usr/lib/systemd/system/portxdp@.service" ||
		fail "unit does not name /usr/sbin/portxdp"
	! grep -q '@SBINDIR@' "$d/usr/lib/systemd/system/portxdp@.service" ||
		fail "@SBINDIR@ left in the unit"
}

# The installed binary, run from the DESTDIR, away from the source tree.
test_installed_binary_finds_its_data() {
	local d=$STAGE/run px
	do_install DESTDIR="$d" PREFIX=/usr/local
	px=$d/usr/local/sbin/portxdp
	(
		unset PORTXDP_DATADIR
		cd /
		"$px" table | grep -q 'ssh' || fail "table: no ssh row"
		"$px" check "$d/usr/local/share/portxdp/default.policy" >/dev/null ||
			fail "check of the installed default policy"
		# the README's CI advice holds for every shipped policy
		for p in "$d"/usr/local/share/portxdp/*.policy; do
			"$px" check --strict "$p" >/dev/null 2>&1 ||
				fail "check --strict $p: $("$px" check --strict "$p" 2>&1)"
		done
		lab_setup
		"$px" --netns "$NS" attach "$IF_IN" | grep -q "$d/usr/local/share/portxdp/default.policy" ||
			fail "attach did not use the installed default policy"
		"$px" --netns "$NS" status "$IF_IN" >/dev/null
		"$px" --netns "$NS" detach "$IF_IN" >/dev/null
	)
}

test_uninstall_removes_everything() {
	local d=$STAGE/un left
	do_install DESTDIR="$d" PREFIX=/usr
	make -s --no-print-directory BUILD="$BUILD" DESTDIR="$d" PREFIX=/usr uninstall >/dev/null
	left=$(find "$d" -type f)
	[ -z "$left" ] || fail "left after uninstall: $left"
	[ ! -e "$d/usr/share/portxdp" ] || fail "share/portxdp left"
}

test_man_page_covers_every_verb() {
	local d=$STAGE/man out verb
	command -v man >/dev/null || skip "no man(1)"
	do_install DESTDIR="$d" PREFIX=/usr
	out=$(MANWIDTH=100 man -l "$d/usr/share/man/man8/portxdp.8" 2>"$STAGE/man.err")
	! grep -qi 'error' "$STAGE/man.err" || fail "roff: $(cat "$STAGE/man.err")"
	# every verb `portxdp --help` lists
	for verb in $("$PORTXDP" --help | awk '/^Commands:/ { on = 1; next }
		on && /^  [a-z]/ { print $1 } /^$/ && on > 1 { exit } on { on++ }'); do
		echo "$out" | grep -q "portxdp $verb" || fail "man page lacks 'portxdp $verb'"
	done
	for s in 'POLICY LANGUAGE' 'LAB' 'DROP LOG' 'STARTING AT BOOT' 'FILES' \
		'EXIT STATUS' 'ephemeral' '/etc/portxdp/IF.policy' 'ports.table'; do
		echo "$out" | grep -q "$s" || fail "man page lacks '$s'"
	done
}

test_bash_completion() {
	local d=$STAGE/comp
	do_install DESTDIR="$d" PREFIX=/usr
	out=$(PATH=$d/usr/sbin:$PATH bash -c '
		. "$1"
		c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		      _portxdp; echo "${COMPREPLY[*]}"; }
		c portxdp at
		c portxdp attach lo --mo
		c portxdp attach lo --mode ""
		c portxdp lab ""
		c portxdp stats l
		c portxdp close lo tel' _ "$d/usr/share/bash-completion/completions/portxdp")
	echo "$out"
	assert_eq "$(echo "$out" | sed -n 1p)" attach "verb"
	assert_eq "$(echo "$out" | sed -n 2p)" --mode "option"
	assert_eq "$(echo "$out" | sed -n 3p)" "auto native generic tc" "mode values"
	assert_eq "$(echo "$out" | sed -n 4p)" "up probe down" "lab sub-commands"
	echo "$out" | sed -n 5p | grep -qw lo || fail "interface names"
	assert_eq "$(echo "$out" | sed -n 6p)" telnet "port names"
}

test_systemd_unit_verifies() {
	local p=$STAGE/sd
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	# No DESTDIR, so the unit's ExecStart names a binary that exists.
	do_install PREFIX="$p"
	MANPATH=$p/share/man systemd-analyze verify --man=yes \
		"$p/lib/systemd/system/portxdp@eth0.service" ||
		fail "systemd-analyze verify"
	MANPATH=$p/share/man systemd-analyze verify --man=yes \
		"$p/lib/systemd/system/portxdp-exporter.service" ||
		fail "systemd-analyze verify of the exporter's unit"
	MANPATH=$p/share/man systemd-analyze verify --man=yes \
		"$p/lib/systemd/system/portxdp-log@eth0.service" ||
		fail "systemd-analyze verify of the log's unit"
	grep -q "^ExecStart=$p/sbin/portxdp log %I --syslog$" \
		"$p/lib/systemd/system/portxdp-log@.service" ||
		fail "the log's unit does not run 'log %I --syslog'"
}

run_tests
