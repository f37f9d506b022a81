//! Offline mode: an account file, the JSON `aws iam get-account-authorization-details`
//! prints (all pages merged, or a JSON list of pages), loaded and checked once at start,
//! answering every read operation it holds the data for, in the live backend's output
//! shape (AWS member names, RFC 3339 dates, decoded documents, `Marker`/`IsTruncated`).
//!
//! The one interface is [`AccountFile::call`]: operation name and AWS-shaped JSON input in,
//! AWS-shaped JSON output (or AWS's error) out. Generated operation functions call it when
//! the backend is a file, so every tool runs unchanged.
//!
//! What a file cannot hold (access keys, login profiles, MFA, the credential report, the
//! password policy, aliases; AWS's simulator; every write) is not answerable, and tools
//! needing it are not offered. Fields the export lacks stay absent: a role's Description
//! and MaxSessionDuration and a user's PasswordLastUsed (unless the file carries them, as
//! `iam-mcp-server snapshot` writes them), a policy's Tags (ListPolicyTags is answerable
//! only when the file records them).

use crate::catalog::OperationSpec;
use crate::codec::{decode_document, rfc3339};
use crate::error::ToolError;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// Where the file records when it was taken (`iam-mcp-server snapshot` writes it). Without
/// it, the file's modification time stands for it.
pub const SNAPSHOT_TIME_KEY: &str = "SnapshotTime";

/// The page size of list operations when the input gives no MaxItems, as AWS's.
const DEFAULT_MAX_ITEMS: usize = 100;

/// Operations an account file answers from any export.
const ANSWERABLE: &[&str] = &[
    "ListUsers",
    "GetUser",
    "ListGroupsForUser",
    "ListAttachedUserPolicies",
    "ListUserPolicies",
    "GetUserPolicy",
    "ListUserTags",
    "ListGroups",
    "GetGroup",
    "ListAttachedGroupPolicies",
    "ListGroupPolicies",
    "GetGroupPolicy",
    "ListRoles",
    "GetRole",
    "ListRolePolicies",
    "GetRolePolicy",
    "ListAttachedRolePolicies",
    "ListInstanceProfilesForRole",
    "ListRoleTags",
    "ListPolicies",
    "GetPolicy",
    "GetPolicyVersion",
    "ListPolicyVersions",
    "ListEntitiesForPolicy",
    "ListInstanceProfiles",
    "GetInstanceProfile",
    "GetAccountAuthorizationDetails",
];

/// A file that could not be loaded: the message says which file, where and what.
#[derive(Debug)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

#[derive(Debug, Clone)]
struct Tag {
    key: String,
    value: String,
}

#[derive(Debug, Clone)]
struct Attached {
    name: String,
    arn: String,
}

#[derive(Debug, Clone)]
struct Boundary {
    ty: String,
    arn: String,
}

#[derive(Debug)]
struct Inline {
    name: String,
    document: Value,
}

#[derive(Debug)]
struct User {
    path: String,
    name: String,
    id: String,
    arn: String,
    create_date: String,
    password_last_used: Option<String>,
    inline: Vec<Inline>,
    groups: Vec<String>,
    attached: Vec<Attached>,
    boundary: Option<Boundary>,
    tags: Vec<Tag>,
}

#[derive(Debug)]
struct Group {
    path: String,
    name: String,
    id: String,
    arn: String,
    create_date: String,
    inline: Vec<Inline>,
    attached: Vec<Attached>,
    /// Users whose GroupList names it, in file order.
    members: Vec<usize>,
}

#[derive(Debug)]
struct Role {
    path: String,
    name: String,
    id: String,
    arn: String,
    create_date: String,
    trust: Option<Value>,
    description: Option<String>,
    max_session_duration: Option<i64>,
    /// Instance profiles listing it (indexes into `profiles`).
    profiles: Vec<usize>,
    inline: Vec<Inline>,
    attached: Vec<Attached>,
    boundary: Option<Boundary>,
    tags: Vec<Tag>,
    last_used: Option<(Option<String>, Option<String>)>,
}

#[derive(Debug)]
struct Version {
    document: Option<Value>,
    id: String,
    is_default: bool,
    create_date: Option<String>,
}

#[derive(Debug)]
struct Managed {
    name: String,
    id: Option<String>,
    arn: String,
    path: Option<String>,
    default_version: Option<String>,
    attachment_count: Option<i64>,
    boundary_usage_count: Option<i64>,
    is_attachable: bool,
    description: Option<String>,
    create_date: Option<String>,
    update_date: Option<String>,
    versions: Vec<Version>,
    tags: Option<Vec<Tag>>,
}

#[derive(Debug)]
struct Profile {
    path: String,
    name: String,
    id: String,
    arn: String,
    create_date: String,
    /// Role names, in the profile's order.
    roles: Vec<String>,
    tags: Vec<Tag>,
}

/// A loaded, checked account file.
#[derive(Debug)]
pub struct AccountFile {
    source: String,
    taken_at: String,
    account_id: Option<String>,
    users: Vec<User>,
    groups: Vec<Group>,
    roles: Vec<Role>,
    policies: Vec<Managed>,
    profiles: Vec<Profile>,
    by_user: HashMap<String, usize>,
    by_group: HashMap<String, usize>,
    by_role: HashMap<String, usize>,
    /// Role names lower-cased: IAM role names are case-insensitive.
    by_role_lower: HashMap<String, usize>,
    by_policy: HashMap<String, usize>,
    by_profile: HashMap<String, usize>,
    policy_tags_known: bool,
}

// ------------------------------------------------------------------ loading

/// One JSON object being read, with the path that names it in errors.
struct Obj {
    map: Map<String, Value>,
    what: String,
}

