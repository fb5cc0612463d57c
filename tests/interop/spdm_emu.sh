#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Interoperability of doekit's SPDM requester and responder with DMTF spdm-emu
# (spdm_responder_emu, spdm_requester_emu) over the spdm-emu socket protocol.
#
#   tests/interop/spdm_emu.sh SPDM_EMU_BIN_DIR [DOE_BINARY]
#
# SPDM_EMU_BIN_DIR is spdm-emu's build/bin: the two emulators and, as spdm-emu's
# build leaves them there, libspdm's sample keys (ecp384/ca.cert.der, ...). If the
# keys are elsewhere, set SPDM_EMU_KEYS to libspdm/unit_test/sample_key.
# DOE_BINARY defaults to $DOE, then `doe` on PATH, then build*/tools/doe/doe of
# this tree. Without a path, or without the binaries, the test is skipped (exit 0).
#
# Cases, for every SPDM version x asym x hash x transport both sides support:
#   requester  doe attest           -> spdm_responder_emu  (verdict must be "verified")
#   responder  spdm_requester_emu   -> doe emulate --listen --identity <sample key>
#              (its default flow, which it trims to the capabilities we announce;
#               exit status 0 means every signature and the chain verified)
# then a few variants (measurement modes, raw bit stream, slot 1, ...), then
# secure sessions over the framings that carry secured messages (PCI_DOE: DOE
# object type 2; MCTP: message type 0x06 with DSP0275's record layer):
#   requester  doe session          -> spdm_responder_emu  (KEY_EXCHANGE with the
#              sample root as anchor, PSK with libspdm's sample PSK "TestPskData\0"
#              and hint "TestPskHint\0"; heartbeats, a key update, measurements
#              inside; DHE groups, AEADs, handshake in the clear; a wrong PSK must fail)
#   responder  spdm_requester_emu --exe_session KEY_EX,PSK,HEARTBEAT,KEY_UPDATE,MEAS
#              -> doe emulate --listen --psk ... (no "ERROR:" line and exit 0), each
#              with a negative twin whose ResponderVerifyData is corrupted, which the
#              peer must refuse: spdm_requester_emu exits 0 when only a step inside
#              the session failed, so the twin proves the sessions were really run.
# then IDE_KM (SPDM 1.2 and 1.3, PCI_DOE):
#   requester  doe ide --setup      -> spdm_responder_emu's sample IDE_KM device
#   responder  spdm_requester_emu --exe_session KEY_EX,APP -> doe emulate --listen
#              --device 0000:0d:00.0 (the switch's upstream port): its 13 IDE_KM
#              requests for PortIndex 1 answered ok, then TDISP answered ERROR
#              (not served), read from doe emulate's DOE_DEBUG log.
# A case that fails is tried once more DMTF-to-DMTF (spdm_requester_emu against
# spdm_responder_emu, same options): when spdm-emu fails against itself too (an
# algorithm its build lacks, an option it does not get right), the case is a SKIP.
# Algorithms doekit cannot use with this OpenSSL (Ed448 before 3.2) are SKIPs too.
#
# Environment: INTEROP_VERSIONS, INTEROP_ASYMS, INTEROP_HASHES, INTEROP_TRANSPORTS
# (space-separated spdm-emu names, e.g. INTEROP_ASYMS="ECDSA_P384 RSAPSS_3072"),
# INTEROP_ROLES ("requester responder"), INTEROP_VARIANTS=0 to skip the variants,
# INTEROP_TIMEOUT (seconds per case, default 30), INTEROP_KEEP=1 to keep the logs,
# INTEROP_SESSIONS=0 to skip the session cases, INTEROP_ONLY_SESSIONS=1 to run only them,
# INTEROP_ONLY_IDE=1 to run only the IDE_KM cases.
# Output: one line per case "PASS|FAIL|SKIP role ver asym hash trans: reason",
# then "N passed, N failed, N skipped". Exit 1 on any FAIL.

set -u

skip_all() {
	echo "skipped: $*"
	exit 0
}

BIN=${1:-}
[ -n "$BIN" ] || skip_all "no spdm-emu path given"
[ -d "$BIN" ] || skip_all "no such directory: $BIN"
BIN=$(cd "$BIN" && pwd)
RSP_EMU=$BIN/spdm_responder_emu
REQ_EMU=$BIN/spdm_requester_emu
[ -x "$RSP_EMU" ] || skip_all "no spdm_responder_emu in $BIN"
[ -x "$REQ_EMU" ] || skip_all "no spdm_requester_emu in $BIN"

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
DOE_BIN=${2:-${DOE:-}}
if [ -z "$DOE_BIN" ]; then
	DOE_BIN=$(command -v doe 2>/dev/null || true)
	if [ -z "$DOE_BIN" ]; then
		for d in "$top"/build*/tools/doe/doe; do
			[ -x "$d" ] && DOE_BIN=$d && break
		done
	fi
