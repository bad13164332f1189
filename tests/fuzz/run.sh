#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The short fuzz run of `make test`: build the policy-parser fuzz target,
# run it FUZZ_TIME seconds (default 10) over the committed seed corpus, and
# print one line, PASS or FAIL fuzz_policy, with the log indented on failure.
# New inputs go to a temporary folder, so tests/ never changes; a crashing
# input is kept in $BUILD/fuzz/ to reproduce with
#   $BUILD/fuzz/fuzz_policy $BUILD/fuzz/crash-...
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make --no-print-directory BUILD="$BUILD" "$BUILD/fuzz/fuzz_policy" \
	>"$tmp/build.log" 2>&1; then
	echo "FAIL fuzz_policy"
	sed 's/^/  /' "$tmp/build.log"
	exit 1
fi
mkdir -p "$tmp/corpus" "$BUILD/fuzz"
if "$BUILD/fuzz/fuzz_policy" -max_total_time="${FUZZ_TIME:-10}" \
	-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$BUILD/fuzz/" \
	"$tmp/corpus" tests/fuzz/corpus/policy >"$tmp/run.log" 2>&1; then
	echo "PASS fuzz_policy"
	grep -E '^Done|^#[0-9]+.*DONE' "$tmp/run.log" | tail -1 | sed 's/^/  /'
	exit 0
fi
echo "FAIL fuzz_policy"
tail -40 "$tmp/run.log" | sed 's/^/  /'
exit 1
