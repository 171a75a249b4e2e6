// The correctly wired versions of every compile-fail case.
use typed_nn::prelude::*;

type Four = (Linear<4, 16>, ReLU, Linear<16, 8>, ReLU, Linear<8, 8>, ReLU, Linear<8, 2>);

fn main() {
    let a = (Linear::<4, 16>::ZERO, Linear::<16, 3>::ZERO, Sigmoid);
    let _: [f32; 3] = a.infer(&[0.0; 4]);

    let _: [f32; 2] = Four::ZERO.infer(&[0.0; 4]);

    let b = (Linear::<2, 16>::ZERO, Tanh, Linear::<16, 16>::ZERO, Tanh, Linear::<16, 1>::ZERO);
    let _: [f32; 1] = b.infer(&[0.0, 1.0]);

    let mut c = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let _: [f32; 1] = c.infer(&[0.0, 1.0]);
    let _: [[f32; 1]; 8] = c.infer(&[[0.0f32; 2]; 8]);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut c, &[0.0, 1.0], &[1.0], &Mse);

    let d = (Flatten::<64>, Linear::<64, 10>::ZERO);
    let _: [f32; 10] = d.infer(&[[0.0f32; 8]; 8]);
    let _: [[f32; 10]; 4] = d.infer(&[[[0.0f32; 8]; 8]; 4]);

    let e = (Linear::<2, 16, f64>::ZERO, Sigmoid, Linear::<16, 1, f64>::ZERO);
    let _: [f64; 1] = e.infer(&[0.0f64, 1.0]);
}
