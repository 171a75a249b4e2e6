//! safetensors: round trips, files written by the reference implementation, and every way a
//! file can fail to fit the model, each an error that names the tensor with the model left as
//! it was.

mod common;

use std::collections::HashMap;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use typed_nn::io::safetensors::{self as st, Header, Naming, SafetensorsError};
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

type Net = (Linear<3, 4>, ReLU, Linear<4, 2>);
type Net64 = (Linear<3, 4, f64>, Tanh, (Linear<4, 2, f64>,));

fn net(seed: u64) -> Net {
    let mut net = Net::ZERO;
    net.init(Scheme::He, &mut SmallRng::seed_from_u64(seed));
    net.0.bias = [0.1, -0.2, 0.3, -0.4];
    net
}

/// A file written by the reference implementation, from (name, dtype, shape, little-endian
/// bytes).
fn reference_file(tensors: &[(&str, Dtype, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.to_string(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    safetensors::tensor::serialize(views, None::<HashMap<String, String>>).unwrap()
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The four tensors of `Net`, as PyTorch's `nn.Sequential` would name them.
fn net_tensors(n: &Net) -> Vec<(&'static str, Dtype, Vec<usize>, Vec<u8>)> {
    vec![
        (
            "0.weight",
            Dtype::F32,
            vec![4, 3],
            f32_bytes(n.0.weight.as_flattened()),
        ),
        ("0.bias", Dtype::F32, vec![4], f32_bytes(&n.0.bias)),
        (
            "2.weight",
            Dtype::F32,
            vec![2, 4],
            f32_bytes(n.2.weight.as_flattened()),
        ),
        ("2.bias", Dtype::F32, vec![2], f32_bytes(&n.2.bias)),
    ]
}

/// The errors of `load` and of `load_part` (with `nn.Sequential`'s names) for `file`, each
/// of which leaves the model as it was.
fn refused_whole_and_in_part(file: &[u8]) -> [SafetensorsError; 2] {
    [false, true].map(|part| {
        let mut model = Net::ZERO;
        let err = if part {
            st::load_part(file, &mut model, Naming::Sequential)
        } else {
            st::load(file, &mut model)
        }
        .unwrap_err();
        assert_eq!(model, Net::ZERO, "{err}");
        err
    })
}

#[test]
fn a_saved_model_reloads_and_the_reference_reader_agrees() {
    let original = net(1);
    let bytes = st::to_bytes(&original).unwrap();
    let mut copy = Net::ZERO;
    st::load(&bytes, &mut copy).unwrap();
    assert_eq!(copy, original);

    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut names = file.names();
    names.sort();
    assert_eq!(names, ["0.bias", "0.weight", "2.bias", "2.weight"]);
    let w = file.tensor("2.weight").unwrap();
    assert_eq!((w.dtype(), w.shape()), (Dtype::F32, &[2usize, 4][..]));
    assert_eq!(w.data(), &f32_bytes(original.2.weight.as_flattened())[..]);
}

#[test]
fn a_file_of_the_reference_writer_loads_whatever_its_order() {
    let original = net(2);
    let mut tensors = net_tensors(&original);
    tensors.reverse();
    let bytes = reference_file(&tensors);
    let mut model = Net::ZERO;
    st::load(&bytes, &mut model).unwrap();
    assert_eq!(model, original);
}

#[test]
fn f64_models_and_nested_tuples_count_layers_in_order() {
    let mut model = Net64::ZERO;
    model.init(Scheme::Glorot, &mut SmallRng::seed_from_u64(3));
    let bytes = st::to_bytes(&model).unwrap();
    let header = Header::parse(&bytes).unwrap();
    let mut names = Vec::new();
    header.for_each(|t| names.push((t.name.to_string(), t.dtype.to_string())));
    assert_eq!(names[2], ("2.weight".to_string(), "F64".to_string()));
    let mut copy = Net64::ZERO;
    st::load(&bytes, &mut copy).unwrap();
    assert_eq!(copy, model);
    // f64 weights are not f32 weights.
    let mut f32_model = Net::ZERO;
    let err = st::load(&bytes, &mut f32_model).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `0.weight` holds F64; the model holds F32, and reading it would round every value (save the tensors as F32, or load them into an f64 model)"
    );
}

/// Firmware's reader keeps its error on the stack: no variant holds three names (a variant
/// that did made the sine firmware's peak stack 832 bytes deeper).
#[test]
fn an_error_holds_fewer_than_three_names() {
    use typed_nn::io::safetensors::Name;
    let size = size_of::<SafetensorsError>();
    assert!(size < 3 * size_of::<Name>(), "{size} bytes");
}

/// A tensor's description prints its name and dtype quoted, and the length of its data, not
/// the data.
#[test]
fn a_tensors_description_prints_without_its_data() {
    let bytes = st::to_bytes(&Linear::<3, 4>::ZERO).unwrap();
    let header = Header::parse(&bytes).unwrap();
    let weight = header.find("0.weight").unwrap().unwrap();
    assert_eq!(
        format!("{weight:?}"),
        r#"TensorInfo { name: "0.weight", dtype: "F32", shape: [4, 3], data_bytes: 48 }"#
    );
}

#[test]
fn other_names_through_a_prefix_or_one_name_per_layer() {
    let original = net(4);
    let named = st::to_bytes_named(&original, Naming::Layers(&["fc1", "fc2"])).unwrap();
    let header = Header::parse(&named).unwrap();
    assert!(header.find("fc2.bias").unwrap().is_some());
    let mut copy = Net::ZERO;
    st::load_named(&named, &mut copy, Naming::Layers(&["fc1", "fc2"])).unwrap();
    assert_eq!(copy, original);
    // Read with the default names, the file's own first name shows why nothing was found.
    let err = st::load(&named, &mut copy).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `0.weight` is missing (layer 0, `Linear<3, 4>`, needs it), and the file holds `fc1.weight`: if the file names its tensors otherwise, read it with a `Naming` (the crate's example `safetensors_info`, `cargo run --example safetensors_info -- FILE` in its source, prints the model and naming that fit a file)"
    );
    assert!(matches!(err, SafetensorsError::NamedOtherwise { .. }));
    // A file of no tensors at all: the first one is plainly missing.
    let empty = raw("{}", &[]);
    let err = st::load(&empty, &mut copy).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `0.weight` is missing; layer 0, `Linear<3, 4>`, needs it"
    );
    let err = st::load_named(&named, &mut copy, Naming::Layers(&["fc1"])).unwrap_err();
    assert_eq!(
        err,
        SafetensorsError::Naming {
            given: 1,
            layers: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "1 layer names given, for a model with 2 layers with parameters"
    );
    // Two names alike; three for two layers is a count, the first thing wrong.
    for (names, index) in [(&["a", "a"][..], 1), (&["", ""][..], 1)] {
        let err = st::to_bytes_named(&original, Naming::Layers(names)).unwrap_err();
        assert_eq!(err, SafetensorsError::LayerName { index });
    }
    let three = Naming::Layers(&["fc1", "fc2", "fc3"]);
    let err = st::load_named(&named, &mut copy, three).unwrap_err();
    assert_eq!(
        err,
        SafetensorsError::Naming {
            given: 3,
            layers: 2
        }
    );
    assert!(st::to_bytes_named(&original, three).is_err());

    let prefixed = st::to_bytes_named(&original, Naming::Prefixed("net.")).unwrap();
    let mut copy = Net::ZERO;
    st::load_named(&prefixed, &mut copy, Naming::Prefixed("net.")).unwrap();
    // PyTorch's names join their parts with dots: a prefix without its dot reads the same.
    let mut dotless = Net::ZERO;
    st::load_named(&prefixed, &mut dotless, Naming::Prefixed("net")).unwrap();
    assert_eq!(dotless, copy);
    assert_eq!(copy, original);
}

/// Loads `bytes` into a fresh model and checks that it fails and leaves the model as it was.
fn refused(bytes: &[u8]) -> String {
    let before = net(9);
    let mut model = before.clone();
    let err = st::load(bytes, &mut model).unwrap_err();
    assert_eq!(model, before, "the model changed on: {err}");
    let text = err.to_string();
    assert!(!text.is_empty());
    text
}

#[test]
fn a_tensor_that_does_not_fit_is_named_with_both_shapes() {
    let n = net(5);
    let mut t = net_tensors(&n);
    t[2] = ("2.weight", Dtype::F32, vec![4, 2], t[2].3.clone());
    assert_eq!(
        refused(&reference_file(&t)),
        "tensor `2.weight` has shape [4, 2]; layer 2, `Linear<4, 2>`, expects [2, 4] (saved transposed, `[in, out]`, as Flax and Keras store kernels? named `kernel` it is read transposed; or transpose it before saving)"
    );
}

#[test]
fn missing_extra_and_non_finite_tensors_are_refused() {
    let n = net(6);
    let t = net_tensors(&n);
    assert_eq!(
        refused(&reference_file(&t[..2])),
        "tensor `2.weight` is missing (layer 2, `Linear<4, 2>`, needs it), and the model's earlier layers read every tensor of the file: the file's network ends before this layer, and the model has more layers than it (take them out of the model, or save the file from the network that has them)"
    );
    // A weight without its bias: PyTorch's `bias=False`.
    assert_eq!(
        refused(&reference_file(&t[..3])),
        "tensor `2.bias` is missing (layer 2, `Linear<4, 2>`, needs it), though its weight is there: a layer made without a bias (PyTorch's `bias=False`, Flax's and Keras's `use_bias=False`)? This layer always has a bias: save zeros as it (`torch.zeros(out_features)`, `np.zeros(out_features)`)"
    );
    // Sequential(Linear, ReLU, Dropout, Linear): the second Linear's tensors one layer on.
    let mut dropout = t.clone();
    dropout[2].0 = "3.weight";
    dropout[3].0 = "3.bias";
    let err = st::load(&reference_file(&dropout), &mut Net::ZERO.clone()).unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::Shifted { found, .. } if found.as_str() == "3.weight"),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("tensor `2.weight` is missing (layer 2, `Linear<4, 2>`, needs it), but the file has `3.weight`: the file's network has layers without parameters"),
        "{err}"
    );
    let mut with_identity = <(Linear<3, 4>, ReLU, Identity, Linear<4, 2>)>::ZERO;
    st::load(&reference_file(&dropout), &mut with_identity).unwrap();
    assert_eq!(with_identity.3, n.2);
    let mut extra = t.clone();
    extra.push(("4.weight", Dtype::F32, vec![1], f32_bytes(&[1.0])));
    assert_eq!(
        refused(&reference_file(&extra)),
        "tensor `4.weight` belongs to no layer of the model: the file's network holds more than the model (another layer, or a layer after the model's last), and the model would compute something else; if the model is meant to be part of the file's network (its first layers, or one of its modules), `io::safetensors::load_part` reads that part"
    );
    let mut nan = t.clone();
    nan[3].3 = f32_bytes(&[0.0, f32::NAN]);
    assert_eq!(
        refused(&reference_file(&nan)),
        "tensor `2.bias` holds a NaN or an infinity at index 1"
    );
    let mut int = t.clone();
    int[1] = ("0.bias", Dtype::I32, vec![4], vec![0; 16]);
    assert_eq!(
        refused(&reference_file(&int)),
        "tensor `0.bias` holds I32; the model holds F32, and reads F16, BF16 and F32 tensors (convert the integers to floats before saving: `.float()` in PyTorch)"
    );
}

/// A file with more tensors than the model: `load_part` reads the model's, checked as
/// `load_named` checks them, and leaves the others; the others' presence alone is no error.
#[test]
fn a_part_of_a_larger_file_loads_and_is_still_checked() {
    let n = net(7);
    let mut bigger = net_tensors(&n);
    // A head after the model, and another module's buffer, in another dtype. (A buffer
    // under one of the model's layers is another layer's, and refused: see below.)
    bigger.push(("4.weight", Dtype::F32, vec![1, 2], f32_bytes(&[1.0, 2.0])));
    bigger.push(("norm.running_mean", Dtype::F64, vec![4], vec![0; 32]));
    let file = reference_file(&bigger);
    let mut model = Net::ZERO;
    st::load_part(&file, &mut model, Naming::Sequential).unwrap();
    assert_eq!(model, n);

    // The model's own tensors are checked as ever: missing, of another shape, NaN.
    let mut short = bigger.clone();
    short.remove(2);
    let before = net(9);
    let mut model = before.clone();
    let err = st::load_part(&reference_file(&short), &mut model, Naming::Sequential).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `2.weight` is missing; layer 2, `Linear<4, 2>`, needs it"
    );
    let mut nan = bigger.clone();
    nan[3].3 = f32_bytes(&[0.0, f32::NAN]);
    let err = st::load_part(&reference_file(&nan), &mut model, Naming::Sequential).unwrap_err();
    assert!(
        matches!(err, SafetensorsError::NotFinite { index: 1, .. }),
        "{err}"
    );
    assert_eq!(model, before);

    // One module of a larger model, under its prefix.
    let mut two = Vec::new();
    for (prefix, seed) in [("encoder.", 1), ("decoder.", 2)] {
        let file = st::to_bytes_named(&net(seed), Naming::Prefixed(prefix)).unwrap();
        for (name, view) in safetensors::SafeTensors::deserialize(&file)
            .unwrap()
            .tensors()
        {
            two.push((name, view.shape().to_vec(), view.data().to_vec()));
        }
    }
    let named: Vec<_> = two
        .iter()
        .map(|(n, s, b)| (n.as_str(), Dtype::F32, s.clone(), b.clone()))
        .collect();
    let file = reference_file(&named);
    let mut decoder = Net::ZERO;
    assert!(st::load_named(&file, &mut decoder, Naming::Prefixed("decoder.")).is_err());
    st::load_part(&file, &mut decoder, Naming::Prefixed("decoder.")).unwrap();
    assert_eq!(decoder, net(2));
}