fi
[ -n "$DOE_BIN" ] && [ -x "$DOE_BIN" ] || skip_all "no doe binary (give it as the second argument)"
case $DOE_BIN in /*) ;; *) DOE_BIN=$(pwd)/$DOE_BIN ;; esac

for t in openssl timeout; do
	command -v $t >/dev/null 2>&1 || skip_all "$t is not installed"
done

KEYS=${SPDM_EMU_KEYS:-}
if [ -z "$KEYS" ]; then
	for k in "$BIN" "$BIN/../../libspdm/unit_test/sample_key"; do
		[ -f "$k/ecp384/ca.cert.der" ] && KEYS=$k && break
	done
fi
[ -n "$KEYS" ] && [ -f "$KEYS/ecp384/ca.cert.der" ] ||
	skip_all "no libspdm sample keys in $BIN (set SPDM_EMU_KEYS)"
KEYS=$(cd "$KEYS" && pwd)

VERSIONS=${INTEROP_VERSIONS:-"1.0 1.1 1.2 1.3"}
ASYMS=${INTEROP_ASYMS:-"ECDSA_P256 ECDSA_P384 ECDSA_P521 RSASSA_2048 RSASSA_3072 RSASSA_4096 RSAPSS_2048 RSAPSS_3072 RSAPSS_4096 EDDSA_25519 EDDSA_448"}
HASHES=${INTEROP_HASHES:-"SHA_256 SHA_384 SHA_512"}
TRANSPORTS=${INTEROP_TRANSPORTS:-"PCI_DOE MCTP NONE"}
ROLES=${INTEROP_ROLES:-"requester responder"}
TMO=${INTEROP_TIMEOUT:-30}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/doekit-interop.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ "${INTEROP_KEEP:-0}" = 1 ] || [ "$failed" -gt 0 ]; then
		echo "logs: $WORK"
	else
		rm -rf "$WORK"
	fi
}
passed=0 failed=0 skipped=0
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- names -------------------------------------------------------------------
doe_asym() {		# spdm-emu name -> doe name
	case $1 in
	ECDSA_P256) echo ecdsa-p256 ;; ECDSA_P384) echo ecdsa-p384 ;; ECDSA_P521) echo ecdsa-p521 ;;
	RSASSA_*) echo "rsassa-${1#RSASSA_}" ;; RSAPSS_*) echo "rsapss-${1#RSAPSS_}" ;;
	EDDSA_25519) echo ed25519 ;; EDDSA_448) echo ed448 ;;
	esac
}
attest_asym() {		# spdm-emu name -> what doe attest prints
	case $1 in
	ECDSA_*) echo "ECDSA-${1#ECDSA_}" ;; RSASSA_*) echo "RSASSA-${1#RSASSA_}" ;;
	RSAPSS_*) echo "RSAPSS-${1#RSAPSS_}" ;; EDDSA_25519) echo EdDSA-Ed25519 ;;
	EDDSA_448) echo EdDSA-Ed448 ;;
	esac
}
key_dir() {
	case $1 in
	ECDSA_P256) echo ecp256 ;; ECDSA_P384) echo ecp384 ;; ECDSA_P521) echo ecp521 ;;
	RSASSA_*|RSAPSS_*) echo "rsa${1#*_}" ;; EDDSA_25519) echo ed25519 ;; EDDSA_448) echo ed448 ;;
	esac
}
doe_hash() { echo "$1" | sed 's/^SHA_/SHA/; s/_/-/' | tr A-Z a-z; }	# SHA_384 -> sha384, SHA3_384 -> sha3-384
attest_hash() { echo "$1" | tr _ -; }				# SHA_384 -> SHA-384
doe_trans() { case $1 in PCI_DOE) echo pci-doe ;; MCTP) echo mctp ;; NONE) echo none ;; esac; }

report() {	# STATUS role ver asym hash trans reason
	local st=$1 role=$2 ver=$3 asym=$4 hash=$5 trans=$6
	shift 6
	printf '%s %s %s %s %s %s: %s\n' "$st" "$role" "$ver" "$(doe_asym "$asym")" \
		"$(doe_hash "$hash")" "$(doe_trans "$trans")" "$*"
	case $st in
	PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; *) skipped=$((skipped + 1)) ;;
	esac
}

# --- processes ---------------------------------------------------------------
# TCP sockets of this host on PORT: STATE is 0A for listening, "" for any state
# (ss when there is one, else /proc/net/tcp).
port_in() {	# PORT [listen]
	if command -v ss >/dev/null 2>&1; then
		if [ "${2:-}" = listen ]; then
			[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
		else
			[ -n "$(ss -Htan "( sport = :$1 or dport = :$1 )" 2>/dev/null)" ]
		fi
	else
		awk -v p="$(printf '%04X' "$1")" -v l="${2:-}" '
			NR > 1 { split($2, a, ":"); if (a[2] == p && (l == "" || $4 == "0A")) f = 1 }
			END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
	fi
}
# Ports below the kernel's ephemeral range, so no outgoing connection holds one.
read -r EPH_LO _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || EPH_LO=32768
[ "${EPH_LO:-0}" -gt 12000 ] 2>/dev/null || EPH_LO=32768
pick_port() {
	local p
	for _ in $(seq 50); do
		p=$((10000 + RANDOM % (EPH_LO - 10000)))
		port_in "$p" || { echo "$p"; return 0; }
	done
	return 1
}
# Waits until something listens on 127.0.0.1:PORT (never connects to it:
# spdm_responder_emu stops when a client goes away without SHUTDOWN).
wait_listen() {		# PORT PID
	for _ in $(seq 200); do
		kill -0 "$2" 2>/dev/null || return 1
		port_in "$1" listen && return 0
		sleep 0.05
	done
	return 1
}
# The port `doe emulate --listen tcp:...:0` printed in its first line, once
# it did (5 s at most, less if it exits); nothing when it never did.
doe_port() {	# OUTFILE PID
	local port
	for _ in $(seq 100); do
		port=$(sed -n '1s/^listening on port \([0-9]*\).*/\1/p' "$1" 2>/dev/null)
		[ -n "$port" ] && { echo "$port"; return 0; }
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# Every process is started as `timeout -k 2 N prog`, so it ends within N s even if
# this script is killed; stop() lets it finish (up to 3 s), then SIGTERM (which
# timeout passes on, and follows with SIGKILL 2 s later), then SIGKILL.
stop() {	# PID -> its exit status
	local pid=$1 rc
	for _ in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		for _ in $(seq 40); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	PIDS=$(echo " $PIDS " | sed "s/ $pid / /")
	return $rc
}
last_error() {	# a short reason from a log
	grep -v '^ \{2,\}[0-9a-f][0-9a-f] \|^$' "$1" | grep -i 'error\|fail\|not verified\|refus\|invalid\|timed\|unsupported' |
		tail -n 2 | tr '\n' ' ' | cut -c1-200
}

# --- trust material ----------------------------------------------------------
root_pem() {	# KEYDIR [ca|ca1] -> PEM path
	local out=$WORK/${1}-${2:-ca}.pem
	[ -s "$out" ] || openssl x509 -inform DER -in "$KEYS/$1/${2:-ca}.cert.der" -out "$out" 2>/dev/null
	echo "$out"
}
identity() {	# KEYDIR -> "KEY.pem,CHAIN.pem" (root first) for doe emulate --identity
	local d=$1 chain=$WORK/$1-chain.pem key=$WORK/$1-end_responder.key
	if [ ! -s "$chain" ]; then
		for c in ca inter end_responder; do
			openssl x509 -inform DER -in "$KEYS/$d/$c.cert.der" 2>/dev/null
		done >"$chain"
		openssl pkey -in "$KEYS/$d/end_responder.key" -out "$key" 2>/dev/null ||
			cp "$KEYS/$d/end_responder.key" "$key"
	fi
	echo "$key,$chain"
}

# Starts spdm_responder_emu on a free port, three tries (another process may take
# the port first). Sets EMU_PORT, and EMU_PID (empty when it did not start).
#   LOG SECONDS spdm_responder_emu-ARGS... (--ip and --port are added)
start_rsp_emu() {
	local log=$1 secs=$2
	shift 2
	EMU_PID=""
	for _ in 1 2 3; do
		EMU_PORT=$(pick_port) || return 1
		(cd "$KEYS" && exec timeout -k 2 "$secs" "$RSP_EMU" "$@" --ip 127.0.0.1 --port "$EMU_PORT" \
			>"$log" 2>&1) &
		EMU_PID=$!
		PIDS="$PIDS $EMU_PID"
		wait_listen "$EMU_PORT" "$EMU_PID" && return 0
		stop "$EMU_PID"
		EMU_PID=""
	done
	return 1
}

