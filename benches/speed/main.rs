//! Speed of training and inference against hand-written baselines, measured in one run.
//!
//! `cargo bench --bench speed` prints, for each workload, the crate's figure, the baselines'
//! and the ratios. `-- --quick` runs every workload briefly (a smoke test, not a measurement).
//!
//! - W1 tiny: 2-16-1, sigmoid, MSE, SGD (lr 0.5), one sample per step: steps/s.
//! - W2 small: 64-32-10, sigmoid, softmax cross-entropy, Adam (1e-3), batch 32: steps/s; and
//!   the same step with tanh, as a ratio of times to the sigmoid step's.
//! - W3 medium: 784-256-10, ReLU, softmax cross-entropy, Adam, batch 64: samples/s.
//! - W4 inference: 64-32-10, sigmoid, one sample, no cache: ns per inference.
//! - The sweep: N-N-10 for N = 256 to 4096, ReLU, softmax cross-entropy, Adam and SGD, batch
//!   64, beside the GEMM floor of the same step (`-- sweep` runs it alone).
//! - `-- serve N`: the sweep's Adam step at width N, timed for as many seconds as each line of
//!   standard input asks, for `tools/jax_sweep.py --against` (JAX and this step in turns).
//!
//! All figures are medians of repeated samples after a warm-up, on one thread. Both sides of a
//! comparison start from the same weights and see the same data.

mod floor;
mod fused;
mod hand;
mod images;
mod sweep;
mod unchecked;

use std::hint::black_box;
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng, rngs::SmallRng};
use typed_nn::prelude::*;
use unchecked::Unchecked;

struct Timing {
    quick: bool,
}

/// A workload's body, run `n` times per call (so the timed loop has no indirect call inside).
type Case<'a> = Box<dyn FnMut(u64) + 'a>;

/// A case that times itself: runs `n` calls and returns the time they took, leaving out
/// whatever it does before them.
type TimedCase<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

/// Times `on_two` run on a pool of two threads against `on_one` on a pool of one (where no
/// pass splits, as in a build without `parallel`), interleaved: the speed-up of the feature
/// `parallel`.
#[cfg(feature = "parallel")]
fn two_threads_against_one(
    t: &Timing,
    mut on_two: impl FnMut() + Send,
    mut on_one: impl FnMut() + Send,
) -> Compared {
    let pool = |threads| {
        let builder = rayon::ThreadPoolBuilder::new().num_threads(threads);
        builder.build().expect("a thread pool for the benchmark")
    };
    let (two, one) = (pool(2), pool(1));
    // Each timed run of `n` steps enters its pool once, as a program that trains inside the
    // pool does (entering it for every step would time the hand-over between threads too),
    // and takes one untimed step first. The other pool's run has left a core idle for a
    // sample's time, and on this kind of machine (a virtual one) the first splits after that
    // wait for the idle core to wake: interleaved steps without the warm-up step measured
    // N = 2048 at 1.2x-1.35x, and back-to-back steps on one pool at 1.6x-1.7x. A program that
    // trains in its pool does not leave the core idle between its steps.
    let warmed = |pool: &rayon::ThreadPool, step: &mut (dyn FnMut() + Send), n: u64| {
        pool.install(|| {
            step();
            let start = Instant::now();
            (0..n).for_each(|_| step());
            start.elapsed()
        })
    };
    let mut parallel: TimedCase = Box::new(|n| warmed(&two, &mut on_two, n));
    let mut serial: TimedCase = Box::new(|n| warmed(&one, &mut on_one, n));
    t.compare_timed(&mut [&mut parallel, &mut serial])
}

fn case<'a>(mut f: impl FnMut() + 'a) -> Case<'a> {
    Box::new(move |n| {
        for _ in 0..n {
            f()
        }
    })
}

/// Medians over rounds: nanoseconds per call of each case, and each case's time over the
/// first case's time, taken round by round.
struct Compared {
    ns: Vec<f64>,
    ratio: Vec<f64>,
}

