# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# `portxdp log`: an event for each known dropped packet (closed TCP and UDP
# ports over IPv4 and IPv6, ping closed, and, through BPF_PROG_TEST_RUN on
# crafted frames, malformed and fragment), none for passed ones, the rate
# limit under a flood (the rest counted as suppressed), one reader at a
# time, and the switch back off when the reader ends or is killed.
. "$(dirname "$0")/../lib/e2e.sh"

POL=$(mktemp /tmp/pxlog.XXXXXX)
TMPD=$(mktemp -d /tmp/pxlogd.XXXXXX)
trap 'rm -rf "$POL" "$TMPD"' EXIT
printf 'default closed\nopen ssh\noption fragments drop\n' >"$POL"

setup() {
	lab_setup
	px attach "$IF_IN" --policy "$POL" >/dev/null
}

# Start a reader in the background; wait until it is on (its line on
# stderr, --json too).
LOGPID=
start_log() { # out-file args...
	local out=$1
	shift
	# the binary itself, not the px function: $! must be its pid
	"$PORTXDP" --netns "$NS" log "$IF_IN" "$@" >"$out" 2>"$out.err" &
	LOGPID=$!
	on_cleanup "kill $LOGPID 2>/dev/null"
	log_ready "$out.err"
}

stop_log() {
	kill "$LOGPID" 2>/dev/null || true
	wait "$LOGPID" 2>/dev/null || true
}

# Wait up to 10 s until FILE has a line matching every extended regex.
await_lines() { # file regex...
	local f=$1 i re ok
	shift
	for i in $(seq 100); do
		ok=1
		for re in "$@"; do
			grep -Eq -- "$re" "$f" || ok=
		done
		[ -n "$ok" ] && return 0
		sleep 0.1
	done
	return 0 # the caller's checks say what is missing
}

test_events_for_dropped_packets() {
	setup
	start_log "$TMPD/a"
	tcp_probe 23 >/dev/null
	udp_probe 111 >/dev/null
	tcp_probe 23 "$ADDR6_IN" >/dev/null
	tcp_probe 22 >/dev/null # open: no event
	# events come in order: once the ping's is read, any for 22 is too
	# (and the others: but a probe that timed out says nothing of when its
	# packet was judged, so each is awaited)
	ping_probe >/dev/null
	await_lines "$TMPD/a" 'ping-closed$' "$ADDR_IN:23/tcp" '111/udp' "\\[$ADDR6_IN\\]:23/tcp"
	stop_log
	cat "$TMPD/a"
	# time, interface, source, destination address and port, reason
	grep -Eq "^[0-9-]+ [0-9:.]+ [+-][0-9]{4}  $IF_IN  $ADDR_OUT:[0-9]+ +->  $ADDR_IN:23/tcp +closed-port$" "$TMPD/a" || fail "23/tcp over IPv4"
	grep -Eq "  $IF_IN  $ADDR_OUT:[0-9]+ +->  $ADDR_IN:111/udp +closed-port$" "$TMPD/a" || fail "111/udp"
	grep -Eq "  \[$ADDR6_OUT\]:[0-9]+ +->  \[$ADDR6_IN\]:23/tcp +closed-port$" "$TMPD/a" || fail "23/tcp over IPv6"
	grep -Eq "  $ADDR_OUT +->  $ADDR_IN ping +ping-closed$" "$TMPD/a" || fail "ping"
	! grep -q '22/tcp' "$TMPD/a" || fail "an event for the open port 22"
}

test_json_and_count() {
	setup
	start_log "$TMPD/j" --json --count 2
	tcp_probe 24 >/dev/null
	udp_probe 25 >/dev/null
	await_log || fail "log --count 2 exited $?"
	cat "$TMPD/j"
	assert_eq "$(wc -l <"$TMPD/j")" 2 "JSON lines"
	grep -Eq "^\{\"time\": \"[0-9T:.-]+Z\", \"src\": \"$ADDR_OUT\", \"dst\": \"$ADDR_IN\", \"sport\": [0-9]+, \"dport\": 24, \"proto\": \"tcp\", \"reason\": \"closed-port\"\}$" \
		"$TMPD/j" || fail "24/tcp object"
	grep -q '"dport": 25, "proto": "udp"' "$TMPD/j" || fail "25/udp object"
}

