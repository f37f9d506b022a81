//! Account-wide tools: `get_account_summary` (the SummaryMap typed), `get_credential_report`
//! (generated when needed, waited for, the CSV parsed into typed rows) and
//! `list_inactive_users` (users not used in the last N days).

use super::manifest::params::{
    GetAccountSummaryParams, GetCredentialReportParams, ListInactiveUsersParams,
};
use super::tool::RuntimeTool;
use crate::context::ToolContext;
use crate::error::{ToolError, ToolFuture};
use aws_smithy_types::date_time::{DateTime, Format};
use futures::{StreamExt, TryStreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

// ---------------------------------------------------------------- get_account_summary

/// What `get_account_summary` returns.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct AccountSummaryResult {
    /// Entity counts and quotas by name (`Users`, `UsersQuota`, `Roles`, `Policies`,
    /// `AccountMFAEnabled`, ...), as AWS names them.
    #[serde(rename = "SummaryMap")]
    pub summary_map: BTreeMap<String, i64>,
}

/// `get_account_summary`.
pub struct GetAccountSummary;

impl RuntimeTool for GetAccountSummary {
    type Params = GetAccountSummaryParams;
    type Output = AccountSummaryResult;

    fn run<'a>(
        ctx: &'a ToolContext,
        _: &'a GetAccountSummaryParams,
    ) -> ToolFuture<'a, AccountSummaryResult> {
        Box::pin(async move {
            let out = ctx.call("GetAccountSummary", json!({})).await?;
            let summary_map = out["SummaryMap"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_i64().map(|n| (k.clone(), n)))
                        .collect()
                })
                .unwrap_or_default();
            Ok(AccountSummaryResult { summary_map })
        })
    }
}

// ---------------------------------------------------------------- get_credential_report

/// How often `get_credential_report` asks whether the report is ready, and how long apart.
pub const REPORT_TRIES: u32 = 10;
pub const REPORT_WAIT: Duration = Duration::from_secs(1);

/// What `get_credential_report` returns.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct CredentialReportResult {
    /// When AWS generated the report (it is regenerated at most every 4 hours).
    #[serde(
        rename = "GeneratedTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("format" = "date-time"))]
    pub generated_time: Option<String>,
    /// One row per user (and `<root_account>`), columns named as in AWS's CSV.
    #[serde(rename = "Rows")]
    pub rows: Vec<CredentialReportRow>,
}

/// One row of the credential report. Dates are RFC 3339, or null where the CSV says N/A,
/// no_information or not_supported.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CredentialReportRow {
    pub user: String,
    pub arn: String,
    pub user_creation_time: Option<String>,
    /// Null for the root account (not_supported).
    pub password_enabled: Option<bool>,
    pub password_last_used: Option<String>,
    pub password_last_changed: Option<String>,
    pub password_next_rotation: Option<String>,
    pub mfa_active: bool,
    pub access_key_1_active: bool,
    pub access_key_1_last_rotated: Option<String>,
    pub access_key_1_last_used_date: Option<String>,
    pub access_key_1_last_used_region: Option<String>,
    pub access_key_1_last_used_service: Option<String>,
    pub access_key_2_active: bool,
    pub access_key_2_last_rotated: Option<String>,
    pub access_key_2_last_used_date: Option<String>,
    pub access_key_2_last_used_region: Option<String>,
    pub access_key_2_last_used_service: Option<String>,
    pub cert_1_active: bool,
    pub cert_1_last_rotated: Option<String>,
    pub cert_2_active: bool,
    pub cert_2_last_rotated: Option<String>,
}

/// A CSV cell that means "no value".
fn absent(cell: &str) -> bool {
    matches!(cell.trim(), "" | "N/A" | "no_information" | "not_supported")
}

/// A CSV date as RFC 3339 (`2014-09-01T22:28:48+00:00` -> `2014-09-01T22:28:48Z`), or None.
fn report_date(cell: &str) -> Option<String> {
    if absent(cell) {
        return None;
    }
    let cell = cell.trim();
    Some(match epoch_secs(cell) {
        Some(secs) => crate::codec::rfc3339(&DateTime::from_secs(secs)),
        None => cell.to_string(),
    })
}

fn report_text(cell: &str) -> Option<String> {
    (!absent(cell)).then(|| cell.trim().to_string())
}