/// Runs `run` for `warm` (and at least three calls), and returns how many calls take about
/// `sample_time`.
fn calls_per_sample(run: &mut TimedCase, warm: Duration, sample_time: Duration) -> u64 {
    let start = Instant::now();
    let (mut calls, mut timed) = (0u64, Duration::ZERO);
    while start.elapsed() < warm || calls < 3 {
        timed += run(1);
        calls += 1;
    }
    let per_call = timed.as_secs_f64() / calls as f64;
    ((sample_time.as_secs_f64() / per_call) as u64).max(1)
}

/// `run` as a case that times itself.
fn timed<'a>(run: &'a mut Case) -> TimedCase<'a> {
    Box::new(move |n| {
        let start = Instant::now();
        run(n);
        start.elapsed()
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

impl Timing {
    /// Times the cases in interleaved rounds, so that a machine that slows down or speeds up
    /// (it is shared) affects every case of a round alike.
    fn compare(&self, cases: &mut [Case]) -> Compared {
        let mut timed: Vec<TimedCase> = cases.iter_mut().map(timed).collect();
        let mut timed: Vec<&mut TimedCase> = timed.iter_mut().collect();
        self.compare_timed(&mut timed)
    }

    /// [`Timing::compare`] for cases that time themselves.
    fn compare_timed(&self, cases: &mut [&mut TimedCase]) -> Compared {
        let (warm, sample_time, rounds) = if self.quick {
            (Duration::from_millis(5), Duration::from_millis(2), 3)
        } else {
            (Duration::from_millis(300), Duration::from_millis(20), 41)
        };
        let batches: Vec<u64> = cases
            .iter_mut()
            .map(|run| calls_per_sample(run, warm, sample_time))
            .collect();
        let mut times = vec![Vec::new(); cases.len()];
        let mut ratios = vec![Vec::new(); cases.len()];
        for _ in 0..rounds {
            let round: Vec<f64> = cases
                .iter_mut()
                .zip(&batches)
                .map(|(run, &n)| run(n).as_nanos() as f64 / n as f64)
                .collect();
            for (c, &ns) in round.iter().enumerate() {
                times[c].push(ns);
                ratios[c].push(ns / round[0]);
            }
        }
        Compared {
            ns: times.into_iter().map(median).collect(),
            ratio: ratios.into_iter().map(median).collect(),
        }
    }

    /// The checked step's time over the same step without checks (the *checks cost*
    /// column): the two alone, in short samples, the first of each round swapped every round,
    /// so that a slow spell of the shared machine falls on both alike. The median of the
    /// rounds' ratios.
    fn checks_cost(&self, cases: &mut [Case], checked: usize, unchecked: usize) -> f64 {
        let (warm, sample_time, rounds) = if self.quick {
            (Duration::from_millis(5), Duration::from_millis(1), 3)
        } else {
            (Duration::from_millis(100), Duration::from_millis(5), 101)
        };
        let calls = [checked, unchecked]
            .map(|at| calls_per_sample(&mut timed(&mut cases[at]), warm, sample_time));
        let mut ratios = Vec::new();
        for round in 0..rounds {
            let mut ns = [0.0; 2];
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for side in order {
                let at = [checked, unchecked][side];
                let t = Instant::now();
                cases[at](calls[side]);
                ns[side] = t.elapsed().as_nanos() as f64 / calls[side] as f64;
            }
            ratios.push(ns[0] / ns[1]);
        }
        median(ratios)
    }
}

fn seeded_inputs<const D: usize>(n: usize, seed: u64) -> Vec<[f32; D]> {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..n)
        .map(|_| core::array::from_fn(|_| rng.random_range(0.0..1.0)))
        .collect()
}

fn classes(n: usize, c: usize, seed: u64) -> Vec<usize> {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(0..c)).collect()
}

