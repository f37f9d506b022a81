//! JSON schemas for tools/list, from the generated types' `JsonSchema` derives: JSON
//! Schema 2020-12, subschemas inlined (some clients ignore `$defs`), and trimmed of what
//! only costs an assistant's context (`title`, `$schema`, serde defaults, integer formats,
//! `null` alternatives of optional members).

use crate::JsonObject;
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value;

/// The object schema of `T`.
pub fn object_schema<T: JsonSchema>() -> JsonObject {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let schema = generator.into_root_schema_for::<T>();
    match serde_json::to_value(schema) {
        Ok(Value::Object(mut map)) => {
            map.remove("$schema");
            map.remove("title");
            map.remove("description");
            let mut value = Value::Object(map);
            tidy(&mut value);
            match value {
                Value::Object(map) => map,
                _ => JsonObject::new(),
            }
        }
        _ => JsonObject::new(),
    }
}

fn tidy(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("default");
            if map.get("format").and_then(Value::as_str).is_some_and(|f| f.starts_with("int") || f.starts_with("uint")) {
                map.remove("format");
            }
            // Optional members are optional by not being `required`; `null` adds nothing.
            if let Some(Value::Array(types)) = map.get("type") {
                let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if non_null.len() == 1 && types.len() == 2 {
                    map.insert("type".into(), non_null[0].clone());
                }
            }
            if map.get("description").and_then(Value::as_str).is_some_and(|d| d.starts_with("The IAM `")) {
                map.remove("description");
            }
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}
