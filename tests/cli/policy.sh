#!/bin/bash
# CLI tests of appraisal (issue 11 §1, §5, §8): doe attest --policy and
# doe verify-evidence --policy against the emulator: each reason produced
# by the emulator change that causes it, verdicts and exit codes, offline
# re-derivation of single evidence, arrays and topology bundles.
# Usage: policy.sh DOE_BINARY EXAMPLES_DIR
set -u
doe=$1
examples=$2
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# expect RC 'STDERR SUBSTRING' ARGS...
expect() {
	local want=$1 msg=$2
	shift 2
	"$doe" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "doe $*: exit $rc, expected $want ($(head -c 400 "$tmp/err"))"
	elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/err"; then
		bad "doe $*: stderr lacks '$msg': $(head -c 300 "$tmp/err")"
	else
		ok
	fi
}
# out_has 'SUBSTRING': the last command's stdout contains it
out_has() { grep -qF -- "$1" "$tmp/out" && ok || bad "stdout lacks '$1': $(head -c 600 "$tmp/out")"; }
# jq_ok FILTER [FILE]: the filter holds on the last stdout (or FILE)
jq_ok() { jq -e "$1" "${2:-$tmp/out}" >/dev/null && ok || bad "jq '$1' fails on $(head -c 600 "${2:-$tmp/out}")"; }
# checks: the reasons' check names of the one device in out, comma-joined
checks() { jq -r '[.reasons[].check] | join(",")' "$tmp/out"; }
want_checks() { local c; c=$(checks); [ "$c" = "$1" ] && ok || bad "reasons '$c', expected '$1'"; }

# listen NAME ARGS...: an emulated responder on a socket with its root in
# $tmp/NAME.pem; sets $port
listen() {
	local name=$1
	shift
	"$doe" emulate --listen tcp:127.0.0.1:0 --export-root "$tmp/$name.pem" "$@" \
		>"$tmp/$name.log" 2>&1 &
	pids+=($!)
	port=
	for _ in $(seq 100); do grep -qs "listening on port" "$tmp/$name.log" && break; sleep 0.1; done
	port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$tmp/$name.log")
	[ -n "$port" ] && ok || bad "emulate --listen $*: $(cat "$tmp/$name.log")"
}

P=$examples/policy.json
# a policy edited with jq: pol NAME 'FILTER' (from the example)
pol() { jq "$2" "$P" >"$tmp/$1.json" || bad "jq $2"; }

# --- the example policy holds for the emulator, as docs/policy.md says
expect 0 "" attest emu/0f:00.0 --policy "$P"
out_has "  appraisal      authorized"
expect 0 "" attest -j emu/0f:00.0 --policy "$P"
jq_ok '.device == "emu/0000:0f:00.0" and .verdict == "authorized" and .reasons == [] and .verified'
# every emulated CMA device: one line each, exit 0 only when all are authorized
expect 0 "" attest emu --policy "$P"
grep -q "^emu/0000:0f:00.0 *authorized$" "$tmp/out" && ok || bad "summary: $(cat "$tmp/out")"
expect 0 "" attest -j emu --policy "$P"
jq_ok 'length > 1 and all(.[]; .verdict == "authorized" and .reasons == [] and (.device | type) == "string")'

# --- each reason, from the emulator change that causes it
echo '{"measurements": [{"index": 1, "type": 0, "text": "patched ROM"},
	{"index": 2, "type": 1, "text": "doekit emulated firmware for CXL type 3 memory device"},
	{"index": 3, "type": 6, "raw": true, "text": "1.2.9"}]}' >"$tmp/m.json"
expect 1 "" attest -j emu/0f:00.0 --policy "$P" --emu-spdm 0f:00.0="$tmp/m.json"
jq_ok '.verdict == "rejected"'
# index 2 is the emulator's own firmware text: only what changed is a reason
want_checks "measurement_value,measurement_value"
jq_ok '.reasons[1] == {check: "measurement_value", expected: "raw text one of \"1.2.3\", \"1.2.4\"",
	got: "raw text \"1.2.9\"", policy: "devices[0].measurements.3"}'
