//! Arguments before they are parsed: the size bound, and where a serde error is.

use crate::catalog::JsonObject;
use crate::error::ToolError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The most JSON a call's arguments may take. IAM's own limits are far smaller (a policy
/// document is at most 10,240 characters), so bigger arguments are a mistake: refused
/// before they are parsed, checked or sent anywhere.
pub const MAX_ARGUMENTS_BYTES: usize = 1024 * 1024;

/// The size of `value` as compact JSON, without building the text.
fn json_size<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// Refuses arguments over [`MAX_ARGUMENTS_BYTES`], naming the biggest argument.
pub(super) fn check_size(tool: &str, args: &JsonObject) -> Result<(), ToolError> {
    let total = json_size(args);
    if total <= MAX_ARGUMENTS_BYTES {
        return Ok(());
    }
    let (name, biggest) = args
        .iter()
        .map(|(k, v)| (k.as_str(), json_size(v)))
        .max_by_key(|(_, size)| *size)
        .unwrap_or(("", 0));
    Err(ToolError::invalid_arguments(format!(
        "Invalid arguments for {tool}: the arguments are {total} bytes of JSON (`{name}` alone is {biggest} bytes), over the limit of {MAX_ARGUMENTS_BYTES} bytes (1 MB); nothing was done."
    ))
    .with_hint("IAM's own limits are far smaller (a policy document is at most 10,240 characters): send the intended value."))
}

/// A serde error on a call's arguments, with the argument it is about named: serde_json's
/// errors from a `Value` carry no path, so the arguments are read again as text, one per
/// line, and the line the error is on names the argument.
pub(super) fn locate_serde_error<P: DeserializeOwned>(
    args: &JsonObject,
    error: serde_json::Error,
) -> String {
    let message = error.to_string();
    if ["missing field", "unknown field", "duplicate field"]
        .iter()
        .any(|p| message.starts_with(p))
    {
        return message;
    }
    let Ok(text) = serde_json::to_string_pretty(args) else {
        return message;
    };
    let Err(located) = serde_json::from_str::<P>(&text) else {
        return message;
    };
    // Each argument starts on a line indented by exactly two spaces; nested values are deeper.
    let name = text
        .lines()
        .take(located.line())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find_map(|line| {
            let rest = line.strip_prefix("  ")?;
            rest.starts_with('"').then(|| {
                serde_json::Deserializer::from_str(rest)
                    .into_iter::<String>()
                    .next()?
                    .ok()
            })?
        });
    match name {
        Some(name) => format!("`{name}`: {message}"),
        None => message,
    }
}
