//! Compile-fail tests of `generate_tools!`: one manifest fault per file in `tests/ui/`,
//! each with the compiler output it must produce. Refresh the expected output with
//! `TRYBUILD=overwrite cargo test -p iam-tools-macros --test ui`, then read the diff.
//!
//! There are no pass cases here: generated code needs the `iam-tools` runtime, which this
//! crate does not depend on. Valid manifests are covered by the main crate's build and by
//! the expansion snapshots in `src/expand.rs` (the real manifest, a fixture, and the worked
//! example of adding a tool in `tests/examples/`).

#[test]
fn manifest_faults() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
