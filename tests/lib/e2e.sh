# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# The end-to-end test runner, sourced by tests/e2e/*.sh. A test file is a
# list of functions named test_*, and ends with `run_tests`. Each test runs
# in its own subshell with `set -e`, its output kept and shown only when it
# fails; lab_cleanup runs when it ends, however it ends. A test exits 77
# (skip "why") to be counted as skipped.
#
# The lab: namespace $NS holding veth $IF_IN ($ADDR_IN/30, $ADDR6_IN/64),
# peered with $IF_OUT in the caller's namespace ($ADDR_OUT, $ADDR6_OUT).
# Names are derived from this shell's PID and the /30 out of
# 198.51.100.0/24 is claimed (lab_claim_slot), so test files running at the
# same time do not meet. 192.0.2.0/24 is left alone: a host (this CI
# machine among them) may use it for its own network.

set -u
BUILD=${BUILD:-build}
PORTXDP=${PORTXDP:-$BUILD/portxdp}
PXNET=${PXNET:-$BUILD/tools/pxnet}
export PORTXDP_DATADIR=${PORTXDP_DATADIR:-$PWD/policies}
NS=pxt$$
IF_OUT=pxo$$
IF_IN=pxi$$

# Claim slot N (1-47): 198.51.100.4N/30 and 2001:db8:N::/64 for this file's
# labs. 198.51.100.0/30 is `portxdp lab`'s own, and 198.51.100.192/26 is
# kept for the sources tests name outside their lab (a zone office
# 198.51.100.240/29, a banned 198.51.100.250): a slot there once made the
# lab's own address one of them. Two files running at once (from other
# checkouts too) must never share a subnet, or a probe leaves by the other
# lab's veth and meets the other filter. A slot is held by a lock on /run/lock/portxdp-lab.N for as
# long as this shell and its children live; one that an interface here
# already uses (a run without these locks, a bench) is passed over.
lab_claim_slot() {
	local i s re
	for i in $(seq 0 46); do
		s=$((($$ + i) % 47 + 1))
		re="inet 198\.51\.100\.($((s * 4))|$((s * 4 + 1))|$((s * 4 + 2))|$((s * 4 + 3)))/|inet6 2001:db8:$s::"
		exec {LAB_SLOT_FD}>>"/run/lock/portxdp-lab.$s" || continue
		if flock -n "$LAB_SLOT_FD" && ! ip -o addr show | grep -Eq "$re"; then
			LAB_SLOT=$s
			return 0
		fi
		exec {LAB_SLOT_FD}>&-
	done
	LAB_SLOT=$(($$ % 47 + 1)) # all 47 taken: share one, as before
}
lab_claim_slot
ADDR_OUT=198.51.100.$((LAB_SLOT * 4 + 1))
ADDR_IN=198.51.100.$((LAB_SLOT * 4 + 2))
ADDR6_OUT=2001:db8:$LAB_SLOT::1
ADDR6_IN=2001:db8:$LAB_SLOT::2

# portxdp in the lab's namespace.
px() { "$PORTXDP" --netns "$NS" "$@"; }

fail() {
	echo "  $*"
	exit 1
}

skip() {
	echo "  skipped: $*"
	exit 77
}

# Skip unless every named command is installed.
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || skip "$t is not installed (make deps-test)"
	done
}

# The lines on stdin, but for the one a command prints while it waits for
# another's pins lock (another test run's, on a shared machine).
lines_said() { grep -avc '^portxdp: waiting for another portxdp command to finish' || true; }

assert_eq() { # actual expected what
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}

# Run a command that must fail with the given exit status.
assert_status() { # status command...
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want"
}

# Probes from outside into the lab: "reached" or "timeout", after
# PROBE_MS milliseconds without an answer.
tcp_probe() { "$PXNET" tcp "${2:-$ADDR_IN}" "$1" "${PROBE_MS:-600}" || true; }
udp_probe() { "$PXNET" udp "${2:-$ADDR_IN}" "$1" "${PROBE_MS:-600}" || true; }
ping_probe() {
	local secs=$((${PROBE_MS:-600} / 1000))
	if ping -c 1 -W "$((secs > 1 ? secs : 1))" "${1:-$ADDR_IN}" >/dev/null 2>&1; then
		echo reached
	else
		echo timeout
	fi
}

# A probe expected to be answered waits REACHED_MS (5 s): an answer ends it
# at once, and on a loaded machine one may take longer than PROBE_MS. A
# probe expected to time out waits PROBE_MS only: its packet leaves at once
# (lab_setup resolved the neighbours), so a drop is all it can meet.
probe_ms() { [ "$1" = reached ] && echo "${REACHED_MS:-5000}" || echo "${PROBE_MS:-600}"; }
expect_tcp() { assert_eq "$(PROBE_MS=$(probe_ms "$1") tcp_probe "$2" "${3:-}")" "$1" "tcp port $2"; }
expect_udp() { assert_eq "$(PROBE_MS=$(probe_ms "$1") udp_probe "$2" "${3:-}")" "$1" "udp port $2"; }
expect_ping() { assert_eq "$(PROBE_MS=$(probe_ms "$1") ping_probe "${2:-}")" "$1" "ping"; }

