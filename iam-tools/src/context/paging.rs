//! The pages of a list operation: one page of exactly `max_items`, or every page up to the
//! server's all-pages bound, exactly; and the markers that continue right after the last
//! item returned.
//!
//! IAM's markers are opaque and only mark page boundaries. When the bound (or `max_items`)
//! ends inside a page, the server asks for no more than it needs, so IAM's own marker is
//! the one to continue from. A backend that answers with more items than asked (moto's
//! ListUsers ignores MaxItems) gets a marker of the server's own instead: where that page
//! started, the page size asked, and how many of its items were already returned.

use super::call::ToolContext;
use super::settings::ALL_PAGES_SETTING;
use crate::codec::count;
use crate::error::ToolError;
use std::future::Future;

/// `all_pages` stops after this many items, and says so in the result's Note.
pub const ALL_PAGES_MAX_ITEMS: usize = 10_000;

/// Page size used by `all_pages` when the call gives no `max_items`.
pub const ALL_PAGES_PAGE_SIZE: i32 = 1000;

/// Generated for every operation input that takes a `Marker`.
pub trait PagedInput: Clone {
    fn marker(&self) -> Option<String>;
    fn set_marker(&mut self, marker: Option<String>);
    /// The page size the caller asked for.
    fn max_items(&self) -> Option<i32>;
    fn set_max_items(&mut self, max_items: Option<i32>);
}

/// Generated for every operation output with `Marker` and `IsTruncated`.
pub trait PagedOutput {
    /// The marker of the next page, when there is one.
    fn next_marker(&self) -> Option<String>;
    /// The items of all its lists.
    fn item_count(&self) -> usize;
    /// Keeps `take` items after the first `skip` (its lists read as one sequence, in order).
    fn window(&mut self, skip: usize, take: usize);
    /// Adds the next page's items; takes its marker.
    fn append(&mut self, next: Self);
    /// Marks the output as stopped before `marker`.
    fn stop_at(&mut self, marker: Option<String>);
}

/// [`PagedOutput::window`] for one list: `skip` and `take` go on to the next list.
pub fn window_list<T>(list: &mut Vec<T>, skip: &mut usize, take: &mut usize) {
    let skipped = (*skip).min(list.len());
    list.drain(..skipped);
    *skip -= skipped;
    list.truncate(*take);
    *take -= list.len();
}

/// How many pages a call reads.
#[derive(Clone, Copy, Debug)]
pub enum Paging {
    /// One page: `max_items` items at most (all the page has when not given).
    Page,
    /// `all_pages`: up to the server's bound; the result's Marker continues from there.
    All,
    /// Every page of an included list (field `.0` of the result), up to the bound; no
    /// marker is returned for it.
    Include(&'static str),
}

/// The server's own markers: a position inside a page of the backend.
const MARKER_PREFIX: &str = "iam-mcp-server:";

/// Where a call starts: the backend's marker (None: the first page) and, inside that page,
/// the page size it was read with and how many of its items were returned already.
#[derive(Debug, Default, PartialEq)]
struct Position {
    marker: Option<String>,
    inside: Option<(Option<i32>, usize)>,
}

impl Position {
    fn encode(marker: Option<&str>, size: Option<i32>, skip: usize) -> String {
        let size = size.map_or_else(String::new, |s| s.to_string());
        format!(
            "{MARKER_PREFIX}{size}:{skip}:{}",
            marker.unwrap_or_default()
        )
    }

