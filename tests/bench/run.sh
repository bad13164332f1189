#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# `make bench`: portxdp beside the empty XDP program, xdp-filter, nftables
# and iptables, every competitor in the same invocation and in alternating
# rounds, so a noisy machine moves all rows alike. Prints one markdown table
# per benchmark, writes them to $BUILD/bench/results.md and draws
# $BUILD/bench/results.png with gnuplot:
#   1. per-packet program cost, BPF_PROG_TEST_RUN ($BUILD/tools/progbench),
#      each feature on and off, and zones (progbench -z: 16 zones, 10,000
#      prefixes, beside xdp-filter matching 10,000 source addresses);
#   2. drop rate over veth: trafgen sends 64-byte UDP frames to a spread of
#      closed ports; packets per second and the receiver's CPU time per
#      packet for each filter;
#   3. control path: `portxdp attach` as a whole command, program size and
#      map memory; then the benches of their own issues (TCP throughput
#      per hook: tests/bench/throughput.sh; tests/bench/apply.sh,
#      tests/bench/stats*.sh, tests/bench/log.sh, tests/bench/exporter.sh)
#      when they are present.
#
# The veth receiver runs in its own namespace with GRO on and threaded
# NAPI, its NAPI thread pinned to CPU 1 and trafgen to CPU 0: every filter,
# XDP or netfilter, then runs in that one kernel thread, whose scheduler
# runtime is the receiver's CPU time (exact, and not charged with whatever
# else the machine runs). trafgen sends from a bare veth end in the root
# namespace (no address on it): only there may it raise its socket buffers,
# and without that it stops at the first full ring.
#
# Environment: BUILD (build), REPEAT (1000000), ROUNDS (11), VETH_ROUNDS (5),
# VETH_PKTS (300000), VETH_SECS (20, the bound of one trafgen run),
# ATTACH_RUNS (11), ONLY (prog|veth|control: one section, for debugging).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
OUT=$BUILD/bench
REPEAT=${REPEAT:-1000000}
ROUNDS=${ROUNDS:-11}
VETH_ROUNDS=${VETH_ROUNDS:-5}
VETH_PKTS=${VETH_PKTS:-300000}
VETH_SECS=${VETH_SECS:-20}
ATTACH_RUNS=${ATTACH_RUNS:-11}
ONLY=${ONLY:-}
case $BUILD in /*) ABS=$BUILD ;; *) ABS=$PWD/$BUILD ;; esac
PORTXDP=$ABS/portxdp
PROGBENCH=$ABS/tools/progbench
PXFEAT=$ABS/tools/pxfeat
export PORTXDP_DATADIR=${PORTXDP_DATADIR:-$PWD/policies}

# The closed ports every filter gets: a spread of 1024 UDP and TCP ports.
PORT_LO=10000
PORT_HI=11023

# Lab names and addresses (198.51.100.0/24, a /30 per PID as in e2e.sh).
NS=pxb$$
IF_S=pbs$$ # root namespace, no address: trafgen's end
IF_R=pbr$$ # in $NS: the filtered receiver
SLOT=$(($$ % 63 + 1))
ADDR_S=198.51.100.$((SLOT * 4 + 1))
ADDR_R=198.51.100.$((SLOT * 4 + 2))
XF="nsenter --net=/var/run/netns/$NS xdp-filter"

die() {
	echo "bench: $*" >&2
	exit 1
}

for f in "$PORTXDP" "$PROGBENCH" "$PXFEAT"; do
	[ -x "$f" ] || die "$f missing: run 'make bench' (or make BUILD=$BUILD test-build)"
done
[ "$(id -u)" = 0 ] || die "needs root (BPF, namespaces, nftables): sudo make bench"
mkdir -p "$OUT" || exit 1

# ---- cleanup, on every exit path ----------------------------------------
cleanup() {
	set +e
	if [ -e "/var/run/netns/$NS" ]; then
		"$PORTXDP" --netns "$NS" detach "$IF_R" >/dev/null 2>&1
		$XF unload "$IF_R" >/dev/null 2>&1
		ino=$(stat -L -c %i "/var/run/netns/$NS" 2>/dev/null) &&
			rm -rf "/sys/fs/bpf/portxdp/net-$ino"
		# nft tables and iptables rules live in the namespace: gone with it.
		ip netns del "$NS" 2>/dev/null
	fi
	ip link del "$IF_S" 2>/dev/null
	rm -f "$OUT"/tg.cfg "$OUT"/bench.policy
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers ---------------------------------------------------------------
now_ns() { date +%s%N; }

# median min max of numbers on stdin, one a line (failed runs, "nan", skipped)
med3() {
	grep -E '^[0-9]+([.][0-9]*)?$' | sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "nan nan nan"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR] }'
}

machine() {
	local cpu virt mem
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	virt=$(systemd-detect-virt 2>/dev/null || echo unknown)
	mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "Machine: $(nproc) x $cpu ($virt), $mem, kernel $(uname -r)," \
		"$(. /etc/os-release && echo "$PRETTY_NAME"), clang $(clang -dumpversion 2>/dev/null)," \
		"libbpf $(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null)," \
		"xdp-tools $(dpkg-query -W -f='${Version}' xdp-tools 2>/dev/null)," \
		"nftables $(dpkg-query -W -f='${Version}' nftables 2>/dev/null)," \
		"$(iptables -V 2>/dev/null)."
	echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'), portxdp $(git rev-parse --short HEAD 2>/dev/null || echo '?')," \
		"load average at start $(cut -d' ' -f1-3 /proc/loadavg)."
}

# ---- 1. per-packet program cost -------------------------------------------
bench_prog() {
	echo "  bench: BPF_PROG_TEST_RUN, $ROUNDS rounds x $REPEAT repeats" >&2
	"$PROGBENCH" -n "$REPEAT" -r "$ROUNDS" -c $(($(nproc) - 1)) -d "$OUT/prog.dat"
	# Each feature on and off: the same policy with its flag set (empty
	# zone, flow and ban maps), the difference per packet kind.
	local f
	for f in "0x4 zones" "0x8 block" "0x10 replies" "0x20 bans" \
		"0x20 -b a banned source"; do
		echo "  bench: feature ${f#* } (-f ${f%% *})" >&2
		printf '\n### %s on and off\n' "${f#* }"
		# shellcheck disable=SC2046 # "-b" is a word of its own
		"$PROGBENCH" -n "$REPEAT" -r "$ROUNDS" -c $(($(nproc) - 1)) \
			-f "${f%% *}" $(case $f in *-b*) echo -b ;; esac) |
			sed -n '/^With -f/,$p'
	done
	# Zones: 16 zones, 10,000 prefixes, through the CLI's own
	# installer; xdp-filter matching the same 10,000 source addresses.
	echo "  bench: zones (-z)" >&2
	printf '\n### Zones: 16 zones, 10,000 prefixes, beside xdp-filter with 10,000 ip filters\n\n'
	"$PROGBENCH" -n "$REPEAT" -r "$ROUNDS" -c $(($(nproc) - 1)) -z |
		sed -n '/^| packet | program/,$p'
}

# ---- 2. drop rate over veth ------------------------------------------------
lab_up() {
	ip netns add "$NS" || return 1
	ip link add "$IF_S" type veth peer name "$IF_R" netns "$NS" || return 1
	sysctl -qw "net.ipv6.conf.$IF_S.disable_ipv6=1"
	"$PXFEAT" "$IF_S" tso off || return 1 # else veth skips NAPI for its frames
	ip link set "$IF_S" up
	ip -n "$NS" addr add "$ADDR_R/30" dev "$IF_R"
	ip -n "$NS" link set "$IF_R" up
	ip -n "$NS" link set lo up
	ip netns exec "$NS" "$PXFEAT" "$IF_R" gro on || return 1 # NAPI for every frame
	ip netns exec "$NS" sh -c "echo 1 > /sys/class/net/$IF_R/threaded" || return 1
	local mac_r mac_s
	mac_r=$(ip -n "$NS" -j link show "$IF_R" | jq -r '.[0].address')
	mac_s=$(ip -j link show "$IF_S" | jq -r '.[0].address')
	cat >"$OUT/tg.cfg" <<-EOF
		{
		  eth(da=$mac_r, sa=$mac_s),
		  ipv4(saddr=$ADDR_S, daddr=$ADDR_R, ttl=64),
		  udp(sp=40000, dp=dinc($PORT_LO, $PORT_HI)),
		  fill(0x00, 18)
		}
	EOF
	printf 'default open\nclose %s-%s\n' $PORT_LO $PORT_HI >"$OUT/bench.policy"
}

# PIDs of the receiver's NAPI threads (comm is cut to 15 characters).
napi_pids() { pgrep "^napi/$IF_R-" | tr '\n' ' '; }

napi_ns() {
	local p sum=0
	for p in $(napi_pids); do
		sum=$((sum + $(cut -d' ' -f1 "/proc/$p/schedstat")))
	done
	echo $sum
}

rx_packets() { ip -n "$NS" -s -j link show "$IF_R" | jq '.[0].stats64.rx.packets'; }
udp_noports() { ip netns exec "$NS" awk '/^Udp:/ && $2 ~ /^[0-9]/ { print $3 }' /proc/net/snmp; }

ports() { seq $PORT_LO $PORT_HI; }

nft_rules() {
	printf 'table netdev pxbench {\n'
	printf '  set closed { type inet_service; elements = { %s } }\n' \
		"$(ports | paste -sd, -)"
	printf '  chain ingress { type filter hook ingress device "%s" priority -500;\n' "$IF_R"
	printf '    udp dport @closed drop\n    tcp dport @closed drop\n  }\n}\n'
}

# setup_ROW / teardown_ROW for each row of the veth table.
VETH_ROWS=${VETH_ROWS:-"px_native px_generic px_tc xdp_filter nft iptables none"}
declare -A ROW_NAME=(
	[px_native]="portxdp native" [px_generic]="portxdp generic"
	[px_tc]="portxdp tc (auto's choice on veth)"
	[xdp_filter]="xdp-filter native" [nft]="nftables netdev ingress"
	[iptables]="iptables raw PREROUTING" [none]="no filter"
)
setup_px_native() { "$PORTXDP" --netns "$NS" attach "$IF_R" --policy "$OUT/bench.policy" --mode native; }
teardown_px_native() { "$PORTXDP" --netns "$NS" detach "$IF_R"; }
setup_px_generic() { "$PORTXDP" --netns "$NS" attach "$IF_R" --policy "$OUT/bench.policy" --mode generic; }
teardown_px_generic() { teardown_px_native; }
setup_px_tc() { "$PORTXDP" --netns "$NS" attach "$IF_R" --policy "$OUT/bench.policy" --mode tc; }
teardown_px_tc() { teardown_px_native; }
setup_xdp_filter() {
	local p
	$XF load -m native -f tcp,udp "$IF_R" || return 1
	for p in $(ports); do
		$XF port "$p" || return 1
	done
}
teardown_xdp_filter() { $XF unload "$IF_R"; }
setup_nft() { nft_rules | ip netns exec "$NS" nft -f -; }
teardown_nft() { ip netns exec "$NS" nft delete table netdev pxbench; }
setup_iptables() {
	local p
	for p in udp tcp; do
		ip netns exec "$NS" iptables -t raw -A PREROUTING -p $p \
			-m multiport --dports $PORT_LO:$PORT_HI -j DROP || return 1
	done
}
teardown_iptables() { ip netns exec "$NS" iptables -t raw -F PREROUTING; }
setup_none() { :; }
teardown_none() { :; }

# One run: "pps ns_per_packet leak_percent" for the row set up now.
veth_run() {
	local pid rx0 rx1 s0 s1 u0 u1 t0 t1 n
	for pid in $(napi_pids); do taskset -p -c 1 "$pid" >/dev/null; done
	rx0=$(rx_packets) s0=$(napi_ns) u0=$(udp_noports) t0=$(now_ns)
	timeout "$VETH_SECS" taskset -c 0 trafgen --dev "$IF_S" --conf "$OUT/tg.cfg" \
		--num "$VETH_PKTS" --cpus 1 >/dev/null 2>&1
	t1=$(now_ns)
	sleep 0.1 # let the receiver finish its ring
	rx1=$(rx_packets) s1=$(napi_ns) u1=$(udp_noports)
	n=$((rx1 - rx0))
	[ "$n" -gt 0 ] || { echo "nan nan nan"; return; }
	awk -v n=$n -v dt=$((t1 - t0)) -v cpu=$((s1 - s0)) -v leak=$((u1 - u0)) \
		'BEGIN { printf "%.0f %.1f %.1f\n", n / (dt / 1e9), cpu / n, 100 * leak / n }'
}

bench_veth() {
	local r i row k res rows
	echo "  bench: veth drop rate, $VETH_ROUNDS rounds x $VETH_PKTS packets" >&2
	lab_up >&2 || { echo "veth lab setup failed" >&2; return 1; }
	read -ra rows <<<"$VETH_ROWS"
	: >"$OUT/veth.raw"
	for ((r = 0; r < VETH_ROUNDS; r++)); do
		for ((k = 0; k < ${#rows[@]}; k++)); do
			row=${rows[$(((k + r) % ${#rows[@]}))]}
			if ! "setup_$row" >"$OUT/setup.log" 2>&1; then
				echo "  bench: setting up $row failed:" >&2
				sed 's/^/    /' "$OUT/setup.log" >&2
				"teardown_$row" >/dev/null 2>&1
				continue
			fi
			res=$(veth_run)
			echo "$row $res" >>"$OUT/veth.raw"
			"teardown_$row" >/dev/null 2>&1
		done
	done
	veth_table
}

veth_table() {
	local row pps cpu leak base_cpu base_pps
	read -r base_pps _ < <(awk '$1 == "px_native" { print $2 }' "$OUT/veth.raw" | med3)
	read -r base_cpu _ < <(awk '$1 == "none" { print $3 }' "$OUT/veth.raw" | med3)
	echo "### Drop rate over veth"
	echo
	echo "trafgen (CPU 0) sends 64-byte UDP frames to ports $PORT_LO-$PORT_HI, all closed, over a veth pair;"
	echo "the receiver's NAPI thread (CPU 1) runs the filter. $VETH_ROUNDS interleaved rounds of $VETH_PKTS packets,"
	echo "median (min-max). CPU ns/packet is the NAPI thread's runtime over the packets it received;"
	echo "\"reached UDP\" is the share that got past the filter to the UDP layer (0 when it drops them all)."
	echo
	echo "| filter | packets/s | min-max | x portxdp native | CPU ns/packet | min-max | x no filter | reached UDP |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	: >"$OUT/veth.dat"
	for row in $VETH_ROWS; do
		read -r pps pmin pmax < <(awk -v r="$row" '$1 == r { print $2 }' "$OUT/veth.raw" | med3)
		read -r cpu cmin cmax < <(awk -v r="$row" '$1 == r { print $3 }' "$OUT/veth.raw" | med3)
		read -r leak _ < <(awk -v r="$row" '$1 == r { print $4 }' "$OUT/veth.raw" | med3)
		if [ "$pps" = nan ]; then
			echo "| ${ROW_NAME[$row]} | n/a | - | - | n/a | - | - | - |"
			continue
		fi
		awk -v n="${ROW_NAME[$row]}" -v p=$pps -v p0=$pmin -v p1=$pmax -v bp="$base_pps" \
			-v c=$cpu -v c0=$cmin -v c1=$cmax -v bc="$base_cpu" -v l=$leak 'BEGIN {
			printf "| %s | %.0f | %.0f-%.0f | %s | %.0f | %.0f-%.0f | %s | %.0f%% |\n", n, p, p0, p1,
				bp == "nan" ? "-" : sprintf("%.2f", p / bp), c, c0, c1,
				bc == "nan" ? "-" : sprintf("%.2f", c / bc), l }'
		printf '"%s"\t%s\t%s\t%s\t%s\t%s\t%s\n' "${ROW_NAME[$row]}" $pps $pmin $pmax $cpu $cmin $cmax >>"$OUT/veth.dat"
	done
	echo
	# The target, on the same medians as the table.
	awk -F'\t' 'NR == 1 { px = $5 } NR > 1 && $5 <= px { behind = behind " " $1 }
		END { printf "Target (portxdp native ahead of every other row, by CPU per packet): %s\n",
			behind == "" ? "met" : "MISSED, not ahead of" behind }' "$OUT/veth.dat"
}

# ---- 3. control path -------------------------------------------------------
bench_control() {
	local i t0 t1 a d xa
	echo "  bench: control path, $ATTACH_RUNS attach/detach runs" >&2
	[ -e "/var/run/netns/$NS" ] || lab_up >&2 || return 1
	printf 'default closed\nopen ssh\n' >"$OUT/bench.policy"
	: >"$OUT/attach.raw"
	for ((i = 0; i < ATTACH_RUNS; i++)); do
		t0=$(now_ns)
		"$PORTXDP" --netns "$NS" attach "$IF_R" --policy "$OUT/bench.policy" --mode native >/dev/null || break
		t1=$(now_ns)
		a=$(((t1 - t0) / 1000))
		t0=$(now_ns)
		"$PORTXDP" --netns "$NS" detach "$IF_R" >/dev/null || break
		t1=$(now_ns)
		d=$(((t1 - t0) / 1000))
		t0=$(now_ns)
		$XF load -m native -f tcp,udp "$IF_R" >/dev/null 2>&1 || break
		t1=$(now_ns)
		xa=$(((t1 - t0) / 1000))
		$XF unload "$IF_R" >/dev/null 2>&1
		echo "$a $d $xa" >>"$OUT/attach.raw"
	done
	echo "### Control path"
	echo
	echo "Whole commands, wall clock from process start to exit, $ATTACH_RUNS interleaved runs, ms, median (min-max)."
	echo
	echo "| command | ms | min-max |"
	echo "|---|---:|---:|"
	for i in 1 2 3; do
		read -r m lo hi < <(awk -v c=$i '{ print $c / 1000 }' "$OUT/attach.raw" | med3)
		case $i in
		1) n='`portxdp attach` (load, verify, fill policy, attach, pin)' ;;
		2) n='`portxdp detach`' ;;
		3) n='`xdp-filter load -f tcp,udp` (for comparison)' ;;
		esac
		printf '| %s | %.1f | %.1f-%.1f |\n' "$n" "$m" "$lo" "$hi"
	done
	echo
	"$PROGBENCH" --sizes 2>/dev/null
}

# The other issues' benches: run when present, their output appended.
bench_others() {
	local f
	for f in tests/bench/throughput.sh tests/bench/replies.sh tests/bench/apply.sh \
		tests/bench/zones_apply.sh \
		tests/bench/stats*.sh tests/bench/log.sh tests/bench/exporter.sh; do
		[ -x "$f" ] || continue
		echo "  bench: $f" >&2
		echo "### ${f#tests/bench/}"
		echo
		BUILD=$BUILD "$f" 2>&1 || echo "($f exited $?)"
		echo
	done
}

# ---- picture -----------------------------------------------------------------
plot() {
	command -v gnuplot >/dev/null || { echo "  bench: no gnuplot, no picture" >&2; return; }
	gnuplot <<-EOF 2>"$OUT/gnuplot.log" || echo "  bench: gnuplot failed, see $OUT/gnuplot.log" >&2
		set terminal pngcairo size 1400,900 font ",10"
		set output "$OUT/results.png"
		set multiplot layout 2,2 title "portxdp benchmarks ($(uname -r), $(nproc) CPUs)"
		set style data histograms
		set style histogram clustered gap 1
		set style fill solid 0.8 border -1
		set grid ytics
		set yrange [0:*]
		set key top right
		set xtics rotate by -20 noenhanced
		set title "Per-packet program cost (BPF\\\_PROG\\\_TEST\\\_RUN), lower is better"
		set ylabel "ns per packet"
		plot "$OUT/prog.dat" using 2:xtic(1) title "empty (XDP\\\_PASS)", \
		     '' using 5 title "portxdp", '' using 8 title "xdp-filter"
		set title "veth: receiver CPU time per packet, lower is better"
		set ylabel "ns per packet"
		set style histogram clustered gap 1
		set key off
		plot "$OUT/veth.dat" using 5:xtic(1) lc rgb "#4477aa"
		set title "veth: packets per second received, higher is better"
		set ylabel "packets/s"
		plot "$OUT/veth.dat" using 2:xtic(1) lc rgb "#228833"
		unset multiplot
	EOF
}

# ---- main --------------------------------------------------------------------
want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

{
	echo "## portxdp benchmarks"
	echo
	machine
	echo
} >"$OUT/results.md"
cat "$OUT/results.md"
for section in prog veth control; do
	want $section || continue
	"bench_$section" >"$OUT/$section.md"
	cat "$OUT/$section.md"
	echo
	{ cat "$OUT/$section.md"; echo; } >>"$OUT/results.md"
done
if want others; then
	bench_others >"$OUT/others.md"
	cat "$OUT/others.md"
	cat "$OUT/others.md" >>"$OUT/results.md"
fi
[ -s "$OUT/prog.dat" ] && [ -s "$OUT/veth.dat" ] && plot
echo "results: $OUT/results.md${OUT:+, $OUT/results.png}"
