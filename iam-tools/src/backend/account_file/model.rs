//! What an account file holds once loaded: its entities, indexed by name.

use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

/// Where the file records when it was taken (`iam-mcp-server snapshot` writes it). Without
/// it, the file's modification time stands for it.
pub const SNAPSHOT_TIME_KEY: &str = "SnapshotTime";

/// What `taken_at` says when neither the file nor its metadata tells.
const UNKNOWN_TIME: &str = "an unknown time";

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
pub(super) struct Tag {
    pub(super) key: String,
    pub(super) value: String,
}

#[derive(Debug, Clone)]
pub(super) struct Attached {
    pub(super) name: String,
    pub(super) arn: String,
}

#[derive(Debug, Clone)]
pub(super) struct Boundary {
    pub(super) ty: String,
    pub(super) arn: String,
}

#[derive(Debug)]
pub(super) struct Inline {
    pub(super) name: String,
    pub(super) document: Value,
}

#[derive(Debug)]
pub(super) struct User {
    pub(super) path: String,
    pub(super) name: String,
    pub(super) id: String,
    pub(super) arn: String,
    pub(super) create_date: String,
    pub(super) password_last_used: Option<String>,
    /// `LoginProfile` as the file records it (object or null), when it does.
    pub(super) login_profile: Option<Value>,
    pub(super) inline: Vec<Inline>,
    pub(super) groups: Vec<String>,
    pub(super) attached: Vec<Attached>,
    pub(super) boundary: Option<Boundary>,
    pub(super) tags: Vec<Tag>,
}

#[derive(Debug)]
pub(super) struct Group {
    pub(super) path: String,
    pub(super) name: String,
    pub(super) id: String,
    pub(super) arn: String,
    pub(super) create_date: String,
    pub(super) inline: Vec<Inline>,
    pub(super) attached: Vec<Attached>,
    /// Users whose GroupList names it, in file order.
    pub(super) members: Vec<usize>,
}

#[derive(Debug)]
pub(super) struct Role {
    pub(super) path: String,
    pub(super) name: String,
    pub(super) id: String,
    pub(super) arn: String,
    pub(super) create_date: String,
    pub(super) trust: Option<Value>,
    pub(super) description: Option<String>,
    pub(super) max_session_duration: Option<i64>,
    /// Instance profiles listing it (indexes into `profiles`).
    pub(super) profiles: Vec<usize>,
    pub(super) inline: Vec<Inline>,
    pub(super) attached: Vec<Attached>,
    pub(super) boundary: Option<Boundary>,
    pub(super) tags: Vec<Tag>,
    pub(super) last_used: Option<(Option<String>, Option<String>)>,
}

#[derive(Debug)]
pub(super) struct Version {
    pub(super) document: Option<Value>,
    pub(super) id: String,
    pub(super) is_default: bool,
    pub(super) create_date: Option<String>,
}

#[derive(Debug)]
pub(super) struct Managed {
    pub(super) name: String,
    pub(super) id: Option<String>,
    pub(super) arn: String,
    pub(super) path: Option<String>,
    pub(super) default_version: Option<String>,
    pub(super) attachment_count: Option<i64>,
    pub(super) boundary_usage_count: Option<i64>,
    pub(super) is_attachable: bool,
    pub(super) description: Option<String>,
    pub(super) create_date: Option<String>,
    pub(super) update_date: Option<String>,
    pub(super) versions: Vec<Version>,
    pub(super) tags: Option<Vec<Tag>>,
}

#[derive(Debug)]
pub(super) struct Profile {
    pub(super) path: String,
    pub(super) name: String,
    pub(super) id: String,
    pub(super) arn: String,
    pub(super) create_date: String,
    /// Role names, in the profile's order.
    pub(super) roles: Vec<String>,
    pub(super) tags: Vec<Tag>,
}

/// A loaded, checked account file.
#[derive(Debug)]
pub struct AccountFile {
    pub(super) source: String,
    /// What the file is, in the server's instructions: "the account file PATH" unless
    /// [`AccountFile::with_origin`] says otherwise.
    pub(super) origin: Option<String>,
    /// The time the file records (`SnapshotTime`).
    pub(super) recorded_at: Option<String>,
    /// When the file was last modified, if it is a file (RFC 3339).
    pub(super) modified_at: Option<String>,
    pub(super) account_id: Option<String>,
    pub(super) users: Vec<User>,
    pub(super) groups: Vec<Group>,
    pub(super) roles: Vec<Role>,
    pub(super) policies: Vec<Managed>,
    pub(super) profiles: Vec<Profile>,
    pub(super) by_user: HashMap<String, usize>,
    pub(super) by_group: HashMap<String, usize>,
    pub(super) by_role: HashMap<String, usize>,
    /// Role names lower-cased: IAM role names are case-insensitive.
    pub(super) by_role_lower: HashMap<String, usize>,
    pub(super) by_policy: HashMap<String, usize>,
    pub(super) by_profile: HashMap<String, usize>,
    pub(super) policy_tags_known: bool,
}

impl AccountFile {
    /// The file it was loaded from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// What the file is, for the server's instructions: "the account file PATH", or what
    /// [`AccountFile::with_origin`] set (a file built into the binary has no path).
    pub fn origin(&self) -> String {
        match &self.origin {
            Some(origin) => origin.clone(),
            None => format!("the account file {}", self.source),
        }
    }

    /// The same file, described as `origin` in the server's instructions.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// When the snapshot was taken (RFC 3339): recorded in the file, else its mtime.
    pub fn taken_at(&self) -> &str {
        self.recorded_at
            .as_deref()
            .or(self.modified_at.as_deref())
            .unwrap_or(UNKNOWN_TIME)
    }

    /// When the snapshot was taken, as the server's instructions say it: "taken at TIME"
    /// when the file records it, else that it does not, and when the file was last changed.
    pub fn taken_at_text(&self) -> String {
        match (&self.recorded_at, &self.modified_at) {
            (Some(time), _) => format!("taken at {time}"),
            (None, None) => format!("of unknown date (the file records no {SNAPSHOT_TIME_KEY})"),
            (None, Some(modified)) => format!(
                "of unknown date (the file records no {SNAPSHOT_TIME_KEY}; it was last modified at {modified})"
            ),
        }
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
}