# --- spdm-emu's own support: DMTF requester against DMTF responder ------------
# Asked only after a case failed: what spdm-emu cannot do with itself (an
# algorithm its build lacks, a responder option that breaks its own requester) is
# no test of doekit, and such a case is a SKIP. The two emulators leave Nagle on
# and take ~25 s for a full flow with each other, hence the longer timeout.
declare -A EMU_OK
probe_emu() {	# VER ASYM HASH TRANS "responder args" ["requester args"] -> 0 when spdm-emu works with itself
	local ver=$1 asym=$2 hash=$3 trans=$4 rargs=$5 key port pid rc=1 log verarg="--ver $1"
	local qargs=${6:---exe_conn DIGEST,CERT,CHAL,MEAS --exe_session ""}
	key="$ver $asym $hash $trans $rargs $qargs"
	[ "$ver" = any ] && verarg=""
	[ -n "${EMU_OK[$key]:-}" ] && return "${EMU_OK[$key]}"
	log=$WORK/probe-$RANDOM
	# shellcheck disable=SC2086
	start_rsp_emu "$log.rsp" $((TMO * 4 + 10)) --trans "$trans" $verarg --asym "$asym" --hash "$hash" $rargs
	port=$EMU_PORT pid=$EMU_PID
	if [ -n "$pid" ]; then
		# shellcheck disable=SC2086
		(cd "$KEYS" && eval timeout -k 2 $((TMO * 4)) "\"$REQ_EMU\"" --trans "$trans" $verarg --asym "$asym" \
			--hash "$hash" --port "$port" "$qargs" >"$log.req" 2>&1) &&
			! grep -q '^ERROR:' "$log.req" && rc=0
		stop "$pid"
	fi
	EMU_OK[$key]=$rc
	return $rc
}

# --- doekit's own support (Ed448 needs OpenSSL 3.2 for the SPDM context) -------
declare -A DOE_OK DOE_WHY
doe_supports() {	# ASYM -> 0 when doe emulate serves a key of it; else DOE_WHY[ASYM]
	local asym=$1 pid out=$WORK/doe-supports-$1 rc=1
	[ -n "${DOE_OK[$asym]:-}" ] && return "${DOE_OK[$asym]}"
	timeout -k 2 10 "$DOE_BIN" emulate --listen tcp:127.0.0.1:0 --identity "$(identity "$(key_dir "$asym")")" \
		--asym "$(doe_asym "$asym")" >"$out" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	doe_port "$out" "$pid" >/dev/null && rc=0
	kill "$pid" 2>/dev/null
	stop "$pid"
	DOE_OK[$asym]=$rc
	DOE_WHY[$asym]=$(grep -m1 -v '^listening' "$out" | sed 's/^doe: //')
	return $rc
}

# --- the cases ---------------------------------------------------------------
# doe attest against spdm_responder_emu.
#   ver asym hash trans "extra spdm_responder_emu args" "extra doe attest args" label [root [evidence]]
# With evidence, attest -j's evidence is checked again offline by doe verify-evidence.
case_requester() {
	local ver=$1 asym=$2 hash=$3 trans=$4 emu_args=$5 doe_args=$6 label=$7 root=${8:-ca} ev=${9:-}
	local kd port pid rc out=$WORK/req-$ver-$asym-$hash-$trans-$RANDOM tag="" verarg="--ver $ver" want=$ver
	[ -n "$label" ] && tag="[$label] "
	# "any": spdm_responder_emu offers every version it has (1.0-1.4), doekit picks 1.3
	[ "$ver" = any ] && verarg="" && want=1.3
	kd=$(key_dir "$asym")
	# shellcheck disable=SC2086
	start_rsp_emu "$out.rsp" $((TMO + 10)) --trans "$trans" $verarg --asym "$asym" --hash "$hash" $emu_args
	port=$EMU_PORT pid=$EMU_PID
	if [ -z "$pid" ]; then
		report FAIL requester "$ver" "$asym" "$hash" "$trans" "${tag}spdm_responder_emu did not start: $(last_error "$out.rsp")"
		return
	fi
	# shellcheck disable=SC2086
	if [ -z "$ev" ]; then
		timeout -k 2 "$TMO" "$DOE_BIN" attest --trust "$(root_pem "$kd" "$root")" \
			--trans "$(doe_trans "$trans")" $doe_args "tcp:127.0.0.1:$port" >"$out.doe" 2>&1
		rc=$?
	else
		timeout -k 2 "$TMO" "$DOE_BIN" attest -j --trust "$(root_pem "$kd" "$root")" \
			--trans "$(doe_trans "$trans")" $doe_args "tcp:127.0.0.1:$port" >"$out.json" 2>"$out.doe"
		rc=$?
		[ $rc -eq 0 ] && {
			timeout -k 2 "$TMO" "$DOE_BIN" verify-evidence "$out.json" \
				--trust "$(root_pem "$kd" "$root")" >"$out.doe" 2>&1
			rc=$?
		}
	fi
	stop "$pid"
	if { [ $rc -ne 0 ] || ! grep -q '^  verdict        verified$' "$out.doe"; } &&
		! probe_emu "$ver" "$asym" "$hash" "$trans" "$emu_args"; then
		report SKIP requester "$ver" "$asym" "$hash" "$trans" \
			"${tag}spdm-emu fails against itself here too (spdm_responder_emu${emu_args:+ $emu_args})"
	elif [ $rc -eq 124 ]; then
		report FAIL requester "$ver" "$asym" "$hash" "$trans" "${tag}doe attest timed out after ${TMO}s"
	elif [ $rc -ne 0 ] || ! grep -q '^  verdict        verified$' "$out.doe"; then
		report FAIL requester "$ver" "$asym" "$hash" "$trans" \
			"${tag}exit $rc: $( (grep -m1 '^doe: ' "$out.doe" || grep -m1 'verdict' "$out.doe") | sed 's/^ *//') ($out.doe)"
	elif ! grep -q "^  version        $want\$" "$out.doe" ||
		! grep -q "^  algorithms     $(attest_asym "$asym"), $(attest_hash "$hash")" "$out.doe"; then
		report FAIL requester "$ver" "$asym" "$hash" "$trans" \
			"${tag}negotiated $(grep -m1 '^  version' "$out.doe" | tr -s ' ') $(grep -m1 '^  algorithms' "$out.doe" | tr -s ' ')"
	else
		report PASS requester "$ver" "$asym" "$hash" "$trans" \
			"${tag}verified$(grep -m1 '^  measurements' "$out.doe" | sed 's/^ *measurements */, measurements: /')"
	fi
}

# spdm_requester_emu's default session steps (spdm_emu_common/spdm_emu.c) but APP:
# that one runs IDE_KM, TDISP and CXL TSP (PCI_DOE) or PLDM GetTID (MCTP) inside the
# session, protocols doe emulate does not serve. The rest it trims to the
# capabilities we announce: a KEY_EXCHANGE session with key update, heartbeat,
# measurements, digests and certificate inside, since our responder has sessions.
EMU_DEFAULT_SESSION="--exe_session KEY_EX,PSK,KEY_UPDATE,HEARTBEAT,MEAS,MEL,SET_CERT,GET_CSR,GET_KEY_PAIR_INFO,SET_KEY_PAIR_INFO,DIGEST,CERT,EP_INFO"

