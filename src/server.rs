//! The MCP server: rmcp's `ServerHandler` over the runtime's registry.

use iam_tools::context::Retry;
use iam_tools::registry::{Outcome, Registry};
#[allow(deprecated)]
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ProtocolVersion, ServerCapabilities, ServerConfig,
    SetLevelRequestParams, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use std::borrow::Cow;

/// The newest protocol version this server implements.
const MAX_PROTOCOL: ProtocolVersion = ProtocolVersion::V_2026_07_28;

pub struct IamServer {
    registry: Registry,
}

impl IamServer {
    pub fn new(registry: Registry) -> Self {
        IamServer { registry }
    }
}

impl ServerHandler for IamServer {
    fn get_info(&self) -> ServerConfig {
        let mut server_info =
            Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
        server_info.title = Some("AWS IAM".to_string());
        server_info.description = Some(env!("CARGO_PKG_DESCRIPTION").to_string());
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(server_info)
            .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
            .with_instructions(self.registry.instructions())
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&MAX_PROTOCOL))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(
            self.registry.tools().to_vec(),
        ))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.registry.tool(name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let retry =
            (request.input_responses.is_some() || request.request_state.is_some()).then(|| Retry {
                input_responses: request.input_responses.unwrap_or_default(),
                request_state: request.request_state,
            });
        match self
            .registry
            .call(&request.name, request.arguments, Some(context), retry)
            .await
        {
            Outcome::Result(result) => Ok(result.into()),
            Outcome::InputRequired(asked) => Ok(CallToolResponse::InputRequired(*asked)),
            Outcome::UnknownTool(message) => Err(ErrorData::invalid_params(message, None)),
        }
    }

    /// Logs go to stderr, filtered by RUST_LOG; the level a client asks for is accepted so
    /// clients that always send it get no error.
    #[allow(deprecated)]
    async fn set_level(
        &self,
        _request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        Ok(())
    }
}
