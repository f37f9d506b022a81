//! Static metadata generated from `tools.toml`: what each tool is, which IAM actions it
//! needs, how it is annotated. The catalog is the single source for tools/list, read-only
//! gating, toolset selection and the server's own IAM policy.
//!
//! Pure data, the bottom layer: a tool's spec is generic over how it is run (`H`, the
//! handler, and `C`, the operation dispatcher), which the call context fixes
//! (`context::ToolSpec`, `context::Catalog`).

use super::Rule;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The one non-IAM action the server calls.
pub const CALLER_IDENTITY: &str = "sts:GetCallerIdentity";

/// Whether a tool or operation only reads IAM or can change it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
        }
    }
}

/// One IAM API operation.
#[derive(Debug)]
pub struct OperationSpec {
    /// `ListUsers`
    pub name: &'static str,
    /// `iam:ListUsers`
    pub action: &'static str,
    pub access: Access,
    /// Takes `Marker` and `MaxItems`: its list comes in pages.
    pub paged: bool,
}

/// A named group of tools that can be switched on with `--toolsets`.
#[derive(Debug)]
pub struct ToolsetSpec {
    pub name: &'static str,
    pub description: &'static str,
    /// On when no `--toolsets` is given.
    pub default: bool,
}

/// A force-delete step: list every item with `list`, apply `delete` to each.
#[derive(Debug)]
pub struct CleanupSpec {
    /// What is removed, as a user reads it ("access keys").
    pub kind: &'static str,
    /// The list operation (`ListAccessKeys`) and its input members taken from the tool's.
    pub list: &'static str,
    pub list_members: &'static [&'static str],
    /// Fixed members of the list operation's input (member, value), sent with every page
    /// (`PolicyUsageFilter` = `PermissionsBoundary`).
    pub list_input: &'static [(&'static str, &'static str)],
    /// The output field holding the items (a list, or one object).
    pub items: &'static str,
    /// The delete operation and its input members taken from the tool's.
    pub delete: &'static str,
    pub delete_members: &'static [&'static str],
    /// Delete-operation input member <- field of each listed item (`.`: the item).
    pub bind: &'static [(&'static str, &'static str)],
    /// Only items whose field matches the glob.
    pub only: &'static [(&'static str, &'static str)],
    /// The item field that names it in plans; None: the tool's target.
    pub label: Option<&'static str>,
    /// NoSuchEntity from the list operation means there is nothing to remove.
    pub absent_ok: bool,
}

/// A guardrail of the manifest, the one table of them: the rule it is (implemented in
/// `crate::write::guard`), which write operations (or policy documents) it checks (the
/// reads it makes are in the actions of the tools it checks), what it refuses as the
/// server's instructions say, and the flag that relaxes it, which the server's command line
/// is built from.
#[derive(Debug)]
pub struct GuardrailSpec {
    /// `privileged_policies`, as refusals, the audit log and validate_policy name it.
    pub name: &'static str,
    pub rule: Rule,
    /// `--allow-privileged-policies`
    pub flag: &'static str,
    /// `IAM_MCP_ALLOW_PRIVILEGED_POLICIES`
    pub env: &'static str,
    /// What it refuses, one clause of the instructions' "Guardrails refuse ...".
    pub refuses: &'static str,
    /// The flag's help text.
    pub help: &'static str,
    pub operations: &'static [&'static str],
    /// `identity` or `trust`: the document params it checks.
    pub documents: Option<&'static str>,
}

impl GuardrailSpec {
    /// The flag's name without its dashes (`allow-privileged-policies`), as clap's id and long.
    pub fn long(&self) -> &'static str {
        self.flag.trim_start_matches('-')
    }
}

/// A JSON object, as MCP carries arguments and schemas.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// One tool as the manifest declares it, run by a handler of type `H`.
pub struct ToolSpecOf<H: 'static> {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub toolset: &'static str,
    pub access: Access,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
    /// The primary IAM operation; None for a tool run by a runtime function.
    pub operation: Option<&'static str>,
    /// Every IAM action the tool can call (primary, included, cleanup).
    pub actions: &'static [&'static str],
    /// Operations (names) the tool can do without: an included operation the backend
    /// cannot answer leaves its field empty and says so in the Note; a runtime function
    /// declares its own (`RuntimeTool::OPTIONAL_OPERATIONS`).
    pub optional: &'static [&'static str],
    pub cleanup: &'static [CleanupSpec],
    /// Policy document params (name, `identity` | `trust`), linted before a write.
    pub documents: &'static [(&'static str, &'static str)],
    /// Secret params (passwords): hidden in consent texts, never logged or audited.
    pub secrets: &'static [&'static str],
    /// Document params: audited as a SHA-256 and a size.
    pub hashed: &'static [&'static str],
    pub input_schema: fn() -> JsonObject,
    pub output_schema: fn() -> JsonObject,
    pub handler: H,
}

