//! Arguments before they are parsed: the size bound.

use crate::catalog::JsonObject;
use crate::error::ToolError;
use serde::Serialize;

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