/// A hand-written network with the crate model's weights.
fn hand_copy<const I: usize, const H: usize, const O: usize, A>(
    net: &(Linear<I, H>, A, Linear<H, O>),
) -> hand::Mlp<I, H, O> {
    hand::Mlp {
        w1: net.0.weight,
        b1: net.0.bias,
        w2: net.2.weight,
        b2: net.2.bias,
    }
}

struct Row {
    name: &'static str,
    unit: &'static str,
    /// Nanoseconds per sample (per step divided by the batch, for samples/s).
    ours: f64,
    hand: f64,
    floor: Option<f64>,
    /// Speed-ups over the baselines: their time over ours, median of rounds.
    vs_hand: f64,
    vs_floor: Option<f64>,
    /// The checked step's time over the unchecked step's, median of rounds.
    checks: Option<f64>,
    target: &'static str,
    /// Printed below the table.
    note: Option<String>,
}

impl Row {
    fn new(
        name: &'static str,
        unit: &'static str,
        per: usize,
        c: &Compared,
        target: &'static str,
    ) -> Row {
        let per = per as f64;
        Row {
            name,
            unit,
            ours: c.ns[0] / per,
            hand: c.ns[1] / per,
            floor: None,
            vs_hand: c.ratio[1],
            vs_floor: None,
            checks: None,
            target,
            note: None,
        }
    }

    /// Takes case `at` of the comparison as the GEMM floor.
    fn floor_at(mut self, at: usize, c: &Compared, per: usize) -> Row {
        self.floor = Some(c.ns[at] / per as f64);
        self.vs_floor = Some(c.ratio[at]);
        self
    }

    /// The checked step's time over the unchecked step's ([`Timing::checks_cost`]).
    fn checks(mut self, ratio: f64) -> Row {
        self.checks = Some(ratio);
        self
    }
}

fn w1(t: &Timing) -> Row {
    type Net = (Linear<2, 16>, Sigmoid, Linear<16, 1>);
    let mut rng = SmallRng::seed_from_u64(1);
    let net: Net = (Linear::glorot(&mut rng), Sigmoid, Linear::glorot(&mut rng));
    let mut hand_net = hand_copy(&net);
    let fused_start = fused::FusedMlp::new(&hand_net);
    // Both steps' models and buffers on the heap, placed alike: on the stack, where a
    // program's environment moves them, a step of 100 ns ran up to a tenth slower or faster
    // with where its model and its gradients fell relative to each other.
    let mut raw_net = Box::new(net.clone());
    let mut net = Box::new(net);
    let xs = seeded_inputs::<2>(256, 2);
    let ts: Vec<[f32; 1]> = xs.iter().map(|x| [(x[0] - x[1]).abs()]).collect();
    fused_agrees_with_hand(&fused_start, &hand_net, &xs, &ts);

    let mut trainer = Trainer::<Net, [f32; 2], _>::boxed(Sgd::new(0.5));
    let mut i = 0;
    let ours = case(|| {
        i = (i + 1) % xs.len();
        let loss = trainer.step(&mut *net, black_box(&xs[i]), &ts[i], &Mse);
        black_box(loss.ok());
    });

    let mut grads = hand::Mlp::<2, 16, 1>::zero();
    let mut i = 0;
    let hand = case(|| {
        i = (i + 1) % xs.len();
        let (x, target) = (black_box(&xs[i]), &ts[i]);
        let (mut z, mut h, mut y) = ([0.0; 16], [0.0; 16], [0.0; 1]);
        hand_net.forward::<hand::Sigmoid>(x, &mut z, &mut h, &mut y);
        let dy = [2.0 * (y[0] - target[0])];
        grads = hand::Mlp::zero();
        hand_net.backward::<hand::Sigmoid>(x, &z, &h, &dy, &mut grads);
        hand_net.sgd(&grads, 0.5);
        black_box(&hand_net);
    });

    let mut raw = Unchecked::new(Box::new(Sgd::new(0.5)));
    let mut i = 0;
    let unchecked = case(|| {
        i = (i + 1) % xs.len();
        black_box(raw.step(&mut *raw_net, black_box(&xs[i]), &ts[i], &Mse));
    });

    let mut fused_net = Box::new(fused_start.clone());
    let mut i = 0;
    let fused = case(|| {
        i = (i + 1) % xs.len();
        black_box(fused_net.step(black_box(&xs[i]), ts[i][0], 0.5));
    });
    let mut cases = vec![ours, hand, unchecked, fused];
    let has_fma = fused::has_fma();
    if has_fma {
        let mut fma_net = Box::new(fused_start.clone());
        let (xs, ts, mut i) = (&xs, &ts, 0);
        cases.push(case(move || {
            i = (i + 1) % xs.len();
            // SAFETY: the CPU has AVX2 and FMA (`has_fma`).
            #[cfg(target_arch = "x86_64")]
            black_box(unsafe { fma_net.step_fma(black_box(&xs[i]), ts[i][0], 0.5) });
        }));
    }
    let c = t.compare(&mut cases);
    let checks = t.checks_cost(&mut cases, 0, 2);
    let mut note = format!(
        "W1's step fused by hand, without checks (benches/speed/fused.rs), as the bound of a step of its shape: {} steps/s, {:.2}x the hand loops (typed-nn {:.2}x)",
        rate("steps/s", c.ns[3]),
        c.ratio[1] / c.ratio[3],
        c.ratio[1]
    );
    if has_fma {
        note += &format!(
            "; compiled with AVX2 and FMA: {} steps/s, {:.2}x",
            rate("steps/s", c.ns[4]),
            c.ratio[1] / c.ratio[4]
        );
    }
    let mut row = Row::new("W1 tiny 2-16-1 SGD", "steps/s", 1, &c, ">= 1.0x hand").checks(checks);
    row.note = Some(note);
    row
}