# digest mismatch names both digests
jq_ok '.reasons[0].expected == "digest 21b685123fcde4fd8fc26d2cb93c4d4debc6b12a7a9a741d7956678a20b99bee0893ba6fd6e233198ceaa9a1ac28c686"'
jq_ok '.reasons[0].got | startswith("digest ")'
# text output: the same reasons, one per line
expect 1 "" attest emu/0f:00.0 --policy "$P" --emu-spdm 0f:00.0="$tmp/m.json"
out_has "  appraisal      rejected"
out_has '    measurement_value (devices[0].measurements.3): expected raw text one of "1.2.3", "1.2.4", got raw text "1.2.9"'
# a device's text in a reason is escaped on the terminal, kept in JSON
printf '%s' '{"measurements": [{"index": 3, "type": 6, "raw": true, "text": "1.\u001b[2J"}]}' >"$tmp/esc.json"
expect 1 "" attest emu/0f:00.0 --policy "$P" --emu-spdm 0f:00.0="$tmp/esc.json"
out_has 'got raw text "1.\x1b[2J"'
grep -q $'\x1b' "$tmp/out" && bad "raw ESC on the terminal" || ok
expect 1 "" attest -j emu/0f:00.0 --policy "$P" --emu-spdm 0f:00.0="$tmp/esc.json"
jq_ok '.reasons[-1].got == "raw text \"1.\u001b[2J\""'
# the policy requires every block: fewer asked for is a reason too
expect 1 "" attest -j --measurements none emu/0f:00.0 --policy "$P"
jq_ok '.reasons[0] == {check: "measurements", expected: "all", got: "none"}'
# required index missing (only index 1 and 3 measured)
echo '{"measurements": [{"index": 1, "type": 0, "text": "doekit emulated ROM, device 0d93"},
	{"index": 3, "type": 6, "raw": true, "text": "1.2.4"}]}' >"$tmp/m2.json"
expect 1 "" attest -j emu/0f:00.0 --policy "$P" --emu-spdm 0f:00.0="$tmp/m2.json"
want_checks "measurement_required"
jq_ok '.reasons[0] | .expected == "index 2" and .got == "absent" and .policy == "devices[0].measurements.2"'
# version below the policy's minimum
echo '{"versions": ["1.1"]}' >"$tmp/v11.json"
expect 1 "" attest -j emu/0f:00.0 --policy "$P" --emu-spdm 0f:00.0="$tmp/v11.json"
want_checks "min_version"
jq_ok '.reasons[0] | .expected == ">= 1.2" and .got == "1.1"'
# algorithms outside the policy
pol p384 '.asym = ["ecdsa-p384"]'
echo '{"asym": "ecdsa-p256"}' >"$tmp/p256.json"
expect 1 "" attest -j emu/0f:00.0 --policy "$tmp/p384.json" --emu-spdm 0f:00.0="$tmp/p256.json"
want_checks "asym"
jq_ok '.reasons[0] | .expected == "ecdsa-p384" and .got == "ecdsa-p256" and .policy == "asym"'
pol h512 '.hash = ["sha512"]'
expect 1 "" attest -j emu/0f:00.0 --policy "$tmp/h512.json"
want_checks "hash"
jq_ok '.reasons[0] | .expected == "sha512" and .got == "sha384"'
# a signature that does not verify
echo '{"corrupt_signature": true}' >"$tmp/c.json"
expect 1 "" attest -j emu/0f:00.0 --policy "$P" --emu-spdm 0f:00.0="$tmp/c.json"
jq_ok '.verdict == "rejected" and .reasons[0].check == "challenge_signature"'
# a device matching no entry is judged on chain and signatures alone: the
# switch port (19e5:a128) is authorized whatever its measurements
expect 0 "" attest -j emu/0d:00.0 --policy "$P" --emu-spdm 0d:00.0="$tmp/m.json"
jq_ok '.verdict == "authorized"'
# matching by CMA SAN field: the same policy for the port's IDs rejects it
pol port '.devices[0].match = {vendor: "19e5", device: "a128", class: "060400", revision: "00"}'
expect 1 "" attest -j emu/0d:00.0 --policy "$tmp/port.json"
jq_ok '.verdict == "rejected" and [.reasons[].policy] ==
	["devices[0].measurements.1", "devices[0].measurements.2", "devices[0].measurements.3"]'

