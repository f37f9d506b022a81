//! JSON schemas for tools/list, from the generated types' `JsonSchema` derives: JSON
//! Schema 2020-12, subschemas inlined (some clients ignore `$defs`), trimmed of what
//! only costs an assistant's context (`title`, `$schema`, serde defaults, integer formats,
//! `null` alternatives of optional members), and in forms every client can map: one `type`
//! per schema, a value of several types being an `anyOf` of single-type schemas (clients
//! that map tool schemas onto a single-`type` dialect reject or drop a `type` array; MCP
//! Inspector's `--strict` check flags it).

use crate::catalog::JsonObject;
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
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
            if map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("int") || f.starts_with("uint"))
            {
                map.remove("format");
            }
            if let Some(Value::Array(types)) = map.get("type") {
                // Optional members are optional by not being `required`; `null` adds nothing.
                let mut types: Vec<Value> =
                    types.iter().filter(|t| *t != "null").cloned().collect();
                if types.is_empty() {
                    types.push("null".into());
                }
                if types.len() == 1 {
                    map.insert("type".into(), types.remove(0));
                } else {
                    // Several types: one branch each. The other keywords stay where they are,
                    // each applying to the values of its own type, as before.
                    map.remove("type");
                    let branches: Vec<Value> = types
                        .into_iter()
                        .map(|t| serde_json::json!({ "type": t }))
                        .collect();
                    if !map.contains_key("anyOf") {
                        map.insert("anyOf".into(), Value::Array(branches));
                    } else if let Value::Array(all_of) = map
                        .entry("allOf")
                        .or_insert_with(|| Value::Array(Vec::new()))
                    {
                        all_of.push(serde_json::json!({ "anyOf": branches }));
                    }
                }
            }
            if map
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| d.starts_with("The IAM `"))
            {
                map.remove("description");
            }
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tidied(mut value: Value) -> Value {
        tidy(&mut value);
        value
    }

    #[test]
    fn a_value_of_several_types_is_an_any_of_single_types() {
        let doc = json!({"type": ["object", "string"], "description": "A document."});
        assert_eq!(
            tidied(doc),
            json!({"description": "A document.", "anyOf": [{"type": "object"}, {"type": "string"}]})
        );
        // An optional one: `null` is dropped first.
        let doc = json!({"type": ["object", "string", "null"]});
        assert_eq!(
            tidied(doc),
            json!({"anyOf": [{"type": "object"}, {"type": "string"}]})
        );
        assert_eq!(
            tidied(json!({"type": ["string", "null"], "minLength": 1})),
            json!({"type": "string", "minLength": 1})
        );
        assert_eq!(
            tidied(json!({"type": ["integer"]})),
            json!({"type": "integer"})
        );
        assert_eq!(tidied(json!({"type": ["null"]})), json!({"type": "null"}));
        // An `anyOf` already there is kept, the types' one added beside it.
        let both =
            json!({"type": ["object", "string"], "anyOf": [{"required": ["a"]}, {"minLength": 2}]});
        assert_eq!(
            tidied(both),
            json!({"anyOf": [{"required": ["a"]}, {"minLength": 2}], "allOf": [{"anyOf": [{"type": "object"}, {"type": "string"}]}]})
        );
    }

    #[test]
    fn documents_say_what_they_are() {
        #[derive(JsonSchema)]
        #[allow(dead_code)]
        struct Out {
            #[schemars(with = "Option<crate::codec::DecodedDocument>")]
            optional: Option<Value>,
            #[schemars(with = "Vec<crate::codec::DecodedDocument>")]
            list: Vec<Value>,
            /// The document.
            #[schemars(with = "crate::codec::DecodedDocument")]
            described: Value,
        }
        let schema = Value::Object(object_schema::<Out>());
        let any_of = json!([{"type": "object"}, {"type": "string"}]);
        assert_eq!(schema["properties"]["optional"]["anyOf"], any_of);
        assert_eq!(schema["properties"]["list"]["items"]["anyOf"], any_of);
        assert_eq!(schema["properties"]["described"]["anyOf"], any_of);
        assert_eq!(
            schema["properties"]["described"]["description"],
            "The document."
        );
    }
}
