//! The model from GetAccountAuthorizationDetails' answer: `UserDetailList`,
//! `GroupDetailList`, `RoleDetailList` and `Policies`, documents as JSON objects or as
//! strings (plain or percent-encoded, as IAM returns them).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::{Account, Inline, Kind, ManagedPolicy, Principal};
use crate::Policy;

fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Above this many documents they are parsed on the machine's cores.
const PARALLEL_FROM: usize = 256;

type Parsed = (Arc<Policy>, Vec<crate::PolicyProblem>);

/// Every policy document of the details (managed policy versions, inline policies, trust
/// policies), parsed, by the address of its JSON value.
fn parse_all(details: &Value) -> HashMap<*const Value, Parsed> {
    let mut docs: Vec<&Value> = Vec::new();
    for p in list(details, "Policies") {
        for v in list(p, "PolicyVersionList") {
            docs.extend(v.get("Document"));
        }
    }
    for (key, inline) in [
        ("GroupDetailList", "GroupPolicyList"),
        ("UserDetailList", "UserPolicyList"),
        ("RoleDetailList", "RolePolicyList"),
    ] {
        for x in list(details, key) {
            for i in list(x, inline) {
                docs.extend(i.get("PolicyDocument"));
            }
            docs.extend(x.get("AssumeRolePolicyDocument"));
        }
    }
    let parse = |doc: &Value| {
        let (policy, problems) = Policy::parse_lenient(doc);
        (Arc::new(policy), problems)
    };
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get().min(8));
    let parsed: Vec<(*const Value, Parsed)> = if docs.len() < PARALLEL_FROM || threads < 2 {
        docs.iter()
            .map(|d| (std::ptr::from_ref(*d), parse(d)))
            .collect()
    } else {
        let docs = &docs;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    scope.spawn(move || {
                        docs.iter()
                            .skip(t)
                            .step_by(threads)
                            .map(|d| (std::ptr::from_ref(*d) as usize, parse(d)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .map(|(address, p)| (address as *const Value, p))
                .collect()
        })
    };
    parsed.into_iter().collect()
}

impl Account {
    /// The model of a GetAccountAuthorizationDetails answer (all pages merged).
    /// Nothing in it is refused: what cannot be read is left out and said in
    /// [`Account::notes`].
    pub fn from_details(details: &Value) -> Account {
        let mut account = Account::default();
        // Every document is parsed first, on the machine's cores, then taken by address.
        let parsed = parse_all(details);
        let parse = |doc: &Value, what: &dyn Fn() -> String, notes: &mut Vec<String>| {
            let owned;
            let (policy, problems) = match parsed.get(&std::ptr::from_ref(doc)) {
                Some((policy, problems)) => (policy.clone(), problems.as_slice()),
                None => {
                    let (policy, problems) = Policy::parse_lenient(doc);
                    owned = problems;
                    (Arc::new(policy), owned.as_slice())
                }
            };
            if let Some(first) = problems.first() {
                notes.push(format!(
                    "{}: {} problem(s) the engine cannot read, first {first}; those parts grant and deny nothing here",
                    what(),
                    problems.len()
                ));
            }
            policy
        };
        let mut notes = Vec::new();

        for p in list(details, "Policies") {
            let arn = text(p, "Arn");
            if arn.is_empty() {
                continue;
            }
            let name = match text(p, "PolicyName") {
                "" => arn.rsplit('/').next().unwrap_or(arn),
                n => n,
            };
            let default_version = text(p, "DefaultVersionId").to_string();
            let mut versions = Vec::new();
            let mut default = None;
            for v in list(p, "PolicyVersionList") {
                let Some(doc) = v.get("Document") else {
                    continue;
                };
                let id = text(v, "VersionId").to_string();
                let policy = parse(
                    doc,
                    &|| format!("managed policy {arn} version {id}"),
                    &mut notes,
                );
                if v.get("IsDefaultVersion") == Some(&Value::Bool(true)) || id == default_version {
                    default = Some(policy.clone());
                }
                versions.push((id, policy));
            }
            let Some(default) = default.or_else(|| versions.first().map(|v| v.1.clone())) else {
                notes.push(format!(
                    "managed policy {arn}: the details hold no document of it; it grants nothing here"
                ));
                continue;
            };
            account
                .by_policy
                .insert(arn.to_string(), account.policies.len());
            account.policies.push(ManagedPolicy {
                arn: arn.to_string(),
                name: name.to_string(),
                aws_managed: arn.contains(":iam::aws:policy/"),
                default_version,
                versions,
                default,
            });
        }

        let missing = |arn: &str, notes: &mut Vec<String>| {
            let note = format!(
                "managed policy {arn} is attached but not in the details; it grants nothing here"
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
        };
        let attached = |v: &Value, account: &Account, notes: &mut Vec<String>| {
            list(v, "AttachedManagedPolicies")
                .iter()
                .filter_map(|a| {
                    let arn = text(a, "PolicyArn");
                    let found = account.policy(arn);
                    if found.is_none() {
                        missing(arn, notes);
                    }
                    found
                })
                .collect::<Vec<_>>()
        };
        let boundary = |v: &Value, account: &Account, notes: &mut Vec<String>| {
            let arn = v
                .get("PermissionsBoundary")
                .map(|b| text(b, "PermissionsBoundaryArn"))
                .filter(|a| !a.is_empty())?;
            let found = account.policy(arn);
            if found.is_none() {
                notes.push(format!(
                    "permissions boundary {arn} is not in the details; the principals it bounds are taken to have no boundary"
                ));
            }
            found
        };
        let inline = |v: &Value, key: &str, owner: &str, notes: &mut Vec<String>| {
            list(v, key)
                .iter()
                .filter_map(|i| {
                    let name = text(i, "PolicyName");
                    let doc = i.get("PolicyDocument")?;
                    Some(Inline {
                        name: name.to_string(),
                        policy: parse(doc, &|| format!("inline policy {name} of {owner}"), notes),
                    })
                })
                .collect::<Vec<_>>()
        };
        let principal = |kind, name: &str, arn: &str| Principal {
            kind,
            name: name.to_string(),
            arn: arn.to_string(),
            inline: Vec::new(),
            attached: Vec::new(),
            groups: Vec::new(),
            members: Vec::new(),
            boundary: None,
            trust: None,
            instance_profiles: Vec::new(),
            login_profile: None,
        };

        let mut group_index: HashMap<String, usize> = HashMap::new();
        for g in list(details, "GroupDetailList") {
            let (name, arn) = (text(g, "GroupName"), text(g, "Arn"));
            if arn.is_empty() {
                continue;
            }
            let mut p = principal(Kind::Group, name, arn);
            p.inline = inline(g, "GroupPolicyList", arn, &mut notes);
            p.attached = attached(g, &account, &mut notes);
            group_index.insert(name.to_string(), account.principals.len());
            account.push(p);
        }
        for u in list(details, "UserDetailList") {
            let (name, arn) = (text(u, "UserName"), text(u, "Arn"));
            if arn.is_empty() {
                continue;
            }
            let mut p = principal(Kind::User, name, arn);
            p.inline = inline(u, "UserPolicyList", arn, &mut notes);
            p.attached = attached(u, &account, &mut notes);
            p.boundary = boundary(u, &account, &mut notes);
            p.login_profile = match u.get("LoginProfile") {
                Some(Value::Null) => Some(false),
                Some(_) => Some(true),
                None => None,
            };
            p.groups = list(u, "GroupList")
                .iter()
                .filter_map(|g| group_index.get(g.as_str()?).copied())
                .collect();
            let me = account.principals.len();
            for &g in &p.groups {
                account.principals[g].members.push(me);
            }
            account.push(p);
        }
        for r in list(details, "RoleDetailList") {
            let (name, arn) = (text(r, "RoleName"), text(r, "Arn"));
            if arn.is_empty() {
                continue;
            }
            let mut p = principal(Kind::Role, name, arn);
            p.inline = inline(r, "RolePolicyList", arn, &mut notes);
            p.attached = attached(r, &account, &mut notes);
            p.boundary = boundary(r, &account, &mut notes);
            p.trust = r
                .get("AssumeRolePolicyDocument")
                .map(|doc| parse(doc, &|| format!("trust policy of {arn}"), &mut notes));
            p.instance_profiles = list(r, "InstanceProfileList")
                .iter()
                .map(|i| text(i, "InstanceProfileName").to_string())
                .collect();
            account.push(p);
        }
        account.account_id = account
            .principals
            .iter()
            .map(|p| p.arn.as_str())
            .chain(account.policies.iter().map(|p| p.arn.as_str()))
            .filter_map(super::resource_account)
            .find(|a| *a != "aws")
            .map(str::to_string);
        account.notes = notes;
        account
    }

    pub(super) fn push(&mut self, p: Principal) {
        self.by_arn.insert(p.arn.clone(), self.principals.len());
        self.principals.push(p);
    }
}
