#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench, counters part: counter memory and the cost of one
# full read as the CPU count grows. build/tools/ctrbench builds synthetic
# slices of 2, 16, 64 and 256 CPUs in memory and times the summing code
# `stats` runs on its mmap of the map (user/maps.c), beside the layout
# before it (2 MiB per CPU) and xdp-filter's memory; the 2-CPU read of the
# real map is in stats_bench.sh. Target: at 256 CPUs, a full read with the
# work of `stats --json` under 50 ms.
# Environment: BUILD (build), RUNS (5).
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
"$BUILD/tools/ctrbench" -r "${RUNS:-5}" 2 16 64 256
