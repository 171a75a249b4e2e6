//! A network trained outside this crate (scikit-learn, exported with PyTorch's `nn.Sequential`
//! names and layout by `tools/digits_fixture.py`; the files are committed) loads into the
//! typed model of the same architecture and reproduces its outputs and its test accuracy.

use typed_nn::data::Dataset;
use typed_nn::eval::accuracy;
use typed_nn::io::safetensors::{self as st, Header};
use typed_nn::prelude::*;

type Net<F> = (Linear<64, 32, F>, Sigmoid, Linear<32, 10, F>);

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

/// The values of tensor `name` of a float64 file.
fn f64s(header: &Header<'_>, name: &str) -> Vec<f64> {
    let t = header.find(name).unwrap().unwrap();
    t.data
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

/// The canonical test split of the digits, scaled as for training.
fn test_split<F: Float>() -> (Vec<[F; 64]>, Vec<usize>) {
    let mut data =
        Dataset::<64, F>::load(concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv")).unwrap();
    data.scale(F::from_f64(1.0 / 16.0));
    let (_, test) = data.split_every(5);
    (test.features.clone(), test.classes().unwrap())
}

/// The test accuracy the script recorded.
fn recorded_accuracy(outputs: &[u8]) -> f64 {
    let (_, meta) = safetensors::SafeTensors::read_metadata(outputs).unwrap();
    let meta = meta.metadata().clone().unwrap();
    meta["test_accuracy"].parse().unwrap()
}

#[test]
fn the_f64_model_reproduces_the_outputs_and_the_accuracy() {
    let mut net = Net::<f64>::ZERO;
    st::load(&read("digits_mlp_f64.safetensors"), &mut net).unwrap();
    let outputs = read("digits_mlp_outputs.safetensors");
    let header = Header::parse(&outputs).unwrap();
    let (inputs, logits) = (f64s(&header, "inputs"), f64s(&header, "logits"));
    let mut worst: f64 = 0.0;
    for (x, want) in inputs.chunks_exact(64).zip(logits.chunks_exact(10)) {
        let got = net.infer(&<[f64; 64]>::try_from(x).unwrap());
        for (g, w) in got.iter().zip(want) {
            worst = worst.max((g - w).abs());
        }
    }
    assert!(worst < 1e-6, "largest difference {worst}");
    let (xs, classes) = test_split::<f64>();
    assert_eq!(
        accuracy(&net, &xs, &classes).unwrap(),
        recorded_accuracy(&outputs)
    );
}

#[test]
fn the_f32_model_keeps_the_accuracy_and_saves_for_the_script() {
    let mut net = Net::<f32>::ZERO;
    st::load(&read("digits_mlp_f32.safetensors"), &mut net).unwrap();
    let (xs, classes) = test_split::<f32>();
    let outputs = read("digits_mlp_outputs.safetensors");
    assert_eq!(
        accuracy(&net, &xs, &classes).unwrap(),
        recorded_accuracy(&outputs)
    );
    // What `tools/digits_fixture.py --check` reads back.
    let target = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/digits_from_rust.safetensors"
    );
    st::save(target, &net).unwrap();
    let mut again = Net::<f32>::ZERO;
    st::load_file(target, &mut again).unwrap();
    assert_eq!(again, net);
}

#[test]
fn the_fixture_is_refused_by_another_architecture_with_the_reason() {
    let bytes = read("digits_mlp_f32.safetensors");
    let mut wrong = (Linear::<64, 16>::ZERO, Sigmoid, Linear::<16, 10>::ZERO);
    let err = st::load(&bytes, &mut wrong).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `0.weight` has shape [32, 64]; layer 0, `Linear<64, 16>`, expects [16, 64]"
    );
}
