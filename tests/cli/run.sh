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

# --- CDAT: golden decode of the emulated switch and endpoint, path performance
golden cdat_usp.txt cdat emu/0000:0d:00.0
golden cdat_type3.txt cdat --validate emu/0000:0f:00.0
golden cdat_type3.json cdat -j emu/0000:0f:00.0
golden cdat_path.txt cdat --path emu/0000:10:00.0
golden cdat_path.json cdat --path -j emu/0000:0f:00.0
golden cdat_path_direct.txt cdat --path emu:direct/0d:00.0

# binary -> JSON -> binary is the identity, through the emulator and files
"$doe" cdat -j emu/0f:00.0 >"$tmp/t3.json" && ok || bad "cdat -j emu/0f:00.0"
expect 0 "" cdat --encode "$tmp/t3.json" -o "$tmp/t3.bin"
[ "$(stat -c %s "$tmp/t3.bin")" = "$(jq .length "$tmp/t3.json")" ] && ok ||
	bad "encoded table length differs from the header's"
"$doe" cdat --file "$tmp/t3.bin" -j >"$tmp/t3b.json" && ok || bad "cdat --file of the encoded table"
[ "$(jq -S 'del(.device,.source)' "$tmp/t3.json")" = "$(jq -S 'del(.device,.source)' "$tmp/t3b.json")" ] &&
	ok || bad "JSON of the encoded table differs from the original"
"$doe" cdat --encode "$tmp/t3b.json" -o - >"$tmp/t3c.bin" && cmp -s "$tmp/t3.bin" "$tmp/t3c.bin" && ok ||
	bad "encode -o - gives other bytes"
"$doe" cdat --file - -j <"$tmp/t3.bin" | jq -e '.source == "file" and .checksum_ok' >/dev/null && ok ||
	bad "cdat --file - (stdin)"
# the emulator serves a table given as binary or JSON, and it reads back the same
"$doe" cdat --emu-cdat 0f:00.0="$tmp/t3.bin" -j emu/0f:00.0 >"$tmp/t3d.json" && ok || bad "--emu-cdat binary"
[ "$(jq -S 'del(.device,.source)' "$tmp/t3.json")" = "$(jq -S 'del(.device,.source)' "$tmp/t3d.json")" ] &&
	ok || bad "--emu-cdat served another table"
# a JSON change shows up in what the device serves; the validator catches it
jq '.structures[0].dpa_length = 1024' "$tmp/t3.json" >"$tmp/small.json"
expect 1 "CDAT has 1 error" cdat --validate --emu-cdat 0000:0f:00.0="$tmp/small.json" emu/0f:00.0
grep -q "handle 0, DPA 0x0 + 1 KiB" "$tmp/out" && ok || bad "--emu-cdat JSON not served"
grep -q "error .*@284 \[11\]: DSEMTS" "$tmp/out" && ok || bad "DSEMTS finding lacks offset and index: $(cat "$tmp/out")"
# without --validate the same table is shown and exits 0
expect 0 "" cdat --emu-cdat 0000:0f:00.0="$tmp/small.json" emu/0f:00.0
jq '.structures[1].type = "DSMAS"' "$tmp/t3.json" >/dev/null

# bad tables from files: every finding with its offset; -j still has the structures
head -c 100 "$tmp/t3.bin" >"$tmp/trunc.bin"
expect 1 "CDAT has" cdat --validate --file "$tmp/trunc.bin"
grep -q "error" "$tmp/out" && ok || bad "truncated table: no error finding"
"$doe" cdat -j --file "$tmp/trunc.bin" >"$tmp/trunc.json"
jq -e '(.structures | length) >= 3 and ([.findings[] | select(.level == "error")] | length) >= 1 and
	all(.findings[]; has("offset") and has("index"))' "$tmp/trunc.json" >/dev/null && ok ||
	bad "-j of a truncated table lacks structures or findings"
head -c 10 "$tmp/t3.bin" >"$tmp/tiny.bin"
expect 1 "16" cdat --file "$tmp/tiny.bin"
head -c 1200000 /dev/zero >"$tmp/huge.bin"
expect 1 "larger than 1048576 bytes" cdat --file "$tmp/huge.bin"
expect 2 "cannot open $tmp/none.bin" cdat --file "$tmp/none.bin"
# encoding: bad JSON is named, member by member; a bad input is a usage error
printf '{"revision": 1' >"$tmp/bad.json"
expect 2 "not JSON" cdat --encode "$tmp/bad.json" -o "$tmp/x.bin"
jq 'del(.structures[2].entry_base_unit)' "$tmp/t3.json" >"$tmp/missing.json"
expect 2 "structures[2].entry_base_unit" cdat --encode "$tmp/missing.json" -o "$tmp/x.bin"
jq '.structures[0].dsmad_handle = 300' "$tmp/t3.json" >"$tmp/range.json"
expect 2 "structures[0].dsmad_handle" cdat --encode "$tmp/range.json" -o "$tmp/x.bin"
expect 2 "--encode needs -o FILE" cdat --encode "$tmp/t3.json"
expect 2 "cdat takes one device" cdat
expect 2 "--emu-cdat '0f:00.0': expected BDF=FILE" cdat --emu-cdat 0f:00.0 emu/0f:00.0
expect 2 "--emu-cdat: no such device 77:00.0" cdat --emu-cdat 77:00.0="$tmp/t3.bin" emu/0f:00.0

# misbehaving devices: errors name the entry handle
expect 0 "" cdat emu:faulty/11:00.0
grep -q "checksum 0xb8 is wrong" "$tmp/out" && ok || bad "bad checksum not reported"
expect 1 "CDAT has 1 error" cdat --validate emu:faulty/11:00.0
expect 1 "CDAT entry handle 3: the device names entry handle 2 next, which was already read" \
	cdat emu:faulty/12:00.0
expect 1 "CDAT entry handle 3: 0000:13:00.0 DOE@0x184: no response after 20 ms" \
	cdat --timeout 20 emu:faulty/13:00.0
expect 2 "has no DOE mailbox that serves CXL Table Access" cdat emu/00:01.0
expect 2 "is not an endpoint" cdat --path emu/0d:00.0

# --- CMA/SPDM attestation
golden attest_type3.txt attest emu/0000:0f:00.0
golden attest_port_v10.txt attest --version 1.0 --measurements 3 emu/0000:0d:00.0
# every emulated device with CMA attests (what make demo does), one by one and all at once
for dev in $("$doe" list -j emu | jq -r '.[] | select([.mailboxes[].protocols[].type] | index(1)) | .device'); do
	expect 0 "" attest "$dev"
done
expect 0 "" attest emu
[ "$(grep -c ' verified ' "$tmp/out")" = 9 ] && ok || bad "attest emu: $(cat "$tmp/out")"
"$doe" attest -j emu:multi-function | jq -e 'length == 3 and all(.[]; .verified)' >/dev/null && ok ||
	bad "attest -j emu:multi-function"
echo '{"corrupt_signature": true}' >"$tmp/c.json"
expect 1 "" attest --emu-spdm 0e:01.0="$tmp/c.json" emu
grep -q "emu/0000:0e:01.0 *NOT verified  CHALLENGE_AUTH: Signature does not verify" "$tmp/out" && ok ||
	bad "attest emu with one bad device: $(cat "$tmp/out")"
"$doe" attest -j emu/0f:00.0 >"$tmp/ev.json"
jq -e '.verified and .version == "1.3" and .base_asym_algo == "ECDSA-P384" and
	.base_hash_algo == "SHA-384" and (.certificate_chain | length) == 3 and
	(.certificate_chain[0].pem | startswith("-----BEGIN CERTIFICATE-----")) and
	(.measurements | length) == 4 and .measurements[2].text == "1.2.3" and
	.challenge_verified and .measurements_verified' "$tmp/ev.json" >/dev/null && ok ||
	bad "attest -j evidence: $(head -c 400 "$tmp/ev.json")"
# versions x algorithms through the emulated mailbox
for v in 1.0 1.1 1.2 1.3; do
	for a in ecdsa-p256 ecdsa-p521 rsapss-2048 ed25519; do
		case $v-$a in 1.0-ed25519 | 1.1-ed25519) continue ;; esac
		echo "{\"asym\": \"$a\"}" >"$tmp/a.json"
		"$doe" attest -j --version "$v" --asym "$a" --hash sha256 --emu-spdm 0f:00.0="$tmp/a.json" \
			emu/0f:00.0 >"$tmp/va.json" 2>"$tmp/err"
		jq -e --arg v "$v" '.verified and .version == $v and .base_hash_algo == "SHA-256"' \
			"$tmp/va.json" >/dev/null && ok || bad "attest $v $a: $(cat "$tmp/err")"
	done
done
# measurements: one index, none, count; a nonce of ours
expect 0 "" attest --measurements none emu/0f:00.0
grep -q "^  measurements " "$tmp/out" && bad "--measurements none still measured" || ok
"$doe" attest -j --measurements 2 --nonce "$(printf '%064x' 7)" emu/0f:00.0 >"$tmp/m.json"
jq -e '(.measurements | length) == 1 and .measurements[0].index == 2 and
	.nonce == "0000000000000000000000000000000000000000000000000000000000000007"' "$tmp/m.json" \
	>/dev/null && ok || bad "--measurements 2 --nonce"
"$doe" attest -j --unsigned emu/0f:00.0 >"$tmp/u.json"
jq -e '.verified and (.measurements_signed | not) and (.measurements | length) == 4 and
	.signature == null' "$tmp/u.json" >/dev/null && ok || bad "attest --unsigned"
# negative: each failure exits 1 and says why
echo '{"corrupt_signature": true}' >"$tmp/c.json"
expect 1 "CHALLENGE_AUTH: Signature does not verify" attest --emu-spdm 0f:00.0="$tmp/c.json" emu/0f:00.0
echo '{"busy": 1000000}' >"$tmp/b.json"
expect 1 "ERROR Busy" attest --emu-spdm 0f:00.0="$tmp/b.json" emu/0f:00.0
echo '{"not_ready": 1000000}' >"$tmp/n.json"
expect 1 "ResponseNotReady" attest --emu-spdm 0f:00.0="$tmp/n.json" emu/0f:00.0
echo '{"versions": ["1.2"]}' >"$tmp/v.json"
expect 1 "" attest --version 1.0 --emu-spdm 0f:00.0="$tmp/v.json" emu/0f:00.0
expect 1 "" attest --asym ecdsa-p256 emu/0f:00.0
grep -q "verdict        NOT verified" "$tmp/out" && ok || bad "no verdict line on failure"
# another device's root is not this device's trust anchor
"$doe" emulate --listen tcp:127.0.0.1:0 --device 10:00.0 --export-root "$tmp/root10.pem" \
	>"$tmp/l10" 2>&1 &
lpid=$!
for _ in $(seq 50); do grep -qs "listening on port" "$tmp/l10" && break; sleep 0.1; done
port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$tmp/l10")
[ -n "$port" ] && ok || bad "emulate --listen did not start: $(cat "$tmp/l10")"
expect 1 "" attest --trust "$tmp/root10.pem" emu/0f:00.0
grep -q "certificate chain, slot 0: NOT verified" "$tmp/out" && ok || bad "wrong root accepted"
grep -qi "depth" "$tmp/err" && ok || bad "chain error names no depth: $(cat "$tmp/err")"
# over the socket: each framing, with the exported root as trust
expect 0 "" attest --trust "$tmp/root10.pem" tcp:127.0.0.1:"$port"
# a plain directory of PEM files is a trust store too (no c_rehash needed)
mkdir -p "$tmp/anchors" && cp "$tmp/root10.pem" "$tmp/anchors/device-ca.pem"
expect 0 "" attest --trust "$tmp/anchors" tcp:127.0.0.1:"$port"
# evidence: verified offline against the same root; tampering and a stale nonce are caught
nonce=$(printf '%064x' 4242)
"$doe" attest -j --nonce "$nonce" --trust "$tmp/root10.pem" tcp:127.0.0.1:"$port" >"$tmp/ev.json"
jq -e '.verified and (.messages | length) >= 7 and (.signature | length) > 0 and
	.policy.align == 4' "$tmp/ev.json" >/dev/null && ok || bad "evidence lacks messages or signature"
expect 0 "" verify-evidence "$tmp/ev.json" --trust "$tmp/root10.pem" --nonce "$nonce"
grep -q "verdict        verified" "$tmp/out" && ok || bad "verify-evidence verdict"
expect 1 "not fresh" verify-evidence "$tmp/ev.json" --trust "$tmp/root10.pem" --nonce "$(printf '%064x' 1)"
jq '.measurements[1].value = "00"' "$tmp/ev.json" >"$tmp/ev-m.json"
expect 1 "evidence: measurements[1].value: the file says \"00\"" verify-evidence "$tmp/ev-m.json" --trust "$tmp/root10.pem"
jq '.messages[-1].response |= (.[0:-8] + "00000000")' "$tmp/ev.json" >"$tmp/ev-s.json"
expect 1 "MEASUREMENTS: Signature does not verify" verify-evidence "$tmp/ev-s.json" --trust "$tmp/root10.pem"
jq '.nonce = "'"$(printf '%064x' 1)"'"' "$tmp/ev.json" >"$tmp/ev-n.json"
expect 1 "differs from the logged one" verify-evidence "$tmp/ev-n.json" --trust "$tmp/root10.pem"
jq 'del(.messages[-1])' "$tmp/ev.json" >"$tmp/ev-t.json"
expect 1 "the log ends after" verify-evidence "$tmp/ev-t.json" --trust "$tmp/root10.pem"
jq '.messages[0].request = "zz"' "$tmp/ev.json" >"$tmp/ev-h.json"
expect 1 "messages[0].request: not a hex string" verify-evidence "$tmp/ev-h.json" --trust "$tmp/root10.pem"
jq "del(.policy)" "$tmp/ev.json" >"$tmp/ev-p.json"
expect 1 "evidence: policy: missing" verify-evidence "$tmp/ev-p.json" --trust "$tmp/root10.pem"
expect 2 "nosuch.json" verify-evidence "$tmp/nosuch.json" --trust "$tmp/root10.pem"
expect 2 "verify-evidence FILE --trust PATH" verify-evidence "$tmp/ev.json"
# --- issue 8 §1 (h8-verify): verify-evidence applies the verifier's policy,
# never the file's, and every claim of the file must equal what the replay
# derives. ev.json: SPDM 1.3, ECDSA-P384, SHA-384, all measurements signed.
ve() { expect "$1" "$2" verify-evidence "$3" --trust "$tmp/root10.pem" "${@:4}"; }
# a forged file: "unsigned, index 3" and a MEASUREMENTS response made by hand
# (DSP0274 1.3 §10.11: one raw block, index 3, "6.6.6"; nonce; no opaque data;
# RequesterContext; padded to a DW)
req3=13e000030000000000000000
rsp3=13600000010c000003010800860500362e362e36$(printf '%064x' 9)0000
rsp3=${rsp3}00000000000000000000
jq --arg q "$req3" --arg s "$rsp3" '.policy.measurements = "3" | .policy.measurements_signed = false |
	.messages[-1] = {request: $q, response: $s} | .signature = null | .measurements_signed = false |
	.measurements_verified = false | .measurements_authenticated = false |
	.measurements = [{index: 3, type: 6, type_name: "mutable firmware version", raw: true,
	                  value: "362e362e36", text: "6.6.6"}]' "$tmp/ev.json" >"$tmp/forged.json"
