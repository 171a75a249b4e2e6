//! Wide layers: `(Linear<N, N>, ReLU, Linear<N, 10>)` trained on batches of 64 with softmax
//! cross-entropy, with Adam (1e-3) and with plain SGD, beside the GEMM floor of the same step
//! (its five products alone), for N from 256 to 4096. SGD leaves out Adam's memory traffic, so
//! its ratio to the floor is the products' own.

use std::hint::black_box;

use rand::{SeedableRng, rngs::SmallRng};
use typed_nn::prelude::*;

use crate::{Timing, case, classes, floor, seeded_inputs};

const B: usize = 64;
const C: usize = 10;

type Wide<const N: usize> = (Linear<N, N>, ReLU, Linear<N, C>);

/// A model on the heap with He and Glorot weights from `seed`.
fn model<const N: usize>(seed: u64) -> Box<Wide<N>> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut net: Box<Wide<N>> = typed_nn::boxed::zeroed();
    net.0.init(Scheme::He, &mut rng);
    net.2.init(Scheme::Glorot, &mut rng);
    net
}

/// One row of the sweep: samples per second of Adam, SGD and the floor, and the ratios.
fn width<const N: usize>(t: &Timing) {
    let (mut adam_net, mut sgd_net) = (model::<N>(11), model::<N>(11));
    let xs = seeded_inputs::<N>(B * 2, 12);
    let cs = classes(B * 2, C, 13);
    let (xb, _) = xs.as_chunks::<B>();
    let (cb, _) = cs.as_chunks::<B>();
    let mut gemm = floor::Floor::new(&xs[..B], &adam_net.0.weight, &adam_net.2.weight);
    let mut adam = Trainer::<Wide<N>, [[f32; N]; B], _>::boxed(Adam::boxed(1e-3));
    let mut sgd = Trainer::<Wide<N>, [[f32; N]; B], _>::boxed(Sgd::new(1e-3));
    let (mut i, mut j) = (0, 0);
    let with_adam = case(|| {
        i = (i + 1) % xb.len();
        let loss = adam.step(
            &mut adam_net,
            black_box(&xb[i]),
            &cb[i],
            &SoftmaxCrossEntropy,
        );
        black_box(loss.ok());
    });
    let with_sgd = case(|| {
        j = (j + 1) % xb.len();
        let loss = sgd.step(
            &mut sgd_net,
            black_box(&xb[j]),
            &cb[j],
            &SoftmaxCrossEntropy,
        );
        black_box(loss.ok());
    });
    let floor = case(|| {
        gemm.step();
        black_box(&gemm);
    });
    let c = t.compare(&mut [with_adam, with_sgd, floor]);
    let rate = |ns: f64| format!("{:.0}", 1e9 * B as f64 / ns);
    println!(
        "| {N} | {} | {} | {} | {:.2}x | {:.2}x |",
        rate(c.ns[0]),
        rate(c.ns[1]),
        rate(c.ns[2]),
        c.ratio[2],
        c.ratio[2] / c.ratio[1],
    );
}

/// The sweep, as a table of its own.
pub fn sweep(t: &Timing) {
    println!();
    println!(
        "| N | Adam (samples/s) | SGD (samples/s) | GEMM floor (samples/s) | Adam vs floor | SGD vs floor |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    width::<256>(t);
    width::<1024>(t);
    width::<2048>(t);
    width::<4096>(t);
}