lab_setup() {
	local ino
	# left by an earlier shell with this PID, killed before its cleanup
	if [ -e "/var/run/netns/$NS" ]; then
		ino=$(stat -L -c %i "/var/run/netns/$NS") &&
			rm -rf "/sys/fs/bpf/portxdp/net-$ino"
		ip netns del "$NS"
	fi
	ip link del "$IF_OUT" 2>/dev/null || true
	ip netns add "$NS"
	ip link add "$IF_OUT" type veth peer name "$IF_IN" netns "$NS"
	ip addr add "$ADDR_OUT/30" dev "$IF_OUT"
	ip -6 addr add "$ADDR6_OUT/64" dev "$IF_OUT" nodad
	ip link set "$IF_OUT" up
	ip -n "$NS" addr add "$ADDR_IN/30" dev "$IF_IN"
	ip -n "$NS" -6 addr add "$ADDR6_IN/64" dev "$IF_IN" nodad
	ip -n "$NS" link set "$IF_IN" up
	ip -n "$NS" link set lo up
	# Closed UDP ports must answer every probe with an ICMP error.
	ip netns exec "$NS" sysctl -qw net.ipv4.icmp_ratelimit=0 \
		net.ipv6.icmp.ratelimit=0
	# Wait until the pair carries traffic in both families, so that the
	# first probe of a test never waits for neighbour discovery (a probe
	# that times out before its packet leaves proves nothing).
	local i addr
	for addr in "$ADDR_IN" "$ADDR6_IN"; do
		for i in $(seq 50); do
			ping -c 1 -W 1 "$addr" >/dev/null 2>&1 && break
			[ "$i" = 50 ] && fail "lab: $addr does not answer"
			sleep 0.1
		done
	done
	return 0
}

# Wait up to $1 tenths of a second for "$2..." to succeed.
# (Its locals have names no caller uses: the condition sees the caller's.)
wait_until() {
	local _wu_n=$1 _wu_i
	shift
	for _wu_i in $(seq "$_wu_n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# Wait up to 30 s until `stats --json` of $IF_IN meets a jq condition,
# e.g. '.totals.dropped >= 48': counters are read once the packets sent
# went through the filter, however late a loaded machine runs it. The
# caller then asserts the exact numbers (an overcount still fails).
wait_stats() { wait_until 300 stats_meet "$1"; }
stats_meet() { px stats "$IF_IN" --json | jq -e "$1" >/dev/null; }

# Whether SRC (as 'portxdp bans' prints it) is banned on $IF_IN.
is_banned() { px bans "$IF_IN" --json | grep -q "\"source\": \"$1\""; }
not_banned() { ! is_banned "$1"; }

# Wait up to 30 s until a `portxdp log` whose stderr goes to FILE reads
# (it may first wait for the pins lock, which another run's commands may
# hold one after the other for long).
log_ready() {
	local i
	for i in $(seq 300); do
		grep -q 'logging drops' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "log did not start: $(cat "$1")"
}

# Write a policy file $TMPD/NAME, one line per argument; its path.
policy_file() { # name lines...
	local f=$TMPD/$1
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}

# Wait up to 10 s for the `portxdp log --count` reader $LOGPID to end by
# itself; its status (the test fails if it has not ended).
await_log() {
	local i
	for i in $(seq 100); do
		kill -0 "$LOGPID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$LOGPID" 2>/dev/null && fail "log did not end after --count"
	wait "$LOGPID"
}

# Pins whose interface or namespace is gone are stale, and `detach
# --stale` removes every namespace's. A test that makes stale pins and
# looks at them, or that runs `detach --stale`, takes this lock first (it
# holds it until it ends), so another run's `detach --stale` never takes
# its pins away midway.
stale_lock() {
	exec {STALE_FD}>>/run/lock/portxdp-stale.lock
	flock "$STALE_FD"
}

# Whether process PID has ended: gone, or a zombie its parent (this shell,
# for a child) has not reaped yet, which `kill -0` still finds.
exited() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# Extra cleanup a test needs, run by lab_cleanup (last registered first).
CLEANUPS=()
on_cleanup() { CLEANUPS=("$*" "${CLEANUPS[@]}"); }

lab_cleanup() {
	local rc=$? ino c
	set +e # every step runs, whatever failed before
	for c in "${CLEANUPS[@]}"; do
		eval "$c"
	done
	if [ -e "/var/run/netns/$NS" ]; then
		"$PORTXDP" --netns "$NS" detach "$IF_IN" >/dev/null 2>&1
		ino=$(stat -L -c %i "/var/run/netns/$NS" 2>/dev/null) &&
			rm -rf "/sys/fs/bpf/portxdp/net-$ino"
	fi
	ip link del "$IF_OUT" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	return $rc
}

run_tests() {
	local t out rc
	out=$(mktemp)
	for t in $(declare -F | awk '$3 ~ /^test_/ { print $3 }'); do
		SECONDS=0
		(
			trap lab_cleanup EXIT
			set -e
			"$t"
		) >"$out" 2>&1
		rc=$?
		# E2E_TIMES=1: each test's wall time, to find the slow ones
		[ -z "${E2E_TIMES:-}" ] || echo "time $t ${SECONDS}s"
		case $rc in
		0) echo "PASS $t" ;;
		77) grep 'skipped:' "$out"; echo "SKIP $t" ;;
		*) sed 's/^/  | /' "$out"; echo "FAIL $t" ;;
		esac
	done
	rm -f "$out"
}