ve 1 "evidence measurements '3', verifier requires 'all'" "$tmp/forged.json"
ve 1 "evidence measurements are NOT authenticated" "$tmp/forged.json" --measurements 3
# accepted only when the verifier says so, and then never shown as authenticated
ve 0 "" "$tmp/forged.json" --measurements 3 --allow-unsigned
grep -q "6.6.6" "$tmp/out" && grep -q "unsigned: NOT authenticated" "$tmp/out" && ok ||
	bad "--allow-unsigned report: $(cat "$tmp/out")"
# measurements dropped, "none": only a verifier that asks for none accepts it
jq '.policy.measurements = "none" | del(.messages[-1]) | del(.measurements) | .signature = null |
	.measurements_signed = false | .measurements_verified = false |
	.measurements_authenticated = false' "$tmp/ev.json" >"$tmp/none.json"
ve 1 "evidence measurements 'none', verifier requires 'all'" "$tmp/none.json"
ve 0 "" "$tmp/none.json" --measurements none
# what the verifier requires of the measurement mode
ve 1 "evidence measurements 'all', verifier requires 'each'" "$tmp/ev.json" --measurements each
ve 0 "" "$tmp/ev.json" --measurements 3
ve 1 "evidence has no measurement block 9, verifier requires it" "$tmp/ev.json" --measurements 9
"$doe" attest -j --measurements each --trust "$tmp/root10.pem" tcp:127.0.0.1:"$port" >"$tmp/each.json"
ve 0 "" "$tmp/each.json"
ve 0 "" "$tmp/each.json" --measurements each
# versions and algorithms: what was negotiated must lie inside the verifier's policy
"$doe" attest -j --version 1.2 --trust "$tmp/root10.pem" tcp:127.0.0.1:"$port" >"$tmp/ev12.json"
ve 1 "evidence negotiated SPDM 1.2, verifier requires >= 1.3" "$tmp/ev12.json" --min-version 1.3
ve 0 "" "$tmp/ev12.json" --min-version 1.2
ve 1 "evidence asym ecdsa-p384 not in verifier's --asym" "$tmp/ev.json" --asym ecdsa-p256,rsapss-2048
ve 0 "" "$tmp/ev.json" --asym ecdsa-p256,ecdsa-p384
ve 1 "evidence hash sha384 not in verifier's --hash" "$tmp/ev.json" --hash sha256,sha3-384
ve 0 "" "$tmp/ev.json" --hash sha256,SHA384
for bad in "--asym md5" "--asym ecdsa-p384," "--hash ,sha384" "--min-version 1.4" \
	"--measurements count" "--measurements 03" "--measurements 255"; do
	# shellcheck disable=SC2086
	ve 2 "verify-evidence: bad value" "$tmp/ev.json" $bad
done
# attest --unsigned: of one index, nothing vouches for the block; of all, the
# CHALLENGE_AUTH summary hash does
"$doe" attest -j --unsigned --measurements 2 --trust "$tmp/root10.pem" tcp:127.0.0.1:"$port" >"$tmp/u2.json"
jq -e '.verified and .measurements_authenticated == false' "$tmp/u2.json" >/dev/null && ok ||
	bad "attest --unsigned --measurements 2 not marked: $(head -c 300 "$tmp/u2.json")"
expect 0 "" attest --unsigned --measurements 2 --trust "$tmp/root10.pem" tcp:127.0.0.1:"$port"
grep -q "^  measurements   1 block, unsigned: NOT authenticated" "$tmp/out" && ok ||
	bad "attest --unsigned text: $(cat "$tmp/out")"
ve 1 "evidence measurements are NOT authenticated" "$tmp/u2.json" --measurements 2
ve 0 "" "$tmp/u2.json" --measurements 2 --allow-unsigned
grep -q "unsigned: NOT authenticated" "$tmp/out" && ok || bad "verify --allow-unsigned text: $(cat "$tmp/out")"
"$doe" verify-evidence -j "$tmp/u2.json" --trust "$tmp/root10.pem" --measurements 2 --allow-unsigned |
	jq -e '.verified and .measurements_authenticated == false' >/dev/null && ok ||
	bad "verify --allow-unsigned -j"
"$doe" attest -j --unsigned --trust "$tmp/root10.pem" tcp:127.0.0.1:"$port" >"$tmp/ua.json"
jq -e '.measurements_authenticated and (.measurements_signed | not)' "$tmp/ua.json" >/dev/null && ok ||
	bad "attest --unsigned (all) not authenticated by the summary hash"
ve 0 "" "$tmp/ua.json"
grep -q "unsigned, authenticated by the CHALLENGE_AUTH summary hash" "$tmp/out" && ok ||
	bad "summary-hash authentication not reported: $(cat "$tmp/out")"