fn u16_bytes(bits: &[u16]) -> Vec<u8> {
    bits.iter().flat_map(|b| b.to_le_bytes()).collect()
}

/// binary16 by its definition, in f64 (sign, 5 exponent bits biased by 15, 10 fraction bits;
/// exponent 0 for zero and the subnormals), for the finite values.
fn f16_by_definition(bits: u16) -> f64 {
    let sign = if bits >> 15 == 1 { -1.0 } else { 1.0 };
    let (exponent, fraction) = (i32::from((bits >> 10) & 0x1f), f64::from(bits & 0x3ff));
    assert!(exponent < 31, "not finite");
    sign * match exponent {
        0 => fraction * 2f64.powi(-24),
        e => (1024.0 + fraction) * 2f64.powi(e - 25),
    }
}

#[test]
fn every_finite_half_precision_value_loads_exactly() {
    // The 63,488 finite binary16 values (exponent below 31) fill a 256 x 248 weight.
    let finite: Vec<u16> = (0..=u16::MAX).filter(|b| (b >> 10) & 0x1f != 31).collect();
    assert_eq!(finite.len(), 256 * 248);
    let bias: Vec<u16> = (0..256).map(|i| 0x3c00 + i).collect(); // 1.0 and up
    let file = reference_file(&[
        ("0.weight", Dtype::F16, vec![256, 248], u16_bytes(&finite)),
        ("0.bias", Dtype::F16, vec![256], u16_bytes(&bias)),
    ]);
    let mut net: Box<(Linear<248, 256>,)> = typed_nn::boxed::zeroed();
    st::load(&file, &mut *net).unwrap();
    for (&bits, &value) in finite.iter().zip(net.0.weight.as_flattened()) {
        let expected = f16_by_definition(bits);
        assert_eq!(f64::from(value), expected, "binary16 {bits:#06x}");
        assert_eq!(
            value.is_sign_negative(),
            bits >> 15 == 1,
            "sign of {bits:#06x}"
        );
    }
    assert_eq!(net.0.bias[0], 1.0);
    assert_eq!(net.0.bias[255], 1.0 + 255.0 / 1024.0);

    // The same file into an f64 model.
    let mut wide: Box<(Linear<248, 256, f64>,)> = typed_nn::boxed::zeroed();
    st::load(&file, &mut *wide).unwrap();
    assert_eq!(wide.0.weight[0][5], f16_by_definition(finite[5]));
}

