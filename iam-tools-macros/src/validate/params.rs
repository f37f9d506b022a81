//! Params. A `[params]` entry says once what a param of its name is (type, constraints,
//! usual description). A tool of an operation takes that operation's input members as its
//! params, in the operation's order, each named in snake_case and typed by the `[params]`
//! entry of that name; the tool's own `params.NAME` entries describe them, override what
//! differs, add params (of a `run` tool, or filling members of an included operation only)
//! or, when they list every param, choose another order.

use super::tool::Context;
use super::{
    Access, Operation, PAGING_INPUT, PAGING_PARAMS, Param, ParamTy, Problems, Shape, WRITE_PARAMS,
    is_snake_ident, param_fits_member, parse_param_ty, pascal, ty_text,
};
use crate::manifest::{Manifest, ParamSpec, ParamUse, Tool};
use toml::Spanned;

/// A `[params]` entry.
pub(super) struct Named<'m> {
    pub name: &'m Spanned<String>,
    pub spec: &'m ParamSpec,
    /// Its type; None when the entry's is wrong (reported once, at the entry).
    pub ty: Option<(ParamTy, Option<String>)>,
}

/// Checks the `[params]` entries on their own, so that a fault in one is reported once,
/// not at every tool that takes it.
pub(super) fn validate_named<'m>(
    manifest: &'m Manifest,
    shapes: &[Shape],
    problems: &mut Problems,
) -> Vec<Named<'m>> {
    manifest
        .params
        .iter()
        .map(|(name, spec)| {
            let what = format!("[params.{}]", name.get_ref());
            if !is_snake_ident(name.get_ref()) {
                problems.push(name, format!("{what}: name must be snake_case"));
            }
            if let Some(required) = &spec.required {
                problems.push(required, format!("{what}: whether a param is required depends on the tool (by default: whether the operation's member is); say it in the tool's `params.{}`", name.get_ref()));
            }
            if let Some(member) = &spec.member {
                problems.push(member, format!("{what}: the member a param fills depends on the tool's operation; say it in the tool's `params.{}`", name.get_ref()));
            }
            let ty = match &spec.ty {
                Some(ty) => parse_param_ty(ty, shapes, false, &what, problems),
                None => {
                    problems.push(
                        name,
                        format!("{what}: needs a `type` (a [params] entry says what the param is)"),
                    );
                    None
                }
            };
            if let (Some((ty, _)), Some(ty_name)) = (&ty, &spec.ty) {
                check_keys(spec, *ty, ty_name.get_ref(), &what, problems);
                check_range(spec, None, &what, problems);
            }
            Named { name, spec, ty }
        })
        .collect()
}

/// A param of a tool, checked, with where to point at about it.
pub(super) struct Placed {
    pub param: Param,
    /// The tool's `params.NAME` key, or the tool's name for a param it does not list.
    pub at: usize,
    /// Whether the tool says `required` itself.
    pub required_said: bool,
}

/// A tool's params, and the members of those that could not be checked (their problem is
/// reported already: nothing more is said about the members they would fill).
pub(super) struct ToolParams {
    pub placed: Vec<Placed>,
    pub unresolved: Vec<String>,
}

/// Where a tool's param comes from, before its keys are merged.
struct Slot<'m> {
    name: String,
    /// The tool's own `params.NAME` key and value, when it lists the param.
    own: Option<(&'m Spanned<String>, &'m Spanned<ParamUse>)>,
    /// The member of the tool's operation it fills, if any.
    member: Option<String>,
}

/// What a tool's params are resolved against.
pub(super) struct ToolSide<'a> {
    pub what: &'a str,
    /// The tool's name (where to point at about a param it does not list).
    pub at: usize,
    pub access: Access,
    pub paginated: bool,
    /// The primary operation.
    pub op: Option<&'a Operation>,
    /// The included operations.
    pub includes: Vec<&'a Operation>,
}

