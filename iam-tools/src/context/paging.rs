//! Every page of a list operation, up to the server's all-pages bound.

use super::call::ToolContext;
use crate::error::ToolError;
use std::future::Future;

/// `all_pages` stops after this many items, and says so in the result's Note.
pub const ALL_PAGES_MAX_ITEMS: usize = 10_000;

/// Page size used by `all_pages` when the call gives no `max_items`.
pub const ALL_PAGES_PAGE_SIZE: i32 = 1000;

/// Generated for every operation input that takes a `Marker`.
pub trait PagedInput: Clone {
    fn set_marker(&mut self, marker: Option<String>);
    /// Uses the largest page when the caller set no `MaxItems`.
    fn use_large_pages(&mut self);
}

/// Generated for every operation output with `Marker` and `IsTruncated`.
pub trait PagedOutput {
    /// The marker of the next page, when there is one.
    fn next_marker(&self) -> Option<String>;
    fn item_count(&self) -> usize;
    /// Adds the next page's items; takes its marker.
    fn append(&mut self, next: Self);
    /// Marks the output as stopped before `marker`.
    fn stop_at(&mut self, marker: Option<String>);
}

/// Follows markers from `first` to the last page, or to the all-pages bound (then the
/// output keeps the marker to continue from and the note says so).
pub async fn all_pages<I, O, F, Fut>(
    ctx: &ToolContext,
    first: I,
    mut fetch: F,
) -> Result<(O, Option<String>), ToolError>
where
    I: PagedInput,
    O: PagedOutput,
    F: FnMut(I) -> Fut,
    Fut: Future<Output = Result<O, ToolError>>,
{
    let mut input = first;
    input.use_large_pages();
    let mut out = fetch(input.clone()).await?;
    let bound = ctx.shared.all_pages_max_items;
    while let Some(marker) = out.next_marker() {
        if out.item_count() >= bound {
            out.stop_at(Some(marker));
            return Ok((
                out,
                Some(format!(
                    "all_pages stopped at its bound of {bound} items; IsTruncated is true: call again with this Marker to continue."
                )),
            ));
        }
        input.set_marker(Some(marker));
        let next = fetch(input.clone()).await?;
        out.append(next);
    }
    Ok((out, None))
}
