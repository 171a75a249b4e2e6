//! Models with large input widths: 1000, 1500, 2304 (48 x 48), 3072 (32 x 32 x 3), 4097 and
//! 10000 features, far beyond the small sizes of the other tests.
//!
//! Large widths take kernel paths that small ones never reach (the dispatch by amount of work,
//! long vector loops with a remainder: 4097 is one past a power of two). And most of them are
//! sizes typenum cannot map to a type (its table covers 0 to 1024 and a few larger numbers
//! such as 2048, 4096 and 10000): shape rules, training and byte images, `to_image` included,
//! must hold for every width, not only for those a type-level table reaches.
//!
//! For each width, `(Linear<W, 8>, ReLU, Linear<8, 3>)` is compared with a plain f64
//! reference written here: inference of one sample and of a batch of 4; one SGD step on MSE
//! (the loss and every parameter after the update); the byte image round trip, and
//! `to_image` against `write_image`. Models, trainers and inputs are built on the heap: at
//! 10000 inputs they are too large to be moved around safely on a debug test thread's 2 MiB
//! stack.

use rand::{RngExt, SeedableRng, rngs::SmallRng};
use typed_nn::boxed::zeroed;
use typed_nn::io::to_image;
use typed_nn::prelude::*;

type Mlp<const W: usize> = (Linear<W, 8>, ReLU, Linear<8, 3>);
const BATCH: usize = 4;
const LR: f32 = 0.1;

/// The model's parameters in f64, and its forward and backward passes as plain loops.
#[derive(Clone)]
struct Reference {
    w1: Vec<Vec<f64>>,
    b1: Vec<f64>,
    w2: Vec<Vec<f64>>,
    b2: Vec<f64>,
}

fn wide(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&v| f64::from(v)).collect()
}

/// `w x + b`, with `w` stored `[out][in]`.
fn affine(w: &[Vec<f64>], b: &[f64], x: &[f64]) -> Vec<f64> {
    let dot = |row: &Vec<f64>| row.iter().zip(x).map(|(w, x)| w * x).sum::<f64>();
    w.iter().zip(b).map(|(row, b)| dot(row) + b).collect()
}

/// Asserts `|got - want| <= abs + rel * |want|`.
#[track_caller]
fn assert_close(got: f64, want: f64, (abs, rel): (f64, f64), what: &str) {
    let ok = (got - want).abs() <= abs + rel * want.abs();
    assert!(ok, "{what}: got {got}, expected {want}");
}

fn fill(values: &mut [f32], rng: &mut SmallRng, bound: f32) {
    values
        .iter_mut()
        .for_each(|v| *v = rng.random_range(-bound..bound));
}

impl Reference {
    fn of<const W: usize>(m: &Mlp<W>) -> Self {
        Self {
            w1: m.0.weight.iter().map(|r| wide(r)).collect(),
            b1: wide(&m.0.bias),
            w2: m.2.weight.iter().map(|r| wide(r)).collect(),
            b2: wide(&m.2.bias),
        }
    }

    /// Every parameter, in the order of the byte image.
    fn flat(&self) -> Vec<f64> {
        let (w1, w2) = (self.w1.iter().flatten(), self.w2.iter().flatten());
        w1.chain(&self.b1)
            .chain(w2)
            .chain(&self.b2)
            .copied()
            .collect()
    }

    /// The hidden pre-activations, the hidden features after ReLU, and the output.
    fn forward(&self, x: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let z = affine(&self.w1, &self.b1, x);
        let h: Vec<f64> = z.iter().map(|&z| z.max(0.0)).collect();
        let y = affine(&self.w2, &self.b2, &h);
        (z, h, y)
    }