/// Every param of a tool, in order: listed and derived slots, each merged with the
/// `[params]` entry it takes after.
pub(super) fn tool_params(
    cx: &Context,
    tool: &Tool,
    side: &ToolSide,
    problems: &mut Problems,
) -> ToolParams {
    let mut out = ToolParams {
        placed: Vec::new(),
        unresolved: Vec::new(),
    };
    for slot in slots(tool, side, problems) {
        match resolve(cx, &slot, side, problems) {
            Some(placed) => out.placed.push(placed),
            None => out
                .unresolved
                .push(slot.member.unwrap_or_else(|| pascal(&slot.name))),
        }
    }
    out
}

/// The params of a tool: its operation's input members (paging members aside), in the
/// operation's order, then the params only the tool names; or, when the tool lists every
/// member, the tool's order.
fn slots<'m>(tool: &'m Tool, side: &ToolSide, problems: &mut Problems) -> Vec<Slot<'m>> {
    let members: Vec<&super::Field> = side.op.map_or_else(Vec::new, |op| {
        op.input
            .iter()
            .filter(|f| op.paged.is_none() || !PAGING_INPUT.iter().any(|(p, _)| *p == f.name))
            .collect()
    });
    let mut listed: Vec<Option<Slot>> = tool
        .params
        .iter()
        .map(|(key, value)| {
            let explicit = match value.get_ref() {
                ParamUse::Spec(spec) => spec.member.as_ref().map(|m| m.get_ref().clone()),
                ParamUse::Description(_) => None,
            };
            let member = explicit.or_else(|| {
                members
                    .iter()
                    .find(|f| &f.snake == key.get_ref())
                    .map(|f| f.name.clone())
            });
            Some(Slot {
                name: key.get_ref().clone(),
                own: Some((key, value)),
                member,
            })
        })
        .collect();
    let position = |slot: &Slot| {
        let member = slot.member.as_ref()?;
        members.iter().position(|f| &f.name == member)
    };
    let every_member_listed = members.iter().all(|f| {
        listed
            .iter()
            .flatten()
            .any(|s| s.member.as_ref() == Some(&f.name))
    });
    let mut out: Vec<Slot> = if every_member_listed {
        listed.into_iter().flatten().collect()
    } else {
        // The operation's order; the listed members must follow it.
        let mut last: Option<(usize, &str)> = None;
        for slot in listed.iter().flatten() {
            let Some(p) = position(slot) else { continue };
            if let (Some((l, before)), Some((key, _))) = (last, slot.own)
                && p < l
            {
                problems.push(key, format!("{}: `params` lists `{}` after `{before}`, which the operation takes in the other order: list every param to choose the order, or follow the operation's", side.what, slot.name));
                break;
            }
            last = Some((p, &slot.name));
        }
        let mut out = Vec::new();
        for f in &members {
            let at = listed.iter().position(|s| {
                s.as_ref()
                    .is_some_and(|s| s.member.as_ref() == Some(&f.name))
            });
            out.push(match at {
                Some(i) => listed[i].take().expect("each listed slot is taken once"),
                None => Slot {
                    name: f.snake.clone(),
                    own: None,
                    member: Some(f.name.clone()),
                },
            });
        }
        out.extend(listed.into_iter().flatten());
        out
    };
    // Two params of one name: a listed param that fills another member than its name says.
    let mut seen: Vec<String> = Vec::new();
    out.retain(|slot| {
        if seen.contains(&slot.name) {
            let at = slot.own.map_or(side.at, |(key, _)| key.span().start);
            problems.at(
                at,
                format!("{}: duplicate param `{}`", side.what, slot.name),
            );
            return false;
        }
        seen.push(slot.name.clone());
        true
    });
    out
}

