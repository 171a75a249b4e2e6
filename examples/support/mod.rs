//! What every example shares: a `main` that prints an error's message (its `Display`), not
//! the `Debug` form that returning a `Result` from `main` would print.

use std::error::Error;
use std::process::ExitCode;

/// Success for `Ok`; for an error, its message on standard error and a failing exit code.
pub fn exit(result: Result<(), Box<dyn Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