#[test]
fn narrower_floats_load_exactly_and_wider_ones_are_refused() {
    let n = net(9);
    // bfloat16: the top half of a binary32.
    let bf16 = |v: f32| (v.to_bits() >> 16) as u16;
    // A subnormal among them: bfloat16 keeps binary32's exponent range.
    let subnormal = f32::from_bits(0x006c_0000);
    let weight = [
        1.0f32,
        -5.0,
        0.33203125,
        3.3895314e38,
        -0.0,
        subnormal,
        2.5,
        -7.0,
        0.5,
        4.0,
        -1.5,
        8.0,
    ];
    let mut t = net_tensors(&n);
    let bits: Vec<u16> = weight.iter().map(|&v| bf16(v)).collect();
    t[0] = ("0.weight", Dtype::BF16, vec![4, 3], u16_bytes(&bits));
    let mut loaded = Net::ZERO;
    st::load(&reference_file(&t), &mut loaded).unwrap();
    assert_eq!(loaded.0.weight.as_flattened(), &weight);
    assert_eq!(loaded.2.weight, n.2.weight);

    // F32 into an f64 model: every value as it was.
    let mut n64 = (
        Linear::<3, 4, f64>::ZERO,
        Tanh,
        (Linear::<4, 2, f64>::ZERO,),
    );
    st::load(&reference_file(&net_tensors(&n)), &mut n64).unwrap();
    assert_eq!(n64.0.weight[1][2], f64::from(n.0.weight[1][2]));
    assert_eq!(n64.2.0.bias[1], f64::from(n.2.bias[1]));

    // F64 into an f32 model would round: refused, the model unchanged.
    let mut t64 = net_tensors(&n);
    let wide: Vec<u8> =
        n.0.bias
            .iter()
            .flat_map(|&v| f64::from(v).to_le_bytes())
            .collect();
    t64[1] = ("0.bias", Dtype::F64, vec![4], wide);
    assert_eq!(
        refused(&reference_file(&t64)),
        "tensor `0.bias` holds F64; the model holds F32, and reading it would round every value (save the tensors as F32, or load them into an f64 model)"
    );

    // A half-precision infinity or NaN is refused like a single-precision one.
    let mut inf = net_tensors(&n);
    inf[3] = ("2.bias", Dtype::F16, vec![2], u16_bytes(&[0x3c00, 0x7c00]));
    assert_eq!(
        refused(&reference_file(&inf)),
        "tensor `2.bias` holds a NaN or an infinity at index 1"
    );
    let mut nan = net_tensors(&n);
    nan[3] = ("2.bias", Dtype::BF16, vec![2], u16_bytes(&[0x7fc0, 0x3f80]));
    assert_eq!(
        refused(&reference_file(&nan)),
        "tensor `2.bias` holds a NaN or an infinity at index 0"
    );

    // 8-bit floats convert exactly too, but are not read: named in the error.
    let mut f8 = net_tensors(&n);
    f8[1] = ("0.bias", Dtype::F8_E4M3, vec![4], vec![0x38; 4]);
    assert_eq!(
        refused(&reference_file(&f8)),
        "tensor `0.bias` holds F8_E4M3; the model holds F32, and reads F16, BF16 and F32 tensors"
    );
}

