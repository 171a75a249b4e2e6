// Realistic widths compile, run and round-trip: sizes typenum's table does not reach.
use typed_nn::io::Image;
use typed_nn::prelude::*;

fn main() {
    // A 48 x 48 grey image and a 36 x 36 one.
    let faces = (Flatten::<2304>, Linear::<2304, 64>::ZERO, ReLU, Linear::<64, 7>::ZERO);
    let _: [f32; 7] = faces.infer(&[[0.5f32; 48]; 48]);
    let small = (Flatten::<1296>, Linear::<1296, 10>::ZERO);
    let _: [[f32; 10]; 2] = small.infer(&[[[0.5f32; 36]; 36]; 2]);

    // A 3 x 32 x 32 colour image, one and a batch.
    let cifar = (FlattenChannels::<3072>, Linear::<3072, 10>::ZERO);
    let _: [f32; 10] = cifar.infer(&[[[0.5f32; 32]; 32]; 3]);
    let _: [[f32; 10]; 2] = cifar.infer(&[[[[0.5f32; 32]; 32]; 3]; 2]);

    // `Linear<3072, 512>` saved and reloaded as a byte image, on the heap.
    let mut big: Box<Linear<3072, 512>> = typed_nn::boxed::zeroed();
    big.bias[511] = 2.5;
    let mut bytes = vec![0u8; <Linear<3072, 512> as Image<f32>>::IMAGE_BYTES];
    big.write_image(&mut bytes).unwrap();
    let mut back: Box<Linear<3072, 512>> = typed_nn::boxed::zeroed();
    back.read_image(&bytes).unwrap();
    assert_eq!(back.bias[511], 2.5);

    // A wide first layer, with its image built by value.
    let wide: Box<Linear<10000, 10>> = typed_nn::boxed::zeroed();
    let _: [f32; 10] = wide.infer(&[1.0f32; 10000]);
    assert_eq!(typed_nn::io::to_image::<f32, _>(&*wide).unwrap().len(), 12 + 4 * 100_010 + 8);
}