# every claim is re-derived: each edit below -> exit 1 naming the member
# (each line: JQ EDIT @@ STDERR SUBSTRING)
while read -r line; do
	edit=${line%% @@ *} msg=${line#* @@ }
	jq "$edit" "$tmp/ev.json" >"$tmp/claim.json" || bad "bad jq edit: $edit"
	ve 1 "$msg" "$tmp/claim.json"
done <<'TAMPER'
.version = "1.2" @@ evidence: version: the file says "1.2", the replay derives "1.3"
.base_asym_algo = "ECDSA-P256" @@ evidence: base_asym_algo: the file says "ECDSA-P256"
.base_hash_algo = "SHA-256" @@ evidence: base_hash_algo: the file says
.measurement_hash_algo = "SHA-512" @@ evidence: measurement_hash_algo: the file says
.certificate_chain[2].subject = "O = doekit test, CN = another device" @@ evidence: certificate_chain[2].subject:
.certificate_chain[0].pem |= sub("MII"; "MIJ") @@ evidence: certificate_chain[0].pem:
.certificate_chain |= .[1:] @@ evidence: certificate_chain: 2 elements, the replay derives 3
.certificate_chain_spdm |= .[2:] @@ evidence: certificate_chain_spdm:
.cma_san = "8086:0D93:EMU-99999" @@ evidence: cma_san: the file says "8086:0D93:EMU-99999"
del(.cma_san) @@ evidence: cma_san: missing
.signature |= "00" + .[2:] @@ evidence: signature: the file says
.challenge_signature = null @@ evidence: challenge_signature: the file has null, the replay derives a string
.measurement_summary_hash |= "00" + .[2:] @@ evidence: measurement_summary_hash:
.measurements[2].value = "392e392e39" @@ evidence: measurements[2].value: the file says "392e392e39"
.measurements[2].text = "9.9.9" @@ evidence: measurements[2].text: the file says "9.9.9"
.measurements[0].type_name = "device mode" @@ evidence: measurements[0].type_name:
.measurements |= .[0:3] @@ evidence: measurements: 3 elements, the replay derives 4
.chain_verified = false @@ evidence: chain_verified: the file says false, the replay derives true
.challenge_verified = false @@ evidence: challenge_verified: the file says false
.measurements_verified = false @@ evidence: measurements_verified: the file says false
.measurements_signed = false @@ evidence: measurements_signed: the file says false
.measurements_authenticated = false @@ evidence: measurements_authenticated: the file says false
del(.measurements_authenticated) @@ evidence: measurements_authenticated: missing
.slot = "0" @@ evidence: slot: a string, expected an integer
.slot = 8 @@ evidence: slot: 8 is out of range 0..7
.device = "emu/0000:0f:00.0" @@ evidence: device: 'emu/0000:0f:00.0' is no tcp:HOST:PORT
.device = "tcp:\u001b[2J" @@ evidence: device: control or non-ASCII character
.transport = "socket (mctp)" @@ evidence: transport: 'socket (mctp)' pads messages to 1 bytes
.transport = "DOE@0x19c" @@ evidence: device: 'tcp:127.0.0.1
.transport = "evidence replay" @@ evidence: transport: 'evidence replay' is not one doe attest names
.policy.align = 1 @@ VERSION: 2 trailing bytes
.policy.versions = 3 @@ differs from the logged one
.policy.asym_algos = 128 @@ differs from the logged one
.policy.asym_algos = 512 @@ evidence: policy.asym_algos: 0x200 has bits doekit does not know
.policy.measurements = null @@ evidence: policy.measurements: null, expected a string
.policy.measurements_signed = null @@ evidence: policy.measurements_signed: null, expected a boolean
.policy = {"measurements": null} @@ evidence: policy.versions: missing
.policy.extra = 1 @@ evidence: policy.extra: unknown member
.messages = null @@ evidence: messages: null, expected an array
.messages[0] = "10840000" @@ evidence: messages[0]: a string, expected an object
.messages[0].note = 1 @@ evidence: messages[0].note: unknown member
.extra = true @@ evidence: extra: the replay derives no such member
.trust = 5 @@ evidence: trust: an integer, expected a string
TAMPER
# the verdict, the reason and the trust are the verifier's own: the file's are ignored
jq '.verified = false | .reason = "made up" | .trust = "elsewhere"' "$tmp/ev.json" >"$tmp/verdict.json"
ve 0 "" "$tmp/verdict.json"
# -j prints the derived document: for a valid file, the attest -j document without the log
"$doe" verify-evidence -j "$tmp/verdict.json" --trust "$tmp/root10.pem" >"$tmp/derived.json"
diff <(jq -S 'del(.messages)' "$tmp/ev.json") <(jq -S . "$tmp/derived.json") >"$tmp/diff" && ok ||
	bad "verify-evidence -j is not the derived document: $(cat "$tmp/diff")"
# exit 2 for what cannot be evidence at all, quickly; 1 for bad JSON
timeout 10 "$doe" verify-evidence /dev/zero --trust "$tmp/root10.pem" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "larger than" "$tmp/err" && ok || bad "verify-evidence /dev/zero: exit $rc $(head -c 200 "$tmp/err")"
{ printf '{"pad": "'; head -c 5242880 /dev/zero | tr '\0' x; printf '", '; tail -c +2 "$tmp/ev.json"; } >"$tmp/big.json"
ve 2 "larger than" "$tmp/big.json"
printf '{"policy": ' >"$tmp/trunc.json"
ve 1 "evidence: not JSON" "$tmp/trunc.json"
expect 2 "trust store $tmp/nosuch.pem" verify-evidence "$tmp/ev.json" --trust "$tmp/nosuch.pem"
# --- end of issue 8 §1 (h8-verify)
expect 1 "" attest tcp:127.0.0.1:"$port"
grep -q "NOT verified: no --trust given" "$tmp/out" && ok || bad "untrusted socket attest verdict"
kill "$lpid"; wait "$lpid" 2>/dev/null
for tr in mctp none; do
	: >"$tmp/l"	# truncated now: the child may start after the grep below
	"$doe" emulate --listen tcp:127.0.0.1:0 --trans "$tr" --export-root "$tmp/r.pem" >"$tmp/l" 2>&1 &
	lpid=$!
	for _ in $(seq 50); do grep -q "listening on port" "$tmp/l" && break; sleep 0.1; done
	port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$tmp/l")
	expect 0 "" attest --trans "$tr" --trust "$tmp/r.pem" tcp:127.0.0.1:"$port"
	kill "$lpid"; wait "$lpid" 2>/dev/null
done
# --- emulate --listen under hostile clients
# start_listener LOG ARGS...: a --trans none listener in the background; sets lpid, port
start_listener() {
	local log=$1
	shift
	: >"$log"	# not a previous listener's port
	"$doe" emulate --listen tcp:127.0.0.1:0 --trans none --export-root "$tmp/lr.pem" "$@" \
		>"$log" 2>&1 &
	lpid=$!
	for _ in $(seq 100); do grep -q "listening on port" "$log" && break; sleep 0.1; done
	port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$log")
	[ -n "$port" ] || bad "emulate --listen $* did not start: $(cat "$log")"
}
# gone PID SECONDS: PID has exited within SECONDS (a zombie counts as exited)
gone() {
	for _ in $(seq $(($2 * 10))); do
		ps -o stat= -p "$1" 2>/dev/null | grep -qv Z || return 0
		sleep 0.1
	done
	return 1
}
# stop_listener: SIGKILL whatever is left (a test that failed left it running)
stop_listener() { kill -9 "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null; }
# frames (--trans none): TEST with "Client Hello!", NORMAL GET_DIGESTS (SPDM 1.0)
test_frame='\0\0\xde\xad\0\0\0\0\0\0\0\x0eClient Hello!\0'
digests_frame='\0\0\0\x01\0\0\0\0\0\0\0\x04\x10\x81\0\0'
# read16 FD: the first 16 bytes the server sends on FD, as hex
read16() { timeout 5 head -c 16 <&"$1" | od -An -tx1 | tr -d ' \n'; }
sattest() { timeout 20 "$doe" attest --trans none --timeout 5000 --trust "$tmp/lr.pem" \
	tcp:127.0.0.1:"$port" >"$tmp/out" 2>"$tmp/err"; }

# a new connection gets a fresh responder: GET_DIGESTS before VCA is
# ERROR UnexpectedRequest (DSP0274 1.3 §10.1), though the last client did VCA
start_listener "$tmp/l1"
sattest && ok || bad "attest: $(head -c 300 "$tmp/err")"
exec 3<>/dev/tcp/127.0.0.1/"$port"
printf "$digests_frame" >&3
r=$(read16 3)
[ "${r:24:8}" = 107f0400 ] && ok || bad "GET_DIGESTS before VCA answered '$r'"
exec 3>&-
# an idle client does not keep a second one from a whole attestation
exec 3<>/dev/tcp/127.0.0.1/"$port"
sattest && ok || bad "attest beside an idle client: $(head -c 300 "$tmp/err")"
exec 3>&-
stop_listener

# a client that sends but never reads is dropped at the frame deadline, and
# others are served meanwhile
start_listener "$tmp/l2" --frame-timeout 500
printf "$test_frame" >"$tmp/tests.bin"
for _ in $(seq 12); do cat "$tmp/tests.bin" "$tmp/tests.bin" >"$tmp/t2" && mv "$tmp/t2" "$tmp/tests.bin"; done
exec 3<>/dev/tcp/127.0.0.1/"$port"
# an endless stream, whatever the socket buffers hold; it ends when the server drops it
timeout 30 bash -c 'while cat "$1"; do :; done' _ "$tmp/tests.bin" >&3 2>/dev/null &
cpid=$!
exec 3>&-
sattest && ok || bad "attest beside a client that does not read: $(head -c 300 "$tmp/err")"
gone "$cpid" 15 && ok || bad "the non-reading client was not dropped"
grep -q "dropped: did not take its answer within 500 ms" "$tmp/l2" && ok ||
	bad "no log line for the non-reading client: $(head -c 300 "$tmp/l2")"
kill "$cpid" 2>/dev/null
stop_listener

# the N+1th connection is closed at once, with a log line; the slot comes back
start_listener "$tmp/l3" --max-clients 1
exec 3<>/dev/tcp/127.0.0.1/"$port"
printf "$test_frame" >&3
[ -n "$(read16 3)" ] || bad "TEST not answered"
exec 4<>/dev/tcp/127.0.0.1/"$port"
r=$(read16 4)
[ -z "$r" ] && ok || bad "connection over --max-clients 1 answered '$r'"
exec 4>&-
grep -q "refused: 1 clients connected, the maximum" "$tmp/l3" && ok ||
	bad "no log line for the refused client: $(head -c 300 "$tmp/l3")"
exec 3>&-
# the slot is free once the server has seen the close: retry for a while
served=0
for _ in $(seq 20); do sattest && served=1 && break; sleep 0.2; done
[ "$served" = 1 ] && ok || bad "attest after the first client left: $(head -c 300 "$tmp/err")"
stop_listener

# SIGTERM is honoured at once, an idle client and a half-sent frame notwithstanding
start_listener "$tmp/l4"
exec 3<>/dev/tcp/127.0.0.1/"$port"
exec 4<>/dev/tcp/127.0.0.1/"$port"
printf '\0\0\xde' >&4
sleep 0.2
kill -TERM "$lpid"
gone "$lpid" 5 && ok || bad "SIGTERM with clients connected: still running after 5 s"
wait "$lpid"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "SIGTERM: exit $rc"
exec 3>&- 4>&-
stop_listener

# ports: decimal 1-65535 only (0: any free port); 65536 used to bind a random one
for p in 65536 0x10 80x -1 ' 80' 99999999999; do
	timeout 10 "$doe" emulate --listen "tcp:127.0.0.1:$p" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] && grep -qF "port '$p' is not a number" "$tmp/err" && ok ||
		bad "--listen port '$p': exit $rc: $(head -c 200 "$tmp/err")"
done
expect 2 "bad value '0' for --max-clients" emulate --listen tcp:127.0.0.1:0 --max-clients 0
expect 2 "bad value '5s' for --frame-timeout" emulate --listen tcp:127.0.0.1:0 --frame-timeout 5s
# evidence checked against another device's root: the chain does not verify
expect 1 "self-signed certificate" verify-evidence "$tmp/ev.json" --trust "$tmp/r.pem"
expect 1 "cannot connect to tcp:127.0.0.1:1" attest tcp:127.0.0.1:1
# usage
expect 2 "bad value 'x' for --nonce" attest --nonce x emu/0f:00.0
expect 2 "bad value '2.0' for --version" attest --version 2.0 emu/0f:00.0
expect 2 "bad value 'md5' for --hash" attest --hash md5 emu/0f:00.0
# --deadline: whole seconds 1-3600, nothing else
for d in 0 3601 5s +5 0x5 "" " 5" -1; do
	expect 2 "bad value '$d' for --deadline (seconds, 1-3600)" attest --deadline "$d" emu/0f:00.0
done
expect 0 "" attest --deadline 1 emu/0f:00.0
expect 0 "" attest --deadline 3600 emu/0f:00.0
expect 2 "attest takes one device" attest
expect 2 "has no DOE mailbox that serves CMA/SPDM" attest emu/0000:20:00.2
echo '{"asym": "nope"}' >"$tmp/bad-asym.json"
expect 2 "asym: 'nope'" attest --emu-spdm 0f:00.0="$tmp/bad-asym.json" emu/0f:00.0

# --- strict JSON input (issue 8 §2, h8-json) --------------------------------
# Every JSON file doe reads goes through one strict reader: unknown members,
# nulls, wrong types and out-of-range numbers are errors naming the member,
# never a crash, never clamped, never ignored; every file has a size cap and
# a device or FIFO cannot make doe read without end. A bad --emu-spdm,
# --emu-cdat or cdat --encode file is a usage error: exit 2.
# expect_fast RC 'STDERR SUBSTRING' ARGS...: as expect, but a hang fails
expect_fast() {
	local want=$1 msg=$2
	shift 2
	timeout 10 "$doe" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "doe $* (10 s at most): exit $rc, expected $want ($(head -c 300 "$tmp/err"))"
	elif ! grep -qF -- "$msg" "$tmp/err"; then
		bad "doe $*: stderr lacks '$msg': $(head -c 300 "$tmp/err")"
	else
		ok
	fi
}
# spdm_bad 'JSON' 'STDERR SUBSTRING': --emu-spdm with that file exits 2
spdm_bad() {
	printf '%s\n' "$1" >"$tmp/es.json"
	expect_fast 2 "--emu-spdm: $tmp/es.json: $2" attest --emu-spdm 0f:00.0="$tmp/es.json" emu/0f:00.0
}
# the reported crashes (json-c abort, NULL dereference) and silent ignores
spdm_bad '{"measurements": 5}' 'measurements: an integer, expected an array'
spdm_bad '{"versions": "1.2"}' 'versions: a string, expected an array'
spdm_bad '{"asym": null}' 'asym: null, expected a string'
spdm_bad '{"measurements": [{"text": null}]}' 'measurements[0].text: null, expected a string'
spdm_bad '{"busy": "x", "not_ready": -5}' 'not_ready: -5 is out of range 0..1000000'
spdm_bad '{"busy": "x"}' 'busy: a string, expected an integer'
spdm_bad '{"not_ready": -5}' 'not_ready: -5 is out of range 0..1000000'
# every member: type, range, unknown names
spdm_bad '{"bussy": 3}' 'bussy: unknown member'
spdm_bad '{"asym": 5}' 'asym: an integer, expected a string'
spdm_bad '{"versions": []}' 'versions: empty'
spdm_bad '{"versions": ["1.2", null]}' 'versions[1]: null, expected a string'
spdm_bad '{"versions": ["2.0"]}' "versions[0]: '2.0' is not 1.0-1.3"
spdm_bad '{"versions": ["1.0", "1.1", "1.2", "1.3", "1.3"]}' 'versions: 5 elements, at most 4'
spdm_bad '{"measurements": null}' 'measurements: null, expected an array'
spdm_bad '{"measurements": [5]}' 'measurements[0]: an integer, expected an object'
spdm_bad "{\"measurements\": [$(printf '{"text": "x"},%.0s' $(seq 16)) {\"text\": \"x\"}]}" \
	'measurements: 17 elements, at most 16'
spdm_bad '{"measurements": [{"index": 0, "text": "x"}]}' 'measurements[0].index: 0 is out of range 1..254'
spdm_bad '{"measurements": [{"index": 240, "text": "x"}]}' 'measurements[0].index: 240 is reserved'
spdm_bad '{"measurements": [{"index": 255, "text": "x"}]}' 'measurements[0].index: 255 is out of range 1..254'
spdm_bad '{"measurements": [{"index": "1", "text": "x"}]}' 'measurements[0].index: a string, expected an integer'
spdm_bad '{"measurements": [{"index": 2, "text": "x"}, {"text": "y"}]}' \
	"measurements[1].index: 2 is also measurements[0]'s"
spdm_bad '{"measurements": [{"type": 128, "text": "x"}]}' 'measurements[0].type: 128 is out of range 0..127'
spdm_bad '{"measurements": [{"type": null, "text": "x"}]}' 'measurements[0].type: null, expected an integer'
spdm_bad '{"measurements": [{"raw": 1, "text": "x"}]}' 'measurements[0].raw: an integer, expected a boolean'
spdm_bad '{"measurements": [{"value": "zz"}]}' 'measurements[0].value: not hex of at most 256 bytes'
spdm_bad "{\"measurements\": [{\"value\": \"$(printf '%0514d' 0)\"}]}" 'measurements[0].value: longer than 512 bytes'
spdm_bad "{\"measurements\": [{\"text\": \"$(printf '%0257d' 0)\"}]}" 'measurements[0].text: longer than 256 bytes'
spdm_bad '{"measurements": [{"value": "00", "text": "x"}]}' 'measurements[0]: give value or text, not both'
spdm_bad '{"measurements": [{"index": 1}]}' 'measurements[0].value: missing (or give text)'
spdm_bad '{"measurements": [{"text": "x", "digest": "00"}]}' 'measurements[0].digest: unknown member'
spdm_bad '{"busy": 1000001}' 'busy: 1000001 is out of range 0..1000000'
spdm_bad '{"busy": 18446744073709551616}' 'byte 9: busy: 18446744073709551616 is out of the uint64 range'
spdm_bad '{"not_ready": 1.5}' 'byte 14: not_ready: not an integer'
spdm_bad '{"corrupt_signature": "yes"}' 'corrupt_signature: a string, expected a boolean'
spdm_bad '{"corrupt_signature": null}' 'corrupt_signature: null, expected a boolean'
spdm_bad '{"busy": 1} {}' 'not JSON'
spdm_bad '[]' 'not a JSON object'
# a file that uses every member as documented works
printf '%s\n' '{ "asym": "ecdsa-p256", "versions": ["1.2", "1.3"],' \
	'  "measurements": [ { "index": 1, "type": 1, "raw": true, "value": "0102" },' \
	'                    { "index": 2, "type": 6, "raw": false, "text": "1.2.3" },' \
	'                    { "index": 254, "type": 5, "value": "" } ],' \
	'  "not_ready": 1, "busy": 1, "corrupt_signature": false }' >"$tmp/es-all.json"
"$doe" attest -j --asym ecdsa-p256 --emu-spdm 0f:00.0="$tmp/es-all.json" emu/0f:00.0 >"$tmp/es-all.out" &&
	jq -e '.verified and .version == "1.3" and .base_asym_algo == "ECDSA-P256" and
	([.measurements[].index] == [1, 2, 254]) and .measurements[0].value == "0102"' \
	"$tmp/es-all.out" >/dev/null && ok || bad "--emu-spdm with every member: $(head -c 300 "$tmp/es-all.out")"
# size caps, a device that never ends, files that cannot be read: exit 2, fast
head -c $((5 << 20)) /dev/zero | tr '\0' ' ' >"$tmp/pad"
{ printf '{"busy": 1}'; cat "$tmp/pad"; } >"$tmp/es-big.json"
expect_fast 2 "$tmp/es-big.json is larger than 1048576 bytes" attest --emu-spdm 0f:00.0="$tmp/es-big.json" emu/0f:00.0
expect_fast 2 "/dev/zero is larger than 1048576 bytes" attest --emu-spdm 0f:00.0=/dev/zero emu/0f:00.0
expect_fast 2 "cannot open $tmp/absent.json" attest --emu-spdm 0f:00.0="$tmp/absent.json" emu/0f:00.0
expect_fast 2 "--emu-spdm: reading $tmp" attest --emu-spdm 0f:00.0="$tmp" emu/0f:00.0
expect_fast 2 "--emu-spdm: 20:00.2 has no CMA mailbox" list --emu-spdm 20:00.2="$tmp/es-all.json" emu
# --emu-cdat: a JSON table is read as strictly as cdat --encode reads it
"$doe" cdat -j emu/0f:00.0 >"$tmp/sj.json"
jq -c . "$tmp/sj.json" | sed 's/"dpa_base":0,/"dpa_base":18446744073709551616,/' >"$tmp/sj-2p64.json"
expect_fast 2 "structures[0].dpa_base: 18446744073709551616 is out of the uint64 range" \
	cdat --emu-cdat 0f:00.0="$tmp/sj-2p64.json" emu/0f:00.0
jq '.structures[0].reserved = null' "$tmp/sj.json" >"$tmp/sj-null.json"
expect_fast 2 "--emu-cdat: $tmp/sj-null.json: structures[0].reserved: null, expected an integer" \
	cdat --emu-cdat 0f:00.0="$tmp/sj-null.json" emu/0f:00.0
jq '.structures[1].dpa_lenght = 1' "$tmp/sj.json" >"$tmp/sj-typo.json"
expect_fast 2 "structures[1].dpa_lenght: unknown member" cdat --emu-cdat 0f:00.0="$tmp/sj-typo.json" emu/0f:00.0
{ cat "$tmp/sj.json"; echo '{}'; } >"$tmp/sj-trail.json"
expect_fast 2 "not JSON" cdat --emu-cdat 0f:00.0="$tmp/sj-trail.json" emu/0f:00.0
{ jq -c . "$tmp/sj.json"; cat "$tmp/pad"; } >"$tmp/sj-big.json"
expect_fast 2 "--emu-cdat: $tmp/sj-big.json is larger than 4194304 bytes" \
	cdat --emu-cdat 0f:00.0="$tmp/sj-big.json" emu/0f:00.0
expect_fast 2 "--emu-cdat: /dev/zero is larger than 4194304 bytes" cdat --emu-cdat 0f:00.0=/dev/zero emu/0f:00.0
# cdat --encode: every field at its CDAT width, never clamped
enc_bad() { # JQ-FILTER 'STDERR SUBSTRING'
	jq "$1" "$tmp/sj.json" >"$tmp/enc.json"
	expect_fast 2 "$tmp/enc.json: $2" cdat --encode "$tmp/enc.json" -o "$tmp/enc.bin"
}
rm -f "$tmp/enc.bin"
expect_fast 2 "structures[0].dpa_base: 18446744073709551616 is out of the uint64 range" \
	cdat --encode "$tmp/sj-2p64.json" -o "$tmp/enc.bin"
[ -e "$tmp/enc.bin" ] && bad "--encode of 2^64 wrote $tmp/enc.bin" || ok
enc_bad '.structures[0].dpa_base = -1' 'structures[0].dpa_base: -1 is out of range 0..18446744073709551615'
enc_bad '.structures[0].dpa_length = null' 'structures[0].dpa_length: null, expected an integer'
enc_bad '.structures[0].reserved = null' 'structures[0].reserved: null, expected an integer'
enc_bad '.structures[0].flags = "1"' 'structures[0].flags: a string, expected an integer'
enc_bad '.structures[0].reserved = 65536' 'structures[0].reserved: 65536 is out of range 0..65535'
enc_bad '.structures[2].entry[1] = 65536' 'structures[2].entry[1]: 65536 is out of range 0..65535'
enc_bad '.structures[10].cache_attributes = 4294967296' \
	'structures[10].cache_attributes: 4294967296 is out of range 0..4294967295'
enc_bad '.reserved = 281474976710656' 'reserved: 281474976710656 is out of range 0..281474976710655'
enc_bad '.structures[0].flagz = 1' 'structures[0].flagz: unknown member'
enc_bad '.checksum_ok = "yes"' 'checksum_ok: a string, expected a boolean'
{ jq -c . "$tmp/sj.json"; cat "$tmp/pad"; } >"$tmp/enc-big.json"
expect_fast 2 "$tmp/enc-big.json is larger than 4194304 bytes" cdat --encode "$tmp/enc-big.json" -o "$tmp/enc.bin"
expect_fast 2 "/dev/zero is larger than 4194304 bytes" cdat --encode /dev/zero -o "$tmp/enc.bin"
expect_fast 2 "cannot open $tmp/absent.json" cdat --encode "$tmp/absent.json" -o "$tmp/enc.bin"
timeout 10 "$doe" cdat --encode - -o "$tmp/enc.bin" <"$tmp/sj.json" && cmp -s "$tmp/enc.bin" "$tmp/t3.bin" && ok ||
	bad "cdat --encode - (stdin) gives other bytes"
# --- end of strict JSON input ------------------------------------------------

# --- device strings are untrusted: a leaf whose CMA SAN carries terminal
# escapes must not reach the terminal raw (it is printed before the verdict)
esc=$(printf '\033')
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$tmp/evil-root.key" \
	-out "$tmp/evil-root.pem" -subj "/CN=evil root" -days 30 \
	-addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign >/dev/null 2>&1
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$tmp/evil.key" \
	-out "$tmp/evil.csr" -subj "/CN=evil leaf" >/dev/null 2>&1
printf 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nsubjectAltName=otherName:2.23.147;UTF8:%s[2J%s[32mVERIFIED\177\233\n' \
	"$esc" "$esc" >"$tmp/evil.cnf"
openssl x509 -req -in "$tmp/evil.csr" -CA "$tmp/evil-root.pem" -CAkey "$tmp/evil-root.key" \
	-CAcreateserial -out "$tmp/evil.pem" -days 30 -extfile "$tmp/evil.cnf" >/dev/null 2>&1
cat "$tmp/evil-root.pem" "$tmp/evil.pem" >"$tmp/evil-chain.pem"
: >"$tmp/le"	# empty now: the listener's own redirection may come after the wait starts
"$doe" emulate --listen tcp:127.0.0.1:0 --identity "$tmp/evil.key,$tmp/evil-chain.pem" >"$tmp/le" 2>&1 &
lpid=$!
for _ in $(seq 50); do grep -q "listening on port" "$tmp/le" && break; sleep 0.1; done
port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$tmp/le")
expect 0 "" attest --trust "$tmp/evil-root.pem" tcp:127.0.0.1:"$port"
grep -qF 'CMA SAN: \x1b[2J\x1b[32mVERIFIED\x7f\xc2\x9b' "$tmp/out" && ok ||
	bad "SAN not escaped: $(od -c "$tmp/out" | grep -m1 033)"
grep -q "$esc" "$tmp/out" "$tmp/err" && bad "a raw ESC byte reached the terminal" || ok
"$doe" attest -j --trust "$tmp/evil-root.pem" tcp:127.0.0.1:"$port" >"$tmp/evil.json"
jq -e '.cma_san == "\u001b[2J\u001b[32mVERIFIED\u007f\u009b"' "$tmp/evil.json" >/dev/null && ok ||
	bad "-j does not keep the SAN as it is"
# json-c leaves DEL and C1 controls (U+009B is CSI) raw; we do not
grep -qF '"\u001b[2J\u001b[32mVERIFIED\u007f\u009b"' "$tmp/evil.json" && ok ||
	bad "SAN in JSON: $(grep cma_san "$tmp/evil.json" | od -c | head -3)"
LC_ALL=C grep -q "$esc\|$(printf '\177')\|$(printf '\302\233')" "$tmp/evil.json" &&
	bad "a raw control byte in JSON" || ok
# error messages quoting the device are escaped at the one place they are printed
expect 1 "" attest --trust "$tmp/root10.pem" tcp:127.0.0.1:"$port"
grep -q "$esc" "$tmp/out" "$tmp/err" && bad "a raw ESC byte on a failed attest" || ok
kill "$lpid"; wait "$lpid" 2>/dev/null
# file and command names from the user are escaped as well
expect 2 'cannot open \x1b[2Jx.bin' cdat --file "${esc}[2Jx.bin"
expect 2 "unknown command '\\x1b[31mfoo'" "${esc}[31mfoo"
grep -q "$esc" "$tmp/err" && bad "a raw ESC byte in a usage message" || ok

# --- option values: one strict parser for every integer option; a value out
# of range, hex, octal-looking, empty or with trailing bytes is a usage error
expect 2 "bad value '256' for --slot (0-7)" attest --slot 256 emu/0f:00.0
expect 2 "bad value '' for --slot" attest --slot '' emu/0f:00.0
expect 2 "bad value '0x3' for --measurements" attest --measurements 0x3 emu/0f:00.0
expect 2 "bad value '07' for --measurements" attest --measurements 07 emu/0f:00.0
expect 2 "bad value '255' for --measurements" attest --measurements 255 emu/0f:00.0
expect 2 "--timeout takes milliseconds, 1..3600000, not '010'" discover --timeout 010 emu/0f:00.0
expect 2 "--timeout takes milliseconds" discover --timeout 4294967297 emu/0f:00.0
expect 2 "--timeout takes milliseconds" discover --timeout 5ms emu/0f:00.0
# a trust directory without a certificate names the path; a malformed nonce
# is a usage error, not evidence that is "not fresh"
mkdir -p "$tmp/no-anchors" && echo "not a certificate" >"$tmp/no-anchors/README"
expect 2 "trust store $tmp/no-anchors: no PEM certificate in this directory" \
	attest --trust "$tmp/no-anchors" emu/0f:00.0
expect 2 "trust store $tmp/no-anchors: no PEM certificate" \
	verify-evidence "$tmp/ev.json" --trust "$tmp/no-anchors"
expect 2 "bad value 'xyz' for --nonce" verify-evidence "$tmp/ev.json" --trust "$tmp/root10.pem" --nonce xyz
expect 2 "bad value '$(printf '%062x' 1)' for --nonce" \
	verify-evidence "$tmp/ev.json" --trust "$tmp/root10.pem" --nonce "$(printf '%062x' 1)"
# --- exit status: one cause, one code, whatever the command (doe(1) EXIT STATUS)
expect 2 "trust store $tmp/nosuch.pem" attest --trust "$tmp/nosuch.pem" emu/0f:00.0
expect 2 "trust store $tmp/nosuch.pem" verify-evidence "$tmp/ev.json" --trust "$tmp/nosuch.pem"
expect 2 "cannot open $tmp/nosuch.json" verify-evidence "$tmp/nosuch.json" --trust "$tmp/root10.pem"
echo '{"not": "evidence"' >"$tmp/not-ev.json"
expect 1 "not-ev.json" verify-evidence "$tmp/not-ev.json" --trust "$tmp/root10.pem"
expect 2 "$tmp/nodir/x.bin" cdat --encode "$tmp/t3.json" -o "$tmp/nodir/x.bin"
expect 2 "writing $tmp" cdat --encode "$tmp/t3.json" -o "$tmp"
expect 2 "cannot write the root certificate to $tmp/nodir/r.pem" \
	emulate --listen tcp:127.0.0.1:0 --export-root "$tmp/nodir/r.pem"
expect 2 "expected HOST:PORT" attest tcp:127.0.0.1
expect 2 "invalid PCI address" attest emu/zz:00.0
# messages name the device once
expect 1 "" list --timeout 20 emu:faulty
grep -q "0000:0e:00.0: 0000:0e:00.0\|emu:faulty/0000:0e:00.0: 0000:0e:00.0" "$tmp/err" &&
	bad "device named twice: $(cat "$tmp/err")" || ok
expect 1 "" attest --timeout 20 emu:faulty/0d:00.0
grep -q "0000:0d:00.0: .*0000:0d:00.0 DOE" "$tmp/err" && bad "device named twice: $(cat "$tmp/err")" || ok
# --- cdat --path: a hop without figures makes the total unknown, not the
# sum of the other hops
"$doe" cdat -j emu/0d:00.0 | jq '.structures = []' >"$tmp/usp-empty.json"
"$doe" cdat --path -j --emu-cdat 0d:00.0="$tmp/usp-empty.json" emu/0f:00.0 >"$tmp/p.json"
jq -e 'all(.ranges[]; .total.read_latency_ps == null and .total.write_latency_ps == null and
	.total.read_bandwidth_mbps == null and
	any(.hops[]; .kind == "switch" and .read_latency_ps == null))' "$tmp/p.json" >/dev/null && ok ||
	bad "total with a hop unknown: $(jq -c '.ranges[0].total' "$tmp/p.json")"
expect 0 "" cdat --path --emu-cdat 0d:00.0="$tmp/usp-empty.json" emu/0f:00.0
grep -q "total from the root port *unknown *unknown *unknown *unknown" "$tmp/out" && ok ||
	bad "text total with a hop unknown: $(grep total "$tmp/out")"

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
# ... once per run, not once per function
expect 1 "warning: driving the DOE mailbox registers of each function" list --raw --timeout 10
[ "$(grep -c "warning: driving" "$tmp/err")" = 1 ] && ok || bad "list --raw warned more than once"
# a lock directory that cannot be used is a usage error, for every command
for cmd in "discover --raw 3a:00.0" "list --raw" "cdat --raw 3a:00.0" "attest --raw 3a:00.0"; do
	# shellcheck disable=SC2086
	DOE_LOCK_DIR=$tmp/nolock expect 2 "cannot open lock file $tmp/nolock/doekit-0000:3a:00.0.lock" $cmd
	grep -q "0000:3a:00.0: 0000:3a:00.0" "$tmp/err" && bad "$cmd: device named twice" || ok
done
rm -r "$dev/doe_features"
"$doe" list >"$tmp/out" 2>&1
grep -q "the kernel lists none" "$tmp/out" && ok || bad "list without doe_features: $(cat "$tmp/out")"

# a real CXL topology: root port 0000:34:00.0 -> endpoint 0000:35:00.0 with
# a memdev, the kernel's CDAT attribute on endpoint1
# cfg FILE PORT_TYPE GEN WIDTH: a config image with a PCIe capability at 0x40
cfg() {
	head -c 4096 /dev/zero >"$1"
	printf '\x86\x80\x93\x0d' | dd of="$1" conv=notrunc status=none
	printf '\x40' | dd of="$1" bs=1 seek=52 conv=notrunc status=none
	printf "\\x10\\x00\\x$(printf %x "$2")2" | dd of="$1" bs=1 seek=64 conv=notrunc status=none
	printf "\\x$(printf %x $(($3 | ($4 << 4) & 0xff)))\\x$(printf %x $(($4 >> 4)))" |
		dd of="$1" bs=1 seek=82 conv=notrunc status=none
}
rp=$sys/devices/pci0000:34/0000:34:00.0
ep=$rp/0000:35:00.0
mkdir -p "$ep/mem0" "$sys/bus/cxl/devices/endpoint1" "$sys/bus/cxl/devices/port1"
cfg "$rp/config" 4 4 16
cfg "$ep/config" 0 4 8
ln -s ../../../devices/pci0000:34/0000:34:00.0 "$sys/bus/pci/devices/0000:34:00.0"
ln -s ../../../devices/pci0000:34/0000:34:00.0/0000:35:00.0 "$sys/bus/pci/devices/0000:35:00.0"
ln -s ../../../../devices/pci0000:34/0000:34:00.0/0000:35:00.0/mem0 "$sys/bus/cxl/devices/endpoint1/uport"
ln -s ../../../../devices/pci0000:34 "$sys/bus/cxl/devices/port1/uport"
cp "$tmp/t3.bin" "$sys/bus/cxl/devices/endpoint1/CDAT"
"$doe" cdat -j 35:00.0 >"$tmp/k.json" 2>"$tmp/err" && ok || bad "cdat of a real endpoint: $(cat "$tmp/err")"
jq -e '.source == "kernel" and .device == "0000:35:00.0" and (.structures | length) == 12' "$tmp/k.json" \
	>/dev/null && ok || bad "kernel CDAT not read: $(head -c 300 "$tmp/k.json")"
expect 2 "use --raw to read it over DOE" cdat 34:00.0
golden fake_path.txt cdat --path 35:00.0
# --raw: the path opens the endpoint (and takes its lock) once
expect 2 "0000:35:00.0 has no DOE mailbox that serves CXL Table Access" cdat --path --raw 35:00.0
grep -q "another doekit process" "$tmp/err" && bad "cdat --path --raw locked its own device" || ok
# Linux 6.1: CDAT for endpoints, none for switch ports. Root port 40:00.0 ->
# switch 41:00.0 / 42:00.0 -> endpoint 43:00.0; port2 (the switch) has no CDAT
rp2=$sys/devices/pci0000:40/0000:40:00.0
usp=$rp2/0000:41:00.0
dsp=$usp/0000:42:00.0
ep2=$dsp/0000:43:00.0
mkdir -p "$ep2/mem1" "$sys/bus/cxl/devices/endpoint2" "$sys/bus/cxl/devices/port2"
cfg "$rp2/config" 4 5 16
cfg "$usp/config" 5 5 16
cfg "$dsp/config" 6 5 16
cfg "$ep2/config" 0 5 8
for f in 0000:40:00.0 0000:40:00.0/0000:41:00.0 0000:40:00.0/0000:41:00.0/0000:42:00.0 \
	0000:40:00.0/0000:41:00.0/0000:42:00.0/0000:43:00.0; do
	ln -s "../../../devices/pci0000:40/$f" "$sys/bus/pci/devices/${f##*/}"
done
ln -s ../../../../devices/pci0000:40/0000:40:00.0/0000:41:00.0 "$sys/bus/cxl/devices/port2/uport"
ln -s ../../../../devices/pci0000:40/0000:40:00.0/0000:41:00.0/0000:42:00.0/0000:43:00.0/mem1 \
	"$sys/bus/cxl/devices/endpoint2/uport"
cp "$tmp/t3.bin" "$sys/bus/cxl/devices/endpoint2/CDAT"
expect 0 "" cdat 43:00.0
expect 2 "0000:41:00.0: this kernel does not publish CDAT for switch ports (port2 has no CDAT" cdat 41:00.0
expect 2 "this kernel does not publish CDAT for switch ports" cdat --path 43:00.0
grep -q "0000:41:00.0: .*0000:41:00.0" "$tmp/err" && bad "switch named twice: $(cat "$tmp/err")" || ok
expect 2 "is not an endpoint" cdat --path 34:00.0
expect 2 "needs --raw" attest 35:00.0
# topology on the real layout: the switch upstream port 41:00.0 lists CMA
# but its mailbox never answers (a plain file): unreachable, and below it
# untrusted_path; enforcement only through kernel attributes
mkdir -p "$usp/doe_features"
: >"$usp/doe_features/0001:01"
cfgsum() { cat "$rp2/config" "$usp/config" "$dsp/config" "$ep2/config" | md5sum; }
before=$(cfgsum)
"$doe" attest --topology --raw -t 50 40:00.0 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "topology on sysfs: exit code ($(cat "$tmp/err"))"
grep -q '^`-0000:41:00.0  \[8086:0d93\]  unreachable' "$tmp/out" && ok ||
	bad "topology on sysfs: 41:00.0 not unreachable: $(cat "$tmp/out")"
[ "$(grep -c 'untrusted_path: below 0000:41:00.0, which is unreachable' "$tmp/out")" = 2 ] && ok ||
	bad "topology on sysfs: 42:00.0 and 43:00.0 not untrusted_path"
grep -qx 'plan: remove (needs --enforce=remove) 0000:41:00.0 (unreachable)' "$tmp/out" && ok ||
	bad "topology on sysfs: plan"
expect 1 "no CMA authorization attribute" attest --topology --raw -t 50 --enforce 40:00.0
: >"$usp/authorized"
expect 1 "" attest --topology --raw -t 50 --enforce 40:00.0
[ "$(cat "$usp/authorized")" = 0 ] && ok || bad "--enforce did not write authorized"
grep -qx 'enforce: deauthorized 0000:41:00.0 (unreachable)' "$tmp/out" && ok || bad "enforce output"
: >"$usp/remove"
expect 1 "" attest --topology --raw -t 50 --enforce=remove 40:00.0
[ "$(cat "$usp/remove")" = 1 ] && ok || bad "--enforce=remove did not write remove"
# enforcement never wrote a real port's config space (no link registers)
[ "$(cfgsum)" = "$before" ] && ok || bad "topology --enforce wrote config space"
rm -r "$usp/doe_features" "$usp/authorized" "$usp/remove"
expect 2 "no such device 0000:44:00.0" attest --topology --raw 44:00.0
unset DOE_SYSFS_ROOT DOE_LOCK_DIR

# --- doe session (issue 9): secure sessions against the emulator ------------
# every DHE group and AEAD by name, what -j reports, the session's exercises
for g in secp256r1 secp384r1 secp521r1 ffdhe2048; do
	"$doe" session -j --dhe $g --aead aes-128-gcm --heartbeat 1 --key-update emu/0f:00.0 >"$tmp/s.json" &&
		jq -e --arg g $g '.established and .dhe == $g and .aead == "aes-128-gcm" and
		.session_type == "key_exchange" and (.session_id | test("^[0-9a-f]{8}$")) and
		.heartbeats == 1 and .key_update and .measurements_verified and .ended and
		(.measurements | length) == 4' "$tmp/s.json" >/dev/null && ok ||
		bad "session --dhe $g: $(head -c 400 "$tmp/s.json")"
done
"$doe" session -j --version 1.1 --in-the-clear --aead chacha20-poly1305 --measurements 3 emu/0d:00.0 >"$tmp/s.json" &&
	jq -e '.version == "1.1" and .handshake_in_the_clear and .aead == "chacha20-poly1305" and
	([.measurements[].index] == [3])' "$tmp/s.json" >/dev/null && ok ||
	bad "session 1.1 in the clear: $(head -c 400 "$tmp/s.json")"
"$doe" session emu/0f:00.0 >"$tmp/out" 2>&1 && grep -q "session [0-9a-f]\{8\}  KEY_EXCHANGE, secp384r1, aes-256-gcm" "$tmp/out" &&
	grep -q "session: ended" "$tmp/out" && ok || bad "session text: $(head -c 400 "$tmp/out")"
# PSK: the emulated device gets the key through --emu-spdm; a wrong key or
# hint fails, the right one works
printf '{"psk": "00112233445566778899aabbccddeeff", "psk_hint": "emu"}\n' >"$tmp/psk.json"
"$doe" session -j --psk 00112233445566778899aabbccddeeff --psk-hint emu \
	--emu-spdm 0f:00.0="$tmp/psk.json" emu/0f:00.0 >"$tmp/s.json" &&
	jq -e '.session_type == "psk" and .established and .ended' "$tmp/s.json" >/dev/null && ok ||
	bad "session --psk: $(head -c 400 "$tmp/s.json")"
expect 1 "ResponderVerifyData does not match" session --psk 0011 --psk-hint emu --emu-spdm 0f:00.0="$tmp/psk.json" emu/0f:00.0
expect 1 "ERROR InvalidRequest" session --psk 00112233445566778899aabbccddeeff --psk-hint nope --emu-spdm 0f:00.0="$tmp/psk.json" emu/0f:00.0
expect 1 "the responder offers no PSK_CAP" session --psk 0011 emu/0f:00.0
# the device's fault knob: corrupted ResponderVerifyData is caught
printf '{"corrupt_verify_data": true}\n' >"$tmp/cvd.json"
expect 1 "ResponderVerifyData does not match" session --emu-spdm 0f:00.0="$tmp/cvd.json" emu/0f:00.0
# the other session faults: a dropped answer, a replayed one, a key update the
# device did not make, a device that forgets the session: each ends it, named
for f in 'drop_secured": true|transport' 'replay_secured": true|secured message rejected' \
	'key_update_mismatch": true|secured message rejected' 'end_session_after": 1|secured message rejected'; do
	printf '{"%s}\n' "${f%%|*}" >"$tmp/fault.json"
	expect 1 "${f#*|}" session --heartbeat 1 --key-update --measurements 1 --emu-spdm 0f:00.0="$tmp/fault.json" emu/0f:00.0
done
spdm_bad '{"end_session_after": -1}' 'end_session_after: -1 is out of range'
printf '{"sessions": false}\n' >"$tmp/nos.json"
expect 1 "KEY_EX_CAP" session --emu-spdm 0f:00.0="$tmp/nos.json" emu/0f:00.0
spdm_bad '{"psk": "zz"}' 'psk: not hex'
spdm_bad '{"psk_hint": "x"}' 'psk_hint: without psk'
spdm_bad '{"sessions": 1}' 'sessions: an integer, expected a boolean'
# options, strictly
expect 2 "--version (1.1-1.3" session --version 1.0 emu/0f:00.0
expect 2 "--dhe" session --dhe x25519 emu/0f:00.0
expect 2 "--aead" session --aead aes-256-ccm emu/0f:00.0
expect 2 "--heartbeat" session --heartbeat 01 emu/0f:00.0
expect 2 "--measurements" session --measurements 255 emu/0f:00.0
expect 2 "--psk" session --psk xyz emu/0f:00.0
expect 2 "--psk-hint needs --psk" session --psk-hint a emu/0f:00.0
expect 2 "--key-type" session --key-type big_key emu/0f:00.0
expect 2 "contradict" session --keep --end emu/0f:00.0
# mutual authentication: the device asks (encap or GET_DIGESTS implied), we
# sign FINISH with a throwaway identity (the emulated device takes chains that
# end in their own root)
for m in encap get_digests; do
	printf '{"mutual_auth": "%s"}\n' $m >"$tmp/mut.json"
	"$doe" session -j --mutual --emu-spdm 0f:00.0="$tmp/mut.json" emu/0f:00.0 >"$tmp/s.json" &&
		jq -e '.mutual and .established and .ended' "$tmp/s.json" >/dev/null && ok ||
		bad "session --mutual ($m): $(head -c 400 "$tmp/s.json")"
done
"$doe" session -j --emu-spdm 0f:00.0="$tmp/mut.json" emu/0f:00.0 >"$tmp/s.json" &&
	jq -e '.mutual == false and .established' "$tmp/s.json" >/dev/null && ok ||
	bad "session without --mutual against a device that asks: $(head -c 400 "$tmp/s.json")"
expect 2 "expected KEY.pem,CHAIN.pem" session --mutual --identity nocomma emu/0f:00.0
expect 2 "none.key: No such file" session --mutual --identity "$tmp/none.key,$tmp/none.pem" emu/0f:00.0
expect 2 "go with --mutual" session --identity a,b emu/0f:00.0
spdm_bad '{"mutual_auth": "always"}' "mutual_auth: 'always' is not encap or get_digests"
expect 2 "--keyring" session --keyring=@x --measurements none emu/0f:00.0
# the hand-off: a user key with the session's description; --end revokes it
if "$doe" session -j --keyring @u --key-type user --end --measurements none emu/0d:00.0 >"$tmp/k.json" 2>"$tmp/err"; then
	serial=$(jq -r .key_serial "$tmp/k.json")
	sid=$(jq -r .session_id "$tmp/k.json")
	line=$(grep "doekit:spdm:emu/0000:0d:00.0:$sid" /proc/keys)
	if [ -n "$line" ] && [ "$(printf '%x' "$serial")" = "$(printf '%s' "$line" | awk '{print $1}' | sed 's/^0*//')" ] &&
		printf '%s' "$line" | awk '{print $2}' | grep -q R; then ok
	else bad "session --keyring: key $serial $sid not found revoked in /proc/keys: $line"; fi
	"$doe" session -j --keyring=@p --key-type user --measurements none emu/0d:00.0 >"$tmp/k.json" &&
		jq -e '.ended == false and (.key_serial | type) == "number"' "$tmp/k.json" >/dev/null && ok ||
		bad "session --keyring leaves the session open: $(cat "$tmp/k.json")"
elif grep -q "keyctl refused" "$tmp/err"; then
	echo "SKIP session --keyring: $(cat "$tmp/err")"
else
	bad "session --keyring: $(cat "$tmp/err")"
fi

# @s when this process has no session keyring of its own: the kernel would
# make an anonymous one that dies with doe, and the key with it; doe puts it
# in the user-session keyring, which @s then names for every later command
if command -v keyctl >/dev/null &&
	"$doe" session -j --keyring @s --key-type user --measurements none emu/0d:00.0 >"$tmp/ks.json" 2>"$tmp/err"; then
	kser=$(jq -r .key_serial "$tmp/ks.json")
	keyctl show @s 2>/dev/null | grep -q "^ *$kser .*doekit:spdm:emu/0000:0d:00.0:" && ok ||
		bad "session --keyring @s: key $kser is not in @s after doe exited: $(keyctl show @s 2>&1 | head -5)"
	keyctl revoke "$kser" 2>/dev/null
fi

# --- a kept session reused by another command (doe ide --session), then
# ended (doe session --end --session): the device behind doe emulate --listen
# keeps a session whose client ended with CONTINUE; keys travel in a user key
expect 2 "--session ID goes with --end alone" session --session 1 --keep emu/0f:00.0
expect 2 "bad value 'xyz' for --session" session --end --session xyz emu/0f:00.0
expect 2 "bad value '123456789' for --session" ide --setup --stream 1 --session 123456789 emu/0f:00.0
expect 2 "bad value '0' for --session" ide --setup --stream 1 --session 0 emu/0f:00.0
expect 2 "--psk and --trust are for a new one" ide --setup --stream 1 --session 1 --psk 00 emu/0f:00.0
expect 2 "--session goes with --setup" ide --session 1 emu/0f:00.0
expect 2 "is emulated in this process" ide --setup --stream 1 --session 1 emu/0f:00.0
expect 2 "is emulated in this process" session --end --session 1 emu/0f:00.0
"$doe" emulate --listen tcp:127.0.0.1:0 --export-root "$tmp/rk.pem" >"$tmp/lk" 2>&1 &
kpid=$!
port=""
for _ in $(seq 50); do
	port=$(sed -n 's/^listening on port \([0-9]*\).*/\1/p' "$tmp/lk")
	[ -n "$port" ] && break
	sleep 0.1
done
keep() { # -> "SESSION_ID KEY_SERIAL" of a session kept with a user key
	"$doe" session -j --keyring @u --key-type "${1:-user}" --trust "$tmp/rk.pem" --measurements none \
		"tcp:127.0.0.1:$port" >"$tmp/kk.json" 2>"$tmp/err" &&
		jq -r '"\(.session_id) \(.key_serial)"' "$tmp/kk.json"
}
if [ -z "$port" ]; then
	bad "emulate --listen for --session did not start: $(cat "$tmp/lk")"
elif ! read -r sid key < <(keep); then
	if grep -q "keyctl refused" "$tmp/err"; then echo "SKIP ide --session: $(cat "$tmp/err")"
	else bad "session --keyring over tcp: $(cat "$tmp/err")"; fi
else
	dev="tcp:127.0.0.1:$port"
	# a key whose binding is not the transport's (a --trans typo) is refused
	# before anything is sent; the session and its key stay good
	expect 1 "was set up over PCIe DOE, this transport is MCTP" \
		ide --setup --stream 1 --trans mctp --session "$sid" "$dev"
	# twice in the same session: the key carries the sequence numbers on
	for s in 1 2; do
		"$doe" ide -j --setup --stream "$s" --refresh --session "$sid" "$dev" >"$tmp/ik.json" 2>"$tmp/err" &&
			jq -e --arg s "$sid" --argjson k "$key" '.session.id == $s and .session.resumed and
				.session.key == $k and .session.key_state == "sequence numbers updated" and
				(.steps | length) == 32 and all(.steps[]; .ok) and
				([.substreams[].status] | unique) == ["live"]' "$tmp/ik.json" >/dev/null && ok ||
			bad "ide --session (run $s): $(cat "$tmp/err") $(head -c 600 "$tmp/ik.json")"
	done
	grep -q "doekit:spdm:$dev:$sid" /proc/keys && ok || bad "ide --session removed the key"
	# one command per kept session at a time: the same sequence numbers
	# twice would be the same AEAD nonces (the key's lock, held here by flock)
	mkdir -p "$tmp/locks"
	if command -v flock >/dev/null; then
		flock -o "$tmp/locks/doekit-key-$key.lock" sleep 5 &
		fpid=$!
		sleep 0.3
		DOE_LOCK_DIR="$tmp/locks" expect 1 "another doekit command is using the session of key $key" \
			ide --setup --stream 1 --session "$sid" "$dev"
		kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null
		DOE_LOCK_DIR="$tmp/locks" expect 0 "" ide --setup --stream 1 --session "$sid" "$dev"
	fi
	# the key's payload from before those runs: the device has seen its
	# sequence numbers, refuses, the session is over and the key revoked
	if command -v keyctl >/dev/null; then
		keyctl pipe "$key" >"$tmp/fresh.bin" || bad "keyctl pipe $key"
		"$doe" ide --setup --stream 3 --session "$sid" "$dev" >/dev/null 2>&1 || bad "ide --session (3)"
		keyctl pupdate "$key" <"$tmp/fresh.bin"
		expect 1 "the device no longer takes this session" ide --setup --stream 4 --session "$sid" "$dev"
		awk -v d="doekit:spdm:$dev:$sid:" '$0 ~ d { print $2 }' /proc/keys | grep -q R && ok ||
			bad "a failed resumed session leaves its key unrevoked: $(grep "$sid" /proc/keys)"
		expect 1 "no key doekit:spdm:$dev:$sid" ide --setup --stream 1 --session "$sid" "$dev"
	else
		echo "SKIP ide --session with a stale key: no keyctl (apt-get install keyutils)"
	fi
	# another kept session, ended from a third command: the key goes, and
	# the device no longer has the session (END_SESSION reached it)
	if read -r sid key < <(keep); then
		"$doe" session -j --end --session "$sid" "$dev" >"$tmp/ek.json" 2>"$tmp/err" &&
			jq -e --arg s "$sid" '.session_id == $s and .ended and .key_revoked' "$tmp/ek.json" >/dev/null &&
			ok || bad "session --end --session: $(cat "$tmp/err") $(cat "$tmp/ek.json")"
		expect 1 "no key doekit:spdm:$dev:$sid" session --end --session "$sid" "$dev"
	else
		bad "second kept session: $(cat "$tmp/err")"
	fi
	# a logon key (the default) is the kernel's: doe cannot read it back
	if read -r sid key < <(keep logon); then
		expect 1 "is a logon key" ide --setup --stream 1 --session "$sid" "$dev"
		command -v keyctl >/dev/null && keyctl revoke "$key"
	else
		bad "kept session with a logon key: $(cat "$tmp/err")"
	fi
	# a session ID with no key at all
	expect 1 "no key doekit:spdm:$dev:0badcafe" ide --setup --stream 1 --session 0xBADCAFE "$dev"
	# a key of ours in name only: the wrong size, or 124 zero bytes; refused
	# by name, nothing sent, the key left as it is
	if command -v keyctl >/dev/null; then
		fk=$(printf 'short' | keyctl padd user "doekit:spdm:$dev:00000bad" @u)
		expect 1 "5 bytes, a session payload has 124" ide --setup --stream 1 --session bad "$dev"
		head -c 124 /dev/zero | keyctl pupdate "$fk"
		expect 1 "keyring payload: no DKSP magic" ide --setup --stream 1 --session bad "$dev"
		keyctl describe "$fk" >/dev/null 2>&1 && ok || bad "a refused payload's key was revoked"
		keyctl revoke "$fk"
	fi
	# the server parks at most 8 departed clients' responders, the oldest
	# dropped first: of 9 kept sessions the first is gone, the last works
	first=""; last=""; lkey=""
	for _ in $(seq 9); do
		read -r s k < <(keep) || { bad "kept session: $(cat "$tmp/err")"; break; }
		[ -z "$first" ] && first=$s
		last=$s; lkey=$k
	done
	expect 1 "the device no longer takes this session" session --end --session "$first" "$dev"
	expect 0 "" session --end --session "$last" "$dev"
	grep "doekit:spdm:$dev:" /proc/keys | grep -v " R" | awk '{print $1}' | while read -r hex; do
		command -v keyctl >/dev/null && keyctl revoke $((16#$hex)) 2>/dev/null
	done
fi
kill "$kpid" 2>/dev/null; wait "$kpid" 2>/dev/null

# --- sessions over the socket: doe session against doe emulate --listen, both
# framings that carry secured messages (MCTP type 0x06, DOE type 2), KEY_EXCHANGE
# and PSK (a hint given as hex: DMTF's sample one ends in a NUL)
hint=5465737450736b48696e7400	# "TestPskHint\0"
for tr in pci-doe mctp; do
	: >"$tmp/ls"	# truncated now: the child may start after the grep below
	"$doe" emulate --listen tcp:127.0.0.1:0 --trans $tr --export-root "$tmp/rs.pem" \
		--psk 00112233445566778899aabbccddeeff --psk-hint-hex $hint >"$tmp/ls" 2>&1 &
	lpid=$!
	for _ in $(seq 50); do grep -q "listening on port" "$tmp/ls" && break; sleep 0.1; done
	port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$tmp/ls")
	timeout 20 "$doe" session -j --trans $tr --trust "$tmp/rs.pem" --heartbeat 2 --key-update \
		tcp:127.0.0.1:"$port" >"$tmp/s.json" 2>"$tmp/err" &&
		jq -e '.established and .ended and .session_type == "key_exchange" and .heartbeats == 2 and
			.key_update and .measurements_verified and (.measurements | length) == 4' \
			"$tmp/s.json" >/dev/null && ok || bad "session --trans $tr: $(head -c 300 "$tmp/s.json" "$tmp/err")"
	timeout 20 "$doe" session -j --trans $tr --psk 00112233445566778899aabbccddeeff --psk-hint-hex $hint \
		--key-update tcp:127.0.0.1:"$port" >"$tmp/s.json" 2>"$tmp/err" &&
		jq -e '.established and .ended and .session_type == "psk" and .key_update' "$tmp/s.json" >/dev/null &&
		ok || bad "session --trans $tr --psk: $(head -c 300 "$tmp/s.json" "$tmp/err")"
	expect 1 "ResponderVerifyData does not match" session --trans $tr --psk 0011 --psk-hint-hex $hint tcp:127.0.0.1:"$port"
	# the hint is opaque bytes: without its NUL it names no key
	expect 1 "PSK_EXCHANGE" session --trans $tr --psk 00112233445566778899aabbccddeeff --psk-hint TestPskHint tcp:127.0.0.1:"$port"
	# a framing other than the server's is refused, not misread
	other=mctp; [ $tr = mctp ] && other=pci-doe
	expect 1 "transport" session --trans $other --trust "$tmp/rs.pem" tcp:127.0.0.1:"$port"
	kill "$lpid"; wait "$lpid" 2>/dev/null
	# the served device's fault knob reaches the socket's sessions too
	: >"$tmp/ls"	# truncated now: the child may start after the grep below
	"$doe" emulate --listen tcp:127.0.0.1:0 --trans $tr --export-root "$tmp/rs.pem" \
		--emu-spdm 0f:00.0="$tmp/cvd.json" --device 0f:00.0 >"$tmp/ls" 2>&1 &
	lpid=$!
	for _ in $(seq 50); do grep -q "listening on port" "$tmp/ls" && break; sleep 0.1; done
	port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$tmp/ls")
	expect 1 "ResponderVerifyData does not match" session --trans $tr --trust "$tmp/rs.pem" tcp:127.0.0.1:"$port"
	kill "$lpid"; wait "$lpid" 2>/dev/null
done
# a key this libcrypto cannot sign SPDM 1.2+ with (Ed448 before OpenSSL 3.2) is
# refused when the listener starts, not at each client
case $(openssl version | awk '{print $2}') in
3.0.*|3.1.*)
	if openssl genpkey -algorithm ed448 -out "$tmp/e448.key" 2>/dev/null &&
		openssl req -x509 -key "$tmp/e448.key" -out "$tmp/e448.pem" -subj "/CN=e448" -days 30 \
			-addext basicConstraints=critical,CA:true >/dev/null 2>&1; then
		expect_fast 1 "EdDSA-Ed448 not supported" emulate --listen tcp:127.0.0.1:0 \
			--identity "$tmp/e448.key,$tmp/e448.pem" --asym ed448
	fi ;;
esac
expect 2 "--trans none cannot carry secured messages" session --trans none tcp:127.0.0.1:9
expect 2 "--trans (pci-doe, mctp)" session --trans tcp tcp:127.0.0.1:9
expect 2 "--psk-hint needs --psk" emulate --listen tcp:127.0.0.1:0 --psk-hint a
expect 2 "--psk is for --listen" emulate --list-profiles --psk 00
expect 2 "--psk (2 to 128 hex digits)" emulate --listen tcp:127.0.0.1:0 --psk xyz
expect 2 "--psk-hint-hex" emulate --listen tcp:127.0.0.1:0 --psk 00 --psk-hint-hex 0g

# --- topology attestation (issue 11): the tree, verdicts down it, enforcement
golden topology.txt attest --topology emu
echo '{"corrupt_signature": true}' >"$tmp/cs.json"
"$doe" attest --topology emu --emu-spdm 0d:00.0="$tmp/cs.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && ok || bad "topology with a rejected switch: exit $rc"
grep -q '^`-0000:0d:00.0  CXL switch upstream port  rejected: CHALLENGE_AUTH' "$tmp/out" && ok ||
	bad "topology: the switch is not rejected: $(cat "$tmp/out")"
[ "$(grep -c 'untrusted_path: below emu/0000:0d:00.0, which is rejected' "$tmp/out")" = 4 ] && ok ||
	bad "topology: not exactly the 4 functions below the switch are untrusted_path"
grep -q '0000:20:00.0  NVMe controller (function 0)  authorized' "$tmp/out" && ok ||
	bad "topology: a device beside the switch is not authorized"
grep -q '^plan: disable the link of emu/0000:00:01.0 (above emu/0000:0d:00.0, rejected)$' "$tmp/out" &&
	ok || bad "topology: no enforcement plan without --enforce"
grep -q '^gone:' "$tmp/out" && bad "topology: a plan removed something" || ok
# --enforce: exactly the switch's subtree leaves config space
"$doe" attest --topology emu --emu-spdm 0d:00.0="$tmp/cs.json" --enforce >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "topology --enforce: exit code"
grep '^gone:' "$tmp/out" | sort >"$tmp/gone"
printf 'gone: emu/0000:%s\n' 0d:00.0 0e:00.0 0e:01.0 0f:00.0 10:00.0 | sort >"$tmp/want"
diff "$tmp/want" "$tmp/gone" >/dev/null && ok || bad "topology --enforce removed: $(cat "$tmp/gone")"
# ... and doe list of that topology lost exactly those functions
"$doe" list emu | grep '^emu/' | sort >"$tmp/before"
"$doe" attest --topology emu --emu-spdm 0d:00.0="$tmp/cs.json" --enforce --then-list >"$tmp/out" 2>"$tmp/err"
sed -n '/^\$ doe list/,$p' "$tmp/out" | grep '^emu/' | sort >"$tmp/after"
comm -23 "$tmp/before" "$tmp/after" | cut -d' ' -f1 >"$tmp/lost"
printf 'emu/0000:%s\n' 0d:00.0 0e:00.0 0e:01.0 0f:00.0 10:00.0 >"$tmp/want"
diff "$tmp/want" "$tmp/lost" >/dev/null && ok || bad "doe list after --enforce lost: $(cat "$tmp/lost")"
comm -13 "$tmp/before" "$tmp/after" | grep -q . && bad "doe list after --enforce gained functions" || ok
expect 2 'needs --topology' attest --then-list emu/0f:00.0
expect 2 'for text output' attest --topology -j --then-list emu
# -j: one bundle, the tree with verdicts and evidence
"$doe" attest --topology -j emu --emu-spdm 0d:00.0="$tmp/cs.json" >"$tmp/b.json" 2>"$tmp/err"
[ "$(jq -r '.doekit_bundle' "$tmp/b.json")" = 1 ] && ok || bad "topology -j: not a bundle"
[ "$(jq -c '.summary' "$tmp/b.json")" = '{"authorized":4,"rejected":1,"unreachable":0,"untrusted_path":4}' ] &&
	ok || bad "topology -j summary: $(jq -c .summary "$tmp/b.json")"
# the bundle holds the attested functions (the host bridge has no CMA)
[ "$(jq -r '.devices[0].children[0].children[0].children[0] | .device + " " + .verdict + " " + .reasons[0].check + " " + .reasons[0].got' "$tmp/b.json")" = \
  "emu/0000:0f:00.0 untrusted_path trusted_path below emu/0000:0d:00.0, which is rejected" ] && ok ||
	bad "topology -j: the endpoint below the switch"
[ "$(jq -r '.devices[0].children[0].evidence.verified' "$tmp/b.json")" = false ] && ok ||
	bad "topology -j: the switch's evidence"
# verify-evidence re-derives every verdict of the bundle offline; the
# emulated devices' roots (made afresh by each run) play the anchors the
# operator would hold
mkdir -p "$tmp/roots"
jq -r '.. | objects | select(has("certificate_chain")) | .certificate_chain[0].pem' "$tmp/b.json" |
	awk -v d="$tmp/roots" '/BEGIN/{n++} {print > (d "/r" n ".pem")}'
echo '{}' >"$tmp/tp.json"
"$doe" verify-evidence --policy "$tmp/tp.json" --trust "$tmp/roots" -j "$tmp/b.json" >"$tmp/vb.json" 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "verify-evidence of a topology bundle: exit code ($(cat "$tmp/err"))"
grep -q "differ" "$tmp/err" && bad "verify-evidence: recorded verdicts differ: $(cat "$tmp/err")" || ok
[ "$(jq -c '[.. | objects | select(has("verdict")) | .verdict] | group_by(.) | map({(.[0]): length}) | add' "$tmp/vb.json")" = \
  '{"authorized":4,"rejected":1,"untrusted_path":4}' ] && ok || bad "verify-evidence of the bundle: $(head -c 400 "$tmp/vb.json")"
# a deep topology (8 switches in a chain, 18 attested levels): its bundle
# nests 40 JSON levels, and verify-evidence reads it back whole
"$doe" attest --topology -j emu:cascade >"$tmp/cb.json" 2>"$tmp/err" &&
	[ "$(jq -c '.summary' "$tmp/cb.json")" = '{"authorized":18,"rejected":0,"unreachable":0,"untrusted_path":0}' ] &&
	[ "$(jq '[paths(type == "object" or type == "array") | length] | max' "$tmp/cb.json")" -ge 32 ] &&
	ok || bad "topology -j emu:cascade: $(cat "$tmp/err") $(jq -c .summary "$tmp/cb.json")"
mkdir -p "$tmp/croots"
jq -r '.. | objects | select(has("certificate_chain")) | .certificate_chain[0].pem' "$tmp/cb.json" |
	awk -v d="$tmp/croots" '/BEGIN/{n++} {print > (d "/r" n ".pem")}'
"$doe" verify-evidence --policy "$tmp/tp.json" --trust "$tmp/croots" -j "$tmp/cb.json" >"$tmp/vcb.json" 2>"$tmp/err" &&
	[ "$(jq '[.. | objects | select(has("verdict")) | .verdict] | unique' -c "$tmp/vcb.json")" = '["authorized"]' ] &&
	ok || bad "verify-evidence of the cascade bundle: $(head -c 300 "$tmp/err")"
# a bundle whose recorded verdict was edited is caught
jq '.devices[0].children[0].children[0].children[0].verdict = "authorized"' "$tmp/b.json" >"$tmp/b2.json"
expect 1 "differ" verify-evidence --policy "$tmp/tp.json" --trust "$tmp/roots" "$tmp/b2.json"
jq '.summary.rejected = 0' "$tmp/b.json" >"$tmp/b2.json"
expect 1 "summary.rejected: recorded 0, derived 1" verify-evidence --policy "$tmp/tp.json" --trust "$tmp/roots" "$tmp/b2.json"
jq '.summary.extra = 0' "$tmp/b.json" >"$tmp/b2.json"
expect 1 "extra" verify-evidence --policy "$tmp/tp.json" --trust "$tmp/roots" "$tmp/b2.json"
# a device that never answers is unreachable, below it untrusted
"$doe" attest --topology emu:faulty --deadline 5 -t 200 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "topology emu:faulty: exit code"
grep -q '0000:0d:00.0  CXL type 3 memory device  unreachable' "$tmp/out" && ok ||
	bad "topology emu:faulty: 0d:00.0 is not unreachable: $(cat "$tmp/out")"
# fleet: every endpoint and switch, concurrently
"$doe" attest --topology emu:fleet:70 --jobs 2 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ok || bad "topology emu:fleet:70: $(tail -3 "$tmp/out") $(cat "$tmp/err")"
tail -1 "$tmp/out" | grep -qx '73 authorized, 0 rejected, 0 unreachable, 0 untrusted_path' && ok ||
	bad "topology fleet:70: $(tail -1 "$tmp/out")"
# options parsed strictly, and only with --topology
expect 2 'jobs (1-256)' attest --topology --jobs 0 emu
expect 2 'jobs (1-256)' attest --topology --jobs 1x emu
expect 2 'enforce (no value, or =remove)' attest --topology --enforce=yes emu
expect 2 'needs --topology' attest --jobs 2 emu/0f:00.0
expect 2 'needs --topology' attest --enforce emu/0f:00.0
expect 2 'at most one scope' attest --topology emu emu:direct
expect 2 'needs --raw' attest --topology
expect 2 'expected fleet:N' attest --topology emu:fleet:0
# --- MCTP (issue 10): mctp:[NET,]EID over AF_MCTP, emu[:PROFILE]/mctp:EID in process
# A kernel without MCTP (every build machine so far) must say so, exit 1; a
# kernel with it has no route to EID 8 here, or no answer: a named failure.
for cmd in attest session; do
	"$doe" $cmd --timeout 200 mctp:8 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if grep -q "no MCTP support" "$tmp/err"; then
		if [ $rc -eq 1 ] && grep -qF "doe: mctp:8: this kernel has no MCTP support (AF_MCTP, CONFIG_MCTP)" "$tmp/err"; then
			ok
		else
			bad "doe $cmd mctp:8 (no AF_MCTP): exit $rc: $(cat "$tmp/err")"
		fi
	elif [ $rc -eq 1 ] && grep -q "mctp:8: " "$tmp/err"; then
		ok
	else
		bad "doe $cmd mctp:8: exit $rc: $(cat "$tmp/err")"
	fi
done
expect 2 "EID 0 is the null EID" attest mctp:0
expect 2 "EID 255 is the broadcast address" attest mctp:255
expect 2 "EID must be a number 1..254" attest mctp:1,2,3
expect 2 "EID must be a number 1..254" attest mctp:x
expect 2 "EID must be a number 1..254" attest mctp:+8
expect 2 "EID must be a number 1..254" attest "mctp: 8"
expect 2 "EID must be a number 1..254" session mctp:
expect 2 "network must be a number 0..4294967295" attest mctp:4294967296,8
expect 2 "network must be a number" session mctp:-1,8
expect 2 "the emulated MCTP network has no network numbers" attest emu/mctp:1,8
expect 2 "EID 0 is the null EID" attest emu/mctp:0
expect 2 "unknown emulator profile 'nope'" attest emu:nope/mctp:8
expect 2 "EID 9" attest emu/mctp:9
# The emulated switch's endpoint (EID 8) comes with the emulated MCTP network
# (emu/mctp.c); until that is in the build, emu_mctp_open() finds no endpoint.
"$doe" attest emu/mctp:8 >"$tmp/out" 2>"$tmp/err"
rc=$?
if grep -q "no MCTP endpoint at EID 8" "$tmp/err"; then
	echo "cli: SKIP emu/mctp:8 (this build has no emulated MCTP network yet)"
else
	[ $rc -eq 0 ] && grep -q "CMA/SPDM over MCTP (emulated network)" "$tmp/out" &&
		grep -q "verdict        verified" "$tmp/out" && ok ||
		bad "doe attest emu/mctp:8: exit $rc: $(cat "$tmp/err")"
	[ "$("$doe" attest -j emu:cxl-switch/mctp:8 | jq -r '.verified, .transport' | tr '\n' ' ')" = \
		"true MCTP (emulated network) " ] && ok || bad "doe attest -j emu:cxl-switch/mctp:8"
	expect 0 "" session emu/mctp:8
	expect 0 "" session --key-update --heartbeat 2 emu/mctp:8
fi

# --- CXL FM-API (issue 10): doe fm against the emulated switch (emu/mctp:8);
# each run is a fresh topology, so the goldens start from the profile's state
golden fm_identify.txt fm emu/mctp:8 identify
golden fm_identify.json fm -j emu/mctp:8 identify
golden fm_switch.txt fm emu/mctp:8 switch
golden fm_switch.json fm -j emu/mctp:8 switch
golden fm_ports.txt fm emu/mctp:8 ports
golden fm_ports.json fm -j emu/mctp:8 ports
golden fm_vcs.txt fm emu/mctp:8 vcs
golden fm_vcs.json fm -j emu:cxl-switch/mctp:8 vcs --vcs 0
golden fm_ld_info.txt fm emu/mctp:8 ld-info
golden fm_ld_info.json fm -j emu/mctp:8 ld-info --port 1
golden fm_unbind.txt fm emu/mctp:8 unbind --vcs 0 --vppb 1
golden fm_unbind.json fm -j emu/mctp:8 unbind --vcs 0 --vppb 1
golden fm_perst.txt fm emu/mctp:8 port-control --port 1 --perst-assert
"$doe" fm -j emu/mctp:8 port-control --port 2 --reset | jq -e '.return_code == "success" and
	.port_opcode == "reset-ppb" and .emulator_below_port == [{"function": "emu/0000:10:00.0",
	"present": true, "was_present": true}]' >/dev/null && ok || bad "fm port-control --reset -j"
# one model, two views: after an unbind, doe list of the same topology no longer
# shows the device below the port (--then-list); a fresh topology still does
"$doe" fm -j emu/mctp:8 unbind --vcs 0 --vppb 1 --then-list >"$tmp/fl.json" &&
	jq -e '[.list[].device] | (index("emu/0000:10:00.0") == null) and
		(index("emu/0000:0f:00.0") != null) and (index("emu/0000:0e:01.0") != null)' \
		"$tmp/fl.json" >/dev/null && ok || bad "fm unbind --then-list: $(head -c 300 "$tmp/fl.json")"
"$doe" list -j emu | jq -e '[.[].device] | index("emu/0000:10:00.0") != null' >/dev/null && ok ||
	bad "doe list emu lacks 0000:10:00.0"
"$doe" fm emu/mctp:8 port-control --port 1 --perst-assert --then-list >"$tmp/fl.txt" &&
	! grep -q "^emu/0000:0f:00.0 " "$tmp/fl.txt" && grep -q "^emu/0000:10:00.0 " "$tmp/fl.txt" &&
	ok || bad "fm port-control --then-list: $(head -c 300 "$tmp/fl.txt")"
expect 2 "fm: --then-list follows bind, unbind or port-control" fm emu/mctp:8 ports --then-list
# LD info is the device's CDAT as served: a table of the user's changes it
"$doe" cdat -j emu/0f:00.0 | jq '(.structures[] | select(.type == "DSMAS" and .dsmad_handle == 1) |
	.dpa_length) = 1073741824' >"$tmp/fm_cdat.json" && "$doe" cdat --encode "$tmp/fm_cdat.json" -o "$tmp/fm_cdat.bin" &&
	"$doe" fm -j --emu-cdat 0f:00.0="$tmp/fm_cdat.bin" emu/mctp:8 ld-info |
	jq -e '[.logical_devices[] | [.port_id, .memory_size]] == [[1, 1342177280], [2, 536870912]]' >/dev/null &&
	ok || bad "fm ld-info with --emu-cdat"
# the device's refusal is exit 1, naming the return code
expect 1 "bind-vppb (0x5201): device returned invalid-input" fm emu/mctp:8 bind --vcs 0 --vppb 1 --port 2
expect 1 "bind-vppb (0x5201): device returned invalid-input" fm emu/mctp:8 bind --vcs 3 --vppb 0 --port 2
expect 1 "port-control" fm emu/mctp:8 port-control --port 0 --perst-assert
expect 1 "tunnelled to port 7" fm emu/mctp:8 ld-info --port 7
# usage (exit 2): every integer strictly, options per command
expect 2 "fm bind needs --vppb" fm emu/mctp:8 bind --vcs 0 --port 2
expect 2 "fm port-control needs --reset, --perst-assert or --perst-deassert" fm emu/mctp:8 port-control --port 1
expect 2 "fm identify does not take --port" fm emu/mctp:8 identify --port 1
expect 2 "fm unbind does not take --ld" fm emu/mctp:8 unbind --vcs 0 --vppb 1 --ld 0
expect 2 "bad value '07' for --port" fm emu/mctp:8 port-control --port 07 --reset
expect 2 "bad value '256' for --port" fm emu/mctp:8 port-control --port 256 --reset
expect 2 "bad value '-1' for --vcs" fm emu/mctp:8 vcs --vcs -1
expect 2 "bad value '0x1' for --vppb" fm emu/mctp:8 unbind --vcs 0 --vppb 0x1
expect 2 "bad value '65535' for --ld" fm emu/mctp:8 bind --vcs 0 --vppb 1 --port 2 --ld 65535
expect 2 "--port given twice" fm emu/mctp:8 ld-info --port 1 --port 2
expect 2 "one of --reset, --perst-assert, --perst-deassert" fm emu/mctp:8 port-control --port 1 --reset --perst-assert
expect 2 "fm: unknown command 'frob'" fm emu/mctp:8 frob
expect 2 "fm: expected DEV and a command" fm emu/mctp:8
expect 2 "is not an MCTP endpoint" fm emu/0f:00.0 identify
expect 2 "no MCTP endpoint at EID 9 in emulator profile 'cxl-switch' (endpoints: 8)" fm emu/mctp:9 identify
expect 2 "emulator profile 'direct' (it has no MCTP endpoints)" fm emu:direct/mctp:8 identify
expect 2 "--fm-fault 'slow'" fm --fm-fault slow emu/mctp:8 identify
# the fault knobs: exit 1, the message says what went wrong
expect 1 "identify (0x0001): device returned busy" fm --fm-fault busy emu/mctp:8 identify
expect 1 "expected tag" fm --fm-fault wrong-tag emu/mctp:8 identify
expect 1 "payload length field says 73 bytes, 69 present" fm --fm-fault truncate emu/mctp:8 switch
expect 1 "background operation still running after 200 ms (50% complete)" \
	fm --timeout 200 --fm-fault bg-never emu/mctp:8 unbind --vcs 0 --vppb 0
# a real AF_MCTP endpoint: this kernel may have no MCTP at all
"$doe" fm --timeout 200 mctp:8 identify >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "mctp:8: " "$tmp/err" && ok || bad "doe fm mctp:8: exit $rc: $(cat "$tmp/err")"

# --- doe emulate --listen --trans mctp: the switch's endpoint on the socket
# protocol, FM-API and SPDM; one topology for every connection
: >"$tmp/lfm"	# empty now: the listener's own redirection may come after the wait starts
"$doe" emulate --listen tcp:127.0.0.1:0 --trans mctp --export-root "$tmp/fm_root.pem" >"$tmp/lfm" 2>&1 &
lpid=$!
for _ in $(seq 50); do grep -q "listening on port" "$tmp/lfm" && break; sleep 0.1; done
port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$tmp/lfm")
grep -qF "emu/mctp:8 (FM-API, and SPDM as emu/0000:0d:00.0, CXL switch upstream port), transport mctp" \
	"$tmp/lfm" && ok || bad "emulate --trans mctp banner: $(cat "$tmp/lfm")"
diff <("$doe" fm -j emu/mctp:8 identify | jq -S 'del(.device)') \
	<("$doe" fm -j tcp:127.0.0.1:"$port" identify | jq -S 'del(.device)') >"$tmp/diff" && ok ||
	bad "fm identify over tcp differs: $(cat "$tmp/diff")"
expect 0 "" fm tcp:127.0.0.1:"$port" unbind --vcs 0 --vppb 0
"$doe" fm -j tcp:127.0.0.1:"$port" vcs | jq -e '.vcss[0].vppbs[0].binding_status == "unbound" and
	.vcss[0].vppbs[1].binding_status == "bound-port"' >/dev/null && ok ||
	bad "fm vcs over tcp after unbind on another connection"
"$doe" fm -j tcp:127.0.0.1:"$port" ld-info | jq -e '.logical_devices == [{"port_id": 2,
	"memory_size": 536870912, "ld_count": 1, "qos_telemetry_capability":
	{"egress_port_congestion": false, "temporary_throughput_reduction": false}}]' >/dev/null &&
	ok || bad "fm ld-info over tcp after unbinding port 1"
