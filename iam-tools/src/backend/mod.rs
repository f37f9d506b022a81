//! Where operations go: the live account through aws-sdk-iam (the client built on first
//! use, so `initialize` never waits for credential or region discovery), or an account
//! file (offline mode, [`account_file`]) answering read operations from a snapshot.
//! Generated operation functions ask [`Backend::account_file`] first and, when there is
//! one, call it through its one JSON interface; otherwise they call the SDK.

pub mod account_file;
mod dispatch;
mod live;

pub use dispatch::{Backend, OperationCall, OperationFuture};
pub use live::{APP_NAME, CallerEntity, CallerIdentity, DEFAULT_REGION, http_client, sdk_config};
