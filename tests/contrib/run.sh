#!/bin/bash
# contrib/: the systemd unit's command line, run as systemd would run it
# (CI has no systemd), against the emulator; and the udev rule's shape.
# Usage: run.sh DOE_BINARY SOURCE_DIR BUILD_DIR
set -u
doe=$1 src=$2 build=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

unit=$build/contrib/doekit-attest@.service
# ExecStart=<libexecdir>/doekit-attest %I: the script from the source tree,
# %I as systemd expands it for doekit-attest@emu-0000:0f:00.0 (here a device
# name the emulator knows)
exec_line=$(sed -n 's/^ExecStart=//p' "$unit")
[ -n "$exec_line" ] && ok || bad "no ExecStart in $unit"
case $exec_line in
*/doekit-attest\ %I) ok ;;
*) bad "ExecStart is not 'doekit-attest %I': $exec_line" ;;
esac
script=$src/contrib/${exec_line##*/}
script=${script% %I}
run() {	# run DEV: the unit's command line for instance DEV
	DOE=$doe DOEKIT_POLICY=$tmp/policy.json DOEKIT_RUNDIR=$tmp/run "$script" "$1"
}

# a policy that holds for the emulated type 3 devices: their own fixed
# measurements (examples/policy.json)
cp "$src/examples/policy.json" "$tmp/policy.json"
run emu/0000:0f:00.0 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "doekit-attest emu/0000:0f:00.0: exit $rc ($(cat "$tmp/err"))"
f=$tmp/run/emu_0000:0f:00.0.json
[ -f "$f" ] && ok || bad "no verdict file $f ($(ls "$tmp/run"))"
[ "$(jq -r .verdict "$f" 2>/dev/null)" = authorized ] && ok || bad "verdict: $(head -c 300 "$f")"
[ "$(stat -c %a "$f")" = 644 ] && ok || bad "verdict file mode $(stat -c %a "$f")"
ls -a "$tmp/run" | grep -q '^\.emu' && bad "a temporary file was left behind" || ok

# a rejection is recorded too, and the exit status says so
echo '{ "min_version": "1.3", "deny": { "leaf_serial": ["03"] } }' >"$tmp/policy.json"
run emu/0000:0f:00.0 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "a denied device: exit code"
[ "$(jq -r .verdict "$f")" = rejected ] && ok || bad "denied verdict: $(jq -c '{verdict, reasons}' "$f")"
jq -e '.reasons[] | select(.check == "deny_leaf_serial")' "$f" >/dev/null && ok ||
	bad "no deny_leaf_serial reason: $(jq -c .reasons "$f")"

# a broken policy: exit 2, and the old verdict is replaced by what doe said
echo '{ "min_version": 13 }' >"$tmp/policy.json"
run emu/0000:0f:00.0 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "a broken policy: exit code"
# usage
"$script" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "doekit-attest without a device: exit code"

# the udev rule: add events of PCI functions that list CMA in doe_features,
# handed to the template unit by kernel name
rule=$src/contrib/udev/90-doekit-attest.rules
grep -q 'ACTION=="add", SUBSYSTEM=="pci", TEST=="doe_features/0001:01"' "$rule" && ok || bad "udev match"
grep -q 'ENV{SYSTEMD_WANTS}+="doekit-attest@%k.service"' "$rule" && ok || bad "udev action"
grep -q 'RuntimeDirectory=doekit' "$unit" && ok || bad "unit: no RuntimeDirectory"

echo "contrib: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
