//! Reads the embedded catalog text (`data/aws-catalog.txt`, written by
//! `scripts/aws-catalog-convert.mjs`, whose header documents the format) into a [`Catalog`].
//! Strings borrow from the embedded text; only indexes and the two hash maps are allocated.

use std::collections::HashMap;

use super::{AccessLevel, ActionDef, Catalog, KeyDef, KeyType, ResourceRef, ResourceType, Service};
use super::{FastMap, Source, pattern::ArnTemplate};

/// Global condition keys AWS evaluates and its own policies use, which the package's list
/// lacks (User Guide, "AWS global condition context keys").
const EXTRA_GLOBAL_KEYS: [(&str, &str); 1] = [("aws:PrincipalOrgMasterAccountId", "String")];

/// Parses the catalog. The text is generated and checked in; a malformed line is a bug in
/// the generator, reported with its line number.
pub(super) fn parse(text: &'static str) -> Result<Catalog, String> {
    let mut catalog = Catalog {
        source: Source::default(),
        globals: Vec::new(),
        services: Vec::new(),
        service_index: FastMap::default(),
        actions: Vec::new(),
        action_index: FastMap::default(),
        arn_services: FastMap::default(),
        exact_keys: FastMap::default(),
    };
    for (n, line) in text.lines().enumerate() {
        let bad = |what: &str| format!("data/aws-catalog.txt:{}: {what}: {line:?}", n + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut f = line.split('\t');
        let kind = f.next().unwrap_or_default();
        let mut field = || f.next().ok_or_else(|| bad("missing field"));
        match kind {
            "source" => {
                catalog.source = Source {
                    package: field()?,
                    version: field()?,
                    updated: field()?,
                    integrity: field()?,
                }
            }
            "g" => {
                let name = field()?;
                let ty = KeyType::parse(field()?).ok_or_else(|| bad("unknown key type"))?;
                catalog.globals.push(KeyDef { name, ty });
            }
            "s" => {
                let prefix = field()?;
                let name = field()?;
                let rcp = f.next() == Some("rcp");
                let first = catalog.actions.len() as u32;
                catalog.service_index.insert(
                    prefix.to_ascii_lowercase().into(),
                    catalog.services.len() as u32,
                );
                catalog.services.push(Service {
                    prefix,
                    name,
                    rcp,
                    keys: Vec::new(),
                    resource_types: Vec::new(),
                    actions: first..first,
                });
            }
            "k" | "r" | "a" => {
                let index = catalog
                    .services
                    .len()
                    .checked_sub(1)
                    .ok_or_else(|| bad("before any service"))?;
                let service = &mut catalog.services[index];
                match kind {
                    "k" => {
                        let name = field()?;
                        let ty = KeyType::parse(field()?).ok_or_else(|| bad("unknown key type"))?;
                        service.keys.push(KeyDef { name, ty });
                    }
                    "r" => {
                        let name = field()?;
                        let arn = field()?;
                        let keys = indexes(field()?, ',').ok_or_else(|| bad("bad key index"))?;
                        service.resource_types.push(ResourceType {
                            name,
                            arn,
                            keys,
                            template: ArnTemplate::default(),
                        });
                    }
                    _ => {
                        let name = field()?;
                        let level = AccessLevel::parse(field()?)
                            .ok_or_else(|| bad("unknown access level"))?;
                        let resources = field()?;
                        let keys = indexes(field()?, ',').ok_or_else(|| bad("bad key index"))?;
                        let dependent = f.next().map_or_else(Vec::new, |d| d.split(',').collect());
                        let resources = if resources.is_empty() {
                            Box::default()
                        } else {
                            resources
                                .split(',')
                                .map(resource_ref)
                                .collect::<Option<Box<[_]>>>()
                                .ok_or_else(|| bad("bad resource reference"))?
                        };
                        let id = catalog.actions.len() as u32;
                        let full = format!("{}:{}", service.prefix, name).to_ascii_lowercase();
                        catalog.action_index.insert(full.into(), id);
                        service.actions.end = id + 1;
                        catalog.actions.push(ActionDef {
                            id,
                            service: index as u32,
                            name,
                            level,
                            resources,
                            keys,
                            dependent: dependent.into(),
                        });
                    }
                }
            }
            _ => return Err(bad("unknown record")),
        }
    }
    // A placeholder's siblings: every template with the same ARN service field, whichever
    // service documents it.
    let mut by_arn_service: HashMap<&str, Vec<&str>> = HashMap::new();
    for rt in catalog.services.iter().flat_map(|s| &s.resource_types) {
        let arn_service = rt.arn.split(':').nth(2).unwrap_or_default();
        by_arn_service.entry(arn_service).or_default().push(rt.arn);
    }
    for (si, service) in catalog.services.iter_mut().enumerate() {
        for (ti, rt) in service.resource_types.iter_mut().enumerate() {
            let arn_service = rt.arn.split(':').nth(2).unwrap_or_default();
            rt.template = ArnTemplate::new(rt.arn, &by_arn_service[arn_service]);
            if let Some(arn_service) = rt.arn.split(':').nth(2) {
                let arn_service = if arn_service.starts_with("${") {
                    super::ANY_SERVICE
                } else {
                    arn_service
                };
                catalog
                    .arn_services
                    .entry(arn_service)
                    .or_default()
                    .push((si as u32, ti as u16));
            }
        }
    }
    catalog
        .globals
        .extend(EXTRA_GLOBAL_KEYS.iter().map(|&(name, ty)| KeyDef {
            name,
            ty: KeyType::parse(ty).unwrap_or(KeyType {
                base: super::BaseType::String,
                multivalued: false,
            }),
        }));
    let template = |k: &KeyDef| k.name.contains(['$', '<']) || k.name.ends_with("/tag-key");
    for k in catalog
        .globals
        .iter()
        .chain(catalog.services.iter().flat_map(|s| s.keys.iter()))
    {
        if !template(k) {
            catalog
                .exact_keys
                .entry(k.name.to_ascii_lowercase().into())
                .or_insert(k.ty);
        }
    }
    if catalog.source.version.is_empty() || catalog.actions.is_empty() {
        return Err("data/aws-catalog.txt: no source line or no action".into());
    }
    Ok(catalog)
}

fn indexes(text: &str, sep: char) -> Option<Box<[u16]>> {
    if text.is_empty() {
        return Some(Box::default());
    }
    text.split(sep).map(|i| i.parse().ok()).collect()
}

/// `3`, `3*` (required) or `3*=4.7` (with condition keys for this resource type).
fn resource_ref(text: &str) -> Option<ResourceRef> {
    let (head, keys) = text.split_once('=').unwrap_or((text, ""));
    let (index, required) = match head.strip_suffix('*') {
        Some(index) => (index, true),
        None => (head, false),
    };
    Some(ResourceRef {
        ty: index.parse().ok()?,
        required,
        keys: indexes(keys, '.')?,
    })
}