fn kind_of(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.len() > 40 => {
            format!("string {:?}...", &s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

impl Obj {
    fn new(value: Value, what: String) -> Result<Obj, LoadError> {
        match value {
            Value::Object(map) => Ok(Obj { map, what }),
            other => Err(LoadError(format!(
                "{what}: expected an object, found {}",
                kind_of(&other)
            ))),
        }
    }

    fn wrong(&self, key: &str, expected: &str, got: &Value) -> LoadError {
        LoadError(format!(
            "{}.{key}: expected {expected}, found {}",
            self.what,
            kind_of(got)
        ))
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    fn opt_string(&mut self, key: &str) -> Result<Option<String>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong(key, "a string", &other)),
        }
    }

    fn string(&mut self, key: &str) -> Result<String, LoadError> {
        self.opt_string(key)?
            .ok_or_else(|| LoadError(format!("{}: {key} is missing", self.what)))
    }

    /// A date, normalized to the RFC 3339 form the live backend prints (offsets allowed,
    /// as the CLI prints `+00:00`).
    fn opt_date(&mut self, key: &str) -> Result<Option<String>, LoadError> {
        let Some(text) = self.opt_string(key)? else {
            return Ok(None);
        };
        match DateTime::from_str(&text, Format::DateTimeWithOffset) {
            Ok(date) => Ok(Some(rfc3339(&date))),
            Err(e) => Err(LoadError(format!(
                "{}.{key}: {text:?} is not an RFC 3339 date: {e}",
                self.what
            ))),
        }
    }

    fn date(&mut self, key: &str) -> Result<String, LoadError> {
        self.opt_date(key)?
            .ok_or_else(|| LoadError(format!("{}: {key} is missing", self.what)))
    }

    fn opt_int(&mut self, key: &str) -> Result<Option<i64>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(other) => Err(self.wrong(key, "an integer", &other)),
        }
    }

    fn opt_bool(&mut self, key: &str) -> Result<Option<bool>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(self.wrong(key, "true or false", &other)),
        }
    }

    fn list(&mut self, key: &str) -> Result<Vec<Value>, LoadError> {
        match self.take(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(list)) => Ok(list),
            Some(other) => Err(self.wrong(key, "a list", &other)),
        }
    }

    fn objects(&mut self, key: &str) -> Result<Vec<Obj>, LoadError> {
        let what = self.what.clone();
        self.list(key)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| Obj::new(v, format!("{what}.{key}[{i}]")))
            .collect()
    }

    fn strings(&mut self, key: &str) -> Result<Vec<String>, LoadError> {
        let what = self.what.clone();
        self.list(key)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s),
                other => Err(LoadError(format!(
                    "{what}.{key}[{i}]: expected a string, found {}",
                    kind_of(&other)
                ))),
            })
            .collect()
    }

    fn object(&mut self, key: &str) -> Result<Option<Obj>, LoadError> {
        let what = format!("{}.{key}", self.what);
        self.take(key).map(|v| Obj::new(v, what)).transpose()
    }

    /// A policy document: a JSON object (as the CLI prints) or a string, percent-encoded
    /// (as the API returns) or plain JSON.
    fn opt_document(&mut self, key: &str) -> Result<Option<Value>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(doc @ Value::Object(_)) => Ok(Some(doc)),
            Some(Value::String(text)) => match decode_document(&text) {
                doc @ Value::Object(_) => Ok(Some(doc)),
                _ => Err(LoadError(format!(
                    "{}.{key}: the string is not a policy document (neither JSON nor percent-encoded JSON)",
                    self.what
                ))),
            },
            Some(other) => Err(self.wrong(
                key,
                "a policy document (an object, or a string holding one)",
                &other,
            )),
        }
    }

    fn tags(&mut self) -> Result<Vec<Tag>, LoadError> {
        self.objects("Tags")?
            .into_iter()
            .map(|mut t| {
                Ok(Tag {
                    key: t.string("Key")?,
                    value: t.opt_string("Value")?.unwrap_or_default(),
                })
            })
            .collect()
    }

    fn attached(&mut self) -> Result<Vec<Attached>, LoadError> {
        self.objects("AttachedManagedPolicies")?
            .into_iter()
            .map(|mut a| {
                Ok(Attached {
                    name: a.opt_string("PolicyName")?.unwrap_or_default(),
                    arn: a.string("PolicyArn")?,
                })
            })
            .collect()
    }

    fn inline(&mut self, key: &str) -> Result<Vec<Inline>, LoadError> {
        self.objects(key)?
            .into_iter()
            .map(|mut p| {
                let name = p.string("PolicyName")?;
                let document = p
                    .opt_document("PolicyDocument")?
                    .ok_or_else(|| LoadError(format!("{}: PolicyDocument is missing", p.what)))?;
                Ok(Inline { name, document })
            })
            .collect()
    }

    fn boundary(&mut self) -> Result<Option<Boundary>, LoadError> {
        let Some(mut b) = self.object("PermissionsBoundary")? else {
            return Ok(None);
        };
        Ok(Some(Boundary {
            ty: b
                .opt_string("PermissionsBoundaryType")?
                .unwrap_or_else(|| "Policy".into()),
            arn: b.string("PermissionsBoundaryArn")?,
        }))
    }
}

/// An entity of a detail list: its name read first, so every later error names it.
fn entity(
    value: Value,
    list: &str,
    i: usize,
    kind: &str,
    name_key: &str,
) -> Result<(Obj, String), LoadError> {
    let mut obj = Obj::new(value, format!("{list}[{i}]"))?;
    let name = obj.string(name_key)?;
    obj.what = format!("{list}[{i}] ({kind} {name})");
    Ok((obj, name))
}

/// What the loader gathers from the pages before indexing.
#[derive(Default)]
struct Raw {
    users: Vec<User>,
    groups: Vec<Group>,
    roles: Vec<Role>,
    policies: Vec<Managed>,
    /// Instance profiles as the roles list them, with the role's name.
    profiles: Vec<(Profile, String)>,
    taken_at: Option<String>,
    policy_tags_known: bool,
}

