//! One tool, in the order its parts depend on each other: its texts; what it calls (its
//! operation, by default the one its name is the snake_case of; or a runtime function) and
//! hence its access; its hints; its pagination; its includes; its params; the required
//! members they must fill; its cleanup steps; its message; and the IAM actions of it all.

use super::params::{Named, ToolParams, ToolSide, tool_params};
use super::{
    Access, Cleanup, Guardrail, Include, Operation, Param, Problems, Shape, Tool, find_op,
    is_pascal_ident, is_snake_ident, only_list, parse_access, pascal,
};
use crate::manifest::{self, IncludeUse};
use toml::Spanned;

/// What every tool is checked against.
pub(super) struct Context<'a, 'm> {
    pub ops: &'a [Operation],
    pub shapes: &'a [Shape],
    pub named: &'a [Named<'m>],
    pub guardrails: &'a [Guardrail],
    pub preview: &'a super::Preview,
}

/// What a tool calls.
struct Call {
    /// The primary operation, or None for a `run` tool.
    op: Option<usize>,
    /// Where to point at about the primary operation: `operation`, or the tool's name.
    op_at: usize,
    /// The operations a `run` tool may call.
    uses: Vec<usize>,
    access: Access,
}

pub(super) fn validate_tool(
    cx: &Context,
    toolset: &Spanned<String>,
    name: &Spanned<String>,
    tool: &manifest::Tool,
    problems: &mut Problems,
) -> Option<Tool> {
    let tname = name.get_ref();
    let what = format!("tool `{tname}`");
    let before = problems.0.len();
    check_texts(name, tool, &what, problems);
    let call = resolve_call(cx, name, tool, &what, problems);
    let (destructive, idempotent) = hints(tool, call.access, name, &what, problems);
    check_kind(cx, tool, &call, name, &what, problems);
    let op = call.op.map(|i| &cx.ops[i]);
    let paginate = pagination(tool, op, &what, problems);
    let includes = includes(cx, tool, op, call.access, &what, problems);

    let side = ToolSide {
        what: &what,
        at: name.span().start,
        access: call.access,
        paginated: paginate.is_some(),
        op,
        includes: includes.iter().map(|(inc, _)| &cx.ops[inc.op]).collect(),
    };
    let params = tool_params(cx, tool, &side, problems);
    if let Some(index) = call.op {
        check_required(&cx.ops[index], call.op_at, &params, &what, problems);
    }
    for (inc, at) in &includes {
        check_required(&cx.ops[inc.op], *at, &params, &what, problems);
    }
    let params: Vec<Param> = params.placed.into_iter().map(|p| p.param).collect();

    let cleanup: Vec<Cleanup> = tool
        .cleanup
        .iter()
        .filter_map(|step| super::cleanup::step(cx, step, &params, &what, problems))
        .collect();
    if let Some(message) = &tool.message {
        check_placeholders(message, &params, &what, problems);
    }

    if problems.0.len() > before {
        return None;
    }
    let includes: Vec<Include> = includes.into_iter().map(|(inc, _)| inc).collect();
    let actions = actions(cx, &call, &includes, &cleanup);
    let uses = call.uses;
    Some(Tool {
        name: tname.clone(),
        title: tool.title.get_ref().clone(),
        description: tool.description.get_ref().trim().to_string(),
        toolset: toolset.get_ref().clone(),
        access: call.access,
        destructive,
        idempotent,
        open_world: tool.open_world.unwrap_or(true),
        op: call.op,
        run: tool.run.as_ref().map(|r| r.get_ref().clone()),
        uses,
        paginate,
        message: tool.message.as_ref().map(|m| m.get_ref().clone()),
        params,
        includes,
        cleanup,
        actions,
    })
}

/// The name, title and description.
fn check_texts(name: &Spanned<String>, tool: &manifest::Tool, what: &str, problems: &mut Problems) {
    if !is_snake_ident(name.get_ref()) {
        problems.push(name, format!("{what}: name must be snake_case"));
    }
    if tool.title.get_ref().trim().is_empty() {
        problems.push(&tool.title, format!("{what}: title is empty"));
    }
    if tool.description.get_ref().trim().is_empty() {
        problems.push(&tool.description, format!("{what}: description is empty"));
    }
}