/// One param: its type (its own, or its `[params]` entry's), its keys (the tool's, else
/// the entry's), whether it is required (the tool's say, else the member's), the member it
/// fills.
fn resolve(cx: &Context, slot: &Slot, side: &ToolSide, problems: &mut Problems) -> Option<Placed> {
    let what = side.what;
    let pname = &slot.name;
    let pwhat = format!("{what}, param `{pname}`");
    let (at, own, own_description) = match slot.own {
        Some((key, value)) => match value.get_ref() {
            ParamUse::Description(d) => (
                key.span().start,
                None,
                Some((d.as_str(), value.span().start)),
            ),
            ParamUse::Spec(spec) => (
                key.span().start,
                Some(&**spec),
                spec.description
                    .as_ref()
                    .map(|d| (d.get_ref().as_str(), d.span().start)),
            ),
        },
        None => (side.at, None, None),
    };
    check_name(pname, &pwhat, at, side, problems);

    // The type, and the `[params]` entry the param takes after.
    let own_ty = own.and_then(|s| s.ty.as_ref());
    let by_name = cx.named.iter().find(|n| n.name.get_ref() == pname);
    if let (Some(said), Some(_)) = (own_ty, by_name) {
        problems.push(said, format!("{pwhat}: its type is [params.{pname}]'s; remove `type` (a param of another type needs another name)"));
    }
    let own_ty = own_ty.filter(|_| by_name.is_none());
    let (base, ty, shape, ty_name) = match (own_ty, by_name) {
        (Some(said), None) => match cx.named.iter().find(|n| n.name.get_ref() == said.get_ref()) {
            Some(named) => {
                let (ty, shape) = named.ty.clone()?;
                (Some(named), ty, shape, named_ty_text(named))
            }
            None => {
                let (ty, shape) = parse_param_ty(said, cx.shapes, true, &pwhat, problems)?;
                (None, ty, shape, said.get_ref().clone())
            }
        },
        (_, Some(named)) => {
            let (ty, shape) = named.ty.clone()?;
            (Some(named), ty, shape, named_ty_text(named))
        }
        (None, None) => {
            match (slot.own, &slot.member, side.op) {
                (None, Some(member), Some(op)) => problems.at(at, format!("{what}: operation `{}` takes `{member}`, and no [params.{pname}] says what that param is: declare one, or give the tool `params.{pname} = {{ type = ..., description = ... }}`", op.name)),
                _ => problems.at(at, format!("{pwhat}: needs a `type` (a param type, or the name of a [params] entry): there is no [params.{pname}]")),
            }
            return None;
        }
    };
    let base_spec = base.map(|n| n.spec);
    let base_name = base.map_or("", |n| n.name.get_ref().as_str());
    let keys = Keys {
        own,
        base: base_spec,
        base_name,
        pwhat: &pwhat,
    };

    // The description: the tool's, else the entry's.
    let base_description = base_spec.and_then(|s| s.description.as_ref());
    if let (Some((d, d_at)), Some(b)) = (own_description, base_description)
        && d == b.get_ref()
    {
        problems.at(
            d_at,
            format!("{pwhat}: the description repeats [params.{base_name}]'s; remove it"),
        );
    }
    let description = match (own_description, base_description) {
        (Some((d, _)), _) => d.to_string(),
        (None, Some(b)) => b.get_ref().clone(),
        (None, None) => {
            let entry = match base {
                Some(_) => format!(" ([params.{base_name}] has none)"),
                None => String::new(),
            };
            problems.at(at, format!("{pwhat}: needs a description{entry}"));
            String::new()
        }
    };

    if let Some(own) = own {
        check_keys(own, ty, &ty_name, &pwhat, problems);
        check_range(own, base_spec, &pwhat, problems);
        if let Some(policy) = &own.policy
            && side.access == Access::Read
        {
            problems.push(policy, format!("{pwhat}: `policy` makes write tools lint the document before AWS sees it; a read tool does not: remove it"));
        }
    }

    // The member it fills, and whether it is required.
    let member = slot.member.clone().unwrap_or_else(|| pascal(pname));
    let fills = side.op.and_then(|op| op.input_field(&member));
    let derived_required = fills.is_some_and(|f| !f.ty.optional && !f.ty.list);
    let required = match own.and_then(|s| s.required.as_ref()) {
        Some(said) => {
            if *said.get_ref() == derived_required {
                let why = match (fills, side.op) {
                    (Some(f), Some(op)) => format!(
                        "what member `{}` of `{}` (`{}`) says already",
                        f.name,
                        op.name,
                        ty_text(&f.ty)
                    ),
                    _ => "the default".to_string(),
                };
                problems.push(
                    said,
                    format!(
                        "{pwhat}: `required = {}` is {why}; remove it",
                        said.get_ref()
                    ),
                );
            }
            *said.get_ref()
        }
        None => derived_required,
    };
    if let Some(op) = side.op {
        let type_at = own_ty.map_or(at, |t| t.span().start);
        match fills {
            Some(f) if !param_fits_member(ty, &f.ty) => problems.at(
                type_at,
                format!(
                    "{pwhat}: type `{ty_name}` does not fit member `{member}` of `{}` (`{}`)",
                    op.name,
                    ty_text(&f.ty)
                ),
            ),
            Some(_) => {}
            None if side
                .includes
                .iter()
                .any(|o| o.input_field(&member).is_some()) => {}
            None => {
                let member_at = own
                    .and_then(|s| s.member.as_ref())
                    .map_or(at, |m| m.span().start);
                problems.at(
                    member_at,
                    format!(
                        "{pwhat}: operation `{}` has no input member `{member}`",
                        op.name
                    ),
                );
            }
        }
    }

    let policy = keys.pick("policy", |s| s.policy.as_ref(), problems);
    let param = Param {
        name: pname.clone(),
        ty,
        shape,
        required,
        description,
        member,
        enum_values: keys.pick("enum", |s| s.enum_values.as_ref(), problems),
        min: keys.pick("min", |s| s.min.as_ref(), problems),
        max: keys.pick("max", |s| s.max.as_ref(), problems),
        min_length: keys.pick("min_length", |s| s.min_length.as_ref(), problems),
        max_length: keys.pick("max_length", |s| s.max_length.as_ref(), problems),
        pattern: keys.pick("pattern", |s| s.pattern.as_ref(), problems),
        // What the document is holds for every tool; only write tools lint it.
        policy: policy.filter(|_| side.access == Access::Write),
        secret: keys
            .pick("secret", |s| s.secret.as_ref(), problems)
            .unwrap_or(false),
    };
    let required_said = own.is_some_and(|s| s.required.is_some());
    Some(Placed {
        param,
        at,
        required_said,
    })
}

