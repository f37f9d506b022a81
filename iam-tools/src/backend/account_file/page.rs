//! A query of the file: its input read as AWS reads it, and its answer paged as AWS pages.

use crate::catalog::OperationSpec;
use crate::error::ToolError;
use serde_json::{Value, json};
/// The page size of list operations when the input gives no MaxItems, as AWS's.
pub(super) const DEFAULT_MAX_ITEMS: usize = 100;

// ------------------------------------------------------------------ queries and pages

/// One operation call: its spec and input.
pub(super) struct Query<'a> {
    pub(super) op: &'static OperationSpec,
    pub(super) input: &'a Value,
}

/// Markers of the file backend: opaque to callers, an offset to us.
pub(super) const MARKER_PREFIX: &str = "offline-";

impl Query<'_> {
    pub(super) fn str(&self, key: &str) -> Option<&str> {
        self.input.get(key).and_then(Value::as_str)
    }

    pub(super) fn req(&self, key: &str) -> Result<&str, ToolError> {
        self.str(key).ok_or_else(|| {
            ToolError::service(self.op, "ValidationError", &format!("{key} is required"))
        })
    }

    pub(super) fn path_prefix(&self) -> &str {
        self.str("PathPrefix").unwrap_or("/")
    }

    pub(super) fn not_found(&self, message: &str) -> ToolError {
        ToolError::service(self.op, "NoSuchEntity", message)
    }

    /// The window `[start, end)` of `total` items this call asks for, and the next marker.
    pub(super) fn window(&self, total: usize) -> Result<(usize, usize, Option<String>), ToolError> {
        let max = match self.input.get("MaxItems").and_then(Value::as_i64) {
            None => DEFAULT_MAX_ITEMS,
            Some(n) if (1..=1000).contains(&n) => n as usize,
            Some(n) => {
                return Err(ToolError::service(
                    self.op,
                    "ValidationError",
                    &format!(
                        "1 validation error detected: Value '{n}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000"
                    ),
                ));
            }
        };
        let start = match self.str("Marker") {
            None => 0,
            Some(m) => m
                .strip_prefix(MARKER_PREFIX)
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|&n| n <= total)
                .ok_or_else(|| {
                    ToolError::service(self.op, "InvalidInput", &format!("Invalid Marker: {m}"))
                })?,
        };
        let end = start.saturating_add(max).min(total);
        let next = (end < total).then(|| format!("{MARKER_PREFIX}{end}"));
        Ok((start, end, next))
    }

    /// `base` with the page of `items` under `field`, `IsTruncated` and `Marker`.
    pub(super) fn page(
        &self,
        items: Vec<Value>,
        field: &str,
        mut base: Value,
    ) -> Result<Value, ToolError> {
        let (start, end, next) = self.window(items.len())?;
        let page: Vec<Value> = items.into_iter().skip(start).take(end - start).collect();
        base[field] = Value::Array(page);
        finish(&mut base, next);
        Ok(base)
    }

    /// One page over items of several lists, each tagged with its list.
    pub(super) fn page_mixed(
        &self,
        items: Vec<(&str, Value)>,
        fields: &[&str],
    ) -> Result<Value, ToolError> {
        let (start, end, next) = self.window(items.len())?;
        let mut out = json!({});
        for f in fields {
            out[*f] = json!([]);
        }
        for (field, v) in items.into_iter().skip(start).take(end - start) {
            if let Some(Value::Array(list)) = out.get_mut(field) {
                list.push(v);
            }
        }
        finish(&mut out, next);
        Ok(out)
    }
}

pub(super) fn finish(out: &mut Value, next: Option<String>) {
    out["IsTruncated"] = json!(next.is_some());
    if let Some(m) = next {
        out["Marker"] = json!(m);
    }
}