/// The operation (said, or the one whose snake_case name is the tool's) or runtime
/// function, the operations a `run` tool uses, and the access (said, or the operation's;
/// a `run` tool reads).
fn resolve_call(
    cx: &Context,
    name: &Spanned<String>,
    tool: &manifest::Tool,
    what: &str,
    problems: &mut Problems,
) -> Call {
    let tname = name.get_ref();
    let ops = cx.ops;
    let mut op_at = name.span().start;
    let op = match (&tool.operation, &tool.run) {
        (Some(operation), None) => {
            op_at = operation.span().start;
            let found = find_op(ops, operation.get_ref(), op_at, what, problems);
            if found.is_some_and(|i| &ops[i].snake == tname) {
                problems.push(operation, format!("{what}: `operation = \"{}\"` is what the tool's name says already; remove it", operation.get_ref()));
            }
            found
        }
        (None, None) => {
            let found = ops.iter().position(|o| &o.snake == tname);
            if found.is_none() {
                problems.push(name, format!("{what}: no operation is named `{tname}` in snake_case (`{}`?): declare it in [operations], or say `operation = \"...\"` (an IAM call) or `run = \"...\"` (a runtime function)", pascal(tname)));
            }
            found
        }
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
    };
    if tool.run.is_none() && !tool.uses.is_empty() {
        problems.push(&tool.uses[0], format!("{what}: `uses` is for `run` tools; an `operation` tool calls its operation and `include`s"));
    }
    let uses: Vec<usize> = tool
        .uses
        .iter()
        .filter_map(|u| find_op(ops, u.get_ref(), u.span().start, what, problems))
        .collect();
    let derived = op.map_or(Access::Read, |i| ops[i].access);
    let access = match &tool.access {
        Some(said) => {
            let access = parse_access(said, what, problems);
            let known = matches!(said.get_ref().as_str(), "read" | "write");
            if known && access == derived && (op.is_some() || tool.run.is_some()) {
                let whose = match op {
                    Some(i) => format!("what operation `{}` says", ops[i].name),
                    None => "what a `run` tool is".to_string(),
                };
                problems.push(
                    said,
                    format!(
                        "{what}: `access = \"{}\"` is {whose} already; remove it",
                        said.get_ref()
                    ),
                );
            }
            access
        }
        None => derived,
    };
    Call {
        op,
        op_at,
        uses,
        access,
    }
}