impl Raw {
    fn page(&mut self, page: Value, at: &str) -> Result<(), LoadError> {
        let mut page = Obj::new(
            page,
            if at.is_empty() {
                "the file".into()
            } else {
                at.to_string()
            },
        )?;
        let known = [
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
        ];
        if !known.iter().any(|k| page.map.contains_key(*k)) {
            return Err(LoadError(format!(
                "{}: not an export of `aws iam get-account-authorization-details`: none of {} is there",
                page.what,
                known.join(", ")
            )));
        }
        let prefix = if at.is_empty() {
            String::new()
        } else {
            format!("{at}.")
        };
        if let Some(t) = page.opt_date(SNAPSHOT_TIME_KEY)? {
            self.taken_at = Some(t);
        }
        for (i, v) in page.list("UserDetailList")?.into_iter().enumerate() {
            let (mut u, name) =
                entity(v, &format!("{prefix}UserDetailList"), i, "user", "UserName")?;
            self.users.push(User {
                path: u.string("Path")?,
                id: u.string("UserId")?,
                arn: u.string("Arn")?,
                create_date: u.date("CreateDate")?,
                password_last_used: u.opt_date("PasswordLastUsed")?,
                inline: u.inline("UserPolicyList")?,
                groups: u.strings("GroupList")?,
                attached: u.attached()?,
                boundary: u.boundary()?,
                tags: u.tags()?,
                name,
            });
        }
        for (i, v) in page.list("GroupDetailList")?.into_iter().enumerate() {
            let (mut g, name) = entity(
                v,
                &format!("{prefix}GroupDetailList"),
                i,
                "group",
                "GroupName",
            )?;
            self.groups.push(Group {
                path: g.string("Path")?,
                id: g.string("GroupId")?,
                arn: g.string("Arn")?,
                create_date: g.date("CreateDate")?,
                inline: g.inline("GroupPolicyList")?,
                attached: g.attached()?,
                members: Vec::new(),
                name,
            });
        }
        for (i, v) in page.list("RoleDetailList")?.into_iter().enumerate() {
            let (mut r, name) =
                entity(v, &format!("{prefix}RoleDetailList"), i, "role", "RoleName")?;
            for mut p in r.objects("InstanceProfileList")? {
                let profile = Profile {
                    path: p.string("Path")?,
                    name: p.string("InstanceProfileName")?,
                    id: p.string("InstanceProfileId")?,
                    arn: p.string("Arn")?,
                    create_date: p.date("CreateDate")?,
                    roles: p
                        .objects("Roles")?
                        .into_iter()
                        .map(|mut role| role.string("RoleName"))
                        .collect::<Result<_, _>>()?,
                    tags: p.tags()?,
                };
                self.profiles.push((profile, name.clone()));
            }
            let last_used = match r.object("RoleLastUsed")? {
                Some(mut l) => Some((l.opt_date("LastUsedDate")?, l.opt_string("Region")?)),
                None => None,
            };
            self.roles.push(Role {
                path: r.string("Path")?,
                id: r.string("RoleId")?,
                arn: r.string("Arn")?,
                create_date: r.date("CreateDate")?,
                trust: r.opt_document("AssumeRolePolicyDocument")?,
                description: r.opt_string("Description")?,
                max_session_duration: r.opt_int("MaxSessionDuration")?,
                profiles: Vec::new(),
                inline: r.inline("RolePolicyList")?,
                attached: r.attached()?,
                boundary: r.boundary()?,
                tags: r.tags()?,
                last_used,
                name,
            });
        }
        for (i, v) in page.list("Policies")?.into_iter().enumerate() {
            // PolicyName is the ARN's last part when an export leaves it out (moto's does).
            let mut p = Obj::new(v, format!("{prefix}Policies[{i}]"))?;
            let arn = p.string("Arn")?;
            let name = match p.opt_string("PolicyName")? {
                Some(name) => name,
                None => arn.rsplit('/').next().unwrap_or_default().to_string(),
            };
            p.what = format!("{prefix}Policies[{i}] (policy {arn})");
            let versions = p
                .objects("PolicyVersionList")?
                .into_iter()
                .map(|mut v| {
                    Ok(Version {
                        document: v.opt_document("Document")?,
                        id: v.string("VersionId")?,
                        is_default: v.opt_bool("IsDefaultVersion")?.unwrap_or(false),
                        create_date: v.opt_date("CreateDate")?,
                    })
                })
                .collect::<Result<_, LoadError>>()?;
            let tags = if p.map.contains_key("Tags") {
                self.policy_tags_known = true;
                Some(p.tags()?)
            } else {
                None
            };
            self.policies.push(Managed {
                id: p.opt_string("PolicyId")?,
                arn,
                path: p.opt_string("Path")?,
                default_version: p.opt_string("DefaultVersionId")?,
                attachment_count: p.opt_int("AttachmentCount")?,
                boundary_usage_count: p.opt_int("PermissionsBoundaryUsageCount")?,
                is_attachable: p.opt_bool("IsAttachable")?.unwrap_or(true),
                description: p.opt_string("Description")?,
                create_date: p.opt_date("CreateDate")?,
                update_date: p.opt_date("UpdateDate")?,
                versions,
                tags,
                name,
            });
        }
        Ok(())
    }
}

fn index<T>(
    items: &[T],
    key: impl Fn(&T) -> &str,
    kind: &str,
) -> Result<HashMap<String, usize>, LoadError> {
    let mut map = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if map.insert(key(item).to_string(), i).is_some() {
            return Err(LoadError(format!("{kind} {} appears twice", key(item))));
        }
    }
    Ok(map)
}