/// A param's name: snake_case, and not one the macro adds.
fn check_name(pname: &str, pwhat: &str, at: usize, side: &ToolSide, problems: &mut Problems) {
    if !is_snake_ident(pname) {
        problems.at(at, format!("{pwhat}: name must be snake_case"));
    }
    if side.paginated && PAGING_PARAMS.contains(&pname) {
        problems.at(
            at,
            format!("{pwhat}: `{pname}` is added to every paginated tool; remove it"),
        );
    }
    if side.access == Access::Write && WRITE_PARAMS.contains(&pname) {
        problems.at(at, format!("{pwhat}: `{pname}` is added by the macro to write tools (force and dry_run with cleanup steps); remove it"));
    }
}

/// A param's keys: the tool's where it gives them, else its `[params]` entry's.
struct Keys<'a> {
    own: Option<&'a ParamSpec>,
    base: Option<&'a ParamSpec>,
    base_name: &'a str,
    pwhat: &'a str,
}

impl Keys<'_> {
    /// The value of one key; a tool's value equal to the entry's is a problem (a copy).
    fn pick<T: Clone + PartialEq>(
        &self,
        key: &str,
        get: impl Fn(&ParamSpec) -> Option<&Spanned<T>>,
        problems: &mut Problems,
    ) -> Option<T> {
        let own = self.own.and_then(&get);
        let base = self.base.and_then(&get);
        if let (Some(o), Some(b)) = (own, base)
            && o.get_ref() == b.get_ref()
        {
            problems.push(
                o,
                format!(
                    "{}: `{key}` repeats [params.{}]; remove it",
                    self.pwhat, self.base_name
                ),
            );
        }
        own.or(base).map(|v| v.get_ref().clone())
    }
}