# spdm_requester_emu against doe emulate --listen --identity; a session step that
# fails shows as an "ERROR:" line only (the exit status stays 0), so both count.
#   ver asym hash trans "extra spdm_requester_emu args" label ["extra doe emulate args"]
case_responder() {
	local ver=$1 asym=$2 hash=$3 trans=$4 req_args=$5 label=$6 doe_args=${7:-}
	local kd port pid rc src out=$WORK/rsp-$ver-$asym-$hash-$trans-$RANDOM tag="" verarg="--ver $ver"
	[ -n "$label" ] && tag="[$label] "
	[ "$ver" = any ] && verarg=""	# spdm_requester_emu offers 1.0-1.4
	[[ " $req_args " == *" --exe_session "* ]] || req_args="$req_args $EMU_DEFAULT_SESSION"
	kd=$(key_dir "$asym")
	# shellcheck disable=SC2086
	timeout -k 2 $((TMO + 10)) "$DOE_BIN" emulate --listen tcp:127.0.0.1:0 --trans "$(doe_trans "$trans")" \
		--identity "$(identity "$kd")" --asym "$(doe_asym "$asym")" $doe_args >"$out.doe" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	port=$(doe_port "$out.doe" "$pid")
	if [ -z "$port" ]; then
		stop "$pid"
		report FAIL responder "$ver" "$asym" "$hash" "$trans" "${tag}doe emulate did not start: $(head -c 200 "$out.doe")"
		return
	fi
	# shellcheck disable=SC2086
	(cd "$KEYS" && exec timeout -k 2 "$TMO" "$REQ_EMU" --trans "$trans" $verarg --asym "$asym" \
		--hash "$hash" --port "$port" $req_args >"$out.req" 2>&1)
	rc=$?
	# CONTINUE keeps doe emulate serving: a second client must then work too
	if [ $rc -eq 0 ] && [[ " $req_args " == *" --exe_mode CONTINUE "* ]]; then
		# shellcheck disable=SC2086
		(cd "$KEYS" && exec timeout -k 2 "$TMO" "$REQ_EMU" --trans "$trans" $verarg --asym "$asym" \
			--hash "$hash" --port "$port" $EMU_DEFAULT_SESSION >>"$out.req" 2>&1)
		rc=$?
	fi
	stop "$pid"
	src=$?
	[ $rc -eq 0 ] && grep -q '^ERROR:' "$out.req" && rc=1
	if [ $rc -ne 0 ] && ! probe_emu "$ver" "$asym" "$hash" "$trans" ""; then
		report SKIP responder "$ver" "$asym" "$hash" "$trans" \
			"${tag}spdm-emu fails against itself here too"
	elif [ $rc -eq 124 ]; then
		report FAIL responder "$ver" "$asym" "$hash" "$trans" "${tag}spdm_requester_emu timed out after ${TMO}s"
	elif [ $rc -ne 0 ]; then
		report FAIL responder "$ver" "$asym" "$hash" "$trans" \
			"${tag}spdm_requester_emu exit $rc: $(last_error "$out.req") ($out.req)"
	elif [ $src -ne 0 ]; then
		report FAIL responder "$ver" "$asym" "$hash" "$trans" \
			"${tag}doe emulate did not end cleanly on SHUTDOWN (status $src, $out.doe)"
	else
		report PASS responder "$ver" "$asym" "$hash" "$trans" "${tag}spdm_requester_emu completed"
	fi
}

# --- secure sessions -----------------------------------------------------------
# libspdm's sample PSK and hint (os_stub/include/internal/libspdm_device_secret_lib.h),
# each with the NUL that sizeof() counts: "TestPskData\0", "TestPskHint\0".
SAMPLE_PSK=5465737450736b4461746100
SAMPLE_HINT=5465737450736b48696e7400

# doe session against spdm_responder_emu.
#   ver asym hash trans "extra spdm_responder_emu args" "doe session args" label [expect-fail]
# Passes when the session is established, exercised and ended (text output checked),
# or, with expect-fail, when doe session refuses with exit 1.
case_session_requester() {
	local ver=$1 asym=$2 hash=$3 trans=$4 emu_args=$5 doe_args=$6 label=$7 neg=${8:-}
	local kd port pid rc out=$WORK/sreq-$ver-$asym-$trans-$RANDOM tag="[$7] " verarg="--ver $ver"
	[ "$ver" = any ] && verarg=""
	kd=$(key_dir "$asym")
	# shellcheck disable=SC2086
	start_rsp_emu "$out.rsp" $((TMO + 10)) --trans "$trans" $verarg --asym "$asym" --hash "$hash" $emu_args
	port=$EMU_PORT pid=$EMU_PID
	if [ -z "$pid" ]; then
		report FAIL requester "$ver" "$asym" "$hash" "$trans" "${tag}spdm_responder_emu did not start: $(last_error "$out.rsp")"
		return
	fi
	# --version: only the version asked can be negotiated
	# shellcheck disable=SC2086
	timeout -k 2 "$TMO" "$DOE_BIN" session --trust "$(root_pem "$kd")" --trans "$(doe_trans "$trans")" \
		${verarg:+--version $ver} --asym "$(doe_asym "$asym")" --hash "$(doe_hash "$hash")" \
		$doe_args "tcp:127.0.0.1:$port" >"$out.doe" 2>&1
	rc=$?
	stop "$pid"
	if [ -n "$neg" ]; then
		if [ $rc -eq 1 ] && grep -q 'session: NOT established' "$out.doe"; then
			report PASS requester "$ver" "$asym" "$hash" "$trans" "${tag}refused: $(grep -m1 '^doe: ' "$out.doe" | sed 's/^doe: //')"
		else
			report FAIL requester "$ver" "$asym" "$hash" "$trans" "${tag}expected a refusal, got exit $rc ($out.doe)"
		fi
	elif [ $rc -eq 124 ]; then
		report FAIL requester "$ver" "$asym" "$hash" "$trans" "${tag}doe session timed out after ${TMO}s"
	elif [ $rc -ne 0 ] || ! grep -q '^  session: ended$' "$out.doe"; then
		if ! probe_emu "$ver" "$asym" "$hash" "$trans" "$emu_args" \
			"--exe_conn DIGEST,CERT,CHAL --exe_session KEY_EX,PSK,HEARTBEAT,KEY_UPDATE,MEAS"; then
			report SKIP requester "$ver" "$asym" "$hash" "$trans" \
				"${tag}spdm-emu fails against itself here too (spdm_responder_emu${emu_args:+ $emu_args})"
		else
			report FAIL requester "$ver" "$asym" "$hash" "$trans" \
				"${tag}exit $rc: $(grep -m1 '^doe: ' "$out.doe" | sed 's/^doe: //') ($out.doe)"
		fi
	else
		report PASS requester "$ver" "$asym" "$hash" "$trans" \
			"${tag}$(grep -m1 '^  session [0-9a-f]' "$out.doe" | sed 's/^  session [0-9a-f]* *//')$(grep -m1 '^  heartbeats' "$out.doe" | sed 's/^ */; /')$(grep -qF 'key update: all keys, verified' "$out.doe" && echo '; key update')$(grep -m1 '^  measurements' "$out.doe" | sed 's/.*: \([0-9]* block.*\)/; measurements: \1/')"
	fi
}