impl<H> std::fmt::Debug for ToolSpecOf<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolSpec")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Everything generated from one manifest: tools run by `H`, operations called through `C`.
pub struct CatalogOf<H: 'static, C> {
    pub toolsets: &'static [ToolsetSpec],
    pub operations: &'static [&'static OperationSpec],
    pub tools: &'static [ToolSpecOf<H>],
    pub guardrails: &'static [GuardrailSpec],
    /// The write operations whose consent question shows the access preview.
    pub previewed: &'static [&'static str],
    /// Every operation behind one JSON interface (AWS member names in and out).
    pub call: C,
}

impl<H, C> std::fmt::Debug for CatalogOf<H, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("tools", &self.tools.len())
            .finish_non_exhaustive()
    }
}

/// Which tools a server run offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Write tools are offered only when this is false.
    pub read_only: bool,
    /// Enabled toolsets, by name.
    pub toolsets: Vec<String>,
}

impl<H, C> CatalogOf<H, C> {
    pub fn tool(&self, name: &str) -> Option<&'static ToolSpecOf<H>> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// The manifest's entry for `rule`, if it declares one.
    pub fn guardrail(&self, rule: Rule) -> Option<&'static GuardrailSpec> {
        self.guardrails.iter().find(|g| g.rule == rule)
    }

    pub fn operation(&self, action_or_name: &str) -> Option<&'static OperationSpec> {
        self.operations
            .iter()
            .copied()
            .find(|o| o.action == action_or_name || o.name == action_or_name)
    }

    /// The toolsets on when `--toolsets` is not given.
    pub fn default_toolsets(&self) -> Vec<String> {
        self.toolsets
            .iter()
            .filter(|t| t.default)
            .map(|t| t.name.to_string())
            .collect()
    }

    /// Resolves a `--toolsets` list (`all` and `default` allowed) to toolset names, or says
    /// which names are unknown.
    pub fn resolve_toolsets(&self, requested: &[String]) -> Result<Vec<String>, String> {
        let mut out: Vec<String> = Vec::new();
        let mut unknown = Vec::new();
        for name in requested.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let names: Vec<String> = match name {
                "all" => self.toolsets.iter().map(|t| t.name.to_string()).collect(),
                "default" => self.default_toolsets(),
                other if self.toolsets.iter().any(|t| t.name == other) => vec![other.to_string()],
                other => {
                    unknown.push(other.to_string());
                    continue;
                }
            };
            for n in names {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
        }
        if !unknown.is_empty() {
            return Err(format!(
                "unknown toolset{} {}; known toolsets: {}, or `all`, or `default` ({})",
                if unknown.len() > 1 { "s" } else { "" },
                unknown
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.toolsets
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", "),
                self.default_toolsets().join(", "),
            ));
        }
        Ok(out)
    }

    /// Why a tool is not offered under `selection`, or None when it is.
    pub fn refusal(&self, tool: &ToolSpecOf<H>, selection: &Selection) -> Option<String> {
        if !selection.toolsets.iter().any(|t| t == tool.toolset) {
            return Some(format!(
                "`{}` is in the `{}` toolset, which this server has not enabled; restart it with --toolsets {} (or IAM_MCP_TOOLSETS) to use it.",
                tool.name,
                tool.toolset,
                selection
                    .toolsets
                    .iter()
                    .map(String::as_str)
                    .chain([tool.toolset])
                    .collect::<Vec<_>>()
                    .join(","),
            ));
        }
        if tool.access == Access::Write && selection.read_only {
            return Some(format!(
                "`{}` is a write tool and this server is read-only; restart it with --allow-write (or IAM_MCP_ALLOW_WRITE=true) to change IAM. Nothing was changed.",
                tool.name
            ));
        }
        None
    }

    /// The tools offered under `selection`, in manifest order.
    pub fn selected(
        &self,
        selection: &Selection,
    ) -> impl Iterator<Item = &'static ToolSpecOf<H>> + '_ {
        let selection = selection.clone();
        self.tools
            .iter()
            .filter(move |t| self.refusal(t, &selection).is_none())
    }

    /// The IAM policy the server needs for the tools offered under `selection`: the union of
    /// their actions, split into read and write statements, sorted.
    pub fn required_policy(&self, selection: &Selection) -> Value {
        let mut read = BTreeSet::new();
        let mut write = BTreeSet::new();
        // Who the server is (for the self-lockout guardrail and the account id in errors):
        // needs no permission, listed because the server calls it.
        read.insert(CALLER_IDENTITY);
        for tool in self.selected(selection) {
            for action in tool.actions {
                match self.operation(action).map(|o| o.access) {
                    Some(Access::Write) => write.insert(*action),
                    _ => read.insert(*action),
                };
            }
        }
        let mut statements = vec![json!({
            "Sid": "IamMcpServerRead",
            "Effect": "Allow",
            "Action": read.into_iter().collect::<Vec<_>>(),
            "Resource": "*",
        })];
        if !write.is_empty() {
            statements.push(json!({
                "Sid": "IamMcpServerWrite",
                "Effect": "Allow",
                "Action": write.into_iter().collect::<Vec<_>>(),
                "Resource": "*",
            }));
        }
        json!({ "Version": "2012-10-17", "Statement": statements })
    }
}
