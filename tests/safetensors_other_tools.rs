//! Files of tools other than PyTorch: safetensors files that store a Linear's weight as a
//! `kernel`, `[in, out]`, as Flax's `nn.Dense` and Keras's `Dense` do (read transposed,
//! checked as strictly as a `weight`, and refused where the name and the layout disagree),
//! the formats other tools write, named by their first bytes with what to do, and the
//! prefixes PyTorch's wrappers (`torch.compile`, `nn.DataParallel`) add to a state dict.

use std::collections::HashMap;

use safetensors::tensor::{Dtype, TensorView};
use typed_nn::io::safetensors::{self as st, Naming, SafetensorsError};
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

/// A file written by the reference implementation, from (name, shape, values).
fn file(tensors: &[(&str, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, _, v)| v.iter().flat_map(|x| x.to_le_bytes()).collect())
        .collect();
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .zip(&bytes)
        .map(|((n, s, _), b)| {
            let view = TensorView::new(Dtype::F32, s.clone(), b).unwrap();
            (n.to_string(), view)
        })
        .collect();
    safetensors::tensor::serialize(views, None::<HashMap<String, String>>).unwrap()
}

/// `weight` (`[out][in]`) as a kernel stores it: `[in][out]`, flattened.
fn kernel_of<const IN: usize, const OUT: usize>(weight: &[[f32; IN]; OUT]) -> Vec<f32> {
    (0..IN)
        .flat_map(|i| (0..OUT).map(move |o| weight[o][i]))
        .collect()
}

fn random<const IN: usize, const OUT: usize>(seed: u64) -> Linear<IN, OUT> {
    Linear::glorot(&mut SmallRng::seed_from_u64(seed))
}

#[test]
fn flax_dense_kernels_load_transposed() {
    // Flax's parameters, flattened with dots: `params.Dense_0.kernel`, [in, out].
    let (first, second) = (random::<3, 4>(1), random::<4, 2>(2));
    let bytes = file(&[
        (
            "params.Dense_0.kernel",
            vec![3, 4],
            kernel_of(&first.weight),
        ),
        ("params.Dense_0.bias", vec![4], first.bias.to_vec()),
        (
            "params.Dense_1.kernel",
            vec![4, 2],
            kernel_of(&second.weight),
        ),
        ("params.Dense_1.bias", vec![2], second.bias.to_vec()),
    ]);
    let mut net = (Linear::<3, 4>::ZERO, ReLU, Linear::<4, 2>::ZERO);
    let naming = Naming::Layers(&["params.Dense_0", "params.Dense_1"]);
    st::load_named(&bytes, &mut net, naming).unwrap();
    assert_eq!(net, (first.clone(), ReLU, second));
    // In part too, beside tensors the model does not read.
    let mut part = Linear::<3, 4>::ZERO;
    st::load_part(&bytes, &mut part, Naming::Layers(&["params.Dense_0"])).unwrap();
    assert_eq!(part, first);
}

#[test]
fn a_square_kernel_is_transposed_though_its_shape_cannot_tell() {
    let layer = random::<5, 5>(3);
    let bytes = file(&[
        ("kernel", vec![5, 5], kernel_of(&layer.weight)),
        ("bias", vec![5], layer.bias.to_vec()),
    ]);
    let mut read = Linear::<5, 5>::ZERO;
    st::load_named(&bytes, &mut read, Naming::Layers(&[""])).unwrap();
    assert_eq!(read, layer);
    assert_ne!(read.weight[0][1], read.weight[1][0]);
    // With nn.Sequential's names, and f64 models reading F32 kernels.
    let bytes = file(&[
        ("0.kernel", vec![5, 5], kernel_of(&layer.weight)),
        ("0.bias", vec![5], layer.bias.to_vec()),
    ]);
    let mut wide = (Linear::<5, 5, f64>::ZERO,);
    st::load(&bytes, &mut wide).unwrap();
    assert_eq!(wide.0.weight[2][3], f64::from(layer.weight[2][3]));
}

