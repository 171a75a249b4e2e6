//! The compile-time promise: a mis-wired model does not compile, and says why in one line;
//! the correctly wired versions do compile. Messages are pinned in `tests/ui/fail/*.stderr`
//! (regenerate on purpose with `TRYBUILD=overwrite cargo test --test ui`).

#[test]
fn shape_errors_are_compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