/// A file with the header text `json` and `data`.
fn raw(json: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (json.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(json.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn malformed_files_are_refused_before_anything_is_allocated_or_read() {
    assert!(refused(&[1, 2, 3]).contains("3 bytes cannot be a safetensors file"));
    // A header that claims a gigabyte, in a file of 16 bytes.
    let mut huge = (1u64 << 30).to_le_bytes().to_vec();
    huge.extend_from_slice(b"{}      ");
    assert!(refused(&huge).contains("claims 1073741824 bytes, more than the 100000000 accepted"));
    assert!(refused(&raw("{\"a\":", &[])).starts_with("header byte 5: expected"));
    assert!(refused(&raw("[]", &[])).contains("`{` at the start"));
    assert!(refused(&raw("{} x", &[])).contains("nothing after"));
    let entry = |body: &str| raw(&format!("{{\"0.weight\":{body}}}"), &[0; 48]);
    assert!(refused(&entry("{\"dtype\":\"F32\",\"shape\":[4,3]}")).contains("no `data_offsets`"));
    assert!(
        refused(&entry(
            "{\"dtype\":\"Q7\",\"shape\":[4,3],\"data_offsets\":[0,48]}"
        ))
        .contains("dtype")
    );
    assert!(
        refused(&entry(
            "{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,96]}"
        ))
        .contains("spans bytes 0..96 of 48 bytes of data; its dtype and shape need 48 bytes")
    );
    assert!(
        refused(&entry(
            "{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,48]}"
        ))
        .contains("its shape overflows")
    );
    assert!(
        refused(&entry(
            "{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}"
        ))
        .contains("more than 8")
    );
    let entries = "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}";
    let twice = raw(&format!("{{{entries},{entries}}}"), &[0; 48]);
    assert_eq!(refused(&twice), "tensor `0.weight` appears twice");
    let deep = format!("{{\"__metadata__\":{{\"a\":{}}}}}", "[".repeat(100));
    assert!(refused(&raw(&deep, &[])).contains("expected"));
    // Metadata of numbers, as a hand-written header may hold: named as what the format wants.
    for value in ["1", "{\"b\":\"c\"}", "null"] {
        let header = format!("{{\"__metadata__\":{{\"epochs\":{value}}}}}");
        let message = refused(&raw(&header, &[]));
        assert!(
            message.ends_with(
                "header byte 26: expected a string (every value of `__metadata__` is one)"
            ),
            "{message}"
        );
    }
    let not_utf8 = {
        let mut b = raw("{\"\u{e9}\":1}", &[]);
        b[10] = 0xff;
        b
    };
    assert!(refused(&not_utf8).contains("UTF-8"));
}

#[test]
fn escaped_names_and_metadata_are_read() {
    let n = net(8);
    let t = net_tensors(&n);
    let mut json =
        String::from("{\"__metadata__\":{\"format\":\"pt\",\"note\":\"a \\\"quoted\\\" \\u00e9\"}");
    let mut data = Vec::new();
    for (name, _, shape, bytes) in &t {
        // `0.weight` written with an escaped digit: \u0030 is '0'.
        let name = name.replace('0', "\\u0030");
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        json.push_str(&format!(
            ",\"{name}\":{{\"shape\":[{}],\"dtype\":\"F32\",\"data_offsets\":[{},{}]}}",
            dims.join(","),
            data.len(),
            data.len() + bytes.len()
        ));
        data.extend_from_slice(bytes);
    }
    json.push_str("}   ");
    let mut model = Net::ZERO;
    st::load(&raw(&json, &data), &mut model).unwrap();
    assert_eq!(model, n);
}

/// The four tensors of `Net` as header entries, at the offsets given (bytes of data).
fn net_header(offsets: [(usize, usize); 4]) -> String {
    let shapes = [
        ("0.weight", "[4,3]"),
        ("0.bias", "[4]"),
        ("2.weight", "[2,4]"),
        ("2.bias", "[2]"),
    ];
    let entries: Vec<String> = shapes
        .iter()
        .zip(offsets)
        .map(|((name, shape), (b, e))| {
            format!("\"{name}\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[{b},{e}]}}")
        })
        .collect();
    format!("{{{}}}", entries.join(","))
}

#[test]
fn tensors_must_tile_the_data_as_the_format_requires() {
    let tiled = [(0, 48), (48, 64), (64, 96), (96, 104)];
    let mut model = Net::ZERO;
    st::load(&raw(&net_header(tiled), &[0; 104]), &mut model).unwrap();
    // `2.bias` reads the first bytes of `0.weight`.
    let aliased = [(0, 48), (48, 64), (64, 96), (0, 8)];
    assert_eq!(
        refused(&raw(&net_header(aliased), &[0; 104])),
        "tensor `0.weight` shares bytes with another tensor; each tensor must have its own"
    );
    // Aliased, with 8 bytes that no tensor holds: the total is right, the overlap is not.
    assert!(refused(&raw(&net_header(aliased), &[0; 104])).contains("shares bytes"));
    assert_eq!(
        refused(&raw(&net_header(tiled), &[0; 112])),
        "the tensors hold 104 bytes, but 112 bytes of data follow the header; they must cover it exactly"
    );
}

#[test]
fn unpaired_surrogates_and_signed_escapes_are_malformed_json() {
    let with_name = |name: &str| raw(&format!("{{\"__metadata__\":{{\"{name}\":\"x\"}}}}"), &[]);
    for bad in [
        r"\ud800\u0041",
        r"\ud800",
        r"\udc00",
        r"\ud800\ud800",
        r"\u+041",
    ] {
        let err = Header::parse(&with_name(bad)).err();
        assert!(
            matches!(err, Some(SafetensorsError::Header { .. })),
            "{bad}: {err:?}"
        );
    }
    // Leading zeros, and a field given twice.
    let zeros = raw(
        "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}",
        &[0; 4],
    );
    assert!(Header::parse(&zeros).is_err());
    let twice = raw(
        "{\"0.weight\":{\"dtype\":\"F64\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        &[0; 4],
    );
    assert_eq!(
        Header::parse(&twice).err().map(|e| e.to_string()),
        Some("tensor `0.weight`: a field given twice".to_string())
    );
    // A pair is one character.
    assert!(Header::parse(&with_name(r"\ud83d\ude00")).is_ok());
    let pair = raw(
        "{\"\\ud83d\\ude00\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        &[0; 4],
    );
    let header = Header::parse(&pair).unwrap();
    assert!(header.find("\u{1f600}").unwrap().is_some());
}

#[test]
fn names_too_long_to_hold_are_refused_not_cut() {
    let n = net(3);
    let prefix = "encoder.".repeat(12); // 96 bytes, then the layer's
    let err = st::to_bytes_named(&n, Naming::Prefixed(&prefix)).unwrap_err();
    assert!(matches!(err, SafetensorsError::NameTooLong { .. }), "{err}");
    assert!(err.to_string().contains("is longer than 96 bytes"), "{err}");
    let mut model = Net::ZERO;
    let file = st::to_bytes(&n).unwrap();
    assert!(matches!(
        st::load_named(&file, &mut model, Naming::Prefixed(&prefix)),
        Err(SafetensorsError::NameTooLong { .. })
    ));
    // 95 bytes fit: `encoder.` x 10, 6 bytes and the dot added after them, then `0.weight`.
    let fits = format!("{}abcdef", "encoder.".repeat(10));
    let file = st::to_bytes_named(&n, Naming::Prefixed(&fits)).unwrap();
    st::load_named(&file, &mut model, Naming::Prefixed(&fits)).unwrap();
    assert_eq!(model, n);
}

#[test]
fn other_formats_and_unknown_dtypes_are_named() {
    // The start of a `torch.save` archive and of a `.npy` file.
    let mut zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    zip.resize(200, 0);
    assert_eq!(
        refused(&zip),
        "not a safetensors file, but by its first bytes a zip archive, as PyTorch's `torch.save` (`.pt`, `.pth`, `.bin`), Keras (`.keras`) and NumPy's `np.savez` (`.npz`) write; in Python, load it and write it with `safetensors.torch.save_file(model.state_dict(), path)` (`safetensors.numpy.save_file(arrays, path)` for NumPy's arrays); for Keras, load the model (`keras.models.load_model(path)`, or `model.load_weights(path)`) and write its weights with `safetensors.numpy.save_file({w.path.replace(\"/\", \".\"): np.asarray(w) for w in model.weights}, path)`: its layers' names are then their paths with dots (`dense`, `dense_1`, or `sequential.dense` for a `Sequential` filled by `load_weights`: the crate's example `safetensors_info` prints them), and their `kernel`s are read transposed"
    );
    // The first entry of an archive names the tool that wrote it: `torch.save` begins with
    // its pickle `<name>/data.pkl`, Keras 3 with `metadata.json`, `np.savez` with an array.
    // Each header is as the tool wrote it, the name's length at byte 26 and the name at 30.
    let entry = |name: &str, tail: &[u8]| {
        let mut file = b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00!\x00.\x11J\x94".to_vec();
        file.extend([0x40, 0, 0, 0, 0x40, 0, 0, 0]);
        file.extend((name.len() as u16).to_le_bytes());
        file.extend([0, 0]);
        file.extend(name.as_bytes());
        file.extend(tail);
        file.resize(file.len().max(200), 0);
        file
    };
    let torch = "in Python, load it (`torch.load(path)`, or `torch.jit.load(path)` for TorchScript) and write its state dict with `safetensors.torch.save_file(model.state_dict(), path)`";
    let by_torch =
        "a zip archive of PyTorch's `torch.save` or `torch.jit.save` (`.pt`, `.pth`, `.bin`)";
    for (name, what, advice) in [
        ("archive/data.pkl", by_torch, torch),
        ("model_v2/data.pkl", by_torch, torch),
        // `torch.jit.save` begins with a storage.
        ("ts/data/0", by_torch, torch),
        ("data.pkl", by_torch, torch),
        (
            "config.json",
            "a Keras model archive (`.keras`)",
            "load the model",
        ),
        (
            "model.weights.h5",
            "a Keras model archive (`.keras`)",
            "load the model",
        ),
        (
            "metadata.json",
            "a Keras model archive (`.keras`)",
            "in Python, load the model (`keras.models.load_model(path)`",
        ),
        (
            "w.npy",
            "a zip archive of NumPy arrays, as `np.savez` writes (`.npz`)",
            "`safetensors.numpy.save_file(dict(np.load(path)), out_path)`",
        ),
        (
            "arr_0.npy",
            "a zip archive of NumPy arrays, as `np.savez` writes (`.npz`)",
            "each array under its own name",
        ),
    ] {
        let message = refused(&entry(name, b"{\"keras_version\": \"3.12.0\"}"));
        let start = format!("not a safetensors file, but by its first bytes {what}; ");
        assert!(message.starts_with(&start), "{name}: {message}");
        assert!(message.contains(advice), "{name}: {message}");
        // The advice for the tool found, and only for it.
        assert_eq!(
            message.contains("Keras"),
            what.contains("Keras"),
            "{message}"
        );
        assert_eq!(
            message.contains("torch.save_file"),
            advice == torch,
            "{message}"
        );
    }
    // A name cut short by the end of the file, or of another tool: the archive, with the
    // advice for each tool that writes one.
    for file in [
        entry("docProps/app.xml", b""),
        entry("archive/data/", b""),
        entry("archive/data.pkl", b"")[..40].to_vec(),
    ] {
        let message = refused(&file);
        assert!(
            message.contains("by its first bytes a zip archive, as PyTorch's"),
            "{message}"
        );
        assert!(message.contains("for Keras, load the model"), "{message}");
    }
    // Pickles of every protocol from 2 to 5 (`pickle.HIGHEST_PROTOCOL`), as `pickle.dump`
    // writes a state dict: `\x80`, the protocol, then its opcodes.
    for protocol in 2..=5u8 {
        let mut pickle = vec![0x80, protocol, 0x95, 0x4b, 0x02, 0, 0, 0, 0, 0, 0, 0x7d];
        pickle.resize(300, b'q');
        let message = refused(&pickle);
        assert!(
            message.contains("by its first bytes a pickle, as `pickle.dump`"),
            "{message}"
        );
    }
    // Compressed files are to be decompressed, not converted.
    for (magic, what, extension) in [
        (&b"\x1f\x8b\x08\x00"[..], "gzip", "gz"),
        (b"\xfd7zXZ\x00\x00", "xz", "xz"),
        (b"\x28\xb5\x2f\xfd", "zstd", "zst"),
        (b"BZh91AY&SY", "bzip2", "bz2"),
    ] {
        let mut file = magic.to_vec();
        file.resize(100, 0x5a);
        assert_eq!(
            refused(&file),
            format!(
                "not a safetensors file, but by its first bytes {what}-compressed data (`.{extension}`): decompress it, and load the file it holds"
            )
        );
    }
    // A CSV file given by mistake: eight bytes of text as a length claim exabytes.
    assert_eq!(
        refused(b"sepal_length,sepal_width,species\n5.1,3.5,0\n"),
        "not a safetensors file, but by its first bytes text (a CSV, JSON or other text file): a safetensors file begins with the length of its header in 8 bytes"
    );
    let mut npy = b"\x93NUMPY\x01\x00v\x00{'descr': '<f4'".to_vec();
    npy.resize(200, b' ');
    assert!(refused(&npy).contains("a NumPy array"));
    // The crate's own image format.
    let image = typed_nn::io::to_image::<f32, _>(&net(9)).unwrap();
    assert_eq!(
        refused(&image),
        "not a safetensors file, but by its first bytes this crate's own weights image, as `io::save` writes; read it with `io::load`"
    );
    // A safetensors header of 640 bytes begins as a pickle does, and is read as safetensors.
    let json = format!("{{\"__metadata__\":{{\"a\":\"{}\"}}}}", "x".repeat(615));
    assert_eq!(json.len(), 640);
    assert!(Header::parse(&raw(&json, &[])).is_ok());

    let lower = raw(
        "{\"0.weight\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        &[0; 4],
    );
    assert_eq!(
        refused(&lower),
        "tensor `0.weight` has dtype `f32`, which safetensors does not define (F64, F32, F16, BF16, F8_E4M3, F4, C64, I64, U8, BOOL, ..., spelled in capitals)"
    );
}

#[test]
fn a_tensor_under_a_layer_that_does_not_read_it_is_refused_even_in_part() {
    // PyTorch's Sequential(Linear(3, 4), BatchNorm1d(4), Linear(4, 2)) loaded into a model
    // whose layer 1 is an activation: reading the Linears alone would compute something else.
    let n = net(5);
    let mut tensors = net_tensors(&n);
    for stat in ["1.weight", "1.bias", "1.running_mean", "1.running_var"] {
        tensors.push((stat, Dtype::F32, vec![4], f32_bytes(&[1.0; 4])));
    }
    tensors.push(("1.num_batches_tracked", Dtype::I64, vec![], vec![0; 8]));
    for err in refused_whole_and_in_part(&reference_file(&tensors)) {
        let SafetensorsError::Unread {
            layer: (1, _),
            reads: ["", "", ""],
            ..
        } = err
        else {
            panic!("{err:?}");
        };
        assert!(
            err.to_string()
                .contains("falls under layer 1, `ReLU`, which has no parameters"),
            "{err}"
        );
    }
    // A Linear's weight split by weight normalisation: `0.weight_g` beside `0.weight`.
    let mut tensors = net_tensors(&n);
    tensors.push(("0.weight_g", Dtype::F32, vec![4, 1], f32_bytes(&[1.0; 4])));
    let mut model = Net::ZERO;
    let err = st::load_part(&reference_file(&tensors), &mut model, Naming::Sequential).unwrap_err();
    assert!(
        matches!(
            err,
            SafetensorsError::Unread {
                layer: (0, _),
                reads: ["weight", "bias", ""],
                ..
            }
        ),
        "{err:?}"
    );
    // Past the model's last layer, or under another prefix, a tensor is another module's:
    // `load_part` leaves it, as before.
    let mut tensors = net_tensors(&n);
    tensors.push(("3.weight", Dtype::F32, vec![2, 2], f32_bytes(&[1.0; 4])));
    tensors.push(("head.bias", Dtype::F32, vec![2], f32_bytes(&[1.0; 2])));
    let mut model = Net::ZERO;
    st::load_part(&reference_file(&tensors), &mut model, Naming::Sequential).unwrap();
    assert_eq!(model, n);
}

#[test]
fn a_lone_linear_reads_and_writes_pytorchs_names_with_an_empty_layer_name() {
    // `nn.Linear(3, 4).state_dict()` holds `weight` and `bias`.
    let n = net(6).0;
    let tensors = [
        (
            "weight",
            Dtype::F32,
            vec![4, 3],
            f32_bytes(n.weight.as_flattened()),
        ),
        ("bias", Dtype::F32, vec![4], f32_bytes(&n.bias)),
    ];
    let file = reference_file(&tensors);
    let mut model = Linear::<3, 4>::ZERO;
    // Read with `nn.Sequential`'s names, the error says which naming reads it.
    let err = st::load(&file, &mut model).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `0.weight` is missing (layer 0, `Linear<3, 4>`, needs it), and the file holds `weight`, a lone module's own tensor, without a module name (a lone `nn.Linear` saved by itself): read it with `Naming::Layers(&[\"\"])`, the empty name"
    );
    st::load_named(&file, &mut model, Naming::Layers(&[""])).unwrap();
    assert_eq!(model, n);
    let written = st::to_bytes_named(&n, Naming::Layers(&[""])).unwrap();
    let names: Vec<String> = SafeTensors::deserialize(&written)
        .unwrap()
        .names()
        .into_iter()
        .map(str::to_string)
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"weight".to_string()) && names.contains(&"bias".to_string()));
    // A tensor of its own beside them (a buffer) falls under that module.
    let mut more = tensors.to_vec();
    more.push(("scale", Dtype::F32, vec![1], f32_bytes(&[2.0])));
    let err = st::load_part(&reference_file(&more), &mut model, Naming::Layers(&[""])).unwrap_err();
    assert!(matches!(err, SafetensorsError::Unread { .. }), "{err:?}");
}

