//! Universal approximation, built by hand and learned: sums of sigmoid bumps written directly
//! as weights (`typed_nn::universal::bumps`) follow sin on [0, 2 pi] more closely as bumps are
//! added, and a network of the same shape trained by Adam from a random start does better
//! still with 40 hidden units.
//!
//! Prints a markdown table of the largest error against the number of bumps, and draws sin,
//! the constructed networks and the trained one in an SVG file.
//!
//! Run: `cargo run --release --example universal_approximation -- docs/universal_approximation.svg`
//! (by default the plot goes to `target/universal_approximation.svg`).

mod support;

use std::error::Error;
use std::f64::consts::{PI, TAU};

use plotters::prelude::*;
use typed_nn::prelude::*;
use typed_nn::rand::{RngExt, SeedableRng, rngs::SmallRng};
use typed_nn::train::TrainError;
use typed_nn::universal::{Bumps, bumps};

/// The largest error is measured at this many evenly spaced points of [0, 2 pi], plus one.
const GRID: usize = 10_000;
/// Samples in each training batch.
const BATCH: usize = 32;
/// Training steps: two thirds at `LEARNING_RATE`, the last third at a tenth of it.
const STEPS: usize = 20_000;
const LEARNING_RATE: f32 = 0.01;
const SEED: u64 = 7;
/// The most the trained network may be off. Seeds 1 to 8 gave 0.004 to 0.016 with these
/// settings; 0.03 leaves room for the small differences between instruction sets.
const MAX_TRAINED_ERROR: f64 = 0.03;
/// The bound on the largest error of 100 bumps: `L d / 2 = pi / 100 = 0.031416` is the error of
/// a staircase of midpoint values for a 1-Lipschitz function, and the measured error is
/// `sin(pi / 100) = 0.031411` at x = 0 (see `tests/universal.rs`).
const MAX_ERROR_OF_100_BUMPS: f64 = 0.0315;

/// `net(x)` for an `f32` network of one input and one output.
fn eval(net: &impl Forward<[f32; 1], Output = [f32; 1]>, x: f64) -> f64 {
    f64::from(net.infer(&[x as f32])[0])
}

/// The largest `|net(x) - sin(x)|` on the grid.
fn largest_error(net: &impl Forward<[f32; 1], Output = [f32; 1]>) -> f64 {
    (0..=GRID)
        .map(|i| TAU * i as f64 / GRID as f64)
        .map(|x| (eval(net, x) - x.sin()).abs())
        .fold(0.0, f64::max)
}

/// A `Bumps<H>` network trained on sin from a Glorot start: the same shape as the constructed
/// network with `H / 2` bumps.
fn train<const H: usize>() -> Result<Bumps<H>, TrainError> {
    let mut rng = SmallRng::seed_from_u64(SEED);
    let mut net = Bumps::<H>::ZERO;
    net.init(Scheme::Glorot, &mut rng);
    let mut trainer = Trainer::<Bumps<H>, [[f32; 1]; BATCH], _>::new(Adam::new(LEARNING_RATE));
    for step in 0..STEPS {
        if step == 2 * STEPS / 3 {
            trainer.optimizer.lr = LEARNING_RATE / 10.0;
        }
        let xs: [[f32; 1]; BATCH] =
            core::array::from_fn(|_| [rng.random_range(0.0..std::f32::consts::TAU)]);
        let ts = xs.map(|[x]| [x.sin()]);
        trainer.step(&mut net, &xs, &ts, &Mse)?;
    }
    Ok(net)
}

/// One curve of the plot: its name, colour and values at the plot's points.
struct Curve {
    name: String,
    colour: RGBColor,
    width: u32,
    ys: Vec<f64>,
}

impl Curve {
    fn of(name: &str, colour: RGBColor, width: u32, f: impl Fn(f64) -> f64, xs: &[f64]) -> Self {
        Curve {
            name: name.into(),
            colour,
            width,
            ys: xs.iter().map(|&x| f(x)).collect(),
        }
    }
}