/// The fused step computes what the hand loops do: the same losses, step after step, within
/// the difference of their `exp`s (the crate's is within 3e-7 of the true value).
fn fused_agrees_with_hand(
    fused: &fused::FusedMlp<2, 16>,
    hand: &hand::Mlp<2, 16, 1>,
    xs: &[[f32; 2]],
    ts: &[[f32; 1]],
) {
    let (mut fused, mut hand) = (fused.clone(), hand.clone());
    for (x, t) in xs.iter().zip(ts) {
        let (mut z, mut h, mut y) = ([0.0; 16], [0.0; 16], [0.0; 1]);
        hand.forward::<hand::Sigmoid>(x, &mut z, &mut h, &mut y);
        let hand_loss = (y[0] - t[0]) * (y[0] - t[0]);
        let mut grads = hand::Mlp::zero();
        hand.backward::<hand::Sigmoid>(x, &z, &h, &[2.0 * (y[0] - t[0])], &mut grads);
        hand.sgd(&grads, 0.5);
        let fused_loss = fused.step(x, t[0], 0.5);
        assert!(
            (fused_loss - hand_loss).abs() <= 1e-5 * (1.0 + hand_loss),
            "the fused step's loss {fused_loss} against the hand loops' {hand_loss}"
        );
    }
}

/// One batch of softmax cross-entropy gradients, by hand: dy = (softmax(y) - onehot) / B.
#[allow(clippy::needless_range_loop)]
fn hand_softmax_grad<const C: usize>(y: &[f32; C], class: usize, batch: usize) -> [f32; C] {
    let max = y.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let mut e = [0.0; C];
    let mut sum = 0.0;
    for k in 0..C {
        e[k] = (y[k] - max).exp();
        sum += e[k];
    }
    for k in 0..C {
        e[k] = (e[k] / sum - if k == class { 1.0 } else { 0.0 }) / batch as f32;
    }
    e
}

