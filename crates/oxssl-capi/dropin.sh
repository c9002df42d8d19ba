#!/bin/sh
# Links oxssl's static library into shared libraries that stand in for OpenSSL's:
#   OUTDIR/libcrypto.so.3  every OpenSSL function oxssl implements (SONAME libcrypto.so.3)
#   OUTDIR/libssl.so.3     SONAME libssl.so.3, needs libcrypto.so.3 (where the functions are)
#   OUTDIR/liboxssl.so     the same functions under oxssl's own name (SONAME liboxssl.so)
#   OUTDIR/libssl.so, libcrypto.so  links for -lssl -lcrypto at build time
# Every exported symbol gets OpenSSL's version OPENSSL_3.0.0 (those OpenSSL added later get
# the version OpenSSL gives them, listed in LATER), so a program linked to OpenSSL 3 runs
# on them through LD_LIBRARY_PATH (one libcrypto keeps one error queue).
#
# Usage: crates/oxssl-capi/dropin.sh path/to/liboxssl_capi.a OUTDIR
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 liboxssl_capi.a OUTDIR" >&2
    exit 2
fi
LIB=$1
OUT=$2
CC=${CC:-cc}
mkdir -p "$OUT"
# OpenSSL's names among the archive's global definitions (Rust's own are mangled,
# aws-lc's are prefixed, so nothing else matches).
nm -g --defined-only "$LIB" 2>/dev/null \
    | awk '$2 ~ /^[TDB]$/ { print $3 }' \
    | grep -E '^(SSL|BIO|ERR|X509|PEM|EVP|OPENSSL|CRYPTO|TLS|ASN1|OpenSSL|d2i|i2d)_' \
    | sort -u > "$OUT/exports.txt"
# Functions OpenSSL added after 3.0, with their version (OpenSSL's util/libssl.num), in
# version order: a program built against newer headers asks for that version.
LATER="OPENSSL_3.3.0:SSL_SESSION_get_time_ex OPENSSL_3.4.0:SSL_CTX_flush_sessions_ex"
VERSIONS=$(for e in $LATER; do echo "${e%%:*}"; done | uniq)
for e in $LATER; do echo "${e#*:}"; done > "$OUT/later.txt"
# The version nodes after OPENSSL_3.0.0, each with the symbols in $1 (none: empty nodes).
later_nodes() {
    prev=OPENSSL_3.0.0
    for v in $VERSIONS; do
        echo "$v {"
        if [ -n "$1" ]; then
            for e in $LATER; do
                if [ "${e%%:*}" = "$v" ] && grep -qxF "${e#*:}" "$OUT/exports.txt"; then
                    echo "    ${e#*:};"
                fi
            done
        fi
        echo "} $prev;"
        prev=$v
    done
}
{
    echo "OPENSSL_3.0.0 {"
    echo "  global:"
    grep -vxF -f "$OUT/later.txt" "$OUT/exports.txt" | sed 's/.*/    &;/'
    echo "  local: *;"
    echo "};"
    later_nodes symbols
} > "$OUT/openssl.map"
UNDEF=$(sed 's/^/-Wl,-u,/' "$OUT/exports.txt" | tr '\n' ' ')
# shellcheck disable=SC2086
"$CC" -shared -o "$OUT/libcrypto.so.3" -Wl,-soname,libcrypto.so.3 \
    -Wl,--version-script="$OUT/openssl.map" $UNDEF "$LIB" -lpthread -ldl -lm
# shellcheck disable=SC2086
"$CC" -shared -o "$OUT/liboxssl.so" -Wl,-soname,liboxssl.so \
    -Wl,--version-script="$OUT/openssl.map" $UNDEF "$LIB" -lpthread -ldl -lm
# libssl.so.3: the version node OpenSSL's binaries ask libssl for, and libcrypto.
printf 'int oxssl_libssl_marker = 1;\n' > "$OUT/libssl_marker.c"
{
    printf 'OPENSSL_3.0.0 {\n  global: oxssl_libssl_marker;\n  local: *;\n};\n'
    later_nodes ""
} > "$OUT/libssl.map"
"$CC" -shared -fPIC -o "$OUT/libssl.so.3" -Wl,-soname,libssl.so.3 \
    -Wl,--version-script="$OUT/libssl.map" "$OUT/libssl_marker.c" \
    -Wl,--no-as-needed -L"$OUT" -l:libcrypto.so.3
rm -f "$OUT/libssl_marker.c"
ln -sf libssl.so.3 "$OUT/libssl.so"
ln -sf libcrypto.so.3 "$OUT/libcrypto.so"
