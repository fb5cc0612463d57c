#!/bin/bash
# SPDX-License-Identifier: MIT
#
# bench/vs_spdm_emu.sh SPDM_EMU_BIN_DIR [DOE] [ROUNDS]
#
# doekit beside DMTF's reference stack (spdm-emu on libspdm) on the same
# socket protocol (PCI_DOE framing), SPDM 1.2, ECDSA P-256 / SHA-256 with
# libspdm's sample keys, the same work on both sides: GET_DIGESTS, the
# certificate chain (verified), CHALLENGE, signed measurements. CPU is user +
# system time as the kernel accounts it, whole processes; each round
# measures both sides back to back and the ratio is taken per round, so a
# machine that slows down during the run moves both.
#
#   responder: the CPU the responder process spends serving N_RSP (200)
#              `doe attest` clients, one after another: spdm_responder_emu
#              against doe emulate --listen, read from /proc/PID/stat.
#   requester: the CPU of N_REQ (50) runs of `doe attest` against that of
#              N_REQ runs of spdm_requester_emu, both against one doe
#              emulate --listen (spdm_responder_emu takes about 25 s of wall
#              time per spdm_requester_emu run here: not a usable peer).
#
# Without the spdm-emu path it says so and exits 0. ROUNDS defaults to 3;
# the medians are printed last. N_RSP and N_REQ can be set in the
# environment.
set -u

BIN=${1:-}
if [ -z "$BIN" ] || [ ! -x "$BIN/spdm_responder_emu" ] || [ ! -x "$BIN/spdm_requester_emu" ]; then
	echo "SKIP: give the spdm-emu build/bin directory (spdm_responder_emu, spdm_requester_emu)"
	exit 0
