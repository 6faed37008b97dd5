#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hq_vault_fuzz_targets::query(data));
