//! Local AWS IAM policy evaluation: parse policy documents, evaluate requests the way
//! AWS does (IAM User Guide, "Policy evaluation logic"), and explain every decision.
//!
//! This crate depends on no AWS SDK type and on nothing else of iam-mcp-server (the build
//! enforces it: it is a crate of its own): it works offline, on policies gathered from any
//! source.
//!
//! ```
//! use iam_policy::{evaluate, Decision, EvaluationInput, NamedPolicy, Policy, PolicySourceType, Request};
//!
//! let doc = serde_json::json!({
//!     "Version": "2012-10-17",
//!     "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
//!                    "Resource": "arn:aws:s3:::my-app-bucket/*"}]
//! });
//! let policy = Policy::parse(&doc).expect("valid policy");
//! let input = EvaluationInput {
//!     identity_policies: vec![NamedPolicy::new("S3Read", PolicySourceType::UserManaged, policy)],
//!     ..Default::default()
//! };
//! let request = Request::new("s3:GetObject", "arn:aws:s3:::my-app-bucket/a.txt")
//!     .principal("arn:aws:iam::123456789012:role/EC2-S3-Access-Role")
//!     .resource_account("123456789012");
//! let result = evaluate(&input, &request);
//! assert_eq!(result.decision, Decision::Allowed);
//! assert_eq!(result.matched_statements[0].sid, Some("Read"));
//! ```

pub mod account;
pub mod catalog;
mod condition;
pub mod conformance;
mod document;
pub mod effect;
mod evaluate;
pub mod lint;
mod matching;
mod positions;
mod request;
pub mod validate;
mod variables;

#[cfg(test)]
mod tests;

pub use condition::ConditionFailure;

pub use document::{Effect, Policy, PolicyProblem, Statement};
pub use evaluate::{
    BoundaryDecision, Decision, Evaluation, EvaluationInput, Explanation, MatchedStatement,
    NamedPolicy, PolicyRole, PolicySourceType, Reason, ResourceNote, StatementOutcome,
    StatementTrace, evaluate,
};
pub use matching::PrincipalGrant;
pub use positions::Position;
pub use request::{Context, Request};

/// A policy document as given to a tool, a JSON object or a string holding one, as JSON.
pub fn document_value(
    doc: &serde_json::Value,
) -> Result<std::borrow::Cow<'_, serde_json::Value>, serde_json::Error> {
    match doc {
        serde_json::Value::String(text) => serde_json::from_str(text).map(std::borrow::Cow::Owned),
        other => Ok(std::borrow::Cow::Borrowed(other)),
    }
}
