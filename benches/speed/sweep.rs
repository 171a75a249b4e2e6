//! Wide layers: `(Linear<N, N>, ReLU, Linear<N, 10>)` trained on batches of 64 with softmax
//! cross-entropy, with Adam (1e-3) and with plain SGD, beside the GEMM floor of the same step
//! (its five products alone), for N from 256 to 4096. SGD leaves out Adam's memory traffic, so
//! its ratio to the floor is the products' own.

use std::hint::black_box;

use rand::{SeedableRng, rngs::SmallRng};
use typed_nn::prelude::*;

#[cfg(feature = "parallel")]
use crate::two_threads_against_one;
use crate::{Timing, case, classes, floor, seeded_inputs};

const B: usize = 64;
const C: usize = 10;

type Wide<const N: usize> = Net<N, N>;
type Net<const D: usize, const H: usize> = (Linear<D, H>, ReLU, Linear<H, C>);

/// A model on the heap with He and Glorot weights from `seed`.
fn model<const N: usize>(seed: u64) -> Box<Wide<N>> {
    net::<N, N>(seed)
}

/// A D-H-10 model on the heap with He and Glorot weights from `seed`.
fn net<const D: usize, const H: usize>(seed: u64) -> Box<Net<D, H>> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut net: Box<Net<D, H>> = typed_nn::boxed::zeroed();
    net.0.init(Scheme::He, &mut rng);
    net.2.init(Scheme::Glorot, &mut rng);
    net
}

/// One row of the sweep: samples per second of Adam, SGD and the floor, and the ratios.
fn width<const N: usize>(t: &Timing) {
    shape::<N, N>(t, &format!("{N}"));
}

/// A row of the sweep for a D-H-10 network.
fn shape<const D: usize, const H: usize>(t: &Timing, label: &str) {
    let (mut adam_net, mut sgd_net) = (net::<D, H>(11), net::<D, H>(11));
    let xs = seeded_inputs::<D>(B * 2, 12);
    let cs = classes(B * 2, C, 13);
    let (xb, _) = xs.as_chunks::<B>();
    let (cb, _) = cs.as_chunks::<B>();
    let mut gemm = floor::Floor::new(&xs[..B], &adam_net.0.weight, &adam_net.2.weight);
    let mut adam = Trainer::<Net<D, H>, [[f32; D]; B], _>::boxed(Adam::boxed(1e-3));
    let mut sgd = Trainer::<Net<D, H>, [[f32; D]; B], _>::boxed(Sgd::new(1e-3));
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
        "| {label} | {} | {} | {} | {:.2}x | {:.2}x |",
        rate(c.ns[0]),
        rate(c.ns[1]),
        rate(c.ns[2]),
        c.ratio[2],
        c.ratio[2] / c.ratio[1],
    );
}

/// One row of the two-thread sweep: the Adam step on a pool of two threads against the same
/// binary's step on a pool of one (where no pass splits: the step of a build without
/// `parallel`).
#[cfg(feature = "parallel")]
fn threads<const N: usize>(t: &Timing) {
    let (mut net2, mut net1) = (model::<N>(11), model::<N>(11));
    let xs = seeded_inputs::<N>(B * 2, 12);
    let cs = classes(B * 2, C, 13);
    let (xb, _) = xs.as_chunks::<B>();
    let (cb, _) = cs.as_chunks::<B>();
    let mut trainer2 = Trainer::<Wide<N>, [[f32; N]; B], _>::boxed(Adam::boxed(1e-3));
    let mut trainer1 = Trainer::<Wide<N>, [[f32; N]; B], _>::boxed(Adam::boxed(1e-3));
    let (mut i, mut j) = (0, 0);
    let c = two_threads_against_one(
        t,
        || {
            i = (i + 1) % xb.len();
            let loss = trainer2.step(&mut net2, black_box(&xb[i]), &cb[i], &SoftmaxCrossEntropy);
            black_box(loss.ok());
        },
        || {
            j = (j + 1) % xb.len();
            let loss = trainer1.step(&mut net1, black_box(&xb[j]), &cb[j], &SoftmaxCrossEntropy);
            black_box(loss.ok());
        },
    );
    let rate = |ns: f64| format!("{:.0}", 1e9 * B as f64 / ns);
    println!(
        "| {N} | {} | {} | {:.2}x |",
        rate(c.ns[0]),
        rate(c.ns[1]),
        c.ratio[1]
    );
}

