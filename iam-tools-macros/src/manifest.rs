//! The serde model of `tools.toml`: what the file says, nothing derived. Every value that a
//! later check can reject keeps its span, so an error can point at `tools.toml:LINE:COL`.
//! What the manifest leaves out (a tool's operation, access and params, an operation's
//! access and paging members, a cleanup step's items and bindings) is derived in
//! [`crate::validate`], which documents each rule where it applies it.

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;
use toml::Spanned;

/// A TOML table whose entries keep document order and the span of each key.
#[derive(Debug)]
pub struct OrderedMap<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

impl<V> OrderedMap<V> {
    pub fn iter(&self) -> impl Iterator<Item = (&Spanned<String>, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default)]
    pub toolsets: OrderedMap<Toolset>,
    #[serde(default)]
    pub shapes: OrderedMap<OrderedMap<Spanned<String>>>,
    /// Named params: what a param of that name is, wherever a tool takes it.
    #[serde(default)]
    pub params: OrderedMap<ParamSpec>,
    #[serde(default)]
    pub operations: OrderedMap<Operation>,
    /// The tools of each toolset: `[tools.TOOLSET.NAME]`.
    #[serde(default)]
    pub tools: OrderedMap<OrderedMap<Tool>>,
    #[serde(default)]
    pub guardrails: OrderedMap<Guardrail>,
    /// Where the consent question shows the access a write would grant or take away.
    #[serde(default)]
    pub access_preview: Option<AccessPreview>,
}

/// The access preview: for the write `operations`, what the write would change (actions
/// gained and lost, escalation paths opened and closed, principals newly trusted) is
/// computed on the account model, read with `reads`, and shown with the consent question.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessPreview {
    pub operations: Vec<Spanned<String>>,
    #[serde(default)]
    pub reads: Vec<Spanned<String>>,
}

/// A check the runtime runs before writes, on by default, relaxed by a server flag. The
/// runtime implements each rule (`iam_tools::catalog::Rule`, the name in PascalCase); the
/// manifest says where it applies and what it reads (which the IAM policy the server needs
/// must include), how the server's instructions name what it refuses, and the flag that
/// relaxes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guardrail {
    /// What it refuses, as the server's instructions list it ("Guardrails refuse ...").
    #[serde(default)]
    pub refuses: Option<Spanned<String>>,
    /// The help text of its flag.
    #[serde(default)]
    pub help: Option<Spanned<String>>,
    /// The flag that relaxes it; by default `--allow-NAME` (underscores as dashes).
    #[serde(default)]
    pub flag: Option<Spanned<String>>,
    /// The write operations whose steps it checks (the tool's own and force-delete steps),
    /// each with the read operations it may call to decide about that step.
    #[serde(default)]
    pub operations: OrderedMap<Vec<Spanned<String>>>,
    /// Or: the policy documents it checks, `identity` or `trust` params.
    #[serde(default)]
    pub documents: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Toolset {
    pub description: Spanned<String>,
    #[serde(default)]
    pub default: bool,
}

/// One IAM API call, keyed by its PascalCase name.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an operation: a table of `input`, `output`, `paged` and `access`"
)]
pub struct Operation {
    /// `read` or `write`; by default the verb's (see `validate::verb_access`).
    #[serde(default)]
    pub access: Option<Spanned<String>>,
    /// The list field of the output that pages: the operation then also takes `Marker` and
    /// `MaxItems` and returns `IsTruncated` and `Marker`.
    #[serde(default)]
    pub paged: Option<Spanned<String>>,
    #[serde(default)]
    pub input: OrderedMap<Spanned<String>>,
    #[serde(default)]
    pub output: OrderedMap<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a tool: a table `[tools.TOOLSET.NAME]`"
)]
pub struct Tool {
    pub title: Spanned<String>,
    pub description: Spanned<String>,
    /// `read` or `write`; by default the operation's (`read` for a `run` tool).
    #[serde(default)]
    pub access: Option<Spanned<String>>,
    /// The IAM operation the tool is (one API call, plus `include`s); by default the
    /// operation whose snake_case name is the tool's.
    #[serde(default)]
    pub operation: Option<Spanned<String>>,
    /// Or: a runtime function (a type in `iam_tools::functions` implementing
    /// `RuntimeTool`), for tools that are logic over several calls.
    #[serde(default)]
    pub run: Option<Spanned<String>>,
    /// The operations a `run` tool may call; they make its IAM actions.
    #[serde(default)]
    pub uses: Vec<Spanned<String>>,
    #[serde(default)]
    pub destructive: Option<Spanned<bool>>,
    #[serde(default)]
    pub idempotent: Option<Spanned<bool>>,
    #[serde(default)]
    pub open_world: Option<bool>,
    /// Whether `max_items`, `marker` and `all_pages` page through the operation's `paged`
    /// list; by default whether the operation pages.
    #[serde(default)]
    pub paginate: Option<Spanned<bool>>,
    /// A sentence shown with a successful result, `{param}` replaced by its value.
    #[serde(default)]
    pub message: Option<Spanned<String>>,
    /// The params it describes, overrides or adds, by name (see [`ParamUse`]).
    #[serde(default)]
    pub params: OrderedMap<Spanned<ParamUse>>,
    /// Further operations whose output is added to the result (all pages), by the result
    /// field that receives it.
    #[serde(default)]
    pub include: OrderedMap<Spanned<IncludeUse>>,
    /// Force-delete steps: list every item, then apply the delete operation to each.
    #[serde(default)]
    pub cleanup: Vec<CleanupStep>,
}

