#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| oxssl_fuzz::harness::client(data));
