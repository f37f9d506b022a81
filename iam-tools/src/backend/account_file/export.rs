//! `iam-mcp-server snapshot`: the live account as an account file. Everything
//! GetAccountAuthorizationDetails gives (all pages), plus what it lacks and the other read
//! operations hold: roles' Description and MaxSessionDuration, users' PasswordLastUsed and
//! whether they have a console password (`LoginProfile`, object or null), customer-managed
//! policies' identity and tags; and the time it was taken.

use super::model::SNAPSHOT_TIME_KEY;
use crate::codec::rfc3339;
use crate::error::ToolError;
use aws_smithy_types::DateTime;
use serde_json::{Value, json};
use std::fmt;
use std::future::Future;

/// An operation of the export that failed, and how.
#[derive(Debug)]
pub struct ExportError {
    pub operation: &'static str,
    pub error: ToolError,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation, self.error)
    }
}

impl std::error::Error for ExportError {}

/// The account as an account file's JSON, every operation (name, AWS-shaped input) sent
/// through `call`: the generated dispatcher over the live backend.
pub async fn export<F, Fut>(call: F) -> Result<Value, ExportError>
where
    F: Fn(&'static str, Value) -> Fut,
    Fut: Future<Output = Result<Value, ToolError>>,
{
    let call = &call;
    // Every page of `op`, its list fields appended.
    async fn pages<F, Fut>(
        call: &F,
        op: &'static str,
        input: Value,
        lists: &[&str],
    ) -> Result<serde_json::Map<String, Value>, ExportError>
    where
        F: Fn(&'static str, Value) -> Fut,
        Fut: Future<Output = Result<Value, ToolError>>,
    {
        let mut merged = serde_json::Map::new();
        for l in lists {
            merged.insert(l.to_string(), json!([]));
        }
        let mut input = input;
        loop {
            let page = call(op, input.clone()).await.map_err(|error| ExportError {
                operation: op,
                error,
            })?;
            for l in lists {
                if let (Some(Value::Array(into)), Some(Value::Array(items))) =
                    (merged.get_mut(*l), page.get(*l))
                {
                    into.extend(items.iter().cloned());
                }
            }
            match page
                .get("Marker")
                .and_then(Value::as_str)
                .filter(|_| page["IsTruncated"] == true)
            {
                Some(m) => input["Marker"] = json!(m),
                None => return Ok(merged),
            }
        }
    }
    let lists = [
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ];
    let mut doc = pages(
        call,
        "GetAccountAuthorizationDetails",
        json!({"MaxItems": 1000}),
        &lists,
    )
    .await?;
    // What the export lacks: roles' Description and MaxSessionDuration, users'
    // PasswordLastUsed, customer-managed policies' tags.
    let roles = pages(call, "ListRoles", json!({"MaxItems": 1000}), &["Roles"]).await?;
    let users = pages(call, "ListUsers", json!({"MaxItems": 1000}), &["Users"]).await?;
    let by = |list: &Value, key: &str| -> std::collections::HashMap<String, Value> {
        list.as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| Some((v[key].as_str()?.to_string(), v.clone())))
            .collect()
    };
    let roles = by(&roles["Roles"], "RoleName");
    let users = by(&users["Users"], "UserName");
    if let Some(Value::Array(list)) = doc.get_mut("RoleDetailList") {
        for r in list.iter_mut() {
            if let Some(live) = r["RoleName"].as_str().and_then(|n| roles.get(n)) {
                for k in ["Description", "MaxSessionDuration"] {
                    if let Some(v) = live.get(k) {
                        r[k] = v.clone();
                    }
                }
            }
        }
    }
    if let Some(Value::Array(list)) = doc.get_mut("UserDetailList") {
        for u in list.iter_mut() {
            let name = u["UserName"].as_str().unwrap_or_default().to_string();
            if let Some(v) = users.get(&name).and_then(|l| l.get("PasswordLastUsed")) {
                u["PasswordLastUsed"] = v.clone();
            }
            // Whether the user has a console password (the analysis needs it: a password
            // can be created only where there is none). Not readable: left unknown.
            match call("GetLoginProfile", json!({"UserName": name})).await {
                Ok(v) => u["LoginProfile"] = v["LoginProfile"].clone(),
                Err(e) if e.is_not_found() => u["LoginProfile"] = Value::Null,
                Err(e) => {
                    tracing::warn!(user = %name, error = %e.message, "login profile not read; the snapshot leaves it unknown")
                }
            }
        }
    }
    // Customer-managed policies' identity as ListPolicies gives it, where the export
    // leaves fields out (moto's has no PolicyName or PolicyId).
    let local = pages(
        call,
        "ListPolicies",
        json!({"Scope": "Local", "MaxItems": 1000}),
        &["Policies"],
    )
    .await?;
    let local = by(&local["Policies"], "Arn");
    if let Some(Value::Array(list)) = doc.get_mut("Policies") {
        for p in list.iter_mut() {
            if let (Some(live), Some(detail)) = (
                p["Arn"].as_str().and_then(|a| local.get(a)),
                p.as_object_mut(),
            ) {
                for (k, v) in live.as_object().into_iter().flatten() {
                    if !detail.contains_key(k) && k != "Tags" {
                        detail.insert(k.clone(), v.clone());
                    }
                }
            }
            let arn = p["Arn"].as_str().unwrap_or_default().to_string();
            let tags = if arn.contains(":aws:policy/") {
                json!([])
            } else {
                Value::Array(
                    pages(call, "ListPolicyTags", json!({"PolicyArn": arn}), &["Tags"])
                        .await?
                        .remove("Tags")
                        .and_then(|t| t.as_array().cloned())
                        .unwrap_or_default(),
                )
            };
            p["Tags"] = tags;
        }
    }
    doc.insert("IsTruncated".into(), json!(false));
    doc.insert(
        SNAPSHOT_TIME_KEY.into(),
        json!(rfc3339(&DateTime::from(std::time::SystemTime::now()))),
    );
    Ok(Value::Object(doc))
}