/// Draws the curves over [0, 2 pi] into an SVG file at `path`: above, the curves themselves;
/// below, each approximation's error `|net(x) - sin(x)|` on a logarithmic scale.
fn plot(path: &str, xs: &[f64], target: &Curve, nets: &[Curve]) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (900, 820)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        "sin on [0, 2π]: sums of sigmoid bumps, and a trained network",
        ("sans-serif", 24),
    )?;
    let (upper, lower) = root.split_vertically(460);

    let mut chart = ChartBuilder::on(&upper)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..TAU, -1.25..1.25)?;
    chart
        .configure_mesh()
        .x_desc("x")
        .y_desc("net(x)")
        .label_style(("sans-serif", 15))
        .light_line_style(WHITE)
        .draw()?;
    for curve in std::iter::once(target).chain(nets) {
        let style = curve.colour.stroke_width(curve.width);
        let points = xs.iter().copied().zip(curve.ys.iter().copied());
        chart
            .draw_series(LineSeries::new(points, style))?
            .label(curve.name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()?;

    // Errors below 1e-5 (where a curve crosses sin) are drawn at 1e-5.
    let floor = 1e-5;
    let mut chart = ChartBuilder::on(&lower)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..TAU, (floor..1.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("x")
        .y_desc("|net(x) - sin(x)|")
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .label_style(("sans-serif", 15))
        .light_line_style(WHITE)
        .draw()?;
    for curve in nets {
        let style = curve.colour.stroke_width(curve.width);
        let errors = xs.iter().zip(&curve.ys).zip(&target.ys);
        let points = errors.map(|((&x, &y), &t)| (x, (y - t).abs().max(floor)));
        chart.draw_series(LineSeries::new(points, style))?;
    }
    root.present()?;
    Ok(())
}

fn run() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/universal_approximation.svg".into());

    // Sums of 5, 20 and 100 bumps, written directly as weights.
    let five: Bumps<10> = bumps(f64::sin, 0.0, TAU);
    let twenty: Bumps<40> = bumps(f64::sin, 0.0, TAU);
    let hundred: Bumps<200> = bumps(f64::sin, 0.0, TAU);
    let errors = [
        (5, largest_error(&five)),
        (20, largest_error(&twenty)),
        (100, largest_error(&hundred)),
    ];

    println!(
        "Largest |net(x) - sin(x)| on {} points of [0, 2 pi]:\n",
        GRID + 1
    );
    println!("| network | hidden units | largest error | staircase bound pi / M |");
    println!("|---|---:|---:|---:|");
    for (m, error) in errors {
        let bound = PI / m as f64;
        println!(
            "| {m} bumps, constructed | {} | {error:.5} | {bound:.5} |",
            2 * m
        );
    }

    // The same shape as 20 bumps, trained instead of constructed.
    let trained = train::<40>()?;
    let trained_error = largest_error(&trained);
    println!("| trained by Adam from a Glorot start | 40 | {trained_error:.5} | |");

    let xs: Vec<f64> = (0..=2000).map(|i| TAU * i as f64 / 2000.0).collect();
    let target = Curve::of("sin x", BLACK, 4, f64::sin, &xs);
    let nets = [
        Curve::of(
            "5 bumps (H = 10)",
            RGBColor(230, 159, 0),
            2,
            |x| eval(&five, x),
            &xs,
        ),
        Curve::of(
            "20 bumps (H = 40)",
            RGBColor(0, 114, 178),
            2,
            |x| eval(&twenty, x),
            &xs,
        ),
        Curve::of(
            "100 bumps (H = 200)",
            RGBColor(0, 158, 115),
            2,
            |x| eval(&hundred, x),
            &xs,
        ),
        Curve::of(
            "trained, H = 40",
            RGBColor(204, 51, 153),
            2,
            |x| eval(&trained, x),
            &xs,
        ),
    ];
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    plot(&path, &xs, &target, &nets)?;
    println!("\nwrote {path}");

    // The example's claims.
    if !errors.windows(2).all(|pair| pair[1].1 < pair[0].1) {
        return Err(format!("the error does not fall as bumps are added: {errors:?}").into());
    }
    if errors[2].1 >= MAX_ERROR_OF_100_BUMPS {
        return Err(format!(
            "100 bumps are off by {}, not below {MAX_ERROR_OF_100_BUMPS}",
            errors[2].1
        )
        .into());
    }
    if trained_error >= MAX_TRAINED_ERROR.min(errors[1].1) {
        return Err(format!(
            "the trained network is off by {trained_error}, not below {MAX_TRAINED_ERROR} and 20 bumps' {}",
            errors[1].1
        )
        .into());
    }
    Ok(())
}

/// Runs the example; an error is printed as its message, not its `Debug` form.
fn main() -> std::process::ExitCode {
    support::exit(run())
}
