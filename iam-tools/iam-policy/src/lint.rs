//! Policy lint: what the parser rejects, plus what IAM would reject or an admin would want
//! to hear about, for a document about to be written (identity or trust policy).
//! Errors stop a write before AWS sees it; warnings go back with the result.

use super::document::{Policy, PolicyProblem};
use serde::Serialize;
use serde_json::Value;

/// Which kind of policy a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached to a user, group or role (managed or inline): no Principal.
    Identity,
    /// A role's trust policy: who may assume it.
    Trust,
}

impl PolicyKind {
    /// As the manifest names it.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Trust => "trust",
        }
    }

    pub fn parse(text: &str) -> Option<PolicyKind> {
        match text {
            "identity" => Some(PolicyKind::Identity),
            "trust" => Some(PolicyKind::Trust),
            _ => None,
        }
    }
}

/// The findings on one document.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Lint {
    pub errors: Vec<PolicyProblem>,
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

/// Actions a trust policy may grant.
const TRUST_ACTIONS: [&str; 6] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
];

/// Lints `doc`, a JSON policy document (an object, or a string holding one).
pub fn lint(doc: &Value, kind: PolicyKind) -> Lint {
    let mut out = Lint::default();
    let doc = match super::document_value(doc) {
        Ok(doc) => doc,
        Err(e) => {
            out.errors.push(problem("$", format!("not JSON: {e}")));
            return out;
        }
    };
    let doc = doc.as_ref();
    let Value::Object(map) = doc else {
        out.errors
            .push(problem("$", "a policy document must be a JSON object"));
        return out;
    };
    let (_, problems) = Policy::parse_lenient(doc);
    out.errors.extend(problems);
    if !map.contains_key("Version") {
        out.errors.push(problem("Version", "missing: add \"Version\": \"2012-10-17\" (without it IAM assumes 2008-10-17, where policy variables do not work)"));
    }
    let statements: Vec<(String, &serde_json::Map<String, Value>)> = match map.get("Statement") {
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_object().map(|o| (format!("Statement[{i}]"), o)))
            .collect(),
        Some(Value::Object(o)) => vec![("Statement".to_string(), o)],
        _ => Vec::new(),
    };
    for (path, statement) in statements {
        lint_statement(&path, statement, kind, &mut out);
    }
    // What the guardrails refuse, decided by what the document grants, not how it is spelt.
    match kind {
        PolicyKind::Identity => out.broad_allow = super::effect::broad_grants(doc),
        PolicyKind::Trust => out.public_trust = super::effect::open_trust(doc),
    }
    out
}

fn problem(path: &str, message: impl Into<String>) -> PolicyProblem {
    PolicyProblem {
        path: path.to_string(),
        message: message.into(),
    }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn valid_action(action: &str) -> bool {
    if action == "*" {
        return true;
    }
    let Some((service, name)) = action.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && !name.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '?' || c == '-' || c == '_')
}

fn valid_arn(resource: &str) -> bool {
    resource == "*"
        || (resource.starts_with("arn:")
            && resource.splitn(6, ':').count() == 6
            && resource.split(':').nth(2).is_some_and(|s| !s.is_empty()))
}