fn report_bool(cell: &str) -> Option<bool> {
    match cell.trim() {
        "true" | "TRUE" | "True" => Some(true),
        "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Splits one CSV line (the report quotes no field today, but quoted fields are honoured).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// The credential report's CSV as typed rows; columns are found by their header name.
pub fn parse_credential_report(csv: &str) -> Vec<CredentialReportRow> {
    let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let header: Vec<String> = csv_fields(header)
        .into_iter()
        .map(|h| h.trim().to_string())
        .collect();
    lines
        .map(|line| {
            let cells = csv_fields(line);
            let cell = |name: &str| -> &str {
                header
                    .iter()
                    .position(|h| h == name)
                    .and_then(|i| cells.get(i))
                    .map(String::as_str)
                    .unwrap_or("")
            };
            CredentialReportRow {
                user: cell("user").to_string(),
                arn: cell("arn").to_string(),
                user_creation_time: report_date(cell("user_creation_time")),
                password_enabled: report_bool(cell("password_enabled")),
                password_last_used: report_date(cell("password_last_used")),
                password_last_changed: report_date(cell("password_last_changed")),
                password_next_rotation: report_date(cell("password_next_rotation")),
                mfa_active: report_bool(cell("mfa_active")).unwrap_or(false),
                access_key_1_active: report_bool(cell("access_key_1_active")).unwrap_or(false),
                access_key_1_last_rotated: report_date(cell("access_key_1_last_rotated")),
                access_key_1_last_used_date: report_date(cell("access_key_1_last_used_date")),
                access_key_1_last_used_region: report_text(cell("access_key_1_last_used_region")),
                access_key_1_last_used_service: report_text(cell("access_key_1_last_used_service")),
                access_key_2_active: report_bool(cell("access_key_2_active")).unwrap_or(false),
                access_key_2_last_rotated: report_date(cell("access_key_2_last_rotated")),
                access_key_2_last_used_date: report_date(cell("access_key_2_last_used_date")),
                access_key_2_last_used_region: report_text(cell("access_key_2_last_used_region")),
                access_key_2_last_used_service: report_text(cell("access_key_2_last_used_service")),
                cert_1_active: report_bool(cell("cert_1_active")).unwrap_or(false),
                cert_1_last_rotated: report_date(cell("cert_1_last_rotated")),
                cert_2_active: report_bool(cell("cert_2_active")).unwrap_or(false),
                cert_2_last_rotated: report_date(cell("cert_2_last_rotated")),
            }
        })
        .collect()
}

/// `get_credential_report`.
pub struct GetCredentialReport;

impl RuntimeTool for GetCredentialReport {
    type Params = GetCredentialReportParams;
    type Output = CredentialReportResult;

    fn run<'a>(
        ctx: &'a ToolContext,
        _: &'a GetCredentialReportParams,
    ) -> ToolFuture<'a, CredentialReportResult> {
        Box::pin(async move {
            let mut state = String::new();
            for attempt in 0..REPORT_TRIES {
                if attempt > 0 {
                    tokio::time::sleep(REPORT_WAIT).await;
                }
                let generated = ctx.call("GenerateCredentialReport", json!({})).await?;
                state = generated["State"].as_str().unwrap_or_default().to_string();
                if state == "COMPLETE" {
                    break;
                }
            }
            if state != "COMPLETE" {
                return Err(ToolError::internal(format!(
                    "The credential report is still being generated (state {state} after {REPORT_TRIES} tries, {} s apart).",
                    REPORT_WAIT.as_secs()
                ))
                .with_hint(format!("Call {} again in a few seconds.", ctx.tool.name)));
            }
            let report = ctx.call("GetCredentialReport", json!({})).await?;
            let content = report["Content"].as_str().unwrap_or_default();
            Ok(CredentialReportResult {
                generated_time: report["GeneratedTime"].as_str().map(str::to_string),
                rows: parse_credential_report(content),
            })
        })
    }
}

// ---------------------------------------------------------------- list_inactive_users

/// What `list_inactive_users` returns.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct InactiveUsersResult {
    /// The threshold the call used.
    #[serde(rename = "Days")]
    pub days: i64,
    /// Users whose last activity (or, never used, whose creation) is more than `Days` ago,
    /// least recently active first.
    #[serde(rename = "InactiveUsers")]
    pub inactive_users: Vec<InactiveUser>,
    /// How many users were examined.
    #[serde(rename = "UsersChecked")]
    pub users_checked: usize,
}

/// An inactive user and its last activity.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InactiveUser {
    #[serde(rename = "UserName")]
    pub user_name: String,
    #[serde(rename = "Arn", default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(
        rename = "CreateDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("format" = "date-time"))]
    pub create_date: Option<String>,
    /// The latest use of its password or of any of its access keys; null when never used.
    #[serde(rename = "LastActivity")]
    #[schemars(extend("format" = "date-time"))]
    pub last_activity: Option<String>,
    /// `password`, `access_key`, or `never_used`.
    #[serde(rename = "LastActivityType")]
    pub last_activity_type: String,
    /// The access key of that last activity.
    #[serde(
        rename = "AccessKeyId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub access_key_id: Option<String>,
    /// Whole days since the last activity (since creation when never used).
    #[serde(rename = "DaysInactive")]
    pub days_inactive: i64,
}