expect 0 "" attest --trans mctp --trust "$tmp/fm_root.pem" tcp:127.0.0.1:"$port"
expect 1 "FM-API" fm tcp:127.0.0.1:"$port" bind --vcs 0 --vppb 1 --port 1
expect 2 "--then-list is for an emulated DEV" fm tcp:127.0.0.1:"$port" unbind --vcs 0 --vppb 1 --then-list
expect 0 "" fm tcp:127.0.0.1:"$port" unbind --vcs 0 --vppb 1
"$doe" fm tcp:127.0.0.1:"$port" ld-info >"$tmp/out" 2>&1 &&
	[ "$(cat "$tmp/out")" = "tcp:127.0.0.1:$port: no logical device reachable" ] && ok ||
	bad "fm ld-info with every vPPB unbound: $(cat "$tmp/out")"
kill "$lpid"; wait "$lpid" 2>/dev/null
: >"$tmp/lfm"	# empty now: the listener's own redirection may come after the wait starts
"$doe" emulate --listen tcp:127.0.0.1:0 --trans mctp --fm-fault busy >"$tmp/lfm" 2>&1 &
lpid=$!
for _ in $(seq 50); do grep -q "listening on port" "$tmp/lfm" && break; sleep 0.1; done
port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$tmp/lfm")
expect 1 "device returned busy" fm tcp:127.0.0.1:"$port" switch
kill "$lpid"; wait "$lpid" 2>/dev/null
expect_fast 2 "--fm-fault is for the MCTP endpoint" emulate --listen tcp:127.0.0.1:0 --trans mctp --device 0f:00.0 --fm-fault busy
expect_fast 2 "--fm-fault is for the MCTP endpoint" emulate --listen tcp:127.0.0.1:0 --trans pci-doe --fm-fault busy
expect_fast 2 "--fm-fault 'never'" emulate --listen tcp:127.0.0.1:0 --trans mctp --fm-fault never

