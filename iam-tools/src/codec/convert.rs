//! Conversions between the SDK's types and the generated ones. Generated code calls
//! `FromSdk::from_sdk(src.getter())` for every output field and
//! `IntoSdk::into_sdk(input.member)` for every input member; the field's type picks the
//! impl, so the manifest never has to spell an SDK type.

use crate::error::ToolError;
use aws_sdk_iam::primitives::DateTime;
use aws_smithy_types::date_time::Format;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Builds a generated output value from what an SDK getter returns.
pub trait FromSdk<S> {
    fn from_sdk(src: S) -> Self;
}

/// Turns a generated input member into what an SDK setter takes.
pub trait IntoSdk<T> {
    fn into_sdk(self) -> T;
}

// A leaf converts from the SDK's value whether or not the SDK wraps it in an Option: the
// SDK marks some AWS-required members optional, and moto sometimes omits them.
macro_rules! leaf {
    ($target:ty, $src:ty, |$v:ident| $conv:expr) => {
        impl<'a> FromSdk<$src> for $target {
            fn from_sdk($v: $src) -> Self {
                $conv
            }
        }
        impl<'a> FromSdk<Option<$src>> for $target {
            fn from_sdk(src: Option<$src>) -> Self {
                src.map(|$v| $conv).unwrap_or_default()
            }
        }
    };
}

// Optional targets of borrowed sources come from the blanket impls below; scalars, which
// the SDK returns by value, need their own.
macro_rules! scalar_leaf {
    ($target:ty, $src:ty, |$v:ident| $conv:expr) => {
        leaf!($target, $src, |$v| $conv);
        impl<'a> FromSdk<$src> for Option<$target> {
            fn from_sdk($v: $src) -> Self {
                Some($conv)
            }
        }
        impl<'a> FromSdk<Option<$src>> for Option<$target> {
            fn from_sdk(src: Option<$src>) -> Self {
                src.map(|$v| $conv)
            }
        }
    };
}

impl<'a, S: ?Sized, T: FromSdk<&'a S>> FromSdk<&'a S> for Option<T> {
    fn from_sdk(src: &'a S) -> Self {
        Some(T::from_sdk(src))
    }
}

impl<'a, S: ?Sized, T: FromSdk<&'a S>> FromSdk<Option<&'a S>> for Option<T> {
    fn from_sdk(src: Option<&'a S>) -> Self {
        src.map(T::from_sdk)
    }
}

