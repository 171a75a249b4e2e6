// The generator made with the crate's own `rand`.
use typed_nn::Linear;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn main() {
    let mut rng = SmallRng::seed_from_u64(0);
    let layer = Linear::<2, 3>::glorot(&mut rng);
    assert!(layer.weight.iter().flatten().any(|&w| w != 0.0));
}
