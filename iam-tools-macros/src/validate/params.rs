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

/// What a tool says of one of its params.
struct Own<'m> {
    /// The tool's `params.NAME` key, or the tool's name for a param it does not list.
    at: usize,
    /// The keys it gives (none for the description form).
    spec: Option<&'m ParamSpec>,
    /// Its description, and where.
    description: Option<(&'m str, usize)>,
}

impl<'m> Own<'m> {
    fn of(slot: &Slot<'m>, side: &ToolSide) -> Self {
        let Some((key, value)) = slot.own else {
            return Own {
                at: side.at,
                spec: None,
                description: None,
            };
        };
        let at = key.span().start;
        match value.get_ref() {
            ParamUse::Description(d) => Own {
                at,
                spec: None,
                description: Some((d.as_str(), value.span().start)),
            },
            ParamUse::Spec(spec) => Own {
                at,
                spec: Some(&**spec),
                description: spec
                    .description
                    .as_ref()
                    .map(|d| (d.get_ref().as_str(), d.span().start)),
            },
        }
    }
}

/// A param's type, and the `[params]` entry it takes after (its name's, or the one its
/// `type` names).
struct Typed<'a, 'm> {
    base: Option<&'a Named<'m>>,
    ty: ParamTy,
    shape: Option<String>,
    /// The type as the manifest says it, for messages.
    ty_name: String,
    /// The tool's own `type`, when it counts.
    own_ty: Option<&'m Spanned<String>>,
}