leaf!(String, &'a str, |v| v.to_string());
leaf!(String, &'a String, |v| v.clone());
leaf!(String, &'a DateTime, |v| rfc3339(v));
leaf!(Value, &'a str, |v| decode_document(v));
// A blob (GetCredentialReport's Content): the SDK has decoded the base64, this is its text.
leaf!(String, &'a aws_smithy_types::Blob, |v| {
    String::from_utf8_lossy(v.as_ref()).into_owned()
});
// A map the manifest's types cannot name (GetAccountSummary's SummaryMap) as a JSON object,
// keys sorted.
leaf!(
    Value,
    &'a std::collections::HashMap<aws_sdk_iam::types::SummaryKeyType, i32>,
    |v| {
        let sorted: std::collections::BTreeMap<&str, i32> =
            v.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        serde_json::to_value(sorted).unwrap_or_default()
    }
);
scalar_leaf!(bool, bool, |v| v);
scalar_leaf!(i32, i32, |v| v);
scalar_leaf!(i64, i64, |v| v);
scalar_leaf!(i64, i32, |v| i64::from(v));

macro_rules! sdk_enums {
    ($($name:ident),* $(,)?) => {
        $( leaf!(String, &'a aws_sdk_iam::types::$name, |v| v.as_str().to_string()); )*
    };
}

sdk_enums!(
    StatusType,
    PermissionsBoundaryAttachmentType,
    PolicyScopeType,
    PolicyUsageType,
    EntityType,
    PolicySourceType,
    PolicyEvaluationDecisionType,
    ContextKeyTypeEnum,
    AssignmentStatusType,
    EncodingType,
    ReportStateType,
    ReportFormatType,
    SummaryKeyType,
    DeletionTaskStatusType,
    JobStatusType,
    AccessAdvisorUsageGranularityType,
    PolicyType,
    GlobalEndpointTokenVersion,
    SortKeyType,
);

impl<'a, S, T: FromSdk<&'a S>> FromSdk<&'a [S]> for Vec<T> {
    fn from_sdk(src: &'a [S]) -> Self {
        src.iter().map(T::from_sdk).collect()
    }
}

impl<'a, S, T: FromSdk<&'a S>> FromSdk<Option<&'a [S]>> for Vec<T> {
    fn from_sdk(src: Option<&'a [S]>) -> Self {
        src.unwrap_or_default().iter().map(T::from_sdk).collect()
    }
}

/// A date as RFC 3339, as the AWS CLI prints it.
pub fn rfc3339(date: &DateTime) -> String {
    date.fmt(Format::DateTime)
        .unwrap_or_else(|_| date.secs().to_string())
}

/// A policy document as IAM returns it (percent-encoded JSON; moto sometimes plain) decoded
/// into a JSON object. Text that is not JSON is kept as a string.
pub fn decode_document(raw: &str) -> Value {
    if let Ok(value) = serde_json::from_str::<Value>(raw) {
        return value;
    }
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    serde_json::from_str(&decoded).unwrap_or_else(|_| Value::String(decoded.into_owned()))
}

/// The schema of a policy document IAM returned, as [`decode_document`] gives it: a JSON
/// object, or the text itself when it is not JSON. Only a schema (output fields holding a
/// document are `Value`s); it says what the value is where `Value`'s own schema, `true`,
/// says nothing and is not portable.
pub struct DecodedDocument;

impl JsonSchema for DecodedDocument {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DecodedPolicyDocument".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        object_or_string(
            "A policy document, decoded: a JSON object (a string only if IAM's text was not JSON).",
        )
    }
}

impl<E: for<'a> From<&'a str>> IntoSdk<Option<E>> for String {
    fn into_sdk(self) -> Option<E> {
        Some(E::from(self.as_str()))
    }
}

impl<E: for<'a> From<&'a str>> IntoSdk<Option<E>> for Option<String> {
    fn into_sdk(self) -> Option<E> {
        self.map(|s| E::from(s.as_str()))
    }
}

/// Turns one element of a generated input list into the SDK's element type.
pub trait IntoSdkItem<T> {
    fn into_sdk_item(self) -> T;
}

impl<E: for<'a> From<&'a str>> IntoSdkItem<E> for String {
    fn into_sdk_item(self) -> E {
        E::from(self.as_str())
    }
}

impl<S, T: IntoSdkItem<S>> IntoSdk<Option<Vec<S>>> for Vec<T> {
    fn into_sdk(self) -> Option<Vec<S>> {
        (!self.is_empty()).then(|| self.into_iter().map(T::into_sdk_item).collect())
    }
}

/// What an SDK builder's `build()` returns, infallible or not, as the value. Generated
/// input shapes set every member the SDK requires, so the fallible form cannot fail.
pub fn built<T>(output: impl Built<T>) -> T {
    output.into_built()
}

pub trait Built<T> {
    fn into_built(self) -> T;
}

impl<T> Built<T> for T {
    fn into_built(self) -> T {
        self
    }
}

impl<T> Built<T> for Result<T, aws_sdk_iam::error::BuildError> {
    fn into_built(self) -> T {
        // Required members are non-optional fields of the generated shape, always set.
        self.expect("a generated input shape sets every member the SDK requires")
    }
}

macro_rules! scalar_into {
    ($($t:ty),*) => {$(
        impl IntoSdk<Option<$t>> for $t {
            fn into_sdk(self) -> Option<$t> { Some(self) }
        }
        impl IntoSdk<Option<$t>> for Option<$t> {
            fn into_sdk(self) -> Option<$t> { self }
        }
    )*};
}
scalar_into!(i32, i64, bool);

/// An integer param narrowed to the 32-bit member AWS takes.
pub fn narrow(param: &str, value: i64) -> Result<i32, ToolError> {
    i32::try_from(value).map_err(|_| {
        ToolError::invalid_arguments(format!(
            "`{param}` is {value}, which is out of range for this IAM parameter"
        ))
    })
}

/// A policy document argument: a JSON object, or a string holding one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocumentArg(pub Value);

impl DocumentArg {
    /// The compact JSON text AWS takes, or why the argument is not a policy document.
    pub fn to_aws_string(&self, param: &str) -> Result<String, ToolError> {
        match &self.0 {
            Value::Object(_) => Ok(self.0.to_string()),
            Value::String(text) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => Ok(Value::Object(map).to_string()),
                Ok(_) => Err(ToolError::invalid_arguments(format!(
                    "`{param}` must be a JSON object (a policy document), or a string holding one"
                ))),
                Err(e) => Err(ToolError::invalid_arguments(format!(
                    "`{param}` is a string but not JSON: {e}"
                ))),
            },
            _ => Err(ToolError::invalid_arguments(format!(
                "`{param}` must be a JSON object (a policy document), or a string holding one"
            ))),
        }
    }
}

/// The schema of a policy document: an object, or a string holding one.
fn object_or_string(description: &str) -> schemars::Schema {
    schemars::json_schema!({ "type": ["object", "string"], "description": description })
}

impl JsonSchema for DocumentArg {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PolicyDocument".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        object_or_string("An IAM policy document: a JSON object, or a string holding one.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_decode_encoded_and_plain() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%7D";
        assert_eq!(
            decode_document(encoded),
            serde_json::json!({"Version": "2012-10-17"})
        );
        assert_eq!(decode_document("{\"a\":1}"), serde_json::json!({"a": 1}));
        assert_eq!(
            decode_document("not json"),
            Value::String("not json".into())
        );
    }

    #[test]
    fn dates_are_rfc3339() {
        assert_eq!(rfc3339(&DateTime::from_secs(0)), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn document_args_take_objects_and_strings() {
        let obj = DocumentArg(serde_json::json!({"Version": "2012-10-17"}));
        assert_eq!(
            obj.to_aws_string("d").unwrap(),
            r#"{"Version":"2012-10-17"}"#
        );
        let text = DocumentArg(Value::String(r#"{"Version": "2012-10-17"}"#.into()));
        assert_eq!(
            text.to_aws_string("d").unwrap(),
            r#"{"Version":"2012-10-17"}"#
        );
        assert!(
            DocumentArg(Value::String("nope".into()))
                .to_aws_string("d")
                .is_err()
        );
        assert!(
            DocumentArg(serde_json::json!([1]))
                .to_aws_string("d")
                .is_err()
        );
    }
}
