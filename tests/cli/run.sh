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
# encoding: bad JSON is named, member by member
printf '{"revision": 1' >"$tmp/bad.json"
expect 1 "not JSON" cdat --encode "$tmp/bad.json" -o "$tmp/x.bin"
jq 'del(.structures[2].entry_base_unit)' "$tmp/t3.json" >"$tmp/missing.json"
expect 1 "structures[2].entry_base_unit" cdat --encode "$tmp/missing.json" -o "$tmp/x.bin"
jq '.structures[0].dsmad_handle = 300' "$tmp/t3.json" >"$tmp/range.json"
expect 1 "structures[0].dsmad_handle" cdat --encode "$tmp/range.json" -o "$tmp/x.bin"
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
for _ in $(seq 50); do grep -q "listening on port" "$tmp/l10" && break; sleep 0.1; done
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
expect 1 "measurements list differs from the signed record" verify-evidence "$tmp/ev-m.json" --trust "$tmp/root10.pem"
jq '.messages[-1].response |= (.[0:-8] + "00000000")' "$tmp/ev.json" >"$tmp/ev-s.json"
expect 1 "MEASUREMENTS: Signature does not verify" verify-evidence "$tmp/ev-s.json" --trust "$tmp/root10.pem"
jq '.nonce = "'"$(printf '%064x' 1)"'"' "$tmp/ev.json" >"$tmp/ev-n.json"
expect 1 "differs from the logged one" verify-evidence "$tmp/ev-n.json" --trust "$tmp/root10.pem"
jq 'del(.messages[-1])' "$tmp/ev.json" >"$tmp/ev-t.json"
expect 1 "the log ends after" verify-evidence "$tmp/ev-t.json" --trust "$tmp/root10.pem"
jq '.messages[0].request = "zz"' "$tmp/ev.json" >"$tmp/ev-h.json"
expect 1 "messages[0].request: not a hex string" verify-evidence "$tmp/ev-h.json" --trust "$tmp/root10.pem"
jq "del(.policy)" "$tmp/ev.json" >"$tmp/ev-p.json"
expect 1 "no policy" verify-evidence "$tmp/ev-p.json" --trust "$tmp/root10.pem"
expect 2 "nosuch.json" verify-evidence "$tmp/nosuch.json" --trust "$tmp/root10.pem"
expect 2 "verify-evidence FILE --trust PATH" verify-evidence "$tmp/ev.json"
expect 1 "" attest tcp:127.0.0.1:"$port"
grep -q "NOT verified: no --trust given" "$tmp/out" && ok || bad "untrusted socket attest verdict"
kill "$lpid"; wait "$lpid" 2>/dev/null
for tr in mctp none; do
	"$doe" emulate --listen tcp:127.0.0.1:0 --trans "$tr" --export-root "$tmp/r.pem" >"$tmp/l" 2>&1 &
	lpid=$!
	for _ in $(seq 50); do grep -q "listening on port" "$tmp/l" && break; sleep 0.1; done
	port=$(sed -n 's/listening on port \([0-9]*\):.*/\1/p' "$tmp/l")
	expect 0 "" attest --trans "$tr" --trust "$tmp/r.pem" tcp:127.0.0.1:"$port"
	kill "$lpid"; wait "$lpid" 2>/dev/null
done
# evidence checked against another device's root: the chain does not verify
expect 1 "self-signed certificate" verify-evidence "$tmp/ev.json" --trust "$tmp/r.pem"
expect 1 "cannot connect to tcp:127.0.0.1:1" attest tcp:127.0.0.1:1
# usage
expect 2 "bad value 'x' for --nonce" attest --nonce x emu/0f:00.0
expect 2 "bad value '2.0' for --version" attest --version 2.0 emu/0f:00.0
expect 2 "bad value 'md5' for --hash" attest --hash md5 emu/0f:00.0
expect 2 "attest takes one device" attest
expect 2 "has no DOE mailbox that serves CMA/SPDM" attest emu/0000:20:00.2
echo '{"asym": "nope"}' >"$tmp/bad-asym.json"
expect 2 "asym: 'nope'" attest --emu-spdm 0f:00.0="$tmp/bad-asym.json" emu/0f:00.0

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
unset DOE_SYSFS_ROOT DOE_LOCK_DIR

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
