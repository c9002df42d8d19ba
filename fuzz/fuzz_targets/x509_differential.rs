#![no_main]
// Verification differential against OpenSSL 3.6 from fuzzer-chosen generator choices.
libfuzzer_sys::fuzz_target!(|data: &[u8]| oxssl_fuzz::x509_diff::fuzz(data));
