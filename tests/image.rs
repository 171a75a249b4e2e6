//! Byte images: round trips, the documented layout, and errors instead of panics.

mod common;

use typed_nn::io::{ConstImage, HEADER_BYTES, Image, ImageError, to_image};
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

#[test]
fn round_trip_restores_every_bit() {
    let original = net();
    let mut copy = Net::ZERO;
    copy.read_image(&image_of(&original)).unwrap();
    assert_eq!(copy, original);
    // f64 models too.
    let mut wide = <(Linear<2, 3, f64>, ReLU)>::ZERO;
    wide.set_param(0, core::f64::consts::PI);
    let mut bytes = [0u8; 12 + 9 * 8];
    wide.write_image(&mut bytes).unwrap();
    let mut back = <(Linear<2, 3, f64>, ReLU)>::ZERO;
    back.read_image(&bytes).unwrap();
    assert_eq!(back.param(0), Some(core::f64::consts::PI));
}

#[test]
fn layout_is_header_then_little_endian_parameters_in_pytorch_order() {
    let n = net();
    let bytes = image_of(&n);
    assert_eq!(&bytes[..4], b"TYNN");
    assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 1);
    assert_eq!(bytes[6], 4);
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 26);
    let at = |i: usize| f32::from_le_bytes(bytes[HEADER_BYTES + 4 * i..][..4].try_into().unwrap());
    assert_eq!(at(0), n.0.weight[0][0]);
    assert_eq!(at(1), n.0.weight[0][1], "row-major: [out][in]");
    assert_eq!(at(3), n.0.weight[1][0]);
    assert_eq!(at(12), n.0.bias[0]);
    assert_eq!(at(16), n.2.weight[0][0]);
    assert_eq!(at(25), n.2.bias[1]);
}

#[test]
fn every_malformed_image_is_an_error_that_leaves_the_model_intact() {
    let good = image_of(&net());
    let mut model = Net::ZERO;
    let mut expect = |bytes: &[u8], error: ImageError| {
        assert_eq!(model.read_image(bytes), Err(error));
        assert_eq!(model, Net::ZERO);
        assert!(!error.to_string().is_empty());
    };
    expect(&[], ImageError::Magic { found: [0; 4] });
    expect(
        b"PK\x03\x04rest",
        ImageError::Magic {
            found: *b"PK\x03\x04",
        },
    );
    expect(
        &good[..8],
        ImageError::Length {
            expected: good.len(),
            found: 8,
        },
    );
    expect(
        &good[..good.len() - 1],
        ImageError::Length {
            expected: good.len(),
            found: good.len() - 1,
        },
    );
    let mut longer = good.clone();
    longer.push(0);
    expect(
        &longer,
        ImageError::Length {
            expected: good.len(),
            found: good.len() + 1,
        },
    );
    let mut v2 = good.clone();
    v2[4] = 2;
    expect(
        &v2,
        ImageError::Version {
            found: 2,
            supported: 1,
        },
    );
    let mut wide = good.clone();
    wide[6] = 8;
    expect(
        &wide,
        ImageError::FloatWidth {
            expected: 4,
            found: 8,
        },
    );
    let mut other = good.clone();
    other[8] = 27;
    expect(
        &other,
        ImageError::ParamCount {
            expected: 26,
            found: 27,
        },
    );
    let mut nan = good.clone();
    nan[HEADER_BYTES + 4 * 5..][..4].copy_from_slice(&f32::NAN.to_le_bytes());
    expect(&nan, ImageError::NotFinite { index: 5 });

    let mut small = [0u8; 10];
    assert_eq!(
        net().write_image(&mut small),
        Err(ImageError::BufferTooSmall {
            needed: good.len(),
            available: 10
        })
    );
}

#[test]
fn image_values_have_the_image_length_of_every_model() {
    fn same<M: Image<f32> + Zero>() {
        let image = to_image::<f32, M>(&M::ZERO);
        assert_eq!(image.len(), M::IMAGE_BYTES);
        assert_eq!(image.len(), HEADER_BYTES + 4 * M::PARAM_COUNT);
        let mut back = M::ZERO;
        back.read_image(&image).unwrap();
    }
    // Widths that typenum's table does not reach.
    same::<Linear<2304, 7>>();
    same::<(Flatten<3072>, Linear<3072, 3>, ReLU, Linear<3, 1025>)>();
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
    let n = net();
    assert_eq!(&to_image::<f32, _>(&n)[..], image_of(&n).as_slice());
    let wide = to_image::<f64, _>(&Linear::<3, 2, f64>::from_parts([[1.5; 3]; 2], [-2.0; 2]));
    let mut back = Linear::<3, 2, f64>::ZERO;
    back.read_image(&wide).unwrap();
    assert_eq!(back, Linear::from_parts([[1.5; 3]; 2], [-2.0; 2]));
}

#[test]
fn a_const_image_builds_the_same_model() {
    let n = net();
    let bytes = image_of(&n);
    let mut image = ConstImage::new(&bytes, Net::PARAM_COUNT).unwrap();
    let built: Net = (image.linear(), Tanh, image.linear());
    assert_eq!(image.finish(), Ok(()));
    assert_eq!(built, n);

    // Reading layers that do not match the image fails at `finish`, without a panic.
    let mut short = ConstImage::new(&bytes, Net::PARAM_COUNT).unwrap();
    let _: Linear<3, 4> = short.linear();
    assert!(short.finish().is_err());
    let mut long = ConstImage::new(&bytes, Net::PARAM_COUNT).unwrap();
    let _: (Linear<3, 4>, Linear<4, 3>) = (long.linear(), long.linear());
    assert!(long.finish().is_err());
    assert!(ConstImage::new(&bytes, 21).is_err());
}
