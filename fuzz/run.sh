#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with its corpus; a crash leaves its
# input in fuzz/artifacts/TARGET/. Copy such an input into fuzz/corpus/TARGET/ so that
# `cargo test --test fuzz_corpus` replays it from then on.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# x509_differential stops at any difference from OpenSSL 3.6 that is not a listed divergence;
# with OXSSL_X509_DIFF_SKIP_KNOWN=1 it skips the causes it recognises (see
# fuzz/src/x509_diff/causes.rs) and looks for new ones.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
for t in codec record client server x509 api x509_differential; do
    mkdir -p "corpus/$t" "work/$t"
    echo "== $t ($secs s)"
    # New interesting inputs go to work/ (not committed); the committed corpus is read.
    # x509_differential reads one generator choice per byte: long inputs from the start.
    len=(-max_len=65536)
    if [ "$t" = x509_differential ]; then len=(-max_len=1024 -len_control=0); fi
    cargo +nightly fuzz run -O "$t" "work/$t" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=4096 "${len[@]}" 2>&1 | tail -n 3
done
