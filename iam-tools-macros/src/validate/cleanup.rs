//! Force-delete steps: a read operation lists every item (the tool's params and
//! `list_input` fill its input), a write operation deletes each (the params and each
//! item's fields fill its input).

use super::tool::Context;
use super::{
    Access, Base, Cleanup, Field, Operation, Param, Problems, find_op, only_list, ty_text,
};
use crate::manifest::{CleanupStep, OrderedMap};
use toml::Spanned;

pub(super) fn step(
    cx: &Context,
    step: &CleanupStep,
    params: &[Param],
    what: &str,
    problems: &mut Problems,
) -> Option<Cleanup> {
    let ops = cx.ops;
    let swhat = format!("{what}, cleanup step `{}`", step.kind.get_ref());
    let list = find_op(
        ops,
        step.list.get_ref(),
        step.list.span().start,
        &swhat,
        problems,
    );
    let delete = find_op(
        ops,
        step.delete.get_ref(),
        step.delete.span().start,
        &swhat,
        problems,
    );
    let (list, delete) = (list?, delete?);
    let (list_op, delete_op) = (&ops[list], &ops[delete]);
    if list_op.access != Access::Read {
        problems.push(
            &step.list,
            format!(
                "{swhat}: `{}` is a write operation, not a list",
                list_op.name
            ),
        );
    }
    if delete_op.access != Access::Write {
        problems.push(
            &step.delete,
            format!(
                "{swhat}: `{}` is a read operation, not a delete",
                delete_op.name
            ),
        );
    }
    let items = items(step, list_op, &swhat, problems);
    // The fields of each item: a shape's, or none (`.` is the item itself).
    let item_shape: Option<Option<&super::Shape>> = items.as_ref().map(|f| match &f.ty.base {
        Base::Shape(s) => cx.shapes.iter().find(|x| &x.name == s),
        _ => None,
    });
    let has_field = |from: &str| match item_shape {
        Some(Some(shape)) => shape.fields.iter().any(|f| f.name == from),
        Some(None) => from == ".",
        None => true,
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

    // Bindings: said, or each delete member no param fills that the items have a field
    // of the same name for.
    let derived: Vec<(String, String)> = delete_op
        .input
        .iter()
        .filter(|f| !delete_members.contains(&f.name))
        .filter(|f| matches!(item_shape, Some(Some(_))) && has_field(&f.name))
        .map(|f| (f.name.clone(), f.name.clone()))
        .collect();
    let bind = match &step.bind {
        Some(said) => bind(said, &derived, delete_op, &has_field, &swhat, problems),
        None => derived,
    };
    // (Unknown items: their problem is reported already.)
    let required = delete_op
        .input
        .iter()
        .filter(|f| items.is_some() && !f.ty.optional && !f.ty.list);
    for f in required {
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
    Some(Cleanup {
        kind: step.kind.get_ref().clone(),
        list,
        list_input,
        items: items?.name.clone(),
        delete,
        bind,
        only,
        label,
        absent_ok: step.absent_ok,
        list_members,
        delete_members,
    })
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
    has_field: &dyn Fn(&str) -> bool,
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
        if !has_field(from.get_ref()) {
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