/// The type text of a `[params]` entry, for messages.
fn named_ty_text(named: &Named) -> String {
    named
        .spec
        .ty
        .as_ref()
        .map_or_else(String::new, |t| t.get_ref().clone())
}

/// The constraints, `policy` and `secret` that `spec` gives fit type `ty`.
fn check_keys(spec: &ParamSpec, ty: ParamTy, ty_name: &str, pwhat: &str, problems: &mut Problems) {
    let numeric = ty == ParamTy::Integer;
    let stringy = ty == ParamTy::String;
    // A list's length is its number of items.
    let sized = stringy || ty.is_list();
    for (at, ok, key) in [
        (spec.min.as_ref().map(|s| s.span()), numeric, "min"),
        (spec.max.as_ref().map(|s| s.span()), numeric, "max"),
        (
            spec.min_length.as_ref().map(|s| s.span()),
            sized,
            "min_length",
        ),
        (
            spec.max_length.as_ref().map(|s| s.span()),
            sized,
            "max_length",
        ),
        (spec.pattern.as_ref().map(|s| s.span()), stringy, "pattern"),
        (spec.enum_values.as_ref().map(|s| s.span()), stringy, "enum"),
    ] {
        if let Some(at) = at
            && !ok
        {
            problems.at(
                at.start,
                format!("{pwhat}: `{key}` does not apply to type `{ty_name}`"),
            );
        }
    }
    if let Some(kind) = &spec.policy {
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
    if let Some(secret) = &spec.secret
        && !matches!(ty, ParamTy::String)
    {
        problems.push(
            secret,
            format!("{pwhat}: `secret` applies to `string` params only"),
        );
    }
}

/// `min` is not above `max`, nor `min_length` above `max_length`, where `spec` gives one of
/// the two (the other may be `base`'s).
fn check_range(spec: &ParamSpec, base: Option<&ParamSpec>, pwhat: &str, problems: &mut Problems) {
    fn check<T: PartialOrd + std::fmt::Display>(
        (min, max): (Option<&Spanned<T>>, Option<&Spanned<T>>),
        (base_min, base_max): (Option<&Spanned<T>>, Option<&Spanned<T>>),
        (min_key, max_key): (&str, &str),
        pwhat: &str,
        problems: &mut Problems,
    ) {
        let (Some(low), Some(high)) = (min.or(base_min), max.or(base_max)) else {
            return;
        };
        if (min.is_some() || max.is_some()) && low.get_ref() > high.get_ref() {
            problems.push(
                min.or(max).unwrap_or(low),
                format!(
                    "{pwhat}: {min_key} {} is greater than {max_key} {}",
                    low.get_ref(),
                    high.get_ref()
                ),
            );
        }
    }
    check(
        (spec.min.as_ref(), spec.max.as_ref()),
        (
            base.and_then(|b| b.min.as_ref()),
            base.and_then(|b| b.max.as_ref()),
        ),
        ("min", "max"),
        pwhat,
        problems,
    );
    check(
        (spec.min_length.as_ref(), spec.max_length.as_ref()),
        (
            base.and_then(|b| b.min_length.as_ref()),
            base.and_then(|b| b.max_length.as_ref()),
        ),
        ("min_length", "max_length"),
        pwhat,
        problems,
    );
}
