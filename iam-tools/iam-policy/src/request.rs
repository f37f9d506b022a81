//! The request being evaluated: action, resource, caller, resource owner and context.

use serde::Serialize;

/// Request context: condition keys and their values. Keys match case-insensitively; a
/// key with several values is a multivalued key. Values carry no type: each condition
/// operator reads them as strings, numbers, dates, booleans, IPs or ARNs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    /// (lowercased key, key as given, values)
    entries: Vec<(String, String, Vec<String>)>,
}

impl Context {
    /// Sets `key` to `values` (replacing any previous values of the key).
    pub fn insert(&mut self, key: impl Into<String>, values: Vec<String>) {
        let key = key.into();
        let lower = key.to_lowercase();
        if let Some(entry) = self.entries.iter_mut().find(|e| e.0 == lower) {
            entry.1 = key;
            entry.2 = values;
        } else {
            self.entries.push((lower, key, values));
        }
    }

    /// The values of a key given in lowercase.
    pub(crate) fn get(&self, lower_key: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|e| e.0 == lower_key)
            .map(|e| e.2.as_slice())
    }

    /// Looks a key up case-insensitively.
    pub fn values(&self, key: &str) -> Option<&[String]> {
        self.get(&key.to_lowercase())
    }

    /// True when the context has no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One authorization request, as the AWS policy simulator takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    action: String,
    #[serde(skip)]
    action_lower: String,
    resource: String,
    principal_arn: Option<String>,
    anonymous: bool,
    resource_account: Option<String>,
    wildcard_only_action: bool,
    assume_conditions: bool,
    context: Context,
}

impl Request {
    /// A request for `action` (such as `s3:GetObject`) on `resource` (an ARN, or `*`
    /// for "no specific resource"). Until [`Request::principal`] or
    /// [`Request::anonymous`] is called, the caller is an unnamed IAM principal of the
    /// resource's account: identity policies apply, and resource-policy statements apply
    /// only if they allow everyone.
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Request {
        let action = action.into();
        Request {
            action_lower: action.to_lowercase(),
            action,
            resource: resource.into(),
            principal_arn: None,
            anonymous: false,
            resource_account: None,
            wildcard_only_action: false,
            assume_conditions: false,
            context: Context::default(),
        }
    }

    /// The caller: an IAM user, role, assumed-role session, federated user, account root
    /// ARN, or a service principal such as `lambda.amazonaws.com`.
    pub fn principal(mut self, arn: impl Into<String>) -> Request {
        self.principal_arn = Some(arn.into());
        self.anonymous = false;
        self
    }

    /// Marks the request as unauthenticated (anonymous): only resource policies that
    /// allow everyone (`"Principal": "*"`) can allow it, and SCPs do not apply.
    pub fn anonymous(mut self) -> Request {
        self.principal_arn = None;
        self.anonymous = true;
        self
    }

    /// The account that owns the resource; same- vs cross-account is decided by
    /// comparing it with the caller's account. When unset, the caller's account.
    pub fn resource_account(mut self, account: impl Into<String>) -> Request {
        self.resource_account = Some(account.into());
        self
    }

    /// Marks the action as having no resource types (`s3:ListAllMyBuckets`): the
    /// resource `*` is then matched literally, as the real resource.
    pub fn wildcard_only_action(mut self, yes: bool) -> Request {
        self.wildcard_only_action = yes;
        self
    }

    /// Asks what is possible rather than what this request gets: every condition of an
    /// Allow statement is taken to hold and every conditional Deny not to apply (the
    /// account analysis asks this after the request without context was refused, to tell
    /// "allowed when its conditions hold" from "never allowed").
    pub fn assume_conditions(mut self, yes: bool) -> Request {
        self.assume_conditions = yes;
        self
    }

    /// Adds a single-valued context key.
    pub fn context_value(mut self, key: impl Into<String>, value: impl Into<String>) -> Request {
        self.context.insert(key, vec![value.into()]);
        self
    }

    /// Adds a multivalued context key.
    pub fn context_values(mut self, key: impl Into<String>, values: Vec<String>) -> Request {
        self.context.insert(key, values);
        self
    }

    /// Replaces the whole context.
    pub fn with_context(mut self, context: Context) -> Request {
        self.context = context;
        self
    }

    pub fn action(&self) -> &str {
        &self.action
    }
    pub(crate) fn action_lower(&self) -> &str {
        &self.action_lower
    }
    pub fn resource(&self) -> &str {
        &self.resource
    }
    pub fn principal_arn(&self) -> Option<&str> {
        self.principal_arn.as_deref()
    }
    pub fn is_anonymous(&self) -> bool {
        self.anonymous
    }
    pub fn resource_account_id(&self) -> Option<&str> {
        self.resource_account.as_deref()
    }
    pub fn assumes_conditions(&self) -> bool {
        self.assume_conditions
    }
    pub fn is_wildcard_only_action(&self) -> bool {
        self.wildcard_only_action
    }
    pub fn context(&self) -> &Context {
        &self.context
    }
}
