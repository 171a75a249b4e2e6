// An int8 model whose second linear layer takes 8 inputs after a layer of 16 outputs: one
// error, at the call.
use typed_nn::quant::{QLinear, QTanh, Quantized};

fn run(net: &Quantized<(QLinear<1, 16, i16>, QTanh, QLinear<8, 1>)>) -> [i8; 1] {
    net.infer_int8(&[3])
}

fn main() {
    let _ = run;
}
