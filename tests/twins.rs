//! The corrected twin of every compile-fail case (`tests/ui/pass/`) compiles and runs, as
//! part of one crate that uses typed-nn as a user's crate does.
//!
//! Each twin is a program of its own, kept beside the mistake it corrects; here each becomes a
//! module whose `main` runs as a test. One crate for all of them, rather than a build per
//! twin, keeps the suite's time down: the compile-fail cases (`tests/ui.rs`) still need a
//! build each, since each pins its own message.

mod common;

/// A module per twin, and its `main` run as a test on a thread with the stack a program's
/// main thread has on Linux (8 MiB), since some twins build large layers by value.
macro_rules! twins {
    ($($name:ident,)*) => {
        $(
            mod $name {
                include!(concat!("ui/pass/", stringify!($name), ".rs"));

                #[test]
                fn compiles_and_runs() {
                    super::run_as_a_program(main);
                }
            }
        )*

        /// The twins above, by name.
        const TWINS: &[&str] = &[$(stringify!($name)),*];
    };
}

twins! {
    accuracy_miswired,
    accuracy_of_batches,
    adam_f64_learning_rate_for_f32_model,
    backward_miswired,
    batch_of_no_samples,
    batch_of_wrong_width,
    before_last_layer,
    bumps_no_hidden,
    bumps_odd_hidden,
    channel_image_through_flatten,
    channels_of_wrong_size,
    class_index_for_two_outputs_batch,
    custom_layer_without_bookkeeping,
    epoch_without_batch_size,
    f64_data_for_f32_model,
    f64_layer_in_f32_chain,
    f64_learning_rate_for_f32_model,
    f64_sample_to_f32_model,
    first_to_second_layer,
    fit_without_batch_size,
    flat_rows_into_flatten,
    flatten_batch_in_trainer,
    flatten_given_a_vector,
    flatten_of_wrong_size,
    flatten_to_zero_features,
    forward_miswired,
    generator_of_another_rand,
    gradcheck_miswired,
    gradcheck_on_f32_model,
    gradients_of_another_model,
    image_bytes_into_array_of_wrong_length,
    int8_model_miswired,
    large_sizes,
    layer_without_backward,
    linear_without_inputs,
    linear_without_outputs,
    loss_and_target_swapped,
    loss_target_of_wrong_width,
    mean_loss_of_softmax_twice,
    middle_of_four_layers,
    mnist_layer_on_the_stack,
    one_past_the_stack_bound,
    optimizer_of_another_model,
    quantize_softmax,
    relu_before_binary_cross_entropy,
    sample_of_wrong_width,
    save_a_boxed_model,
    scaler_of_wrong_width,
    sigmoid_before_binary_cross_entropy,
    sigmoid_before_softmax_cross_entropy,
    sigmoid_then_relu_before_binary_cross_entropy,
    softmax_before_binary_cross_entropy,
    softmax_before_softmax_cross_entropy,
    softmax_of_one_output,
    softmax_then_identity_before_softmax_cross_entropy,
    train_a_scaler_in_front,
    trainer_epoch_miswired,
    trainer_of_another_model,
    trainer_of_one_sample_for_epoch,
    trainer_step_miswired,
}

fn run_as_a_program(main: fn()) {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(main)
        .unwrap()
        .join()
        .unwrap();
}

/// A twin added to `tests/ui/pass/` is run here too.
#[test]
fn every_twin_is_listed() {
    let on_disk = common::rust_files_in("tests/ui/pass");
    assert_eq!(
        on_disk, TWINS,
        "tests/ui/pass/ and the list in tests/twins.rs differ"
    );
}
