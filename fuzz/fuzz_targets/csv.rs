//! The CSV reader: any bytes give a data set of finite numbers or an error naming a line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_nn::data::Dataset;

fuzz_target!(|bytes: &[u8]| {
    match Dataset::<3>::from_csv_bytes(bytes) {
        Ok(data) => assert!(data.features.iter().flatten().all(|v| v.is_finite())),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