#[test]
fn every_dtype_of_the_format_is_read_in_a_header() {
    // Tensors of the newer dtypes beside the model's: a file PyTorch writes with complex or
    // microscaling tensors in it is a valid file, whose other tensors load.
    let n = net(7);
    let mut tensors = net_tensors(&n);
    tensors.push(("extra.c64", Dtype::C64, vec![2], vec![0; 16]));
    tensors.push(("extra.e8m0", Dtype::F8_E8M0, vec![3], vec![127; 3]));
    tensors.push(("extra.f4", Dtype::F4, vec![4], vec![0; 2]));
    tensors.push(("extra.f6", Dtype::F6_E2M3, vec![4], vec![0; 3]));
    let file = reference_file(&tensors);
    let header = Header::parse(&file).unwrap();
    assert_eq!(header.len(), 8);
    let mut model = Net::ZERO;
    st::load_part(&file, &mut model, Naming::Sequential).unwrap();
    assert_eq!(model, n);
    // Four-bit values that end inside a byte are not a whole tensor: refused.
    let header = r#"{"t":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}"#;
    let mut odd = (header.len() as u64).to_le_bytes().to_vec();
    odd.extend_from_slice(header.as_bytes());
    odd.extend_from_slice(&[0, 0]);
    let err = Header::parse(&odd).unwrap_err();
    assert!(
        err.to_string().contains("do not end on a whole byte"),
        "{err}"
    );
}

#[test]
fn a_file_cut_short_says_so() {
    let file = st::to_bytes(&net(8)).unwrap();
    // Inside the header, and inside the data.
    let err = Header::parse(&file[..20]).unwrap_err();
    assert!(err.to_string().ends_with("the file is cut short"), "{err}");
    let err = Header::parse(&file[..file.len() - 4]).unwrap_err();
    assert!(err.to_string().ends_with("(a file cut short?)"), "{err}");
}