impl AccountFile {
    /// Loads and checks `path`. Any problem is an error naming the file, the place (line
    /// and column for broken JSON; the field and the entity otherwise) and what is wrong.
    pub fn load(path: &Path) -> Result<AccountFile, LoadError> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| LoadError(format!("{source}: cannot read the account file: {e}")))?;
        let taken_at = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .map(|t| rfc3339(&DateTime::from(t)));
        Self::parse(&text, &source, taken_at)
    }

    /// Loads an account file's text; `source` names it in errors, `mtime` stands for the
    /// snapshot time when the file records none.
    pub fn parse(
        text: &str,
        source: &str,
        mtime: Option<String>,
    ) -> Result<AccountFile, LoadError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let what = if e.is_eof() {
                "the JSON ends too early (truncated?)"
            } else {
                "not valid JSON"
            };
            LoadError(format!(
                "{source}: {what} at line {} column {}: {e}",
                e.line(),
                e.column()
            ))
        })?;
        let wrap = |e: LoadError| LoadError(format!("{source}: {}", e.0));
        let mut raw = Raw::default();
        match value {
            Value::Array(pages) => {
                if pages.is_empty() {
                    return Err(LoadError(format!("{source}: an empty list of pages")));
                }
                for (i, page) in pages.into_iter().enumerate() {
                    raw.page(page, &format!("[{i}]")).map_err(wrap)?;
                }
            }
            page => raw.page(page, "").map_err(wrap)?,
        }
        Self::build(raw, source, mtime).map_err(wrap)
    }

    fn build(raw: Raw, source: &str, mtime: Option<String>) -> Result<AccountFile, LoadError> {
        let Raw {
            users,
            mut groups,
            mut roles,
            policies,
            profiles: listed,
            taken_at,
            policy_tags_known,
        } = raw;
        let by_user = index(&users, |u| &u.name, "user")?;
        let by_group = index(&groups, |g| &g.name, "group")?;
        let by_role = index(&roles, |r| &r.name, "role")?;
        let by_policy = index(&policies, |p| &p.arn, "policy")?;
        let defined = |arn: &str, who: &str, how: &str| -> Result<(), LoadError> {
            if by_policy.contains_key(arn) {
                Ok(())
            } else {
                Err(LoadError(format!(
                    "{who} {how} policy {arn}, which is not defined in Policies (export with every entity type: no --filter)"
                )))
            }
        };
        for (i, u) in users.iter().enumerate() {
            let who = format!("user {}", u.name);
            for a in &u.attached {
                defined(&a.arn, &who, "has attached")?;
            }
            if let Some(b) = &u.boundary {
                defined(&b.arn, &who, "has as permissions boundary")?;
            }
            for g in &u.groups {
                match by_group.get(g) {
                    Some(&gi) => groups[gi].members.push(i),
                    None => {
                        return Err(LoadError(format!(
                            "user {} is in group {g} (GroupList), which is not defined in GroupDetailList",
                            u.name
                        )));
                    }
                }
            }
        }
        for g in &groups {
            for a in &g.attached {
                defined(&a.arn, &format!("group {}", g.name), "has attached")?;
            }
        }
        for r in &roles {
            let who = format!("role {}", r.name);
            for a in &r.attached {
                defined(&a.arn, &who, "has attached")?;
            }
            if let Some(b) = &r.boundary {
                defined(&b.arn, &who, "has as permissions boundary")?;
            }
        }
        // Instance profiles: each role lists its own; one profile appears under each of
        // its roles, so keep the first and check the others agree on its identity.
        let mut profiles: Vec<Profile> = Vec::new();
        let mut by_profile: HashMap<String, usize> = HashMap::new();
        for (profile, role) in listed {
            let pi = match by_profile.get(&profile.name) {
                Some(&pi) => pi,
                None => {
                    by_profile.insert(profile.name.clone(), profiles.len());
                    profiles.push(profile);
                    profiles.len() - 1
                }
            };
            if !profiles[pi].roles.contains(&role) {
                profiles[pi].roles.push(role.clone());
            }
            if let Some(&ri) = by_role.get(&role)
                && !roles[ri].profiles.contains(&pi)
            {
                roles[ri].profiles.push(pi);
            }
        }
        let by_role_lower = roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.to_lowercase(), i))
            .collect();
        // The account id goes into the server's instructions: only a real one (12 digits),
        // never text from the file.
        let account_id = users
            .iter()
            .map(|u| u.arn.as_str())
            .chain(roles.iter().map(|r| r.arn.as_str()))
            .chain(groups.iter().map(|g| g.arn.as_str()))
            .chain(
                policies
                    .iter()
                    .map(|p| p.arn.as_str())
                    .filter(|a| !a.contains(":aws:policy/")),
            )
            .find_map(|arn| {
                arn.split(':')
                    .nth(4)
                    .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
                    .map(str::to_string)
            });
        Ok(AccountFile {
            source: source.to_string(),
            taken_at: taken_at
                .or(mtime)
                .unwrap_or_else(|| "an unknown time".into()),
            account_id,
            users,
            groups,
            roles,
            policies,
            profiles,
            by_user,
            by_group,
            by_role,
            by_role_lower,
            by_policy,
            by_profile,
            policy_tags_known,
        })
    }

    /// The file it was loaded from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// When the snapshot was taken (RFC 3339): recorded in the file, else its mtime.
    pub fn taken_at(&self) -> &str {
        &self.taken_at
    }

    /// The account the snapshot is of, from its ARNs.
    pub fn account_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }

    /// Counts for logs and instructions: users, groups, roles, managed policies.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        (
            self.users.len(),
            self.groups.len(),
            self.roles.len(),
            self.policies.len(),
        )
    }

    /// Whether operation `name` can be answered from this file.
    pub fn answers(&self, name: &str) -> bool {
        ANSWERABLE.contains(&name) || (name == "ListPolicyTags" && self.policy_tags_known)
    }

    /// Answers operation `op` with AWS-shaped JSON `input`, as IAM would for the account
    /// in the file.
    pub fn call(&self, op: &'static OperationSpec, input: Value) -> Result<Value, ToolError> {
        if !self.answers(op.name) {
            let mut e = ToolError::refused(format!(
                "{} cannot be answered from an account file (offline mode serves a snapshot of get-account-authorization-details{}). Nothing was sent to AWS.",
                op.action,
                if op.access == crate::catalog::Access::Write { " and is read-only" } else { "" }
            ))
            .with_hint("Run the server on the live account (without --account-file) for this.");
            e.action = Some(op.action);
            return Err(e);
        }
        let q = Query { op, input: &input };
        match op.name {
            "ListUsers" => {
                let prefix = q.path_prefix();
                let items = self
                    .users
                    .iter()
                    .filter(|u| u.path.starts_with(prefix))
                    .map(|u| self.user(u, false))
                    .collect();
                q.page(items, "Users", json!({}))
            }
            "GetUser" => {
                let Some(name) = q.str("UserName") else {
                    return Err(ToolError::invalid_arguments(
                        "An account file has no caller: name the user (user_name).",
                    ));
                };
                Ok(json!({ "User": self.user(self.find_user(&q, name)?, true) }))
            }
            "ListGroupsForUser" => {
                let u = self.find_user(&q, q.req("UserName")?)?;
                let items = u
                    .groups
                    .iter()
                    .filter_map(|g| self.by_group.get(g))
                    .map(|&g| group_json(&self.groups[g]))
                    .collect();
                q.page(items, "Groups", json!({}))
            }
            "ListAttachedUserPolicies" => {
                let u = self.find_user(&q, q.req("UserName")?)?;
                q.page(
                    self.attached_json(&u.attached, q.path_prefix()),
                    "AttachedPolicies",
                    json!({}),
                )
            }
            "ListUserPolicies" => {
                let u = self.find_user(&q, q.req("UserName")?)?;
                q.page(inline_names(&u.inline), "PolicyNames", json!({}))
            }
            "GetUserPolicy" => {
                let u = self.find_user(&q, q.req("UserName")?)?;
                let doc = find_inline(&q, &u.inline, "user", q.req("PolicyName")?)?;
                Ok(
                    json!({"UserName": u.name, "PolicyName": doc.name, "PolicyDocument": doc.document}),
                )
            }
            "ListUserTags" => {
                let u = self.find_user(&q, q.req("UserName")?)?;
                q.page(tags_json(&u.tags), "Tags", json!({}))
            }
            "ListGroups" => {
                let prefix = q.path_prefix();
                let items = self
                    .groups
                    .iter()
                    .filter(|g| g.path.starts_with(prefix))
                    .map(group_json)
                    .collect();
                q.page(items, "Groups", json!({}))
            }
            "GetGroup" => {
                let g = self.find_group(&q, q.req("GroupName")?)?;
                let items = g
                    .members
                    .iter()
                    .map(|&u| self.user(&self.users[u], false))
                    .collect();
                q.page(items, "Users", json!({"Group": group_json(g)}))
            }
            "ListAttachedGroupPolicies" => {
                let g = self.find_group(&q, q.req("GroupName")?)?;
                q.page(
                    self.attached_json(&g.attached, q.path_prefix()),
                    "AttachedPolicies",
                    json!({}),
                )
            }
            "ListGroupPolicies" => {
                let g = self.find_group(&q, q.req("GroupName")?)?;
                q.page(inline_names(&g.inline), "PolicyNames", json!({}))
            }
            "GetGroupPolicy" => {
                let g = self.find_group(&q, q.req("GroupName")?)?;
                let doc = find_inline(&q, &g.inline, "group", q.req("PolicyName")?)?;
                Ok(
                    json!({"GroupName": g.name, "PolicyName": doc.name, "PolicyDocument": doc.document}),
                )
            }
            "ListRoles" => {
                let prefix = q.path_prefix();
                let items = self
                    .roles
                    .iter()
                    .filter(|r| r.path.starts_with(prefix))
                    .map(|r| role_json(r, false))
                    .collect();
                q.page(items, "Roles", json!({}))
            }
            "GetRole" => {
                Ok(json!({"Role": role_json(self.find_role(&q, q.req("RoleName")?)?, true)}))
            }
            "ListRolePolicies" => {
                let r = self.find_role(&q, q.req("RoleName")?)?;
                q.page(inline_names(&r.inline), "PolicyNames", json!({}))
            }
            "GetRolePolicy" => {
                let r = self.find_role(&q, q.req("RoleName")?)?;
                let doc = find_inline(&q, &r.inline, "role", q.req("PolicyName")?)?;
                Ok(
                    json!({"RoleName": r.name, "PolicyName": doc.name, "PolicyDocument": doc.document}),
                )
            }
            "ListAttachedRolePolicies" => {
                let r = self.find_role(&q, q.req("RoleName")?)?;
                q.page(
                    self.attached_json(&r.attached, q.path_prefix()),
                    "AttachedPolicies",
                    json!({}),
                )
            }
            "ListInstanceProfilesForRole" => {
                let r = self.find_role(&q, q.req("RoleName")?)?;
                let items = r
                    .profiles
                    .iter()
                    .map(|&p| self.profile_json(&self.profiles[p], false))
                    .collect();
                q.page(items, "InstanceProfiles", json!({}))
            }
            "ListRoleTags" => {
                let r = self.find_role(&q, q.req("RoleName")?)?;
                q.page(tags_json(&r.tags), "Tags", json!({}))
            }
            "ListPolicies" => self.list_policies(&q),
            "GetPolicy" => {
                Ok(json!({"Policy": policy_json(self.find_policy(&q, q.req("PolicyArn")?)?, true)}))
            }
            "GetPolicyVersion" => {
                let p = self.find_policy(&q, q.req("PolicyArn")?)?;
                let id = q.req("VersionId")?;
                let v = p.versions.iter().find(|v| v.id == id).ok_or_else(|| {
                    q.not_found(&format!(
                        "Policy {} version {id} does not exist or is not attachable.",
                        p.arn
                    ))
                })?;
                Ok(json!({"PolicyVersion": version_json(v, true)}))
            }
            "ListPolicyVersions" => {
                let p = self.find_policy(&q, q.req("PolicyArn")?)?;
                q.page(
                    p.versions.iter().map(|v| version_json(v, false)).collect(),
                    "Versions",
                    json!({}),
                )
            }
            "ListPolicyTags" => {
                let p = self.find_policy(&q, q.req("PolicyArn")?)?;
                q.page(
                    p.tags.as_deref().map(tags_json).unwrap_or_default(),
                    "Tags",
                    json!({}),
                )
            }
            "ListEntitiesForPolicy" => self.entities_for_policy(&q),
            "ListInstanceProfiles" => {
                let prefix = q.path_prefix();
                let items = self
                    .profiles
                    .iter()
                    .filter(|p| p.path.starts_with(prefix))
                    .map(|p| self.profile_json(p, false))
                    .collect();
                q.page(items, "InstanceProfiles", json!({}))
            }
            "GetInstanceProfile" => {
                let name = q.req("InstanceProfileName")?;
                let p = self
                    .by_profile
                    .get(name)
                    .map(|&i| &self.profiles[i])
                    .ok_or_else(|| {
                        q.not_found(&format!("Instance Profile {name} cannot be found."))
                    })?;
                Ok(json!({"InstanceProfile": self.profile_json(p, true)}))
            }
            "GetAccountAuthorizationDetails" => self.authorization_details(&q),
            other => Err(ToolError::internal(format!(
                "{other} is listed as answerable offline but has no answer"
            ))),
        }
    }

    /// [`Self::call`] with a generated operation's typed input and output (both serialize
    /// with AWS's member names): what generated operation functions call offline.
    pub fn call_typed<I: serde::Serialize, O: serde::de::DeserializeOwned>(
        &self,
        op: &'static OperationSpec,
        input: &I,
    ) -> Result<O, ToolError> {
        let input = serde_json::to_value(input)
            .map_err(|e| ToolError::internal(format!("bad input for {}: {e}", op.name)))?;
        let out = self.call(op, input)?;
        serde_json::from_value(out).map_err(|e| {
            ToolError::internal(format!(
                "the account file's answer to {} does not fit its output: {e}",
                op.name
            ))
        })
    }

    // -------------------------------------------------------------- lookups

    fn find_user(&self, q: &Query, name: &str) -> Result<&User, ToolError> {
        self.by_user
            .get(name)
            .map(|&i| &self.users[i])
            .ok_or_else(|| q.not_found(&format!("The user with name {name} cannot be found.")))
    }

    fn find_group(&self, q: &Query, name: &str) -> Result<&Group, ToolError> {
        self.by_group
            .get(name)
            .map(|&i| &self.groups[i])
            .ok_or_else(|| q.not_found(&format!("The group with name {name} cannot be found.")))
    }

    fn find_role(&self, q: &Query, name: &str) -> Result<&Role, ToolError> {
        self.by_role
            .get(name)
            .or_else(|| self.by_role_lower.get(&name.to_lowercase()))
            .map(|&i| &self.roles[i])
            .ok_or_else(|| q.not_found(&format!("The role with name {name} cannot be found.")))
    }

    fn find_policy(&self, q: &Query, arn: &str) -> Result<&Managed, ToolError> {
        self.by_policy
            .get(arn)
            .map(|&i| &self.policies[i])
            .ok_or_else(|| q.not_found(&format!("Policy {arn} was not found.")))
    }

    // -------------------------------------------------------------- shapes

    /// A `User`: lists give what ListUsers gives (no tags, no boundary), GetUser all.
    fn user(&self, u: &User, full: bool) -> Value {
        let mut v = json!({
            "Path": u.path, "UserName": u.name, "UserId": u.id, "Arn": u.arn, "CreateDate": u.create_date,
        });
        if let Some(d) = &u.password_last_used {
            v["PasswordLastUsed"] = json!(d);
        }
        if full {
            if let Some(b) = &u.boundary {
                v["PermissionsBoundary"] = boundary_json(b);
            }
            v["Tags"] = Value::Array(tags_json(&u.tags));
        }
        v
    }

    fn attached_json(&self, attached: &[Attached], prefix: &str) -> Vec<Value> {
        attached
            .iter()
            .filter(|a| {
                prefix == "/"
                    || self
                        .by_policy
                        .get(&a.arn)
                        .and_then(|&i| self.policies[i].path.as_deref())
                        .unwrap_or("/")
                        .starts_with(prefix)
            })
            .map(|a| json!({"PolicyName": a.name, "PolicyArn": a.arn}))
            .collect()
    }

    /// An `InstanceProfile` with its roles (as ListInstanceProfiles shows them: no tags,
    /// boundary or last use); `full` adds the profile's tags.
    fn profile_json(&self, p: &Profile, full: bool) -> Value {
        let roles: Vec<Value> = p
            .roles
            .iter()
            .filter_map(|name| self.by_role.get(name))
            .map(|&r| role_json(&self.roles[r], false))
            .collect();
        let mut v = json!({
            "Path": p.path, "InstanceProfileName": p.name, "InstanceProfileId": p.id, "Arn": p.arn,
            "CreateDate": p.create_date, "Roles": roles,
        });
        if full {
            v["Tags"] = Value::Array(tags_json(&p.tags));
        }
        v
    }

    fn list_policies(&self, q: &Query) -> Result<Value, ToolError> {
        let scope = q.str("Scope").unwrap_or("All");
        let only_attached = q
            .input
            .get("OnlyAttached")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let prefix = q.path_prefix();
        let usage = q.str("PolicyUsageFilter");
        let items = self
            .policies
            .iter()
            .filter(|p| match scope {
                "AWS" => is_aws_managed(&p.arn),
                "Local" => !is_aws_managed(&p.arn),
                _ => true,
            })
            .filter(|p| !only_attached || p.attachment_count.unwrap_or(0) > 0)
            .filter(|p| p.path.as_deref().unwrap_or("/").starts_with(prefix))
            .filter(|p| match usage {
                Some("PermissionsPolicy") => self.used_as(p, false),
                Some("PermissionsBoundary") => self.used_as(p, true),
                _ => true,
            })
            .map(|p| policy_json(p, false))
            .collect();
        q.page(items, "Policies", json!({}))
    }

    /// Whether the policy is attached (`boundary` false) or a boundary somewhere.
    fn used_as(&self, p: &Managed, boundary: bool) -> bool {
        let arn = p.arn.as_str();
        if boundary {
            self.users
                .iter()
                .any(|u| u.boundary.as_ref().is_some_and(|b| b.arn == arn))
                || self
                    .roles
                    .iter()
                    .any(|r| r.boundary.as_ref().is_some_and(|b| b.arn == arn))
        } else {
            self.users
                .iter()
                .any(|u| u.attached.iter().any(|a| a.arn == arn))
                || self
                    .groups
                    .iter()
                    .any(|g| g.attached.iter().any(|a| a.arn == arn))
                || self
                    .roles
                    .iter()
                    .any(|r| r.attached.iter().any(|a| a.arn == arn))
        }
    }

    fn entities_for_policy(&self, q: &Query) -> Result<Value, ToolError> {
        let p = self.find_policy(q, q.req("PolicyArn")?)?;
        let arn = p.arn.as_str();
        let filter = q.str("EntityFilter");
        let prefix = q.path_prefix();
        let usage = q.str("PolicyUsageFilter");
        let uses = |attached: &[Attached], boundary: &Option<Boundary>| {
            let as_policy = attached.iter().any(|a| a.arn == arn);
            let as_boundary = boundary.as_ref().is_some_and(|b| b.arn == arn);
            match usage {
                Some("PermissionsBoundary") => as_boundary,
                Some("PermissionsPolicy") => as_policy,
                _ => as_policy || as_boundary,
            }
        };
        let wants = |kind: &str| filter.is_none_or(|f| f == kind);
        // One sequence across the three lists, paged as one, as IAM pages it.
        let mut items: Vec<(&str, Value)> = Vec::new();
        if wants("Group") {
            for g in self
                .groups
                .iter()
                .filter(|g| g.path.starts_with(prefix) && uses(&g.attached, &None))
            {
                items.push((
                    "PolicyGroups",
                    json!({"GroupName": g.name, "GroupId": g.id}),
                ));
            }
        }
        if wants("User") {
            for u in self
                .users
                .iter()
                .filter(|u| u.path.starts_with(prefix) && uses(&u.attached, &u.boundary))
            {
                items.push(("PolicyUsers", json!({"UserName": u.name, "UserId": u.id})));
            }
        }
        if wants("Role") {
            for r in self
                .roles
                .iter()
                .filter(|r| r.path.starts_with(prefix) && uses(&r.attached, &r.boundary))
            {
                items.push(("PolicyRoles", json!({"RoleName": r.name, "RoleId": r.id})));
            }
        }
        q.page_mixed(items, &["PolicyGroups", "PolicyUsers", "PolicyRoles"])
    }

    fn authorization_details(&self, q: &Query) -> Result<Value, ToolError> {
        let filter: Vec<&str> = q
            .input
            .get("Filter")
            .and_then(Value::as_array)
            .map(|f| f.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let wants = |kind: &str| filter.is_empty() || filter.contains(&kind);
        let mut items: Vec<(&str, Value)> = Vec::new();
        if wants("User") {
            for u in &self.users {
                let mut v = self.user(u, true);
                v["UserPolicyList"] = inline_details(&u.inline);
                v["GroupList"] = json!(u.groups);
                v["AttachedManagedPolicies"] = Value::Array(self.attached_json(&u.attached, "/"));
                items.push(("UserDetailList", v));
            }
        }
        if wants("Group") {
            for g in &self.groups {
                let mut v = group_json(g);
                v["GroupPolicyList"] = inline_details(&g.inline);
                v["AttachedManagedPolicies"] = Value::Array(self.attached_json(&g.attached, "/"));
                items.push(("GroupDetailList", v));
            }
        }
        if wants("Role") {
            for r in &self.roles {
                let mut v = role_json(r, true);
                v["InstanceProfileList"] = Value::Array(
                    r.profiles
                        .iter()
                        .map(|&p| self.profile_json(&self.profiles[p], false))
                        .collect(),
                );
                v["RolePolicyList"] = inline_details(&r.inline);
                v["AttachedManagedPolicies"] = Value::Array(self.attached_json(&r.attached, "/"));
                items.push(("RoleDetailList", v));
            }
        }
        for p in &self.policies {
            let kind = if is_aws_managed(&p.arn) {
                "AWSManagedPolicy"
            } else {
                "LocalManagedPolicy"
            };
            if wants(kind) {
                let mut v = policy_json(p, true);
                v["PolicyVersionList"] =
                    Value::Array(p.versions.iter().map(|v| version_json(v, true)).collect());
                items.push(("Policies", v));
            }
        }
        q.page_mixed(
            items,
            &[
                "UserDetailList",
                "GroupDetailList",
                "RoleDetailList",
                "Policies",
            ],
        )
    }
}

