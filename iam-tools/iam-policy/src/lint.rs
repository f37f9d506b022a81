//! Policy lint: the validator's findings on a document about to be written, split as the
//! write path uses them. Errors stop a write before AWS sees it; warnings are shown to the
//! human with the consent question and go back with the result.

use super::document::PolicyProblem;
use serde::Serialize;
use serde_json::Value;

pub use super::validate::{Finding, FindingType, PolicyKind};

/// The findings on one document, split as the write path uses them.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Lint {
    /// Every finding of [`validate`](super::validate::validate), in document order.
    pub findings: Vec<Finding>,
    /// The ERROR findings: IAM (or this server) would refuse the document.
    pub errors: Vec<PolicyProblem>,
    /// SECURITY_WARNING and WARNING findings: shown to the human before a write.
    pub warnings: Vec<PolicyProblem>,
    /// What the `broad_allow` guardrail refuses: statements that allow every action of a
    /// service on every resource, or a privilege escalation on any resource (by effect).
    #[serde(skip)]
    pub broad_allow: Vec<PolicyProblem>,
    /// What the `public_trust` guardrail refuses: statements that let any account, anyone,
    /// any service or any federated identity assume the role (by effect).
    #[serde(skip)]
    pub public_trust: Vec<PolicyProblem>,
}

/// Lints `doc`, a JSON policy document (an object, or a string holding one).
pub fn lint(doc: &Value, kind: PolicyKind) -> Lint {
    let findings = super::validate::validate(doc, kind);
    let problem = |f: &Finding| PolicyProblem {
        path: f.path.clone(),
        message: format!("{} [{}]", f.message, f.issue_code),
    };
    // A trust policy open to everyone is the public_trust guardrail's to refuse (and its flag's
    // to allow; IAM has the last word): the lint shows it without blocking the write.
    let guardrail_decides = |f: &Finding| {
        kind == PolicyKind::Trust
            && matches!(
                f.issue_code,
                "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL"
                    | "UNSUPPORTED_WILDCARD_IN_PRINCIPAL"
                    | "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL"
            )
    };
    let errors = findings
        .iter()
        .filter(|f| f.finding_type == FindingType::Error && !guardrail_decides(f))
        .map(problem)
        .collect();
    let warnings = findings
        .iter()
        .filter(|f| {
            matches!(
                f.finding_type,
                FindingType::SecurityWarning | FindingType::Warning
            ) || guardrail_decides(f)
        })
        .map(problem)
        .collect();
    let mut out = Lint {
        findings,
        errors,
        warnings,
        ..Lint::default()
    };
    // What the guardrails refuse, decided by what the document grants, not how it is spelt.
    if let Ok(doc) = super::document_value(doc) {
        match kind {
            PolicyKind::Identity => out.broad_allow = super::effect::broad_grants(&doc),
            PolicyKind::Trust => out.public_trust = super::effect::open_trust(&doc),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(l: &[PolicyProblem]) -> Vec<String> {
        l.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_clean_policy_has_no_findings() {
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]});
        assert_eq!(lint(&doc, PolicyKind::Identity), Lint::default());
        let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        assert_eq!(lint(&trust, PolicyKind::Trust), Lint::default());
    }

    #[test]
    fn errors_name_the_place() {
        let doc = json!({"Statement": [{"Effect": "Alow", "Action": "s3GetObject", "NotAction": "x:y", "Resource": "bucket"}]});
        let l = lint(&doc, PolicyKind::Identity);
        let e = messages(&l.errors);
        let w = messages(&l.warnings);
        assert!(
            e.iter().any(|m| m.starts_with("Version: Add \"Version\"")),
            "{w:?}"
        );
        assert!(
            e.iter().any(|m| m.starts_with("Statement[0].Effect")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|m| m.contains("Action and NotAction")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|m| m.contains("\"bucket\" is not an ARN")),
            "{e:?}"
        );
        let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]});
        let e = messages(&lint(&trust, PolicyKind::Trust).errors);
        assert!(
            e.iter().any(|m| m.contains("needs a Principal"))
                && e.iter().any(|m| m.contains("no meaning in a trust policy")),
            "{e:?}"
        );
        assert_eq!(
            messages(&lint(&json!("{nope"), PolicyKind::Identity).errors).len(),
            1
        );
    }

    #[test]
    fn warnings_for_wide_grants() {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"}
        ]});
        let l = lint(&doc, PolicyKind::Identity);
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let w = messages(&l.warnings);
        assert!(
            w.iter()
                .any(|m| m.starts_with("Statement[0].Action: \"*\" allows every action")),
            "{w:?}"
        );
        assert!(
            w.iter().any(|m| m.starts_with("Statement[1].NotAction")),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|m| m.starts_with("Statement[2].Resource: iam:PassRole")),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|m| m.starts_with("Statement[3].Action: \"s3:*\"")),
            "{w:?}"
        );
    }
}