# --- doe ide (issue 12): the IDE capability, IDE_KM inside a session -------
golden ide_type3.txt ide emu/0000:0f:00.0
golden ide_rootport.json ide -j emu/00:01.0
"$doe" ide --setup --stream 3 emu/0f:00.0 >"$tmp/out" 2>&1 && grep -q "link state: secure" "$tmp/out" &&
	grep -q "K_SET_GO K0 Tx CPL  *ok" "$tmp/out" && grep -q "host end: emu/0000:00:01.0" "$tmp/out" &&
	ok || bad "ide --setup: $(head -c 600 "$tmp/out")"
"$doe" ide -j --setup --stream 7 --link --refresh emu/0f:00.0 >"$tmp/i.json" &&
	jq -e '.device == "emu/0000:0f:00.0" and .stream_id == 7 and .port_index == 0 and
		.kind == "link" and .state == "secure" and (.substreams | length) == 6 and
		all(.substreams[]; .key_set == 1 and .status == "live") and
		([.substreams[] | .direction] | sort) == ["Rx","Rx","Rx","Tx","Tx","Tx"] and
		.ide.link_streams[0].state == "insecure" and (.steps | length) > 30' "$tmp/i.json" >/dev/null &&
	ok || bad "ide -j --refresh: $(head -c 600 "$tmp/i.json")"
