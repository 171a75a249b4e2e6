// A layer written by hand with a forward pass and no backward pass, trained.
use typed_nn::prelude::*;

#[derive(Clone, Copy, Debug)]
struct Double;

impl Forward<[f32; 4]> for Double {
    type Output = [f32; 4];
    type Cache = ();
    const CACHE_FLOATS: usize = 0;
    fn infer(&self, x: &[f32; 4]) -> [f32; 4] {
        x.map(|v| 2.0 * v)
    }
    fn forward(&self, x: &[f32; 4], out: &mut [f32; 4], _: &mut ()) {
        *out = self.infer(x);
    }
}

impl Zero for Double {
    const ZERO: Self = Double;
}

typed_nn::parameterless!(Double);

fn main() {
    let mut net = (Linear::<2, 4>::ZERO, Double, Linear::<4, 1>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &[0.0f32, 1.0], &[1.0], &Mse);
}
