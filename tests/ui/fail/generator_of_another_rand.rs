// A generator that implements another version's traits (here, none of `rand` 0.10's), as
// `rand::rng()` of `rand` 0.9 does: one error, saying which version the crate takes.
use typed_nn::Linear;

struct OtherRng(u64);

impl OtherRng {
    #[allow(dead_code)]
    fn next_u32(&mut self) -> u32 {
        self.0 += 1;
        self.0 as u32
    }
}

fn main() {
    let mut rng = OtherRng(0);
    let _ = Linear::<2, 3>::glorot(&mut rng);
}
