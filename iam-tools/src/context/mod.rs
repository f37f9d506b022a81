//! The call context: what a generated handler or a runtime function sees of the server
//! (its spec, the backend, the server's shared state, the MCP request), and the helpers
//! handlers are thin glue over (argument parsing, paging, notes, messages).

mod args;
mod call;
mod model;
mod notes;
mod paging;
mod seal;
mod settings;

pub use args::MAX_ARGUMENTS_BYTES;
pub use call::{Catalog, Handler, HandlerFuture, Retry, Shared, ToolContext, ToolSpec};
pub use model::{LoadedModel, MODEL_MAX_AGE, ModelCache};
pub use notes::{join_notes, render_message, unanswered_note};
pub use paging::{
    ALL_PAGES_MAX_ITEMS, ALL_PAGES_PAGE_SIZE, PagedInput, PagedOutput, Paging, pages, window_list,
};
pub(crate) use seal::StateCheck;
pub use seal::{Consent, Mode, TOKEN_LIFETIME, canonical_args};
pub use settings::{
    ALL_PAGES_SETTING, DEFAULT_PRIVILEGED_POLICIES, Guardrails, PRIVILEGED_POLICIES_SETTING,
};
