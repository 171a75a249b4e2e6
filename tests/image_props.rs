//! Property tests of the byte-image readers, `Image::read_image` and `ConstImage::new`, on
//! truncated, corrupted, oversized and random bytes: they never panic; they accept exactly
//! the valid images (the bytes `to_image` writes, or their version-1 and 2 forms) and reject
//! everything else with an error that has a message; on error the model is unchanged; and
//! the two readers agree on every input (but for the layout, which `ConstImage` compares in
//! `finish`).

mod common;

use core::fmt::Debug;

use proptest::prelude::*;
use proptest::test_runner::Config;
use typed_nn::io::{CHECKSUM_BYTES, ConstImage, HEADER_BYTES, Image, ImageError, crc32, to_image};
use typed_nn::prelude::*;

use common::{version_1, version_2};
use typed_nn::rand::SeedableRng;

/// 26 `f32` parameters: a 124-byte image.
type Net = (Linear<3, 4>, Tanh, Linear<4, 2>);
/// 272 `f32` parameters: a 1108-byte image.
type Big = (Linear<16, 16>, ReLU);
/// 13 `f64` parameters: a 124-byte image.
type Wide = (Linear<2, 3, f64>, ReLU, Linear<3, 1, f64>);

fn config() -> Config {
    Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Any finite `f32`, bit patterns uniform (NaN and infinities become another finite value).
fn finite() -> impl Strategy<Value = f32> {
    any::<u32>().prop_map(|bits| {
        let v = f32::from_bits(bits);
        if v.is_finite() {
            v
        } else {
            f32::from_bits(bits & 0xBFFF_FFFF)
        }
    })
}

fn model_from<M: Params<f32>>(values: &[f32]) -> M {
    let mut m = M::ZERO;
    for (i, &v) in values.iter().enumerate() {
        assert!(m.set_param(i, v));
    }
    m
}

/// A model of `M` with finite random parameters.
fn model<M: Params<f32> + Debug>() -> impl Strategy<Value = M> {
    proptest::collection::vec(finite(), M::PARAM_COUNT).prop_map(|v| model_from(&v))
}

fn image<M: Image<f32>>(m: &M) -> Vec<u8> {
    to_image::<f32, M>(m).unwrap().to_vec()
}

/// Builds a `Net` with `ConstImage`, as firmware does; the verdict of `new` and `finish`.
fn const_net(bytes: &[u8], count: usize) -> Result<Net, ImageError> {
    let mut image = ConstImage::new(bytes, count)?;
    let net = (image.linear(), Tanh, image.linear());
    image.finish().map(|()| net)
}

/// Reads `bytes` into a copy of `before` with both readers, and checks the contract: an
/// error has a message and leaves the model as it was, bit for bit; success means `bytes`
/// are exactly a valid image (version 3, 2 or 1) of the model read. Returns the verdict.
fn read_checked<M>(before: &M, bytes: &[u8]) -> Result<Result<(), ImageError>, TestCaseError>
where
    M: Image<f32> + Clone + Debug,
{
    let mut model = before.clone();
    let result = model.read_image(bytes);
    match result {
        Err(error) => {
            prop_assert!(!error.to_string().is_empty());
            prop_assert!(!error.reason().is_empty());
            prop_assert_eq!(
                image(&model),
                image(before),
                "the model changed on {}",
                error
            );
        }
        Ok(()) => {
            let written = image(&model);
            prop_assert!(
                bytes == written || bytes == version_1(&written) || bytes == version_2(&written),
                "accepted bytes that are not a valid image"
            );
        }
    }
    // The compile-time reader agrees, for any count; it compares the layout once the layers
    // are built (`finish`), so `new` accepts an image whose layout alone is wrong, or finds
    // the non-finite value checked after it.
    let verdict = ConstImage::new(bytes, M::PARAM_COUNT).map(|_| ());
    if let Err(ImageError::Layout { .. }) = result {
        let built_later = matches!(verdict, Ok(()) | Err(ImageError::NotFinite { .. }));
        prop_assert!(built_later);
    } else {
        prop_assert_eq!(verdict, result);
    }
    Ok(result)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn valid_images_load_bit_for_bit(m in model::<Net>(), before in model::<Net>()) {
        let bytes = image(&m);
        prop_assert_eq!(read_checked(&before, &bytes)?, Ok(()));
        prop_assert_eq!(read_checked(&before, &version_1(&bytes))?, Ok(()));
        prop_assert_eq!(read_checked(&before, &version_2(&bytes))?, Ok(()));
        let built = const_net(&bytes, Net::PARAM_COUNT).unwrap();
        prop_assert_eq!(image(&built), bytes);
    }

    #[test]
    fn truncated_images_are_length_errors(
        m in model::<Net>(),
        before in model::<Net>(),
        cut in 0usize..120,
    ) {
        let bytes = image(&m);
        let expected = ImageError::Length { expected: bytes.len(), found: cut };
        prop_assert_eq!(read_checked(&before, &bytes[..cut])?, Err(expected));
    }

    #[test]
    fn oversized_images_are_length_errors(
        m in model::<Net>(),
        before in model::<Net>(),
        extra in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let mut bytes = image(&m);
        let len = bytes.len();
        bytes.extend(&extra);
        let expected = ImageError::Length { expected: len, found: len + extra.len() };
        prop_assert_eq!(read_checked(&before, &bytes)?, Err(expected));
    }

    /// CRC-32 has Hamming distance 4 up to 91,607 data bits: one, two or three flipped bits
    /// anywhere (header, parameters or checksum) are always detected.
    #[test]
    fn up_to_three_flipped_bits_are_rejected(
        m in model::<Net>(),
        before in model::<Net>(),
        bits in proptest::collection::btree_set(0usize..120 * 8, 1..=3),
    ) {
        let mut bytes = image(&m);
        for &bit in &bits {
            bytes[bit / 8] ^= 1 << (bit % 8);
        }
        prop_assert!(read_checked(&before, &bytes)?.is_err());
    }

    #[test]
    fn up_to_three_flipped_bits_are_rejected_in_larger_images(
        m in model::<Big>(),
        bits in proptest::collection::btree_set(0usize..1104 * 8, 1..=3),
    ) {
        let mut bytes = image(&m);
        for &bit in &bits {
            bytes[bit / 8] ^= 1 << (bit % 8);
        }
        prop_assert!(read_checked(&Big::ZERO, &bytes)?.is_err());
    }

    /// Bytes overwritten with anything: only the valid image itself is accepted.
    #[test]
    fn corrupted_images_are_rejected(
        m in model::<Net>(),
        before in model::<Net>(),
        edits in proptest::collection::vec((0usize..120, any::<u8>()), 1..24),
    ) {
        let original = image(&m);
        let mut bytes = original.clone();
        for &(at, value) in &edits {
            bytes[at] = value;
        }
        let result = read_checked(&before, &bytes)?;
        if bytes != original {
            prop_assert!(result.is_err());
        }
    }

    /// Random bytes of any length, read as a model of any size: never a panic.
    #[test]
    fn random_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..160),
        before in model::<Net>(),
        count in any::<usize>(),
    ) {
        let _verdict = read_checked(&before, &bytes)?;
        if let Err(error) = ConstImage::new(&bytes, count) {
            prop_assert!(!error.to_string().is_empty());
        }
        let mut wide = Wide::ZERO;
        if let Err(error) = wide.read_image(&bytes) {
            prop_assert!(!error.to_string().is_empty());
            prop_assert_eq!(wide, Wide::ZERO);
        }
    }

    /// Random bodies behind a valid header, so that the length, checksum and finiteness
    /// checks are reached: a version-1 body of finite values is a valid image, and so is a
    /// version-2 body sealed with its checksum, or a version-3 one whose layout is set right
    /// before it is sealed (its random layout is wrong).
    #[test]
    fn random_bodies_behind_a_valid_header(
        version in 1u16..=3,
        body in proptest::collection::vec(any::<u8>(), 100..=116),
        before in model::<Net>(),
        seal in any::<bool>(),
        right_layout in any::<bool>(),
        count in prop_oneof![Just(26usize), any::<usize>()],
    ) {
        let mut bytes = b"TYNN".to_vec();
        bytes.extend(version.to_le_bytes());
        bytes.extend([4, 0]);
        bytes.extend(26u32.to_le_bytes());
        bytes.extend(&body);
        let lengths = [12 + 26 * 4, 12 + 26 * 4 + 4, 12 + 26 * 4 + 8];
        let exact = bytes.len() == lengths[usize::from(version - 1)];
        if right_layout && version == 3 && exact {
            let layout = typed_nn::io::layout_fingerprint(&before).to_le_bytes();
            bytes[12 + 26 * 4..][..4].copy_from_slice(&layout);
        }
        if seal && version >= 2 && exact {
            let body = bytes.len() - CHECKSUM_BYTES;
            let crc = crc32(&bytes[..body]);
            bytes[body..].copy_from_slice(&crc.to_le_bytes());
        }
        let result = read_checked(&before, &bytes)?;
        let finite = bytes[HEADER_BYTES..]
            .chunks_exact(4)
            .take(26)
            .position(|b| !f32::from_le_bytes(b.try_into().unwrap()).is_finite());
        let wrong_layout = exact
            && version == 3
            && bytes[12 + 26 * 4..][..4] != typed_nn::io::layout_fingerprint(&before).to_le_bytes();
        if exact && (version == 1 || seal) {
            match finite {
                _ if wrong_layout => {
                    let refused = matches!(result, Err(ImageError::Layout { .. }));
                    prop_assert!(refused);
                }
                Some(index) => prop_assert_eq!(result, Err(ImageError::NotFinite { index })),
                None => prop_assert_eq!(result, Ok(())),
            }
        }
        if let Err(error) = ConstImage::new(&bytes, count) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    /// `ConstImage` with any count and a real image, cut anywhere: an error, never a panic
    /// or an overflow.
    #[test]
    fn const_image_takes_any_count(
        m in model::<Net>(),
        cut in 0usize..=124,
        count in prop_oneof![
            any::<usize>(),
            Just(usize::MAX),
            Just(usize::MAX / 2),
            Just(u32::MAX as usize),
            Just(u32::MAX as usize + 1),
            0usize..64,
        ],
    ) {
        let bytes = image(&m);
        match ConstImage::new(&bytes[..cut], count) {
            Ok(image) => prop_assert!(cut == 124 && count == 26 && image.param_count() == 26),
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }
}

/// Every single-bit flip of a valid image, in every position, is rejected by both readers,
/// for `f32` and `f64` images.
#[test]
fn every_single_bit_flip_is_rejected() {
    let mut rng = typed_nn::rand::rngs::SmallRng::seed_from_u64(7);
    let mut net = Net::ZERO;
    net.init(Scheme::Glorot, &mut rng);
    let good = image(&net);
    let mut wide = Wide::ZERO;
    wide.init(Scheme::Glorot, &mut rng);
    let good_wide = to_image::<f64, _>(&wide).unwrap().to_vec();
    let v1 = version_1(&good);

    for bit in 0..good.len() * 8 {
        let mut bytes = good.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        let mut model = Net::ZERO;
        let error = model.read_image(&bytes).unwrap_err();
        assert_eq!(model, Net::ZERO);
        assert_eq!(const_net(&bytes, Net::PARAM_COUNT).unwrap_err(), error);
        // In the parameters, it is the checksum that sees it.
        if (HEADER_BYTES..good.len()).contains(&(bit / 8)) {
            assert!(
                matches!(error, ImageError::Checksum { .. }),
                "bit {bit}: {error}"
            );
        }

        let mut bytes = good_wide.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        let mut model = Wide::ZERO;
        assert!(model.read_image(&bytes).is_err(), "bit {bit}");
        assert_eq!(model, Wide::ZERO);
    }
    // Version 1 has no checksum: a flipped parameter bit loads, unless it makes the value
    // non-finite. That is why the crate writes a checksum (from version 2).
    let mut bytes = v1.clone();
    bytes[HEADER_BYTES] ^= 1;
    let mut model = Net::ZERO;
    assert!(model.read_image(&bytes).is_ok());
    assert_ne!(model, net);
}
