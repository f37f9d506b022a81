//! The analysis results the tools share: statements that grant, conditions, escalation
//! paths, and the access preview of a write (shown with its consent question and by
//! `preview_access_change`). Above the call context (they read the account model), below
//! the write path (whose consent shows the preview).

mod preview;
mod shapes;

pub use preview::{
    AccessPreview, AccessSide, ChangedAction, ChangedPrincipal, preview, preview_text,
};
pub use shapes::{ConditionOut, EscalationPathOut, EscalationStep, GrantRef, path_out};
