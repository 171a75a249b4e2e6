//! The compile-time promise: a mis-wired model does not compile, and says why in one line at
//! the call that uses it; the correctly wired twin of every case does compile and run.
//!
//! - `tests/ui/fail/`: mistakes that `cargo check` reports (trait bounds).
//! - `tests/ui/build_fail/`: rules on sizes that need arithmetic, reported when code is
//!   generated (`cargo build`; see the crate's `shape` module).
//! - `tests/ui/inference/`: a trainer whose batch size nothing fixes. rustc reports each rule
//!   that needs it (one per `Linear` layer for the model, one per layer for its training, and
//!   one for the trainer's buffers), all at the trainer's declaration.
//! - `tests/ui/pass/`: the corrected twin of each case, and realistic large sizes, compiled
//!   and run by `tests/twins.rs`.
//!
//! Messages are pinned in the `.stderr` files (regenerate on purpose with
//! `TRYBUILD=overwrite cargo test --test ui`); `tests/ui/README.md` lists every case.

mod common;

use std::fs;
use std::path::Path;

#[test]
fn shape_errors_are_compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.compile_fail("tests/ui/build_fail/*.rs");
    cases.compile_fail("tests/ui/inference/*.rs");
    // One twin built here too: with a case to pass among them, trybuild builds every case
    // (`cargo build`) rather than checking it, and `build_fail`'s rules are found only then.
    // The other twins run in `tests/twins.rs`.
    cases.pass("tests/ui/pass/large_sizes.rs");
}

fn cases_in(dir: &str) -> Vec<String> {
    common::rust_files_in(dir)
}

/// Every pinned message is one error diagnostic, short, and free of typenum's internals.
#[test]
fn every_message_is_one_short_error() {
    // Errors found when code is generated carry notes on where the rule was evaluated.
    for (dir, max_lines) in [("tests/ui/fail", 25), ("tests/ui/build_fail", 27)] {
        for name in cases_in(dir) {
            // A method of `Backward` called by hand: rustc adds the list of tuple impls of
            // `Forward` and the supertrait bound, three lines past the limit.
            // A layer without an int8 form: rustc lists the types that have one (the tuple
            // models), nine lines after the one that names the layer.
            let max_lines = match name.as_str() {
                "backward_miswired" => 28,
                "quantize_softmax" => 30,
                // A layer without a backward pass: rustc lists the tuples that have one.
                "layer_without_backward" => 32,
                // A scaler (no backward pass) trained in front of a model: the same list.
                "train_a_scaler_in_front" => 27,
                // A layer without its bookkeeping: rustc lists the layers that have it.
                "custom_layer_without_bookkeeping" => 27,
                // A boxed model saved: rustc lists the layers that have parameters.
                "save_a_boxed_model" => 27,
                _ => max_lines,
            };
            let path = format!("{dir}/{name}.stderr");
            let text = fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} is missing"));
            let errors = text.lines().filter(|l| l.starts_with("error")).count();
            assert_eq!(errors, 1, "{path}: {errors} error diagnostics");
            let lines = text.lines().count();
            assert!(
                lines <= max_lines,
                "{path}: {lines} lines, more than {max_lines}"
            );
            for internal in ["UInt<", "UTerm", "B0", "B1", "ToUInt", "typenum::"] {
                assert!(!text.contains(internal), "{path} shows `{internal}`");
            }
        }
    }
}

/// Every mistake has a corrected twin that compiles, and the catalogue lists every case.
#[test]
fn every_mistake_has_a_twin_and_a_line_in_the_catalogue() {
    let catalogue = fs::read_to_string("tests/ui/README.md").unwrap();
    let mut total = 0;
    for dir in ["tests/ui/fail", "tests/ui/build_fail", "tests/ui/inference"] {
        for name in cases_in(dir) {
            total += 1;
            let twin = format!("tests/ui/pass/{name}.rs");
            assert!(
                Path::new(&twin).exists(),
                "{dir}/{name}.rs has no twin {twin}"
            );
            assert!(
                catalogue.contains(&format!("`{name}`")),
                "{name} is not in tests/ui/README.md"
            );
        }
    }
    assert!(total >= 25, "only {total} compile-fail cases");
}

/// A batch size left to inference is reported where the trainer is declared, or at the call
/// that needs it: every error points at one of those two lines and says that a type must be
/// annotated, and there are no more than the rules that need the batch size (two per `Linear`
/// layer and one for the trainer's buffers: three for one layer, five for two).
#[test]
fn an_unnamed_batch_size_is_reported_at_the_trainer() {
    for (name, layers) in [
        ("epoch_without_batch_size", 1),
        ("fit_without_batch_size", 2),
    ] {
        let source = fs::read_to_string(format!("tests/ui/inference/{name}.rs")).unwrap();
        let line_of = |needle: &str| {
            1 + source
                .lines()
                .position(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("{name}.rs has no `{needle}`"))
        };
        let declared = format!("tests/ui/inference/{name}.rs:{}:", line_of("Trainer::new("));
        let called = format!("tests/ui/inference/{name}.rs:{}:", line_of("trainer."));
        let path = format!("tests/ui/inference/{name}.stderr");
        let text = fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} is missing"));
        let errors = text.lines().filter(|l| l.starts_with("error[")).count();
        assert_eq!(errors, 2 * layers + 1, "{path}: {errors} errors");
        for block in text.split("\nerror") {
            let at = block
                .lines()
                .find(|l| l.trim_start().starts_with("-->"))
                .unwrap();
            assert!(
                at.contains(&declared) || at.contains(&called),
                "{path}: an error at {at}"
            );
            assert!(block.contains("type annotations needed"), "{path}: {block}");
        }
        let at_declaration = text.matches(&declared).count();
        assert!(
            at_declaration >= errors - 1,
            "{path}: {at_declaration} at the trainer"
        );
    }
}