    /// The MSE loss of a batch (the mean over all its outputs) and the parameters after one
    /// SGD step: `p -= lr * g`, summed sample by sample since the update is linear in `g`.
    fn sgd_step(&self, xs: &[Vec<f64>], ts: &[Vec<f64>], lr: f64) -> (f64, Self) {
        let n = (xs.len() * self.b2.len()) as f64;
        let (mut loss, mut next) = (0.0, self.clone());
        for (x, t) in xs.iter().zip(ts) {
            let (z, h, y) = self.forward(x);
            let dy: Vec<f64> = y.iter().zip(t).map(|(y, t)| 2.0 * (y - t) / n).collect();
            loss += y.iter().zip(t).map(|(y, t)| (y - t) * (y - t)).sum::<f64>() / n;
            for (o, &d) in dy.iter().enumerate() {
                next.b2[o] -= lr * d;
                for (w, &h) in next.w2[o].iter_mut().zip(&h) {
                    *w -= lr * d * h;
                }
            }
            for (j, &z) in z.iter().enumerate() {
                let back: f64 = dy.iter().zip(&self.w2).map(|(d, row)| d * row[j]).sum();
                let dz = if z > 0.0 { back } else { 0.0 };
                next.b1[j] -= lr * dz;
                for (w, &x) in next.w1[j].iter_mut().zip(x) {
                    *w -= lr * dz * x;
                }
            }
        }
        (loss, next)
    }
}

/// Checks inference, one training step and the byte images at width `W`.
fn check_width<const W: usize>() {
    let mut rng = SmallRng::seed_from_u64(W as u64);
    let mut model = zeroed::<Mlp<W>>();
    model.init(Scheme::Glorot, &mut rng);
    fill(&mut model.0.bias, &mut rng, 0.2);
    fill(&mut model.2.bias, &mut rng, 0.5);
    let mut xs = zeroed::<[[f32; W]; BATCH]>();
    fill(xs.as_flattened_mut(), &mut rng, 1.0);
    let ts: [[f32; 3]; BATCH] = core::array::from_fn(|_| rng.random());
    let xs64: Vec<_> = xs.iter().map(|x| wide(x)).collect();
    let ts64: Vec<_> = ts.iter().map(|t| wide(t)).collect();

    // Inference, of one sample and of a batch.
    let reference = Reference::of(&model);
    let (one, batch) = (model.infer(&xs[0]), model.infer(&*xs));
    for (b, x) in xs64.iter().enumerate() {
        let (_, _, want) = reference.forward(x);
        for (o, &want) in want.iter().enumerate() {
            let what = format!("W={W}: output {o} of sample {b}");
            assert_close(batch[b][o].into(), want, (1e-4, 1e-4), &what);
            if b == 0 {
                assert_close(one[o].into(), want, (1e-4, 1e-4), &what);
            }
        }
    }
    let hidden = xs64.iter().flat_map(|x| reference.forward(x).0);
    let active = hidden.filter(|&z| z > 0.0).count();
    assert!(
        active > 0 && active < 8 * BATCH,
        "W={W}: ReLU must both pass and block"
    );

    // One SGD step on MSE.
    let (want_loss, want) = reference.sgd_step(&xs64, &ts64, LR.into());
    let mut trainer = Trainer::<Mlp<W>, [[f32; W]; BATCH], _>::boxed(Sgd::new(LR));
    let loss = trainer.step(&mut *model, &*xs, &ts, &Mse).unwrap();
    assert_close(loss.into(), want_loss, (0.0, 1e-4), &format!("W={W}: loss"));
    let (got, want) = (Reference::of(&model).flat(), want.flat());
    assert_eq!(got.len(), <Mlp<W>>::PARAM_COUNT);
    for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
        assert_close(g, w, (1e-6, 1e-5), &format!("W={W}: parameter {i}"));
    }

    // The byte image round trip.
    let mut bytes = vec![0u8; <Mlp<W> as Image<f32>>::IMAGE_BYTES];
    assert_eq!(bytes.len(), 12 + 4 * (8 * W + 8 + 8 * 3 + 3) + 8);
    assert_eq!(model.write_image(&mut bytes), Ok(bytes.len()));
    let mut back = zeroed::<Mlp<W>>();
    back.read_image(&bytes).unwrap();
    assert!(back == model, "W={W}: the image did not restore the model");
    let image = to_image::<f32, _>(&*model).unwrap();
    assert!(
        image[..] == bytes[..],
        "W={W}: to_image differs from write_image"
    );
}

/// One test per width, so that a failure names the width.
macro_rules! width_tests {
    ($($name:ident: $w:literal,)*) => {$(
        #[test]
        fn $name() {
            check_width::<$w>();
        }
    )*};
}

width_tests! {
    width_1000: 1000,
    width_1500: 1500,
    width_2304: 2304,
    width_3072: 3072,
    width_4097: 4097,
    width_10000: 10000,
}

