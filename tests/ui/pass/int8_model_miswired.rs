// The int8 model wired right, as `quantize` builds it from `(Linear<1, 16>, Tanh, Linear<16, 1>)`:
// 16 outputs into 16 inputs, i16 pre-activations into the tanh.
use typed_nn::quant::{QLinear, QTanh, Quantized};

fn run(net: &Quantized<(QLinear<1, 16, i16>, QTanh, QLinear<16, 1>)>) -> [i8; 1] {
    net.infer_int8(&[3])
}

fn main() {
    let _ = run;
}
