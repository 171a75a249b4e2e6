//! Training on the device: a 2-4-1 sigmoid network learns XOR from a seeded random start, with
//! no allocator. Every buffer (model, gradients, cache) is a `static`-sized value whose bytes
//! are checked against a RAM budget at compile time. On the Cortex-M0, which has no FPU, the
//! same program trains in software floating point.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use rand::{SeedableRng, rngs::SmallRng};
use typed_nn::footprint::Footprint;
use typed_nn::optim::Sgd;
use typed_nn::train::Trainer;
use typed_nn::{BinaryCrossEntropy, Forward, Linear, Sigmoid};
use typed_nn_firmware::{exit, print, print_f32, print_u32, stack};

type Net = (Linear<2, 4>, Sigmoid, Linear<4, 1>);
/// All four cases form one batch.
type Batch = [[f32; 2]; 4];

const INPUTS: Batch = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
const LABELS: [[f32; 1]; 4] = [[0.0], [1.0], [1.0], [0.0]];
const STEPS: u32 = 2000;

/// The model's and the training step's data (parameters, cache, gradients, optimizer state)
/// must fit in 512 bytes; checked by the compiler. This bounds what the types hold, not the
/// stack: the step's frames and temporaries come on top (the RAM `footprint.sh` measures,
/// statics plus peak stack, is about 2.6 times this sum for this network).
const RAM_BUDGET: usize = 512;
const _: () = assert!(
    <Net as Footprint<Batch>>::PARAM_BYTES + Trainer::<Net, Batch, Sgd>::STEP_BYTES <= RAM_BUDGET
);

#[entry]
fn main() -> ! {
    stack::paint();
    let mut rng = SmallRng::seed_from_u64(2024);
    let mut net: Net = (Linear::glorot(&mut rng), Sigmoid, Linear::glorot(&mut rng));
    let mut trainer = Trainer::<Net, Batch, Sgd>::new(Sgd::new(2.0));
    let mut loss = f32::NAN;
    for _ in 0..STEPS {
        match trainer.step(&mut net, &INPUTS, &LABELS, &BinaryCrossEntropy) {
            Ok(l) => loss = l,
            Err(_) => {
                print("xor_train: training diverged\n");
                exit(false);
            }
        }
    }
    let logits = net.infer(&INPUTS);
    let right = logits
        .iter()
        .zip(&LABELS)
        .filter(|(z, t)| (z[0] > 0.0) == (t[0] > 0.5))
        .count();
    let peak = stack::peak();
    print("xor_train: ");
    print_u32(STEPS);
    print(" steps, loss ");
    print_f32(loss);
    print(", ");
    print_u32(right as u32);
    print("/4 right, peak stack ");
    print_u32(peak as u32);
    print(" bytes\n");
    exit(right == 4)
}
