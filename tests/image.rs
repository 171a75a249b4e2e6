//! Byte images: round trips, the documented layout, the checksum, and errors instead of panics.

mod common;

use typed_nn::io::{
    CHECKSUM_BYTES, ConstImage, ConstMessage, HEADER_BYTES, Image, ImageError, LAYOUT_BYTES,
    VERSION, crc32, layout_fingerprint, to_image,
};
use typed_nn::prelude::*;

type Net = (Linear<3, 4>, Tanh, Linear<4, 2>);

fn net() -> Net {
    let mut n = Net::ZERO;
    n.init(Scheme::Glorot, &mut common::rng(1));
    n.0.bias = [0.1, -0.2, 0.3, -0.4];
    n
}

fn image_of(n: &Net) -> Vec<u8> {
    let mut bytes = vec![0u8; <Net as Image<f32>>::IMAGE_BYTES];
    assert_eq!(n.write_image(&mut bytes), Ok(bytes.len()));
    bytes
}

/// Rewrites the checksum of a version-2 or 3 image after an edit, so that a later check fails.
fn reseal(bytes: &mut [u8]) {
    let body = bytes.len() - CHECKSUM_BYTES;
    let crc = crc32(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_le_bytes());
}

use common::{version_1, version_2};

#[test]
fn round_trip_restores_every_bit() {
    let original = net();
    let mut copy = Net::ZERO;
    copy.read_image(&image_of(&original)).unwrap();
    assert_eq!(copy, original);
    // f64 models too.
    let mut wide = <(Linear<2, 3, f64>, ReLU)>::ZERO;
    wide.set_param(0, core::f64::consts::PI);
    let mut bytes = [0u8; 12 + 9 * 8 + 8];
    assert_eq!(
        <(Linear<2, 3, f64>, ReLU) as Image<f64>>::IMAGE_BYTES,
        bytes.len()
    );
    wide.write_image(&mut bytes).unwrap();
    let mut back = <(Linear<2, 3, f64>, ReLU)>::ZERO;
    back.read_image(&bytes).unwrap();
    assert_eq!(back.param(0), Some(core::f64::consts::PI));
    // Extreme finite values survive: subnormals, signed zero, the largest float.
    let mut edge = Linear::<2, 2>::ZERO;
    let values = [
        f32::MIN_POSITIVE / 8.0,
        -0.0,
        f32::MAX,
        f32::MIN,
        1e-45,
        3.5,
    ];
    for (i, v) in values.into_iter().enumerate() {
        edge.set_param(i, v);
    }
    let mut back = Linear::<2, 2>::from_parts([[9.0; 2]; 2], [9.0; 2]);
    back.read_image(&to_image::<f32, _>(&edge).unwrap())
        .unwrap();
    for (i, v) in values.into_iter().enumerate() {
        assert_eq!(back.param(i).unwrap().to_bits(), v.to_bits());
    }
}

#[test]
fn crc32_is_the_ieee_802_3_crc() {
    // The catalogue's check value for CRC-32/ISO-HDLC, and values zlib computes.
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
    assert_eq!(crc32(b"a"), 0xE8B7_BE43);
    assert_eq!(
        crc32(b"The quick brown fox jumps over the lazy dog"),
        0x414F_A339
    );
    // Evaluated by the compiler.
    const CHECK: u32 = crc32(b"123456789");
    assert_eq!(CHECK, 0xCBF4_3926);
}

