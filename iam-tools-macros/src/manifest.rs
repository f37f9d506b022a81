//! The serde model of `tools.toml`. Every value that a later check can reject keeps its
//! span, so an error can point at `tools.toml:LINE:COL`.

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
    #[serde(default)]
    pub operations: OrderedMap<Operation>,
    #[serde(default)]
    pub tools: OrderedMap<Tool>,
    #[serde(default)]
    pub guardrails: OrderedMap<Guardrail>,
}

/// A check the runtime runs before writes, on by default, relaxed by a server flag. The
/// runtime implements each rule by name; the manifest says where it applies and what it
/// reads (which the IAM policy the server needs must include).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guardrail {
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    pub access: Spanned<String>,
    #[serde(default)]
    pub input: OrderedMap<Spanned<String>>,
    #[serde(default)]
    pub output: OrderedMap<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub title: Spanned<String>,
    pub description: Spanned<String>,
    pub toolset: Spanned<String>,
    pub access: Spanned<String>,
    /// The IAM operation the tool is (one API call, plus `include`s).
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
    /// The list field of the operation's output that `max_items`, `marker` and `all_pages`
    /// page through.
    #[serde(default)]
    pub paginate: Option<Spanned<String>>,
    /// A sentence shown with a successful result, `{param}` replaced by its value.
    #[serde(default)]
    pub message: Option<Spanned<String>>,
    #[serde(default)]
    pub params: Vec<Param>,
    /// Further operations whose output is added to the result (all pages).
    #[serde(default)]
    pub include: Vec<Include>,
    /// Force-delete steps: list every item, then apply the delete operation to each.
    #[serde(default)]
    pub cleanup: Vec<CleanupStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    pub description: Spanned<String>,
    #[serde(default)]
    pub required: bool,
    /// The operation input member this param fills; defaults to the PascalCase name.
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Include {
    /// The field of the tool's result that receives the data.
    pub field: Spanned<String>,
    pub operation: Spanned<String>,
    /// The output field of `operation` to take.
    pub take: Spanned<String>,
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
    /// The list field of the list operation's output.
    pub items: Spanned<String>,
    pub delete: Spanned<String>,
    /// Delete-operation input member <- field of each listed item (`.` for the item itself);
    /// other members come from the tool's params.
    #[serde(default)]
    pub bind: OrderedMap<Spanned<String>>,
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
