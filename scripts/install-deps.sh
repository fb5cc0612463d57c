#!/bin/sh
# Installs the Debian packages doekit needs to build, test and fuzz, if any
# are missing. Safe to run again: it only calls apt-get when something is
# absent. Usage: scripts/install-deps.sh [build|check]
set -eu

mode=${1:-build}
pkgs="cmake make gcc pkg-config libjson-c-dev libssl-dev libkeyutils-dev"
if [ "$mode" = check ]; then
	# clang + its runtime for the libFuzzer harnesses and sanitizers,
	# g++ for the header C++ check, jq for the CLI JSON tests, keyutils
	# (keyctl) to play a stale session key in the CLI tests
	pkgs="$pkgs g++ clang libclang-rt-dev jq keyutils"
fi

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "doekit: installing missing packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "doekit: need root to install:$missing (run: apt-get install$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