/// What is known of one user's activity.
#[derive(Debug, Default, Clone)]
pub struct UserActivity {
    pub user_name: String,
    pub arn: Option<String>,
    /// RFC 3339 dates, as the operations return them.
    pub create_date: Option<String>,
    pub password_last_used: Option<String>,
    /// (access key id, its last use)
    pub access_keys: Vec<(String, Option<String>)>,
}

/// An RFC 3339 date (`Z` or an offset such as `+00:00`) as epoch seconds.
fn epoch_secs(date: &str) -> Option<i64> {
    match DateTime::from_str(date, Format::DateTime) {
        Ok(d) => Some(d.secs()),
        Err(_) => time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|d| d.unix_timestamp()),
    }
}

/// The decision: which users have not been used in the last `days` days at `now` (epoch
/// seconds), least recently active first (then by name).
pub fn inactive_users(users: &[UserActivity], now: i64, days: i64) -> Vec<InactiveUser> {
    let cutoff = now - days * 86_400;
    let mut out: Vec<(i64, InactiveUser)> = Vec::new();
    for user in users {
        let candidates = std::iter::once((&user.password_last_used, "password", None)).chain(
            user.access_keys
                .iter()
                .map(|(id, used)| (used, "access_key", Some(id.as_str()))),
        );
        let mut last: Option<(i64, &str, &str, Option<&str>)> = None;
        for (date, kind, key) in candidates {
            let Some(text) = date.as_deref() else {
                continue;
            };
            let Some(secs) = epoch_secs(text) else {
                continue;
            };
            if last.is_none_or(|(best, ..)| secs > best) {
                last = Some((secs, text, kind, key));
            }
        }
        let (since, entry) = match last {
            Some((secs, text, kind, key)) => (
                secs,
                InactiveUser {
                    last_activity: Some(text.to_string()),
                    last_activity_type: kind.to_string(),
                    access_key_id: key.map(str::to_string),
                    ..Default::default()
                },
            ),
            None => {
                // Never used: inactive once it has existed for longer than the threshold.
                let Some(created) = user.create_date.as_deref().and_then(epoch_secs) else {
                    continue;
                };
                (
                    created,
                    InactiveUser {
                        last_activity_type: "never_used".into(),
                        ..Default::default()
                    },
                )
            }
        };
        if since >= cutoff {
            continue;
        }
        out.push((
            since,
            InactiveUser {
                user_name: user.user_name.clone(),
                arn: user.arn.clone(),
                create_date: user.create_date.clone(),
                days_inactive: (now - since).div_euclid(86_400),
                ..entry
            },
        ));
    }
    out.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.user_name.cmp(&y.user_name)));
    out.into_iter().map(|(_, u)| u).collect()
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

/// `list_inactive_users`.
pub struct ListInactiveUsers;

impl RuntimeTool for ListInactiveUsers {
    type Params = ListInactiveUsersParams;
    type Output = InactiveUsersResult;