fi
BIN=$(cd "$BIN" && pwd)
DOE=${2:-$(command -v doe || true)}
[ -x "$DOE" ] || { echo "SKIP: no doe binary (give it as the second argument)"; exit 0; }
case $DOE in /*) ;; *) DOE=$(pwd)/$DOE ;; esac
ROUNDS=${3:-3}
N_RSP=${N_RSP:-200}
N_REQ=${N_REQ:-50}
KEYS=${SPDM_EMU_KEYS:-$BIN/../../libspdm/unit_test/sample_key}
[ -f "$KEYS/ecp256/ca.cert.der" ] || { echo "SKIP: no libspdm sample keys at $KEYS (set SPDM_EMU_KEYS)"; exit 0; }
KEYS=$(cd "$KEYS" && pwd)
WORK=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill -9 "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
HZ=$(getconf CLK_TCK)

openssl x509 -inform DER -in "$KEYS/ecp256/ca.cert.der" -out "$WORK/ca.pem"
for c in ca inter end_responder; do
	openssl x509 -inform DER -in "$KEYS/ecp256/$c.cert.der"
done >"$WORK/chain.pem"
openssl pkey -in "$KEYS/ecp256/end_responder.key" -out "$WORK/key.pem" 2>/dev/null ||
	cp "$KEYS/ecp256/end_responder.key" "$WORK/key.pem"

cpu_of() { awk -v hz="$HZ" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

free_port() {	# one nobody listens on
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		ss -ltn 2>/dev/null | grep -q ":$p " || { echo "$p"; return; }
	done
	return 1
}

listening() {	# PORT PID
	for _ in $(seq 100); do
		kill -0 "$2" 2>/dev/null || return 1
		ss -ltn 2>/dev/null | grep -q ":$1 " && return 0
		sleep 0.05
	done
	return 1
}

attest() {	# PORT: one doe attest, which must pass
	"$DOE" attest --trust "$WORK/ca.pem" --trans pci-doe "tcp:127.0.0.1:$1" >/dev/null 2>&1 ||
		{ echo "doe attest against port $1 failed" >&2; exit 1; }
}

start_doe() {	# -> "PORT PID"
	local port pid
	port=$(free_port) || exit 1
	(cd "$KEYS" && exec "$DOE" emulate --listen "tcp:127.0.0.1:$port" --asym ecdsa-p256 \
		--identity "$WORK/key.pem,$WORK/chain.pem" >/dev/null 2>&1) &
	pid=$!
	PIDS="$PIDS $pid"
	listening "$port" "$pid" || { echo "doe emulate --listen did not start" >&2; exit 1; }
	echo "$port $pid"
}

start_emu() {
	local port pid
	port=$(free_port) || exit 1
	(cd "$KEYS" && exec "$BIN/spdm_responder_emu" --trans PCI_DOE --ver 1.2 --asym ECDSA_P256 \
		--hash SHA_256 --ip 127.0.0.1 --port "$port" >/dev/null 2>&1) &
	pid=$!
	PIDS="$PIDS $pid"
	listening "$port" "$pid" || { echo "spdm_responder_emu did not start" >&2; exit 1; }
	echo "$port $pid"
}

serve() {	# "PORT PID" -> the responder's CPU seconds for N_RSP clients
	local port=${1% *} pid=${1#* } before after
	before=$(cpu_of "$pid")
	for _ in $(seq "$N_RSP"); do attest "$port"; done
	after=$(cpu_of "$pid")
	kill -9 "$pid" 2>/dev/null
	awk -v a="$after" -v b="$before" 'BEGIN { printf "%.3f", a - b }'
}

children_cpu() {	# CMD... run N_REQ times; their CPU seconds (this subshell's
	local me=$BASHPID t0 t1	# children's, as the kernel adds them up when each is reaped)
	t0=$(awk '{ print $16 + $17 }' "/proc/$me/stat")
	for _ in $(seq "$N_REQ"); do "$@" >/dev/null 2>&1; done
	t1=$(awk '{ print $16 + $17 }' "/proc/$me/stat")
	awk -v a="$t1" -v b="$t0" -v hz="$HZ" 'BEGIN { printf "%.3f", (a - b) / hz }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "doekit beside spdm-emu: SPDM 1.2, ECDSA P-256, SHA-256, PCI_DOE socket; $ROUNDS rounds"
echo "$DOE"
echo "$BIN"
: >"$WORK/rsp"
: >"$WORK/req"
for r in $(seq "$ROUNDS"); do
	theirs=$(serve "$(start_emu)")
	ours=$(serve "$(start_doe)")
	rr=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.3f", a / b }')
	echo "$rr" >>"$WORK/rsp"
	echo "round $r responder, $N_RSP attestations served: doe emulate ${ours} s, spdm_responder_emu ${theirs} s, ratio $rr"

	peer=$(start_doe)
	port=${peer% *}
	# a peer that fails quickly would look cheap: both must do the whole flow
	if [ "$r" = 1 ]; then
		out=$(cd "$KEYS" && "$BIN/spdm_requester_emu" --trans PCI_DOE --ver 1.2 --asym ECDSA_P256 \
			--hash SHA_256 --port "$port" --exe_conn DIGEST,CERT,CHAL,MEAS --exe_session "" \
			--exe_mode CONTINUE 2>&1) && ! grep -q 'ERROR' <<<"$out" ||
			{ echo "spdm_requester_emu failed: $(tail -3 <<<"$out")" >&2; exit 1; }
		attest "$port"
	fi
	ours=$(children_cpu "$DOE" attest --trust "$WORK/ca.pem" --trans pci-doe "tcp:127.0.0.1:$port")
	theirs=$(cd "$KEYS" && children_cpu "$BIN/spdm_requester_emu" --trans PCI_DOE --ver 1.2 \
		--asym ECDSA_P256 --hash SHA_256 --port "$port" --exe_conn DIGEST,CERT,CHAL,MEAS \
		--exe_session "" --exe_mode CONTINUE)
	kill -9 "${peer#* }" 2>/dev/null
	rq=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.3f", a / b }')
	echo "$rq" >>"$WORK/req"
	echo "round $r requester, $N_REQ processes: doe attest ${ours} s, spdm_requester_emu ${theirs} s, ratio $rq"
done
echo "median ratio doekit / spdm-emu: responder $(median <"$WORK/rsp"), requester $(median <"$WORK/req")"