# the switch's upstream port answers for its ports: PortIndex 1 and 2 are
# its downstream ports, whose own Stream Control and link the keys are for
for p in 1:0e:00.0 2:0e:01.0; do
	"$doe" ide -j --setup --stream 5 --port-index "${p%%:*}" emu/0d:00.0 >"$tmp/i.json" &&
		jq -e --argjson i "${p%%:*}" --arg d "emu/0000:${p#*:}" '.port_index == $i and
			.port_device == $d and .state == "secure"' "$tmp/i.json" >/dev/null &&
		ok || bad "ide --port-index ${p%%:*} on the switch: $(head -c 600 "$tmp/i.json")"
done
expect 1 "IDE_KM QUERY: the device answered ERROR InvalidRequest" ide --setup --stream 5 --port-index 3 emu/0d:00.0
"$doe" ide -j --setup --stream 7 --stop emu/0f:00.0 >"$tmp/i.json" &&
	jq -e '.state == "insecure" and all(.substreams[]; .status == "stopped")' "$tmp/i.json" >/dev/null &&
	ok || bad "ide --stop: $(head -c 600 "$tmp/i.json")"
"$doe" ide --setup --stream 1 --psk 00112233445566778899aabbccddeeff --psk-hint emu \
	--emu-spdm 0f:00.0="$tmp/psk.json" emu/0f:00.0 >"$tmp/out" 2>&1 &&
	grep -q "SPDM session (PSK_EXCHANGE) *ok" "$tmp/out" && grep -q "link state: secure" "$tmp/out" &&
	ok || bad "ide --psk: $(head -c 600 "$tmp/out")"
