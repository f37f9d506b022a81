//! The write path: every write tool's call goes through it. The plan (force-delete cleanup
//! steps, then the tool's own operation), the guardrails, the human's consent, then the
//! steps one by one with progress, cancellation and an exact account of what ran.

mod consent;
pub mod guard;
mod plan;
mod run;

pub use plan::{PlanStep, describe};
pub use run::{Write, WriteRequest, dry_run_message, message};