# doe ide --setup against spdm_responder_emu's sample IDE_KM device (issue 12):
# the session, QUERY, KEY_PROG and K_SET_GO for every sub-stream and direction,
# with --refresh and --stop the other key set and K_SET_STOP; each acknowledgement
# checked by doe. The sample device's registers report no stream, which doe notes.
#   ver trans "doe ide args" label
case_ide_requester() {
	local ver=$1 trans=$2 doe_args=$3 label=$4
	local kd port pid rc out=$WORK/ide-$ver-$trans-$RANDOM tag="[$4] "
	kd=$(key_dir ECDSA_P384)
	# shellcheck disable=SC2086
	start_rsp_emu "$out.rsp" $((TMO + 10)) --trans "$trans" --ver "$ver" --asym ECDSA_P384 --hash SHA_384
	port=$EMU_PORT pid=$EMU_PID
	if [ -z "$pid" ]; then
		report FAIL requester "$ver" ECDSA_P384 SHA_384 "$trans" "${tag}spdm_responder_emu did not start: $(last_error "$out.rsp")"
		return
	fi
	# shellcheck disable=SC2086
	timeout -k 2 "$TMO" "$DOE_BIN" ide -j --setup --trust "$(root_pem "$kd")" --trans "$(doe_trans "$trans")" \
		$doe_args "tcp:127.0.0.1:$port" >"$out.doe" 2>"$out.err"
	rc=$?
	stop "$pid"
	if [ $rc -ne 0 ]; then
		report FAIL requester "$ver" ECDSA_P384 SHA_384 "$trans" "${tag}exit $rc: $(head -c 200 "$out.err") ($out.doe)"
	elif ! jq -e '(.steps | length) >= 13 and all(.steps[]; .ok) and (.substreams | length) == 6' \
		"$out.doe" >/dev/null; then
		report FAIL requester "$ver" ECDSA_P384 SHA_384 "$trans" "${tag}unexpected output ($out.doe)"
	else
		report PASS requester "$ver" ECDSA_P384 SHA_384 "$trans" \
			"${tag}$(jq -r '"\(.steps | length) IDE_KM steps acknowledged; sub-streams " + ([.substreams[].status] | unique | join(","))' "$out.doe")"
	fi
}

# A session kept by one doe command and used by the next ones (issue 12,
# --session): doe session --keyring --key-type user leaves the session open in
# spdm_responder_emu (which keeps its state across clients that end with
# CONTINUE), doe ide --session programs keys twice in it (so the sequence
# numbers written back to the key are the ones libspdm expects), then doe
# session --end --session ends it and the key is revoked. Needs keyctl support.
# Over MCTP (2-byte sequence numbers, random padding) the session is kept and
# ended only: spdm-emu serves IDE_KM on PCI_DOE alone.
#   ver trans label
case_ide_resume() {
	local ver=$1 trans=$2 label=$3
	local kd port pid rc out=$WORK/ider-$ver-$RANDOM tag="[$3] " sid key step="" runs="1 2"
	[ "$trans" = MCTP ] && runs=""
	kd=$(key_dir ECDSA_P384)
	# shellcheck disable=SC2086
	start_rsp_emu "$out.rsp" $((3 * TMO + 10)) --trans "$trans" --ver "$ver" --asym ECDSA_P384 --hash SHA_384
	port=$EMU_PORT pid=$EMU_PID
	if [ -z "$pid" ]; then
		report FAIL requester "$ver" ECDSA_P384 SHA_384 "$trans" "${tag}spdm_responder_emu did not start: $(last_error "$out.rsp")"
		return
	fi
	timeout -k 2 "$TMO" "$DOE_BIN" session -j --keyring @u --key-type user --measurements none \
		--trust "$(root_pem "$kd")" --trans "$(doe_trans "$trans")" "tcp:127.0.0.1:$port" >"$out.s" 2>"$out.err"
	rc=$?
	sid=$(jq -r '.session_id // empty' "$out.s" 2>/dev/null)
	key=$(jq -r '.key_serial // empty' "$out.s" 2>/dev/null)
	if [ $rc -ne 0 ] && grep -q "keyctl refused" "$out.err"; then
		stop "$pid"
		report SKIP requester "$ver" ECDSA_P384 SHA_384 "$trans" "${tag}$(head -c 200 "$out.err")"
		return
	fi
	[ $rc -eq 0 ] && [ -n "$sid" ] && [ -n "$key" ] || step="doe session --keyring: exit $rc: $(head -c 200 "$out.err")"
	for s in $runs; do
		[ -n "$step" ] && break
		timeout -k 2 "$TMO" "$DOE_BIN" ide -j --setup --stream "$s" --link --refresh --stop \
			--session "$sid" --trans "$(doe_trans "$trans")" "tcp:127.0.0.1:$port" >"$out.i$s" 2>"$out.err"
		rc=$?
		if [ $rc -ne 0 ] || ! jq -e '.session.resumed and .session.key_state == "sequence numbers updated" and
				(.steps | length) == 38 and all(.steps[]; .ok)' "$out.i$s" >/dev/null; then
			step="doe ide --session (run $s): exit $rc: $(head -c 200 "$out.err") ($out.i$s)"
		fi
	done
	if [ -z "$step" ]; then
		timeout -k 2 "$TMO" "$DOE_BIN" session -j --end --session "$sid" --trans "$(doe_trans "$trans")" \
			"tcp:127.0.0.1:$port" >"$out.e" 2>"$out.err"
		rc=$?
		[ $rc -eq 0 ] && jq -e '.ended and .key_revoked' "$out.e" >/dev/null ||
			step="doe session --end --session: exit $rc: $(head -c 200 "$out.err")"
	fi
	stop "$pid"
	if [ -n "$step" ]; then
		report FAIL requester "$ver" ECDSA_P384 SHA_384 "$trans" "${tag}${step}"
	else
		report PASS requester "$ver" ECDSA_P384 SHA_384 "$trans" \
			"${tag}session $sid kept$([ -n "$runs" ] && echo ", 2 x 37 IDE_KM steps in it from later commands"), ended, key revoked"
	fi
}