# over a socket (doe emulate --listen serves the endpoint's IDE_KM in each
# connection's sessions): the device end only; the host end is the platform's
: >"$tmp/li"
"$doe" emulate --listen tcp:127.0.0.1:0 --device 0f:00.0 --export-root "$tmp/ri.pem" >"$tmp/li" 2>&1 &
lpid=$!
for _ in $(seq 50); do grep -q "listening on port" "$tmp/li" && break; sleep 0.1; done
port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$tmp/li")
timeout 20 "$doe" ide -j --setup --stream 9 --refresh --trust "$tmp/ri.pem" tcp:127.0.0.1:"$port" \
	>"$tmp/i.json" 2>"$tmp/err" &&
	jq -e '.state == null and (.host | test("TSM")) and all(.substreams[]; .key_set == 1 and .status == "live") and
		.ide.selective_streams[0].rid_base == 3840 and (has("note") | not)' "$tmp/i.json" >/dev/null &&
	ok || bad "ide over a socket: $(head -c 400 "$tmp/i.json" "$tmp/err")"
timeout 20 "$doe" ide --setup --stream 9 --trust "$tmp/ri.pem" tcp:127.0.0.1:"$port" >"$tmp/out" 2>&1 &&
	grep -q "host end: programmed by the platform's TSM, not by doekit" "$tmp/out" && ! grep -q "link state" "$tmp/out" &&
	ok || bad "ide over a socket, text: $(head -c 400 "$tmp/out")"
