//! Loading an account file: every page read and checked, every problem named with the file,
//! the place and what is wrong; then indexed.

use super::model::*;
use crate::codec::{decode_document, rfc3339};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;
// ------------------------------------------------------------------ loading

/// One JSON object being read, with the path that names it in errors.
pub(super) struct Obj {
    map: Map<String, Value>,
    what: String,
}

pub(super) fn kind_of(v: &Value) -> String {
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
    pub(super) fn new(value: Value, what: String) -> Result<Obj, LoadError> {
        match value {
            Value::Object(map) => Ok(Obj { map, what }),
            other => Err(LoadError(format!(
                "{what}: expected an object, found {}",
                kind_of(&other)
            ))),
        }
    }

    pub(super) fn wrong(&self, key: &str, expected: &str, got: &Value) -> LoadError {
        LoadError(format!(
            "{}.{key}: expected {expected}, found {}",
            self.what,
            kind_of(got)
        ))
    }

    pub(super) fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    pub(super) fn opt_string(&mut self, key: &str) -> Result<Option<String>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong(key, "a string", &other)),
        }
    }

    pub(super) fn string(&mut self, key: &str) -> Result<String, LoadError> {
        self.opt_string(key)?
            .ok_or_else(|| LoadError(format!("{}: {key} is missing", self.what)))
    }

    /// A date, normalized to the RFC 3339 form the live backend prints (offsets allowed,
    /// as the CLI prints `+00:00`).
    pub(super) fn opt_date(&mut self, key: &str) -> Result<Option<String>, LoadError> {
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

    pub(super) fn date(&mut self, key: &str) -> Result<String, LoadError> {
        self.opt_date(key)?
            .ok_or_else(|| LoadError(format!("{}: {key} is missing", self.what)))
    }

    pub(super) fn opt_int(&mut self, key: &str) -> Result<Option<i64>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(other) => Err(self.wrong(key, "an integer", &other)),
        }
    }

    pub(super) fn opt_bool(&mut self, key: &str) -> Result<Option<bool>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(self.wrong(key, "true or false", &other)),
        }
    }

    pub(super) fn list(&mut self, key: &str) -> Result<Vec<Value>, LoadError> {
        match self.take(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(list)) => Ok(list),
            Some(other) => Err(self.wrong(key, "a list", &other)),
        }
    }

    pub(super) fn objects(&mut self, key: &str) -> Result<Vec<Obj>, LoadError> {
        let what = self.what.clone();
        self.list(key)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| Obj::new(v, format!("{what}.{key}[{i}]")))
            .collect()
    }

    pub(super) fn strings(&mut self, key: &str) -> Result<Vec<String>, LoadError> {
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

    pub(super) fn object(&mut self, key: &str) -> Result<Option<Obj>, LoadError> {
        let what = format!("{}.{key}", self.what);
        self.take(key).map(|v| Obj::new(v, what)).transpose()
    }

    /// A policy document: a JSON object (as the CLI prints) or a string, percent-encoded
    /// (as the API returns) or plain JSON.
    pub(super) fn opt_document(&mut self, key: &str) -> Result<Option<Value>, LoadError> {
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

    pub(super) fn tags(&mut self) -> Result<Vec<Tag>, LoadError> {
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

    pub(super) fn attached(&mut self) -> Result<Vec<Attached>, LoadError> {
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

    pub(super) fn inline(&mut self, key: &str) -> Result<Vec<Inline>, LoadError> {
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

    /// `LoginProfile`, which the export of AWS lacks and a file may add: an object (the
    /// user has a console password) or null (it has none); absent: not known.
    pub(super) fn login_profile(&mut self) -> Result<Option<Value>, LoadError> {
        match self.take("LoginProfile") {
            None => Ok(None),
            Some(v @ (Value::Null | Value::Object(_))) => Ok(Some(v)),
            Some(other) => Err(LoadError(format!(
                "{}.LoginProfile: expected an object (the user has a console password) or null (it has none), found {}",
                self.what,
                kind_of(&other)
            ))),
        }
    }

    pub(super) fn boundary(&mut self) -> Result<Option<Boundary>, LoadError> {
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
pub(super) fn entity(
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
pub(super) struct Raw {
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
    pub(super) fn page(&mut self, page: Value, at: &str) -> Result<(), LoadError> {
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
                login_profile: u.login_profile()?,
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

pub(super) fn index<T>(
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
            origin: None,
            recorded_at: taken_at,
            modified_at: mtime,
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
}