/// The error of `load` and of `load_part` for `bytes` into a `Linear<3, 4>` named `0`, which
/// stays as it was.
fn refused(bytes: &[u8]) -> [String; 2] {
    [false, true].map(|part| {
        let mut model = (Linear::<3, 4>::ZERO,);
        let err = if part {
            st::load_part(bytes, &mut model, Naming::Sequential)
        } else {
            st::load(bytes, &mut model)
        }
        .unwrap_err();
        assert_eq!(model, (Linear::ZERO,), "{err}");
        err.to_string()
    })
}

#[test]
fn a_kernel_in_pytorchs_layout_and_a_weight_in_flaxs_are_refused_with_the_other_name() {
    let layer = random::<3, 4>(4);
    let bias = ("0.bias", vec![4], layer.bias.to_vec());
    let as_pytorch = layer.weight.as_flattened().to_vec();
    for err in refused(&file(&[("0.kernel", vec![4, 3], as_pytorch), bias.clone()])) {
        assert_eq!(
            err,
            "tensor `0.kernel` has shape [4, 3]; layer 0, `Linear<3, 4>`, expects [3, 4] (a kernel is read as Flax and Keras store it, `[in, out]`; stored `[out, in]`, as PyTorch stores a Linear's weight, it is named `weight`)"
        );
    }
    let as_flax = kernel_of(&layer.weight);
    for err in refused(&file(&[("0.weight", vec![3, 4], as_flax), bias.clone()])) {
        assert_eq!(
            err,
            "tensor `0.weight` has shape [3, 4]; layer 0, `Linear<3, 4>`, expects [4, 3] (saved transposed, `[in, out]`, as Flax and Keras store kernels? named `kernel` it is read transposed; or transpose it before saving)"
        );
    }
}

#[test]
fn a_kernel_beside_a_weight_is_refused_not_skipped() {
    let layer = random::<3, 4>(5);
    let bytes = file(&[
        ("0.weight", vec![4, 3], layer.weight.as_flattened().to_vec()),
        ("0.kernel", vec![3, 4], kernel_of(&layer.weight)),
        ("0.bias", vec![4], layer.bias.to_vec()),
    ]);
    for err in refused(&bytes) {
        assert!(
            err.starts_with("tensor `0.kernel` falls under layer 0, `Linear<3, 4>`, which reads only its weight and bias"),
            "{err}"
        );
    }
}

#[test]
fn a_kernel_is_checked_as_a_weight_is() {
    let layer = random::<3, 4>(6);
    let bias = ("0.bias", vec![4], layer.bias.to_vec());
    let mut values = kernel_of(&layer.weight);
    values[5] = f32::NAN;
    let [whole, part] = refused(&file(&[("0.kernel", vec![3, 4], values), bias.clone()]));
    assert_eq!(whole, part);
    assert!(
        whole.starts_with("tensor `0.kernel` holds a NaN or an infinity at index 5"),
        "{whole}"
    );
    // A kernel for a layer of another width.
    let narrow = kernel_of(&random::<3, 2>(7).weight);
    let [whole, _] = refused(&file(&[("0.kernel", vec![3, 2], narrow), bias]));
    assert_eq!(
        whole,
        "tensor `0.kernel` has shape [3, 2]; layer 0, `Linear<3, 4>`, expects [3, 4]"
    );
    // A kernel of one dimension is no Linear's: the weight is missing.
    let flat = ("0.kernel", vec![12], kernel_of(&layer.weight));
    let [whole, _] = refused(&file(&[flat, ("0.bias", vec![4], layer.bias.to_vec())]));
    assert!(whole.contains("`0.kernel`"), "{whole}");
}