# Frames no socket can send, through BPF_PROG_TEST_RUN on the attached program.
test_malformed_and_fragment() {
	command -v bpftool >/dev/null || skip "no bpftool"
	setup
	local id eth drop
	id=$(px status "$IF_IN" --json | grep -o '"prog_id": [0-9]*' | grep -o '[0-9]*$')
	[ -n "$id" ] || fail "no prog_id in status --json"
	eth='\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'
	# IPv4 with IHL 4 (16 bytes): malformed. Source 198.51.100.77.
	printf "$eth"'\x44\x00\x00\x1c\x00\x00\x00\x00\x40\x06\x00\x00\xc6\x33\x64\x4d\xc6\x33\x64\x02\x00\x00\x00\x00\x00\x00\x00\x00' >"$TMPD/mal"
	# IPv4 UDP, fragment offset 8 (a later fragment), source 198.51.100.78.
	printf "$eth"'\x45\x00\x00\x1c\x00\x01\x00\x01\x40\x11\x00\x00\xc6\x33\x64\x4e\xc6\x33\x64\x02\x00\x00\x00\x00\x00\x00\x00\x00' >"$TMPD/frag"
	# a drop is XDP_DROP (1), or TC_ACT_SHOT (2) in tc mode
	drop=1
	px status "$IF_IN" | grep -q "tc mode" && drop=2
	start_log "$TMPD/m"
	bpftool prog run id "$id" data_in "$TMPD/mal" | grep -qi "return value: $drop," ||
		fail "crafted malformed frame not dropped"
	bpftool prog run id "$id" data_in "$TMPD/frag" | grep -qi "return value: $drop," ||
		fail "crafted later fragment not dropped"
	await_lines "$TMPD/m" ' malformed$' ' fragment$'
	stop_log
	cat "$TMPD/m"
	grep -Eq '  198\.51\.100\.77 +->  198\.51\.100\.2 - +malformed$' "$TMPD/m" || fail "malformed event"
	grep -Eq '  198\.51\.100\.78 +->  198\.51\.100\.2 udp +fragment$' "$TMPD/m" || fail "fragment event"
}

# 50000 drops in a burst, --rate 20: at most the burst (20) plus 20 a
# second get through; every drop is an event or counted as suppressed.
test_rate_limit_under_flood() {
	setup
	local n=50000 events sup secs
	start_log "$TMPD/f" --json --rate 20
	SECONDS=0
	"$PXNET" send "$ADDR_IN" 9999 $n >/dev/null
	# until the reports (one a second) account for nearly every drop
	accounted() {
		events=$(grep -c '"dport": 9999' "$TMPD/f" || true)
		sup=$(grep -o '"suppressed": [0-9]*' "$TMPD/f" | awk '{ s += $2 } END { print s + 0 }')
		[ $((events + sup)) -ge $((n * 9 / 10)) ]
	}
	wait_until 150 accounted || true
	secs=$SECONDS
	stop_log
	events=$(grep -c '"dport": 9999' "$TMPD/f" || true)
	sup=$(grep -o '"suppressed": [0-9]*' "$TMPD/f" | awk '{ s += $2 } END { print s + 0 }')
	echo "  $events events, $sup suppressed in ${secs}s"
	[ "$events" -ge 20 ] || fail "only $events events: the burst is 20"
	[ "$events" -le $((20 + 20 * (secs + 1) + 5)) ] || fail "$events events: over the rate"
	# the last second's suppressed count may come after we stopped
	[ $((events + sup)) -le $n ] || fail "events + suppressed > $n"
	[ $((events + sup)) -ge $((n * 9 / 10)) ] || fail "events + suppressed far below $n"
	px stats "$IF_IN" --json | grep -q "\"port\": 9999, \"proto\": \"udp\", \"name\": null, \"state\": \"closed\", \"dropped\": $n" ||
		px stats "$IF_IN" --json | grep -q "\"port\": 9999.*\"dropped\": $n" ||
		fail "stats do not count all $n drops"
}

