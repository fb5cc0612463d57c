#!/bin/bash
# CLI tests: golden text and JSON output, exit codes and error messages of
# doe, against the emulator and a fake sysfs tree.
# Usage: run.sh DOE_BINARY   (UPDATE_GOLDEN=1 rewrites the golden files)
set -u
doe=$1
here=$(cd "$(dirname "$0")" && pwd)
golden=$here/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# golden NAME ARGS...: stdout must equal golden/NAME (JSON compared canonically)
golden() {
	local name=$1
	shift
	"$doe" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$tmp/out" "$golden/$name"
		ok
		return
	fi
	if [ "$rc" -ne 0 ]; then
		bad "$name: doe $* exited $rc: $(cat "$tmp/err")"
		return
	fi
	case $name in
	*.json)
		if ! jq -e . "$tmp/out" >/dev/null; then
			bad "$name: output is not JSON"
			return
		fi
		diff <(jq -S . "$golden/$name") <(jq -S . "$tmp/out") >"$tmp/diff" ;;
	*) diff "$golden/$name" "$tmp/out" >"$tmp/diff" ;;
	esac
	if [ $? -eq 0 ]; then ok; else bad "$name differs:"; cat "$tmp/diff"; fi
}

# expect RC 'STDERR SUBSTRING' ARGS...
expect() {
	local want=$1 msg=$2
	shift 2
	"$doe" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "doe $*: exit $rc, expected $want ($(head -c 300 "$tmp/err"))"
	elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/err"; then
		bad "doe $*: stderr lacks '$msg': $(head -c 300 "$tmp/err")"
	else
		ok
	fi
}

# --- golden output against the emulator
golden list_emu.txt list emu
golden list_emu.json list -j emu
golden list_direct.json list -j emu:direct
golden discover_type3.txt discover emu/0000:0f:00.0
golden discover_type3.json discover -j emu/0f:00.0
golden profiles.txt emulate --list-profiles
golden profiles.json emulate --list-profiles -j

# --- every "device" that list -j prints is a name discover accepts, and
# discover reports the same mailboxes for it
for prof in emu emu:direct emu:multi-function; do
	"$doe" list -j "$prof" >"$tmp/list.json" || bad "list -j $prof failed"
	n=$(jq length "$tmp/list.json")
	[ "$n" -gt 0 ] && ok || bad "list -j $prof is empty"
	for dev in $(jq -r '.[].device' "$tmp/list.json"); do
		if "$doe" discover -j "$dev" >"$tmp/one.json"; then
			a=$(jq -S --arg d "$dev" '.[] | select(.device == $d)' "$tmp/list.json")
			b=$(jq -S . "$tmp/one.json")
			[ "$a" = "$b" ] && ok || bad "discover $dev differs from its list entry"
		else
			bad "discover $dev (from list -j $prof) failed"
		fi
	done
done

# --- errors: exit codes and messages that name what was wrong
expect 2 "no such device 0000:99:00.0" discover 0000:99:00.0
expect 2 "no such device 0000:77:00.0 in emulator profile 'cxl-switch'" discover emu/77:00.0
expect 2 "has no DOE capability" discover emu/0000:00:00.0
expect 2 "has no DOE capability" discover emu/0000:20:00.2
expect 2 "unknown emulator profile 'nope'" discover emu:nope/00:01.0
expect 2 "unknown emulator profile 'nope'" list emu:nope
expect 2 "invalid PCI address" discover emu/zz:00.0
expect 2 "is not a device" discover 00:20.0x
expect 2 "discover takes one device" discover
expect 2 "list takes at most one argument" list foo
expect 2 "unknown command 'frobnicate'" frobnicate
expect 2 "--timeout takes milliseconds" list --timeout 0 emu
expect 2 "" list --no-such-option
expect 2 "usage: doe"
expect 0 "" --help
# a mailbox that never answers: exit 1, the message names mailbox, step, time
expect 1 "0000:0d:00.0 DOE@0x184: no response after 20 ms (waiting for Data Object Ready)" \
	discover --timeout 20 emu:faulty/0d:00.0
expect 1 "extended capability list loops back to 0x100" discover emu:faulty/0e:00.0
expect 1 "Discovery next index 1 was already asked" discover emu:faulty/0f:00.0
expect 1 "response Length field is 1 DW, less than its 2-DW header" discover emu:faulty/10:00.0
# list goes on past a broken function and says so in the exit status
expect 1 "extended capability list loops" list --timeout 20 emu:faulty
grep -q "0000:10:00.0" "$tmp/out" && ok || bad "list emu:faulty stopped at the first broken function"
expect 1 "" list -j --timeout 20 emu:faulty
jq -e '[.[] | .mailboxes[] | select(.error)] | length == 5' "$tmp/out" >/dev/null && ok ||
	bad "list -j emu:faulty should report 5 failed mailboxes with an error member"

# --- real devices, through a fake sysfs tree (DOE_SYSFS_ROOT)
sys=$tmp/sys
dev=$sys/bus/pci/devices/0000:3a:00.0
mkdir -p "$dev/doe_features" "$sys/bus/pci/devices/0000:3b:00.0"
: >"$dev/doe_features/0001:01"
: >"$dev/doe_features/1e98:02"
: >"$dev/doe_features/doe_discovery"
# config space: vendor 8086, device 0d93; DOE capability (ID 0x2e, v2) at 0x100
{
	printf '\x86\x80\x93\x0d'
	head -c 252 /dev/zero
	printf '\x2e\x00\x02\x00'
	head -c 3836 /dev/zero
} >"$dev/config"
head -c 4096 /dev/zero >"$sys/bus/pci/devices/0000:3b:00.0/config"
export DOE_SYSFS_ROOT=$sys DOE_LOCK_DIR=$tmp
golden fake_list.txt list
golden fake_discover.json discover -j 3a:00.0
expect 2 "no such device 0000:3c:00.0" discover 3c:00.0
expect 2 "has no DOE capability" discover 3b:00.0
# --raw warns that the kernel owns the mailbox; the plain file never answers
expect 1 "warning: driving the DOE mailbox registers of 0000:3a:00.0" discover --raw --timeout 10 3a:00.0
rm -r "$dev/doe_features"
"$doe" list >"$tmp/out" 2>&1
grep -q "the kernel lists none" "$tmp/out" && ok || bad "list without doe_features: $(cat "$tmp/out")"
unset DOE_SYSFS_ROOT DOE_LOCK_DIR

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
