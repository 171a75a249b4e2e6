//! The `safetensors_info` example's advice for files that PyTorch writes and no model of this
//! crate reads as they are: each names what the file holds and what to do about it, so that a
//! model copied from its output does not silently compute something else.

use std::collections::HashMap;

use safetensors::tensor::{Dtype, TensorView};

#[path = "../examples/safetensors_info.rs"]
#[allow(dead_code)]
mod info;

/// A file of `f32` tensors (and `I64` ones for names ending in `step`), each of the given
/// shape, as the reference writer saves them.
fn file(tensors: &[(&str, &[usize])]) -> Vec<u8> {
    let data: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, shape)| {
            let dtype = if name.ends_with("step") {
                Dtype::I64
            } else {
                Dtype::F32
            };
            let bytes = vec![0; shape.iter().product::<usize>() * (dtype.bitsize() / 8)];
            (name.to_string(), dtype, shape.to_vec(), bytes)
        })
        .collect();
    let views: Vec<(String, TensorView)> = data
        .iter()
        .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    safetensors::tensor::serialize(views, None::<HashMap<String, String>>).unwrap()
}

/// The example's report on the file of `tensors`, which must contain every one of `says`.
fn reports(tensors: &[(&str, &[usize])], says: &[&str]) -> String {
    let report = info::report("file", &file(tensors)).unwrap();
    for line in says {
        assert!(report.contains(line), "missing {line:?} in:\n{report}");
    }
    report
}

/// The second layer of `Sequential(Linear(4, 8), ?, Linear(8, 3))`, under index 2.
const LAST: [(&str, &[usize]); 2] = [("2.weight", &[3, 8]), ("2.bias", &[3])];

#[test]
fn a_weight_in_two_parts_is_a_linear_to_save_again() {
    for (parts, how) in [
        (
            ["0.weight_orig", "0.weight_mask"],
            "prune.remove(module, \"weight\")",
        ),
        (["0.weight_v", "0.weight_g"], "remove_weight_norm(module)"),
        (
            [
                "0.parametrizations.weight.original1",
                "0.parametrizations.weight.original0",
            ],
            "remove_parametrizations(module, \"weight\")",
        ),
    ] {
        // The magnitudes of weight normalisation are one a row; the rest have the weight's shape.
        let second: &[usize] = if parts[1].ends_with("mask") {
            &[8, 4]
        } else {
            &[8, 1]
        };
        let mut tensors = vec![
            (parts[0], &[8usize, 4][..]),
            (parts[1], second),
            ("0.bias", &[8]),
        ];
        tensors.extend(LAST);
        let report = reports(
            &tensors,
            &[
                "Linear<4, 8>, // 0: weight [8, 4], bias [8]; its weight saved in two parts",
                how,
                "No model reads this file as it is: the tensors of `0` are not saved as a Linear's",
            ],
        );
        assert!(!report.contains("tied"), "{report}");
    }
}

#[test]
fn a_missing_or_reshaped_bias_is_a_linear_to_save_again() {
    let mut tensors = vec![("0.weight", &[8usize, 4][..])];
    tensors.extend(LAST);
    reports(
        &tensors,
        &[
            "no bias (`bias=False`",
            "save `torch.zeros(8)` as its bias",
            "`0`",
        ],
    );
    let mut tensors = vec![("0.weight", &[8usize, 4][..]), ("0.bias", &[1, 8])];
    tensors.extend(LAST);
    reports(
        &tensors,
        &["bias saved as [1, 8] (save it as [8]: `bias.reshape(-1)`)"],
    );
}

#[test]
fn layers_this_crate_lacks_are_named_not_mistaken_for_linears() {
    let linear = [("0.weight", &[8usize, 4][..]), ("0.bias", &[8])];
    // Sequential(Linear, LayerNorm(8), ReLU, Linear).
    let mut tensors = linear.to_vec();
    tensors.extend([
        ("1.weight", &[8usize][..]),
        ("1.bias", &[8]),
        ("3.weight", &[3, 8]),
        ("3.bias", &[3]),
    ]);
    reports(
        &tensors,
        &["1: weight and bias of 8 values each: a normalisation (`nn.LayerNorm`"],
    );
    // Sequential(Linear, PReLU(), Linear).
    let mut tensors = linear.to_vec();
    tensors.push(("1.weight", &[1]));
    tensors.extend(LAST);
    let report = reports(
        &tensors,
        &["1: a weight of shape [1] and no bias: a learned activation (`nn.PReLU`"],
    );
    assert!(
        !report.contains("No model reads this file as it is"),
        "{report}"
    );
    // Sequential(Conv2d(1, 4, 3), ReLU, Flatten, Linear).
    let tensors = [
        ("0.weight", &[4usize, 1, 3, 3][..]),
        ("0.bias", &[4]),
        ("3.weight", &[10, 2704]),
        ("3.bias", &[10]),
    ];
    reports(
        &tensors,
        &["0: weight [4, 1, 3, 3], of 4 dimensions: a convolution's"],
    );
}

