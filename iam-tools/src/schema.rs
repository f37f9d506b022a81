//! JSON schemas for tools/list, from the generated types' `JsonSchema` derives: JSON
//! Schema 2020-12, subschemas inlined (some clients ignore `$defs`), no `title`/`$schema`
//! noise.

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
            map
        }
        _ => JsonObject::new(),
    }
}