/// `destructive` (a write tool says it) and `idempotent` (by default: a read tool is).
fn hints(
    tool: &manifest::Tool,
    access: Access,
    name: &Spanned<String>,
    what: &str,
    problems: &mut Problems,
) -> (bool, bool) {
    let destructive = match (&tool.destructive, access) {
        (Some(d), Access::Read) if *d.get_ref() => {
            problems.push(d, format!("{what}: a read tool cannot be destructive"));
            false
        }
        (Some(d), _) => *d.get_ref(),
        (None, Access::Write) => {
            problems.push(
                name,
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
    (destructive, idempotent)
}

/// What a tool of its kind may have: a read tool calls no write operation and cleans
/// nothing up; a write tool is one operation; a `run` tool pages, includes and cleans up
/// in its runtime function.
fn check_kind(
    cx: &Context,
    tool: &manifest::Tool,
    call: &Call,
    name: &Spanned<String>,
    what: &str,
    problems: &mut Problems,
) {
    if call.access == Access::Read {
        if let Some(i) = call.op
            && cx.ops[i].access == Access::Write
        {
            problems.at(
                call.op_at,
                format!(
                    "{what}: read tool calls write operation `{}`; remove `access = \"read\"`",
                    cx.ops[i].name
                ),
            );
        }
        for (index, at) in call.uses.iter().zip(&tool.uses) {
            if cx.ops[*index].access == Access::Write {
                problems.push(
                    at,
                    format!(
                        "{what}: read tool calls write operation `{}`",
                        cx.ops[*index].name
                    ),
                );
            }
        }
        if !tool.cleanup.is_empty() {
            problems.push(
                name,
                format!("{what}: only a write tool can have cleanup steps"),
            );
        }
    }
    if call.access == Access::Write && (tool.run.is_some() || !tool.include.0.is_empty()) {
        problems.push(name, format!("{what}: a write tool is one `operation` (consent, plans and cleanup wrap it); remove `run` and `include`"));
    }
    if let Some(run) = &tool.run
        && (tool.paginate.is_some() || !tool.include.0.is_empty() || !tool.cleanup.is_empty())
    {
        problems.push(run, format!("{what}: a `run` tool pages, includes and cleans up in its runtime function; remove `paginate`, `include` and `cleanup`"));
    }
}

/// The operation's `paged` list when the tool pages through it: by default whenever the
/// operation pages.
fn pagination(
    tool: &manifest::Tool,
    op: Option<&Operation>,
    what: &str,
    problems: &mut Problems,
) -> Option<String> {
    let op = op?;
    match &tool.paginate {
        None => op.paged.clone(),
        Some(said) if *said.get_ref() == op.paged.is_some() => {
            problems.push(
                said,
                format!(
                    "{what}: `paginate = {}` is what operation `{}` says already; remove it",
                    said.get_ref(),
                    op.name
                ),
            );
            op.paged.clone()
        }
        Some(said) if *said.get_ref() => {
            problems.push(said, format!("{what}: `paginate = true` needs an operation that pages (`paged = \"<list field>\"`); `{}` does not", op.name));
            None
        }
        Some(_) => None,
    }
}

/// The included operations: each a read, its output field (`take`, by default its only
/// list field) added to the result as a new field. Each with where to point at about it.
fn includes(
    cx: &Context,
    tool: &manifest::Tool,
    op: Option<&Operation>,
    access: Access,
    what: &str,
    problems: &mut Problems,
) -> Vec<(Include, usize)> {
    let ops = cx.ops;
    let mut out: Vec<(Include, usize)> = Vec::new();
    for (field, inc) in tool.include.iter() {
        let (op_name, op_at, take) = match inc.get_ref() {
            IncludeUse::Operation(name) => (name.as_str(), inc.span().start, None),
            IncludeUse::Spec(spec) => (
                spec.operation.get_ref().as_str(),
                spec.operation.span().start,
                spec.take.as_ref(),
            ),
        };
        let Some(index) = find_op(ops, op_name, op_at, what, problems) else {
            continue;
        };
        let included = &ops[index];
        if access == Access::Read && included.access == Access::Write {
            problems.at(
                op_at,
                format!(
                    "{what}: read tool calls write operation `{}`",
                    included.name
                ),
            );
        }
        let clash = op.is_some_and(|o| o.output_field(field.get_ref()).is_some())
            || out.iter().any(|(i, _)| &i.field == field.get_ref());
        if clash || !is_pascal_ident(field.get_ref()) {
            problems.push(
                field,
                format!(
                    "{what}: include field `{}` must be a new PascalCase field of the result",
                    field.get_ref()
                ),
            );
        }
        let take = match take {
            Some(said) => {
                if only_list(included).is_ok_and(|f| &f.name == said.get_ref()) {
                    problems.push(said, format!("{what}: include `{}`: `take = \"{}\"` is `{}`'s only list field, the default; write `include.{} = \"{}\"`", field.get_ref(), said.get_ref(), included.name, field.get_ref(), included.name));
                }
                match included.output_field(said.get_ref()) {
                    Some(f) => f,
                    None => {
                        problems.push(
                            said,
                            format!(
                                "{what}: operation `{}` has no output field `{}`",
                                included.name,
                                said.get_ref()
                            ),
                        );
                        continue;
                    }
                }
            }
            None => match only_list(included) {
                Ok(f) => f,
                Err(why) => {
                    problems.at(op_at, format!("{what}: include `{}`: {why}: say which with `{{ operation = \"{}\", take = \"...\" }}`", field.get_ref(), included.name));
                    continue;
                }
            },
        };
        out.push((
            Include {
                field: field.get_ref().clone(),
                op: index,
                take: take.clone(),
            },
            op_at,
        ));
    }
    out
}

/// Every required member of `op` is filled by a required param.
fn check_required(
    op: &Operation,
    at: usize,
    params: &ToolParams,
    what: &str,
    problems: &mut Problems,
) {
    for f in op.input.iter().filter(|f| !f.ty.optional && !f.ty.list) {
        match params.placed.iter().find(|p| p.param.member == f.name) {
            Some(p) if p.param.required => {}
            // Point at the param that is not required, not at the operation.
            Some(p) => {
                let fix = if p.required_said {
                    "remove `required = false`".to_string()
                } else {
                    format!("say `params.{} = {{ required = true }}`", p.param.name)
                };
                problems.at(p.at, format!("{what}: param `{}` fills required member `{}` of `{}`, so it must be required: {fix}", p.param.name, f.name, op.name));
            }
            None if params.unresolved.contains(&f.name) => {}
            None => problems.at(
                at,
                format!(
                    "{what}: no param fills required member `{}` of operation `{}`",
                    f.name, op.name
                ),
            ),
        }
    }
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

/// Every IAM action the tool can call, in call order, without repeats: its operation or
/// the ones it uses, its includes, its cleanup steps, what the guardrails checking its
/// steps read, and what the access preview of its operation reads.
fn actions(cx: &Context, call: &Call, includes: &[Include], cleanup: &[Cleanup]) -> Vec<String> {
    let ops = cx.ops;
    let mut actions: Vec<String> = Vec::new();
    let mut add = |index: usize| {
        let action = format!("iam:{}", ops[index].name);
        if !actions.contains(&action) {
            actions.push(action);
        }
    };
    call.op
        .into_iter()
        .chain(call.uses.iter().copied())
        .for_each(&mut add);
    includes.iter().for_each(|i| add(i.op));
    cleanup.iter().for_each(|c| {
        add(c.list);
        add(c.delete);
    });
    let steps: Vec<usize> = call
        .op
        .into_iter()
        .filter(|_| call.access == Access::Write)
        .chain(cleanup.iter().map(|c| c.delete))
        .collect();
    for g in cx.guardrails {
        for (_, reads) in g.operations.iter().filter(|(o, _)| steps.contains(o)) {
            reads.iter().for_each(|r| add(*r));
        }
    }
    if call
        .op
        .is_some_and(|op| call.access == Access::Write && cx.preview.operations.contains(&op))
    {
        cx.preview.reads.iter().for_each(|r| add(*r));
    }
    actions
}