#[test]
fn a_file_of_kernels_under_other_names_points_to_a_naming() {
    let layer = random::<3, 4>(8);
    let bytes = file(&[
        ("Dense_0.kernel", vec![3, 4], kernel_of(&layer.weight)),
        ("Dense_0.bias", vec![4], layer.bias.to_vec()),
    ]);
    let [whole, _] = refused(&bytes);
    assert!(
        whole.starts_with(
            "tensor `0.weight` (or its `kernel`) is missing (layer 0, `Linear<3, 4>`, needs it), and the file holds `Dense_0.kernel`"
        ),
        "{whole}"
    );
    let err = st::load(&bytes, &mut (Linear::<3, 4>::ZERO,)).unwrap_err();
    assert!(matches!(err, SafetensorsError::NamedOtherwise { .. }));
}

/// The message of `load` for a file that begins with `start` (and goes on with filler).
fn refused_start(start: &[u8]) -> String {
    let mut bytes = start.to_vec();
    bytes.resize(64, 0xee);
    let mut model = (Linear::<3, 4>::ZERO,);
    let err = st::load(&bytes, &mut model).unwrap_err();
    assert!(matches!(err, SafetensorsError::OtherFormat { .. }), "{err}");
    err.to_string()
}

#[test]
fn other_tools_formats_are_named_by_their_first_bytes() {
    let says = |start: &[u8], what: &str| {
        let message = refused_start(start);
        let expected = format!("not a safetensors file, but by its first bytes {what}");
        assert!(message.starts_with(&expected), "{message}");
        message
    };
    // GGUF: magic, then version 3.
    says(b"GGUF\x03\x00\x00\x00", "a GGUF file, as llama.cpp writes");
    // TensorFlow Lite: the root table's offset, then the identifier `TFL3`.
    says(b"\x1c\x00\x00\x00TFL3", "a TensorFlow Lite model");
    // ONNX: `ir_version` 8 (field 1), then `producer_name` (field 2, bytes).
    let onnx = says(
        b"\x08\x08\x12\x07pytorch",
        "a protocol buffer, as an ONNX model",
    );
    assert!(onnx.contains("safetensors.torch.save_file"), "{onnx}");
    // `joblib.dump(obj, f, compress=True)`: zlib at level 3.
    let zlib = says(b"\x78\x5e\x6b\x60", "zlib-compressed data");
    assert!(
        zlib.ends_with("decompress it, and load the file it holds"),
        "{zlib}"
    );
    // Flax's `serialization.to_bytes(variables)`: a map of one entry, `params`.
    let flax = says(b"\x81\xa6params\x82", "MessagePack");
    assert!(
        flax.contains("flax.serialization.msgpack_restore"),
        "{flax}"
    );
    assert!(
        flax.contains("`kernel`s this crate reads transposed"),
        "{flax}"
    );
    // A map of 16 entries or more.
    says(b"\xde\x00\x20\xa4", "MessagePack");
    // Keras: `model.save_weights` (HDF5) and `model.save` (a zip archive) are told how to
    // write the weights with names this crate reads.
    let conversion = "`safetensors.numpy.save_file({w.path.replace(\"/\", \".\"): np.asarray(w) for w in model.weights}, path)`";
    let h5 = says(b"\x89HDF\r\n\x1a\n", "an HDF5 file, as Keras writes");
    assert!(h5.contains(conversion), "{h5}");
    let keras = says(b"PK\x03\x04\x14\x00", "a zip archive");
    assert!(keras.contains("; for Keras, load the model"), "{keras}");
    assert!(keras.contains(conversion), "{keras}");
}

#[test]
fn a_safetensors_file_whose_length_looks_like_another_format_still_loads() {
    // The patterns are asked only of a length that does not fit: headers padded with spaces
    // (as the reference writer pads them) to lengths whose first bytes are a protocol
    // buffer's (`08 12`), MessagePack's (`81 a6`) and zlib's (`78 5e`) are read.
    let layer = random::<3, 4>(9);
    let saved = st::to_bytes_named(&layer, Naming::Layers(&[""])).unwrap();
    let len = u64::from_le_bytes(saved[..8].try_into().unwrap()) as usize;
    let (json, data) = (&saved[8..8 + len], &saved[8 + len..]);
    for start in [[0x08, 0x12], [0x81, 0xa6], [0x78, 0x5e]] {
        let padded = usize::from(u16::from_le_bytes(start));
        let mut file = (padded as u64).to_le_bytes().to_vec();
        file.extend(json);
        file.resize(8 + padded, b' ');
        file.extend(data);
        assert_eq!(file[..2], start);
        let mut read = Linear::<3, 4>::ZERO;
        st::load_named(&file, &mut read, Naming::Layers(&[""])).unwrap();
        assert_eq!(read, layer);
    }
}