fn hand_batch_step<const I: usize, const H: usize, const O: usize, A: hand::Act, const B: usize>(
    net: &mut hand::Mlp<I, H, O>,
    state: &mut hand::AdamState<I, H, O>,
    grads: &mut hand::Mlp<I, H, O>,
    xs: &[[f32; I]; B],
    cs: &[usize; B],
    lr: f32,
) {
    *grads = hand::Mlp::zero();
    for (x, &c) in xs.iter().zip(cs) {
        let (mut z, mut h, mut y) = ([0.0; H], [0.0; H], [0.0; O]);
        net.forward::<A>(x, &mut z, &mut h, &mut y);
        let dy = hand_softmax_grad(&y, c, B);
        net.backward::<A>(x, &z, &h, &dy, grads);
    }
    net.adam(grads, state, lr);
}

/// The hand-written network trained with Adam (lr 1e-3) on the batches in turn.
fn hand_adam_case<
    'a,
    const I: usize,
    const H: usize,
    const O: usize,
    A: hand::Act,
    const B: usize,
>(
    mut net: Box<hand::Mlp<I, H, O>>,
    xb: &'a [[[f32; I]; B]],
    cb: &'a [[usize; B]],
) -> Case<'a> {
    let mut state = Box::new(hand::AdamState {
        m: hand::Mlp::zero(),
        v: hand::Mlp::zero(),
        t: 0,
    });
    let mut grads = Box::new(hand::Mlp::zero());
    let mut i = 0;
    case(move || {
        i = (i + 1) % xb.len();
        let (x, c) = (black_box(&xb[i]), &cb[i]);
        hand_batch_step::<I, H, O, A, B>(&mut net, &mut state, &mut grads, x, c, 1e-3);
        black_box(&net);
    })
}

/// The crate's step without its checks (`unchecked.rs`) on the batches in turn, with softmax
/// cross-entropy, beside the checked one.
fn unchecked_adam_case<'a, M, S, const B: usize>(
    mut model: Box<M>,
    xb: &'a [[S; B]],
    cb: &'a [[usize; B]],
) -> Case<'a>
where
    M: Backward<[S; B]> + typed_nn::boxed::ZeroBits + Params<f32> + 'a,
    M::Cache: typed_nn::boxed::ZeroBits,
    M::Output: typed_nn::boxed::ZeroBits + typed_nn::ScoredBy<SoftmaxCrossEntropy, [usize; B]>,
    <M::Output as Tensor>::Elem: Float,
{
    let mut raw = Unchecked::<M, [S; B], _>::new(Adam::<M>::boxed(1e-3));
    let mut i = 0;
    case(move || {
        i = (i + 1) % xb.len();
        let loss = raw.step(&mut model, black_box(&xb[i]), &cb[i], &SoftmaxCrossEntropy);
        black_box(loss);
    })
}

