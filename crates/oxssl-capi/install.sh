#!/bin/sh
# Installs oxssl's C library, headers and pkg-config files under PREFIX:
#   PREFIX/lib/liboxssl.so, liboxssl.a
#   PREFIX/lib/openssl-abi/libssl.so.3, libcrypto.so.3  (OpenSSL's SONAMEs and symbol
#       versions: programs linked to OpenSSL 3 run on oxssl with
#       LD_LIBRARY_PATH=PREFIX/lib/openssl-abi)
#   PREFIX/include/openssl/*.h
#   PREFIX/lib/pkgconfig/oxssl.pc
#   PREFIX/lib/oxssl-pkgconfig/{libssl,libcrypto,openssl}.pc  (put this directory on
#       PKG_CONFIG_PATH to make a build that asks pkg-config for OpenSSL use oxssl)
#
# Usage: crates/oxssl-capi/install.sh PREFIX [debug|release]   (default: release)
# It builds the library with cargo first (in this worktree's target directory).
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 PREFIX [debug|release]" >&2
    exit 2
fi
PREFIX=$1
PROFILE=${2:-release}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# OXSSL_NO_BUILD=1 installs what is already built (the tests use it from inside cargo, with
# OXSSL_STATICLIB naming the static library cargo built for the test run).
case "$PROFILE" in
    release) [ -n "${OXSSL_NO_BUILD:-}" ] || (cd "$ROOT" && cargo build -p oxssl-capi --release) ;;
    debug) [ -n "${OXSSL_NO_BUILD:-}" ] || (cd "$ROOT" && cargo build -p oxssl-capi) ;;
    *) echo "profile must be debug or release" >&2; exit 2 ;;
esac
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE
STATICLIB=${OXSSL_STATICLIB:-$TARGET/liboxssl_capi.a}
mkdir -p "$PREFIX/lib/pkgconfig" "$PREFIX/lib/oxssl-pkgconfig" "$PREFIX/include/openssl"
PREFIX=$(cd "$PREFIX" && pwd)
install -m 0644 "$HERE"/include/openssl/*.h "$PREFIX/include/openssl/"
install -m 0644 "$STATICLIB" "$PREFIX/lib/liboxssl.a"
# The shared libraries are linked from the static one, so that they also export the
# C part (BIO_printf & co), which rustc's cdylib would not.
"$HERE/dropin.sh" "$STATICLIB" "$PREFIX/lib/openssl-abi"
mv "$PREFIX/lib/openssl-abi/liboxssl.so" "$PREFIX/lib/liboxssl.so"
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1)
# The static library needs the system libraries Rust's std uses.
PRIVATE_LIBS="-lpthread -ldl -lm"
sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@VERSION@|$VERSION|g" -e "s|@PRIVATE_LIBS@|$PRIVATE_LIBS|g" \
    "$HERE/pkgconfig/oxssl.pc.in" > "$PREFIX/lib/pkgconfig/oxssl.pc"
for pc in libssl libcrypto openssl; do
    sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@VERSION@|$VERSION|g" \
        -e "s|@PRIVATE_LIBS@|$PRIVATE_LIBS|g" \
        "$HERE/pkgconfig/$pc.pc.in" > "$PREFIX/lib/oxssl-pkgconfig/$pc.pc"
done
echo "installed oxssl $VERSION under $PREFIX"
echo "  cc prog.c \$(PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig pkg-config --cflags --libs oxssl)"
echo "  OpenSSL-expecting builds: PKG_CONFIG_PATH=$PREFIX/lib/oxssl-pkgconfig"
echo "  programs linked to OpenSSL 3: LD_LIBRARY_PATH=$PREFIX/lib/openssl-abi"
