"""An MCP session through the Python MCP client (mcp 2.3.0), as scripts/package drives it.

    python mcp_session.py USER_NAME COMMAND [ARGS...]

starts COMMAND ARGS as an MCP server over stdio, lists its tools and calls get_user for
USER_NAME; fails unless more than 20 tools are listed and the answer names USER_NAME. Prints
one JSON line: the client, the protocol version agreed, the tool count and the user returned.
"""

import asyncio
import json
import os
import sys

from mcp import Client, StdioServerParameters

MIN_TOOLS = 20


async def main():
    user_name, command, *args = sys.argv[1:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IAM_MCP_", "AWS_"))}
    env["RUST_LOG"] = "warn"
    params = StdioServerParameters(command=command, args=args, env=env)
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        names = {tool.name for tool in tools}
        if len(tools) <= MIN_TOOLS or "get_user" not in names:
            sys.exit(f"expected more than {MIN_TOOLS} tools including get_user, got {sorted(names)}")
        result = await client.call_tool("get_user", {"user_name": user_name})
        text = "\n".join(getattr(c, "text", "") for c in result.content)
        if result.is_error:
            sys.exit(f"get_user {user_name} failed: {text}")
        structured = result.structured_content or json.loads(text)
        returned = structured["User"]["UserName"]
        if returned != user_name:
            sys.exit(f"get_user {user_name} answered for {returned}")
        print(json.dumps({"client": "python mcp 2.3.0",
                          "protocol": getattr(client, "protocol_version", None),
                          "tools": len(tools), "get_user": returned}))


asyncio.run(main())