fn is_aws_managed(arn: &str) -> bool {
    arn.contains(":aws:policy/")
}

fn tags_json(tags: &[Tag]) -> Vec<Value> {
    tags.iter()
        .map(|t| json!({"Key": t.key, "Value": t.value}))
        .collect()
}

fn boundary_json(b: &Boundary) -> Value {
    json!({"PermissionsBoundaryType": b.ty, "PermissionsBoundaryArn": b.arn})
}

fn group_json(g: &Group) -> Value {
    json!({"Path": g.path, "GroupName": g.name, "GroupId": g.id, "Arn": g.arn, "CreateDate": g.create_date})
}

/// A `Role`: lists give what ListRoles gives (no boundary, tags or last use), GetRole all.
fn role_json(r: &Role, full: bool) -> Value {
    let mut v = json!({"Path": r.path, "RoleName": r.name, "RoleId": r.id, "Arn": r.arn, "CreateDate": r.create_date});
    if let Some(doc) = &r.trust {
        v["AssumeRolePolicyDocument"] = doc.clone();
    }
    if let Some(d) = &r.description {
        v["Description"] = json!(d);
    }
    if let Some(m) = r.max_session_duration {
        v["MaxSessionDuration"] = json!(m);
    }
    if full {
        if let Some(b) = &r.boundary {
            v["PermissionsBoundary"] = boundary_json(b);
        }
        v["Tags"] = Value::Array(tags_json(&r.tags));
        if let Some((date, region)) = &r.last_used {
            let mut last = json!({});
            if let Some(d) = date {
                last["LastUsedDate"] = json!(d);
            }
            if let Some(r) = region {
                last["Region"] = json!(r);
            }
            v["RoleLastUsed"] = last;
        }
    }
    v
}