#[test]
fn files_read_with_any_naming_and_in_part() {
    let n = net(9);
    let mut tensors = net_tensors(&n);
    tensors.push((
        "head.weight",
        Dtype::F32,
        vec![1, 2],
        f32_bytes(&[1.0, 2.0]),
    ));
    let path =
        std::env::temp_dir().join(format!("typed-nn-part-{}.safetensors", std::process::id()));
    std::fs::write(&path, reference_file(&tensors)).unwrap();
    let mut model = Net::ZERO;
    let err = st::load_file(&path, &mut model).unwrap_err();
    assert!(
        err.to_string().starts_with(&path.display().to_string()),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("`head.weight` belongs to no layer"),
        "{err}"
    );
    st::load_file_part(&path, &mut model, Naming::Sequential).unwrap();
    assert_eq!(model, n);
    let names = Naming::Layers(&["enc", "dec"]);
    st::save_named(&path, &n, names).unwrap();
    let mut again = Net::ZERO;
    st::load_file_named(&path, &mut again, names).unwrap();
    assert_eq!(again, n);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn tied_weights_follow_the_aliases_save_model_writes() {
    // `safetensors.torch.save_model` writes a weight shared by two layers once, and names
    // its other name in the metadata: `{"2.weight": "0.weight"}`.
    type Tied = (Linear<4, 4>, ReLU, Linear<4, 4>);
    let mut tied = Tied::ZERO;
    tied.init(Scheme::Glorot, &mut SmallRng::seed_from_u64(3));
    tied.2.weight = tied.0.weight;
    let weight = f32_bytes(tied.0.weight.as_flattened());
    let views = [
        ("0.weight", weight),
        ("0.bias", f32_bytes(&tied.0.bias)),
        ("2.bias", f32_bytes(&tied.2.bias)),
    ];
    let write_views = |views: &[(&str, Vec<u8>)], aliases: &[(&str, &str)]| {
        let views: Vec<(String, TensorView)> = views
            .iter()
            .map(|(n, b)| {
                let shape = if n.ends_with("weight") {
                    vec![4, 4]
                } else {
                    vec![b.len() / 4]
                };
                (
                    n.to_string(),
                    TensorView::new(Dtype::F32, shape, b).unwrap(),
                )
            })
            .collect();
        let mut metadata: HashMap<String, String> = aliases
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        metadata.insert("format".into(), "pt".into());
        safetensors::tensor::serialize(views, Some(metadata)).unwrap()
    };
    let write = |aliases: &[(&str, &str)]| write_views(&views, aliases);
    let mut model = Tied::ZERO;
    st::load(&write(&[("2.weight", "0.weight")]), &mut model).unwrap();
    assert_eq!(model, tied);
    // An alias to a tensor that is not there, or none at all: the weight is missing.
    for aliases in [&[("2.weight", "1.weight")][..], &[]] {
        let err = st::load(&write(aliases), &mut Tied::ZERO.clone()).unwrap_err();
        assert!(
            matches!(&err, SafetensorsError::Missing { name, .. } if name.as_str() == "2.weight"),
            "{err:?}"
        );
    }
    // A tensor no layer reads is refused beside an alias as it is without one: the alias
    // makes the file hold as many tensors as the model reads, which is not the test.
    let mut with_junk = views.to_vec();
    with_junk.push(("junk", f32_bytes(&[0.0; 5])));
    let err = st::load(
        &write_views(&with_junk, &[("2.weight", "0.weight")]),
        &mut Tied::ZERO.clone(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::TopLevel { name } if name.as_str() == "junk"),
        "{err:?}"
    );
    // The shared weight stored under a name of neither layer, both layers' names aliases of
    // it: every tensor of the file is read.
    let shared = [
        ("shared.weight", views[0].1.clone()),
        views[1].clone(),
        views[2].clone(),
    ];
    let aliases = [("0.weight", "shared.weight"), ("2.weight", "shared.weight")];
    let mut model = Tied::ZERO;
    st::load(&write_views(&shared, &aliases), &mut model).unwrap();
    assert_eq!(model, tied);
}

#[test]
fn metadata_anywhere_in_the_header_and_twice_leaves_every_tensor_read() {
    // Writers put `__metadata__` first, but JSON allows it anywhere, and twice; a walk that
    // steps over the checked metadata must still see the tensors around both.
    let n = net(4);
    let tensors = net_tensors(&n);
    let (mut json, mut data) = (String::from("{"), Vec::new());
    for (i, (name, _, shape, bytes)) in tensors.iter().enumerate() {
        if i == 1 {
            json += "\"__metadata__\" : {\"format\":\"pt\"},";
        }
        let (begin, end) = (data.len(), data.len() + bytes.len());
        let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
        json += &format!(
            "\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{}],\"data_offsets\":[{begin},{end}]}},",
            dims.join(",")
        );
        data.extend_from_slice(bytes);
    }
    json += &format!(
        "\"__metadata__\":{{\"note\":\"{}\"}}}}",
        "m".repeat(1 << 20)
    );
    let bytes = raw(&json, &data);
    let header = Header::parse(&bytes).unwrap();
    assert_eq!(header.len(), 4);
    let mut copy = Net::ZERO;
    st::load(&bytes, &mut copy).unwrap();
    assert_eq!(copy, n);
    // An alias in metadata that follows the tensors: `2.weight` is stored as `head.weight`.
    let aliased = json
        .replacen("\"2.weight\"", "\"head.weight\"", 1)
        .replacen("\"note\"", "\"2.weight\":\"head.weight\",\"note\"", 1);
    let mut copy = Net::ZERO;
    st::load_part(&raw(&aliased, &data), &mut copy, Naming::Sequential).unwrap();
    assert_eq!(copy, n);
}

#[test]
fn a_model_holding_a_nan_or_an_infinity_is_not_written() {
    // Its file would be refused by `load`, as the byte image refuses the model.
    let mut n = net(9);
    n.2.bias[1] = f32::INFINITY;
    let err = st::to_bytes(&n).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `2.bias` holds a NaN or an infinity at index 1"
    );
    n.2.bias[1] = 0.0;
    n.0.weight[2][1] = f32::NAN;
    let names = Naming::Layers(&["fc1", "fc2"]);
    let err = st::to_bytes_named(&n, names).unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::NotFinite { name, index: 7 } if name.as_str() == "fc1.weight"),
        "{err:?}"
    );
    let path =
        std::env::temp_dir().join(format!("typed-nn-nan-{}.safetensors", std::process::id()));
    assert!(st::save(&path, &n).is_err());
    assert!(!path.exists(), "nothing written");
    assert!(typed_nn::io::to_image::<f32, _>(&n).is_err());
}

/// The header of `net(4)`'s file with `"extra": value` as a field of the first tensor's
/// entry, and its data.
fn with_extra_field(value: &str) -> Vec<u8> {
    let tensors = net_tensors(&net(4));
    let (mut json, mut data) = (String::from("{"), Vec::new());
    for (i, (name, _, shape, bytes)) in tensors.iter().enumerate() {
        let (begin, end) = (data.len(), data.len() + bytes.len());
        let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
        let extra = if i == 0 {
            format!(",\"extra\": {value}")
        } else {
            String::new()
        };
        json += &format!(
            "\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{}],\"data_offsets\":[{begin},{end}]{extra}}},",
            dims.join(",")
        );
        data.extend_from_slice(bytes);
    }
    json.pop();
    json.push('}');
    raw(&json, &data)
}

/// Fields the reader does not know are skipped whatever they hold, nested to the limit
/// (a field of a tensor's entry is two levels in: a value inside 14 more containers is
/// accepted, inside 15 refused), and
/// a malformed one is refused wherever its fault is.
#[test]
fn unknown_fields_are_skipped_to_the_nesting_limit_and_checked() {
    let load = |value: &str| {
        st::load(&with_extra_field(value), &mut Net::ZERO.clone()).map_err(|e| e.to_string())
    };
    for value in [
        "1",
        "[]",
        "{}",
        "[1, -2.5e3, \"a\\\"]\", true, false, null, {\"k\": [{}, []]}, [[]]]",
        "{\"a\": {\"b\": [1, {\"c\": \"}\"}]}, \"d\": []}",
    ] {
        load(value).unwrap_or_else(|e| panic!("{value}: {e}"));
    }
    let nested = |open: &str, inner: &str, close: &str, n: usize| {
        format!("{}{inner}{}", open.repeat(n), close.repeat(n))
    };
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        for inner in ["1", "[]", "{}"] {
            let deepest = 14;
            let at_limit = nested(open, inner, close, deepest);
            load(&at_limit).unwrap_or_else(|e| panic!("{at_limit}: {e}"));
            let past = nested(open, inner, close, deepest + 1);
            let err = load(&past).unwrap_err();
            assert!(err.contains("less nesting"), "{past}: {err}");
        }
        // Far past the limit: refused, not a stack overflow.
        let deep = nested(open, "1", close, 100_000);
        assert!(
            load(&deep)
                .unwrap_err()
                .to_string()
                .contains("less nesting")
        );
    }
    for bad in [
        "[1 2]",
        "[1,]",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "{1:2}",
        "[}",
        "{]",
        "[",
        "tru",
        "-",
        "[01]",
    ] {
        assert!(load(bad).is_err(), "{bad}");
    }
}

/// A named pipe in the temporary directory, and a thread that writes `bytes` into it (and
/// stops when the reader closes it).
#[cfg(unix)]
fn pipe_of(name: &str, bytes: Vec<u8>) -> (std::path::PathBuf, std::thread::JoinHandle<()>) {
    use std::io::Write;
    // The reader may stop early and close the pipe: a broken pipe ends the writing.
    common::pipe(name, move |pipe| drop(pipe.write_all(&bytes)))
}

