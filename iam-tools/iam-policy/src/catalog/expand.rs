//! What action patterns and policy documents cover, in concrete catalog actions.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Action, Catalog, pattern};

/// One action a pattern list or a document covers.
#[derive(Debug, Clone)]
pub struct Covered<'c> {
    pub action: Action<'c>,
    /// The entries (`s3:Get*`) or statements (`Statement[0]`) that cover it.
    pub by: Vec<String>,
    /// Deny statements that deny it for some resources or under some conditions only.
    pub denied_in_part_by: Vec<String>,
}

/// The actions the patterns cover, in catalog order, and the patterns that cover none.
pub fn patterns<'c>(catalog: &'c Catalog, patterns: &[&str]) -> (Vec<Covered<'c>>, Vec<String>) {
    let mut found: BTreeMap<u32, Covered<'c>> = BTreeMap::new();
    let mut unmatched = Vec::new();
    for p in patterns {
        let mut any = false;
        for action in catalog.expand(p) {
            any = true;
            found
                .entry(action.id())
                .or_insert_with(|| Covered {
                    action,
                    by: Vec::new(),
                    denied_in_part_by: Vec::new(),
                })
                .by
                .push((*p).to_owned());
        }
        if !any {
            unmatched.push((*p).to_owned());
        }
    }
    (found.into_values().collect(), unmatched)
}

fn effect(s: &serde_json::Map<String, Value>) -> Option<&str> {
    s.get("Effect").and_then(Value::as_str)
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The actions a policy document allows: those of its Allow statements (Action, or every
/// action NotAction leaves) that one of the statement's resources can name, less those a
/// Deny statement denies everywhere and always (Resource `*`, no Condition). Actions a
/// Deny statement denies only for some resources or under a condition stay, with that
/// statement in `denied_in_part_by`.
pub fn document<'c>(catalog: &'c Catalog, doc: &Value) -> Vec<Covered<'c>> {
    let statements: Vec<(String, &serde_json::Map<String, Value>)> = match doc.get("Statement") {
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_object().map(|o| (format!("Statement[{i}]"), o)))
            .collect(),
        Some(Value::Object(o)) => vec![("Statement".to_owned(), o)],
        _ => Vec::new(),
    };
    let covers = |s: &serde_json::Map<String, Value>, a: &Action<'_>| -> bool {
        let name = a.full_name();
        match (s.get("Action"), s.get("NotAction")) {
            (Some(list), _) => strings(Some(list))
                .iter()
                .any(|p| pattern::glob_ci(p, &name)),
            (None, Some(list)) => !strings(Some(list))
                .iter()
                .any(|p| pattern::glob_ci(p, &name)),
            _ => false,
        }
    };
    let reaches = |s: &serde_json::Map<String, Value>, a: &Action<'_>| -> bool {
        match (s.get("Resource"), s.get("NotResource")) {
            (Some(list), _) => strings(Some(list)).iter().any(|r| a.resource_can_match(r)),
            (None, Some(_)) => true,
            _ => false,
        }
    };
    let mut found: BTreeMap<u32, Covered<'c>> = BTreeMap::new();
    for (path, s) in statements
        .iter()
        .filter(|(_, s)| effect(s) == Some("Allow"))
    {
        // Expand the Action patterns (or, for NotAction, every action) once per statement.
        let candidates: Vec<Action<'c>> = match s.get("Action") {
            Some(list) => {
                let mut ids = std::collections::BTreeSet::new();
                let mut out = Vec::new();
                for p in strings(Some(list)) {
                    for a in catalog.expand(p) {
                        if ids.insert(a.id()) {
                            out.push(a);
                        }
                    }
                }
                out
            }
            None => catalog.all_actions().filter(|a| covers(s, a)).collect(),
        };
        for a in candidates {
            if reaches(s, &a) {
                found
                    .entry(a.id())
                    .or_insert_with(|| Covered {
                        action: a,
                        by: Vec::new(),
                        denied_in_part_by: Vec::new(),
                    })
                    .by
                    .push(path.clone());
            }
        }
    }
    for (path, s) in statements.iter().filter(|(_, s)| effect(s) == Some("Deny")) {
        let everywhere = strings(s.get("Resource")).contains(&"*")
            && s.get("Condition")
                .is_none_or(|c| c.as_object().is_some_and(|c| c.is_empty()));
        found.retain(|_, c| {
            if !covers(s, &c.action) {
                return true;
            }
            if everywhere {
                return false;
            }
            c.denied_in_part_by.push(path.clone());
            true
        });
    }
    found.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{AccessLevel, catalog};
    use serde_json::json;

    #[test]
    fn patterns_and_documents() {
        let c = catalog();
        let (got, unmatched) = patterns(c, &["s3:Get*", "s3:Gett*", "s3:GetObject"]);
        assert_eq!(unmatched, ["s3:Gett*"]);
        let get = got.iter().find(|a| a.action.name() == "GetObject").unwrap();
        assert_eq!(get.by, ["s3:Get*", "s3:GetObject"]);
        assert!(got.iter().all(|a| a.action.name().starts_with("Get")));

        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["iam:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/admin"}
        ]});
        let allowed = document(c, &doc);
        let names: Vec<String> = allowed.iter().map(|a| a.action.full_name()).collect();
        assert!(names.contains(&"iam:CreatePolicyVersion".to_owned()));
        assert!(
            !names.iter().any(|n| n.starts_with("iam:Delete")),
            "denied everywhere"
        );
        assert!(
            !names.contains(&"s3:ListBucket".to_owned()),
            "an object ARN names no bucket"
        );
        let pass = allowed
            .iter()
            .find(|a| a.action.name() == "PassRole")
            .unwrap();
        assert_eq!(pass.denied_in_part_by, ["Statement[3]"]);
        assert!(
            allowed
                .iter()
                .any(|a| a.action.access_level() == AccessLevel::PermissionsManagement)
        );
        // NotAction: everything but what it lists.
        let not = json!({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}});
        let all_but_iam = document(c, &not);
        assert!(all_but_iam.len() > 20_000);
        assert!(
            all_but_iam
                .iter()
                .all(|a| a.action.service().prefix != "iam")
        );
    }
}