/// A `Policy`: ListPolicies gives no description or tags; GetPolicy does.
fn policy_json(p: &Managed, full: bool) -> Value {
    let mut v = json!({"PolicyName": p.name, "Arn": p.arn, "IsAttachable": p.is_attachable});
    let mut set = |k: &str, val: Option<Value>| {
        if let Some(val) = val {
            v[k] = val;
        }
    };
    set("PolicyId", p.id.as_ref().map(|x| json!(x)));
    set("Path", p.path.as_ref().map(|x| json!(x)));
    set(
        "DefaultVersionId",
        p.default_version.as_ref().map(|x| json!(x)),
    );
    set("AttachmentCount", p.attachment_count.map(|x| json!(x)));
    set(
        "PermissionsBoundaryUsageCount",
        p.boundary_usage_count.map(|x| json!(x)),
    );
    set("CreateDate", p.create_date.as_ref().map(|x| json!(x)));
    set("UpdateDate", p.update_date.as_ref().map(|x| json!(x)));
    if full {
        set("Description", p.description.as_ref().map(|x| json!(x)));
        set(
            "Tags",
            p.tags.as_deref().map(|t| Value::Array(tags_json(t))),
        );
    }
    v
}

/// A `PolicyVersion`; ListPolicyVersions gives no document.
fn version_json(v: &Version, document: bool) -> Value {
    let mut out = json!({"VersionId": v.id, "IsDefaultVersion": v.is_default});
    if let Some(d) = &v.create_date {
        out["CreateDate"] = json!(d);
    }
    if document && let Some(doc) = &v.document {
        out["Document"] = doc.clone();
    }
    out
}

