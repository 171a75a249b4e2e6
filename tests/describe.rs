//! Model summaries and computation graphs: one row or node per layer, totals that agree with
//! the compile-time footprint, nested models flattened.

use typed_nn::data::Standardizer;
use typed_nn::describe::{Describe, LayerInfo, graph, summary};
use typed_nn::optim::{Adam, Sgd};
use typed_nn::prelude::*;

type Digits = (Flatten<64>, (Linear<64, 32>, ReLU), Linear<32, 10>);
type Image = [[f32; 8]; 8];

fn layers<M: Describe<X>, X>() -> Vec<LayerInfo> {
    let mut all = Vec::new();
    M::describe(&mut |l| all.push(*l));
    all
}

#[test]
fn a_nested_model_lists_its_layers_in_order_with_their_shapes() {
    let all = layers::<Digits, [Image; 16]>();
    let names: Vec<&str> = all
        .iter()
        .map(|l| l.layer.rsplit("::").next().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Flatten<64>", "Linear<64, 32>", "ReLU", "Linear<32, 10>"]
    );
    assert_eq!(all[0].input_len, 16 * 64);
    assert_eq!(all[1].output_len, 16 * 32);
    assert_eq!(
        all.iter().map(|l| l.params).sum::<usize>(),
        Digits::PARAM_COUNT
    );
}

#[test]
fn the_summary_prints_a_row_per_layer_and_the_footprint() {
    let text = summary::<[Image; 16], _>(&Digits::ZERO).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 4 + 3, "{text}");
    assert_eq!(
        lines[3],
        "| Linear<64, 32> | [[f32; 64]; 16]     | [[f32; 32]; 16] |       2080 |"
    );
    assert!(
        lines.iter().take(6).all(|l| l.len() == lines[0].len()),
        "aligned:\n{text}"
    );
    assert_eq!(
        lines[6],
        format!(
            "{} parameters, {} bytes",
            Digits::PARAM_COUNT,
            Digits::PARAM_COUNT * 4
        )
    );
    let sgd = Trainer::<Digits, [Image; 16], Sgd<f32>>::STEP_BYTES;
    let adam = Trainer::<Digits, [Image; 16], Adam<Digits>>::STEP_BYTES;
    assert!(
        lines[8].contains(&format!("{sgd} bytes with SGD")),
        "{}",
        lines[8]
    );
    assert!(
        lines[8].ends_with(&format!("{adam} with Adam")),
        "{}",
        lines[8]
    );
    // The largest input plus output of one layer: Flatten's, 2 x 16 x 64 floats.
    assert!(lines[7].contains("at most 8192 bytes"), "{}", lines[7]);
}

#[test]
fn the_graph_runs_forward_then_backward_in_reverse() {
    let dot = graph::<Image, _>(&Digits::ZERO).to_string();
    assert!(dot.starts_with("digraph model {") && dot.trim_end().ends_with('}'));
    assert!(dot.contains("x -> f0 -> f1 -> f2 -> f3 -> loss;"), "{dot}");
    assert!(
        dot.contains("loss -> b3 -> b2 -> b1 -> b0 [color=red];"),
        "{dot}"
    );
    // What each backward step reads: the Linears their inputs, the ReLU its own values; the
    // Flatten computes nothing and reads nothing. The target goes into the loss.
    assert_eq!(dot.matches("[style=dashed").count(), 3, "{dot}");
    for edge in [
        "f0 -> b1 [style=dashed, label=\"input\"];",
        "f2 -> b2 [style=dashed, label=\"cache\"];",
        "f2 -> b3 [style=dashed, label=\"input\"];",
        "t -> loss;",
    ] {
        assert!(dot.contains(edge), "{edge}: {dot}");
    }
    // A first layer with parameters reads the data.
    let first = graph::<[f32; 2], _>(&(Linear::<2, 3>::ZERO, ReLU)).to_string();
    assert!(
        first.contains("x -> b0 [style=dashed, label=\"input\"];"),
        "{first}"
    );
    assert!(
        dot.contains("f1 [label=\"1: Linear<64, 32>\\n-> [f32; 32]\"]"),
        "{dot}"
    );
    // Each backward step shows what a training step computes there: behind the Flatten, the
    // first Linear's input gradient feeds no parameter and is not computed; the ReLU's and
    // the last layer's inputs feed the Linear before them.
    for (step, label) in [
        ("backward 0: Flatten<64>", "nothing to compute"),
        ("backward 1: Linear<64, 32>", "d params (2080)"),
        ("backward 2: ReLU", "d [f32; 32]"),
        ("backward 3: Linear<32, 10>", "d params (330), d [f32; 32]"),
    ] {
        assert!(
            dot.contains(&format!("{step}\\n{label}\"")),
            "{step}: {dot}"
        );
    }
}

/// A fitted scaler in front of a model: its means and deviations count among the parameters,
/// and neither the summary nor the graph shows a training step, which such a pair has not.
#[test]
fn a_scaler_in_front_is_described_as_fitted_and_not_trained() {
    type Net = (Linear<4, 8>, Sigmoid, Linear<8, 3>);
    type Deployed = (Standardizer<4>, Net);
    assert_eq!(<Deployed as Describe<[f32; 4]>>::FITTED_PARAMS, 8);
    assert_eq!(<Net as Describe<[f32; 4]>>::FITTED_PARAMS, 0);
    // Nested deeper, and behind other layers, the count is the same.
    type Nested = ((Standardizer<4>,), (Net,));
    assert_eq!(<Nested as Describe<[[f32; 4]; 5]>>::FITTED_PARAMS, 8);

    let deployed: Deployed = (Standardizer::ZERO, Net::ZERO);
    let text = summary::<[f32; 4], _>(&deployed).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 4 + 3, "{text}");
    assert!(lines[2].starts_with("| Standardizer<4> "), "{text}");
    assert!(lines[2].ends_with(" 8 |"), "{text}");
    let count = Deployed::PARAM_COUNT;
    assert_eq!(
        lines[6],
        format!(
            "{count} parameters, {} bytes (8 of them fitted, not trained)",
            count * 4
        )
    );
    assert!(lines[8].starts_with("no training step"), "{text}");
    assert!(!text.contains("with Adam"), "{text}");

    let dot = graph::<[f32; 4], _>(&deployed).to_string();
    assert!(dot.contains("x -> f0 -> f1 -> f2 -> f3 -> y;"), "{dot}");
    assert!(!dot.contains("backward") && !dot.contains("loss"), "{dot}");
    assert!(dot.trim_end().ends_with('}'), "{dot}");
    // The model alone keeps its training step and backward pass.
    let alone = summary::<[f32; 4], _>(&Net::ZERO).to_string();
    assert!(
        alone.contains("with Adam") && !alone.contains("fitted"),
        "{alone}"
    );
}
