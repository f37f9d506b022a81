//! What a policy document grants, decided by evaluating it: the guardrails ask whether a
//! document gives admin-equivalent or service-wide access, or opens a trust policy to
//! anyone, whatever its spelling (`"iam:**"`, `"arn:*:*:*:*:*"`, NotAction, NotResource,
//! NotPrincipal, wildcards in principal ARNs, letter case, conditions).
//!
//! Each question is a set of probe requests that no narrow grant can match: an action name
//! no service has (`iam:ZzProbeAnyAction`), a resource no policy names
//! (`arn:aws:iam::ACCOUNT:user/zz-probe`), a principal of an account nobody trusts. A
//! document that allows a probe allows every action, resource or principal of its kind.
//! Conditions are read as satisfiable: an Allow's condition is taken to hold and a Deny with
//! a condition is taken not to apply, since the guardrail cannot know the requests to come.

use super::document::{Policy, PolicyProblem};
use super::evaluate::{Decision, EvaluationInput, NamedPolicy, PolicySourceType, evaluate};
use super::request::Request;
use serde_json::{Map, Value};

/// A placeholder account for probes when the document names none.
const PROBE_ACCOUNT: &str = "123456789012";
/// An account no policy of this account trusts: the probe caller from outside.
const STRANGER_ACCOUNT: &str = "999988887777";
/// A name no policy lists.
const PROBE_NAME: &str = "zz-probe-7f3a";
/// An action name no service has.
const PROBE_ACTION: &str = "ZzProbeAnyAction";
/// A service prefix AWS does not have.
const PROBE_SERVICE: &str = "zzprobeservice";

/// Services whose every action is probed whatever the document names (besides the ones it
/// names): the ones that hand out control of the account.
const PROBED_SERVICES: [&str; 8] = [
    "iam",
    "sts",
    "organizations",
    "s3",
    "ec2",
    "kms",
    "lambda",
    "secretsmanager",
];

/// One-step privilege escalations (PMapper's and Rhino's lists): an identity allowed one of
/// these on any resource of its kind can give itself, or become, any principal's access.
const ESCALATIONS: [(&str, &str, &str); 17] = [
    (
        "iam:PutUserPolicy",
        "user",
        "write an inline policy granting anything on any user, itself included",
    ),
    (
        "iam:PutGroupPolicy",
        "group",
        "write an inline policy granting anything on any group",
    ),
    (
        "iam:PutRolePolicy",
        "role",
        "write an inline policy granting anything on any role",
    ),
    (
        "iam:AttachUserPolicy",
        "user",
        "attach any policy (AdministratorAccess included) to any user",
    ),
    (
        "iam:AttachGroupPolicy",
        "group",
        "attach any policy to any group",
    ),
    (
        "iam:AttachRolePolicy",
        "role",
        "attach any policy to any role",
    ),
    (
        "iam:CreatePolicyVersion",
        "policy",
        "rewrite any managed policy, the ones attached to itself included",
    ),
    (
        "iam:SetDefaultPolicyVersion",
        "policy",
        "switch any managed policy to another of its versions",
    ),
    (
        "iam:AddUserToGroup",
        "group",
        "join any group, the most privileged included",
    ),
    (
        "iam:CreateAccessKey",
        "user",
        "make access keys for any user and act as them",
    ),
    (
        "iam:CreateLoginProfile",
        "user",
        "set a console password for any user without one and sign in as them",
    ),
    (
        "iam:UpdateLoginProfile",
        "user",
        "change any user's console password and sign in as them",
    ),
    (
        "iam:UpdateAssumeRolePolicy",
        "role",
        "let itself assume any role by rewriting its trust policy",
    ),
    (
        "iam:DeleteUserPermissionsBoundary",
        "user",
        "lift the permissions boundary of any user",
    ),
    (
        "iam:DeleteRolePermissionsBoundary",
        "role",
        "lift the permissions boundary of any role",
    ),
    (
        "iam:PassRole",
        "role",
        "hand any role, admin roles included, to a service it controls",
    ),
    (
        "sts:AssumeRole",
        "role",
        "assume any role that trusts the account",
    ),
];

/// The callers a trust policy is probed with, each trying every way of assuming a role.
const TRUST_PROBES: [Probe; 7] = [
    Probe::Stranger,
    Probe::StrangerRole,
    Probe::Anonymous,
    Probe::Service,
    Probe::WebIdentity,
    Probe::Saml,
    Probe::CanonicalUser,
];

