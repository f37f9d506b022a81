//! Answers, in the live backend's output shape, to every read operation a file can hold.

use super::model::*;
use super::page::Query;
use crate::catalog::OperationSpec;
use crate::error::ToolError;
use serde_json::{Value, json};
/// One operation's answer from the file.
type Answer = for<'a> fn(&AccountFile, &Query<'a>) -> Result<Value, ToolError>;

/// Every operation an account file answers, with its answer (ListPolicyTags only when the
/// file records policies' tags).
const ANSWERS: &[(&str, Answer)] = &[
    ("ListUsers", |file, q| {
        let prefix = q.path_prefix();
        let items = file
            .users
            .iter()
            .filter(|u| u.path.starts_with(prefix))
            .map(|u| file.user(u, false))
            .collect();
        q.page(items, "Users", json!({}))
    }),
    ("GetUser", |file, q| {
        let Some(name) = q.str("UserName") else {
            return Err(ToolError::invalid_arguments(
                "An account file has no caller: name the user (user_name).",
            ));
        };
        Ok(json!({ "User": file.user(file.find_user(q, name)?, true) }))
    }),
    ("ListGroupsForUser", |file, q| {
        let u = file.find_user(q, q.req("UserName")?)?;
        let items = u
            .groups
            .iter()
            .filter_map(|g| file.by_group.get(g))
            .map(|&g| group_json(&file.groups[g]))
            .collect();
        q.page(items, "Groups", json!({}))
    }),
    ("ListAttachedUserPolicies", |file, q| {
        let u = file.find_user(q, q.req("UserName")?)?;
        q.page(
            file.attached_json(&u.attached, q.path_prefix()),
            "AttachedPolicies",
            json!({}),
        )
    }),
    ("ListUserPolicies", |file, q| {
        let u = file.find_user(q, q.req("UserName")?)?;
        q.page(inline_names(&u.inline), "PolicyNames", json!({}))
    }),
    ("GetUserPolicy", |file, q| {
        let u = file.find_user(q, q.req("UserName")?)?;
        let doc = find_inline(q, &u.inline, "user", q.req("PolicyName")?)?;
        Ok(json!({"UserName": u.name, "PolicyName": doc.name, "PolicyDocument": doc.document}))
    }),
    ("ListUserTags", |file, q| {
        let u = file.find_user(q, q.req("UserName")?)?;
        q.page(tags_json(&u.tags), "Tags", json!({}))
    }),
    ("ListGroups", |file, q| {
        let prefix = q.path_prefix();
        let items = file
            .groups
            .iter()
            .filter(|g| g.path.starts_with(prefix))
            .map(group_json)
            .collect();
        q.page(items, "Groups", json!({}))
    }),
    ("GetGroup", |file, q| {
        let g = file.find_group(q, q.req("GroupName")?)?;
        let items = g
            .members
            .iter()
            .map(|&u| file.user(&file.users[u], false))
            .collect();
        q.page(items, "Users", json!({"Group": group_json(g)}))
    }),
    ("ListAttachedGroupPolicies", |file, q| {
        let g = file.find_group(q, q.req("GroupName")?)?;
        q.page(
            file.attached_json(&g.attached, q.path_prefix()),
            "AttachedPolicies",
            json!({}),
        )
    }),
    ("ListGroupPolicies", |file, q| {
        let g = file.find_group(q, q.req("GroupName")?)?;
        q.page(inline_names(&g.inline), "PolicyNames", json!({}))
    }),
    ("GetGroupPolicy", |file, q| {
        let g = file.find_group(q, q.req("GroupName")?)?;
        let doc = find_inline(q, &g.inline, "group", q.req("PolicyName")?)?;
        Ok(json!({"GroupName": g.name, "PolicyName": doc.name, "PolicyDocument": doc.document}))
    }),
    ("ListRoles", |file, q| {
        let prefix = q.path_prefix();
        let items = file
            .roles
            .iter()
            .filter(|r| r.path.starts_with(prefix))
            .map(|r| role_json(r, false))
            .collect();
        q.page(items, "Roles", json!({}))
    }),
    ("GetRole", |file, q| {
        Ok(json!({"Role": role_json(file.find_role(q, q.req("RoleName")?)?, true)}))
    }),
    ("ListRolePolicies", |file, q| {
        let r = file.find_role(q, q.req("RoleName")?)?;
        q.page(inline_names(&r.inline), "PolicyNames", json!({}))
    }),
    ("GetRolePolicy", |file, q| {
        let r = file.find_role(q, q.req("RoleName")?)?;
        let doc = find_inline(q, &r.inline, "role", q.req("PolicyName")?)?;
        Ok(json!({"RoleName": r.name, "PolicyName": doc.name, "PolicyDocument": doc.document}))
    }),
    ("ListAttachedRolePolicies", |file, q| {
        let r = file.find_role(q, q.req("RoleName")?)?;
        q.page(
            file.attached_json(&r.attached, q.path_prefix()),
            "AttachedPolicies",
            json!({}),
        )
    }),
    ("ListInstanceProfilesForRole", |file, q| {
        let r = file.find_role(q, q.req("RoleName")?)?;
        let items = r
            .profiles
            .iter()
            .map(|&p| file.profile_json(&file.profiles[p], false))
            .collect();
        q.page(items, "InstanceProfiles", json!({}))
    }),
    ("ListRoleTags", |file, q| {
        let r = file.find_role(q, q.req("RoleName")?)?;
        q.page(tags_json(&r.tags), "Tags", json!({}))
    }),
    ("ListPolicies", |file, q| file.list_policies(q)),
    ("GetPolicy", |file, q| {
        Ok(json!({"Policy": policy_json(file.find_policy(q, q.req("PolicyArn")?)?, true)}))
    }),
    ("GetPolicyVersion", |file, q| {
        let p = file.find_policy(q, q.req("PolicyArn")?)?;
        let id = q.req("VersionId")?;
        let v = p.versions.iter().find(|v| v.id == id).ok_or_else(|| {
            q.not_found(&format!(
                "Policy {} version {id} does not exist or is not attachable.",
                p.arn
            ))
        })?;
        Ok(json!({"PolicyVersion": version_json(v, true)}))
    }),
    ("ListPolicyVersions", |file, q| {
        let p = file.find_policy(q, q.req("PolicyArn")?)?;
        q.page(
            p.versions.iter().map(|v| version_json(v, false)).collect(),
            "Versions",
            json!({}),
        )
    }),
    ("ListPolicyTags", |file, q| {
        let p = file.find_policy(q, q.req("PolicyArn")?)?;
        q.page(
            p.tags.as_deref().map(tags_json).unwrap_or_default(),
            "Tags",
            json!({}),
        )
    }),
    ("ListEntitiesForPolicy", |file, q| {
        file.entities_for_policy(q)
    }),
    ("ListInstanceProfiles", |file, q| {
        let prefix = q.path_prefix();
        let items = file
            .profiles
            .iter()
            .filter(|p| p.path.starts_with(prefix))
            .map(|p| file.profile_json(p, false))
            .collect();
        q.page(items, "InstanceProfiles", json!({}))
    }),
    ("GetInstanceProfile", |file, q| {
        let name = q.req("InstanceProfileName")?;
        let p = file
            .by_profile
            .get(name)
            .map(|&i| &file.profiles[i])
            .ok_or_else(|| q.not_found(&format!("Instance Profile {name} cannot be found.")))?;
        Ok(json!({"InstanceProfile": file.profile_json(p, true)}))
    }),
    ("GetAccountAuthorizationDetails", |file, q| {
        file.authorization_details(q)
    }),
];