fn lint_statement(
    path: &str,
    s: &serde_json::Map<String, Value>,
    kind: PolicyKind,
    out: &mut Lint,
) {
    let allow = s.get("Effect").and_then(Value::as_str) == Some("Allow");
    let (action_key, not_action) = if s.contains_key("NotAction") {
        ("NotAction", true)
    } else {
        ("Action", false)
    };
    let actions = strings(s.get(action_key));
    for a in &actions {
        if !valid_action(a) {
            out.errors.push(problem(&format!("{path}.{action_key}"), format!("{a:?} is not an action: write service:ActionName (e.g. \"s3:GetObject\") or \"*\"")));
        }
    }
    let (resource_key, not_resource) = if s.contains_key("NotResource") {
        ("NotResource", true)
    } else {
        ("Resource", false)
    };
    let resources = strings(s.get(resource_key));
    for r in &resources {
        if !valid_arn(r) {
            out.errors.push(problem(&format!("{path}.{resource_key}"), format!("{r:?} is not an ARN: write arn:partition:service:region:account:resource or \"*\"")));
        }
    }
    let has_principal = s.contains_key("Principal") || s.contains_key("NotPrincipal");
    match kind {
        PolicyKind::Identity => {
            if has_principal {
                out.errors.push(problem(path, "an identity policy has no Principal (that belongs in trust and resource policies): remove it"));
            }
        }
        PolicyKind::Trust => {
            if !has_principal {
                out.errors.push(problem(
                    path,
                    "a trust policy statement needs a Principal: who may assume the role",
                ));
            }
            if s.contains_key("Resource") || s.contains_key("NotResource") {
                out.errors.push(problem(
                    &format!("{path}.{resource_key}"),
                    "a trust policy has no Resource (the role is the resource): remove it",
                ));
            }
            for a in &actions {
                if valid_action(a) && !TRUST_ACTIONS.contains(&a.to_lowercase().as_str()) {
                    out.errors.push(problem(&format!("{path}.{action_key}"), format!("{a:?} has no meaning in a trust policy: use sts:AssumeRole, sts:AssumeRoleWithSAML or sts:AssumeRoleWithWebIdentity (plus sts:TagSession, sts:SetSourceIdentity)")));
                }
            }
            let everyone = match s.get("Principal") {
                Some(Value::String(p)) => p == "*",
                Some(Value::Object(p)) => strings(p.get("AWS")).contains(&"*"),
                _ => false,
            };
            if allow && everyone {
                let guarded = s
                    .get("Condition")
                    .is_some_and(|c| c.as_object().is_some_and(|c| !c.is_empty()));
                let message = if guarded {
                    "Principal \"*\": any AWS account may assume this role when the Condition holds; check that it pins the caller"
                } else {
                    "Principal \"*\" without a Condition: anyone, in any AWS account, may assume this role"
                };
                out.warnings
                    .push(problem(&format!("{path}.Principal"), message));
            }
        }
    }
    if !allow {
        return;
    }
    if not_action {
        out.warnings.push(problem(&format!("{path}.NotAction"), "Allow with NotAction allows every action not listed, including those AWS adds later; list the allowed actions instead"));
    }
    if kind == PolicyKind::Identity {
        for a in &actions {
            if *a == "*" && !not_action {
                out.warnings.push(problem(
                    &format!("{path}.Action"),
                    "\"*\" allows every action of every service",
                ));
            } else if a.ends_with(":*") && !not_action {
                out.warnings.push(problem(
                    &format!("{path}.Action"),
                    format!("{a:?} allows every action of {}", a.trim_end_matches(":*")),
                ));
            }
        }
        let all_resources = resources.contains(&"*") && !not_resource;
        let passes_roles = actions.iter().any(|a| {
            let a = a.to_lowercase();
            a == "*" || a == "iam:*" || a == "iam:passrole" || a == "iam:pass*" || a == "iam:p*"
        });
        if all_resources && passes_roles && !not_action {
            out.warnings.push(problem(&format!("{path}.Resource"), "iam:PassRole on \"*\": the principal can hand any role, admin roles included, to a service it controls; name the roles it may pass"));
        } else if all_resources
            && !not_action
            && !actions.iter().any(|a| *a == "*" || a.ends_with(":*"))
        {
            out.warnings.push(problem(&format!("{path}.Resource"), "\"*\": the actions apply to every resource of their service; name the resources where you can"));
        }
    }
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
        let e = messages(&lint(&doc, PolicyKind::Identity).errors);
        assert!(e.iter().any(|m| m.starts_with("Version: missing")), "{e:?}");
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
