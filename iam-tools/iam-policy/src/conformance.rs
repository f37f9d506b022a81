//! Conformance runner: evaluates a directory of case files (the `policy-cases` format:
//! one JSON case per file, with policies, a request and the expected decision) and
//! reports agreement per category.
//!
//! Runner contract: the request context is used as given (no keys derived from the
//! principal), context keys match case-insensitively, arrays are multivalued keys; the
//! account of `principal_arn` against `resource_account` decides same- vs cross-account;
//! `"*"` as the resource is the real resource for wildcard-only actions and "no specific
//! resource" otherwise. Cases marked `"status": "disputed"` are scored separately.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::{Context, EvaluationInput, NamedPolicy, Policy, PolicySourceType, Request, evaluate};

/// One case whose expected decision differs from ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    pub id: String,
    pub category: String,
    pub expected: String,
    pub got: String,
    pub disputed: bool,
}

/// Totals of a conformance run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConformanceSummary {
    /// Non-disputed cases that agree / disagree.
    pub passed: usize,
    pub failed: usize,
    /// Disputed cases that agree / disagree.
    pub disputed_passed: usize,
    pub disputed_failed: usize,
    /// category -> (passed, total), non-disputed cases.
    pub categories: BTreeMap<String, (usize, usize)>,
    pub disagreements: Vec<Disagreement>,
    /// Files that could not be read as cases (counted as failed).
    pub unreadable: Vec<(String, String)>,
}

/// A case file, read into engine inputs.
struct Case {
    id: String,
    category: String,
    disputed: bool,
    expected: String,
    input: EvaluationInput,
    request: Request,
}

fn named(doc: &Value, id: String, source_type: PolicySourceType) -> NamedPolicy {
    // Cases deliberately contain invalid parts (unknown operators, truncated ARNs):
    // evaluate what can be evaluated, as AWS's evaluation does for stored policies.
    let (policy, _problems) = Policy::parse_lenient(doc);
    NamedPolicy::new(id, source_type, policy)
}

fn levels(
    v: Option<&Value>,
    prefix: &str,
    source_type: PolicySourceType,
) -> Option<Vec<Vec<NamedPolicy>>> {
    let Value::Array(levels) = v? else {
        return None;
    };
    Some(
        levels
            .iter()
            .enumerate()
            .map(|(l, level)| match level {
                Value::Array(policies) => policies
                    .iter()
                    .enumerate()
                    .map(|(i, p)| named(p, format!("{prefix}-{l}-{i}"), source_type))
                    .collect(),
                _ => Vec::new(),
            })
            .collect(),
    )
}

fn string_field<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn read_case(doc: &Value) -> Result<Case, String> {
    let id = string_field(doc, "id").ok_or("missing \"id\"")?.to_owned();
    let category = string_field(doc, "category")
        .unwrap_or("uncategorized")
        .to_owned();
    let expected = string_field(doc, "expected")
        .ok_or("missing \"expected\"")?
        .to_owned();
    let disputed = string_field(doc, "status") == Some("disputed");
    let req = doc.get("request").ok_or("missing \"request\"")?;
    let action = string_field(req, "action").ok_or("missing request.action")?;
    let resource = string_field(req, "resource").ok_or("missing request.resource")?;
    // A case's `wildcard_only_action` hint is not read: the engine knows which actions take
    // no resource from the service catalog, as it must on the tool path.
    let mut request = Request::new(action, resource);
    request = match string_field(req, "principal_arn") {
        Some(p) => request.principal(p),
        None => request.anonymous(),
    };
    if let Some(a) = string_field(req, "resource_account") {
        request = request.resource_account(a);
    }
    let mut context = Context::default();
    if let Some(Value::Object(map)) = req.get("context") {
        for (key, value) in map {
            let values = match value {
                Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
                other => scalar_text(other).into_iter().collect(),
            };
            context.insert(key.clone(), values);
        }
    }
    request = request.with_context(context);

    let single = |key: &str, id: &str, t: PolicySourceType| match doc.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => Some(named(v, id.to_owned(), t)),
    };
    let identity_policies = match doc.get("identity_policies") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, p)| named(p, format!("identity-{i}"), PolicySourceType::None))
            .collect(),
        _ => Vec::new(),
    };
    let input = EvaluationInput {
        identity_policies,
        permissions_boundary: single(
            "permissions_boundary",
            "permissions-boundary",
            PolicySourceType::PermissionsBoundary,
        ),
        session_policy: single(
            "session_policy",
            "session-policy",
            PolicySourceType::Session,
        ),
        resource_policy: single(
            "resource_policy",
            "resource-policy",
            PolicySourceType::Resource,
        ),
        scp_levels: levels(doc.get("scps"), "scp", PolicySourceType::Scp),
        rcp_levels: levels(doc.get("rcps"), "rcp", PolicySourceType::Rcp),
    };
    Ok(Case {
        id,
        category,
        disputed,
        expected,
        input,
        request,
    })
}

/// Evaluates every `*.json` case in `dir` and writes the report to `out`: agreement per
/// category, each disagreement, the disputed cases apart, and a last line
/// `N passed, N failed` (non-disputed cases). Fails only if `dir` cannot be listed.
pub fn run_dir(dir: &Path, out: &mut dyn Write) -> io::Result<ConformanceSummary> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut summary = ConformanceSummary::default();
    let mut disputed_categories: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let case = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()))
            .and_then(|doc| read_case(&doc));
        let case = match case {
            Ok(c) => c,
            Err(e) => {
                summary.failed += 1;
                summary.unreadable.push((name, e));
                continue;
            }
        };
        let got = evaluate(&case.input, &case.request).decision.as_str();
        let ok = got == case.expected;
        let tally = if case.disputed {
            if ok {
                summary.disputed_passed += 1
            } else {
                summary.disputed_failed += 1
            }
            disputed_categories
                .entry(case.category.clone())
                .or_default()
        } else {
            if ok {
                summary.passed += 1
            } else {
                summary.failed += 1
            }
            summary.categories.entry(case.category.clone()).or_default()
        };
        tally.1 += 1;
        if ok {
            tally.0 += 1;
        } else {
            summary.disagreements.push(Disagreement {
                id: case.id,
                category: case.category,
                expected: case.expected,
                got: got.to_owned(),
                disputed: case.disputed,
            });
        }
    }

    writeln!(out, "agreement per category (non-disputed cases):")?;
    for (category, (passed, total)) in &summary.categories {
        writeln!(out, "  {category}: {passed}/{total}")?;
    }
    let undisputed: Vec<_> = summary
        .disagreements
        .iter()
        .filter(|d| !d.disputed)
        .collect();
    writeln!(
        out,
        "disagreements ({}):",
        undisputed.len() + summary.unreadable.len()
    )?;
    for d in &undisputed {
        writeln!(out, "  {}: expected {}, got {}", d.id, d.expected, d.got)?;
    }
    for (name, error) in &summary.unreadable {
        writeln!(out, "  {name}: unreadable case: {error}")?;
    }
    writeln!(
        out,
        "disputed cases: {}/{} agree",
        summary.disputed_passed,
        summary.disputed_passed + summary.disputed_failed
    )?;
    for d in summary.disagreements.iter().filter(|d| d.disputed) {
        writeln!(out, "  {}: expected {}, got {}", d.id, d.expected, d.got)?;
    }
    writeln!(out, "{} passed, {} failed", summary.passed, summary.failed)?;
    Ok(summary)
}