# spdm_requester_emu's APP step (spdm_requester_pci_doe.c) against doe emulate
# --listen serving the emulated switch's upstream port 0d:00.0, whose IDE_KM
# answers for the switch: PortIndex 0 itself, 1 and 2 its downstream ports
# (docs/idekm.md). The peer runs QUERY PortIndex 1, then KEY_PROG + K_SET_GO
# (stream 0, port 1) for K0 Rx/Tx x PR/NPR/CPL, then TDISP GET_VERSION
# (VENDOR_DEFINED, PCI-SIG protocol 1), which doekit does not serve. spdm-emu's
# release build prints no per-step lines, and it stops at the first failure, so
# the evidence is doe emulate's DOE_DEBUG log: the 13 IDE_KM requests, in that
# order, each answered ok (KEY_PROG: KP_ACK status 0; the peer sent each next one,
# so it accepted each answer), then the TDISP request answered ERROR
# UnsupportedRequest and nothing after it; and the peer's own report, its APP
# step ending in LIBSPDM_STATUS_ERROR_PEER (0x8001000a: the peer sent ERROR).
#   ver trans label
IDE_RSP_USP=0000:0d:00.0
case_ide_responder() {
	local ver=$1 trans=$2 label=$3
	local kd port pid rc src out=$WORK/idersp-$ver-$trans-$RANDOM tag="[$3] " d s
	kd=$(key_dir ECDSA_P384)
	{
		echo "IDE_KM QUERY port 1: ok (0e:00.0)"
		for d in Rx Tx; do
			for s in PR NPR CPL; do
				echo "IDE_KM KEY_PROG port 1 stream 0 K0 $d $s: ok"
				echo "IDE_KM K_SET_GO port 1 stream 0 K0 $d $s: ok"
			done
		done
		echo "VENDOR_DEFINED_REQUEST: ProtocolID 0x01 is not IDE_KM: ERROR UnsupportedRequest"
	} >"$out.want"
	DOE_DEBUG=1 timeout -k 2 $((TMO + 10)) "$DOE_BIN" emulate --listen tcp:127.0.0.1:0 \
		--trans "$(doe_trans "$trans")" --identity "$(identity "$kd")" --asym ecdsa-p384 \
		--device "$IDE_RSP_USP" >"$out.doe" 2>"$out.log" &
	pid=$!
	PIDS="$PIDS $pid"
	port=$(doe_port "$out.doe" "$pid")
	if [ -z "$port" ]; then
		stop "$pid"
		report FAIL responder "$ver" ECDSA_P384 SHA_384 "$trans" "${tag}doe emulate did not start: $(head -c 200 "$out.log")"
		return
	fi
	(cd "$KEYS" && exec timeout -k 2 "$TMO" "$REQ_EMU" --trans "$trans" --ver "$ver" --asym ECDSA_P384 \
		--hash SHA_384 --port "$port" --exe_session KEY_EX,APP >"$out.req" 2>&1)
	rc=$?
	stop "$pid"
	src=$?
	# the IDE_KM lines and the vendor-defined ERROR answers, in order
	sed -n 's/^doe: debug: \(IDE_KM .*\|VENDOR_DEFINED_REQUEST: .*: ERROR .*\)$/\1/p' "$out.log" >"$out.got"
	if [ $rc -eq 124 ]; then
		report FAIL responder "$ver" ECDSA_P384 SHA_384 "$trans" "${tag}spdm_requester_emu timed out after ${TMO}s"
	elif ! cmp -s "$out.want" "$out.got"; then
		report FAIL responder "$ver" ECDSA_P384 SHA_384 "$trans" \
			"${tag}doe emulate saw $(grep -c 'ok$' "$out.got") IDE_KM requests answered ok, then: $(grep -v 'ok$' "$out.got" | head -n 1 | cut -c1-120) ($out.log, $out.req)"
	elif ! grep -q '^ERROR: do_app_session_via_spdm - 8001000a$' "$out.req"; then
		report FAIL responder "$ver" ECDSA_P384 SHA_384 "$trans" \
			"${tag}spdm_requester_emu: not the ERROR answer ending its APP step: $(grep -m2 '^ERROR:' "$out.req" | tr '\n' ' ') ($out.req)"
	elif [ $src -ne 0 ]; then
		report FAIL responder "$ver" ECDSA_P384 SHA_384 "$trans" \
			"${tag}doe emulate did not end cleanly on SHUTDOWN (status $src, $out.log)"
	else
		report PASS responder "$ver" ECDSA_P384 SHA_384 "$trans" \
			"${tag}13 IDE_KM exchanges acknowledged (QUERY port 1 = 0e:00.0, 6 KEY_PROG KP_ACK status 0, 6 K_SET_GO); TDISP answered UnsupportedRequest (not served)"
	fi
}

# spdm_requester_emu --exe_session ... against doe emulate --listen --psk ..., then
# its negative twins (corrupt ResponderVerifyData), one KEY_EXCHANGE and one PSK
# session, which the peer must each refuse. spdm_requester_emu drops a session step
# only when a CAPABILITIES flag is missing on either side (spdm_requester_spdm.c);
# both sides announce KEY_EX, PSK, HBEAT and KEY_UPD here, so every step runs and a
# failing one prints an "ERROR:" line.
# With "nopsk" our responder has no PSK (no PSK_CAP) and there are no twins.
#   ver asym hash trans "extra spdm_requester_emu args" label [nopsk]
case_session_responder() {
	local ver=$1 asym=$2 hash=$3 trans=$4 req_args=$5 label=$6 nopsk=${7:-} twin twins args
	local kd port pid rc src out tag="[$6] " verarg="--ver $ver" why psk
	[ "$ver" = any ] && verarg=""
	kd=$(key_dir "$asym")
	printf '{"corrupt_verify_data": true}\n' >"$WORK/cvd.json"
	twins="plain KEY_EX PSK"
	psk="--psk $SAMPLE_PSK --psk-hint-hex $SAMPLE_HINT"
	[ -n "$nopsk" ] && twins=plain && psk=""
	for twin in $twins; do
		[ "$twin" = plain ] && twin=""
		args=$req_args
		[ -n "$twin" ] && args=${req_args/KEY_EX,PSK,/$twin,}
		out=$WORK/srsp-$ver-$asym-$trans-$RANDOM
		# shellcheck disable=SC2046,SC2086
		timeout -k 2 $((TMO + 10)) "$DOE_BIN" emulate --listen tcp:127.0.0.1:0 --trans "$(doe_trans "$trans")" \
			--identity "$(identity "$kd")" --asym "$(doe_asym "$asym")" --device 0000:0f:00.0 \
			$psk \
			$([ -n "$twin" ] && echo "--emu-spdm 0000:0f:00.0=$WORK/cvd.json") >"$out.doe" 2>&1 &
		pid=$!
		PIDS="$PIDS $pid"
		port=$(doe_port "$out.doe" "$pid")
		if [ -z "$port" ]; then
			stop "$pid"
			report FAIL responder "$ver" "$asym" "$hash" "$trans" "${tag}doe emulate did not start: $(head -c 200 "$out.doe")"
			return
		fi
		# shellcheck disable=SC2086
		(cd "$KEYS" && exec timeout -k 2 "$TMO" "$REQ_EMU" --trans "$trans" $verarg --asym "$asym" \
			--hash "$hash" --port "$port" $args >"$out.req" 2>&1)
		rc=$?
		stop "$pid"
		src=$?
		why=$(grep -m2 '^ERROR:' "$out.req" | sed 's/^ERROR: //' | tr '\n' ' ' | cut -c1-160)
		if [ -z "$twin" ]; then
			if [ $rc -eq 124 ]; then
				report FAIL responder "$ver" "$asym" "$hash" "$trans" "${tag}spdm_requester_emu timed out after ${TMO}s"
			elif [ $rc -ne 0 ] || [ -n "$why" ]; then
				if ! probe_emu "$ver" "$asym" "$hash" "$trans" "" "$req_args"; then
					report SKIP responder "$ver" "$asym" "$hash" "$trans" "${tag}spdm-emu fails against itself here too (twins not run)"
					return	# no session ran, so a twin proves nothing
				else
					report FAIL responder "$ver" "$asym" "$hash" "$trans" \
						"${tag}spdm_requester_emu exit $rc: ${why:-$(last_error "$out.req")} ($out.req)"
				fi
			elif [ $src -ne 0 ]; then
				report FAIL responder "$ver" "$asym" "$hash" "$trans" \
					"${tag}doe emulate did not end cleanly on SHUTDOWN (status $src, $out.doe)"
			else
				report PASS responder "$ver" "$asym" "$hash" "$trans" "${tag}spdm_requester_emu: no ERROR, exit 0"
			fi
		elif [ -n "$why" ] && grep -q 'libspdm_start_session' "$out.req" &&
			{ [ "$twin" = KEY_EX ] || grep -q '^\[PSK\]' "$out.req"; }; then
			report PASS responder "$ver" "$asym" "$hash" "$trans" "${tag}twin $twin, corrupt ResponderVerifyData: peer refused ($why)"
		else
			report FAIL responder "$ver" "$asym" "$hash" "$trans" \
				"${tag}twin $twin, corrupt ResponderVerifyData: the peer did not refuse (exit $rc, $out.req)"
		fi
	done
}