/// The ways of assuming a role.
const ASSUME_ACTIONS: [&str; 3] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
];

#[derive(Clone, Copy, Debug)]
enum Probe {
    Stranger,
    StrangerRole,
    Anonymous,
    Service,
    WebIdentity,
    Saml,
    CanonicalUser,
}

impl Probe {
    /// The probe caller and the Principal key that names its kind.
    fn caller(self) -> (Option<String>, &'static str) {
        match self {
            Probe::Stranger => (Some(format!("arn:aws:iam::{STRANGER_ACCOUNT}:root")), "AWS"),
            Probe::StrangerRole => (
                Some(format!("arn:aws:iam::{STRANGER_ACCOUNT}:role/{PROBE_NAME}")),
                "AWS",
            ),
            Probe::Anonymous => (None, "AWS"),
            Probe::Service => (Some(format!("{PROBE_NAME}.amazonaws.com")), "Service"),
            Probe::WebIdentity => (Some(format!("{PROBE_NAME}.example.com")), "Federated"),
            Probe::Saml => (
                Some(format!(
                    "arn:aws:iam::{STRANGER_ACCOUNT}:saml-provider/{PROBE_NAME}"
                )),
                "Federated",
            ),
            Probe::CanonicalUser => (
                Some(format!("{PROBE_NAME}-canonical-user")),
                "CanonicalUser",
            ),
        }
    }

    fn who(self) -> &'static str {
        match self {
            Probe::Stranger | Probe::StrangerRole => "any AWS account",
            Probe::Anonymous => "anyone, unauthenticated callers included",
            Probe::Service => "any AWS service",
            Probe::WebIdentity => "any web identity provider's users",
            Probe::Saml => "any SAML provider's users",
            Probe::CanonicalUser => "any canonical user (any AWS account)",
        }
    }
}

/// Statements (by path) of an identity policy that allow every action of a service on
/// every resource, or a one-step privilege escalation on any resource of its kind.
pub fn broad_grants(doc: &Value) -> Vec<PolicyProblem> {
    grants(std::slice::from_ref(doc), None)
        .into_iter()
        .map(|(_, path, message)| PolicyProblem { path, message })
        .collect()
}

/// What a principal whose identity policies are `identity`, capped by `boundary` when it
/// has one, could do that `broad_grants` would refuse, in a phrase; None when nothing.
pub fn broad_grant_of(identity: &[Value], boundary: Option<&Value>) -> Option<String> {
    grants(identity, boundary)
        .into_iter()
        .next()
        .map(|(doc, path, message)| {
            format!(
                "{message} (policy {} of {}, {path})",
                doc + 1,
                identity.len()
            )
        })
}