#[test]
fn a_prefix_on_the_models_names_is_named_with_the_naming_that_reads_it() {
    let net = (random::<3, 4>(10), ReLU, random::<4, 2>(11));
    let missing = |file: &[u8], naming| {
        let mut model = (Linear::<3, 4>::ZERO, ReLU, Linear::<4, 2>::ZERO);
        let err = st::load_named(file, &mut model, naming).unwrap_err();
        assert!(
            matches!(err, SafetensorsError::NamedOtherwise { .. }),
            "{err}"
        );
        err.to_string()
    };
    // `torch.compile(model).state_dict()`: nn.Sequential's names under `_orig_mod.`.
    let compiled = st::to_bytes_named(&net, Naming::Prefixed("_orig_mod.")).unwrap();
    assert_eq!(
        missing(&compiled, Naming::Sequential),
        "tensor `0.weight` is missing (layer 0, `Linear<3, 4>`, needs it), and the file holds `_orig_mod.0.weight`: the file's names are the model's under `_orig_mod.` (the state dict of a model compiled with `torch.compile`); read it with `Naming::Prefixed(\"_orig_mod.\")`"
    );
    let mut read = (Linear::<3, 4>::ZERO, ReLU, Linear::<4, 2>::ZERO);
    st::load_named(&compiled, &mut read, Naming::Prefixed("_orig_mod.")).unwrap();
    assert_eq!(read, net);
    // `nn.DataParallel`, around a module that holds the sequence as `self.net`.
    let wrapped = st::to_bytes_named(&net, Naming::Prefixed("module.net")).unwrap();
    let message = missing(&wrapped, Naming::Prefixed("net"));
    assert!(
        message.ends_with("(the state dict of a model wrapped in `nn.DataParallel` or `DistributedDataParallel`); read it with `Naming::Prefixed(\"module.net.\")`"),
        "{message}"
    );
    // A module's own names, under a prefix of any other origin.
    let named = st::to_bytes_named(&net, Naming::Layers(&["encoder.fc1", "encoder.fc2"])).unwrap();
    let message = missing(&named, Naming::Layers(&["fc1", "fc2"]));
    assert!(
        message.ends_with("the file's names are the model's under `encoder.`; read it with each layer's name under it, `Naming::Layers(&[\"encoder.fc1\", ...])`"),
        "{message}"
    );
    // Names that differ otherwise keep the general advice.
    let message = missing(&named, Naming::Layers(&["dense", "out"]));
    assert!(message.ends_with("read it with a `Naming` (the crate's example `safetensors_info`, `cargo run --example safetensors_info -- FILE` in its source, prints the model and naming that fit a file)"), "{message}");
}