#[cfg(unix)]
#[test]
fn devices_and_pipes_are_read_no_further_than_the_header_says() {
    let n = net(12);
    let file = reference_file(&net_tensors(&n));
    // Devices that never end: refused after their first bytes, not read into memory.
    for device in ["/dev/zero", "/dev/urandom"] {
        let mut model = Net::ZERO;
        let err = st::load_file(device, &mut model).unwrap_err();
        assert!(err.to_string().starts_with(device), "{err}");
        assert_eq!(model, Net::ZERO);
    }
    // Random bytes claim a header length beyond the bound (but for a chance of 2^-37): no
    // count of the bytes after it, which were not read.
    let mut model = Net::ZERO;
    let err = st::load_file("/dev/urandom", &mut model).unwrap_err();
    match &err {
        st::FileError::Stream {
            problem: st::StreamProblem::HeaderLength { claimed },
            ..
        } => assert!(*claimed > st::MAX_HEADER_BYTES),
        other => panic!("{other}"),
    }
    assert!(
        err.to_string()
            .contains("nothing after the length was read"),
        "{err}"
    );
    // A pipe whose header claims more data than the model's tensors could fill (4 TiB), and
    // whose writer goes on: refused after its header, the data not read (the writer stops
    // when the reader closes the pipe, or after 1 GiB, so that a reader that read on would
    // fail the test below rather than hang it).
    let json =
        br#"{"0.weight":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,4398046511104]}}"#;
    let mut header = (json.len() as u64).to_le_bytes().to_vec();
    header.extend_from_slice(json);
    let (path, writer) = common::pipe("pipe-huge", move |pipe| {
        use std::io::Write;
        let zeros = vec![0u8; 1 << 20];
        let mut written = 0u64;
        if pipe.write_all(&header).is_ok() {
            while written < 1 << 30 && pipe.write_all(&zeros).is_ok() {
                written += zeros.len() as u64;
            }
        }
        written
    });
    let mut model = Net::ZERO;
    let err = st::load_file(&path, &mut model).unwrap_err();
    let written = writer.join().unwrap();
    let limit = 8 * Net::PARAM_COUNT as u64;
    let beyond = st::StreamProblem::DataBeyondModel {
        data: 4398046511104,
        limit,
    };
    assert!(
        matches!(&err, st::FileError::Stream { problem, .. } if *problem == beyond),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "4398046511104 bytes of data, more than the {limit}"
        )),
        "{text}"
    );
    // What the pipe's buffer took before the reader closed it, not the data claimed.
    assert!(written < 64 << 20, "{written} bytes written");
    assert_eq!(model, Net::ZERO);
    std::fs::remove_file(&path).unwrap();
    // A pipe holding a whole file loads as the file does.
    let (path, writer) = pipe_of("pipe-whole", file.clone());
    let mut model = Net::ZERO;
    st::load_file(&path, &mut model).unwrap();
    writer.join().unwrap();
    assert_eq!(model, n);
    std::fs::remove_file(&path).unwrap();
    // A pipe that goes on past the data (64 MiB more) is refused after one byte more, as
    // one that goes on.
    let mut longer = file.clone();
    longer.resize(file.len() + (64 << 20), 0);
    let (path, writer) = pipe_of("pipe-longer", longer);
    let mut model = Net::ZERO;
    let err = st::load_file(&path, &mut model).unwrap_err();
    writer.join().unwrap();
    let data = (file.len() - 8 - header_len(&file)) as u64;
    let goes_on = st::StreamProblem::GoesOn { data };
    assert!(
        matches!(&err, st::FileError::Stream { problem, .. } if *problem == goes_on),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains(&format!("goes on past the {data} bytes")),
        "{err}"
    );
    assert_eq!(model, Net::ZERO);
    std::fs::remove_file(&path).unwrap();
    // One that ends a byte short is cut short, as a file is.
    let (path, writer) = pipe_of("pipe-short", file[..file.len() - 1].to_vec());
    let err = st::load_file(&path, &mut model).unwrap_err();
    writer.join().unwrap();
    let on_disk = std::env::temp_dir().join(format!("typed-nn-short-{}", std::process::id()));
    std::fs::write(&on_disk, &file[..file.len() - 1]).unwrap();
    let from_file = st::load_file(&on_disk, &mut model).unwrap_err();
    let message = |e: &dyn std::fmt::Display, p: &std::path::Path| {
        e.to_string().replacen(&p.display().to_string(), "FILE", 1)
    };
    assert_eq!(message(&err, &path), message(&from_file, &on_disk));
    assert_eq!(model, Net::ZERO);
    std::fs::remove_file(&path).unwrap();
    std::fs::remove_file(&on_disk).unwrap();
}

/// The length of a safetensors file's header, from its first 8 bytes.
#[cfg(unix)]
fn header_len(file: &[u8]) -> usize {
    u64::from_le_bytes(file[..8].try_into().unwrap()) as usize
}

#[test]
fn batch_norms_are_named_with_how_to_fold_them_and_hints_name_a_weight() {
    let n = net(13);
    // A batch normalisation after the last layer, its counter first (the writer orders
    // tensors by dtype).
    let mut tensors = net_tensors(&n);
    tensors.insert(0, ("3.num_batches_tracked", Dtype::I64, vec![], vec![0; 8]));
    tensors.push((
        "3.running_mean",
        Dtype::F32,
        vec![2],
        f32_bytes(&[0.0, 0.0]),
    ));
    let err = refused(&reference_file(&tensors));
    assert!(err.contains("fuse_linear_bn_eval"), "{err}");
    assert!(err.contains("load_part` reads that part"), "{err}");
    // Inside the network, under the model's `ReLU`.
    let mut inside = net_tensors(&n);
    inside.push(("1.running_var", Dtype::F32, vec![4], f32_bytes(&[1.0; 4])));
    let err = refused(&reference_file(&inside));
    assert!(
        err.contains("falls under layer 1") && err.contains("fuse_linear_bn_eval"),
        "{err}"
    );
    // PyTorch's own layout, Sequential(Linear, BatchNorm1d, ReLU, Linear): the normalisation
    // moves the last Linear to index 3, and is named as what it is, not as a dropout to put
    // an `Identity` for (which would only lead to the message above).
    let mut layout: Vec<_> = net_tensors(&n)
        .into_iter()
        .map(|(name, dtype, shape, bytes)| {
            let name = match name {
                "2.weight" => "3.weight",
                "2.bias" => "3.bias",
                other => other,
            };
            (name, dtype, shape, bytes)
        })
        .collect();
    for stat in ["1.weight", "1.bias", "1.running_mean", "1.running_var"] {
        layout.push((stat, Dtype::F32, vec![4], f32_bytes(&[1.0; 4])));
    }
    layout.insert(0, ("1.num_batches_tracked", Dtype::I64, vec![], vec![0; 8]));
    let err = refused(&reference_file(&layout));
    assert!(
        err.contains("falls under layer 1") && err.contains("fuse_linear_bn_eval"),
        "{err}"
    );
    assert!(!err.contains("Identity"), "{err}");
    // Another extra tensor gets no such hint.
    let mut other = net_tensors(&n);
    other.push((
        "head.weight",
        Dtype::F32,
        vec![1, 2],
        f32_bytes(&[1.0, 2.0]),
    ));
    assert!(!refused(&reference_file(&other)).contains("fuse"));
    // Named otherwise, with an integer tensor first: the hint names a weight.
    let renamed: Vec<_> = net_tensors(&n)
        .into_iter()
        .map(|(name, dtype, shape, bytes)| {
            let name: &'static str = Box::leak(format!("net.{name}").into_boxed_str());
            (name, dtype, shape, bytes)
        })
        .chain([("bn.num_batches_tracked", Dtype::I64, vec![], vec![0; 8])])
        .collect();
    let err = refused(&reference_file(&renamed));
    assert!(err.contains("the file holds `net.0.weight`"), "{err}");
}

#[test]
fn a_deeper_network_is_named_where_its_shapes_part_from_the_model() {
    // A 3-4-4-2 network's file read by the 3-4-2 model: `2.weight` is [4, 4], and the file
    // goes on to `4.weight`.
    let n = net(14);
    let mut deeper = net_tensors(&n);
    deeper[2] = ("2.weight", Dtype::F32, vec![4, 4], f32_bytes(&[0.5; 16]));
    deeper[3] = ("2.bias", Dtype::F32, vec![4], f32_bytes(&[0.0; 4]));
    deeper.push(("4.weight", Dtype::F32, vec![2, 4], f32_bytes(&[0.5; 8])));
    deeper.push(("4.bias", Dtype::F32, vec![2], f32_bytes(&[0.0; 2])));
    let err = refused(&reference_file(&deeper));
    assert!(
        err.starts_with("tensor `2.weight` has shape [4, 4]; layer 2, `Linear<4, 2>`, expects [2, 4]; the file also holds tensors"),
        "{err}"
    );
    assert!(err.ends_with("that no layer of the model reads: the file's network has more layers than the model, or others"), "{err}");
    // Read in part, the file may hold more: the shape alone.
    let mut model = Net::ZERO;
    let part = st::load_part(&reference_file(&deeper), &mut model, Naming::Sequential);
    let part = part.unwrap_err().to_string();
    assert!(part.ends_with("expects [2, 4]"), "{part}");
    // A shape that differs in a file of the model's own depth: the shape alone.
    let mut wide = net_tensors(&n);
    wide[2] = ("2.weight", Dtype::F32, vec![3, 4], f32_bytes(&[0.5; 12]));
    wide[3] = ("2.bias", Dtype::F32, vec![3], f32_bytes(&[0.0; 3]));
    let err = refused(&reference_file(&wide));
    assert!(err.ends_with("expects [2, 4]"), "{err}");
}