/// (document index, statement path, what it allows) for each statement of `identity` that
/// allows a probe, with `boundary` capping them.
fn grants(identity: &[Value], boundary: Option<&Value>) -> Vec<(usize, String, String)> {
    let mut paths = Vec::new();
    let mut policies = Vec::new();
    for (i, doc) in identity.iter().enumerate() {
        if let Some((p, policy)) = permissive(doc) {
            paths.push(p);
            policies.push(NamedPolicy::new(
                i.to_string(),
                PolicySourceType::None,
                policy,
            ));
        } else {
            paths.push(Vec::new());
        }
    }
    if policies.is_empty() {
        return Vec::new();
    }
    let boundary = match boundary {
        Some(doc) => match permissive(doc) {
            Some((_, policy)) => Some(NamedPolicy::new(
                "boundary",
                PolicySourceType::PermissionsBoundary,
                policy,
            )),
            // A boundary that is no policy allows nothing.
            None => return Vec::new(),
        },
        None => None,
    };
    let mut accounts: Vec<String> = Vec::new();
    for account in identity.iter().flat_map(accounts_named) {
        if account != PROBE_ACCOUNT && !accounts.contains(&account) {
            accounts.push(account);
        }
    }
    accounts.push(PROBE_ACCOUNT.to_string());
    let input = EvaluationInput {
        identity_policies: policies,
        permissions_boundary: boundary,
        ..Default::default()
    };
    let mut found: Vec<(usize, String, String)> = Vec::new();
    let mut note = |m: &super::evaluate::MatchedStatement<'_>, message: String| {
        let Ok(doc) = m.source_policy_id.parse::<usize>() else {
            return;
        };
        let path = paths
            .get(doc)
            .and_then(|p| p.get(m.statement_index))
            .cloned()
            .unwrap_or_else(|| "Statement".into());
        if !found.iter().any(|(d, p, _)| *d == doc && *p == path) {
            found.push((doc, path, message));
        }
    };
    let mut services: Vec<String> = PROBED_SERVICES.iter().map(|s| s.to_string()).collect();
    services.extend(identity.iter().flat_map(services_named));
    services.sort();
    services.dedup();
    // A service no one has first: a statement that allows its actions allows every service's.
    services.insert(0, PROBE_SERVICE.to_string());
    for service in &services {
        let action = format!("{service}:{PROBE_ACTION}");
        for resource in probe_resources(service, &accounts) {
            let request = Request::new(action.as_str(), resource.as_str())
                .resource_account(accounts[0].as_str());
            let result = evaluate(&input, &request);
            if result.decision == Decision::Allowed {
                let what = if service == PROBE_SERVICE {
                    "every action of every service".to_string()
                } else {
                    format!("every action of {service}")
                };
                for m in &result.matched_statements {
                    note(m, format!("allows {what} on every resource"));
                }
                break;
            }
        }
    }
    for (action, kind, why) in ESCALATIONS {
        let (service, _) = action.split_once(':').unwrap_or_default();
        for account in &accounts {
            let resource = format!(
                "arn:aws:{}::{account}:{kind}/{PROBE_NAME}",
                if service == "sts" { "iam" } else { service }
            );
            let caller = format!("arn:aws:iam::{account}:user/{PROBE_NAME}");
            let request = Request::new(action, resource.as_str())
                .principal(caller.as_str())
                .resource_account(account.as_str());
            // A role's trust policy must allow AssumeRole too: one that trusts the account
            // leaves the decision to the identity policies under test.
            let trusting;
            let input = if action == "sts:AssumeRole" {
                let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "sts:AssumeRole"}]});
                trusting = EvaluationInput {
                    resource_policy: Policy::parse(&trust)
                        .ok()
                        .map(|p| NamedPolicy::new("trust", PolicySourceType::Resource, p)),
                    ..input.clone()
                };
                &trusting
            } else {
                &input
            };
            let result = evaluate(input, &request);
            if result.decision == Decision::Allowed {
                for m in result.matched_statements.iter().filter(|m| {
                    !matches!(
                        m.source_policy_type,
                        PolicySourceType::Resource | PolicySourceType::PermissionsBoundary
                    )
                }) {
                    note(
                        m,
                        format!(
                            "allows {action} on any {kind}: a principal with it can {why}, so it is as good as administrator access"
                        ),
                    );
                }
                break;
            }
        }
    }
    found
}

/// Statements (by path) of a trust policy that let any account, anyone, any service or any
/// federated identity assume the role.
pub fn open_trust(doc: &Value) -> Vec<PolicyProblem> {
    let mut found: Vec<PolicyProblem> = Vec::new();
    for (probe, action) in TRUST_PROBES
        .into_iter()
        .flat_map(|p| ASSUME_ACTIONS.map(|a| (p, a)))
    {
        let (caller, key) = probe.caller();
        // Principal values with wildcards are read as the globs they look like.
        let globbed = match &caller {
            Some(caller) => with_globs_resolved(doc, key, caller),
            None => doc.clone(),
        };
        let Some((paths, policy)) = permissive(&globbed) else {
            return Vec::new();
        };
        let role = format!("arn:aws:iam::{PROBE_ACCOUNT}:role/{PROBE_NAME}");
        // The stranger may do anything in its own account: only the trust policy decides.
        let anything = Policy::parse(&serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})).ok();
        let input = EvaluationInput {
            identity_policies: anything
                .into_iter()
                .map(|p| NamedPolicy::new("caller", PolicySourceType::None, p))
                .collect(),
            resource_policy: Some(NamedPolicy::new(
                "trust policy",
                PolicySourceType::Resource,
                policy,
            )),
            ..Default::default()
        };
        let mut request = Request::new(action, role.as_str()).resource_account(PROBE_ACCOUNT);
        request = match &caller {
            Some(arn) => request.principal(arn.as_str()),
            None => request.anonymous(),
        };
        let result = evaluate(&input, &request);
        if result.decision != Decision::Allowed {
            continue;
        }
        for m in result
            .matched_statements
            .iter()
            .filter(|m| m.source_policy_type == PolicySourceType::Resource)
        {
            let path = paths
                .get(m.statement_index)
                .cloned()
                .unwrap_or_else(|| "Statement".into());
            let path = format!("{path}.Principal");
            if !found.iter().any(|p| p.path == path) {
                found.push(PolicyProblem {
                    path,
                    message: format!("lets {} assume the role ({action})", probe.who()),
                });
            }
        }
    }
    found
}

