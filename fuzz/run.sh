#!/bin/bash
# SPDX-License-Identifier: MIT
#
# fuzz/run.sh BUILD_DIR SECONDS
#
# Runs every libFuzzer harness BUILD_DIR/fuzz/fuzz_* for SECONDS each,
# starting from its seed corpus fuzz/corpus/<name>/ if there is one. The
# corpus is copied to a scratch directory first: the fuzzer adds inputs to
# the directory it is given, and the source tree must not change. A crash,
# leak, timeout or sanitizer report fails the run; its reproducer is kept
# in BUILD_DIR/fuzz/artifacts/<name>/.
#
# Harnesses run FUZZ_JOBS at a time (default: one per CPU); results are
# reported in name order when all have finished.
#
# Environment: FUZZ_MAX_LEN (default 4096) largest input tried,
#              FUZZ_TIMEOUT (default 10) seconds before one input is a hang,
#              FUZZ_JOBS (default nproc) harnesses at once.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
build=$1
secs=$2
here=$(cd "$(dirname "$0")" && pwd)
max_len=${FUZZ_MAX_LEN:-4096}
timeout=${FUZZ_TIMEOUT:-10}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/doekit-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT INT TERM

jobs=${FUZZ_JOBS:-$(nproc)}

# run_one BIN: one harness in its scratch directory; its verdict goes to
# $work/verdict (PASS/FAIL line) for the report below
run_one() {
	local bin=$1 name work seeds rc runs found keep
	name=$(basename "$bin")
	work=$scratch/$name
	mkdir -p "$work/corpus" "$work/artifacts"
	if [ -d "$here/corpus/$name" ]; then
		cp -R "$here/corpus/$name/." "$work/corpus/"
	fi
	seeds=$(ls "$work/corpus" | wc -l)

	"$bin" -max_total_time="$secs" -max_len="$max_len" -timeout="$timeout" \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
		"$work/corpus" >"$work/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
	found=$(ls "$work/artifacts")
	if [ $rc -eq 0 ] && [ -z "$found" ]; then
		echo "PASS $name: ${runs:-?} runs in ${secs}s from $seeds seeds" >"$work/verdict"
	else
		keep=$build/fuzz/artifacts/$name
		mkdir -p "$keep"
		[ -n "$found" ] && cp "$work"/artifacts/* "$keep/"
		cp "$work/log" "$keep/log"
		{
			echo "FAIL $name: exit $rc after ${runs:-?} runs; artifacts and log in $keep"
			grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$work/log" | head -n 5 |
				sed 's/^/    /'
		} >"$work/verdict"
	fi
}

names=()
for bin in "$build"/fuzz/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	run_one "$bin" &
	names+=("$(basename "$bin")")
done
wait

pass=0
fail=0
for name in "${names[@]}"; do
	if [ -f "$scratch/$name/verdict" ]; then
		cat "$scratch/$name/verdict"
		if grep -q '^PASS' "$scratch/$name/verdict"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	else
		echo "FAIL $name: no verdict (the runner itself failed)"
		fail=$((fail + 1))
	fi
done

echo "$pass passed, $fail failed"
if [ $((pass + fail)) -eq 0 ]; then
	echo "no fuzz_* executables in $build/fuzz (configure with -DDOEKIT_FUZZ=ON)" >&2
	exit 1
fi
[ $fail -eq 0 ]
