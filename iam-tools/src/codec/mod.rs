//! Codecs: between the SDK's types and the generated ones, JSON schemas for tools/list, and
//! the argument checks the schemas state. Above the catalog and errors, below everything
//! that calls IAM.

mod checks;
mod convert;
mod count;
mod schema;

pub use checks::{ArgType, Pattern, ReadArgs, Violations};
pub use convert::{
    Built, DecodedDocument, DocumentArg, FromSdk, IntoSdk, IntoSdkItem, built, decode_document,
    narrow, rfc3339,
};
pub use count::{account_counts, count};
pub use schema::object_schema;