/// The document with Allow conditions dropped and conditional Denies removed (the most
/// permissive reading), parsed, with each statement's path; None when it is not a policy.
fn permissive(doc: &Value) -> Option<(Vec<String>, Policy)> {
    let doc = super::document_value(doc).ok()?;
    let Value::Object(map) = doc.as_ref() else {
        return None;
    };
    let (statements, single) = match map.get("Statement") {
        Some(Value::Array(list)) => (list.clone(), false),
        Some(one @ Value::Object(_)) => (vec![one.clone()], true),
        _ => return None,
    };
    let mut paths = Vec::new();
    let mut kept = Vec::new();
    for (i, statement) in statements.into_iter().enumerate() {
        let Value::Object(mut s) = statement else {
            continue;
        };
        let conditional = s
            .get("Condition")
            .is_some_and(|c| c.as_object().is_none_or(|c| !c.is_empty()));
        let deny = s
            .get("Effect")
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("Deny"));
        if deny && conditional {
            continue;
        }
        s.remove("Condition");
        paths.push(if single {
            "Statement".to_string()
        } else {
            format!("Statement[{i}]")
        });
        kept.push(Value::Object(s));
    }
    let mut map: Map<String, Value> = map.clone();
    map.insert("Statement".into(), Value::Array(kept));
    let (policy, _) = Policy::parse_lenient(&Value::Object(map));
    Some((paths, policy))
}

/// Every string under Action and NotAction, lower-cased service part.
fn services_named(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for_each_string(doc, &["Action", "NotAction"], &mut |s| {
        if let Some((service, _)) = s.split_once(':')
            && !service.contains(['*', '?'])
            && !service.is_empty()
        {
            out.push(service.to_ascii_lowercase());
        }
    });
    out
}

/// The account ids the document's resources name, then the placeholder.
fn accounts_named(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for_each_string(doc, &["Resource", "NotResource"], &mut |s| {
        if let Some(account) = s.split(':').nth(4)
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && !out.iter().any(|a| a == account)
        {
            out.push(account.to_string());
        }
    });
    out.push(PROBE_ACCOUNT.to_string());
    out
}

/// ARNs of a resource nobody names in `service`, in each form its ARNs take: regional and
/// global, with and without an account.
fn probe_resources(service: &str, accounts: &[String]) -> Vec<String> {
    let mut out = vec![format!("arn:aws:{service}:::{PROBE_NAME}/{PROBE_NAME}")];
    for account in accounts {
        out.push(format!(
            "arn:aws:{service}::{account}:{PROBE_NAME}/{PROBE_NAME}"
        ));
        out.push(format!(
            "arn:aws:{service}:us-east-1:{account}:{PROBE_NAME}/{PROBE_NAME}"
        ));
    }
    out
}

fn for_each_string(doc: &Value, keys: &[&str], f: &mut dyn FnMut(&str)) {
    let Ok(doc) = super::document_value(doc) else {
        return;
    };
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => return,
    };
    for s in statements {
        for key in keys {
            match s.get(*key) {
                Some(Value::String(v)) => f(v),
                Some(Value::Array(items)) => {
                    items.iter().filter_map(Value::as_str).for_each(&mut *f)
                }
                _ => {}
            }
        }
    }
}

/// `doc` with every Principal/NotPrincipal value under `key` that is a glob (a `*` or `?`
/// inside, not `*` alone) and matches `caller` replaced by `caller`; `"*"` as the whole
/// value of `Service`, `Federated` or `CanonicalUser` too (AWS reads only the `AWS` key's
/// `*` as everyone).
fn with_globs_resolved(doc: &Value, key: &str, caller: &str) -> Value {
    let Ok(doc) = super::document_value(doc) else {
        return doc.clone();
    };
    let mut doc = doc.into_owned();
    let resolve = |v: &mut Value| {
        if let Value::String(s) = v
            && (s.contains(['*', '?']) && s != "*" || (s == "*" && key != "AWS"))
            && glob_matches_ci(s, caller)
        {
            *v = Value::String(caller.to_string());
        }
    };
    let statements: Vec<&mut Value> = match doc.get_mut("Statement") {
        Some(Value::Array(list)) => list.iter_mut().collect(),
        Some(one) => vec![one],
        None => return doc,
    };
    for s in statements {
        for element in ["Principal", "NotPrincipal"] {
            let Some(Value::Object(principal)) = s.get_mut(element) else {
                continue;
            };
            for (k, v) in principal.iter_mut() {
                if !k.eq_ignore_ascii_case(key) {
                    continue;
                }
                match v {
                    Value::Array(items) => items.iter_mut().for_each(resolve),
                    other => resolve(other),
                }
            }
        }
    }
    doc
}

