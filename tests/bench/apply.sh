#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Benchmark of a live policy change: how long `portxdp apply`
# takes to replace a policy that changes every one of the 65536 TCP and
# 65536 UDP ports, beside nftables doing the same kind of atomic update,
# `nft -f` replacing the contents of a set of closed ports that a netdev
# ingress chain drops on, at growing set sizes, in the same run.
#
#   portxdp, in-kernel    new inner map + write the policy + swap it in
#                         (the three bpf() calls of maps_install_policy,
#                         timed inside the command, shown by -v)
#   portxdp, command      `portxdp apply IF FILE`, fork to exit
#   nft -f, N elements    `nft -f FILE`, FILE = "flush set ...; add element
#                         ... { N ports }": one transaction, fork to exit
#
# Rounds are interleaved (each round runs every row once, so a slow moment
# of the machine hits all rows alike); each cell is the median, with the
# min-max. An nft size gets NFT_TIMEOUT seconds per run; a size that takes
# longer is reported as "timeout > Ns" and larger sizes are not tried. Sizes
# whose first run takes over BIG_SECS seconds run only BIG_ROUNDS rounds.
# Everything runs in a network namespace of its own, on a veth pair there,
# both tools timed from inside it (no nsenter or --netns in the timings);
# the namespace, pins and files are removed on exit however it ends.
#
# Usage (root): BUILD=build tests/bench/apply.sh > table.md
#   ROUNDS=11 BIG_ROUNDS=3 BIG_SECS=5 NFT_TIMEOUT=120 SIZES="1024 4096 16384 65536"
# stdout: one markdown table; progress on stderr when it is a terminal (or
# VERBOSE=1), errors always.

set -u
SELF=$(realpath "$0")
cd "$(dirname "$SELF")/../.." || exit 1
BUILD=${BUILD:-build}
PORTXDP=$(realpath "${PORTXDP:-$BUILD/portxdp}")
ROUNDS=${ROUNDS:-11}
BIG_ROUNDS=${BIG_ROUNDS:-3}
BIG_SECS=${BIG_SECS:-5}
NFT_TIMEOUT=${NFT_TIMEOUT:-120}
SIZES=${SIZES:-1024 4096 16384 65536}
unset SSH_CONNECTION # the all-closed policy closes ssh in a private namespace

say() { echo "apply.sh: $*" >&2; }
# Progress only to a terminal: run.sh folds stderr into its markdown.
progress() { if [ -t 2 ] || [ -n "${VERBOSE:-}" ]; then say "$@"; fi; }

# --- measuring, run inside the namespace -----------------------------------

# Milliseconds between two $EPOCHREALTIME readings.
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) * 1000 }'; }

# "median min max" of the numbers given.
summary() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.3f %.3f %.3f", m, v[1], v[NR] }'
}

