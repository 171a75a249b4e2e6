//! A network built in Flax (`tools/flax_fixture.py`; the files are committed), saved as Flax's
//! documentation saves one, loads into the typed model of the same architecture and computes
//! Flax's outputs: its `kernel`s, `[in, out]`, are read transposed, the square one included.

use typed_nn::io::safetensors::{self as st, Header, Naming};
use typed_nn::prelude::*;

type Net = (Linear<4, 8>, Tanh, Linear<8, 8>, Sigmoid, Linear<8, 3>);

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

/// The rows of the float32 tensor `name`, `N` values each.
fn rows<const N: usize>(header: &Header<'_>, name: &str) -> Vec<[f32; N]> {
    let t = header.find(name).unwrap().unwrap();
    let values: Vec<f32> = t
        .data
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    values
        .chunks_exact(N)
        .map(|r| r.try_into().unwrap())
        .collect()
}

/// The network of `flax_mlp.safetensors`, under the names Flax gives its layers.
fn flax_net() -> Net {
    let mut net = Net::ZERO;
    let names = Naming::Layers(&["params.Dense_0", "params.Dense_1", "params.Dense_2"]);
    st::load_named(&read("flax_mlp.safetensors"), &mut net, names).unwrap();
    net
}

#[test]
fn a_flax_network_computes_flaxs_outputs() {
    let net = flax_net();
    let outputs = read("flax_mlp_outputs.safetensors");
    let header = Header::parse(&outputs).unwrap();
    let (inputs, expected) = (rows::<4>(&header, "inputs"), rows::<3>(&header, "outputs"));
    assert_eq!(inputs.len(), 5);
    for (x, flax) in inputs.iter().zip(&expected) {
        let ours = net.infer(x);
        for (a, b) in ours.iter().zip(flax) {
            assert!(
                (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                "{ours:?} vs Flax's {flax:?}"
            );
        }
    }
}

#[test]
fn the_square_kernel_read_as_a_weight_would_compute_something_else() {
    // The check above could pass only if the square layer were read transposed: read as it
    // is stored, the outputs move far beyond the tolerance.
    let net = flax_net();
    let mut untransposed = net.clone();
    for (o, row) in untransposed.2.weight.iter_mut().enumerate() {
        for (i, w) in row.iter_mut().enumerate() {
            *w = net.2.weight[i][o];
        }
    }
    let x = [0.5, -1.0, 1.5, -2.0];
    let (a, b) = (net.infer(&x), untransposed.infer(&x));
    assert!(
        a.iter().zip(&b).any(|(a, b)| (a - b).abs() > 1e-3),
        "{a:?} {b:?}"
    );
}

#[test]
fn saved_again_it_is_a_pytorch_file_of_the_same_network() {
    let net = flax_net();
    let bytes = st::to_bytes(&net).unwrap();
    let header = Header::parse(&bytes).unwrap();
    let weight = header.find("2.weight").unwrap().unwrap();
    assert_eq!(weight.shape.as_slice(), [8, 8]);
    let mut copy = Net::ZERO;
    st::load(&bytes, &mut copy).unwrap();
    assert_eq!(copy, net);
}