fn w2(t: &Timing) -> Row {
    type Net = (Linear<64, 32>, Sigmoid, Linear<32, 10>);
    const B: usize = 32;
    let mut rng = SmallRng::seed_from_u64(3);
    let mut net: Net = (Linear::glorot(&mut rng), Sigmoid, Linear::glorot(&mut rng));
    let hand_net = hand_copy(&net);
    let raw_net = net.clone();
    let xs = seeded_inputs::<64>(B * 16, 4);
    let cs = classes(B * 16, 10, 5);
    let (xb, _) = xs.as_chunks::<B>();
    let (cb, _) = cs.as_chunks::<B>();

    let mut trainer = Trainer::<Net, [[f32; 64]; B], _>::new(Adam::new(1e-3));
    let mut i = 0;
    let ours = case(|| {
        i = (i + 1) % xb.len();
        let loss = trainer.step(&mut net, black_box(&xb[i]), &cb[i], &SoftmaxCrossEntropy);
        black_box(loss.ok());
    });

    let hand = hand_adam_case::<64, 32, 10, hand::Sigmoid, B>(Box::new(hand_net), xb, cb);

    let unchecked = unchecked_adam_case(Box::new(raw_net), xb, cb);

    // The same step with a tanh hidden layer, whose `tanh` is the crate's own as the
    // sigmoid's `exp` is (libm's made it four times slower).
    type TanhNet = (Linear<64, 32>, Tanh, Linear<32, 10>);
    let mut rng = SmallRng::seed_from_u64(3);
    let mut tanh_net: TanhNet = (Linear::glorot(&mut rng), Tanh, Linear::glorot(&mut rng));
    let mut tanh_trainer = Trainer::<TanhNet, [[f32; 64]; B], _>::new(Adam::new(1e-3));
    let mut i = 0;
    let tanh = case(move || {
        i = (i + 1) % xb.len();
        let loss = tanh_trainer.step(
            &mut tanh_net,
            black_box(&xb[i]),
            &cb[i],
            &SoftmaxCrossEntropy,
        );
        black_box(loss.ok());
    });
    let mut cases = [ours, hand, unchecked, tanh];
    let c = t.compare(&mut cases);
    let checks = t.checks_cost(&mut cases, 0, 2);
    let mut row =
        Row::new("W2 small 64-32-10 Adam b32", "steps/s", 1, &c, ">= 3x hand").checks(checks);
    row.note = Some(format!(
        "W2 with tanh in place of the sigmoid: {} steps/s, {:.2}x the sigmoid step's time",
        rate("steps/s", c.ns[3]),
        c.ratio[3]
    ));
    row
}

fn w3(t: &Timing) -> Row {
    type Net = (Linear<784, 256>, ReLU, Linear<256, 10>);
    const B: usize = 64;
    let mut rng = SmallRng::seed_from_u64(6);
    let mut net: Box<Net> = typed_nn::boxed::zeroed();
    net.0.init(Scheme::He, &mut rng);
    net.2.init(Scheme::Glorot, &mut rng);
    let hand_net = Box::new(hand_copy(&net));
    let raw_net = net.clone();
    let xs = seeded_inputs::<784>(B * 4, 7);
    let cs = classes(B * 4, 10, 8);
    let (xb, _) = xs.as_chunks::<B>();
    let (cb, _) = cs.as_chunks::<B>();

    let mut gemm = floor::Floor::new(&xs[..B], &net.0.weight, &net.2.weight);
    let mut trainer = Trainer::<Net, [[f32; 784]; B], _>::boxed(Adam::boxed(1e-3));
    let mut i = 0;
    let ours = case(|| {
        i = (i + 1) % xb.len();
        let loss = trainer.step(&mut net, black_box(&xb[i]), &cb[i], &SoftmaxCrossEntropy);
        black_box(loss.ok());
    });

    let hand = hand_adam_case::<784, 256, 10, hand::Relu, B>(hand_net, xb, cb);

    let floor = case(|| {
        gemm.step();
        black_box(&gemm);
    });

    let unchecked = unchecked_adam_case(raw_net, xb, cb);
    let mut cases = [ours, hand, floor, unchecked];
    let c = t.compare(&mut cases);
    let checks = t.checks_cost(&mut cases, 0, 3);
    Row::new(
        "W3 medium 784-256-10 Adam b64",
        "samples/s",
        B,
        &c,
        ">= 0.8x GEMM floor",
    )
    .floor_at(2, &c, B)
    .checks(checks)
}

fn w4(t: &Timing) -> Row {
    type Net = (Linear<64, 32>, Sigmoid, Linear<32, 10>);
    let mut rng = SmallRng::seed_from_u64(9);
    let net: Net = (Linear::glorot(&mut rng), Sigmoid, Linear::glorot(&mut rng));
    let hand_net = hand_copy(&net);
    let xs = seeded_inputs::<64>(256, 10);
    let mut i = 0;
    let ours = case(|| {
        i = (i + 1) % xs.len();
        black_box(net.infer(black_box(&xs[i])));
    });
    let mut i = 0;
    let hand = case(|| {
        i = (i + 1) % xs.len();
        let (mut z, mut h, mut y) = ([0.0; 32], [0.0; 32], [0.0; 10]);
        hand_net.forward::<hand::Sigmoid>(black_box(&xs[i]), &mut z, &mut h, &mut y);
        black_box(y);
    });
    let c = t.compare(&mut [ours, hand]);
    Row::new("W4 inference 64-32-10", "ns/inference", 1, &c, ">= 5x hand")
}