#[test]
fn layout_is_header_then_little_endian_parameters_in_pytorch_order_then_layout_then_crc() {
    let n = net();
    let bytes = image_of(&n);
    assert_eq!(VERSION, 3);
    assert_eq!((HEADER_BYTES, LAYOUT_BYTES, CHECKSUM_BYTES), (12, 4, 4));
    assert_eq!(bytes.len(), 12 + 4 * 26 + 8);
    assert_eq!(&bytes[..4], b"TYNN");
    assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 3);
    assert_eq!(bytes[6], 4);
    assert_eq!(bytes[7], 0, "reserved");
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 26);
    let at = |i: usize| f32::from_le_bytes(bytes[HEADER_BYTES + 4 * i..][..4].try_into().unwrap());
    assert_eq!(at(0), n.0.weight[0][0]);
    assert_eq!(at(1), n.0.weight[0][1], "row-major: [out][in]");
    assert_eq!(at(3), n.0.weight[1][0]);
    assert_eq!(at(12), n.0.bias[0]);
    assert_eq!(at(16), n.2.weight[0][0]);
    assert_eq!(at(25), n.2.bias[1]);
    // Then the layout: the slices' lengths, 12 and 4, then 8 and 2, folded as documented.
    let layout = u32::from_le_bytes(bytes[12 + 4 * 26..][..4].try_into().unwrap());
    let fold = |h: u32, len: u32| h.wrapping_mul(16_777_619).wrapping_add(len);
    assert_eq!(layout, [12, 4, 8, 2].into_iter().fold(0, fold));
    assert_eq!(layout, layout_fingerprint::<f32, _>(&n));
    // The last four bytes are the CRC-32 of all the others.
    let crc = u32::from_le_bytes(bytes[16 + 4 * 26..].try_into().unwrap());
    assert_eq!(crc, crc32(&bytes[..16 + 4 * 26]));
}

/// Reads `bytes` into a model that is not zero, and checks the error, that the model did not
/// change, and that the message says something.
#[track_caller]
fn expect_error(bytes: &[u8], error: ImageError) -> String {
    let before = net();
    let mut model = before.clone();
    assert_eq!(model.read_image(bytes), Err(error));
    assert_eq!(model, before, "the model changed on error");
    let message = error.to_string();
    assert!(!message.is_empty());
    assert!(!error.reason().is_empty());
    message
}

