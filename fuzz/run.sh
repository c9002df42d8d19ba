#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with its corpus; a crash leaves its
# input in fuzz/artifacts/TARGET/. Copy such an input into fuzz/corpus/TARGET/ so that
# `cargo test --test fuzz_corpus` replays it from then on.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
for t in codec record client server x509 api x509_differential; do
    mkdir -p "corpus/$t" "work/$t"
    echo "== $t ($secs s)"
    # New interesting inputs go to work/ (not committed); the committed corpus is read.
    cargo +nightly fuzz run -O "$t" "work/$t" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=4096 -max_len=65536 2>&1 | tail -n 3
done