echo "spdm-emu: $BIN"
echo "keys:     $KEYS"
echo "doe:      $DOE_BIN"

[ "${INTEROP_ONLY_SESSIONS:-0}" = 1 ] && ASYMS="" && INTEROP_VARIANTS=0
[ "${INTEROP_ONLY_IDE:-0}" = 1 ] && ASYMS="" && INTEROP_VARIANTS=0
for asym in $ASYMS; do
	for ver in $VERSIONS; do
		for hash in $HASHES; do
			for trans in $TRANSPORTS; do
				for role in $ROLES; do
					case $asym in EDDSA_*)
						case $ver in 1.0|1.1)
							report SKIP "$role" "$ver" "$asym" "$hash" "$trans" "EdDSA needs SPDM 1.2 or later"
							continue ;;
						esac ;;
					esac
					if ! doe_supports "$asym"; then
						report SKIP "$role" "$ver" "$asym" "$hash" "$trans" "doekit: ${DOE_WHY[$asym]}"
						continue
					fi
					case $role in
					requester) case_requester "$ver" "$asym" "$hash" "$trans" "" "" "" ;;
					responder) case_responder "$ver" "$asym" "$hash" "$trans" "" "" ;;
					esac
				done
			done
		done
	done
done

if [ "${INTEROP_VARIANTS:-1}" != 0 ]; then
	for role in $ROLES; do
		case $role in
		requester) case_requester any ECDSA_P384 SHA_384 PCI_DOE "" "" "emu offers 1.0-1.4" ;;
		responder) case_responder any ECDSA_P384 SHA_384 PCI_DOE "" "emu offers 1.0-1.4" ;;
		esac
		for ver in 1.2 1.3; do
			for hash in SHA3_256 SHA3_384 SHA3_512; do
				case $role in
				requester) case_requester "$ver" ECDSA_P384 "$hash" PCI_DOE "" "" "" ;;
				responder) case_responder "$ver" ECDSA_P384 "$hash" PCI_DOE "" "" ;;
				esac
			done
		done
	done
	for ver in 1.2 1.3; do
		if [[ " $ROLES " == *" requester "* ]]; then
			for m in "each" "count" "2" "none"; do
				case_requester "$ver" ECDSA_P384 SHA_384 PCI_DOE "" "--measurements $m" "doe --measurements $m"
			done
			case_requester "$ver" ECDSA_P384 SHA_384 PCI_DOE "--meas_hash RAW_BIT" "" "emu --meas_hash RAW_BIT"
			case_requester "$ver" ECDSA_P384 SHA_384 PCI_DOE "--meas_sum NO" "" "emu --meas_sum NO"
			case_requester "$ver" ECDSA_P384 SHA_384 PCI_DOE "" "--slot 1" "doe --slot 1" ca1
			case_requester "$ver" RSASSA_2048 SHA_256 MCTP "" "" "attest -j, then verify-evidence" ca evidence
			case_requester "$ver" ECDSA_P384 SHA_384 PCI_DOE "--cap CERT,CHAL" "--measurements none" \
				"emu --cap CERT,CHAL, doe --measurements none"
			case_requester "$ver" RSAPSS_3072 SHA_512 MCTP "--hash SHA_256,SHA_384,SHA_512 --asym ECDSA_P256,RSAPSS_3072" \
				"--asym rsapss-3072 --hash sha512" "doe pins algorithms"
		fi
		if [[ " $ROLES " == *" responder "* ]]; then
			for a in "--meas_op ALL" "--meas_att RAW" "--meas_sum NO" "--meas_sum TCB" \
				"--exe_conn DIGEST,CERT,CHAL,MEAS --exe_session KEY_EX"; do
				case_responder "$ver" ECDSA_P384 SHA_384 PCI_DOE "$a" "emu $a"
			done
			case_responder "$ver" ECDSA_P384 SHA_384 PCI_DOE "--exe_mode CONTINUE" "emu --exe_mode CONTINUE, then a second client"
			# measurement indices 1, 3, 0xFD: spdm_requester_emu probes 1..0xFE one by
			# one and signs the last, over what follows the last ERROR
			cat >"$WORK/sparse.json" <<-'EOF'
			{"measurements": [{"index": 1, "type": 0, "text": "rom"},
			  {"index": 3, "type": 1, "raw": true, "text": "fw 1.2.3"},
			  {"index": 253, "type": 4, "raw": true, "text": "manifest"}]}
			EOF
			case_responder "$ver" ECDSA_P384 SHA_384 PCI_DOE "" "doe --emu-spdm: indices 1, 3, 253" \
				"--device 0000:0f:00.0 --emu-spdm 0000:0f:00.0=$WORK/sparse.json"
		fi
	done
fi

