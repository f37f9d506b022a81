"""Consent through the Python MCP client (mcp 2.3.0), as a real 2026-07-28 client does it.

Run by tests/consent.rs with the venv's Python: `python python_consent.py SCENARIO SERVER_BIN
MOTO_ENDPOINT MODE [SERVER_ARGS...]`. The server is started by the client over stdio with the
given args; MODE is the client's `mode` ("2026-07-28" or "legacy"). Prints one JSON object on
stdout: what the human was asked, what each call returned. The Rust test reads moto back.

Scenarios:
  accept, decline, cancel   create_user "py-<scenario>" with a human who answers so
  no-callback               the same without an elicitation callback (the client cannot ask)
  tamper                    first round by hand, then the requestState altered, answered "accept"
  replay                    a round accepted, then the same requestState and answer sent again
  plan-change               delete_role force on "py-plan": while the human is first asked, a
                            second inline policy appears; the server must ask again
"""

import asyncio
import json
import os
import sys

import boto3
from mcp import Client, StdioServerParameters
from mcp_types import ElicitResult, InputRequiredResult


def result_json(result):
    if isinstance(result, InputRequiredResult):
        return {"input_required": True, "request_state": result.request_state,
                "questions": sorted((result.input_requests or {}).keys())}
    text = "\n".join(getattr(c, "text", "") for c in result.content)
    return {"is_error": bool(result.is_error), "text": text, "structured": result.structured_content}


async def main():
    scenario, server_bin, endpoint, mode, *server_args = sys.argv[1:]
    env = {k: v for k, v in os.environ.items() if not k.startswith("IAM_MCP_")}
    env.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "RUST_LOG": "warn"})
    params = StdioServerParameters(command=server_bin, args=server_args, env=env)
    asked = []
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    answer = {"accept": "accept", "decline": "decline", "cancel": "cancel"}.get(scenario, "accept")

    async def human(context, request):
        asked.append(request.message)
        if scenario == "plan-change" and len(asked) == 1:
            # Someone changes IAM while the human reads the plan.
            iam.put_role_policy(RoleName="py-plan", PolicyName="late-arrival",
                                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
        return ElicitResult(action=answer)

    callback = None if scenario == "no-callback" else human
    out = {"scenario": scenario}
    async with Client(params, mode=mode, elicitation_callback=callback) as client:
        out["protocol"] = client.protocol_version if hasattr(client, "protocol_version") else None
        await client.list_tools()
        if scenario in ("accept", "decline", "cancel", "no-callback"):
            result = await client.call_tool("create_user", {"user_name": f"py-{scenario}"})
            out["result"] = result_json(result)
        elif scenario in ("tamper", "replay"):
            args = {"user_name": f"py-{scenario}"}
            first = await client.session.call_tool("create_user", args, allow_input_required=True)
            out["first"] = result_json(first)
            state = first.request_state
            responses = {"consent": {"action": "accept"}}
            if scenario == "tamper":
                flipped = state[:-1] + ("0" if state[-1] != "0" else "1")
                second = await client.session.call_tool("create_user", args, input_responses=responses,
                                                        request_state=flipped, allow_input_required=True)
                out["tampered"] = result_json(second)
                other = await client.session.call_tool("create_user", {"user_name": "py-someone-else"},
                                                       input_responses=responses, request_state=state,
                                                       allow_input_required=True)
                out["other_arguments"] = result_json(other)
            else:
                second = await client.session.call_tool("create_user", args, input_responses=responses,
                                                        request_state=state, allow_input_required=True)
                out["accepted"] = result_json(second)
                iam.delete_user(UserName="py-replay")
                third = await client.session.call_tool("create_user", args, input_responses=responses,
                                                       request_state=state, allow_input_required=True)
                out["replayed"] = result_json(third)
        elif scenario == "plan-change":
            result = await client.call_tool("delete_role", {"role_name": "py-plan", "force": True})
            out["result"] = result_json(result)
        else:
            raise SystemExit(f"unknown scenario {scenario}")
    out["asked"] = asked
    print(json.dumps(out))


asyncio.run(main())