#[test]
fn every_malformed_image_is_an_error_that_says_what_and_leaves_the_model_intact() {
    let good = image_of(&net());
    let len = good.len();

    // Magic.
    let m = expect_error(
        b"PK\x03\x04rest",
        ImageError::Magic {
            found: *b"PK\x03\x04",
        },
    );
    assert!(m.contains("TYNN"), "{m}");
    expect_error(b"TYNX", ImageError::Magic { found: *b"TYNX" });
    expect_error(b"X", ImageError::Magic { found: *b"X\0\0\0" });
    // A safetensors file of the same model is named as one.
    let safetensors = typed_nn::io::safetensors::to_bytes(&net()).unwrap();
    let m = expect_error(&safetensors, ImageError::Safetensors);
    assert_eq!(
        m,
        "not a typed-nn weights image, but by its first bytes a safetensors file: read it with `io::safetensors::load_file` (from a path) or `io::safetensors::load` (from bytes)"
    );
    // A header length of 2^32 or more, or no `{` after it: only the magic is wrong.
    let mut long = safetensors.clone();
    long[4] = 1;
    expect_error(
        &long,
        ImageError::Magic {
            found: long[..4].try_into().unwrap(),
        },
    );
    expect_error(
        &safetensors[..8],
        ImageError::Magic {
            found: safetensors[..4].try_into().unwrap(),
        },
    );

    // Empty, a prefix of the magic, a header cut short: too short.
    for cut in [0, 2, 4, 8, 11] {
        let m = expect_error(
            &good[..cut],
            ImageError::Length {
                expected: len,
                found: cut,
            },
        );
        assert!(m.contains(&format!("{cut} bytes")) && m.contains(&len.to_string()));
    }

    // Version: only 1 to 3.
    for version in [0u16, 4, 0x0300, u16::MAX] {
        let mut bad = good.clone();
        bad[4..6].copy_from_slice(&version.to_le_bytes());
        let m = expect_error(
            &bad,
            ImageError::Version {
                found: version,
                supported: 3,
            },
        );
        assert!(m.contains(&format!("version {version}")) && m.contains("1 to 3"));
    }

    // Reserved byte 7, named with its value.
    for value in [1u8, 0x5A, 0xFF] {
        let mut bad = good.clone();
        bad[7] = value;
        let m = expect_error(&bad, ImageError::Reserved { found: value });
        assert!(
            m.contains("byte 7") && m.contains(&format!("{value:#04x}")),
            "{m}"
        );
    }

    // Float width.
    let mut wide = good.clone();
    wide[6] = 8;
    let m = expect_error(
        &wide,
        ImageError::FloatWidth {
            expected: 4,
            found: 8,
        },
    );
    assert!(m.contains("8-byte") && m.contains("4-byte"));

    // Parameter count.
    let mut other = good.clone();
    other[8] = 27;
    let m = expect_error(
        &other,
        ImageError::ParamCount {
            expected: 26,
            found: 27,
        },
    );
    assert!(m.contains("27") && m.contains("26"));
    other[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    expect_error(
        &other,
        ImageError::ParamCount {
            expected: 26,
            found: u32::MAX,
        },
    );

    // Length: truncated anywhere, or padded.
    for cut in [12, 13, 16, len - 5, len - 4, len - 1] {
        expect_error(
            &good[..cut],
            ImageError::Length {
                expected: len,
                found: cut,
            },
        );
    }
    let mut longer = good.clone();
    longer.push(0);
    let m = expect_error(
        &longer,
        ImageError::Length {
            expected: len,
            found: len + 1,
        },
    );
    assert!(m.contains(&format!("{} bytes", len + 1)));

    // Checksum: a flipped bit in a parameter, in the stored CRC, or in the header's unchecked
    // bits; the error gives the stored and the computed CRC.
    let stored = crc32(&good[..len - 4]);
    let mut flipped = good.clone();
    flipped[HEADER_BYTES + 9] ^= 0x08;
    let computed = crc32(&flipped[..len - 4]);
    let m = expect_error(
        &flipped,
        ImageError::Checksum {
            expected: stored,
            found: computed,
        },
    );
    assert!(
        m.contains(&format!("{stored:#010x}")) && m.contains(&format!("{computed:#010x}")),
        "{m}"
    );
    let mut bad_crc = good.clone();
    bad_crc[len - 1] ^= 0x80;
    expect_error(
        &bad_crc,
        ImageError::Checksum {
            expected: stored ^ 0x8000_0000,
            found: stored,
        },
    );

    // Not finite: NaN, both infinities, signalling NaN, at the first and the last index, with
    // a checksum that matches: named by index.
    for (index, bits) in [
        (5, f32::NAN.to_bits()),
        (0, f32::INFINITY.to_bits()),
        (25, f32::NEG_INFINITY.to_bits()),
        (13, 0x7F80_0001),
    ] {
        let mut bad = good.clone();
        bad[HEADER_BYTES + 4 * index..][..4].copy_from_slice(&bits.to_le_bytes());
        reseal(&mut bad);
        let m = expect_error(&bad, ImageError::NotFinite { index });
        assert!(m.contains(&format!("parameter {index}")), "{m}");
    }
    // The first of several.
    let mut two = good.clone();
    two[HEADER_BYTES + 4 * 20..][..4].copy_from_slice(&f32::NAN.to_le_bytes());
    two[HEADER_BYTES + 4 * 7..][..4].copy_from_slice(&f32::NAN.to_le_bytes());
    reseal(&mut two);
    expect_error(&two, ImageError::NotFinite { index: 7 });

    // The checks run in the documented order: here the version is wrong, and so are the
    // reserved byte, the width, the count, the length and the checksum.
    let mut everything = good.clone();
    everything[4] = 9;
    everything[6] = 2;
    everything[7] = 1;
    everything[8] = 1;
    everything.push(0);
    expect_error(
        &everything,
        ImageError::Version {
            found: 9,
            supported: 3,
        },
    );

    let mut small = [0u8; 10];
    let error = net().write_image(&mut small).unwrap_err();
    assert_eq!(
        error,
        ImageError::BufferTooSmall {
            needed: len,
            available: 10
        }
    );
    assert!(error.to_string().contains(&len.to_string()));

    // A model holding a NaN has no image: the error says it is the model's parameter.
    let mut nan = net();
    nan.visit_mut(&mut |s| s[0] = f32::NAN);
    let error = to_image::<f32, _>(&nan).unwrap_err();
    assert_eq!(error, ImageError::ModelNotFinite { index: 0 });
    assert_eq!(
        error.to_string(),
        "model parameter 0 is NaN or infinite: the model has no weights image"
    );
    // One byte too many, in words that agree with the count.
    let padded = ImageError::Length {
        expected: 40,
        found: 41,
    };
    assert_eq!(
        padded.to_string(),
        "weights image is 41 bytes long, expected 40: 1 byte too many"
    );
}

#[test]
fn f64_images_are_checked_too() {
    type Wide = Linear<2, 2, f64>;
    let model = Wide::from_parts([[1.0, -2.0], [0.5, 0.25]], [3.0, -4.0]);
    let mut bytes = to_image::<f64, _>(&model).unwrap().to_vec();
    assert_eq!(bytes.len(), 12 + 6 * 8 + 8);
    let mut back = Wide::ZERO;
    let mut narrow = Linear::<2, 2>::ZERO;
    assert_eq!(
        narrow.read_image(&bytes),
        Err(ImageError::FloatWidth {
            expected: 4,
            found: 8
        })
    );
    bytes[HEADER_BYTES + 8 * 4..][..8].copy_from_slice(&f64::NEG_INFINITY.to_le_bytes());
    reseal(&mut bytes);
    assert_eq!(
        back.read_image(&bytes),
        Err(ImageError::NotFinite { index: 4 })
    );
    assert_eq!(back, Wide::ZERO);
    // Version 1 of an f64 model.
    let v1 = version_1(&to_image::<f64, _>(&model).unwrap());
    back.read_image(&v1).unwrap();
    assert_eq!(back, model);
}

#[test]
fn version_1_and_2_images_still_load_without_a_layout() {
    let n = net();
    let v2 = version_2(&image_of(&n));
    assert_eq!(v2.len(), 16 + 4 * 26);
    let mut model = Net::ZERO;
    model.read_image(&v2).unwrap();
    assert_eq!(model, n);
    let v1 = version_1(&image_of(&n));
    assert_eq!(v1.len(), 12 + 4 * 26);
    let mut model = Net::ZERO;
    model.read_image(&v1).unwrap();
    assert_eq!(model, n);

    // And are checked as before, and for the reserved byte.
    let mut bad = v1.clone();
    bad[7] = 3;
    expect_error(&bad, ImageError::Reserved { found: 3 });
    let mut nan = v1.clone();
    nan[HEADER_BYTES + 4 * 11..][..4].copy_from_slice(&f32::NAN.to_le_bytes());
    expect_error(&nan, ImageError::NotFinite { index: 11 });
    // A version-1 header on a version-2 body (with its checksum) is 4 bytes too long, a
    // version-2 header on a version-3 body 4 bytes too long too, and a version-2 header on a
    // version-1 body is 4 bytes short.
    for (body, version, expected) in [
        (&v2, 1, 12 + 4 * 26),
        (&image_of(&n), 2, 16 + 4 * 26),
        (&v1, 2, 16 + 4 * 26),
    ] {
        let mut relabelled = body.clone();
        relabelled[4] = version;
        let found = body.len();
        expect_error(&relabelled, ImageError::Length { expected, found });
    }

    // The firmware's reader takes them too.
    for old in [&v1, &v2] {
        let mut image = ConstImage::new(old, Net::PARAM_COUNT).unwrap();
        let built: Net = (image.linear(), Tanh, image.linear());
        assert_eq!(image.finish(), Ok(()));
        assert_eq!(built, n);
    }
    // Without a layout, an image fills a model of other shapes of as many parameters (26,
    // the same layers in the other order): the limit of versions 1 and 2 that version 3
    // removes.
    let mut other = <(Linear<4, 2>, Linear<3, 4>)>::ZERO;
    assert_eq!(other.read_image(&v2), Ok(()));
    assert!(matches!(
        other.read_image(&image_of(&n)),
        Err(ImageError::Layout { .. })
    ));
}

#[test]
fn image_values_have_the_image_length_of_every_model() {
    fn same<M: Image<f32> + Zero>() {
        let image = to_image::<f32, M>(&M::ZERO).unwrap();
        assert_eq!(image.len(), M::IMAGE_BYTES);
        assert_eq!(
            image.len(),
            HEADER_BYTES + 4 * M::PARAM_COUNT + LAYOUT_BYTES + CHECKSUM_BYTES
        );
        let mut back = M::ZERO;
        back.read_image(&image).unwrap();
    }
    // Widths that typenum's table does not reach. Miri, which runs this test for the unsafe
    // code that lays out an image, takes a minute and a half over their 30,000 parameters
    // and finds nothing the small models below do not show.
    if !cfg!(miri) {
        same::<Linear<2304, 7>>();
        same::<(Flatten<3072>, Linear<3072, 3>, ReLU, Linear<3, 1025>)>();
    }
    same::<Net>();
    same::<(
        Flatten<64>,
        Linear<64, 32>,
        Sigmoid,
        Linear<32, 10>,
        Softmax,
    )>();
    same::<(
        Linear<2, 2>,
        LeakyReLU,
        Linear<2, 2>,
        Identity,
        Linear<2, 2>,
        ReLU,
        Linear<2, 1>,
    )>();
    // A model without parameters: header and the checksum of the header.
    same::<(ReLU, Tanh)>();
    let n = net();
    assert_eq!(
        &to_image::<f32, _>(&n).unwrap()[..],
        image_of(&n).as_slice()
    );
    let wide =
        to_image::<f64, _>(&Linear::<3, 2, f64>::from_parts([[1.5; 3]; 2], [-2.0; 2])).unwrap();
    let mut back = Linear::<3, 2, f64>::ZERO;
    back.read_image(&wide).unwrap();
    assert_eq!(back, Linear::from_parts([[1.5; 3]; 2], [-2.0; 2]));
}

#[test]
fn a_const_image_builds_the_same_model() {
    let n = net();
    let bytes = image_of(&n);
    let mut image = ConstImage::new(&bytes, Net::PARAM_COUNT).unwrap();
    assert_eq!(image.param_count(), 26);
    let built: Net = (image.linear(), Tanh, image.linear());
    assert_eq!(image.params_read(), 26);
    assert_eq!(image.finish(), Ok(()));
    assert_eq!(built, n);
}

#[test]
fn const_image_errors_say_what_is_wrong() {
    let good = image_of(&net());
    let len = good.len();
    let check = |bytes: &[u8], count: usize, error: ImageError| {
        assert_eq!(ConstImage::new(bytes, count).map(|_| ()), Err(error));
        assert!(!error.to_string().is_empty() && !error.reason().is_empty());
    };

    // Layers that take fewer or more parameters than the image holds.
    let mut short = ConstImage::new(&good, Net::PARAM_COUNT).unwrap();
    let _: Linear<3, 4> = short.linear();
    let error = short.finish().unwrap_err();
    assert_eq!(
        error,
        ImageError::LayerParams {
            read: 16,
            image: 26
        }
    );
    assert!(error.to_string().contains("16") && error.to_string().contains("26"));
    let mut long = ConstImage::new(&good, Net::PARAM_COUNT).unwrap();
    let _: (Linear<3, 4>, Linear<4, 3>) = (long.linear(), long.linear());
    assert_eq!(
        long.finish(),
        Err(ImageError::LayerParams {
            read: 31,
            image: 26
        })
    );

    // Layers of as many parameters in all, but other shapes: the image's layout refuses them.
    let mut swapped = ConstImage::new(&good, Net::PARAM_COUNT).unwrap();
    let _: (Linear<4, 2>, Linear<3, 4>) = (swapped.linear(), swapped.linear());
    let error = swapped.finish().unwrap_err();
    assert!(matches!(error, ImageError::Layout { .. }), "{error}");
    assert_eq!(
        error.reason(),
        "the weights image was written from a model of other layer shapes, or of its parts in another order"
    );

    // A NaN is a NaN at its index, not a length error.
    let mut nan = good.clone();
    nan[HEADER_BYTES + 4 * 21..][..4].copy_from_slice(&f32::NAN.to_le_bytes());
    reseal(&mut nan);
    check(&nan, 26, ImageError::NotFinite { index: 21 });
    // Without resealing, the checksum catches it first.
    nan.copy_from_slice(&good);
    nan[HEADER_BYTES + 4 * 21..][..4].copy_from_slice(&f32::NAN.to_le_bytes());
    check(
        &nan,
        26,
        ImageError::Checksum {
            expected: crc32(&good[..len - 4]),
            found: crc32(&nan[..len - 4]),
        },
    );
    let mut reserved = good.clone();
    reserved[7] = 7;
    check(&reserved, 26, ImageError::Reserved { found: 7 });
    check(
        &good,
        21,
        ImageError::ParamCount {
            expected: 21,
            found: 26,
        },
    );
    check(
        &good[..len - 1],
        26,
        ImageError::Length {
            expected: len,
            found: len - 1,
        },
    );
    let wide = to_image::<f64, _>(&Linear::<2, 1, f64>::ZERO).unwrap();
    check(
        &wide,
        3,
        ImageError::FloatWidth {
            expected: 4,
            found: 8,
        },
    );

    // No arithmetic overflow, whatever the count: every one is an error, never a panic.
    let max = u32::MAX as usize;
    for count in [usize::MAX / 2, usize::MAX, usize::MAX / 4 + 1, max + 1] {
        let header: &[u8] = b"TYNN\x02\0\x04\0\xff\xff\xff\xff";
        for bytes in [&good[..], &good[..5], &[], header] {
            let error = ConstImage::new(bytes, count).unwrap_err();
            assert!(!error.to_string().is_empty());
            #[cfg(target_pointer_width = "64")]
            assert_eq!(error, ImageError::TooManyParams { count, max });
        }
    }
    // The largest count an image can hold is a length error for short bytes, not a panic.
    #[cfg(target_pointer_width = "64")]
    check(
        &good[..5],
        max,
        ImageError::Length {
            expected: 20 + 4 * max,
            found: 5,
        },
    );
    let error = ConstImage::new(&good, usize::MAX / 2).unwrap_err();
    assert!(error.to_string().contains(&(usize::MAX / 2).to_string()));
}

/// The layout fingerprint of slices of these lengths, folded as the format documents.
const fn fold_layout(lengths: &[u32]) -> u32 {
    let mut h = 0u32;
    let mut i = 0;
    while i < lengths.len() {
        h = h.wrapping_mul(16_777_619).wrapping_add(lengths[i]);
        i += 1;
    }
    h
}

/// An image built by the compiler from the format's table, checked by the compiler; the
/// layout is written in version 3.
const fn const_image<const N: usize>(params: [f32; N], version: u16, layout: u32) -> [u8; 64] {
    let mut out = [0u8; 64];
    let head = [
        b'T',
        b'Y',
        b'N',
        b'N',
        version as u8,
        0,
        4,
        0,
        N as u8,
        0,
        0,
        0,
    ];
    let mut i = 0;
    while i < 12 {
        out[i] = head[i];
        i += 1;
    }
    let mut p = 0;
    while p < N {
        let b = params[p].to_le_bytes();
        let mut k = 0;
        while k < 4 {
            out[12 + 4 * p + k] = b[k];
            k += 1;
        }
        p += 1;
    }
    let mut body = 12 + 4 * N;
    if version == 3 {
        let bytes = layout.to_le_bytes();
        let mut k = 0;
        while k < 4 {
            out[body + k] = bytes[k];
            k += 1;
        }
        body += 4;
    }
    if version >= 2 {
        let crc = crc32(out.split_at(body).0).to_le_bytes();
        let mut k = 0;
        while k < 4 {
            out[body + k] = crc[k];
            k += 1;
        }
    }
    out
}

#[test]
fn const_images_are_checked_at_compile_time() {
    type Small = (Linear<1, 2>, Tanh, Linear<2, 1>);
    const PARAMS: [f32; 7] = [1.0, -2.0, 0.0, 0.0, 1.0, 1.0, 0.5];
    const LAYOUT: u32 = fold_layout(&[2, 2, 2, 1]);
    const V3: [u8; 64] = const_image(PARAMS, 3, LAYOUT);
    const V2: [u8; 64] = const_image(PARAMS, 2, 0);
    const V1: [u8; 64] = const_image(PARAMS, 1, 0);
    static BUILT: Small = {
        let mut image = match ConstImage::new(V3.split_at(20 + 28).0, Small::PARAM_COUNT) {
            Ok(image) => image,
            Err(e) => panic!("{}", e.reason()),
        };
        let net = (image.linear(), Tanh, image.linear());
        match image.finish() {
            Ok(()) => net,
            Err(e) => panic!("{}", e.message().as_str()),
        }
    };
    assert_eq!(BUILT.2.bias, [0.5]);
    assert_eq!(BUILT.0.weight, [[1.0], [-2.0]]);
    const FROM_V1: Result<usize, ImageError> =
        match ConstImage::new(V1.split_at(12 + 28).0, Small::PARAM_COUNT) {
            Ok(image) => Ok(image.param_count()),
            Err(e) => Err(e),
        };
    assert_eq!(FROM_V1, Ok(7));
    const FROM_V2: Result<Small, ImageError> = match ConstImage::new(V2.split_at(16 + 28).0, 7) {
        Ok(mut image) => {
            let net = (image.linear(), Tanh, image.linear());
            match image.finish() {
                Ok(()) => Ok(net),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    assert_eq!(FROM_V2.as_ref(), Ok(&BUILT));
    // Layers of 7 parameters of other shapes: the compiler finds the layout wrong.
    const SWAPPED: Result<(), ImageError> = match ConstImage::new(V3.split_at(48).0, 7) {
        Ok(mut image) => {
            let _: (Linear<2, 1>, Linear<1, 2>) = (image.linear(), image.linear());
            image.finish()
        }
        Err(e) => Err(e),
    };
    assert_eq!(
        SWAPPED,
        Err(ImageError::Layout {
            expected: fold_layout(&[2, 1, 2, 2]),
            found: LAYOUT
        })
    );
    // A corrupted image is an error the compiler computes.
    const CORRUPT: [u8; 64] = {
        let mut bytes = const_image(PARAMS, 3, LAYOUT);
        bytes[20] ^= 1;
        bytes
    };
    const VERDICT: Result<(), ImageError> =
        match ConstImage::new(CORRUPT.split_at(20 + 28).0, Small::PARAM_COUNT) {
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        };
    assert!(matches!(VERDICT, Err(ImageError::Checksum { .. })));
    const NOT_FINITE: Result<(), ImageError> = {
        let bytes = const_image([1.0, 2.0, f32::INFINITY, 0.0, 1.0, 1.0, 0.5], 3, LAYOUT);
        match ConstImage::new(bytes.split_at(20 + 28).0, 7) {
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        }
    };
    assert_eq!(NOT_FINITE, Err(ImageError::NotFinite { index: 2 }));
    // The run-time reader agrees.
    let mut model = Small::ZERO;
    model.read_image(&V3[..48]).unwrap();
    assert_eq!(model, BUILT);
    assert_eq!(&to_image::<f32, _>(&model).unwrap()[..], &V3[..48]);
}

#[test]
fn a_corrupted_file_is_a_file_error_naming_the_checksum() {
    let path = std::env::temp_dir().join(format!("typed-nn-image-{}.bin", std::process::id()));
    let n = net();
    typed_nn::io::save(&path, &n).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[30] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let mut model = Net::ZERO;
    let error = typed_nn::io::load(&path, &mut model).unwrap_err();
    std::fs::remove_file(&path).ok();
    assert!(error.to_string().contains("corrupted"), "{error}");
    assert_eq!(model, Net::ZERO);
}

/// A file far larger than the image (another kind of file, or an image with bytes after it)
/// is read only as far as the image goes, and the error names the file's own length.
#[test]
// Ten megabytes are slow to write under Miri, and nothing here is unsafe.
#[cfg_attr(miri, ignore)]
fn a_file_larger_than_the_image_is_refused_after_reading_one_byte_more() {
    let path = std::env::temp_dir().join(format!("typed-nn-large-{}.bin", std::process::id()));
    let n = net();
    typed_nn::io::save(&path, &n).unwrap();
    let image = std::fs::read(&path).unwrap();
    let mut longer = image.clone();
    longer.resize(image.len() + 10_000_000, 7);
    std::fs::write(&path, &longer).unwrap();
    let mut model = Net::ZERO;
    let error = typed_nn::io::load(&path, &mut model).unwrap_err();
    assert!(
        error.to_string().contains(&format!(
            "is {} bytes long, expected {}",
            longer.len(),
            image.len()
        )),
        "{error}"
    );
    std::fs::write(&path, vec![0u8; 10_000_000]).unwrap();
    let error = typed_nn::io::load(&path, &mut model).unwrap_err();
    std::fs::remove_file(&path).ok();
    assert!(
        error.to_string().contains("not a typed-nn weights image"),
        "{error}"
    );
    assert_eq!(model, Net::ZERO);
}

/// The messages a compile-time panic can show name the numbers at fault, built in `const`
/// context.
#[test]
fn const_messages_name_the_numbers() {
    const COUNT: ConstMessage = ImageError::ParamCount {
        expected: 1284,
        found: 1285,
    }
    .message();
    assert_eq!(
        COUNT.as_str(),
        "the weights image holds another number of parameters than the model: 1285 in the image, 1284 in the model"
    );
    const LAYERS: ConstMessage = ImageError::LayerParams { read: 7, image: 9 }.message();
    assert!(
        LAYERS
            .as_str()
            .ends_with(": the layers took 7, the image holds 9")
    );
    // Without numbers to give, the reason alone.
    let checksum = ImageError::Checksum {
        expected: 1,
        found: 2,
    };
    assert_eq!(checksum.message().as_str(), checksum.reason());
}

/// A pipe or a device is read one byte past the image: one that goes on is refused as a
/// stream, with no length (it has none to give); a whole image loads; `/dev/zero` is not an
/// image.
#[cfg(unix)]
#[test]
// Miri runs no other process (`mkfifo`).
#[cfg_attr(miri, ignore)]
fn streams_are_read_one_byte_past_the_image() {
    use std::io::Write;
    let n = net();
    let image = image_of(&n);
    let mut longer = image.clone();
    longer.resize(image.len() + (16 << 20), 7);
    let (path, writer) = common::pipe("image-longer", move |pipe| drop(pipe.write_all(&longer)));
    let mut model = Net::ZERO;
    let error = typed_nn::io::load(&path, &mut model).unwrap_err();
    writer.join().unwrap();
    std::fs::remove_file(&path).unwrap();
    let expected = image.len();
    assert!(
        matches!(&error, typed_nn::io::FileError::StreamGoesOn { expected: e, .. } if *e == expected),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains(&format!("goes on past the {expected} bytes")),
        "{error}"
    );
    assert_eq!(model, Net::ZERO);
    let whole = image.clone();
    let (path, writer) = common::pipe("image-whole", move |pipe| drop(pipe.write_all(&whole)));
    typed_nn::io::load(&path, &mut model).unwrap();
    writer.join().unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(model, n);
    let mut model = Net::ZERO;
    let error = typed_nn::io::load("/dev/zero", &mut model).unwrap_err();
    assert!(
        error.to_string().contains("not a typed-nn weights image"),
        "{error}"
    );
    assert_eq!(model, Net::ZERO);
}

/// The scaler saved beside its model (`io::save(path, &(scaler, model))`), read back into the
/// pair in the other order: as many parameters, so only the layout tells, and it does.
#[test]
fn a_scaler_and_model_read_in_the_other_order_are_refused() {
    use typed_nn::data::Standardizer;
    type Model = (Linear<4, 3>, ReLU, Linear<3, 1>);
    let mut scaler = Standardizer::<4>::ZERO;
    scaler.mean = [5.8, 3.0, 3.7, 1.2];
    let pair = (scaler.clone(), Model::ZERO);
    let path = std::env::temp_dir().join(format!("typed-nn-pair-{}.bin", std::process::id()));
    typed_nn::io::save(&path, &pair).unwrap();
    let mut swapped = (Model::ZERO, Standardizer::<4>::ZERO);
    assert_eq!(
        <(Model, Standardizer<4>)>::PARAM_COUNT,
        <(Standardizer<4>, Model)>::PARAM_COUNT
    );
    let error = typed_nn::io::load(&path, &mut swapped)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("its parts come in another order (a `(scaler, model)` image read into `(model, scaler)`)"),
        "{error}"
    );
    assert_eq!(swapped, (Model::ZERO, Standardizer::<4>::ZERO));
    // In the order it was written, it loads.
    let mut back = (Standardizer::<4>::ZERO, Model::ZERO);
    typed_nn::io::load(&path, &mut back).unwrap();
    assert_eq!(back, pair);
    // Nesting the same layers differently changes nothing.
    let mut nested = (
        Standardizer::<4>::ZERO,
        ((Linear::<4, 3>::ZERO, ReLU), Linear::<3, 1>::ZERO),
    );
    typed_nn::io::load(&path, &mut nested).unwrap();
    assert_eq!(nested.0, scaler);
    assert_eq!((nested.1.0.0, nested.1.1), (pair.1.0, pair.1.2));
    std::fs::remove_file(&path).unwrap();
}

/// The fuzzer's seeds (`fuzz/corpus/image`) are valid images of its model, one of each
/// version the crate writes or wrote with a checksum, so that fuzzing starts past the checks.
#[test]
fn the_fuzz_seeds_are_valid_images() {
    let mut versions = Vec::new();
    for name in ["net.bin", "net_v3.bin"] {
        let bytes = std::fs::read(format!("fuzz/corpus/image/{name}")).unwrap();
        let mut model = <(Linear<2, 3>, Sigmoid, Linear<3, 1>)>::ZERO;
        model.read_image(&bytes).unwrap();
        versions.push(u16::from_le_bytes([bytes[4], bytes[5]]));
    }
    assert_eq!(versions, [2, VERSION]);
}
