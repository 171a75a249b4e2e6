//! W3's network behind a `Flatten` of 28 x 28 images, against the same network on flat rows:
//! a model that flattens its input should train as fast as one that is handed flat rows.

use core::hint::black_box;

use rand::{SeedableRng, rngs::SmallRng};
use typed_nn::prelude::*;

use crate::{Timing, case, classes, rate, seeded_inputs};

type Flat = (Linear<784, 256>, ReLU, Linear<256, 10>);
type Imaged = (Flatten<784>, Linear<784, 256>, ReLU, Linear<256, 10>);
const B: usize = 64;
type Images = [[[f32; 28]; 28]; B];

/// Prints the images' speed beside the flat rows', interleaved, with Adam as in W3.
pub fn images(t: &Timing) {
    let xs = seeded_inputs::<784>(B * 4, 7);
    let cs = classes(B * 4, 10, 8);
    let (xb, _) = xs.as_chunks::<B>();
    let (cb, _) = cs.as_chunks::<B>();
    let image_batches: Vec<Box<Images>> = xb
        .iter()
        .map(|batch| {
            let mut images: Box<Images> = typed_nn::boxed::zeroed();
            for (image, row) in images.iter_mut().zip(batch) {
                image.as_flattened_mut().copy_from_slice(row);
            }
            images
        })
        .collect();
    let mut rng = SmallRng::seed_from_u64(6);
    let mut flat: Box<Flat> = typed_nn::boxed::zeroed();
    flat.0.init(Scheme::He, &mut rng);
    flat.2.init(Scheme::Glorot, &mut rng);
    let mut imaged: Box<Imaged> = typed_nn::boxed::zeroed();
    (imaged.1, imaged.3) = (flat.0.clone(), flat.2.clone());

    let mut on_images = Trainer::<Imaged, Images, _>::boxed(Adam::boxed(1e-3));
    let mut i = 0;
    let images_case = case(|| {
        i = (i + 1) % image_batches.len();
        let x = black_box(&*image_batches[i]);
        let loss = on_images.step(&mut imaged, x, &cb[i], &SoftmaxCrossEntropy);
        black_box(loss.ok());
    });
    let mut on_rows = Trainer::<Flat, [[f32; 784]; B], _>::boxed(Adam::boxed(1e-3));
    let mut j = 0;
    let rows_case = case(|| {
        j = (j + 1) % xb.len();
        let x = black_box(&xb[j]);
        let loss = on_rows.step(&mut flat, x, &cb[j], &SoftmaxCrossEntropy);
        black_box(loss.ok());
    });
    let c = t.compare(&mut [images_case, rows_case]);
    println!();
    println!("| W3 on 28 x 28 images | unit | images | flat rows | images vs rows | target |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| (Flatten<784>, Linear<784, 256>, ReLU, Linear<256, 10>) Adam b64 | samples/s | {} | {} | {:.2}x | >= 0.95x rows |",
        rate("samples/s", c.ns[0] / B as f64),
        rate("samples/s", c.ns[1] / B as f64),
        c.ratio[1]
    );
}