/// What a param is: its type, description and constraints. A `[params]` entry gives all
/// but `required` and `member` (how a tool uses it); a tool's own entry gives what differs
/// from the `[params]` entry of its name, or everything for a param of its own.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    #[serde(default, rename = "type")]
    pub ty: Option<Spanned<String>>,
    #[serde(default)]
    pub description: Option<Spanned<String>>,
    #[serde(default)]
    pub required: Option<Spanned<bool>>,
    /// The operation input member this param fills.
    #[serde(default)]
    pub member: Option<Spanned<String>>,
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub min: Option<Spanned<i64>>,
    #[serde(default)]
    pub max: Option<Spanned<i64>>,
    #[serde(default)]
    pub min_length: Option<Spanned<u64>>,
    #[serde(default)]
    pub max_length: Option<Spanned<u64>>,
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    /// A `document` param holding a policy: `identity` or `trust`. Write tools lint it
    /// before AWS sees it.
    #[serde(default)]
    pub policy: Option<Spanned<String>>,
    /// A secret (a password): never shown in consent texts, logs or the audit log.
    #[serde(default)]
    pub secret: Option<Spanned<bool>>,
}

/// A tool's `params.NAME`: a string is the param's description, a table its keys.
#[derive(Debug)]
pub enum ParamUse {
    Description(String),
    Spec(Box<ParamSpec>),
}

impl<'de> Deserialize<'de> for ParamUse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UseVisitor;
        impl<'de> Visitor<'de> for UseVisitor {
            type Value = ParamUse;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a description (a string) or a table of param keys")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<ParamUse, E> {
                Ok(ParamUse::Description(value.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ParamUse, A::Error> {
                ParamSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|spec| ParamUse::Spec(Box::new(spec)))
            }
        }
        deserializer.deserialize_any(UseVisitor)
    }
}

/// A tool's `include.FIELD`: the operation's name, or a table naming its output field.
#[derive(Debug)]
pub enum IncludeUse {
    Operation(String),
    Spec(IncludeSpec),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncludeSpec {
    pub operation: Spanned<String>,
    /// The output field of `operation` to take; by default its only list field.
    #[serde(default)]
    pub take: Option<Spanned<String>>,
}

impl<'de> Deserialize<'de> for IncludeUse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IncludeVisitor;
        impl<'de> Visitor<'de> for IncludeVisitor {
            type Value = IncludeUse;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an operation name or a table `{ operation, take }`")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<IncludeUse, E> {
                Ok(IncludeUse::Operation(value.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<IncludeUse, A::Error> {
                IncludeSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(IncludeUse::Spec)
            }
        }
        deserializer.deserialize_any(IncludeVisitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CleanupStep {
    /// What is removed, as a user reads it ("access keys").
    pub kind: Spanned<String>,
    pub list: Spanned<String>,
    /// Fixed input members of the list operation, sent with every page of it, on top of
    /// those the tool's params fill (`{ PolicyUsageFilter = "PermissionsBoundary" }`):
    /// string or enum members only.
    #[serde(default)]
    pub list_input: OrderedMap<Spanned<String>>,
    /// The list field of the list operation's output; by default its only list field.
    #[serde(default)]
    pub items: Option<Spanned<String>>,
    pub delete: Spanned<String>,
    /// Delete-operation input member <- field of each listed item (`.` for the item itself);
    /// by default each member no param fills that the items have a field of the same name
    /// for. Other members come from the tool's params.
    #[serde(default)]
    pub bind: Option<Spanned<OrderedMap<Spanned<String>>>>,
    /// Only items whose field matches the glob (`*` any run; booleans as true / false).
    #[serde(default)]
    pub only: OrderedMap<Spanned<String>>,
    /// The item field that names an item in plans; default: the first bound field.
    #[serde(default)]
    pub label: Option<Spanned<String>>,
    /// The list operation answers NoSuchEntity when there is nothing (GetLoginProfile).
    #[serde(default)]
    pub absent_ok: bool,
}