if [ "${INTEROP_SESSIONS:-1}" != 0 ] && [ "${INTEROP_ONLY_IDE:-0}" != 1 ]; then
	SESS_EXE="--exe_session KEY_EX,PSK,HEARTBEAT,KEY_UPDATE,MEAS"
	# spdm_requester_emu's default capabilities ask for the handshake in the clear
	# (and our responder offers it); these drop it, so FINISH travels secured
	SESS_CAPS="--cap CERT,CHAL,ENCRYPT,MAC,KEY_EX,PSK,HBEAT,KEY_UPD"
	for trans in PCI_DOE MCTP; do
		for ver in 1.1 1.2 1.3; do
			if [[ " $ROLES " == *" requester "* ]]; then
				case_session_requester "$ver" ECDSA_P384 SHA_384 "$trans" "" \
					"--heartbeat 2 --key-update" "session KEY_EXCHANGE"
				case_session_requester "$ver" ECDSA_P384 SHA_384 "$trans" "" \
					"--psk $SAMPLE_PSK --heartbeat 1 --key-update" "session PSK, no hint"
				case_session_requester "$ver" ECDSA_P384 SHA_384 "$trans" "" \
					"--psk $SAMPLE_PSK --psk-hint-hex $SAMPLE_HINT --key-update" "session PSK, sample hint"
				case_session_requester "$ver" ECDSA_P384 SHA_384 "$trans" "" \
					"--in-the-clear --heartbeat 1 --key-update" "session KEY_EXCHANGE, handshake in the clear"
				case_session_requester "$ver" ECDSA_P384 SHA_384 "$trans" "" \
					"--psk 0011223344 --measurements none" "session, wrong PSK must fail" expect-fail
			fi
			if [[ " $ROLES " == *" responder "* ]]; then
				case_session_responder "$ver" ECDSA_P384 SHA_384 "$trans" "$SESS_EXE" \
					"emu $SESS_EXE (handshake in the clear)"
				case_session_responder "$ver" ECDSA_P384 SHA_384 "$trans" "$SESS_CAPS $SESS_EXE" \
					"emu $SESS_EXE, handshake secured"
			fi
		done
	done
	# algorithms: each DHE group and AEAD, other signatures and hashes, 1.2 and 1.3
	for ver in 1.2 1.3; do
		for d in SECP_256_R1:secp256r1 SECP_521_R1:secp521r1 FFDHE_2048:ffdhe2048 FFDHE_3072:ffdhe3072 FFDHE_4096:ffdhe4096; do
			[[ " $ROLES " == *" requester "* ]] &&
				case_session_requester "$ver" ECDSA_P384 SHA_384 MCTP "--dhe ${d%%:*}" "--dhe ${d#*:}" "session --dhe ${d#*:}"
			[[ " $ROLES " == *" responder "* ]] &&
				case_session_responder "$ver" ECDSA_P384 SHA_384 MCTP "--dhe ${d%%:*} $SESS_EXE" "emu --dhe ${d%%:*}"
		done
		for a in AES_128_GCM:aes-128-gcm CHACHA20_POLY1305:chacha20-poly1305; do
			[[ " $ROLES " == *" requester "* ]] &&
				case_session_requester "$ver" ECDSA_P384 SHA_384 PCI_DOE "--aead ${a%%:*}" "--aead ${a#*:} --key-update" "session --aead ${a#*:}"
			[[ " $ROLES " == *" responder "* ]] &&
				case_session_responder "$ver" ECDSA_P384 SHA_384 PCI_DOE "--aead ${a%%:*} $SESS_EXE" "emu --aead ${a%%:*}"
		done
		for ah in "ECDSA_P256 SHA_256" "ECDSA_P521 SHA_512" "RSAPSS_3072 SHA_384" "RSASSA_2048 SHA_256"; do
			# shellcheck disable=SC2086
			set -- $ah
			doe_supports "$1" || continue
			[[ " $ROLES " == *" requester "* ]] &&
				case_session_requester "$ver" "$1" "$2" PCI_DOE "" "--heartbeat 1 --key-update" "session KEY_EXCHANGE"
			[[ " $ROLES " == *" responder "* ]] &&
				case_session_responder "$ver" "$1" "$2" MCTP "$SESS_EXE" "emu $SESS_EXE"
		done
		if [[ " $ROLES " == *" responder "* ]]; then
			for a in "--key_upd REQ" "--sec_ver 1.0" "--sec_ver 1.1" "--sec_ver 1.2" "--meas_sum TCB" \
				"--meas_sum NO" "--meas_op ALL --meas_att RAW" \
				"--cap CERT,CHAL,MAC,KEY_EX,PSK,HBEAT,KEY_UPD" "--other_param MULTI_KEY_CONN"; do
				case_session_responder "$ver" ECDSA_P384 SHA_384 MCTP "$a $SESS_EXE" "emu $a"
			done
			case_session_responder "$ver" ECDSA_P384 SHA_384 PCI_DOE \
				"--exe_session KEY_EX,PSK,DIGEST,CERT,HEARTBEAT" "emu --exe_session KEY_EX,PSK,DIGEST,CERT,HEARTBEAT"
			# a PSK-only requester and a responder without a PSK: the session is
			# not offered, the connection still works (needs an AEAD negotiated)
			case_session_responder "$ver" ECDSA_P384 SHA_384 MCTP \
				"--cap CERT,CHAL,ENCRYPT,MAC,PSK,HBEAT,KEY_UPD --exe_session PSK,HEARTBEAT" \
				"emu PSK only, doe without --psk" nopsk
		fi
		if [[ " $ROLES " == *" requester "* ]]; then
			for a in "--sec_ver 1.0" "--sec_ver 1.1" "--sec_ver 1.2" "--meas_sum TCB" \
				"--cap CERT,CHAL,MEAS_SIG,MAC,KEY_EX,PSK_WITH_CONTEXT,HBEAT,KEY_UPD" \
				"--other_param MULTI_KEY_CONN"; do
				case_session_requester "$ver" ECDSA_P384 SHA_384 MCTP "$a" "--heartbeat 1 --key-update" "emu $a"
				case_session_requester "$ver" ECDSA_P384 SHA_384 MCTP "$a" \
					"--psk $SAMPLE_PSK --heartbeat 1 --key-update" "emu $a, PSK"
			done
			# a responder without PSK_CAP: KEY_EXCHANGE works, PSK is refused by name
			case_session_requester "$ver" ECDSA_P384 SHA_384 PCI_DOE \
				"--cap CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX,HBEAT,KEY_UPD" \
				"--psk $SAMPLE_PSK --measurements none" "emu without PSK_CAP, doe --psk must fail" expect-fail
			case_session_requester "$ver" ECDSA_P384 SHA_384 PCI_DOE \
				"--cap CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX,HBEAT,KEY_UPD" \
				"--key-update" "emu without PSK_CAP, KEY_EXCHANGE"
		fi
	done
fi

# IDE_KM (issue 12): doe's requester programs spdm-emu's sample device, and
# spdm_requester_emu's APP step programs the emulated switch through its upstream
# port (PortIndex 1, a downstream port) up to TDISP, which doe emulate does not
# serve, nor CXL IDE_KM/TSP after it. Over MCTP framing spdm-emu's responder
# answers IDE_KM QUERY with ERROR InvalidRequest: IDE_KM is PCIe's (DOE).
if [ "${INTEROP_SESSIONS:-1}" != 0 ] && [[ " $ROLES " == *" requester "* ]]; then
	for ver in 1.2 1.3; do
		case_ide_requester "$ver" PCI_DOE "--stream 1 --link" "ide setup, link"
		case_ide_requester "$ver" PCI_DOE "--stream 2 --refresh --stop" "ide setup, refresh, stop"
		case_ide_resume "$ver" PCI_DOE "session kept, ide --session twice, session --end --session"
		case_ide_resume "$ver" MCTP "session kept, then ended by session --end --session"
	done
fi
if [ "${INTEROP_SESSIONS:-1}" != 0 ] && [[ " $ROLES " == *" responder "* ]]; then
	for ver in 1.2 1.3; do
		case_ide_responder "$ver" PCI_DOE "spdm_requester_emu APP, switch USP $IDE_RSP_USP"
	done
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