    fn decode(tool: &str, marker: Option<String>) -> Result<Self, ToolError> {
        let Some(marker) = marker else {
            return Ok(Position::default());
        };
        let Some(rest) = marker.strip_prefix(MARKER_PREFIX) else {
            return Ok(Position {
                marker: Some(marker),
                inside: None,
            });
        };
        let mut parts = rest.splitn(3, ':');
        let size = match parts.next() {
            Some("") => Some(None),
            Some(s) => s
                .parse::<i32>()
                .ok()
                .filter(|s| (1..=1000).contains(s))
                .map(Some),
            None => None,
        };
        let skip = parts.next().and_then(|s| s.parse::<usize>().ok());
        match (size, skip, parts.next()) {
            (Some(size), Some(skip), Some(inner)) => Ok(Position {
                marker: (!inner.is_empty()).then(|| inner.to_string()),
                inside: Some((size, skip)),
            }),
            _ => Err(bad_marker(tool)),
        }
    }
}

fn bad_marker(tool: &str) -> ToolError {
    ToolError::invalid_arguments(format!(
        "Invalid arguments for {tool}: `marker` is not a Marker this server returned (it starts like one but does not read as one)."
    ))
    .with_hint("Pass the Marker of the previous result unchanged, or no marker to start from the first item.")
}

/// Reads the pages `paging` asks for, from `first`'s marker on, through `fetch` (one call
/// of the operation), and keeps exactly the items asked for: a page of at most
/// `max_items` (the caller's), or for `all_pages` at most the server's bound. When items
/// are left, the output's Marker continues right after the last item kept, and for
/// `all_pages` the note says the bound was reached.
pub async fn pages<I, O, F, Fut>(
    ctx: &ToolContext,
    first: I,
    paging: Paging,
    mut fetch: F,
) -> Result<(O, Option<String>), ToolError>
where
    I: PagedInput,
    O: PagedOutput,
    F: FnMut(I) -> Fut,
    Fut: Future<Output = Result<O, ToolError>>,
{
    let asked = first.max_items().filter(|&n| n > 0);
    let (bound, page_size) = match paging {
        Paging::Page => (asked.map_or(usize::MAX, |n| n as usize), asked),
        Paging::All | Paging::Include(_) => (
            ctx.shared.all_pages_max_items,
            Some(asked.unwrap_or(ALL_PAGES_PAGE_SIZE)),
        ),
    };
    let mut at = Position::decode(ctx.tool.name, first.marker())?;
    let mut input = first;
    let mut acc: Option<O> = None;
    let mut kept_so_far = 0usize;
    loop {
        let remaining = bound.saturating_sub(kept_so_far);
        let (size, skip) = match at.inside {
            Some(inside) => inside,
            None => (
                page_size.map(|s| s.min(i32::try_from(remaining).unwrap_or(i32::MAX))),
                0,
            ),
        };
        input.set_marker(at.marker.clone());
        input.set_max_items(size);
        let mut page = fetch(input.clone()).await?;
        let total = page.item_count();
        if skip > total {
            return Err(ToolError::invalid_arguments(format!(
                "Invalid arguments for {}: `marker` points past the end of its page: the list changed since that Marker was returned.",
                ctx.tool.name
            ))
            .with_hint("Call again without a marker to start from the first item."));
        }
        page.window(skip, remaining);
        let kept = (total - skip).min(remaining);
        kept_so_far += kept;
        // Items of this page are left over: continue inside it. Else from the next page.
        let next = if skip + kept < total {
            Some(Position::encode(at.marker.as_deref(), size, skip + kept))
        } else {
            page.next_marker()
        };
        let mut out = match acc.take() {
            None => page,
            Some(mut out) => {
                out.append(page);
                out
            }
        };
        let Some(next) = next else {
            out.stop_at(None);
            return Ok((out, None));
        };
        if matches!(paging, Paging::Page) || kept_so_far >= bound {
            out.stop_at(Some(next));
            let note = match paging {
                Paging::Page => None,
                Paging::All => Some(format!(
                    "all_pages stopped at the server's bound of {} ({ALL_PAGES_SETTING}); there are more: IsTruncated is true. To continue right after the last item, call again with this Marker (with all_pages: true for up to {bound} more). The user can raise the bound by restarting the server with a larger {ALL_PAGES_SETTING}.",
                    count(bound, "item", "items")
                )),
                Paging::Include(field) => Some(format!(
                    "{field} is incomplete: it stopped at the server's bound of {} ({ALL_PAGES_SETTING}). The user can raise the bound by restarting the server with a larger {ALL_PAGES_SETTING}.",
                    count(bound, "item", "items")
                )),
            };
            return Ok((out, note));
        }
        acc = Some(out);
        at = Position {
            marker: Some(next),
            inside: None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_reads_back_as_written() {
        let written = Position::encode(Some("abc:def"), Some(2), 7);
        assert_eq!(written, "iam-mcp-server:2:7:abc:def");
        assert_eq!(
            Position::decode("t", Some(written)).unwrap(),
            Position {
                marker: Some("abc:def".into()),
                inside: Some((Some(2), 7)),
            }
        );
        assert_eq!(
            Position::decode("t", Some(Position::encode(None, None, 3))).unwrap(),
            Position {
                marker: None,
                inside: Some((None, 3)),
            }
        );
        // IAM's markers pass through.
        assert_eq!(
            Position::decode("t", Some("AAEAAW...".into()))
                .unwrap()
                .marker
                .as_deref(),
            Some("AAEAAW...")
        );
        for bad in [
            "iam-mcp-server:",
            "iam-mcp-server:x:1:",
            "iam-mcp-server:0:1:",
            "iam-mcp-server:2:-1:m",
        ] {
            assert!(Position::decode("t", Some(bad.into())).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_window_runs_over_the_lists_in_order() {
        let (mut a, mut b) = (vec![1, 2, 3], vec![4, 5, 6]);
        let (mut skip, mut take) = (2, 3);
        window_list(&mut a, &mut skip, &mut take);
        window_list(&mut b, &mut skip, &mut take);
        assert_eq!((a, b), (vec![3], vec![4, 5]));
    }
}
