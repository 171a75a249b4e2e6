//! Universal approximation in practice: a 1-16-16-1 tanh network learns sin(x) on [0, 2 pi].
//! Then it writes what the firmware needs: the weights as a byte image (`sine.bin`) and as
//! safetensors with PyTorch's names (`sine.safetensors`), the int8 model's image
//! (`sine_int8.bin`), and test inputs with this host's outputs for them (`sine_expected.bin`,
//! `sine_int8_expected.bin`), which the device must reproduce.
//!
//! Run: `cargo run --release --example sine -- firmware/weights` (the weights are trained from
//! seed 11; `-- DIR SEED` trains from another, as the check below was measured).

mod support;

use std::f32::consts::TAU;

use typed_nn::io::to_image;
use typed_nn::prelude::*;
use typed_nn::quant::{self, PerChannel};
use typed_nn::rand::{RngExt, SeedableRng, rngs::SmallRng};

/// The network the firmware embeds.
type Sine = (Linear<1, 16>, Tanh, Linear<16, 16>, Tanh, Linear<16, 1>);

const BATCH: usize = 32;
const STEPS: usize = 20_000;
/// Points at which host and device outputs are compared.
const CHECKS: usize = 64;
/// Largest error from sin(x) the trained network may have on [0, 2 pi].
const MAX_ERROR: f32 = 0.02;
/// How far beyond the f32 network's error the int8 network's may go at the check points.
/// Trained from seeds 1 to 12 (`for s in $(seq 12); do cargo run --release --example sine --
/// /tmp/sine $s; done`), the int8 network was 0.016 to 0.036 beyond (0.020 to 0.037 against
/// sin): its input's step of 2 pi / 255 and the hidden activations' step of 1/128 set that
/// spread, not the seed. The margin is there to catch a quantizer that breaks.
const INT8_MARGIN: f32 = 0.05;

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "firmware/weights".into());
    let seed = match std::env::args().nth(2) {
        Some(seed) => seed
            .parse()
            .map_err(|_| format!("the seed is a whole number, not {seed:?}"))?,
        None => 11,
    };
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut net: Sine = Sine::ZERO;
    net.init(Scheme::Glorot, &mut rng);
    let mut trainer = Trainer::<Sine, [[f32; 1]; BATCH], _>::new(Adam::new(0.005));
    for step in 1..=STEPS {
        // A tenth of the rate for the last fifth: at 0.005 to the end, Adam's loss still
        // jumps between 5e-7 and 4e-5 from one thousand steps to the next, and the network
        // written out (and the firmware's error against sin) with it.
        if step == STEPS * 4 / 5 {
            trainer.optimizer.lr = 0.0005;
        }
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
    println!(
        "largest |net(x) - sin(x)| on a grid of {} points: {worst:.4}",
        grid + 1
    );
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
    write_int8(&net, &dir)?;
    println!(
        "wrote {dir}/sine.bin ({} bytes, {} parameters), sine.safetensors and sine_expected.bin ({CHECKS} points)",
        image.len(),
        Sine::PARAM_COUNT
    );
    Ok(())
}

/// The int8 network for `sine_int8`: calibrated on 256 points of [0, 2 pi], one weight scale
/// per output channel (150 bytes more flash than one per layer; the error against sin goes
/// from 0.023 to 0.021 on this network, from 0.073 to 0.020 on an earlier training). Writes its image and its int8 outputs at the check points,
/// which the device must reproduce exactly (integer arithmetic, and the same `f32` operations
/// at the edges).
fn write_int8(net: &Sine, dir: &str) -> Result<(), Box<dyn std::error::Error>> {
    let calibration: Vec<[f32; 1]> = (0..256).map(|i| [TAU * i as f32 / 255.0]).collect();
    let int8 = quant::quantize(net, &calibration, PerChannel)?;
    let points = (0..CHECKS).map(|i| TAU * (i as f32 + 0.5) / CHECKS as f32);
    let outputs: Vec<u8> = points
        .clone()
        .map(|x| int8.infer_int8(&[int8.input.quantize(x)])[0] as u8)
        .collect();
    let worst = points
        .map(|x| (int8.infer(&[x])[0] - x.sin()).abs())
        .fold(0.0f32, f32::max);
    let float = (0..CHECKS)
        .map(|i| TAU * (i as f32 + 0.5) / CHECKS as f32)
        .map(|x| (net.infer(&[x])[0] - x.sin()).abs())
        .fold(0.0f32, f32::max);
    println!(
        "int8: largest |net(x) - sin(x)| at the {CHECKS} check points {worst:.4} (f32 {float:.4})"
    );
    if worst > float + INT8_MARGIN {
        return Err(format!(
            "the int8 network is off by {worst}, more than {INT8_MARGIN} beyond the f32 network's {float}"
        )
        .into());
    }
    let bytes = int8.to_bytes();
    std::fs::write(format!("{dir}/sine_int8.bin"), &bytes)?;
    std::fs::write(format!("{dir}/sine_int8_expected.bin"), &outputs)?;
    println!(
        "wrote {dir}/sine_int8.bin ({} bytes) and sine_int8_expected.bin",
        bytes.len()
    );
    Ok(())
}

/// Runs the example; an error is printed as its message, not its `Debug` form.
fn main() -> std::process::ExitCode {
    support::exit(run())
}