fn inline_names(inline: &[Inline]) -> Vec<Value> {
    inline.iter().map(|p| json!(p.name)).collect()
}

fn inline_details(inline: &[Inline]) -> Value {
    Value::Array(
        inline
            .iter()
            .map(|p| json!({"PolicyName": p.name, "PolicyDocument": p.document}))
            .collect(),
    )
}

fn find_inline<'a>(
    q: &Query,
    inline: &'a [Inline],
    kind: &str,
    name: &str,
) -> Result<&'a Inline, ToolError> {
    inline.iter().find(|p| p.name == name).ok_or_else(|| {
        q.not_found(&format!(
            "The {kind} policy with name {name} cannot be found."
        ))
    })
}

// ------------------------------------------------------------------ queries and pages

/// One operation call: its spec and input.
struct Query<'a> {
    op: &'static OperationSpec,
    input: &'a Value,
}

/// Markers of the file backend: opaque to callers, an offset to us.
const MARKER_PREFIX: &str = "offline-";

impl Query<'_> {
    fn str(&self, key: &str) -> Option<&str> {
        self.input.get(key).and_then(Value::as_str)
    }

    fn req(&self, key: &str) -> Result<&str, ToolError> {
        self.str(key).ok_or_else(|| {
            ToolError::service(self.op, "ValidationError", &format!("{key} is required"))
        })
    }

    fn path_prefix(&self) -> &str {
        self.str("PathPrefix").unwrap_or("/")
    }

    fn not_found(&self, message: &str) -> ToolError {
        ToolError::service(self.op, "NoSuchEntity", message)
    }

    /// The window `[start, end)` of `total` items this call asks for, and the next marker.
    fn window(&self, total: usize) -> Result<(usize, usize, Option<String>), ToolError> {
        let max = match self.input.get("MaxItems").and_then(Value::as_i64) {
            None => DEFAULT_MAX_ITEMS,
            Some(n) if (1..=1000).contains(&n) => n as usize,
            Some(n) => {
                return Err(ToolError::service(
                    self.op,
                    "ValidationError",
                    &format!(
                        "1 validation error detected: Value '{n}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000"
                    ),
                ));
            }
        };
        let start = match self.str("Marker") {
            None => 0,
            Some(m) => m
                .strip_prefix(MARKER_PREFIX)
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|&n| n <= total)
                .ok_or_else(|| {
                    ToolError::service(self.op, "InvalidInput", &format!("Invalid Marker: {m}"))
                })?,
        };
        let end = start.saturating_add(max).min(total);
        let next = (end < total).then(|| format!("{MARKER_PREFIX}{end}"));
        Ok((start, end, next))
    }

    /// `base` with the page of `items` under `field`, `IsTruncated` and `Marker`.
    fn page(&self, items: Vec<Value>, field: &str, mut base: Value) -> Result<Value, ToolError> {
        let (start, end, next) = self.window(items.len())?;
        let page: Vec<Value> = items.into_iter().skip(start).take(end - start).collect();
        base[field] = Value::Array(page);
        finish(&mut base, next);
        Ok(base)
    }

    /// One page over items of several lists, each tagged with its list.
    fn page_mixed(&self, items: Vec<(&str, Value)>, fields: &[&str]) -> Result<Value, ToolError> {
        let (start, end, next) = self.window(items.len())?;
        let mut out = json!({});
        for f in fields {
            out[*f] = json!([]);
        }
        for (field, v) in items.into_iter().skip(start).take(end - start) {
            if let Some(Value::Array(list)) = out.get_mut(field) {
                list.push(v);
            }
        }
        finish(&mut out, next);
        Ok(out)
    }
}

