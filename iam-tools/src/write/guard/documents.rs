//! The document rules (`broad_allow`, `public_trust`) over the linted policy documents of a
//! call: which findings of the lint each rule in force refuses.

use super::common::*;
use crate::catalog::{GuardrailSpec, Rule};
use crate::context::{Guardrails, ToolContext};
use crate::error::ToolError;
use crate::policy::PolicyProblem;
use crate::policy::lint::Lint;

/// What the document rules in force refuse in one linted document of `kind` (`identity`
/// or `trust`): each finding with its guardrail. The catalog says which rule checks which
/// kind.
pub fn document_findings<'l>(
    catalog: &crate::context::Catalog,
    guardrails: &Guardrails,
    kind: &str,
    lint: &'l Lint,
) -> Vec<(&'static GuardrailSpec, &'l PolicyProblem)> {
    let mut found = Vec::new();
    for spec in catalog
        .guardrails
        .iter()
        .filter(|g| g.documents == Some(kind) && guardrails.is_on(g.rule))
    {
        let list = match spec.rule {
            Rule::BroadAllow => &lint.broad_allow,
            Rule::PublicTrust => &lint.public_trust,
            _ => continue,
        };
        found.extend(list.iter().map(|p| (spec, p)));
    }
    found
}

/// The document rules over the call's linted policy documents (param, kind, lint).
pub fn check_documents(ctx: &ToolContext, linted: &[(&str, &str, Lint)]) -> Result<(), ToolError> {
    let found: Vec<(&GuardrailSpec, String)> = linted
        .iter()
        .flat_map(|(param, kind, lint)| {
            document_findings(ctx.catalog, &ctx.shared.guardrails, kind, lint)
                .into_iter()
                .map(move |(spec, p)| (spec, format!("{param}: {p}")))
        })
        .collect();
    let Some(&(spec, _)) = found.first() else {
        return Ok(());
    };
    let what: Vec<String> = found
        .into_iter()
        .filter(|(g, _)| g.rule == spec.rule)
        .map(|(_, text)| text)
        .collect();
    let instead = match spec.rule {
        Rule::BroadAllow => {
            "Name the actions the principal needs (e.g. s3:GetObject) or the resources (ARNs) it needs them on."
        }
        _ => {
            "Name who may assume the role: an account (\"AWS\": \"arn:aws:iam::123456789012:root\"), a role, or a service (\"Service\": \"lambda.amazonaws.com\")."
        }
    };
    Err(refused(ctx, spec, what.join("; "), instead))
}