/// A weight saved in two parts, as PyTorch saves a pruned one, one under weight normalisation
/// and one under a parametrization: the message names the part found and how to save the
/// weight itself, by `load` and `load_part` alike, with the model left as it was.
#[test]
fn a_weight_saved_in_two_parts_is_named_with_how_to_save_it_whole() {
    let n = net(11);
    let cases = [
        (
            ["0.weight_orig", "0.weight_mask"],
            "prune.remove(module, \"weight\")",
        ),
        (
            ["0.weight_g", "0.weight_v"],
            "torch.nn.utils.remove_weight_norm(module)",
        ),
        (
            [
                "0.parametrizations.weight.original0",
                "0.parametrizations.weight.original1",
            ],
            "remove_parametrizations(module, \"weight\")",
        ),
    ];
    for ([first, second], how) in cases {
        let mut tensors = net_tensors(&n);
        tensors.remove(0);
        tensors.push((first, Dtype::F32, vec![4, 3], f32_bytes(&[0.5; 12])));
        tensors.push((second, Dtype::F32, vec![4, 3], f32_bytes(&[1.0; 12])));
        for err in refused_whole_and_in_part(&reference_file(&tensors)) {
            let SafetensorsError::Split {
                layer: (0, _),
                found,
                ..
            } = &err
            else {
                panic!("{first}: {err:?}");
            };
            assert_eq!(found.as_str(), first);
            let message = err.to_string();
            assert!(
                message.starts_with(&format!(
                    "tensor `0.weight` is missing (layer 0, `Linear<3, 4>`, needs it), and the file holds it split, as `{first}`: "
                )) && message.contains(how),
                "{message}"
            );
        }
    }
    // Under a prefix, a module's parametrization sits under the module's own name.
    let mut tensors = net_tensors(&n);
    tensors.remove(0);
    let renamed: Vec<_> = tensors
        .iter()
        .map(|(name, d, s, b)| (format!("net.{name}"), *d, s.clone(), b.clone()))
        .chain([(
            "net.0.parametrizations.weight.original0".to_string(),
            Dtype::F32,
            vec![4, 1],
            f32_bytes(&[1.0; 4]),
        )])
        .collect();
    let named: Vec<_> = renamed
        .iter()
        .map(|(name, d, s, b)| (name.as_str(), *d, s.clone(), b.clone()))
        .collect();
    let mut model = Net::ZERO;
    let err =
        st::load_named(&reference_file(&named), &mut model, Naming::Prefixed("net")).unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::Split { found, .. } if found.as_str() == "net.0.parametrizations.weight.original0"),
        "{err:?}"
    );
}

/// A layer normalisation (or a PReLU: a weight of one dimension) in the file's network where
/// the model has none shifts the indices as a dropout does, but is named as a layer with
/// parameters, since an `Identity` in its place would compute something else.
#[test]
fn a_layer_norm_the_model_lacks_is_named_as_a_layer_with_parameters() {
    // Sequential(Linear(3, 4), LayerNorm(4), ReLU(), Linear(4, 2)) into (Linear, ReLU, Linear).
    let n = net(12);
    let mut tensors = net_tensors(&n);
    tensors[2].0 = "3.weight";
    tensors[3].0 = "3.bias";
    tensors.push(("1.weight", Dtype::F32, vec![4], f32_bytes(&[1.0; 4])));
    tensors.push(("1.bias", Dtype::F32, vec![4], f32_bytes(&[0.0; 4])));
    let file = reference_file(&tensors);
    let mut model = Net::ZERO;
    let err = st::load(&file, &mut model).unwrap_err();
    assert!(
        matches!(
            err,
            SafetensorsError::Unread {
                layer: (1, _),
                reads: ["", "", ""],
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with(
            "tensor `1.weight` falls under layer 1, `ReLU`, which has no parameters: the file's network has a layer with parameters there"
        ),
        "{err}"
    );
    // A dropout in its place is still a shift, with an `Identity` as its remedy: the later
    // linear layer's tensors under the model's `ReLU` are not a normalisation's.
    let mut tensors = net_tensors(&n);
    tensors[2].0 = "3.weight";
    tensors[3].0 = "3.bias";
    let err = st::load(&reference_file(&tensors), &mut model).unwrap_err();
    assert!(matches!(err, SafetensorsError::Shifted { .. }), "{err:?}");
    assert_eq!(model, Net::ZERO);
}

/// Indices shifted by the model's first layer or by a layer the model has too many, a name for
/// each activation, a convolution's weight and a bias of two dimensions: each refused with
/// what the file holds and what to change.
#[test]
fn shifts_names_and_shapes_say_what_to_change() {
    let n = net(13);
    // Sequential(Flatten, Linear(3, 4), ReLU, Linear(4, 2)) into (Linear, ReLU, Linear).
    let mut tensors = net_tensors(&n);
    for (t, name) in tensors
        .iter_mut()
        .zip(["1.weight", "1.bias", "3.weight", "3.bias"])
    {
        t.0 = name;
    }
    let mut model = Net::ZERO;
    let err = st::load(&reference_file(&tensors), &mut model).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `0.weight` is missing (layer 0, `Linear<3, 4>`, needs it), but the file has `1.weight`: the file's network begins with layers without parameters that the model lacks (an `nn.Flatten`, ...); begin the model with `Flatten<N>` (or `Identity` for inputs that are rows of features), one for each, so that the indices agree"
    );
    // An `Identity` the file's network lacks: the last layer's tensors sit one index earlier.
    type TooMany = (Linear<3, 4>, ReLU, Identity, Linear<4, 2>);
    let mut model = TooMany::ZERO;
    let err = st::load(&reference_file(&net_tensors(&n)), &mut model).unwrap_err();
    assert!(
        matches!(err, SafetensorsError::ShiftedBack { layer: (3, _), .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "tensor `3.weight` is missing (layer 3, `Linear<4, 2>`, needs it), but the file has `2.weight`, which no layer of the model reads: the model has layers without parameters (an `Identity`, an activation) that the file's network lacks; take them out, so that the indices agree"
    );
    assert!(model == TooMany::ZERO);
    // A tensor a layer of the model reads is no sign of a shift: `0.weight` of another
    // model's first layer is that layer's, and `3.weight` is past the file's last layer.
    type Deeper = (Linear<3, 4>, ReLU, Linear<4, 2>, Linear<2, 2>);
    let err = st::load_part(
        &reference_file(&net_tensors(&n)),
        &mut { Deeper::ZERO },
        Naming::Sequential,
    )
    .unwrap_err();
    assert!(
        matches!(err, SafetensorsError::PastTheFile { layer: (3, _), .. }),
        "{err:?}"
    );
    // A name for each layer, activations too: the count is what is wrong.
    let file = reference_file(&net_tensors(&n));
    let err = st::load_named(
        &file,
        &mut { Net::ZERO },
        Naming::Layers(&["fc1", "", "fc2", ""]),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "4 layer names given, for a model with 2 layers with parameters (name only the layers with parameters, such as `Linear`: not the activations, which have no tensors)"
    );
    // A convolution's weight, and a bias saved as a row.
    let mut tensors = net_tensors(&n);
    tensors[0] = (
        "0.weight",
        Dtype::F32,
        vec![4, 1, 3, 1],
        f32_bytes(&[0.5; 12]),
    );
    let err = st::load(&reference_file(&tensors), &mut { Net::ZERO }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `0.weight` has shape [4, 1, 3, 1]; layer 0, `Linear<3, 4>`, expects [4, 3] (a weight of 4 dimensions is a convolution's, which this crate has no layer for)"
    );
    let mut tensors = net_tensors(&n);
    tensors[1] = ("0.bias", Dtype::F32, vec![1, 4], f32_bytes(&n.0.bias));
    let err = st::load(&reference_file(&tensors), &mut { Net::ZERO }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `0.bias` has shape [1, 4]; layer 0, `Linear<3, 4>`, expects [4] (the same values in another shape: save it reshaped, `.reshape(4)`)"
    );
}

/// `Naming::Layers` given nn.Sequential's indices counted over the Linears alone (`0`, `1`
/// for `0`, `2`): the error shows the weight the file holds that no layer reads.
#[test]
fn layers_named_by_counting_linears_show_the_files_weight() {
    let n = net(21);
    let file = st::to_bytes(&n).unwrap();
    let mut model = Net::ZERO;
    let err = st::load_named(&file, &mut model, Naming::Layers(&["0", "1"])).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("tensor `1.weight` is missing (layer 2, `Linear<4, 2>`, needs it), and the file holds `2.weight`"),
        "{err}"
    );
    assert_eq!(model, Net::ZERO);
    st::load_named(&file, &mut model, Naming::Layers(&["0", "2"])).unwrap();
    assert_eq!(model, n);
}