/// One param: its type and `[params]` entry, its description, its keys (the tool's, else
/// the entry's), the member it fills and whether it is required (the tool's say, else the
/// member's).
fn resolve(cx: &Context, slot: &Slot, side: &ToolSide, problems: &mut Problems) -> Option<Placed> {
    let pname = &slot.name;
    let pwhat = format!("{}, param `{pname}`", side.what);
    let own = Own::of(slot, side);
    check_name(pname, &pwhat, own.at, side, problems);
    let typed = typed(cx, slot, &own, side, &pwhat, problems)?;
    let base = typed.base.map(|n| n.spec);
    let base_name = typed.base.map_or("", |n| n.name.get_ref().as_str());
    let description = description(&own, typed.base, &pwhat, problems);
    if let Some(spec) = own.spec {
        check_keys(spec, typed.ty, &typed.ty_name, &pwhat, problems);
        check_range(spec, base, &pwhat, problems);
        if let Some(policy) = &spec.policy
            && side.access == Access::Read
        {
            problems.push(policy, format!("{pwhat}: `policy` makes write tools lint the document before AWS sees it; a read tool does not: remove it"));
        }
    }
    let member = slot.member.clone().unwrap_or_else(|| pascal(pname));
    let required = required(&own, &member, side.op, &pwhat, problems);
    check_member(&own, &typed, &member, side, &pwhat, problems);

    let keys = Keys {
        own: own.spec,
        base,
        base_name,
        pwhat: &pwhat,
    };
    let policy = keys.pick("policy", |s| s.policy.as_ref(), problems);
    let param = Param {
        name: pname.clone(),
        ty: typed.ty,
        shape: typed.shape,
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
    Some(Placed {
        param,
        at: own.at,
        required_said: own.spec.is_some_and(|s| s.required.is_some()),
    })
}

/// The type: the `[params]` entry of the param's name (whose type a tool does not change),
/// or the tool's `type`: a param type or the name of a `[params]` entry.
fn typed<'a, 'm>(
    cx: &Context<'a, 'm>,
    slot: &Slot<'m>,
    own: &Own<'m>,
    side: &ToolSide,
    pwhat: &str,
    problems: &mut Problems,
) -> Option<Typed<'a, 'm>> {
    let pname = &slot.name;
    let said = own.spec.and_then(|s| s.ty.as_ref());
    let entry = |name: &str| cx.named.iter().find(|n| n.name.get_ref() == name);
    let (base, own_ty) = match (said, entry(pname)) {
        (Some(said), Some(named)) => {
            problems.push(said, format!("{pwhat}: its type is [params.{pname}]'s; remove `type` (a param of another type needs another name)"));
            (Some(named), None)
        }
        (None, Some(named)) => (Some(named), None),
        (Some(said), None) => (entry(said.get_ref()), Some(said)),
        (None, None) => {
            match (slot.own, &slot.member, side.op) {
                (None, Some(member), Some(op)) => problems.at(own.at, format!("{}: operation `{}` takes `{member}`, and no [params.{pname}] says what that param is: declare one, or give the tool `params.{pname} = {{ type = ..., description = ... }}`", side.what, op.name)),
                _ => problems.at(own.at, format!("{pwhat}: needs a `type` (a param type, or the name of a [params] entry): there is no [params.{pname}]")),
            }
            return None;
        }
    };
    let (ty, shape, ty_name) = match (base, own_ty) {
        // A broken entry: its problem is reported at the entry.
        (Some(named), _) => {
            let (ty, shape) = named.ty.clone()?;
            let ty_name = named
                .spec
                .ty
                .as_ref()
                .map_or_else(String::new, |t| t.get_ref().clone());
            (ty, shape, ty_name)
        }
        (None, Some(said)) => {
            let (ty, shape) = parse_param_ty(said, cx.shapes, true, pwhat, problems)?;
            (ty, shape, said.get_ref().clone())
        }
        (None, None) => unreachable!("a param without an entry has its own type"),
    };
    Some(Typed {
        base,
        ty,
        shape,
        ty_name,
        own_ty,
    })
}

/// The description: the tool's, else the `[params]` entry's.
fn description(own: &Own, base: Option<&Named>, pwhat: &str, problems: &mut Problems) -> String {
    let base_name = base.map_or("", |n| n.name.get_ref().as_str());
    let base_description = base.and_then(|n| n.spec.description.as_ref());
    match (own.description, base_description) {
        (Some((d, at)), Some(b)) if d == b.get_ref() => {
            problems.at(
                at,
                format!("{pwhat}: the description repeats [params.{base_name}]'s; remove it"),
            );
            d.to_string()
        }
        (Some((d, _)), _) => d.to_string(),
        (None, Some(b)) => b.get_ref().clone(),
        (None, None) => {
            let entry = match base {
                Some(_) => format!(" ([params.{base_name}] has none)"),
                None => String::new(),
            };
            problems.at(own.at, format!("{pwhat}: needs a description{entry}"));
            String::new()
        }
    }
}

/// Required: the tool's say, else whether the param fills a required member (neither `T?`
/// nor a list) of the tool's operation.
fn required(
    own: &Own,
    member: &str,
    op: Option<&Operation>,
    pwhat: &str,
    problems: &mut Problems,
) -> bool {
    let fills = op.and_then(|op| op.input_field(member));
    let derived = fills.is_some_and(|f| !f.ty.optional && !f.ty.list);
    let Some(said) = own.spec.and_then(|s| s.required.as_ref()) else {
        return derived;
    };
    if *said.get_ref() == derived {
        let why = match (fills, op) {
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

/// The member is one of the tool's operation (or of an included one), of a type the param's
/// fits.
fn check_member(
    own: &Own,
    typed: &Typed,
    member: &str,
    side: &ToolSide,
    pwhat: &str,
    problems: &mut Problems,
) {
    let Some(op) = side.op else {
        return;
    };
    match op.input_field(member) {
        Some(f) if !param_fits_member(typed.ty, &f.ty) => problems.at(
            typed.own_ty.map_or(own.at, |t| t.span().start),
            format!(
                "{pwhat}: type `{}` does not fit member `{member}` of `{}` (`{}`)",
                typed.ty_name,
                op.name,
                ty_text(&f.ty)
            ),
        ),
        Some(_) => {}
        None if side
            .includes
            .iter()
            .any(|o| o.input_field(member).is_some()) => {}
        None => problems.at(
            own.spec
                .and_then(|s| s.member.as_ref())
                .map_or(own.at, |m| m.span().start),
            format!(
                "{pwhat}: operation `{}` has no input member `{member}`",
                op.name
            ),
        ),
    }
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