/// `nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.ReLU()), nn.Linear(4, 2))` names its
/// tensors `0.0.weight` and `1.weight`: the first layer's name is the model's under `0.`,
/// the second's is not, so the advice is each layer's path, which reads it.
#[test]
fn layers_nested_to_different_depths_are_read_by_their_paths() {
    let net = (random::<3, 4>(12), ReLU, random::<4, 2>(13));
    let bytes = st::to_bytes_named(&net, Naming::Layers(&["0.0", "1"])).unwrap();
    let mut model = (Linear::<3, 4>::ZERO, ReLU, Linear::<4, 2>::ZERO);
    let err = st::load(&bytes, &mut model).unwrap_err();
    assert!(matches!(err, SafetensorsError::Nested { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the tensors of layer 0, `Linear<3, 4>`, are missing, and the file holds `0.0.weight` and `1.weight`: its layers sit in modules nested to different depths (an `nn.Sequential` inside another names `0.0.weight` and `1.weight`), so no one prefix reads it; read it with `Naming::Layers`, the path of each layer with parameters in the model's order (here `0.0`, `1`, ...)"
    );
    // The advice reads it; the prefix the names share with the first layer's does not.
    let prefixed = st::load_named(&bytes, &mut model, Naming::Prefixed("0.")).unwrap_err();
    assert!(prefixed.to_string().contains("missing"), "{prefixed}");
    st::load_named(&bytes, &mut model, Naming::Layers(&["0.0", "1"])).unwrap();
    assert_eq!(model, net);
    // Every layer nested alike is a prefix, as before.
    let deep = st::to_bytes_named(&net, Naming::Layers(&["0.0", "0.2"])).unwrap();
    let err = st::load(&deep, &mut model).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("read it with `Naming::Prefixed(\"0.\")`"),
        "{err}"
    );
}

#[test]
fn a_normalisation_among_layers_named_one_by_one_is_refused_even_in_part() {
    let (first, second) = (random::<3, 4>(12), random::<4, 2>(13));
    let dense = |name: &str, layer: &Linear<3, 4>| {
        [
            (
                format!("{name}.kernel"),
                vec![3, 4],
                kernel_of(&layer.weight),
            ),
            (format!("{name}.bias"), vec![4], layer.bias.to_vec()),
        ]
    };
    let last = |name: &str| {
        [
            (
                format!("{name}.kernel"),
                vec![4, 2],
                kernel_of(&second.weight),
            ),
            (format!("{name}.bias"), vec![2], second.bias.to_vec()),
        ]
    };
    let stats = |names: &[&str]| -> Vec<(String, Vec<usize>, Vec<f32>)> {
        let values = |n: &&str| (n.to_string(), vec![4], vec![0.5f32; 4]);
        names.iter().map(values).collect()
    };
    let owned = |tensors: Vec<(String, Vec<usize>, Vec<f32>)>| -> Vec<u8> {
        let refs: Vec<(&str, Vec<usize>, Vec<f32>)> = tensors
            .iter()
            .map(|(n, s, v)| (n.as_str(), s.clone(), v.clone()))
            .collect();
        file(&refs)
    };
    let refused_with = |bytes: &[u8], names: &[&str]| -> [String; 2] {
        [false, true].map(|part| {
            let mut model = (Linear::<3, 4>::ZERO, ReLU, Linear::<4, 2>::ZERO);
            let naming = Naming::Layers(names);
            let err = if part {
                st::load_part(bytes, &mut model, naming)
            } else {
                st::load_named(bytes, &mut model, naming)
            }
            .unwrap_err();
            assert!(
                matches!(err, SafetensorsError::Normalisation { .. }),
                "{err}"
            );
            assert_eq!(model, (Linear::ZERO, ReLU, Linear::ZERO));
            err.to_string()
        })
    };
    // Flax: `params.BatchNorm_0` beside `params.Dense_0`, its statistics in `batch_stats`.
    let mut flax: Vec<_> = dense("params.Dense_0", &first).into();
    flax.extend(last("params.Dense_1"));
    flax.extend(stats(&[
        "params.BatchNorm_0.scale",
        "params.BatchNorm_0.bias",
        "batch_stats.BatchNorm_0.mean",
        "batch_stats.BatchNorm_0.var",
    ]));
    for err in refused_with(&owned(flax), &["params.Dense_0", "params.Dense_1"]) {
        assert!(
            err.starts_with("tensor `params.BatchNorm_0.scale` is a normalisation's, in `params` with the model's layers, and the model has no layer for it"),
            "{err}"
        );
        assert!(
            err.contains("scale its outputs by `scale / sqrt(var + eps)`"),
            "{err}"
        );
    }
    // Keras's functional model: layers at the top, a layer normalisation among them.
    let mut keras: Vec<_> = dense("dense", &first).into();
    keras.extend(last("dense_1"));
    keras.extend(stats(&[
        "layer_normalization.gamma",
        "layer_normalization.beta",
    ]));
    for err in refused_with(&owned(keras), &["dense", "dense_1"]) {
        assert!(
            err.starts_with(
                "tensor `layer_normalization.beta` is a normalisation's, beside the model's layers"
            ),
            "{err}"
        );
    }
    // A normalisation in another module is another part of the network: `load_part` reads
    // the encoder beside the decoder's.
    let mut both: Vec<_> = dense("encoder.dense", &first).into();
    both.extend(last("encoder.dense_1"));
    both.extend(stats(&[
        "decoder.batch_normalization.gamma",
        "decoder.batch_normalization.beta",
        "decoder.batch_normalization.moving_mean",
        "decoder.batch_normalization.moving_variance",
    ]));
    let mut encoder = (Linear::<3, 4>::ZERO, ReLU, Linear::<4, 2>::ZERO);
    let naming = Naming::Layers(&["encoder.dense", "encoder.dense_1"]);
    st::load_part(&owned(both), &mut encoder, naming).unwrap();
    assert_eq!(encoder, (first, ReLU, second.clone()));
}

/// A PyTorch module that standardises its input with buffers of its own,
/// `register_buffer("mean", ..)` and `register_buffer("std", ..)`, before `fc1` and `fc2`.
fn standardising_module(
    scaler: &typed_nn::data::Standardizer<3>,
    fc1: &Linear<3, 4>,
    fc2: &Linear<4, 2>,
) -> Vec<u8> {
    let flat = |w: &[[f32; 3]; 4]| w.iter().flatten().copied().collect::<Vec<_>>();
    file(&[
        ("fc1.weight", vec![4, 3], flat(&fc1.weight)),
        ("fc1.bias", vec![4], fc1.bias.to_vec()),
        (
            "fc2.weight",
            vec![2, 4],
            fc2.weight.iter().flatten().copied().collect(),
        ),
        ("fc2.bias", vec![2], fc2.bias.to_vec()),
        ("mean", vec![3], scaler.mean.to_vec()),
        ("std", vec![3], scaler.std.to_vec()),
    ])
}

#[test]
fn a_modules_own_mean_and_std_read_into_a_standardizer_in_front() {
    use typed_nn::data::Standardizer;
    let scaler = Standardizer::fit(&[[1.0, -2.0, 30.0], [3.0, 5.0, 10.0], [0.5, 1.0, 20.0]]);
    let (fc1, fc2) = (random::<3, 4>(5), random::<4, 2>(6));
    let bytes = standardising_module(&scaler, &fc1, &fc2);
    let mut net = (
        Standardizer::<3>::ZERO,
        Linear::<3, 4>::ZERO,
        ReLU,
        Linear::<4, 2>::ZERO,
    );
    st::load_named(&bytes, &mut net, Naming::Layers(&["", "fc1", "fc2"])).unwrap();
    assert_eq!(net, (scaler.clone(), fc1.clone(), ReLU, fc2.clone()));
    // It computes the module's forward pass: the layers on the standardised input.
    let raw = [2.0, 0.0, 25.0];
    let expected = (fc1.clone(), ReLU, fc2.clone()).infer(&scaler.transform(&raw));
    assert_eq!(net.infer(&raw), expected);
    // Written with the same names, the file holds the same tensors.
    let written = st::to_bytes_named(&net, Naming::Layers(&["", "fc1", "fc2"])).unwrap();
    let mut back = (
        Standardizer::<3>::ZERO,
        Linear::<3, 4>::ZERO,
        ReLU,
        Linear::<4, 2>::ZERO,
    );
    st::load(&written, &mut back).unwrap_err();
    st::load_named(&written, &mut back, Naming::Layers(&["", "fc1", "fc2"])).unwrap();
    assert_eq!(back, net);
    // A tensor of the module's own beyond them falls under the standardizer's empty name.
    let mut stepped = standardising_module(&scaler, &fc1, &fc2);
    stepped = {
        let header = st::Header::parse(&stepped).unwrap();
        let mut tensors: Vec<(String, Vec<usize>, Vec<f32>)> = Vec::new();
        header.for_each(|t| {
            let values = t
                .data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()));
            let shape = t.shape.as_slice().iter().map(|&d| d as usize).collect();
            tensors.push((t.name.to_string(), shape, values.collect()));
        });
        tensors.push(("step".into(), vec![], vec![1.0]));
        let views: Vec<(&str, Vec<usize>, Vec<f32>)> = tensors
            .iter()
            .map(|(n, s, v)| (n.as_str(), s.clone(), v.clone()))
            .collect();
        file(&views)
    };
    let err = st::load_named(&stepped, &mut back, Naming::Layers(&["", "fc1", "fc2"])).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "tensor `step` falls under layer 0, `Standardizer<3>`, which reads only `mean` and `std`: the file's module there computes with more than the model's layer would"
        ),
        "{err}"
    );
    // With `nn.Sequential`'s names the scaler is layer 0: `0.mean`, `0.std`.
    let sequential = st::to_bytes(&net).unwrap();
    let header = st::Header::parse(&sequential).unwrap();
    for name in ["0.mean", "0.std", "1.weight", "3.bias"] {
        assert!(header.find(name).unwrap().is_some(), "{name}");
    }
}