/// `*` any run, `?` one character, case-insensitive.
fn glob_matches_ci(glob: &str, text: &str) -> bool {
    fn go(g: &[u8], t: &[u8]) -> bool {
        match (g.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&g[1..], t) || (!t.is_empty() && go(g, &t[1..])),
            (Some(b'?'), Some(_)) => go(&g[1..], &t[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => go(&g[1..], &t[1..]),
            _ => false,
        }
    }
    go(glob.as_bytes(), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(statements: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    #[test]
    fn broad_grants_are_found_whatever_the_spelling() {
        for s in [
            json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "iam:**", "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "iam:?*", "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "IAM:*", "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "*", "Resource": "arn:*:*:*:*:*"}),
            json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::logs/*"}),
            json!({"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "arn:aws:iam::*:user/*"}),
            json!({"Effect": "Allow", "Action": ["s3:GetObject", "iam:Attach*"], "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}),
        ] {
            assert!(
                !broad_grants(&doc(json!([s.clone()]))).is_empty(),
                "not found: {s}"
            );
        }
        // A conditional Deny does not make a broad Allow narrow.
        let d = doc(
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]),
        );
        assert_eq!(broad_grants(&d)[0].path, "Statement[0]");
    }

    #[test]
    fn narrow_grants_pass() {
        for s in [
            json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}),
            json!({"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}),
            json!({"Effect": "Allow", "Action": ["ec2:Describe*", "s3:List*"], "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/app"}),
            json!({"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}),
            json!({"Effect": "Deny", "Action": "*", "Resource": "*"}),
            json!({"Effect": "Allow", "NotAction": "*", "Resource": "*"}),
        ] {
            assert_eq!(
                broad_grants(&doc(json!([s.clone()]))),
                vec![],
                "flagged: {s}"
            );
        }
        // A Deny without condition narrows.
        let d = doc(
            json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "NotAction": ["s3:GetObject"], "Resource": "*"}]),
        );
        assert_eq!(broad_grants(&d), vec![]);
    }

    #[test]
    fn a_boundary_caps_what_policies_grant_together() {
        let admin = doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]));
        let s3 = doc(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]));
        assert!(
            broad_grant_of(&[s3.clone(), admin.clone()], None)
                .is_some_and(|m| m.contains("policy 2 of 2"))
        );
        assert_eq!(
            broad_grant_of(&[s3.clone(), admin.clone()], Some(&s3)),
            None
        );
        assert!(broad_grant_of(std::slice::from_ref(&admin), Some(&admin)).is_some());
        assert_eq!(broad_grant_of(&[s3], None), None);
    }

    #[test]
    fn open_trust_is_found_whatever_the_spelling() {
        let t = |principal: Value| {
            doc(json!([{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]))
        };
        for p in [
            json!("*"),
            json!({"AWS": "*"}),
            json!({"AWS": "arn:aws:iam::*:root"}),
            json!({"AWS": "arn:aws:iam::*:*"}),
            json!({"AWS": "arn:*:iam::*:root"}),
            json!({"Federated": "*"}),
            json!({"Service": "*"}),
            json!({"CanonicalUser": "*"}),
            json!({"AWS": ["arn:aws:iam::111122223333:root", "*"]}),
        ] {
            assert!(!open_trust(&t(p.clone())).is_empty(), "not found: {p}");
        }
        let not = doc(
            json!([{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]),
        );
        assert!(!open_trust(&not).is_empty());
        let web = doc(
            json!([{"Effect": "Allow", "Principal": {"Federated": "*"}, "Action": "sts:AssumeRoleWithWebIdentity"}]),
        );
        assert!(!open_trust(&web).is_empty());
        for p in [
            json!({"Service": "ec2.amazonaws.com"}),
            json!({"AWS": "arn:aws:iam::111122223333:root"}),
            json!({"AWS": "arn:aws:iam::111122223333:role/deployer"}),
            json!({"Federated": "arn:aws:iam::111122223333:saml-provider/corp"}),
        ] {
            assert_eq!(open_trust(&t(p.clone())), vec![], "flagged: {p}");
        }
    }
}
