//! Force-delete steps: a read operation lists every item (the tool's params and
//! `list_input` fill its input), a write operation deletes each (the params and each
//! item's fields fill its input).

use super::tool::Context;
use super::{
    Access, Base, Cleanup, Field, Operation, Param, Problems, Shape, find_op, only_list, ty_text,
};
use crate::manifest::{CleanupStep, OrderedMap};
use toml::Spanned;

/// What the listed items are.
enum Items<'a> {
    /// Not known (their problem is reported already): nothing more is said about them.
    Unknown,
    /// Strings or enums: `.`, the item itself, is their only field.
    Scalars,
    Shape(&'a Shape),
}

impl Items<'_> {
    fn have(&self, field: &str) -> bool {
        match self {
            Items::Unknown => true,
            Items::Scalars => field == ".",
            Items::Shape(shape) => shape.fields.iter().any(|f| f.name == field),
        }
    }
}

/// One step: its operations, the items its list yields, what fills the inputs of both.
pub(super) fn step(
    cx: &Context,
    step: &CleanupStep,
    params: &[Param],
    what: &str,
    problems: &mut Problems,
) -> Option<Cleanup> {
    let swhat = format!("{what}, cleanup step `{}`", step.kind.get_ref());
    let (list, delete) = operations(cx.ops, step, &swhat, problems)?;
    let (list_op, delete_op) = (&cx.ops[list], &cx.ops[delete]);
    let items_field = items(step, list_op, &swhat, problems);
    let items = match items_field.map(|f| &f.ty.base) {
        None => Items::Unknown,
        Some(Base::Shape(name)) => cx
            .shapes
            .iter()
            .find(|x| &x.name == name)
            .map_or(Items::Unknown, Items::Shape),
        Some(_) => Items::Scalars,
    };
    // Input members of an operation that the tool's params fill.
    let members_of = |op: &Operation| -> Vec<String> {
        op.input
            .iter()
            .filter(|f| params.iter().any(|p| p.member == f.name))
            .map(|f| f.name.clone())
            .collect()
    };
    let list_members = members_of(list_op);
    let delete_members = members_of(delete_op);
    let list_input = list_input(step, list_op, &list_members, &swhat, problems);
    let bind = bindings(step, delete_op, &delete_members, &items, &swhat, problems);
    let mut only = Vec::new();
    for (field, glob) in step.only.iter() {
        if !items.have(field.get_ref()) {
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
        Some(l) if !items.have(l.get_ref()) => {
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
    Some(Cleanup {
        kind: step.kind.get_ref().clone(),
        list,
        list_input,
        items: items_field?.name.clone(),
        delete,
        bind,
        only,
        label,
        absent_ok: step.absent_ok,
        list_members,
        delete_members,
    })
}

/// The list operation (a read) and the delete operation (a write).
fn operations(
    ops: &[Operation],
    step: &CleanupStep,
    swhat: &str,
    problems: &mut Problems,
) -> Option<(usize, usize)> {
    let list = find_op(
        ops,
        step.list.get_ref(),
        step.list.span().start,
        swhat,
        problems,
    );
    let delete = find_op(
        ops,
        step.delete.get_ref(),
        step.delete.span().start,
        swhat,
        problems,
    );
    let (list, delete) = (list?, delete?);
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
    Some((list, delete))
}

/// Delete-operation member <- item field: said, or each member no param fills that the
/// items have a field of the same name for. Every required member is filled.
fn bindings(
    step: &CleanupStep,
    delete_op: &Operation,
    delete_members: &[String],
    items: &Items,
    swhat: &str,
    problems: &mut Problems,
) -> Vec<(String, String)> {
    let derived: Vec<(String, String)> = match items {
        Items::Shape(_) => delete_op
            .input
            .iter()
            .filter(|f| !delete_members.contains(&f.name) && items.have(&f.name))
            .map(|f| (f.name.clone(), f.name.clone()))
            .collect(),
        Items::Unknown | Items::Scalars => Vec::new(),
    };
    let bind = match &step.bind {
        Some(said) => bind(said, &derived, delete_op, items, swhat, problems),
        None => derived,
    };
    if matches!(items, Items::Unknown) {
        return bind;
    }
    for f in delete_op
        .input
        .iter()
        .filter(|f| !f.ty.optional && !f.ty.list)
    {
        if !delete_members.contains(&f.name) && !bind.iter().any(|(m, _)| m == &f.name) {
            problems.push(
                &step.delete,
                format!(
                    "{swhat}: neither a param nor `bind` fills required member `{}` of `{}`",
                    f.name, delete_op.name
                ),
            );
        }
    }
    bind
}

/// The output field that holds the items: said, or the list operation's only list field.
fn items<'o>(
    step: &CleanupStep,
    list_op: &'o Operation,
    swhat: &str,
    problems: &mut Problems,
) -> Option<&'o Field> {
    match &step.items {
        Some(said) => {
            if only_list(list_op).is_ok_and(|f| &f.name == said.get_ref()) {
                problems.push(
                    said,
                    format!(
                        "{swhat}: `items = \"{}\"` is `{}`'s only list field, the default; remove it",
                        said.get_ref(),
                        list_op.name
                    ),
                );
            }
            let found = list_op.output_field(said.get_ref());
            if found.is_none() {
                problems.push(
                    said,
                    format!(
                        "{swhat}: `{}` is not a field of `{}`'s output",
                        said.get_ref(),
                        list_op.name
                    ),
                );
            }
            found
        }
        None => match only_list(list_op) {
            Ok(f) => Some(f),
            Err(why) => {
                problems.push(
                    &step.list,
                    format!("{swhat}: {why}: say which holds the items with `items`"),
                );
                None
            }
        },
    }
}

/// Fixed values for more string or enum members of the list operation.
fn list_input(
    step: &CleanupStep,
    list_op: &Operation,
    list_members: &[String],
    swhat: &str,
    problems: &mut Problems,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (member, value) in step.list_input.iter() {
        let name = member.get_ref();
        match list_op.input_field(name) {
            None => problems.push(member, format!("{swhat}: `list_input` names `{name}`, which is not an input member of `{}`", list_op.name)),
            Some(_) if name == "Marker" || name == "MaxItems" => {
                problems.push(member, format!("{swhat}: `list_input` sets `{name}`, which the runtime sets to page through every item; remove it"))
            }
            Some(_) if list_members.contains(name) => {
                problems.push(member, format!("{swhat}: `list_input` sets `{name}`, which a param of the tool fills; remove one of them"))
            }
            Some(Field { ty, .. }) if ty.list || !matches!(ty.base, Base::String | Base::Enum) => problems.push(
                member,
                format!("{swhat}: `list_input` sets `{name}`, a `{}` member of `{}`; only string and enum members take a fixed value", ty_text(ty), list_op.name),
            ),
            Some(_) => {}
        }
        if out.iter().any(|(m, _)| m == name) {
            problems.push(member, format!("{swhat}: `list_input` sets `{name}` twice"));
        }
        out.push((name.clone(), value.get_ref().clone()));
    }
    for f in list_op
        .input
        .iter()
        .filter(|f| !f.ty.optional && !f.ty.list)
    {
        if !list_members.contains(&f.name) && !out.iter().any(|(m, _)| m == &f.name) {
            problems.push(
                &step.list,
                format!(
                    "{swhat}: neither a param nor `list_input` fills required member `{}` of `{}`",
                    f.name, list_op.name
                ),
            );
        }
    }
    out
}

/// A said `bind`: members of the delete operation, fields of the items; not what the
/// default would be.
fn bind(
    said: &Spanned<OrderedMap<Spanned<String>>>,
    derived: &[(String, String)],
    delete_op: &Operation,
    items: &Items,
    swhat: &str,
    problems: &mut Problems,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (member, from) in said.get_ref().iter() {
        if delete_op.input_field(member.get_ref()).is_none() {
            problems.push(
                member,
                format!(
                    "{swhat}: `{}` has no input member `{}`",
                    delete_op.name,
                    member.get_ref()
                ),
            );
        }
        if !items.have(from.get_ref()) {
            problems.push(
                from,
                format!("{swhat}: listed items have no field `{}`", from.get_ref()),
            );
        }
        out.push((member.get_ref().clone(), from.get_ref().clone()));
    }
    if !derived.is_empty() && out == derived {
        problems.push(said, format!("{swhat}: this `bind` binds each member to the item field of its name, the default; remove it"));
    }
    out
}
