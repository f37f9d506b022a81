//! Compile-fail tests of `generate_tools!`: one manifest fault per file in `tests/ui/`,
//! each with the compiler output it must produce. Refresh the expected output with
//! `TRYBUILD=overwrite cargo test -p iam-tools-macros --test ui`, then read the diff.
//!
//! There are no pass cases here: generated code needs the `iam-tools` runtime, which this
//! crate does not depend on. Valid manifests are covered by the main crate's build and by
//! the codegen snapshot in `src/expand.rs`.

#[test]
fn manifest_faults() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