inside() {
	local dir=$TMPD pol r n s e t rc out
	local -a kern=() cmd=()
	local -A nft_times=() nft_state=() nft_rounds=()

	"$PORTXDP" attach "$IF_PX" --policy "$dir/open.policy" >/dev/null || exit 1
	nft -f "$dir/setup.nft" || exit 1
	for n in $SIZES; do
		nft_state[$n]=run
		nft_rounds[$n]=0
	done

	for ((r = 1; r <= ROUNDS; r++)); do
		progress "round $r/$ROUNDS"
		# portxdp, whole command: each run flips all 131072 port states.
		if ((r % 2)); then pol=closed; else pol=open; fi
		s=$EPOCHREALTIME
		"$PORTXDP" apply "$IF_PX" "$dir/$pol.policy" >/dev/null || exit 1
		e=$EPOCHREALTIME
		cmd+=("$(ms "$s" "$e")")
		# portxdp, in-kernel: the same change, timed around the bpf() calls.
		if ((r % 2)); then pol=open; else pol=closed; fi
		out=$("$PORTXDP" -v apply "$IF_PX" "$dir/$pol.policy" 2>&1 >/dev/null) || exit 1
		t=$(echo "$out" | sed -n 's/.*swapped in \([0-9.]*\) ms.*/\1/p')
		[ -n "$t" ] || { say "no timing in: $out"; exit 1; }
		kern+=("$t")
		# nft: replace the set's contents in one transaction.
		for n in $SIZES; do
			[ "${nft_state[$n]}" = run ] || continue
			if [ "${nft_rounds[$n]}" -ge "$BIG_ROUNDS" ] &&
				[ "${nft_big[$n]:-0}" = 1 ]; then
				continue
			fi
			s=$EPOCHREALTIME
			rc=0
			timeout "$NFT_TIMEOUT" nft -f "$dir/set$n.nft" || rc=$?
			e=$EPOCHREALTIME
			if [ $rc = 124 ]; then
				progress "nft, $n elements: timeout after $NFT_TIMEOUT s"
				nft_state[$n]=timeout
				local m
				for m in $SIZES; do
					[ "$m" -gt "$n" ] && nft_state[$m]=skipped
				done
				continue
			fi
			[ $rc = 0 ] || { say "nft -f set$n.nft failed ($rc)"; exit 1; }
			t=$(ms "$s" "$e")
			nft_times[$n]="${nft_times[$n]:-} $t"
			nft_rounds[$n]=$((nft_rounds[$n] + 1))
			awk -v t="$t" -v b="$BIG_SECS" 'BEGIN { exit !(t > b * 1000) }' &&
				nft_big[$n]=1
			progress "nft, $n elements: $t ms"
		done
	done

	# The table.
	local kmed kmin kmax cmed cmin cmax med min max ratio
	read -r kmed kmin kmax <<<"$(summary "${kern[@]}")"
	read -r cmed cmin cmax <<<"$(summary "${cmd[@]}")"
	echo "| change (all 65536 TCP + 65536 UDP ports) | median | min–max | runs | nft time / portxdp apply |"
	echo "|---|---:|---:|---:|---:|"
	echo "| portxdp apply, in-kernel (new map, fill, swap) | $kmed ms | $kmin–$kmax ms | ${#kern[@]} | |"
	echo "| portxdp apply, whole command | $cmed ms | $cmin–$cmax ms | ${#cmd[@]} | 1 |"
	for n in $SIZES; do
		case ${nft_state[$n]} in
		timeout)
			echo "| nft -f, replace a $n-element set | timeout > ${NFT_TIMEOUT} s | | ${nft_rounds[$n]} |" \
				"> $(awk -v a="$NFT_TIMEOUT" -v b="$cmed" 'BEGIN { printf "%.0f", a * 1000 / b }') |"
			;;
		skipped)
			echo "| nft -f, replace a $n-element set | not run (a smaller set timed out) | | 0 | |"
			;;
		*)
			# shellcheck disable=SC2086
			read -r med min max <<<"$(summary ${nft_times[$n]})"
			ratio=$(awk -v a="$med" -v b="$cmed" 'BEGIN { printf "%.1f", a / b }')
			echo "| nft -f, replace a $n-element set | $med ms | $min–$max ms | ${nft_rounds[$n]} | $ratio |"
			;;
		esac
	done
	"$PORTXDP" detach "$IF_PX" >/dev/null
}

if [ "${1:-}" = --inside ]; then
	declare -A nft_big=()
	inside
	exit
fi

# --- setup and cleanup, in the caller's namespace -----------------------------

[ "$(id -u)" = 0 ] || { say "run as root"; exit 1; }
[ -x "$PORTXDP" ] || { say "$PORTXDP not built: make BUILD=$BUILD $BUILD/portxdp"; exit 1; }
command -v nft >/dev/null || { say "nft not installed (make deps-test)"; exit 1; }

export NS=pxbench$$ IF_PX=pxbx$$ IF_NFT=pxbn$$ TMPD
export PORTXDP ROUNDS BIG_ROUNDS BIG_SECS NFT_TIMEOUT SIZES
TMPD=$(mktemp -d)

cleanup() {
	local ino
	set +e
	if [ -e "/var/run/netns/$NS" ]; then
		"$PORTXDP" --netns "$NS" detach "$IF_PX" >/dev/null 2>&1
		ino=$(stat -L -c %i "/var/run/netns/$NS" 2>/dev/null) &&
			rm -rf "/sys/fs/bpf/portxdp/net-$ino"
		ip netns del "$NS" # takes the veth pair and the nft table
	fi
	rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$NS" || exit 1
ip -n "$NS" link add "$IF_PX" type veth peer name "$IF_NFT" || exit 1
ip -n "$NS" link set "$IF_PX" up
ip -n "$NS" link set "$IF_NFT" up

printf 'default open\n' >"$TMPD/open.policy"
printf 'default closed\n' >"$TMPD/closed.policy"
# One table per size, so each run replaces a set of its own size (a shared
# set would make every run also flush the previous size's elements).
for n in $SIZES; do
	cat <<E
table netdev pxbench$n {
	set closed { type inet_service; }
	chain ingress {
		type filter hook ingress device $IF_NFT priority 0; policy accept;
		tcp dport @closed drop
		udp dport @closed drop
	}
}
E
	{
		echo "flush set netdev pxbench$n closed"
		printf 'add element netdev pxbench%s closed { ' "$n"
		seq 0 $((n - 1)) | paste -sd, | tr -d '\n'
		echo ' }'
	} >"$TMPD/set$n.nft"
done >"$TMPD/setup.nft"

progress "kernel $(uname -r), $(nproc) CPUs, $ROUNDS rounds; nft runs bounded by $NFT_TIMEOUT s"
# Timed from inside the namespace: pins stay visible (same mount namespace).
nsenter --net="/var/run/netns/$NS" bash "$SELF" --inside