# --- trust anchors: another device's root is unknown to this one
listen r10 --device 10:00.0
port10=$port
mkdir -p "$tmp/etc"
cp "$tmp/r10.pem" "$tmp/etc/anchor.pem"
jq '.trust = ["anchor.pem"]' "$P" >"$tmp/etc/trusting.json"	# relative to the policy
expect 1 "" attest -j emu/0f:00.0 --policy "$tmp/etc/trusting.json"
jq_ok '.verdict == "rejected" and .reasons[0].check == "trust_anchor" and .reasons[0].policy == "trust"'
jq_ok '.trust == "'"$tmp"'/etc/trusting.json (trust)"'
# ... and known to the device it belongs to
expect 0 "" attest -j --policy "$tmp/etc/trusting.json" tcp:127.0.0.1:"$port10"
jq_ok '.verdict == "authorized"'

# --- deny lists: the leaf's key and serial number as the evidence shows them
expect 0 "" attest -j --policy "$tmp/etc/trusting.json" tcp:127.0.0.1:"$port10"
jq -r '.certificate_chain[-1].pem' "$tmp/out" >"$tmp/leaf.pem"
ski=$(openssl x509 -in "$tmp/leaf.pem" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :\n')
serial=$(openssl x509 -in "$tmp/leaf.pem" -noout -serial | sed 's/serial=//')
[ -n "$ski" ] && [ -n "$serial" ] && ok || bad "leaf SKI '$ski' serial '$serial'"
jq --arg s "$ski" '.deny = {leaf_ski: ["00", $s]}' "$tmp/etc/trusting.json" >"$tmp/etc/deny-ski.json"
expect 1 "" attest -j --policy "$tmp/etc/deny-ski.json" tcp:127.0.0.1:"$port10"
want_checks "deny_leaf_ski"
jq_ok '.reasons[0].policy == "deny.leaf_ski[1]"'
# serial numbers compare as numbers: a leading zero byte changes nothing
jq --arg s "00$serial" '.deny = {leaf_serial: [$s]}' "$tmp/etc/trusting.json" >"$tmp/etc/deny-serial.json"
expect 1 "" attest -j --policy "$tmp/etc/deny-serial.json" tcp:127.0.0.1:"$port10"
want_checks "deny_leaf_serial"
# a key matched by its SKI gets that entry's requirements
jq --arg s "$ski" '.devices += [{match: {leaf_ski: $s}, require: [9]}]' "$tmp/etc/trusting.json" \
	>"$tmp/etc/by-ski.json"
expect 1 "" attest -j --policy "$tmp/etc/by-ski.json" tcp:127.0.0.1:"$port10"
want_checks "measurement_required"
jq_ok '.reasons[0].policy == "devices[1].require"'

# --- unreachable: a mailbox that never answers
expect 1 "" attest -j --timeout 20 emu:faulty/0d:00.0 --policy "$P"
jq_ok '.device == "emu:faulty/0d:00.0" and .verdict == "unreachable" and .reasons[0].check == "reachable"'
expect 1 "" attest --timeout 20 emu:faulty --policy "$P"
grep -q "^emu:faulty/0000:0d:00.0 *unreachable$" "$tmp/out" && ok || bad "faulty summary: $(cat "$tmp/out")"
grep -q "^emu:faulty/0000:00:01.0 *authorized$" "$tmp/out" && ok || bad "faulty summary: $(cat "$tmp/out")"

# --- a bad policy is the caller's error (exit 2), named by member path
echo '{"devices": [{"match": {"vendor": "8086"}, "measurements": {"3": {"text": "1.2.3"}}}]}' >"$tmp/b1.json"
expect 2 "b1.json: devices[0].measurements.3.text: a string, expected an array" \
	attest emu/0f:00.0 --policy "$tmp/b1.json"
echo '{"min_version": "1.2", "trust": ["nope.pem"]}' >"$tmp/b2.json"
expect 2 "policy trust[0]: cannot open $tmp/nope.pem" attest emu/0f:00.0 --policy "$tmp/b2.json"
expect 2 "cannot open $tmp/none.json" attest emu/0f:00.0 --policy "$tmp/none.json"
echo "not a certificate" >"$tmp/etc/junk.pem"
echo '{"trust": ["junk.pem"]}' >"$tmp/etc/b3.json"
expect 2 "policy trust[0]: $tmp/etc/junk.pem: no PEM certificate in it" attest emu/0f:00.0 --policy "$tmp/etc/b3.json"
printf '{"min_version": "1.3", "min_version": "1.0"}' >"$tmp/b4.json"
expect 2 "b4.json: the top-level object: a member name appears twice" attest emu/0f:00.0 --policy "$tmp/b4.json"
expect 2 "give them in one place" attest emu/0f:00.0 --policy "$tmp/etc/trusting.json" --trust "$tmp/r10.pem"
expect 2 "b1.json: devices[0].measurements.3.text" verify-evidence --policy "$tmp/b1.json" --trust "$tmp/r10.pem" "$tmp/x.json"
expect 2 "names no trust anchors" verify-evidence --policy "$P" "$tmp/x.json"

# --- verify-evidence --policy: the same verdicts, offline
"$doe" attest -j --policy "$tmp/etc/trusting.json" tcp:127.0.0.1:"$port10" >"$tmp/ev10.json"
expect 0 "" verify-evidence --policy "$tmp/etc/trusting.json" "$tmp/ev10.json"
grep -q "^tcp:127.0.0.1:$port10 *authorized$" "$tmp/out" && ok || bad "verify text: $(cat "$tmp/out")"
expect 0 "" verify-evidence -j --policy "$tmp/etc/trusting.json" "$tmp/ev10.json"
jq_ok '.verdict == "authorized" and .reasons == [] and .verified and (.messages | not)'
# the trust anchors may come from --trust instead
expect 0 "" verify-evidence --policy "$P" --trust "$tmp/r10.pem" "$tmp/ev10.json"
# without --policy the recorded verdict is ignored, as "verified" is
expect 0 "" verify-evidence --trust "$tmp/r10.pem" "$tmp/ev10.json"
# a stricter verifier derives another verdict and names the difference
expect 1 "ev10.json: verdict: the file says authorized, the verifier derives rejected" \
	verify-evidence -j --policy "$tmp/etc/deny-ski.json" "$tmp/ev10.json"
want_checks "deny_leaf_ski"
# a forged verdict changes nothing but is named
jq '.verdict = "authorized"' "$tmp/ev10.json" >/dev/null
"$doe" attest -j --policy "$tmp/etc/deny-ski.json" tcp:127.0.0.1:"$port10" >"$tmp/ev10r.json"
jq '.verdict = "authorized" | .reasons = []' "$tmp/ev10r.json" >"$tmp/forged.json"
expect 1 "the file says authorized, the verifier derives rejected" \
	verify-evidence --policy "$tmp/etc/deny-ski.json" "$tmp/forged.json"
# the recorded rejection re-derived: consistent, still exit 1
expect 1 "" verify-evidence --policy "$tmp/etc/deny-ski.json" "$tmp/ev10r.json"
grep -q "differ" "$tmp/err" && bad "consistent rejection named as a difference: $(cat "$tmp/err")" || ok
# evidence altered after the fact: rejected, the replay's error is the reason
jq '.measurements[2].text = "9.9.9"' "$tmp/ev10.json" >"$tmp/alt.json"
expect 1 "" verify-evidence -j --policy "$tmp/etc/trusting.json" "$tmp/alt.json"
jq_ok '.verdict == "rejected" and .reasons[0].check == "evidence" and (.reasons[0].got | contains("measurements[2].text"))'
# the options narrow the policy: never widen it
expect 1 "" verify-evidence -j --policy "$tmp/etc/trusting.json" --asym ecdsa-p256 "$tmp/ev10.json"
want_checks "asym"
"$doe" attest -j --version 1.2 --trust "$tmp/r10.pem" tcp:127.0.0.1:"$port10" >"$tmp/ev12.json"
expect 0 "" verify-evidence -j --policy "$tmp/etc/trusting.json" "$tmp/ev12.json"
expect 1 "" verify-evidence -j --policy "$tmp/etc/trusting.json" --min-version 1.3 "$tmp/ev12.json"
want_checks "min_version"
# an option below the file's minimum does not lower it
jq '.min_version = "1.3"' "$tmp/etc/trusting.json" >"$tmp/etc/v13.json"
expect 1 "" verify-evidence -j --policy "$tmp/etc/v13.json" --min-version 1.0 "$tmp/ev12.json"
want_checks "min_version"
expect 2 "--asym and the policy's asym allow no algorithm together" \
	verify-evidence --policy "$tmp/etc/trusting.json" --asym ed25519 "$tmp/ev10.json"
expect 1 "" verify-evidence -j --policy "$tmp/etc/trusting.json" --measurements 9 "$tmp/ev10.json"
want_checks "measurement_required"
# unsigned measurements of one index: rejected unless --allow-unsigned
"$doe" attest -j --unsigned --measurements 3 --trust "$tmp/r10.pem" tcp:127.0.0.1:"$port10" >"$tmp/u3.json"
pol any '{}'
expect 1 "" verify-evidence -j --policy "$tmp/any.json" --trust "$tmp/r10.pem" --measurements 3 "$tmp/u3.json"
want_checks "measurements_authenticated"
expect 0 "" verify-evidence -j --policy "$tmp/any.json" --trust "$tmp/r10.pem" --measurements 3 \
	--allow-unsigned "$tmp/u3.json"
# ... and the default requirement is all measurements
expect 1 "" verify-evidence -j --policy "$tmp/any.json" --trust "$tmp/r10.pem" "$tmp/u3.json"
want_checks "measurements,measurements_authenticated"
# freshness stays a hard check
expect 1 "" verify-evidence -j --policy "$tmp/etc/trusting.json" --nonce "$(printf '%064x' 1)" "$tmp/ev10.json"
jq_ok '.verdict == "rejected" and (.reasons[0].got | contains("not fresh"))'

# --- arrays: doe attest -j of several devices
jq -s '.' "$tmp/ev10.json" "$tmp/ev10r.json" >"$tmp/arr.json"
expect 1 "" verify-evidence -j --policy "$tmp/etc/trusting.json" "$tmp/arr.json"
jq_ok '[.[].verdict] == ["authorized", "authorized"]'
grep -q "\[1\]: verdict: the file says rejected, the verifier derives authorized" "$tmp/err" && ok ||
	bad "array difference not named: $(cat "$tmp/err")"
jq -s '.' "$tmp/ev10.json" "$tmp/ev10.json" >"$tmp/arr2.json"
expect 0 "" verify-evidence --policy "$tmp/etc/trusting.json" "$tmp/arr2.json"
# an unreachable device's record has no evidence: it stays unreachable
"$doe" attest -j --timeout 20 emu:faulty/0d:00.0 --policy "$P" >"$tmp/unr.json" 2>/dev/null
jq -s '.' "$tmp/ev10.json" "$tmp/unr.json" >"$tmp/arr3.json"
expect 1 "" verify-evidence -j --policy "$tmp/etc/trusting.json" "$tmp/arr3.json"
jq_ok '[.[].verdict] == ["authorized", "unreachable"] and .[1].device == "emu:faulty/0d:00.0"'

# --- bundles: a switch port that fails attestation, a device below it
listen sw --device 0d:00.0 --emu-spdm 0d:00.0="$tmp/c.json"
"$doe" attest -j --trust "$tmp/sw.pem" tcp:127.0.0.1:"$port" >"$tmp/evsw.json" 2>/dev/null
listen t3 --device 0f:00.0
"$doe" attest -j --trust "$tmp/t3.pem" tcp:127.0.0.1:"$port" >"$tmp/evt3.json"
cp "$tmp/sw.pem" "$tmp/t3.pem" "$tmp/etc/"
jq '.trust = ["sw.pem", "t3.pem"]' "$P" >"$tmp/etc/fleet.json"
expect 0 "" verify-evidence --policy "$tmp/etc/fleet.json" "$tmp/evt3.json"
jq -n --slurpfile sw "$tmp/evsw.json" --slurpfile t3 "$tmp/evt3.json" '{doekit_bundle: 1, devices: [
	{device: "emu/0000:0c:00.0", verdict: "authorized", reasons: [], evidence: null, children: []},
	{device: "emu/0000:0d:00.0", verdict: "rejected", reasons: [], evidence: $sw[0], children: [
		{device: "emu/0000:0e:00.0", verdict: "untrusted_path", reasons: [], evidence: null, children: [
			{device: "emu/0000:0f:00.0", verdict: "untrusted_path", reasons: [], evidence: $t3[0],
			 children: []}]}]},
	{device: "emu/0000:1f:00.0", verdict: "authorized", reasons: [], evidence: $t3[0], children: []}]}' \
	>"$tmp/bundle.json"