/// A `static` of 4 MiB: `ZERO` refuses it (it is checked as a value built on the stack), and
/// the refusal's message points here, to `from_parts`, which builds it at compile time.
static LARGE_STATIC: Linear<1024, 1024> = Linear::from_parts([[0.0; 1024]; 1024], [0.5; 1024]);

#[test]
fn a_layer_over_one_mebibyte_builds_as_a_static_from_its_parts() {
    assert!(core::mem::size_of_val(&LARGE_STATIC) > 1 << 20);
    let y = LARGE_STATIC.infer(&[1.0f32; 1024]);
    assert!(y.iter().all(|&v| v == 0.5));
}

/// Every built-in layer builds on the heap as `ZERO` would build it, `LeakyReLU`'s slope (0.01
/// by default, not the zero of its bytes) included, and a model past the stack's bound trains
/// there with each optimizer that keeps state of the model's size.
#[test]
fn a_leaky_model_past_the_stack_bound_trains_from_the_heap() {
    type Leaky = (Linear<784, 512>, LeakyReLU, Linear<512, 10>);
    assert!(core::mem::size_of::<Leaky>() > typed_nn::shape::MAX_STACK_BYTES);
    let mut rng = SmallRng::seed_from_u64(3);
    let mut x: Box<[[f32; 784]; 4]> = zeroed();
    x.iter_mut().for_each(|row| fill(row, &mut rng, 1.0));
    let classes = [1, 3, 5, 7];
    // Built twice from one seed: a clone would pass through the stack.
    let start_model = || {
        let mut model: Box<Leaky> = zeroed();
        assert_eq!(model.1.slope, LeakyReLU::DEFAULT_SLOPE);
        model.init(Scheme::He, &mut SmallRng::seed_from_u64(4));
        model
    };
    let mut model = start_model();
    let mut adam = Trainer::<Leaky, [[f32; 784]; 4], _>::boxed(Adam::<Leaky>::boxed(1e-3));
    let mut momentum = Trainer::<Leaky, [[f32; 784]; 4], _>::boxed(typed_nn::optim::SgdMomentum::<
        Leaky,
    >::boxed(0.01, 0.9));
    let loss =
        |m: &Leaky| typed_nn::eval::mean_loss(m, &x[..], &classes, &SoftmaxCrossEntropy).unwrap();
    let start = loss(&model);
    for _ in 0..5 {
        adam.step(&mut model, &x, &classes, &SoftmaxCrossEntropy)
            .unwrap();
    }
    assert!(
        loss(&model) < start,
        "Adam: {} against {start}",
        loss(&model)
    );
    let mut model = start_model();
    for _ in 0..5 {
        momentum
            .step(&mut model, &x, &classes, &SoftmaxCrossEntropy)
            .unwrap();
    }
    assert!(
        loss(&model) < start,
        "momentum: {} against {start}",
        loss(&model)
    );
}

/// A batch whose layers' outputs are 1 MiB each (64 samples of 4096 features): `infer` keeps
/// every layer's output on the stack, more than a 2 MiB thread holds, while `forward` into a
/// cache built on the heap keeps them there (the way the `Forward::infer` docs give), and
/// computes what inference of each sample does.
#[test]
fn a_batch_of_wide_outputs_runs_on_a_small_thread_through_a_boxed_cache() {
    type Wide = (Linear<64, 4096>, ReLU, Linear<4096, 3>);
    type Batch = [[f32; 64]; 64];
    let run = || {
        let mut rng = SmallRng::seed_from_u64(5);
        let mut net: Box<Wide> = zeroed();
        net.init(Scheme::Glorot, &mut rng);
        let mut x: Box<Batch> = zeroed();
        x.iter_mut()
            .flatten()
            .for_each(|v| *v = rng.random_range(-1.0..1.0));
        let mut cache: Box<<Wide as Forward<Batch>>::Cache> = zeroed();
        let mut y = [[0.0f32; 3]; 64];
        net.forward(&*x, &mut y, &mut cache);
        for (row, sample) in y.iter().zip(x.iter()) {
            let alone = net.infer(sample);
            for (a, b) in row.iter().zip(&alone) {
                assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{a} vs {b}");
            }
        }
    };
    let thread = std::thread::Builder::new().stack_size(2 << 20);
    thread.spawn(run).unwrap().join().unwrap();
}