test_one_reader_at_a_time() {
	setup
	start_log "$TMPD/r1"
	assert_status 1 px log "$IF_IN"
	px log "$IF_IN" 2>&1 | grep -q "pid $LOGPID" || fail "no pid in the message"
	stop_log
	# after the first ends, a second may start
	start_log "$TMPD/r2" --count 1
	tcp_probe 23 >/dev/null
	await_log || fail "second reader exited $?"
}

# A reader killed with SIGKILL: its lease runs out, and the switch is off.
test_killed_reader_lease_expires() {
	setup
	start_log "$TMPD/k"
	kill -KILL "$LOGPID"
	wait "$LOGPID" 2>/dev/null || true
	sleep 3.5
	tcp_probe 23 >/dev/null # the program sees the lease is over
	start_log "$TMPD/k2" --count 1
	tcp_probe 23 >/dev/null
	await_log || fail "a new reader after a killed one exited $?"
}

# --syslog: the same line, without the time, to /dev/log. The test's own
# /dev/log lives in a mount namespace of its own (a tmpfs over /dev there),
# so the machine's syslog is never touched.
test_syslog_lines_carry_interface_and_destination() {
	command -v unshare >/dev/null || skip "no unshare"
	setup
	local m=$TMPD/mnt
	mkdir -p "$m"
	unshare -m bash -c '
		set -e
		mount --make-rprivate /
		mount --rbind /dev "$1"
		mount -t tmpfs none /dev
		for n in null zero urandom; do
			touch "/dev/$n"
			mount --bind "$1/$n" "/dev/$n"
		done
		python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
s.settimeout(60)
with open(sys.argv[1], \"w\") as out:
    for _ in range(2):
        out.write(s.recv(4096).decode() + \"\\n\")
        out.flush()
" "$2" &
		for i in $(seq 600); do [ -S /dev/log ] && break; sleep 0.05; done
		timeout 60 "$3" --netns "$4" log "$5" --syslog --count 1 &
		wait %2' - "$m" "$TMPD/syslog" "$PORTXDP" "$NS" "$IF_IN" &
	local job=$! i
	# until the reader is on (it may first wait for another run's pins
	# lock): a probe before that is not logged
	for i in $(seq 600); do
		grep -q 'logging drops' "$TMPD/syslog" 2>/dev/null && break
		sleep 0.05
	done
	grep -q 'logging drops' "$TMPD/syslog" 2>/dev/null ||
		fail "the reader did not start: $(cat "$TMPD/syslog" 2>/dev/null)"
	tcp_probe 23 >/dev/null
	wait "$job" 2>/dev/null || true
	cat "$TMPD/syslog"
	grep -Eq "portxdp\[[0-9]+\]: logging drops on $IF_IN" "$TMPD/syslog" || fail "no start line"
	grep -Eq "portxdp\[[0-9]+\]: $IF_IN  $ADDR_OUT:[0-9]+ +->  $ADDR_IN:23/tcp +closed-port$" "$TMPD/syslog" ||
		fail "no drop line with the interface and destination"
}

test_usage_errors() {
	assert_status 2 "$PORTXDP" log eth0 --json --syslog
	assert_status 2 "$PORTXDP" log
	assert_status 2 "$PORTXDP" log eth0 eth1
	assert_status 2 "$PORTXDP" log eth0 --rate 0
	assert_status 2 "$PORTXDP" log eth0 --rate 1000001
	assert_status 2 "$PORTXDP" log eth0 --count x
	assert_status 1 "$PORTXDP" log pxnothere0
	"$PORTXDP" log --help | grep -q 'closed-port'
}

run_tests
