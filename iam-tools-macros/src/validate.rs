//! Semantic checks over the parsed manifest, and the defaults that let the manifest say each
//! fact once. Every problem is collected (never just the first), each with the byte offset
//! it points at; the result is the checked model that codegen reads.
//!
//! What the manifest may leave out, and where it comes from:
//! - an operation's access: its verb ([`verb_access`]); its paging members: `paged`;
//! - a tool's toolset: its table, `[tools.TOOLSET.NAME]`; its operation: the one whose
//!   snake_case name is the tool's; its access: the operation's (a `run` tool reads); its
//!   pagination: whether the operation pages ([`tool`]);
//! - a tool's params: its operation's input members, each typed, constrained and described
//!   by the `[params]` entry of its snake_case name, required when the member is
//!   ([`params`]);
//! - a cleanup step's `items` and `bind`, an include's `take` ([`tool`], [`cleanup`]).
//!
//! A key that says what would be derived anyway is an error (it would be a second copy of
//! the fact, free to drift from the first).

mod cleanup;
mod params;
mod tool;

use crate::manifest::{Manifest, OrderedMap};
use std::collections::HashSet;
use toml::Spanned;

/// Problems found in a manifest: a message and the byte offset it points at.
#[derive(Default, Debug)]
pub struct Problems(pub Vec<(String, usize)>);