/// Read without the scaler, the module's own tensors are named as what they are, with the
/// way to read them: they may act before the model's first layer, where reading the layers
/// as a part of the network would compute something else.
#[test]
fn a_modules_own_tensors_are_named_as_its_own_not_as_a_layer_beyond_the_models() {
    use typed_nn::data::Standardizer;
    let scaler = Standardizer::fit(&[[1.0, -2.0, 30.0], [3.0, 5.0, 10.0]]);
    let bytes = standardising_module(&scaler, &random(7), &random(8));
    let mut net = (Linear::<3, 4>::ZERO, ReLU, Linear::<4, 2>::ZERO);
    let err = st::load_named(&bytes, &mut net, Naming::Layers(&["fc1", "fc2"])).unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::TopLevel { name } if name.as_str() == "mean"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with("tensor `mean` is the saved module's own, under none of its layers"),
        "{message}"
    );
    assert!(
        message.contains(
            "`(Standardizer<D>, Linear<D, H>, ...)`, with `Naming::Layers(&[\"\", ...])`"
        ),
        "{message}"
    );
    assert!(!message.contains("load_part"), "{message}");
    // Read as a part, the layers alone would leave the standardisation out: refused too.
    let err = st::load_part(&bytes, &mut net, Naming::Layers(&["fc1", "fc2"])).unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::TopLevel { name } if name.as_str() == "mean"),
        "{err:?}"
    );
    // A part that does not start at the input (the second layer alone) reads.
    let mut second = Linear::<4, 2>::ZERO;
    st::load_part(&bytes, &mut second, Naming::Layers(&["fc2"])).unwrap();
    // A step count saved beside a Sequential's weights, a tensor of no dimension.
    let layer = random::<3, 4>(9);
    let counted = file(&[
        (
            "0.weight",
            vec![4, 3],
            layer.weight.iter().flatten().copied().collect(),
        ),
        ("0.bias", vec![4], layer.bias.to_vec()),
        ("step", vec![], vec![100.0]),
    ]);
    let err = st::load(&counted, &mut (Linear::<3, 4>::ZERO,)).unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::TopLevel { name } if name.as_str() == "step"),
        "{err:?}"
    );
    // A tensor under a module the model does not have stays a layer beyond the model's.
    let headed = file(&[
        (
            "0.weight",
            vec![4, 3],
            layer.weight.iter().flatten().copied().collect(),
        ),
        ("0.bias", vec![4], layer.bias.to_vec()),
        ("head.weight", vec![1, 4], vec![1.0; 4]),
    ]);
    let err = st::load(&headed, &mut (Linear::<3, 4>::ZERO,)).unwrap_err();
    assert!(matches!(&err, SafetensorsError::Extra { .. }), "{err:?}");
}