/// W3 on rayon pools of two threads and of one, interleaved: the speed-up of the feature
/// `parallel`.
#[cfg(feature = "parallel")]
fn w3_threads(t: &Timing) {
    type Net = (Linear<784, 256>, ReLU, Linear<256, 10>);
    const B: usize = 64;
    let xs = seeded_inputs::<784>(B * 4, 7);
    let cs = classes(B * 4, 10, 8);
    let (xb, _) = xs.as_chunks::<B>();
    let (cb, _) = cs.as_chunks::<B>();
    let setup = || {
        let mut rng = SmallRng::seed_from_u64(6);
        let mut net: Box<Net> = typed_nn::boxed::zeroed();
        net.0.init(Scheme::He, &mut rng);
        net.2.init(Scheme::Glorot, &mut rng);
        let trainer = Trainer::<Net, [[f32; 784]; B], _>::boxed(Adam::boxed(1e-3));
        (net, trainer)
    };
    let ((mut net2, mut trainer2), (mut net1, mut trainer1)) = (setup(), setup());
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
    println!();
    println!("| feature `parallel` | unit | 2 threads | 1 thread | speed-up | target |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| W3 medium 784-256-10 Adam b64 | samples/s | {} | {} | {:.2}x | >= 1.6x one thread |",
        rate("samples/s", c.ns[0] / B as f64),
        rate("samples/s", c.ns[1] / B as f64),
        c.ratio[1]
    );
}

fn rate(unit: &str, ns: f64) -> String {
    if unit.starts_with("ns") {
        format!("{ns:.1}")
    } else {
        format!("{:.0}", 1e9 / ns)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [serve, n, ..] = &args[..]
        && serve == "serve"
    {
        sweep::serve(n.parse().unwrap_or(0));
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a.starts_with('W') || a == "sweep" || a == "images")
        .collect();
    let t = Timing { quick };
    type Workload = fn(&Timing) -> Row;
    let workloads: [(&str, Workload); 4] = [("W1", w1), ("W2", w2), ("W3", w3), ("W4", w4)];
    if only.is_empty() || only.iter().any(|o| o.starts_with('W')) {
        println!(
            "| workload | unit | typed-nn | hand loops | GEMM floor | vs hand | vs floor | checks cost | target |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
    }
    let mut notes = Vec::new();
    for (key, run) in workloads {
        if !only.is_empty() && !only.iter().any(|o| o == key) {
            continue;
        }
        let r = run(&t);
        notes.extend(r.note.clone());
        let floor = r.floor.map_or("".into(), |f| rate(r.unit, f));
        let vs_floor = r.vs_floor.map_or("".into(), |v| format!("{v:.2}x"));
        let checks = r
            .checks
            .map_or("".into(), |c| format!("{:+.1}%", 100.0 * (c - 1.0)));
        println!(
            "| {} | {} | {} | {} | {} | {:.2}x | {} | {} | {} |",
            r.name,
            r.unit,
            rate(r.unit, r.ours),
            rate(r.unit, r.hand),
            floor,
            r.vs_hand,
            vs_floor,
            checks,
            r.target
        );
    }
    for note in notes {
        println!("\n{note}");
    }
    #[cfg(feature = "parallel")]
    if only.is_empty() || only.iter().any(|o| o == "W3") {
        w3_threads(&t);
    }
    if only.is_empty() || only.iter().any(|o| o == "images") {
        images::images(&t);
    }
    if only.is_empty() || only.iter().any(|o| o == "sweep") {
        sweep::sweep(&t);
    }
    if quick {
        println!("(quick run: a smoke test, not a measurement)");
    }
}