#[test]
fn a_module_without_tensors_before_the_first_layer_is_a_flatten() {
    // Sequential(Flatten, Linear(12, 5), ReLU, Linear(5, 2)).
    let tensors = [
        ("1.weight", &[5usize, 12][..]),
        ("1.bias", &[5]),
        ("3.weight", &[2, 5]),
        ("3.bias", &[2]),
    ];
    reports(
        &tensors,
        &[
            "    Flatten<12>, // 0: no tensors before the first layer: an `nn.Flatten`",
            "    ReLU, // 2:",
        ],
    );
}

#[test]
fn a_counter_beside_a_lone_layer_is_to_be_removed() {
    // A lone nn.Linear's state dict with a step counter saved beside it.
    let tensors = [("weight", &[3usize, 4][..]), ("bias", &[3]), ("step", &[])];
    let report = reports(
        &tensors,
        &[
            "Linear<4, 3>, // (no name): weight [3, 4], bias [3]; also [\"step\"], which a Linear does not read: remove them from the file",
            "the tensors of the module without a name are not saved",
            "Naming::Layers(&[\"\"])",
        ],
    );
    // Its float type is the layer's, not the counter's.
    assert!(!report.contains("I64: typed-nn holds"), "{report}");
}

#[test]
fn flax_kernels_are_linears_read_transposed() {
    let flax = [
        ("params.Dense_0.kernel", &[4usize, 8][..]),
        ("params.Dense_0.bias", &[8]),
        ("params.Dense_1.kernel", &[8, 3]),
        ("params.Dense_1.bias", &[3]),
    ];
    reports(
        &flax,
        &[
            "Linear<4, 8>, // params.Dense_0: kernel [4, 8] (read transposed), bias [8]",
            "Linear<8, 3>, // params.Dense_1: kernel [8, 3] (read transposed), bias [3]",
            "Naming::Layers(&[\"params.Dense_0\", \"params.Dense_1\"])",
        ],
    );
    // Beside a weight, a kernel is another tensor, whichever the file names first.
    let both = [
        ("0.kernel", &[4usize, 8][..]),
        ("0.weight", &[8, 4]),
        ("0.bias", &[8]),
        LAST[0],
        LAST[1],
    ];
    let report = reports(
        &both,
        &["0: weight [8, 4], bias [8]; also [\"0.kernel\"], which a Linear does not read"],
    );
    assert!(!report.contains("read transposed"), "{report}");
}

#[test]
fn flax_and_keras_normalisations_are_named_and_never_read_as_a_part() {
    let dense = [
        ("params.Dense_0.kernel", &[4usize, 8][..]),
        ("params.Dense_0.bias", &[8]),
        ("params.Dense_1.kernel", &[8, 3]),
        ("params.Dense_1.bias", &[3]),
    ];
    // Flax: the scale and bias in `params`, the statistics in `batch_stats`.
    let mut batch = dense.to_vec();
    batch.extend([
        ("params.BatchNorm_0.scale", &[8usize][..]),
        ("params.BatchNorm_0.bias", &[8]),
        ("batch_stats.BatchNorm_0.mean", &[8]),
        ("batch_stats.BatchNorm_0.var", &[8]),
    ]);
    let report = reports(
        &batch,
        &[
            "Batch normalisations, which this crate has no layer for: batch_stats.BatchNorm_0.mean",
            "scale the Linear's outputs by `scale / sqrt(var + eps)`",
            "Naming::Layers(&[\"params.Dense_0\", \"params.Dense_1\"])",
        ],
    );
    assert!(
        !report.contains("load_part") && !report.contains("BatchNorm_0: "),
        "{report}"
    );
    // A layer normalisation does not fold: no model, and no way to load, is proposed.
    let mut layer = dense.to_vec();
    layer.extend([
        ("params.LayerNorm_0.scale", &[8usize][..]),
        ("params.LayerNorm_0.bias", &[8]),
    ]);
    let report = reports(
        &layer,
        &["Layer normalisations, which this crate has no layer for and which do not fold"],
    );
    assert!(!report.contains("safetensors::load"), "{report}");
    // Keras's batch normalisation.
    let keras = [
        ("sequential.dense.kernel", &[4usize, 8][..]),
        ("sequential.dense.bias", &[8]),
        ("sequential.batch_normalization.gamma", &[8]),
        ("sequential.batch_normalization.beta", &[8]),
        ("sequential.batch_normalization.moving_mean", &[8]),
        ("sequential.batch_normalization.moving_variance", &[8]),
        ("sequential.dense_1.kernel", &[8, 3]),
        ("sequential.dense_1.bias", &[3]),
    ];
    let report = reports(
        &keras,
        &[
            "Batch normalisations",
            "sequential.batch_normalization.gamma",
        ],
    );
    assert!(!report.contains("load_part"), "{report}");
}