impl Problems {
    fn push<T>(&mut self, at: &Spanned<T>, message: String) {
        self.at(at.span().start, message);
    }
    fn at(&mut self, offset: usize, message: String) {
        self.0.push((message, offset));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Base {
    String,
    Int,
    Long,
    Bool,
    Date,
    Enum,
    Document,
    Shape(String),
}

/// A field type: `T`, `T?` (optional) or `[T]` (list).
#[derive(Clone, Debug, PartialEq)]
pub struct Ty {
    pub base: Base,
    pub list: bool,
    pub optional: bool,
}

#[derive(Clone, Debug)]
pub struct Field {
    /// The AWS member name, PascalCase (`UserName`).
    pub name: String,
    /// The Rust/SDK name (`user_name`).
    pub snake: String,
    pub ty: Ty,
}

#[derive(Debug)]
pub struct Shape {
    pub name: String,
    pub fields: Vec<Field>,
}

#[derive(Debug)]
pub struct Operation {
    pub name: String,
    pub snake: String,
    pub access: Access,
    pub input: Vec<Field>,
    pub output: Vec<Field>,
    /// The output list field that pages, when the operation pages: it then takes `Marker`
    /// and `MaxItems` and returns `IsTruncated` and `Marker`.
    pub paged: Option<String>,
}

impl Operation {
    pub fn output_field(&self, name: &str) -> Option<&Field> {
        self.output.iter().find(|f| f.name == name)
    }
    pub fn input_field(&self, name: &str) -> Option<&Field> {
        self.input.iter().find(|f| f.name == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamTy {
    String,
    Integer,
    Boolean,
    StringList,
    Document,
    /// Policy documents (`document_list`), for runtime functions.
    DocumentList,
    /// Lists of lists of documents (`document_levels`: SCPs or RCPs per org level).
    DocumentLevels,
    /// `[Shape]`: a list of a declared shape (the param's `shape`).
    ShapeList,
}

impl ParamTy {
    pub fn is_list(self) -> bool {
        matches!(
            self,
            ParamTy::StringList
                | ParamTy::DocumentList
                | ParamTy::DocumentLevels
                | ParamTy::ShapeList
        )
    }
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub ty: ParamTy,
    /// The shape of a `[Shape]` param.
    pub shape: Option<String>,
    pub required: bool,
    pub description: String,
    /// The operation input member it fills (primary and included operations alike).
    pub member: String,
    pub enum_values: Option<Vec<String>>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    /// `identity` or `trust` for a policy document param.
    pub policy: Option<String>,
    /// A secret: hidden from consent texts and the audit log.
    pub secret: bool,
}

#[derive(Debug)]
pub struct Include {
    pub field: String,
    pub op: usize,
    pub take: Field,
}

#[derive(Debug)]
pub struct Cleanup {
    pub kind: String,
    pub list: usize,
    /// Fixed list-operation input members (member, value), sent with every page.
    pub list_input: Vec<(String, String)>,
    pub items: String,
    pub delete: usize,
    pub bind: Vec<(String, String)>,
    pub only: Vec<(String, String)>,
    /// The item field that names an item; None: the item is named by the tool's params.
    pub label: Option<String>,
    pub absent_ok: bool,
    /// List-operation input members the tool's params fill.
    pub list_members: Vec<String>,
    /// Delete-operation input members the tool's params fill.
    pub delete_members: Vec<String>,
}

/// A guardrail: a rule the runtime implements (the `Rule` variant of its name, in
/// PascalCase), where it applies and what it reads, what it refuses and how it is relaxed.
#[derive(Debug)]
pub struct Guardrail {
    pub name: String,
    /// Write operations whose steps it checks, each with the read operations it may call.
    pub operations: Vec<(usize, Vec<usize>)>,
    /// `identity` or `trust`: the policy document params it checks.
    pub documents: Option<String>,
    /// What it refuses, as the server's instructions list it.
    pub refuses: String,
    /// Its flag's help text.
    pub help: String,
    /// `--allow-...`, and its environment variable `IAM_MCP_ALLOW_...`.
    pub flag: String,
    pub env: String,
}

/// A guardrail's flag when the manifest says none: `--allow-` and its name, dashed.
pub fn default_flag(name: &str) -> String {
    format!("--allow-{}", name.replace('_', "-"))
}

/// A flag's environment variable: `--allow-public-trust` -> `IAM_MCP_ALLOW_PUBLIC_TRUST`.
pub fn flag_env(flag: &str) -> String {
    format!(
        "IAM_MCP_{}",
        flag.trim_start_matches('-')
            .replace('-', "_")
            .to_uppercase()
    )
}

#[derive(Debug)]
pub struct Tool {
    pub name: String,
    pub title: String,
    pub description: String,
    pub toolset: String,
    pub access: Access,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
    /// The primary operation, or None for a `run` tool.
    pub op: Option<usize>,
    /// The runtime function type of a `run` tool.
    pub run: Option<String>,
    /// The operations a `run` tool may call.
    pub uses: Vec<usize>,
    pub paginate: Option<String>,
    pub message: Option<String>,
    pub params: Vec<Param>,
    pub includes: Vec<Include>,
    pub cleanup: Vec<Cleanup>,
    /// Every IAM action the tool can call, in call order, without repeats.
    pub actions: Vec<String>,
}

#[derive(Debug)]
pub struct Toolset {
    pub name: String,
    pub description: String,
    pub default: bool,
}

#[derive(Debug)]
pub struct Model {
    pub toolsets: Vec<Toolset>,
    pub shapes: Vec<Shape>,
    pub operations: Vec<Operation>,
    pub tools: Vec<Tool>,
    pub guardrails: Vec<Guardrail>,
    pub preview: Preview,
}

/// The access preview: the write operations it is computed for, and what it reads.
#[derive(Debug, Default)]
pub struct Preview {
    pub operations: Vec<usize>,
    pub reads: Vec<usize>,
}

impl Model {
    pub fn op(&self, index: usize) -> &Operation {
        &self.operations[index]
    }
}

/// Params every paginated tool gets; a manifest may not declare them itself.
pub const PAGING_PARAMS: [&str; 3] = ["max_items", "marker", "all_pages"];

/// Params the macro adds: `force` and `dry_run` to tools with cleanup steps,
/// `confirmation_token` to every write tool.
pub const WRITE_PARAMS: [&str; 3] = ["force", "dry_run", "confirmation_token"];

/// `UserName` -> `user_name`, `ListMFADevices` -> `list_mfa_devices`, as the SDK names them.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None => false,
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `user_name` -> `UserName`.
pub fn pascal(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn is_snake_ident(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_pascal_ident(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn parse_access(value: &Spanned<String>, what: &str, problems: &mut Problems) -> Access {
    match value.get_ref().as_str() {
        "read" => Access::Read,
        "write" => Access::Write,
        other => {
            problems.push(
                value,
                format!("{what}: unknown access class `{other}`, expected `read` or `write`"),
            );
            Access::Read
        }
    }
}

fn parse_ty(text: &str, shapes: &HashSet<&str>) -> Result<Ty, String> {
    let (body, optional) = match text.strip_suffix('?') {
        Some(body) => (body, true),
        None => (text, false),
    };
    let (inner, list) = match body.strip_prefix('[').and_then(|b| b.strip_suffix(']')) {
        Some(inner) => (inner, true),
        None => (body, false),
    };
    if list && optional {
        return Err(format!(
            "type `{text}`: a list cannot be optional (an absent list is empty), write `{body}`"
        ));
    }
    let base = match inner {
        "string" => Base::String,
        "int" => Base::Int,
        "long" => Base::Long,
        "bool" => Base::Bool,
        "date" => Base::Date,
        "enum" => Base::Enum,
        "document" => Base::Document,
        shape if shapes.contains(shape) => Base::Shape(shape.to_string()),
        other => {
            return Err(format!(
                "unknown type `{other}`, expected string, int, long, bool, date, enum, document, \
                 a shape name, `[T]` or `T?`"
            ));
        }
    };
    Ok(Ty {
        base,
        list,
        optional,
    })
}

fn fields(
    table: &OrderedMap<Spanned<String>>,
    shapes: &HashSet<&str>,
    what: &str,
    problems: &mut Problems,
) -> Vec<Field> {
    let mut out = Vec::new();
    for (name, ty) in table.iter() {
        if !is_pascal_ident(name.get_ref()) {
            problems.push(
                name,
                format!(
                    "{what}: member `{}` must be PascalCase as AWS names it",
                    name.get_ref()
                ),
            );
            continue;
        }
        match parse_ty(ty.get_ref(), shapes) {
            Ok(ty) => out.push(Field {
                name: name.get_ref().clone(),
                snake: snake(name.get_ref()),
                ty,
            }),
            Err(message) => problems.push(
                ty,
                format!("{what}, member `{}`: {message}", name.get_ref()),
            ),
        }
    }
    out
}

/// A param type; `or_named` says whether the name of a `[params]` entry would have done
/// too (for the message).
fn parse_param_ty(
    value: &Spanned<String>,
    shapes: &[Shape],
    or_named: bool,
    what: &str,
    problems: &mut Problems,
) -> Option<(ParamTy, Option<String>)> {
    Some(match value.get_ref().as_str() {
        "string" => (ParamTy::String, None),
        "integer" => (ParamTy::Integer, None),
        "boolean" => (ParamTy::Boolean, None),
        "string_list" => (ParamTy::StringList, None),
        "document" => (ParamTy::Document, None),
        "document_list" => (ParamTy::DocumentList, None),
        "document_levels" => (ParamTy::DocumentLevels, None),
        other => match other.strip_prefix('[').and_then(|o| o.strip_suffix(']')) {
            Some(shape) if shapes.iter().any(|s| s.name == shape) => {
                (ParamTy::ShapeList, Some(shape.to_string()))
            }
            _ => {
                let last = if or_named {
                    ", [Shape] or the name of a [params] entry"
                } else {
                    " or [Shape]"
                };
                problems.push(
                    value,
                    format!(
                        "{what}: unknown param type `{other}`, expected string, integer, boolean, \
                         string_list, document, document_list, document_levels{last}"
                    ),
                );
                return None;
            }
        },
    })
}

fn param_fits_member(param: ParamTy, member: &Ty) -> bool {
    matches!(
        (param, member.list, &member.base),
        (ParamTy::String, false, Base::String | Base::Enum)
            | (ParamTy::Integer, false, Base::Int | Base::Long)
            | (ParamTy::Boolean, false, Base::Bool)
            | (ParamTy::StringList, true, Base::String | Base::Enum)
            | (ParamTy::Document, false, Base::Document)
            | (ParamTy::ShapeList, true, Base::Shape(_))
    )
}

/// Verbs of the operations that change nothing: an operation whose name starts with one is
/// `read`, any other `write`, unless it says `access`.
pub const READ_VERBS: [&str; 4] = ["List", "Get", "Generate", "Simulate"];

/// `read` or `write`, from the operation name's first word (`ListUsers` -> `List`).
pub fn verb_access(operation: &str) -> Access {
    let end = operation
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(operation.len(), |(i, _)| i);
    if READ_VERBS.contains(&&operation[..end]) {
        Access::Read
    } else {
        Access::Write
    }
}

/// What `paged` adds to an operation, with their types: input members, then output members.
const PAGING_INPUT: [(&str, &str); 2] = [("Marker", "string?"), ("MaxItems", "int?")];
const PAGING_OUTPUT: [(&str, &str); 2] = [("IsTruncated", "bool"), ("Marker", "string?")];

/// The operation named `name`, or a problem at `at` saying there is none.
fn find_op(
    ops: &[Operation],
    name: &str,
    at: usize,
    what: &str,
    problems: &mut Problems,
) -> Option<usize> {
    let found = ops.iter().position(|o| o.name == name);
    if found.is_none() {
        problems.at(at, format!("{what}: unknown operation `{name}`"));
    }
    found
}

/// The one list field of an operation's output, or why there is not exactly one.
fn only_list(op: &Operation) -> Result<&Field, String> {
    let lists: Vec<&Field> = op.output.iter().filter(|f| f.ty.list).collect();
    match lists[..] {
        [one] => Ok(one),
        [] => Err(format!("`{}`'s output has no list field", op.name)),
        _ => Err(format!(
            "`{}`'s output has several list fields ({})",
            op.name,
            lists
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Checks the whole manifest; returns the model, or every problem found.
pub fn validate(manifest: &Manifest) -> Result<Model, Problems> {
    let mut problems = Problems::default();
    let toolsets = validate_toolsets(manifest, &mut problems);
    let shape_names: HashSet<&str> = manifest
        .shapes
        .iter()
        .map(|(n, _)| n.get_ref().as_str())
        .collect();
    let shapes = validate_shapes(manifest, &shape_names, &mut problems);
    let operations: Vec<Operation> = manifest
        .operations
        .iter()
        .map(|(name, op)| validate_operation(manifest, name, op, &shape_names, &mut problems))
        .collect();
    let named = params::validate_named(manifest, &shapes, &mut problems);
    let guardrails = validate_guardrails(manifest, &operations, &mut problems);
    let preview = validate_preview(manifest, &operations, &mut problems);

    let cx = tool::Context {
        ops: &operations,
        shapes: &shapes,
        named: &named,
        guardrails: &guardrails,
        preview: &preview,
    };
    let mut tools: Vec<Tool> = Vec::new();
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (toolset, group) in manifest.tools.iter() {
        if !toolsets.iter().any(|t| &t.name == toolset.get_ref()) {
            problems.push(
                toolset,
                format!(
                    "[tools.{0}]: unknown toolset `{0}`, declared toolsets: {1}",
                    toolset.get_ref(),
                    toolsets
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        for (name, tool) in group.iter() {
            if let Some((_, other)) = seen.iter().find(|(n, _)| n == name.get_ref()) {
                problems.push(
                    name,
                    format!(
                        "tool `{}` is declared in toolset `{other}` already",
                        name.get_ref()
                    ),
                );
                continue;
            }
            seen.push((name.get_ref(), toolset.get_ref()));
            if let Some(t) = tool::validate_tool(&cx, toolset, name, tool, &mut problems) {
                tools.push(t);
            }
        }
    }

    if problems.0.is_empty() {
        Ok(Model {
            toolsets,
            shapes,
            operations,
            tools,
            guardrails,
            preview,
        })
    } else {
        Err(problems)
    }
}

fn validate_toolsets(manifest: &Manifest, problems: &mut Problems) -> Vec<Toolset> {
    manifest
        .toolsets
        .iter()
        .map(|(name, t)| {
            if !is_snake_ident(name.get_ref()) {
                problems.push(
                    name,
                    format!("toolset `{}`: name must be snake_case", name.get_ref()),
                );
            }
            Toolset {
                name: name.get_ref().clone(),
                description: t.description.get_ref().clone(),
                default: t.default,
            }
        })
        .collect()
}

fn validate_shapes(
    manifest: &Manifest,
    shape_names: &HashSet<&str>,
    problems: &mut Problems,
) -> Vec<Shape> {
    manifest
        .shapes
        .iter()
        .map(|(name, table)| {
            if !is_pascal_ident(name.get_ref()) {
                problems.push(
                    name,
                    format!(
                        "shape `{}`: name must be the SDK's PascalCase type name",
                        name.get_ref()
                    ),
                );
            }
            Shape {
                name: name.get_ref().clone(),
                fields: fields(
                    table,
                    shape_names,
                    &format!("shape `{}`", name.get_ref()),
                    problems,
                ),
            }
        })
        .collect()
}

/// An operation: its members, its access (said, or its verb's) and its paging (`paged`
/// adds the paging members after the declared ones, unless it declares them itself to
/// place them elsewhere).
fn validate_operation(
    manifest: &Manifest,
    name: &Spanned<String>,
    op: &crate::manifest::Operation,
    shape_names: &HashSet<&str>,
    problems: &mut Problems,
) -> Operation {
    let what = format!("operation `{}`", name.get_ref());
    if !is_pascal_ident(name.get_ref()) {
        problems.push(
            name,
            format!("{what}: name must be the IAM API's PascalCase operation name"),
        );
    }
    let mut input = fields(&op.input, shape_names, &what, problems);
    for (member, ty) in op.input.iter() {
        if let Ok(ty) = parse_ty(ty.get_ref(), shape_names) {
            let shape_ok = match &ty.base {
                Base::Shape(name) => ty.list && input_shape_ok(manifest, name),
                _ => true,
            };
            if matches!(ty.base, Base::Date) || !shape_ok {
                problems.push(member, format!("{what}: input member `{}` has type `{}`; inputs take string, int, long, bool, enum, document, [string] or [Shape] of a shape with only string, int, long, bool, enum or [string] fields", member.get_ref(), ty_text(&ty)));
            }
        }
    }
    let mut output = fields(&op.output, shape_names, &what, problems);
    let paged = match &op.paged {
        Some(list) => {
            if !output
                .iter()
                .any(|f| &f.name == list.get_ref() && f.ty.list)
            {
                problems.push(
                    list,
                    format!(
                        "{what}: `paged = \"{}\"` is not a list field of its output",
                        list.get_ref()
                    ),
                );
            }
            add_paging(&mut input, &op.input, &PAGING_INPUT, &what, problems);
            add_paging(&mut output, &op.output, &PAGING_OUTPUT, &what, problems);
            Some(list.get_ref().clone())
        }
        None => {
            let declared = op
                .input
                .iter()
                .filter(|(m, _)| PAGING_INPUT.iter().any(|(p, _)| m.get_ref() == p))
                .chain(
                    op.output
                        .iter()
                        .filter(|(m, _)| PAGING_OUTPUT.iter().any(|(p, _)| m.get_ref() == p)),
                );
            let declared: Vec<&Spanned<String>> = declared.map(|(member, _)| member).collect();
            if let Some(first) = declared.first() {
                let names: Vec<&str> = declared.iter().map(|m| m.get_ref().as_str()).collect();
                problems.push(first, format!("{what}: declares paging members ({}): say `paged = \"<list field>\"` instead, which adds Marker and MaxItems to the input and IsTruncated and Marker to the output", names.join(", ")));
            }
            None
        }
    };
    let derived = verb_access(name.get_ref());
    let access = match &op.access {
        Some(said) => {
            let access = parse_access(said, &what, problems);
            if access == derived && matches!(said.get_ref().as_str(), "read" | "write") {
                problems.push(
                    said,
                    format!(
                        "{what}: `access = \"{}\"` is what its verb says already; remove it",
                        said.get_ref()
                    ),
                );
            }
            access
        }
        None => derived,
    };
    Operation {
        name: name.get_ref().clone(),
        snake: snake(name.get_ref()),
        access,
        input,
        output,
        paged,
    }
}

/// Appends the paging members `members` that `declared` does not place itself.
fn add_paging(
    fields: &mut Vec<Field>,
    declared: &OrderedMap<Spanned<String>>,
    members: &[(&str, &str)],
    what: &str,
    problems: &mut Problems,
) {
    for (member, ty) in members {
        match declared.iter().find(|(n, _)| n.get_ref() == member) {
            Some((_, said)) if said.get_ref() == ty => {}
            Some((_, said)) => problems.push(
                said,
                format!(
                    "{what}: paging member `{member}` is `{ty}`, not `{}`",
                    said.get_ref()
                ),
            ),
            None => fields.push(Field {
                name: member.to_string(),
                snake: snake(member),
                ty: parse_ty(ty, &HashSet::new()).expect("paging member types parse"),
            }),
        }
    }
}

/// Guardrails: a name (the runtime's rule of that name, which the generated catalog names
/// by its `Rule` variant: a name the runtime does not implement fails to compile there),
/// write operations to check, read operations to decide with, or a kind of policy
/// document; what it refuses and its flag's help, and the flag (by default its name's).
fn validate_preview(manifest: &Manifest, ops: &[Operation], problems: &mut Problems) -> Preview {
    let mut out = Preview::default();
    let Some(p) = &manifest.access_preview else {
        return out;
    };
    let what = "access_preview";
    for (list, access, into) in [
        (&p.operations, Access::Write, &mut out.operations),
        (&p.reads, Access::Read, &mut out.reads),
    ] {
        for name in list {
            let Some(index) = find_op(ops, name.get_ref(), name.span().start, what, problems)
            else {
                continue;
            };
            if ops[index].access != access {
                problems.push(
                    name,
                    format!(
                        "{what}: `{}` is a {} operation; `operations` lists writes, `reads` what the preview reads",
                        ops[index].name,
                        if access == Access::Write { "read" } else { "write" }
                    ),
                );
            }
            into.push(index);
        }
    }
    out
}

fn validate_guardrails(
    manifest: &Manifest,
    ops: &[Operation],
    problems: &mut Problems,
) -> Vec<Guardrail> {
    let mut out = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    for (name, g) in manifest.guardrails.iter() {
        let what = format!("guardrail `{}`", name.get_ref());
        if !is_snake_ident(name.get_ref()) {
            problems.push(
                name,
                format!("{what}: name must be snake_case (the runtime's rule of that name is the `Rule` variant of its PascalCase)"),
            );
        }
        let mut operations = Vec::new();
        for (op, read_list) in g.operations.iter() {
            let Some(index) = find_op(ops, op.get_ref(), op.span().start, &what, problems) else {
                continue;
            };
            if ops[index].access != Access::Write {
                problems.push(op, format!("{what}: `{}` is a read operation; guardrails check writes (list the reads a check needs as its value)", ops[index].name));
            }
            let mut reads = Vec::new();
            for read in read_list {
                let Some(r) = find_op(ops, read.get_ref(), read.span().start, &what, problems)
                else {
                    continue;
                };
                if ops[r].access != Access::Read {
                    problems.push(
                        read,
                        format!(
                            "{what}: `{}` reads with `{}`, a write operation",
                            ops[index].name, ops[r].name
                        ),
                    );
                }
                reads.push(r);
            }
            operations.push((index, reads));
        }
        if let Some(kind) = &g.documents
            && !matches!(kind.get_ref().as_str(), "identity" | "trust")
        {
            problems.push(
                kind,
                format!(
                    "{what}: documents must be `identity` or `trust`, not `{}`",
                    kind.get_ref()
                ),
            );
        }
        if g.operations.0.is_empty() && g.documents.is_none() {
            problems.push(name, format!("{what}: give `operations` (the writes it checks), `documents` (identity or trust), or both"));
        }
        let mut text = |key: &str, value: &Option<Spanned<String>>, says: &str| match value {
            Some(v) if v.get_ref().trim().is_empty() || v.get_ref().contains('\n') => {
                problems.push(
                    v,
                    format!("{what}: `{key}` must be one line of text, not empty"),
                );
                String::new()
            }
            Some(v) => v.get_ref().trim().to_string(),
            None => {
                problems.push(name, format!("{what}: give `{key}` ({says})"));
                String::new()
            }
        };
        let refuses = text(
            "refuses",
            &g.refuses,
            "what it refuses, as the server's instructions list it",
        );
        let help = text("help", &g.help, "the help text of the flag that relaxes it");
        let derived = default_flag(name.get_ref());
        let flag = match &g.flag {
            Some(flag) => {
                let f = flag.get_ref();
                let words = f.strip_prefix("--allow-").unwrap_or_default();
                if words.is_empty()
                    || !words.split('-').all(|w| {
                        !w.is_empty()
                            && w.chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    })
                {
                    problems.push(flag, format!("{what}: flag `{f}` must be `--allow-` and lowercase words joined by dashes"));
                } else if *f == derived {
                    problems.push(
                        flag,
                        format!("{what}: `flag = \"{f}\"` is its name's flag already; remove it"),
                    );
                }
                if flags.contains(f) {
                    problems.push(
                        flag,
                        format!("{what}: flag `{f}` relaxes another guardrail already"),
                    );
                }
                f.clone()
            }
            None => {
                if flags.contains(&derived) {
                    problems.push(name, format!("{what}: its flag `{derived}` relaxes another guardrail already; give it another `flag`"));
                }
                derived
            }
        };
        flags.push(flag.clone());
        out.push(Guardrail {
            name: name.get_ref().clone(),
            operations,
            documents: g.documents.as_ref().map(|d| d.get_ref().clone()),
            refuses,
            help,
            env: flag_env(&flag),
            flag,
        });
    }
    out
}

/// A shape can be sent to AWS when its fields are scalars or string lists.
fn input_shape_ok(manifest: &Manifest, name: &str) -> bool {
    manifest
        .shapes
        .iter()
        .find(|(n, _)| n.get_ref() == name)
        .is_some_and(|(_, fields)| {
            fields.iter().all(|(_, ty)| {
                let t = ty.get_ref().trim_end_matches('?');
                matches!(t, "string" | "int" | "long" | "bool" | "enum" | "[string]")
            })
        })
}

fn ty_text(ty: &Ty) -> String {
    let base = match &ty.base {
        Base::String => "string",
        Base::Int => "int",
        Base::Long => "long",
        Base::Bool => "bool",
        Base::Date => "date",
        Base::Enum => "enum",
        Base::Document => "document",
        Base::Shape(s) => s,
    };
    match (ty.list, ty.optional) {
        (true, _) => format!("[{base}]"),
        (false, true) => format!("{base}?"),
        (false, false) => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Model, Vec<String>> {
        let manifest: Manifest = toml::from_str(text).unwrap();
        validate(&manifest).map_err(|p| p.0.into_iter().map(|(message, _)| message).collect())
    }

    #[test]
    fn snake_follows_the_sdk() {
        assert_eq!(snake("UserName"), "user_name");
        assert_eq!(snake("ListMFADevices"), "list_mfa_devices");
        assert_eq!(snake("ListSSHPublicKeys"), "list_ssh_public_keys");
        assert_eq!(snake("SSHPublicKeyId"), "ssh_public_key_id");
        assert_eq!(
            snake("ListOpenIDConnectProviders"),
            "list_open_id_connect_providers"
        );
        assert_eq!(
            snake("GetAccountAuthorizationDetails"),
            "get_account_authorization_details"
        );
        assert_eq!(snake("AccessKeyMetadata"), "access_key_metadata");
        assert_eq!(snake("IsTruncated"), "is_truncated");
        assert_eq!(pascal("path_prefix"), "PathPrefix");
    }

    #[test]
    fn access_follows_the_verb() {
        for (op, access) in [
            ("ListUsers", Access::Read),
            ("GetAccountAuthorizationDetails", Access::Read),
            ("GenerateCredentialReport", Access::Read),
            ("SimulateCustomPolicy", Access::Read),
            ("DeleteUser", Access::Write),
            ("UpdateAccessKey", Access::Write),
            ("Listen", Access::Write),
            ("Get", Access::Read),
        ] {
            assert_eq!(verb_access(op), access, "{op}");
        }
    }

    /// Users, their groups and their access keys: a paged list, a delete with cleanup.
    const USERS: &str = r#"
        [toolsets.users]
        description = "Users."

        [shapes.Group]
        GroupName = "string"
        [shapes.AccessKeyMetadata]
        AccessKeyId = "string?"
        Status = "enum?"

        [operations]
        ListGroupsForUser = { input = { UserName = "string", PathPrefix = "string?" }, output = { Groups = "[Group]" }, paged = "Groups" }
        ListAccessKeys = { input = { UserName = "string?" }, output = { AccessKeyMetadata = "[AccessKeyMetadata]" }, paged = "AccessKeyMetadata" }
        DeleteAccessKey = { input = { UserName = "string?", AccessKeyId = "string" } }
        RemoveUserFromGroup = { input = { GroupName = "string", UserName = "string" } }
        DeleteUser = { input = { UserName = "string" } }
        GetUser = { input = { UserName = "string?" } }
        UpdateUser = { input = { UserName = "string", NewPath = "string?", NewUserName = "string?" } }

        [params]
        user_name = { type = "string", min_length = 1, max_length = 64, description = "The user." }
        path_prefix = { type = "string", pattern = "/.*", description = "Only what is under this path." }
    "#;

    #[test]
    fn what_the_manifest_leaves_out_is_derived() {
        let model = check(&format!(
            r#"{USERS}
            [tools.users.list_groups_for_user]
            title = "List"
            description = "List a user's groups."
            params.path_prefix = "Only groups under this path."

            [tools.users.delete_user]
            title = "Delete"
            description = "Delete a user."
            destructive = true
            cleanup = [
              {{ kind = "access keys", list = "ListAccessKeys", delete = "DeleteAccessKey" }},
              {{ kind = "group memberships", list = "ListGroupsForUser", delete = "RemoveUserFromGroup" }},
            ]
            "#
        ))
        .unwrap();
        let list = &model.operations[0];
        assert_eq!(list.access, Access::Read);
        assert_eq!(list.paged.as_deref(), Some("Groups"));
        let members = |fields: &[Field]| fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            members(&list.input),
            ["UserName", "PathPrefix", "Marker", "MaxItems"]
        );
        assert_eq!(members(&list.output), ["Groups", "IsTruncated", "Marker"]);
        assert_eq!(model.operations[2].access, Access::Write);

        let tool = &model.tools[0];
        assert_eq!(model.op(tool.op.unwrap()).name, "ListGroupsForUser");
        assert_eq!(tool.toolset, "users");
        assert_eq!(tool.access, Access::Read);
        assert_eq!(tool.paginate.as_deref(), Some("Groups"));
        let user = &tool.params[0];
        assert_eq!(
            (user.name.as_str(), user.member.as_str(), user.required),
            ("user_name", "UserName", true)
        );
        assert_eq!(user.description, "The user.");
        assert_eq!((user.min_length, user.max_length), (Some(1), Some(64)));
        let prefix = &tool.params[1];
        assert_eq!(
            (prefix.required, prefix.description.as_str()),
            (false, "Only groups under this path.")
        );
        assert_eq!(prefix.pattern.as_deref(), Some("/.*"));

        let delete = &model.tools[1];
        assert_eq!(
            (delete.access, delete.destructive, delete.idempotent),
            (Access::Write, true, false)
        );
        let keys = &delete.cleanup[0];
        assert_eq!(keys.items, "AccessKeyMetadata");
        assert_eq!(
            keys.bind,
            [("AccessKeyId".to_string(), "AccessKeyId".to_string())]
        );
        assert_eq!(keys.label.as_deref(), Some("AccessKeyId"));
        let groups = &delete.cleanup[1];
        assert_eq!(
            groups.bind,
            [("GroupName".to_string(), "GroupName".to_string())]
        );
        assert_eq!(
            delete.actions,
            [
                "iam:DeleteUser",
                "iam:ListAccessKeys",
                "iam:DeleteAccessKey",
                "iam:ListGroupsForUser",
                "iam:RemoveUserFromGroup"
            ]
        );
    }

    #[test]
    fn params_follow_the_operation_unless_the_tool_lists_every_one() {
        let tool = |params: &str| {
            check(&format!(
                r#"{USERS}
                [tools.users.list_groups_for_user]
                title = "List"
                description = "List a user's groups."
                {params}
                "#
            ))
            .map(|m| {
                m.tools[0]
                    .params
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(tool("").unwrap(), ["user_name", "path_prefix"]);
        assert_eq!(
            tool(r#"params.path_prefix = "Under this." "#).unwrap(),
            ["user_name", "path_prefix"]
        );
        assert_eq!(
            tool("params.path_prefix = \"Under this.\"\nparams.user_name = {}").unwrap(),
            ["path_prefix", "user_name"]
        );
    }

    /// Every problem of a tool of `USERS`.
    fn tool_problems(tool: &str) -> Vec<String> {
        check(&format!("{USERS}\n[tools.users.{tool}")).unwrap_err()
    }

    #[test]
    fn a_key_that_repeats_a_derived_value_is_refused() {
        assert_eq!(
            tool_problems(
                r#"list_groups_for_user]
                title = "List"
                description = "List a user's groups."
                operation = "ListGroupsForUser"
                access = "read"
                paginate = true
                params.user_name = { description = "The user.", required = true, min_length = 1 }
                "#
            ),
            [
                "tool `list_groups_for_user`: `operation = \"ListGroupsForUser\"` is what the tool's name says already; remove it",
                "tool `list_groups_for_user`: `access = \"read\"` is what operation `ListGroupsForUser` says already; remove it",
                "tool `list_groups_for_user`: `paginate = true` is what operation `ListGroupsForUser` says already; remove it",
                "tool `list_groups_for_user`, param `user_name`: the description repeats [params.user_name]'s; remove it",
                "tool `list_groups_for_user`, param `user_name`: `required = true` is what member `UserName` of `ListGroupsForUser` (`string`) says already; remove it",
                "tool `list_groups_for_user`, param `user_name`: `min_length` repeats [params.user_name]; remove it",
            ]
        );
        assert_eq!(
            tool_problems(
                r#"delete_user]
                title = "Delete"
                description = "Delete a user."
                destructive = true
                cleanup = [
                  { kind = "access keys", list = "ListAccessKeys", items = "AccessKeyMetadata", delete = "DeleteAccessKey", bind = { AccessKeyId = "AccessKeyId" } },
                ]
                "#
            ),
            [
                "tool `delete_user`, cleanup step `access keys`: `items = \"AccessKeyMetadata\"` is `ListAccessKeys`'s only list field, the default; remove it",
                "tool `delete_user`, cleanup step `access keys`: this `bind` binds each member to the item field of its name, the default; remove it",
            ]
        );
    }

    #[test]
    fn param_faults_are_reported() {
        assert_eq!(
            tool_problems(
                r#"get_user]
                title = "Get"
                description = "Get a user."
                params.user_name = { type = "string", description = "Who." }
                params.group = "The group."
                params.limit = { type = "user_nme", description = "How many." }
                "#
            ),
            [
                "tool `get_user`, param `user_name`: its type is [params.user_name]'s; remove `type` (a param of another type needs another name)",
                "tool `get_user`, param `group`: needs a `type` (a param type, or the name of a [params] entry): there is no [params.group]",
                "tool `get_user`, param `limit`: unknown param type `user_nme`, expected string, integer, boolean, string_list, document, document_list, document_levels, [Shape] or the name of a [params] entry",
            ]
        );
        assert_eq!(
            tool_problems(
                r#"list_groups_for_user]
                title = "List"
                description = "List a user's groups."
                params.path_prefix = { max = 3 }
                "#
            ),
            [
                "tool `list_groups_for_user`, param `path_prefix`: `max` does not apply to type `string`"
            ]
        );
        assert_eq!(
            tool_problems(
                r#"update_user]
                title = "Update"
                description = "Rename or move a user."
                destructive = false
                params.new_user_name = { type = "user_name", description = "The new name." }
                params.new_path = { type = "path_prefix", description = "The new path." }
                params.extra = { type = "string", description = "More." }
                "#
            ),
            [
                "tool `update_user`: `params` lists `new_path` after `new_user_name`, which the operation takes in the other order: list every param to choose the order, or follow the operation's",
                "tool `update_user`, param `extra`: operation `UpdateUser` has no input member `Extra`",
            ]
        );
    }

    #[test]
    fn named_param_faults_are_reported_once() {
        let problems = check(
            r#"
            [toolsets.users]
            description = "Users."
            [operations]
            GetUser = { input = { UserName = "string?" } }
            [params]
            user_name = { type = "string", min = 1, required = true, member = "User" }
            path = { description = "A path." }
            [tools.users.get_user]
            title = "Get"
            description = "Get a user."
            "#,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                "[params.user_name]: whether a param is required depends on the tool (by default: whether the operation's member is); say it in the tool's `params.user_name`",
                "[params.user_name]: the member a param fills depends on the tool's operation; say it in the tool's `params.user_name`",
                "[params.user_name]: `min` does not apply to type `string`",
                "[params.path]: needs a `type` (a [params] entry says what the param is)",
                "tool `get_user`, param `user_name`: needs a description ([params.user_name] has none)",
            ]
        );
    }

    #[test]
    fn operation_faults_are_reported() {
        let problems = check(
            r#"
            [operations]
            ListUsers = { input = { Marker = "string?" }, output = { Users = "[string]", Count = "int" }, access = "read" }
            ListGroups = { input = { MaxItems = "int" }, output = { Groups = "[string]" }, paged = "Group" }
            [tools.users.list_userz]
            title = "List"
            description = "List users."
            "#,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                "operation `ListUsers`: declares paging members (Marker): say `paged = \"<list field>\"` instead, which adds Marker and MaxItems to the input and IsTruncated and Marker to the output",
                "operation `ListUsers`: `access = \"read\"` is what its verb says already; remove it",
                "operation `ListGroups`: `paged = \"Group\"` is not a list field of its output",
                "operation `ListGroups`: paging member `MaxItems` is `int?`, not `int`",
                "[tools.users]: unknown toolset `users`, declared toolsets: ",
                "tool `list_userz`: no operation is named `list_userz` in snake_case (`ListUserz`?): declare it in [operations], or say `operation = \"...\"` (an IAM call) or `run = \"...\"` (a runtime function)",
            ]
        );
    }

    #[test]
    fn a_tool_name_is_one_tool() {
        let problems = check(&format!(
            r#"{USERS}
            [toolsets.admin]
            description = "Admin."
            [tools.users.get_user]
            title = "Get"
            description = "Get a user."
            [tools.admin.get_user]
            title = "Get"
            description = "Get a user, again."
            "#
        ))
        .unwrap_err();
        assert_eq!(
            problems,
            ["tool `get_user` is declared in toolset `users` already"]
        );
    }

    /// A tool whose one cleanup step's list operation gets `list_input`.
    fn with_list_input(list_input: &str) -> Result<Model, Vec<String>> {
        check(&format!(
            r#"
            [toolsets.policies]
            description = "Policies."

            [shapes.PolicyUser]
            UserName = "string?"

            [operations]
            ListEntitiesForPolicy = {{ input = {{ PolicyArn = "string", PolicyUsageFilter = "enum?", PathPrefix = "string?", OnlyNames = "[string]" }}, output = {{ PolicyUsers = "[PolicyUser]" }}, paged = "PolicyUsers" }}
            DeleteUserPermissionsBoundary = {{ input = {{ UserName = "string" }} }}
            DeletePolicy = {{ input = {{ PolicyArn = "string" }} }}

            [tools.policies.delete_policy]
            title = "Delete a policy"
            description = "Delete a policy."
            destructive = true
            params.policy_arn = {{ type = "string", description = "The policy." }}
            cleanup = [
              {{ kind = "permissions boundaries of users", list = "ListEntitiesForPolicy", list_input = {list_input}, delete = "DeleteUserPermissionsBoundary" }},
            ]
            "#
        ))
    }

    #[test]
    fn list_input_reaches_the_model() {
        let model =
            with_list_input(r#"{ PolicyUsageFilter = "PermissionsBoundary", PathPrefix = "/" }"#)
                .unwrap();
        let step = &model.tools[0].cleanup[0];
        assert_eq!(
            step.list_input,
            [
                (
                    "PolicyUsageFilter".to_string(),
                    "PermissionsBoundary".to_string()
                ),
                ("PathPrefix".to_string(), "/".to_string())
            ]
        );
        assert_eq!(step.list_members, ["PolicyArn"]);
    }

    #[test]
    fn list_input_faults_are_reported() {
        let step = "tool `delete_policy`, cleanup step `permissions boundaries of users`";
        for (list_input, expected) in [
            (
                r#"{ UsageFilter = "PermissionsBoundary" }"#,
                "`list_input` names `UsageFilter`, which is not an input member of `ListEntitiesForPolicy`",
            ),
            (
                r#"{ Marker = "x" }"#,
                "`list_input` sets `Marker`, which the runtime sets to page through every item; remove it",
            ),
            (
                r#"{ PolicyArn = "arn:aws:iam::aws:policy/X" }"#,
                "`list_input` sets `PolicyArn`, which a param of the tool fills; remove one of them",
            ),
            (
                r#"{ OnlyNames = "x" }"#,
                "`list_input` sets `OnlyNames`, a `[string]` member of `ListEntitiesForPolicy`; only string and enum members take a fixed value",
            ),
        ] {
            assert_eq!(
                with_list_input(list_input).unwrap_err(),
                [format!("{step}: {expected}")],
                "{list_input}"
            );
        }
    }
}
