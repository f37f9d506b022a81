//! Runs the policy engine against a directory of conformance cases.
//!
//! `cargo run -p iam-tools --example conformance -- DIR`
//!
//! Exit code 0 when the cases were run (even with disagreements), 2 when DIR cannot be
//! read or is missing.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: conformance DIR");
        return ExitCode::from(2);
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match iam_tools::policy::conformance::run_dir(&dir, &mut out) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conformance: cannot read {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}