fn finish(out: &mut Value, next: Option<String>) {
    out["IsTruncated"] = json!(next.is_some());
    if let Some(m) = next {
        out["Marker"] = json!(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Access;

    static GET_USER: OperationSpec = OperationSpec {
        name: "GetUser",
        action: "iam:GetUser",
        access: Access::Read,
    };
    static LIST_USERS: OperationSpec = OperationSpec {
        name: "ListUsers",
        action: "iam:ListUsers",
        access: Access::Read,
    };
    static LIST_ACCESS_KEYS: OperationSpec = OperationSpec {
        name: "ListAccessKeys",
        action: "iam:ListAccessKeys",
        access: Access::Read,
    };

    fn sample() -> Value {
        json!({
            "UserDetailList": [
                {"Path": "/", "UserName": "alice", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/alice",
                 "CreateDate": "2020-01-02T03:04:05+00:00", "GroupList": ["devs"],
                 "AttachedManagedPolicies": [{"PolicyName": "P", "PolicyArn": "arn:aws:iam::111122223333:policy/P"}],
                 "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D"}],
                 "Tags": [{"Key": "team", "Value": "a"}]},
                {"Path": "/x/", "UserName": "bob", "UserId": "AIDA2", "Arn": "arn:aws:iam::111122223333:user/x/bob",
                 "CreateDate": "2020-01-02T03:04:05Z"}
            ],
            "GroupDetailList": [
                {"Path": "/", "GroupName": "devs", "GroupId": "AGPA1", "Arn": "arn:aws:iam::111122223333:group/devs", "CreateDate": "2020-01-02T03:04:05Z"}
            ],
            "RoleDetailList": [],
            "Policies": [
                {"PolicyName": "P", "Arn": "arn:aws:iam::111122223333:policy/P", "DefaultVersionId": "v1",
                 "PolicyVersionList": [{"Document": {"Version": "2012-10-17"}, "VersionId": "v1", "IsDefaultVersion": true}]}
            ]
        })
    }

    fn load(v: &Value) -> Result<AccountFile, LoadError> {
        AccountFile::parse(&v.to_string(), "test.json", None)
    }

    #[test]
    fn answers_reads_in_aws_shape() {
        let f = load(&sample()).unwrap();
        assert_eq!(f.account_id(), Some("111122223333"));
        let u = f.call(&GET_USER, json!({"UserName": "alice"})).unwrap();
        assert_eq!(u["User"]["CreateDate"], "2020-01-02T03:04:05Z");
        assert_eq!(u["User"]["Tags"][0]["Key"], "team");
        let page = f.call(&LIST_USERS, json!({"MaxItems": 1})).unwrap();
        assert_eq!(page["IsTruncated"], true);
        let next = f
            .call(
                &LIST_USERS,
                json!({"MaxItems": 1, "Marker": page["Marker"]}),
            )
            .unwrap();
        assert_eq!(next["Users"][0]["UserName"], "bob");
        assert_eq!(next["IsTruncated"], false);
        let e = f.call(&GET_USER, json!({"UserName": "carol"})).unwrap_err();
        assert!(
            e.render()
                .starts_with("User 'carol' not found. (The user with name carol cannot be found.)"),
            "{}",
            e.render()
        );
        assert!(f.call(&LIST_ACCESS_KEYS, json!({})).is_err());
    }

    #[test]
    fn bad_files_say_where() {
        let e = AccountFile::parse("{\"UserDetailList\": [", "f.json", None)
            .unwrap_err()
            .0;
        assert!(e.contains("line 1 column"), "{e}");
        let mut v = sample();
        v["UserDetailList"][1]["CreateDate"] = json!(5);
        let e = load(&v).unwrap_err().0;
        assert!(
            e.contains(
                "UserDetailList[1] (user bob).CreateDate: expected a string, found number 5"
            ),
            "{e}"
        );
        let mut v = sample();
        v["Policies"] = json!([]);
        let e = load(&v).unwrap_err().0;
        assert!(e.contains("user alice has attached policy arn:aws:iam::111122223333:policy/P, which is not defined in Policies"), "{e}");
        let mut v = sample();
        v["GroupDetailList"] = json!([]);
        let e = load(&v).unwrap_err().0;
        assert!(e.contains("user alice is in group devs"), "{e}");
    }

    #[test]
    fn pages_merge() {
        let mut second = sample();
        second["UserDetailList"] = json!([]);
        second["GroupDetailList"] = json!([]);
        second["Policies"] = json!([]);
        let mut first = sample();
        first["RoleDetailList"] = json!([]);
        let f = load(&json!([first, {"RoleDetailList": []}])).unwrap();
        assert_eq!(f.counts(), (2, 1, 0, 1));
    }
}