expect 1 "" verify-evidence -j --policy "$tmp/etc/fleet.json" "$tmp/bundle.json"
grep -q "verdict: the file says authorized, the verifier derives unreachable" "$tmp/err" && ok ||
	bad "bundle: no-evidence node not named: $(cat "$tmp/err")"
jq_ok '.doekit_bundle == 1 and (.devices | length) == 3'
jq_ok '.devices[1] | .verdict == "rejected" and .reasons[0].check == "challenge_signature"'
jq_ok '.devices[1].children[0] | .verdict == "untrusted_path" and .reasons[0] ==
	{check: "trusted_path", expected: "every port above authorized",
	 got: "below emu/0000:0d:00.0, which is rejected"}'
jq_ok '.devices[1].children[0].children[0] | .device == "emu/0000:0f:00.0" and
	.verdict == "untrusted_path" and (.reasons | length) == 1 and
	(.reasons[0].got | contains("emu/0000:0d:00.0")) and .evidence.verified'
jq_ok '.devices[2].verdict == "authorized"'
expect 1 "" verify-evidence --policy "$tmp/etc/fleet.json" "$tmp/bundle.json"
out_has "emu/0000:0d:00.0           rejected"
out_has "  emu/0000:0e:00.0         untrusted_path"
out_has "      trusted_path: expected every port above authorized, got below emu/0000:0d:00.0, which is rejected"
# the recorded child claiming authorized below the rejected port: named
jq '.devices[1].children[0].children[0].verdict = "authorized"' "$tmp/bundle.json" >"$tmp/bundle2.json"
expect 1 "emu/0000:0f:00.0: verdict: the file says authorized, the verifier derives untrusted_path" \
	verify-evidence --policy "$tmp/etc/fleet.json" "$tmp/bundle2.json"
# a well-formed bundle where every node holds
jq -n --slurpfile t3 "$tmp/evt3.json" '{doekit_bundle: 1, devices: [{device: "emu/0000:0f:00.0",
	verdict: "authorized", reasons: [], evidence: $t3[0], children: []}]}' >"$tmp/bundle3.json"
expect 0 "" verify-evidence --policy "$tmp/etc/fleet.json" "$tmp/bundle3.json"
# bundle form errors name the member
jq '.devices[0].child = []' "$tmp/bundle3.json" >"$tmp/bb.json"
expect 1 "devices[0].child: unknown member" verify-evidence --policy "$tmp/etc/fleet.json" "$tmp/bb.json"
jq '.doekit_bundle = 2' "$tmp/bundle3.json" >"$tmp/bb.json"
expect 1 "doekit_bundle: 2 is out of range 1..1" verify-evidence --policy "$tmp/etc/fleet.json" "$tmp/bb.json"
jq 'del(.devices[0].evidence)' "$tmp/bundle3.json" >"$tmp/bb.json"
expect 1 "devices[0].evidence: missing" verify-evidence --policy "$tmp/etc/fleet.json" "$tmp/bb.json"

echo "cli_policy: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