kill "$lpid"; wait "$lpid" 2>/dev/null
# each fault knob of the device end, named, exit 1
for f in 'bad-status|KP_ACK: Status 4 (unspecified failure)' 'wrong-stream|KP_ACK: StreamID 4, expected 3' \
	'wrong-keyset|KeySet/Direction/SubStream K1 Rx PR, expected K0 Rx PR' \
	'wrong-port|QUERY_RESP: PortIndex 1, expected 0' 'wrong-object|answered with K_GOSTOP_ACK, expected KP_ACK' \
	'drop-go|session: transport' 'error-go|K_SET_GO: the device answered ERROR Unspecified' \
	'host-mismatch|stream 3: IDE integrity failure'; do
	echo "{\"ide_fault\": \"${f%%|*}\"}" >"$tmp/ide.json"
	expect 1 "${f#*|}" ide --setup --stream 3 --emu-spdm 0f:00.0="$tmp/ide.json" emu/0f:00.0
done
"$doe" ide -j --setup --stream 3 --emu-spdm 0f:00.0="$tmp/ide.json" emu/0f:00.0 >"$tmp/i.json" 2>/dev/null
[ $? -eq 1 ] && jq -e '.state == "integrity-failure" and (.error | test("integrity failure"))' "$tmp/i.json" >/dev/null &&
	ok || bad "ide -j host-mismatch: $(head -c 600 "$tmp/i.json")"
# drop-go: the K_SET_GO step is the one reported failed
echo '{"ide_fault": "drop-go"}' >"$tmp/ide.json"
"$doe" ide --setup --stream 3 --emu-spdm 0f:00.0="$tmp/ide.json" emu/0f:00.0 >"$tmp/out" 2>/dev/null
grep -q "K_SET_GO K0 Rx PR  *FAILED" "$tmp/out" && ! grep -q "link state" "$tmp/out" && ok ||
	bad "ide drop-go steps: $(head -c 600 "$tmp/out")"
echo '{"ide_fault": "never"}' >"$tmp/ide.json"
expect 2 "ide_fault: 'never' is not one of" ide --emu-spdm 0f:00.0="$tmp/ide.json" emu/0f:00.0
echo '{"ide_fault": 3}' >"$tmp/ide.json"
expect 2 "ide_fault: an integer, expected a string" ide --emu-spdm 0f:00.0="$tmp/ide.json" emu/0f:00.0
echo '{"ide_fault": "bad-status"}' >"$tmp/ide.json"
expect 2 "ide_fault: this function has no IDE capability" ide --emu-spdm 20:00.0="$tmp/ide.json" emu/20:00.0
# usage
expect 2 "--setup needs --stream N" ide --setup emu/0f:00.0
expect 2 "go with --setup" ide --stream 3 emu/0f:00.0
expect 2 "go with --setup" ide --refresh emu/0f:00.0
expect 2 "bad value '256' for --stream" ide --setup --stream 256 emu/0f:00.0
expect 2 "bad value '03' for --stream" ide --setup --stream 03 emu/0f:00.0
expect 2 "bad value '-1' for --port-index" ide --setup --stream 3 --port-index -1 emu/0f:00.0
expect 2 "--link and --selective contradict" ide --setup --stream 3 --link --selective emu/0f:00.0
expect 2 "ide takes one device" ide
expect 2 "--psk-hint needs --psk" ide --setup --stream 1 --psk-hint x emu/0f:00.0
expect 2 "needs config space" ide tcp:127.0.0.1:1
expect 2 "has no IDE Extended Capability" ide emu/20:00.0
expect 1 "IDE_KM QUERY: the device answered ERROR InvalidRequest" ide --setup --stream 3 --port-index 1 emu/0f:00.0
expect 2 "no such device" ide emu/0000:77:00.0
expect 2 "is a root port: the host end" ide --setup --stream 1 emu/00:01.0
expect 2 "no IDE capability with a root port above it" ide --setup --stream 1 emu/20:00.0
"$doe" ide --setup --stream 1 emu/0e:00.0 >"$tmp/out" 2>&1 && grep -q "link state: secure" "$tmp/out" &&
	ok || bad "ide --setup on a switch downstream port: $(head -c 300 "$tmp/out")"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
