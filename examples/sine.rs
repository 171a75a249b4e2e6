//! Universal approximation in practice: a 1-16-16-1 tanh network learns sin(x) on [0, 2 pi].
//! Then it writes what the firmware needs: the weights as a byte image (`sine.bin`), and test
//! inputs with this host's outputs for them (`sine_expected.bin`), which the device must
//! reproduce.
//!
//! Run: `cargo run --release --example sine -- firmware/weights`

use std::f32::consts::TAU;

use rand::{RngExt, SeedableRng, rngs::SmallRng};
use typed_nn::io::to_image;
use typed_nn::prelude::*;

/// The network the firmware embeds.
type Sine = (Linear<1, 16>, Tanh, Linear<16, 16>, Tanh, Linear<16, 1>);

const BATCH: usize = 32;
const STEPS: usize = 20_000;
/// Points at which host and device outputs are compared.
const CHECKS: usize = 64;
/// Largest error from sin(x) the trained network may have on [0, 2 pi].
const MAX_ERROR: f32 = 0.02;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "firmware/weights".into());
    let mut rng = SmallRng::seed_from_u64(11);
    let mut net: Sine = Sine::ZERO;
    net.init(Scheme::Glorot, &mut rng);
    let mut trainer = Trainer::<Sine, [[f32; 1]; BATCH], _>::new(Adam::new(0.005));
    for step in 1..=STEPS {
        let xs: [[f32; 1]; BATCH] = core::array::from_fn(|_| [rng.random_range(0.0..TAU)]);
        let ts = xs.map(|[x]| [x.sin()]);
        let loss = trainer.step(&mut net, &xs, &ts, &Mse)?;
        if step % (STEPS / 5) == 0 {
            println!("step {step:>6}: MSE {loss:.2e}");
        }
    }

    let grid = 1000;
    let worst = (0..=grid)
        .map(|i| TAU * i as f32 / grid as f32)
        .map(|x| (net.infer(&[x])[0] - x.sin()).abs())
        .fold(0.0f32, f32::max);
    println!("largest |net(x) - sin(x)| on a grid of {grid} points: {worst:.4}");
    if worst > MAX_ERROR {
        return Err(format!("the network is off by {worst}, more than {MAX_ERROR}").into());
    }

    let image = to_image::<f32, _>(&net)?;
    let mut expected = Vec::with_capacity(CHECKS * 8);
    for i in 0..CHECKS {
        let x = TAU * (i as f32 + 0.5) / CHECKS as f32;
        expected.extend(x.to_le_bytes());
        expected.extend(net.infer(&[x])[0].to_le_bytes());
    }
    std::fs::create_dir_all(&dir)?;
    std::fs::write(format!("{dir}/sine.bin"), &image[..])?;
    std::fs::write(format!("{dir}/sine_expected.bin"), &expected)?;
    // The same weights as PyTorch would save them, for the firmware that imports safetensors.
    typed_nn::io::safetensors::save(format!("{dir}/sine.safetensors"), &net)?;
    println!(
        "wrote {dir}/sine.bin ({} bytes, {} parameters), sine.safetensors and sine_expected.bin ({CHECKS} points)",
        image.len(),
        Sine::PARAM_COUNT
    );
    Ok(())
}