impl AccountFile {
    /// Whether operation `name` can be answered from this file.
    pub fn answers(&self, name: &str) -> bool {
        ANSWERS.iter().any(|(n, _)| *n == name)
            && (name != "ListPolicyTags" || self.policy_tags_known)
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
        match ANSWERS.iter().find(|(name, _)| *name == op.name) {
            Some((_, answer)) => answer(self, &q),
            None => Err(ToolError::internal(format!(
                "{} is listed as answerable offline but has no answer",
                op.name
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

    pub(super) fn find_user(&self, q: &Query, name: &str) -> Result<&User, ToolError> {
        self.by_user
            .get(name)
            .map(|&i| &self.users[i])
            .ok_or_else(|| q.not_found(&format!("The user with name {name} cannot be found.")))
    }

    pub(super) fn find_group(&self, q: &Query, name: &str) -> Result<&Group, ToolError> {
        self.by_group
            .get(name)
            .map(|&i| &self.groups[i])
            .ok_or_else(|| q.not_found(&format!("The group with name {name} cannot be found.")))
    }

    pub(super) fn find_role(&self, q: &Query, name: &str) -> Result<&Role, ToolError> {
        self.by_role
            .get(name)
            .or_else(|| self.by_role_lower.get(&name.to_lowercase()))
            .map(|&i| &self.roles[i])
            .ok_or_else(|| q.not_found(&format!("The role with name {name} cannot be found.")))
    }

    pub(super) fn find_policy(&self, q: &Query, arn: &str) -> Result<&Managed, ToolError> {
        self.by_policy
            .get(arn)
            .map(|&i| &self.policies[i])
            .ok_or_else(|| q.not_found(&format!("Policy {arn} was not found.")))
    }

    // -------------------------------------------------------------- shapes

    /// A `User`: lists give what ListUsers gives (no tags, no boundary), GetUser all.
    pub(super) fn user(&self, u: &User, full: bool) -> Value {
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

    pub(super) fn attached_json(&self, attached: &[Attached], prefix: &str) -> Vec<Value> {
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
    pub(super) fn profile_json(&self, p: &Profile, full: bool) -> Value {
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

    pub(super) fn list_policies(&self, q: &Query) -> Result<Value, ToolError> {
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
    pub(super) fn used_as(&self, p: &Managed, boundary: bool) -> bool {
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

    pub(super) fn entities_for_policy(&self, q: &Query) -> Result<Value, ToolError> {
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

    pub(super) fn authorization_details(&self, q: &Query) -> Result<Value, ToolError> {
        let filter: Vec<&str> = q
            .input
            .get("Filter")
            .and_then(Value::as_array)
            .map(|f| f.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        q.page_mixed(
            self.detail_items(&filter),
            &[
                "UserDetailList",
                "GroupDetailList",
                "RoleDetailList",
                "Policies",
            ],
        )
    }

    /// The whole file as one GetAccountAuthorizationDetails answer (every list, no page),
    /// with what the file adds to AWS's export (`LoginProfile`): what the account model
    /// of the analysis tools is read from.
    pub fn details(&self) -> Value {
        let mut out = json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
        for (list, item) in self.detail_items(&[]) {
            if let Some(Value::Array(items)) = out.get_mut(list) {
                items.push(item);
            }
        }
        out
    }

    /// The detail items of the kinds `filter` names (all when empty), with their lists.
    fn detail_items(&self, filter: &[&str]) -> Vec<(&'static str, Value)> {
        let wants = |kind: &str| filter.is_empty() || filter.contains(&kind);
        let mut items: Vec<(&'static str, Value)> = Vec::new();
        if wants("User") {
            for u in &self.users {
                let mut v = self.user(u, true);
                v["UserPolicyList"] = inline_details(&u.inline);
                v["GroupList"] = json!(u.groups);
                if let Some(profile) = &u.login_profile {
                    v["LoginProfile"] = profile.clone();
                }
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
        items
    }
}

pub(super) fn is_aws_managed(arn: &str) -> bool {
    arn.contains(":aws:policy/")
}

pub(super) fn tags_json(tags: &[Tag]) -> Vec<Value> {
    tags.iter()
        .map(|t| json!({"Key": t.key, "Value": t.value}))
        .collect()
}

pub(super) fn boundary_json(b: &Boundary) -> Value {
    json!({"PermissionsBoundaryType": b.ty, "PermissionsBoundaryArn": b.arn})
}

pub(super) fn group_json(g: &Group) -> Value {
    json!({"Path": g.path, "GroupName": g.name, "GroupId": g.id, "Arn": g.arn, "CreateDate": g.create_date})
}

/// A `Role`: lists give what ListRoles gives (no boundary, tags or last use), GetRole all.
pub(super) fn role_json(r: &Role, full: bool) -> Value {
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
pub(super) fn policy_json(p: &Managed, full: bool) -> Value {
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
pub(super) fn version_json(v: &Version, document: bool) -> Value {
    let mut out = json!({"VersionId": v.id, "IsDefaultVersion": v.is_default});
    if let Some(d) = &v.create_date {
        out["CreateDate"] = json!(d);
    }
    if document && let Some(doc) = &v.document {
        out["Document"] = doc.clone();
    }
    out
}

pub(super) fn inline_names(inline: &[Inline]) -> Vec<Value> {
    inline.iter().map(|p| json!(p.name)).collect()
}

pub(super) fn inline_details(inline: &[Inline]) -> Value {
    Value::Array(
        inline
            .iter()
            .map(|p| json!({"PolicyName": p.name, "PolicyDocument": p.document}))
            .collect(),
    )
}

pub(super) fn find_inline<'a>(
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
