#!/bin/sh
# Installs the build into a scratch prefix and checks what a packager and a
# user get: library, headers, doekit.pc, the doe binary and its man page, an
# export list without internal symbols, and a program built with pkg-config.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]
set -eu
build=$1
src=$2
extra=${3:-}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(find "$prefix" -name 'libdoekit.so.0' -printf '%h\n' | head -1)
for f in include/doekit/doekit.h include/doekit/doe.h bin/doe share/man/man1/doe.1; do
	[ -e "$prefix/$f" ] && ok || bad "missing $f"
done
[ -n "$libdir" ] && [ -e "$libdir/libdoekit.a" ] && [ -e "$libdir/pkgconfig/doekit.pc" ] && ok ||
	bad "library or doekit.pc missing"

# Only the public API leaves the shared library
# binutils >= 2.35 print versioned names (doe_exchange@@DOEKIT_0) and the
# version node itself as an absolute symbol: compare bare function names
exported=$(nm -D --defined-only "$libdir/libdoekit.so.0" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }')
echo "$exported" | grep -q '^doe_exchange$' && ok || bad "doe_exchange not exported"
echo "$exported" | grep -Eq '^(doe_err|doe_log|emu_mb_reg_read|emu_mb_new)$' &&
	bad "internal symbols exported" || ok
echo "$exported" | grep -Ev '^(doe_|emu_|cdat_|spdm_|mctp_|fmapi_|idekm_)' | grep -q . && bad "symbols outside doe_/emu_/cdat_/spdm_/mctp_/fmapi_/idekm_" || ok

# A consumer built only from the installed files
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# doekit.pc names the configured prefix; this install went elsewhere
pc="pkg-config --define-variable=prefix=$prefix"
cc $extra $($pc --cflags doekit) -o "$prefix/consumer" "$src/tests/pkg/consumer.c" \
	$($pc --libs doekit) && ok || bad "consumer does not build with pkg-config"
out=$(LD_LIBRARY_PATH="$libdir" "$prefix/consumer" 2>&1) || true
# host bridge, 2 root ports, switch (1 up, 2 down), 2 type 3, 3 functions
[ "$out" = "cxl-switch 11" ] && ok || bad "consumer printed '$out'"

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
