//! Property tests of the safetensors and CSV readers over truncated, corrupted, oversized and
//! random inputs: never a panic, always an error with a message, the model unchanged on error.

use proptest::prelude::*;
use typed_nn::data::{DataError, Dataset};
use typed_nn::io::safetensors as st;
use typed_nn::prelude::*;

type Net = (Linear<3, 4>, ReLU, Linear<4, 2>);

fn model() -> Net {
    let mut net = Net::ZERO;
    net.0.weight[1][2] = 0.5;
    net.2.bias = [0.25, -1.0];
    net
}

/// Loads `bytes` into a copy of `model()`: on error the copy must be unchanged and the message
/// not empty; on success it holds what the file says.
fn check_load(bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut net = model();
    match st::load(bytes, &mut net) {
        Err(e) => {
            prop_assert_eq!(&net, &model());
            prop_assert!(!e.to_string().is_empty());
        }
        Ok(()) => {
            // Only a file with every tensor of the model loads; it loads again the same.
            let mut again = Net::ZERO;
            prop_assert!(st::load(bytes, &mut again).is_ok());
            prop_assert_eq!(again, net);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_load(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_load(&bytes)?;
    }

    #[test]
    fn a_truncated_file_is_refused(cut in 0usize..10_000) {
        let bytes = st::to_bytes(&model()).unwrap();
        let cut = cut % bytes.len();
        let mut net = model();
        prop_assert!(st::load(&bytes[..cut], &mut net).is_err());
        prop_assert_eq!(net, model());
    }

    #[test]
    fn corrupted_files_never_panic(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = st::to_bytes(&model()).unwrap();
        for (at, mask) in flips {
            let i = at % bytes.len();
            bytes[i] ^= mask.max(1);
        }
        check_load(&bytes)?;
    }

    #[test]
    fn any_header_length_is_refused_or_read_without_allocating(claimed in any::<u64>()) {
        let mut bytes = st::to_bytes(&model()).unwrap();
        bytes[..8].copy_from_slice(&claimed.to_le_bytes());
        check_load(&bytes)?;
    }

    #[test]
    fn random_json_headers_never_panic(json in "[{}\\[\\]\":,0-9a-zA-Z_. \\\\-]{0,120}") {
        let mut bytes = (json.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(json.as_bytes());
        bytes.extend_from_slice(&[0; 64]);
        check_load(&bytes)?;
    }

    #[test]
    fn random_csv_never_panics_and_errors_name_a_line(
        bytes in proptest::collection::vec(
            prop_oneof![Just(b','), Just(b'\n'), Just(b'\r'), Just(b'"'), Just(b'1'), Just(b'.'),
                        Just(b'e'), Just(b'-'), Just(b' '), Just(b'x'), any::<u8>()],
            0..200,
        ),
    ) {
        match Dataset::<2>::from_csv_bytes(&bytes) {
            Ok(data) => {
                prop_assert!(!data.is_empty());
                prop_assert!(data.features.iter().flatten().all(|v| v.is_finite()));
            }
            Err(e) => {
                prop_assert!(!e.to_string().is_empty());
                let line = match e {
                    DataError::Width { line, .. }
                    | DataError::NotANumber { line, .. }
                    | DataError::NotFinite { line, .. }
                    | DataError::NotUtf8 { line, .. }
                    | DataError::FieldTooLong { line, .. } => Some(line),
                    _ => None,
                };
                prop_assert!(line.is_none_or(|l| l >= 1));
            }
        }
    }
}