#[test]
fn numbered_layers_are_listed_in_their_numbers_order_and_others_are_flagged() {
    // Flax numbers `Dense_0` to `Dense_11`, Keras `dense`, `dense_1`, ...: by name, `_10`
    // would come before `_2`.
    let names: Vec<String> = (0..12).map(|i| format!("params.Dense_{i}")).collect();
    let keras: Vec<String> = (0..12)
        .map(|i| {
            if i == 0 {
                "dense".to_string()
            } else {
                format!("dense_{i}")
            }
        })
        .collect();
    for layers in [names, keras] {
        let tensors: Vec<(String, Vec<usize>)> = layers
            .iter()
            .flat_map(|l| {
                [
                    (format!("{l}.kernel"), vec![8, 8]),
                    (format!("{l}.bias"), vec![8]),
                ]
            })
            .collect();
        let tensors: Vec<(&str, &[usize])> =
            tensors.iter().map(|(n, s)| (n.as_str(), &s[..])).collect();
        let quoted: Vec<String> = layers.iter().map(|l| format!("{l:?}")).collect();
        let report = reports(
            &tensors,
            &[&format!("Naming::Layers(&[{}])", quoted.join(", "))],
        );
        assert!(!report.contains("does not record the order"), "{report}");
    }
    // Layers of different names: the file does not say their order.
    let nested = [
        ("params.Encoder_0.Dense_0.kernel", &[4usize, 8][..]),
        ("params.Encoder_0.Dense_0.bias", &[8]),
        ("params.Dense_0.kernel", &[8, 3]),
        ("params.Dense_0.bias", &[3]),
    ];
    reports(
        &nested,
        &["The file does not record the order of layers named differently"],
    );
    // Names joined with `/`.
    let slashes = [
        ("params/Dense_0/kernel", &[4usize, 8][..]),
        ("params/Dense_0/bias", &[8]),
    ];
    reports(
        &slashes,
        &[
            "Its names join their parts with `/`",
            "flatten_dict(variables, sep=\".\")",
        ],
    );
}

#[test]
fn a_modules_own_mean_and_std_are_a_standardizer_in_front() {
    // `register_buffer("mean", ..)`, `register_buffer("std", ..)`, then `fc1` and `fc2`.
    let report = reports(
        &[
            ("mean", &[4]),
            ("std", &[4]),
            ("fc1.weight", &[16, 4]),
            ("fc1.bias", &[16]),
            ("fc2.weight", &[3, 16]),
            ("fc2.bias", &[3]),
        ],
        &[
            "type Model = (\n    typed_nn::data::Standardizer<4>, // `mean` and `std`, the module's own",
            "safetensors::load_named(&bytes, &mut model, Naming::Layers(&[\"\", \"fc1\", \"fc2\"]))",
        ],
    );
    assert!(!report.contains("atch normalisation"), "{report}");
    // Under an nn.Sequential attribute, each layer named by its path.
    reports(
        &[
            ("mean", &[4]),
            ("std", &[4]),
            ("net.0.weight", &[16, 4]),
            ("net.0.bias", &[16]),
            ("net.2.weight", &[3, 16]),
            ("net.2.bias", &[3]),
        ],
        &["Naming::Layers(&[\"\", \"net.0\", \"net.2\"]))"],
    );
}

#[test]
fn a_modules_own_tensors_are_not_offered_as_left_out_safely() {
    // A temperature the module's forward pass may divide the logits by.
    reports(
        &[
            ("temperature", &[1]),
            ("0.weight", &[8, 4]),
            ("0.bias", &[8]),
            ("2.weight", &[3, 8]),
            ("2.bias", &[3]),
        ],
        &[
            "The module's own, under none of its layers: temperature. If its forward pass computes with them, the model above computes something else",
            "safetensors::load_part(&bytes, &mut model, Naming::Sequential)",
        ],
    );
}
