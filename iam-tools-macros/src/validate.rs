//! Semantic checks over the parsed manifest. Every problem is collected (never just the
//! first), each with the byte offset it points at; the result is the checked model that
//! codegen reads.

use crate::manifest::{self, Manifest, OrderedMap};
use std::collections::HashSet;
use toml::Spanned;

/// Problems found in a manifest: a message and the byte offset it points at.
#[derive(Default, Debug)]
pub struct Problems(pub Vec<(String, usize)>);

impl Problems {
    fn push<T>(&mut self, at: &Spanned<T>, message: String) {
        self.0.push((message, at.span().start));
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
    /// Takes `Marker` and returns `Marker` + `IsTruncated`.
    pub paged: bool,
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

/// A guardrail: a rule the runtime implements, where it applies and what it reads.
#[derive(Debug)]
pub struct Guardrail {
    pub name: String,
    /// Write operations whose steps it checks, each with the read operations it may call.
    pub operations: Vec<(usize, Vec<usize>)>,
    /// `identity` or `trust`: the policy document params it checks.
    pub documents: Option<String>,
}

/// The guardrails the runtime implements (`iam_tools::guard::Rule`).
pub const GUARDRAILS: [&str; 5] = [
    "privileged_policies",
    "broad_allow",
    "public_trust",
    "self_lockout",
    "service_linked_roles",
];

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

fn parse_param_ty(
    value: &Spanned<String>,
    shapes: &[Shape],
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
                problems.push(
                    value,
                    format!(
                        "{what}: unknown param type `{other}`, expected string, integer, boolean, \
                         string_list, document, document_list, document_levels or [Shape]"
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

fn find_op(
    ops: &[Operation],
    name: &Spanned<String>,
    what: &str,
    problems: &mut Problems,
) -> Option<usize> {
    let found = ops.iter().position(|o| &o.name == name.get_ref());
    if found.is_none() {
        problems.push(
            name,
            format!("{what}: unknown operation `{}`", name.get_ref()),
        );
    }
    found
}

/// Checks the whole manifest; returns the model, or every problem found.
pub fn validate(manifest: &Manifest) -> Result<Model, Problems> {
    let mut problems = Problems::default();

    let toolsets: Vec<Toolset> = manifest
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
        .collect();

    let shape_names: HashSet<&str> = manifest
        .shapes
        .iter()
        .map(|(n, _)| n.get_ref().as_str())
        .collect();
    let shapes: Vec<Shape> = manifest
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
                    &shape_names,
                    &format!("shape `{}`", name.get_ref()),
                    &mut problems,
                ),
            }
        })
        .collect();

    let operations: Vec<Operation> = manifest
        .operations
        .iter()
        .map(|(name, op)| {
            let what = format!("operation `{}`", name.get_ref());
            if !is_pascal_ident(name.get_ref()) {
                problems.push(name, format!("{what}: name must be the IAM API's PascalCase operation name"));
            }
            let input = fields(&op.input, &shape_names, &what, &mut problems);
            for (member, ty) in op.input.iter() {
                if let Ok(ty) = parse_ty(ty.get_ref(), &shape_names) {
                    let shape_ok = match &ty.base {
                        Base::Shape(name) => ty.list && input_shape_ok(manifest, name),
                        _ => true,
                    };
                    if matches!(ty.base, Base::Date) || !shape_ok {
                        problems.push(member, format!("{what}: input member `{}` has type `{}`; inputs take string, int, long, bool, enum, document, [string] or [Shape] of a shape with only string, int, long, bool, enum or [string] fields", member.get_ref(), ty_text(&ty)));
                    }
                }
            }
            let output = fields(&op.output, &shape_names, &what, &mut problems);
            let has_in = |n: &str| input.iter().any(|f| f.name == n);
            let has_out = |n: &str| output.iter().any(|f| f.name == n);
            let paged = has_in("Marker") && has_out("Marker") && has_out("IsTruncated");
            Operation {
                name: name.get_ref().clone(),
                snake: snake(name.get_ref()),
                access: parse_access(&op.access, &what, &mut problems),
                input,
                output,
                paged,
            }
        })
        .collect();

    let guardrails = validate_guardrails(manifest, &operations, &mut problems);

    let mut tools = Vec::new();
    for (name, tool) in manifest.tools.iter() {
        if let Some(t) = validate_tool(
            name,
            tool,
            &toolsets,
            &operations,
            &shapes,
            &guardrails,
            &mut problems,
        ) {
            tools.push(t);
        }
    }

    if problems.0.is_empty() {
        Ok(Model {
            toolsets,
            shapes,
            operations,
            tools,
            guardrails,
        })
    } else {
        Err(problems)
    }
}

/// Guardrails: names the runtime implements, write operations to check, read operations
/// to decide with, or a kind of policy document.
fn validate_guardrails(
    manifest: &Manifest,
    ops: &[Operation],
    problems: &mut Problems,
) -> Vec<Guardrail> {
    let mut out = Vec::new();
    for (name, g) in manifest.guardrails.iter() {
        let what = format!("guardrail `{}`", name.get_ref());
        if !GUARDRAILS.contains(&name.get_ref().as_str()) {
            problems.push(
                name,
                format!(
                    "{what}: unknown guardrail, expected one of {}",
                    GUARDRAILS.join(", ")
                ),
            );
        }
        let mut operations = Vec::new();
        for (op, read_list) in g.operations.iter() {
            let Some(index) = find_op(ops, op, &what, problems) else {
                continue;
            };
            if ops[index].access != Access::Write {
                problems.push(op, format!("{what}: `{}` is a read operation; guardrails check writes (list the reads a check needs as its value)", ops[index].name));
            }
            let mut reads = Vec::new();
            for read in read_list {
                let Some(r) = find_op(ops, read, &what, problems) else {
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
        out.push(Guardrail {
            name: name.get_ref().clone(),
            operations,
            documents: g.documents.as_ref().map(|d| d.get_ref().clone()),
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

fn validate_tool(
    name: &Spanned<String>,
    tool: &manifest::Tool,
    toolsets: &[Toolset],
    ops: &[Operation],
    shapes: &[Shape],
    guardrails: &[Guardrail],
    problems: &mut Problems,
) -> Option<Tool> {
    let tname = name.get_ref();
    let what = format!("tool `{tname}`");
    let before = problems.0.len();
    if !is_snake_ident(tname) {
        problems.push(name, format!("{what}: name must be snake_case"));
    }
    if tool.title.get_ref().trim().is_empty() {
        problems.push(&tool.title, format!("{what}: title is empty"));
    }
    if tool.description.get_ref().trim().is_empty() {
        problems.push(&tool.description, format!("{what}: description is empty"));
    }
    if !toolsets.iter().any(|t| &t.name == tool.toolset.get_ref()) {
        problems.push(
            &tool.toolset,
            format!(
                "{what}: unknown toolset `{}`, declared toolsets: {}",
                tool.toolset.get_ref(),
                toolsets
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let access = parse_access(&tool.access, &what, problems);
    let op = match (&tool.operation, &tool.run) {
        (Some(operation), None) => find_op(ops, operation, &what, problems),
        (None, Some(run)) => {
            if !is_pascal_ident(run.get_ref()) {
                problems.push(
                    run,
                    format!(
                        "{what}: `run = \"{}\"` must name a runtime function type (PascalCase)",
                        run.get_ref()
                    ),
                );
            }
            None
        }
        (Some(operation), Some(_)) => {
            problems.push(
                operation,
                format!("{what}: give `operation` or `run`, not both"),
            );
            None
        }
        (None, None) => {
            problems.push(
                name,
                format!("{what}: needs `operation` (an IAM call) or `run` (a runtime function)"),
            );
            None
        }
    };
    if tool.run.is_none() && !tool.uses.is_empty() {
        problems.push(&tool.uses[0], format!("{what}: `uses` is for `run` tools; an `operation` tool calls its operation and `include`s"));
    }
    let uses: Vec<usize> = tool
        .uses
        .iter()
        .filter_map(|u| find_op(ops, u, &what, problems))
        .collect();

    let destructive = match (&tool.destructive, access) {
        (Some(d), Access::Read) if *d.get_ref() => {
            problems.push(d, format!("{what}: a read tool cannot be destructive"));
            false
        }
        (Some(d), _) => *d.get_ref(),
        (None, Access::Write) => {
            problems.push(
                &tool.access,
                format!(
                    "{what}: a write tool must say `destructive = true` or `destructive = false`"
                ),
            );
            false
        }
        (None, Access::Read) => false,
    };
    let idempotent = tool
        .idempotent
        .as_ref()
        .map_or(access == Access::Read, |i| *i.get_ref());

    // Every operation the tool calls must fit its access class.
    let check_op_access = |index: usize, at: &Spanned<String>, problems: &mut Problems| {
        if access == Access::Read && ops[index].access == Access::Write {
            problems.push(
                at,
                format!("{what}: read tool calls write operation `{}`; declare the tool `access = \"write\"`", ops[index].name),
            );
        }
    };
    if let (Some(op), Some(at)) = (op, &tool.operation) {
        check_op_access(op, at, problems);
    }
    for (index, at) in uses.iter().zip(&tool.uses) {
        check_op_access(*index, at, problems);
    }
    if tool.run.is_some()
        && (tool.paginate.is_some() || !tool.include.is_empty() || !tool.cleanup.is_empty())
    {
        problems.push(&tool.access, format!("{what}: a `run` tool pages, includes and cleans up in its runtime function; remove `paginate`, `include` and `cleanup`"));
    }

    // Params.
    let mut params = Vec::new();
    let mut seen = HashSet::new();
    for p in &tool.params {
        let pname = p.name.get_ref();
        let pwhat = format!("{what}, param `{pname}`");
        if !seen.insert(pname.clone()) {
            problems.push(&p.name, format!("{what}: duplicate param `{pname}`"));
            continue;
        }
        if !is_snake_ident(pname) {
            problems.push(&p.name, format!("{pwhat}: name must be snake_case"));
        }
        if tool.paginate.is_some() && PAGING_PARAMS.contains(&pname.as_str()) {
            problems.push(
                &p.name,
                format!("{pwhat}: `{pname}` is added to every paginated tool; remove it"),
            );
        }
        if access == Access::Write && WRITE_PARAMS.contains(&pname.as_str()) {
            problems.push(&p.name, format!("{pwhat}: `{pname}` is added by the macro to write tools (force and dry_run with cleanup steps); remove it"));
        }
        let Some((ty, shape)) = parse_param_ty(&p.ty, shapes, &pwhat, problems) else {
            continue;
        };
        let member = p
            .member
            .as_ref()
            .map_or_else(|| pascal(pname), |m| m.get_ref().clone());
        let member_at = p.member.as_ref().unwrap_or(&p.name);
        if let Some(op) = op {
            let o = &ops[op];
            let in_include = tool.include.iter().any(|inc| {
                ops.iter()
                    .find(|x| &x.name == inc.operation.get_ref())
                    .is_some_and(|x| x.input_field(&member).is_some())
            });
            match o.input_field(&member) {
                Some(f) => {
                    if !param_fits_member(ty, &f.ty) {
                        problems.push(
                            &p.ty,
                            format!(
                                "{pwhat}: type `{}` does not fit member `{member}` of `{}` (`{}`)",
                                p.ty.get_ref(),
                                o.name,
                                ty_text(&f.ty)
                            ),
                        );
                    }
                }
                None if in_include => {}
                None => problems.push(
                    member_at,
                    format!(
                        "{pwhat}: operation `{}` has no input member `{member}`",
                        o.name
                    ),
                ),
            }
        }
        let numeric = ty == ParamTy::Integer;
        let stringy = ty == ParamTy::String;
        // A list's length is its number of items.
        let sized = stringy || ty.is_list();
        for (present, at, ok, what_c) in [
            (
                p.min.is_some(),
                p.min.as_ref().map(|s| s.span()),
                numeric,
                "min",
            ),
            (
                p.max.is_some(),
                p.max.as_ref().map(|s| s.span()),
                numeric,
                "max",
            ),
            (
                p.min_length.is_some(),
                p.min_length.as_ref().map(|s| s.span()),
                sized,
                "min_length",
            ),
            (
                p.max_length.is_some(),
                p.max_length.as_ref().map(|s| s.span()),
                sized,
                "max_length",
            ),
            (
                p.pattern.is_some(),
                p.pattern.as_ref().map(|s| s.span()),
                stringy,
                "pattern",
            ),
            (
                p.enum_values.is_some(),
                p.enum_values.as_ref().map(|s| s.span()),
                stringy,
                "enum",
            ),
        ] {
            if present && !ok {
                let at = at.unwrap_or(0..0);
                problems.0.push((
                    format!(
                        "{pwhat}: `{what_c}` does not apply to type `{}`",
                        p.ty.get_ref()
                    ),
                    at.start,
                ));
            }
        }
        if let Some(kind) = &p.policy {
            if !matches!(kind.get_ref().as_str(), "identity" | "trust") {
                problems.push(
                    kind,
                    format!(
                        "{pwhat}: `policy` is `identity` or `trust`, not `{}`",
                        kind.get_ref()
                    ),
                );
            } else if !matches!(ty, ParamTy::Document) {
                problems.push(
                    kind,
                    format!("{pwhat}: `policy` applies to `document` params only"),
                );
            }
        }
        if let Some(secret) = &p.secret
            && !matches!(ty, ParamTy::String)
        {
            problems.push(
                secret,
                format!("{pwhat}: `secret` applies to `string` params only"),
            );
        }
        if let (Some(min), Some(max)) = (&p.min, &p.max)
            && min.get_ref() > max.get_ref()
        {
            problems.push(
                min,
                format!(
                    "{pwhat}: min {} is greater than max {}",
                    min.get_ref(),
                    max.get_ref()
                ),
            );
        }
        params.push(Param {
            name: pname.clone(),
            ty,
            shape,
            required: p.required,
            description: p.description.get_ref().clone(),
            member,
            enum_values: p.enum_values.as_ref().map(|e| e.get_ref().clone()),
            min: p.min.as_ref().map(|v| *v.get_ref()),
            max: p.max.as_ref().map(|v| *v.get_ref()),
            min_length: p.min_length.as_ref().map(|v| *v.get_ref()),
            max_length: p.max_length.as_ref().map(|v| *v.get_ref()),
            pattern: p.pattern.as_ref().map(|v| v.get_ref().clone()),
            policy: p.policy.as_ref().map(|v| v.get_ref().clone()),
            secret: p.secret.as_ref().is_some_and(|s| *s.get_ref()),
        });
    }

    // Required members of the primary and included operations need a required param.
    let check_required = |index: usize, at: &Spanned<String>, problems: &mut Problems| {
        for f in ops[index]
            .input
            .iter()
            .filter(|f| !f.ty.optional && !f.ty.list)
        {
            match params.iter().find(|p| p.member == f.name) {
                Some(p) if p.required => {}
                Some(p) => {
                    // Point at the param that lacks `required = true`, not at the operation.
                    let at = tool
                        .params
                        .iter()
                        .find(|m| m.name.get_ref() == &p.name)
                        .map_or(at, |m| &m.name);
                    problems.push(at, format!("{what}: param `{}` fills required member `{}` of `{}`, so it must be `required = true`", p.name, f.name, ops[index].name))
                }
                None => problems.push(
                    at,
                    format!(
                        "{what}: no param fills required member `{}` of operation `{}`",
                        f.name, ops[index].name
                    ),
                ),
            }
        }
    };
    if let (Some(op), Some(at)) = (op, &tool.operation) {
        check_required(op, at, problems);
    }

    // Pagination.
    let paginate = tool.paginate.as_ref().and_then(|field| {
        let op = &ops[op?];
        if !op.paged || op.input_field("MaxItems").is_none() {
            problems.push(field, format!("{what}: `paginate = \"{}\"` needs an operation that pages (input Marker and MaxItems, output Marker and IsTruncated); `{}` does not", field.get_ref(), op.name));
            return None;
        }
        match op.output_field(field.get_ref()) {
            Some(f) if f.ty.list => Some(field.get_ref().clone()),
            _ => {
                problems.push(field, format!("{what}: `paginate = \"{}\"` is not a list field of `{}`'s output", field.get_ref(), op.name));
                None
            }
        }
    });

    // Included operations.
    let mut includes = Vec::new();
    for inc in &tool.include {
        let Some(index) = find_op(ops, &inc.operation, &what, problems) else {
            continue;
        };
        check_op_access(index, &inc.operation, problems);
        check_required(index, &inc.operation, problems);
        let clash = op.is_some_and(|o| ops[o].output_field(inc.field.get_ref()).is_some())
            || includes
                .iter()
                .any(|i: &Include| &i.field == inc.field.get_ref());
        if clash || !is_pascal_ident(inc.field.get_ref()) {
            problems.push(
                &inc.field,
                format!(
                    "{what}: include field `{}` must be a new PascalCase field of the result",
                    inc.field.get_ref()
                ),
            );
        }
        match ops[index].output_field(inc.take.get_ref()) {
            Some(f) => includes.push(Include {
                field: inc.field.get_ref().clone(),
                op: index,
                take: f.clone(),
            }),
            None => problems.push(
                &inc.take,
                format!(
                    "{what}: operation `{}` has no output field `{}`",
                    ops[index].name,
                    inc.take.get_ref()
                ),
            ),
        }
    }

    // Cleanup steps and refusals: list (or read) operations filled from the params, a
    // delete operation filled from each item and the params.
    let members_of = |index: usize| -> Vec<String> {
        ops[index]
            .input
            .iter()
            .filter(|f| params.iter().any(|p| p.member == f.name))
            .map(|f| f.name.clone())
            .collect()
    };
    let mut cleanup = Vec::new();
    if !tool.cleanup.is_empty() && access == Access::Read {
        problems.push(
            &tool.access,
            format!("{what}: only a write tool can have cleanup steps"),
        );
    }
    if access == Access::Write && (tool.run.is_some() || !tool.include.is_empty()) {
        problems.push(&tool.access, format!("{what}: a write tool is one `operation` (consent, plans and cleanup wrap it); remove `run` and `include`"));
    }
    for step in &tool.cleanup {
        let swhat = format!("{what}, cleanup step `{}`", step.kind.get_ref());
        let list = find_op(ops, &step.list, &swhat, problems);
        let delete = find_op(ops, &step.delete, &swhat, problems);
        let (Some(list), Some(delete)) = (list, delete) else {
            continue;
        };
        let item_shape = match ops[list].output_field(step.items.get_ref()) {
            Some(Field {
                ty: Ty { base, .. },
                ..
            }) => Some(base.clone()),
            _ => {
                problems.push(
                    &step.items,
                    format!(
                        "{swhat}: `{}` is not a field of `{}`'s output",
                        step.items.get_ref(),
                        ops[list].name
                    ),
                );
                None
            }
        };
        if ops[list].access != Access::Read {
            problems.push(
                &step.list,
                format!(
                    "{swhat}: `{}` is a write operation, not a list",
                    ops[list].name
                ),
            );
        }
        if ops[delete].access != Access::Write {
            problems.push(
                &step.delete,
                format!(
                    "{swhat}: `{}` is a read operation, not a delete",
                    ops[delete].name
                ),
            );
        }
        let has_field = |from: &str| match &item_shape {
            Some(Base::Shape(s)) => shapes
                .iter()
                .find(|x| &x.name == s)
                .is_some_and(|x| x.fields.iter().any(|f| f.name == from)),
            Some(_) => from == ".",
            None => true,
        };
        let list_members = members_of(list);
        let delete_members = members_of(delete);
        let mut list_input = Vec::new();
        for (member, value) in step.list_input.iter() {
            let name = member.get_ref();
            match ops[list].input_field(name) {
                None => problems.push(member, format!("{swhat}: `list_input` names `{name}`, which is not an input member of `{}`", ops[list].name)),
                Some(_) if name == "Marker" || name == "MaxItems" => {
                    problems.push(member, format!("{swhat}: `list_input` sets `{name}`, which the runtime sets to page through every item; remove it"))
                }
                Some(_) if list_members.contains(name) => {
                    problems.push(member, format!("{swhat}: `list_input` sets `{name}`, which a param of the tool fills; remove one of them"))
                }
                Some(Field { ty, .. }) if ty.list || !matches!(ty.base, Base::String | Base::Enum) => problems.push(
                    member,
                    format!("{swhat}: `list_input` sets `{name}`, a `{}` member of `{}`; only string and enum members take a fixed value", ty_text(ty), ops[list].name),
                ),
                Some(_) => {}
            }
            if list_input.iter().any(|(m, _)| m == name) {
                problems.push(member, format!("{swhat}: `list_input` sets `{name}` twice"));
            }
            list_input.push((name.clone(), value.get_ref().clone()));
        }
        for f in ops[list]
            .input
            .iter()
            .filter(|f| !f.ty.optional && !f.ty.list)
        {
            if !list_members.contains(&f.name) && !list_input.iter().any(|(m, _)| m == &f.name) {
                problems.push(&step.list, format!("{swhat}: neither a param nor `list_input` fills required member `{}` of `{}`", f.name, ops[list].name));
            }
        }
        let mut bind = Vec::new();
        for (member, from) in step.bind.iter() {
            if ops[delete].input_field(member.get_ref()).is_none() {
                problems.push(
                    member,
                    format!(
                        "{swhat}: `{}` has no input member `{}`",
                        ops[delete].name,
                        member.get_ref()
                    ),
                );
            }
            if !has_field(from.get_ref()) {
                problems.push(
                    from,
                    format!("{swhat}: listed items have no field `{}`", from.get_ref()),
                );
            }
            bind.push((member.get_ref().clone(), from.get_ref().clone()));
        }
        for f in ops[delete]
            .input
            .iter()
            .filter(|f| !f.ty.optional && !f.ty.list)
        {
            if !delete_members.contains(&f.name) && !bind.iter().any(|(m, _)| m == &f.name) {
                problems.push(
                    &step.delete,
                    format!(
                        "{swhat}: neither a param nor `bind` fills required member `{}` of `{}`",
                        f.name, ops[delete].name
                    ),
                );
            }
        }
        let mut only = Vec::new();
        for (field, glob) in step.only.iter() {
            if !has_field(field.get_ref()) {
                problems.push(
                    field,
                    format!(
                        "{swhat}: `only` names `{}`, which listed items do not have",
                        field.get_ref()
                    ),
                );
            }
            only.push((field.get_ref().clone(), glob.get_ref().clone()));
        }
        let label = match &step.label {
            Some(l) if !has_field(l.get_ref()) => {
                problems.push(
                    l,
                    format!(
                        "{swhat}: `label` names `{}`, which listed items do not have",
                        l.get_ref()
                    ),
                );
                None
            }
            Some(l) => Some(l.get_ref().clone()),
            None => bind.first().map(|(_, from)| from.clone()),
        };
        cleanup.push(Cleanup {
            kind: step.kind.get_ref().clone(),
            list,
            list_input,
            items: step.items.get_ref().clone(),
            delete,
            bind,
            only,
            label,
            absent_ok: step.absent_ok,
            list_members,
            delete_members,
        });
    }
    // Message placeholders name params.
    if let Some(message) = &tool.message {
        check_placeholders(message, &params, &what, problems);
    }

    if problems.0.len() > before {
        return None;
    }
    let run = tool.run.as_ref().map(|r| r.get_ref().clone());
    let mut actions: Vec<String> = Vec::new();
    let mut add = |index: usize| {
        let action = format!("iam:{}", ops[index].name);
        if !actions.contains(&action) {
            actions.push(action);
        }
    };
    op.into_iter()
        .chain(uses.iter().copied())
        .for_each(&mut add);
    includes.iter().for_each(|i| add(i.op));
    cleanup.iter().for_each(|c| {
        add(c.list);
        add(c.delete);
    });
    // What the guardrails checking the tool's steps read.
    let steps: Vec<usize> = op
        .into_iter()
        .filter(|_| access == Access::Write)
        .chain(cleanup.iter().map(|c| c.delete))
        .collect();
    for g in guardrails {
        for (_, reads) in g.operations.iter().filter(|(o, _)| steps.contains(o)) {
            reads.iter().for_each(|r| add(*r));
        }
    }
    Some(Tool {
        name: tname.clone(),
        title: tool.title.get_ref().clone(),
        description: tool.description.get_ref().trim().to_string(),
        toolset: tool.toolset.get_ref().clone(),
        access,
        destructive,
        idempotent,
        open_world: tool.open_world.unwrap_or(true),
        op,
        run,
        paginate,
        message: tool.message.as_ref().map(|m| m.get_ref().clone()),
        params,
        includes,
        cleanup,
        actions,
    })
}

/// Every `{name}` in `message` names a param.
fn check_placeholders(
    message: &Spanned<String>,
    params: &[Param],
    what: &str,
    problems: &mut Problems,
) {
    let mut rest = message.get_ref().as_str();
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let key = &rest[start + 1..start + end];
        if !params.iter().any(|p| p.name == key) {
            problems.push(
                message,
                format!("{what}: message names `{{{key}}}`, which is not a param"),
            );
        }
        rest = &rest[start + end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_follows_the_sdk() {
        assert_eq!(snake("UserName"), "user_name");
        assert_eq!(snake("ListMFADevices"), "list_mfa_devices");
        assert_eq!(snake("SSHPublicKeyId"), "ssh_public_key_id");
        assert_eq!(snake("AccessKeyMetadata"), "access_key_metadata");
        assert_eq!(snake("IsTruncated"), "is_truncated");
        assert_eq!(pascal("path_prefix"), "PathPrefix");
    }

    /// A tool whose one cleanup step's list operation gets `list_input`.
    fn with_list_input(list_input: &str) -> Result<Model, Vec<String>> {
        let text = format!(
            r#"
            [toolsets.policies]
            description = "Policies."

            [shapes.PolicyUser]
            UserName = "string?"

            [operations.ListEntitiesForPolicy]
            access = "read"
            input = {{ PolicyArn = "string", PolicyUsageFilter = "enum?", PathPrefix = "string?", OnlyNames = "[string]", Marker = "string?", MaxItems = "int?" }}
            output = {{ PolicyUsers = "[PolicyUser]", IsTruncated = "bool", Marker = "string?" }}

            [operations.DeleteUserPermissionsBoundary]
            access = "write"
            input = {{ UserName = "string" }}

            [operations.DeletePolicy]
            access = "write"
            input = {{ PolicyArn = "string" }}

            [tools.delete_policy]
            title = "Delete a policy"
            description = "Delete a policy."
            toolset = "policies"
            access = "write"
            destructive = true
            operation = "DeletePolicy"
            params = [{{ name = "policy_arn", type = "string", required = true, description = "The policy." }}]

            [[tools.delete_policy.cleanup]]
            kind = "permissions boundaries of users"
            list = "ListEntitiesForPolicy"
            list_input = {list_input}
            items = "PolicyUsers"
            delete = "DeleteUserPermissionsBoundary"
            bind = {{ UserName = "UserName" }}
            "#
        );
        let manifest: Manifest = toml::from_str(&text).unwrap();
        validate(&manifest).map_err(|p| p.0.into_iter().map(|(message, _)| message).collect())
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