    fn run<'a>(
        ctx: &'a ToolContext,
        p: &'a ListInactiveUsersParams,
    ) -> ToolFuture<'a, InactiveUsersResult> {
        Box::pin(async move {
            let users = ctx.call_all_pages("ListUsers", json!({}), "Users").await?;
            let activity: Vec<UserActivity> = futures::stream::iter(users)
                .map(|user: Value| async move {
                    let name = text(&user["UserName"]).unwrap_or_default();
                    let keys = ctx
                        .call_all_pages(
                            "ListAccessKeys",
                            json!({"UserName": name}),
                            "AccessKeyMetadata",
                        )
                        .await?;
                    let mut access_keys = Vec::new();
                    for key in &keys {
                        let id = text(&key["AccessKeyId"]).unwrap_or_default();
                        let used = ctx
                            .call("GetAccessKeyLastUsed", json!({"AccessKeyId": id}))
                            .await?;
                        access_keys.push((id, text(&used["AccessKeyLastUsed"]["LastUsedDate"])));
                    }
                    Ok::<_, ToolError>(UserActivity {
                        user_name: name,
                        arn: text(&user["Arn"]),
                        create_date: text(&user["CreateDate"]),
                        password_last_used: text(&user["PasswordLastUsed"]),
                        access_keys,
                    })
                })
                .buffered(8)
                .try_collect()
                .await?;
            let now = DateTime::from(std::time::SystemTime::now()).secs();
            Ok(InactiveUsersResult {
                days: p.days,
                inactive_users: inactive_users(&activity, now, p.days),
                users_checked: activity.len(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn date(secs: i64) -> Option<String> {
        Some(crate::codec::rfc3339(&DateTime::from_secs(secs)))
    }

    #[test]
    fn credential_report_rows_are_typed() {
        let csv = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::123456789012:root,2014-09-01T22:28:48+00:00,not_supported,2024-01-02T03:04:05+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
alice,arn:aws:iam::123456789012:user/alice,2020-05-06T07:08:09+00:00,true,no_information,2020-05-06T07:08:09+00:00,N/A,false,true,2020-05-06T07:08:10+00:00,2024-02-03T04:05:06+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,true,2021-01-01T00:00:00+00:00,false,N/A\n";
        let rows = parse_credential_report(csv);
        assert_eq!(rows.len(), 2);
        let root = &rows[0];
        assert_eq!(root.user, "<root_account>");
        assert_eq!(root.password_enabled, None);
        assert_eq!(
            root.password_last_used.as_deref(),
            Some("2024-01-02T03:04:05Z")
        );
        assert!(root.mfa_active);
        assert_eq!(root.access_key_1_last_rotated, None);
        let alice = &rows[1];
        assert_eq!(alice.password_enabled, Some(true));
        assert_eq!(alice.password_last_used, None);
        assert_eq!(
            alice.user_creation_time.as_deref(),
            Some("2020-05-06T07:08:09Z")
        );
        assert!(alice.access_key_1_active && !alice.access_key_2_active);
        assert_eq!(
            alice.access_key_1_last_used_date.as_deref(),
            Some("2024-02-03T04:05:06Z")
        );
        assert_eq!(
            alice.access_key_1_last_used_region.as_deref(),
            Some("us-east-1")
        );
        assert_eq!(alice.access_key_1_last_used_service.as_deref(), Some("s3"));
        assert_eq!(alice.access_key_2_last_used_service, None);
        assert!(alice.cert_1_active);
        assert_eq!(
            alice.cert_1_last_rotated.as_deref(),
            Some("2021-01-01T00:00:00Z")
        );
        assert!(parse_credential_report("").is_empty());
    }

    #[test]
    fn csv_fields_honour_quotes() {
        assert_eq!(
            csv_fields(r#"a,"b,c","d""e",,f"#),
            ["a", "b,c", "d\"e", "", "f"]
        );
    }

    #[test]
    fn inactive_users_take_the_latest_of_password_and_keys() {
        let now = 1_000 * DAY;
        let user = |name: &str,
                    created: i64,
                    password: Option<i64>,
                    keys: &[(&str, Option<i64>)]| UserActivity {
            user_name: name.into(),
            arn: None,
            create_date: date(now - created * DAY),
            password_last_used: password.and_then(|d| date(now - d * DAY)),
            access_keys: keys
                .iter()
                .map(|(id, d)| (id.to_string(), d.and_then(|d| date(now - d * DAY))))
                .collect(),
        };
        let users = vec![
            // Password used 10 days ago: active, though its key is stale.
            user("pw-recent", 400, Some(10), &[("AKIAOLD", Some(200))]),
            // Key used 95 days ago, other key 120, password 300: inactive, last = key 95.
            user(
                "key-stale",
                400,
                Some(300),
                &[("AKIA95", Some(95)), ("AKIA120", Some(120))],
            ),
            // Never used, created 200 days ago: inactive.
            user("never-old", 200, None, &[("AKIANEVER", None)]),
            // Never used, created 5 days ago: not (yet) inactive.
            user("never-new", 5, None, &[]),
            // Password only, 150 days ago.
            user("pw-stale", 400, Some(150), &[]),
            // Exactly 90 days ago is not more than 90 days.
            user("edge", 400, None, &[("AKIAEDGE", Some(90))]),
        ];
        let found = inactive_users(&users, now, 90);
        let names: Vec<&str> = found.iter().map(|u| u.user_name.as_str()).collect();
        assert_eq!(names, ["never-old", "pw-stale", "key-stale"]);
        assert_eq!(found[0].last_activity, None);
        assert_eq!(found[0].last_activity_type, "never_used");
        assert_eq!(found[0].days_inactive, 200);
        assert_eq!(found[1].last_activity_type, "password");
        assert_eq!(found[1].access_key_id, None);
        assert_eq!(found[2].last_activity_type, "access_key");
        assert_eq!(found[2].access_key_id.as_deref(), Some("AKIA95"));
        assert_eq!(found[2].days_inactive, 95);
        assert_eq!(found[2].last_activity, date(now - 95 * DAY));
        assert!(inactive_users(&users, now, 1000).is_empty());
    }
}