/// Adam's update alone at N = 4096 (16.8 million parameters, 64 MiB per array, far beyond the
/// caches) against the machine's memory bandwidth, measured in the same run: a pass that
/// reads and writes four arrays of the parameters' size in place, as Adam reads and writes
/// the parameters, gradients (set back to zero) and both moments, with next to no arithmetic.
fn adam_at_memory_speed(t: &Timing) {
    const N: usize = 4096;
    let mut net = model::<N>(11);
    let mut grads = model::<N>(12);
    let mut adam = Adam::boxed(1e-3);
    let params = <Wide<N> as ParamCount>::PARAM_COUNT;
    let mut arrays: Vec<Vec<f32>> = (0..4).map(|i| vec![i as f32 + 1.0; params]).collect();
    let update = case(|| {
        adam.step(&mut *net, &mut *grads);
        black_box(&net);
    });
    let stream = case(|| {
        let [a, b, c, d] = &mut arrays[..] else {
            unreachable!("four arrays")
        };
        for (((a, b), c), d) in a
            .iter_mut()
            .zip(b.iter_mut())
            .zip(c.iter_mut())
            .zip(d.iter_mut())
        {
            *a *= 0.999;
            *b *= 0.999;
            *c *= 0.999;
            *d *= 0.999;
        }
        black_box(&arrays);
    });
    let c = t.compare(&mut [update, stream]);
    let bytes = (params * 4 * 2 * std::mem::size_of::<f32>()) as f64;
    println!();
    println!(
        "| Adam update, N = {N} | time (ms) | bytes moved (MB) | GB/s | time vs memory speed | target |"
    );
    println!("|---|---:|---:|---:|---:|---|");
    // c.ratio[1] is the stream's time over Adam's, per round.
    let rows = [
        ("Adam", c.ns[0], 1.0 / c.ratio[1], "<= 1.2x"),
        ("4 arrays in place", c.ns[1], 1.0, ""),
    ];
    for (name, ns, vs_memory, target) in rows {
        println!(
            "| {name} | {:.2} | {:.0} | {:.1} | {vs_memory:.2}x | {target} |",
            ns / 1e6,
            bytes / 1e6,
            bytes / ns,
        );
    }
}

/// The Adam step of the sweep at width `n`, timed on request, for a comparison with another
/// process run in turns with this one (`tools/jax_sweep.py --against`): builds the model and
/// trainer once, then for each line of standard input, a number of seconds, runs the step
/// that long and prints samples per second on a line. Ends at the end of its input.
pub fn serve(n: usize) {
    match n {
        256 => serve_width::<256>(),
        1024 => serve_width::<1024>(),
        2048 => serve_width::<2048>(),
        4096 => serve_width::<4096>(),
        _ => {
            eprintln!("serve: N is one of 256, 1024, 2048 and 4096, not {n}");
            std::process::exit(2);
        }
    }
}

fn serve_width<const N: usize>() {
    use std::io::{BufRead, Write};
    let mut net = model::<N>(11);
    let xs = seeded_inputs::<N>(B * 2, 12);
    let cs = classes(B * 2, C, 13);
    let (xb, _) = xs.as_chunks::<B>();
    let (cb, _) = cs.as_chunks::<B>();
    let mut trainer = Trainer::<Wide<N>, [[f32; N]; B], _>::boxed(Adam::boxed(1e-3));
    let mut i = 0;
    let mut step = || {
        i = (i + 1) % xb.len();
        let loss = trainer.step(&mut net, black_box(&xb[i]), &cb[i], &SoftmaxCrossEntropy);
        black_box(loss.ok());
    };
    let stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let Ok(seconds) = line.as_deref().unwrap_or("").trim().parse::<f64>() else {
            eprintln!("serve: each line is a number of seconds");
            std::process::exit(2);
        };
        // Two steps untimed: the other process has just had the caches.
        step();
        step();
        let (start, mut steps) = (std::time::Instant::now(), 0u64);
        while start.elapsed().as_secs_f64() < seconds {
            step();
            steps += 1;
        }
        let rate = (steps * B as u64) as f64 / start.elapsed().as_secs_f64();
        let mut out = stdout.lock();
        let _ = writeln!(out, "{rate:.1}");
        let _ = out.flush();
    }
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
    shape::<784, 256>(t, "W3's 784-256");
    adam_at_memory_speed(t);
    #[cfg(feature = "parallel")]
    {
        println!();
        println!("| N | Adam, 2 threads (samples/s) | 1 thread (samples/s) | speed-up |");
        println!("|---:|---:|---:|---:|");
        threads::<256>(t);
        threads::<1024>(t);
        threads::<2048>(t);
        threads::<4096>(t);
    }
}
