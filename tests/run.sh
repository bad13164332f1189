#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Runs every test layer and ends with the line "N passed, N failed":
#   1. unit tests of userspace code (built with ASan and UBSan),
#   2. BPF_PROG_TEST_RUN tests of the XDP program,
#   3. the parser fuzz smoke run,
#   4. end-to-end tests over veth pairs in namespaces,
#   5. make check: clang-tidy and cppcheck on user/.
# Each test prints one line PASS/FAIL/SKIP name; a binary that dies
# without saying counts as one failure. Exit status 1 when anything failed.
# TESTS=pattern runs only the files whose name matches.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD PORTXDP="$BUILD/portxdp" PORTXDP_DATADIR="$PWD/policies"
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() { # label command...
	local label=$1 rc p f s
	shift
	case "$label" in *${TESTS:-}*) ;; *) return ;; esac
	echo "== $label"
	"$@" >"$log" 2>&1
	rc=$?
	# Show details only for what failed; PASS/SKIP lines always.
	if grep -q '^FAIL' "$log" || [ $rc -ne 0 ]; then
		cat "$log"
	else
		grep -E '^(PASS|SKIP)' "$log"
	fi
	p=$(grep -c '^PASS' "$log")
	f=$(grep -c '^FAIL' "$log")
	s=$(grep -c '^SKIP' "$log")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $label (exit status $rc)"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

for t in "$BUILD"/test/unit/*; do
	[ -x "$t" ] && run_one "unit/${t##*/}" "$t"
done
for t in "$BUILD"/prog/*; do
	[ -x "$t" ] && run_one "prog/${t##*/}" "$t"
done
[ -x tests/fuzz/run.sh ] && run_one "fuzz/policy" tests/fuzz/run.sh
# What an interrupted earlier run left (its namespaces, veths, pins) must
# not fail this one.
bash tests/lib/leftovers.sh
# A file that hangs fails (exit status 124) instead of stalling the run.
for t in tests/e2e/*.sh; do
	[ -f "$t" ] && run_one "e2e/${t##*/}" timeout -k 30 "${E2E_TIMEOUT:-1200}" bash "$t"
done

static_check() {
	local out rc
	out=$(make --no-print-directory BUILD="$BUILD" check 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "PASS make_check"
	else
		echo "$out" | grep -v 'warnings generated'
		echo "FAIL make_check"
	fi
}
run_one "static/make-check" static_check

summary="$pass passed, $fail failed"
[ $skip -gt 0 ] && summary="$summary, $skip skipped"
echo "$summary"
[ $fail -eq 0 ]
