#!/usr/bin/env python3
"""Parliament and this server's `validate_policy`, side by side, over the same documents.

Run it through scripts/compare-parliament, which prepares what it needs (a venv with the
pinned Parliament, moto's AWS managed policies in a JSON file) and passes everything on.

The documents:
  - tests/validation/broken/*.json: one defect each; a validator should flag every one.
  - tests/validation/clean/*.json: correct policies; a validator should raise no error.
  - the AWS managed policies moto ships (--managed): what each flags, and with which issue.
tests/validation/cases.toml says for each hand-made document its policy type and the IAM
Access Analyzer issue codes a correct validator reports.

What counts:
  - flagged: any finding. For the server: any error, warning or finding (today's result has
    Errors and Warnings lists; the coming one a Findings list with IssueCode and FindingType;
    both are read), and any guardrail that would refuse the document. For Parliament: any
    finding at its CLI's default threshold (severity LOW and up), with its shipped config.
  - error-level: for the server an error (Errors, or FindingType ERROR); for Parliament a
    finding of severity MEDIUM or above (Parliament has severities, not errors and warnings).
Parliament has no policy types: trust policies go to it as they are.

The server runs offline on the demo account file (no AWS credentials, no network). Each
hand-made document goes to its one-shot CLI, `iam-mcp-server --account-file <demo account>
call validate_policy '{...}'`, one process per document. The managed policies go to a few
long-lived `serve` processes over MCP on stdio, one tools/call each: the same tool, without
starting a process (and parsing the service catalog) 1,500 times; --one-shot sends them
through the CLI too. A document too long for one command-line argument always goes over MCP.

The output is a report: the exit status is 0 whatever the validators say, 2 when the inputs
cannot be read.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11: the same parser, from PyPI
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "validation" / "cases.toml"
DEMO_ACCOUNT = REPO / "examples" / "demo-account.json"

# Linux refuses a single argv string longer than this (MAX_ARG_STRLEN, 32 pages); stay below.
MAX_ARGUMENT_BYTES = 120_000
SERVER_TIMEOUT_SECONDS = 60
# Parliament's severities, lowest first (its CLI's list); MEDIUM and up count as error-level.
PARLIAMENT_SEVERITIES = ["MUTE", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
PARLIAMENT_MINIMUM = "LOW"
PARLIAMENT_ERROR_LEVEL = "MEDIUM"


@dataclass
class Finding:
    """One finding of either validator, reduced to what the report compares."""

    label: str  # an issue code, or for the server's uncoded findings a message template
    level: str  # "error", "warning", "suggestion" or "guardrail"
    message: str = ""
    path: str = ""


@dataclass
class Verdict:
    """What one validator said about one document."""

    findings: list[Finding] = field(default_factory=list)
    failure: str | None = None  # a crash or a failed call: no verdict at all

    @property
    def flagged(self) -> bool:
        return bool(self.findings)

    @property
    def error_level(self) -> bool:
        return any(f.level == "error" for f in self.findings)

    @property
    def codes(self) -> set[str]:
        return {f.label for f in self.findings if f.label.isupper()}


# --- Parliament ---------------------------------------------------------------------------


def load_parliament():
    """Parliament's analyzer with its shipped config (it warns about pkg_resources on import)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import parliament
    return parliament


def run_parliament(parliament, text: str) -> Verdict:
    """Parliament's findings on one document, as its CLI would print them by default."""
    try:
        policy = parliament.analyze_policy_string(text)
        findings = []
        for raw in policy.findings:
            f = parliament.enhance_finding(raw)  # severity and title from config.yaml
            rank = PARLIAMENT_SEVERITIES.index(f.severity)
            if rank < PARLIAMENT_SEVERITIES.index(PARLIAMENT_MINIMUM):
                continue
            level = "error" if rank >= PARLIAMENT_SEVERITIES.index(PARLIAMENT_ERROR_LEVEL) else "warning"
            findings.append(Finding(f.issue, level, f"{f.severity}: {f.detail}".rstrip(": "), str(f.location or "")))
        return Verdict(findings)
    except Exception as e:  # a crash on a document is a result worth reporting
        return Verdict(failure=f"crash: {type(e).__name__}: {e}")


# --- the server ----------------------------------------------------------------------------


def message_template(message: str) -> str:
    """An uncoded finding's message with its specifics (quoted names, numbers) blanked, so
    that the same check on different documents counts as one issue."""
    m = re.sub(r'"[^"]*"', '"…"', message)
    m = re.sub(r"\b\d+\b", "N", m)
    m = re.sub(r"(every action of) [\w-]+", r"\1 …", m)  # the one unquoted name: a service prefix
    return m if len(m) <= 90 else m[:89] + "…"


def parse_server_result(result: dict) -> list[Finding]:
    """validate_policy's result in either shape: {"Errors": [..], "Warnings": [..]} (today)
    or {"Findings": [{"IssueCode", "FindingType", "Message", "Path"}]} (coming); both may
    carry "Guardrails": [{"Guardrail", "Message", "Path", ..}]."""
    findings = []
    for f in result.get("Findings") or []:
        kind = str(f.get("FindingType", "")).upper()
        level = {"ERROR": "error", "SUGGESTION": "suggestion"}.get(kind, "warning")
        code = f.get("IssueCode") or message_template(f.get("Message", ""))
        findings.append(Finding(code, level, f.get("Message", ""), f.get("Path", "")))
    for key, level in (("Errors", "error"), ("Warnings", "warning")):
        for f in result.get(key) or []:
            code = f.get("IssueCode") or message_template(f.get("Message", ""))
            findings.append(Finding(code, level, f.get("Message", ""), f.get("Path", "")))
    for g in result.get("Guardrails") or []:
        findings.append(Finding("guardrail:" + g.get("Guardrail", "?"), "guardrail", g.get("Message", ""), g.get("Path", "")))
    return findings


def validate_arguments(text: str, policy_type: str) -> dict:
    """validate_policy's arguments for one document. It goes as the string it is (a JSON
    object would lose duplicate keys and could not carry a syntax error), compact when it is
    valid JSON, to stay short."""
    try:
        document = json.dumps(json.loads(text), separators=(",", ":"))
    except ValueError:
        document = text
    return {"policy_document": document, "policy_type": policy_type}


class McpSession:
    """One `iam-mcp-server serve` process, spoken to over MCP on stdio, a call at a time."""

    def __init__(self, base: list[str]):
        self.process = subprocess.Popen(
            base + ["serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, bufsize=1,
        )
        self.next_id = 1
        self._request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                     "clientInfo": {"name": "compare-parliament", "version": "1"}})
        self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def _send(self, message: dict) -> None:
        self.process.stdin.write(json.dumps(message, separators=(",", ":")) + "\n")
        self.process.stdin.flush()

    def _request(self, method: str, params: dict) -> dict:
        request_id, self.next_id = self.next_id, self.next_id + 1
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        while True:  # skip notifications and anything else that is not this reply
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the server closed the session (exit {self.process.poll()})")
            reply = json.loads(line)
            if reply.get("id") == request_id:
                if "error" in reply:
                    raise RuntimeError(f"MCP error: {reply['error']}")
                return reply["result"]

    def validate(self, arguments: dict) -> dict:
        result = self._request("tools/call", {"name": "validate_policy", "arguments": arguments})
        if result.get("isError"):
            raise RuntimeError(f"tool error: {result.get('content')}")
        return result["structuredContent"]

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()


class Server:
    """The iam-mcp-server binary, offline on the demo account file."""

    def __init__(self, binary: Path, account_file: Path):
        self.binary = binary
        self.base = [str(binary), "--account-file", str(account_file)]

    def validate(self, text: str, policy_type: str) -> Verdict:
        """One document through the one-shot CLI (over MCP when too long for argv)."""
        arguments = validate_arguments(text, policy_type)
        encoded = json.dumps(arguments, separators=(",", ":"))
        try:
            if len(encoded.encode()) <= MAX_ARGUMENT_BYTES:
                result = self._call(encoded)
            else:
                session = McpSession(self.base)
                try:
                    result = session.validate(arguments)
                finally:
                    session.close()
        except Exception as e:
            return Verdict(failure=f"server: {e}")
        return Verdict(parse_server_result(result))

    def validate_in_session(self, documents: list[tuple[str, str, str]]) -> dict[str, Verdict]:
        """(key, text, policy type) documents through one `serve` session, in order; a
        session that fails is replaced, the document it failed on recorded as failed."""
        verdicts = {}
        session = None
        for key, text, policy_type in documents:
            try:
                session = session or McpSession(self.base)
                verdicts[key] = Verdict(parse_server_result(session.validate(validate_arguments(text, policy_type))))
            except Exception as e:
                verdicts[key] = Verdict(failure=f"server: {e}")
                if session:
                    session.close()
                session = None
        if session:
            session.close()
        return verdicts

    def _call(self, arguments: str) -> dict:
        p = subprocess.run(
            self.base + ["call", "validate_policy", arguments],
            capture_output=True, text=True, timeout=SERVER_TIMEOUT_SECONDS,
        )
        if p.returncode != 0:
            raise RuntimeError(f"exit {p.returncode}: {p.stderr.strip()[:300]}")
        return json.loads(p.stdout)


# --- the documents ---------------------------------------------------------------------------


@dataclass
class Case:
    file: str
    kind: str
    expected: list[str]
    why: str
    text: str
    parliament: Verdict | None = None
    server: Verdict | None = None

    @property
    def group(self) -> str:
        return self.file.split("/", 1)[0]


def load_cases(path: Path) -> list[Case]:
    """cases.toml's entries with their documents; every document on disk must have one."""
    spec = tomllib.loads(path.read_text())
    root = path.parent
    cases = [
        Case(c["file"], c["kind"], list(c.get("expected", [])), c.get("why", ""), (root / c["file"]).read_text())
        for c in spec["case"]
    ]
    listed = {c.file for c in cases}
    on_disk = {str(p.relative_to(root)) for d in ("broken", "clean") for p in (root / d).glob("*.json")}
    if listed != on_disk:
        raise SystemExit(
            f"{path}: cases and documents differ: not listed {sorted(on_disk - listed)}, missing {sorted(listed - on_disk)}"
        )
    for c in cases:
        if c.kind not in ("identity", "trust") or c.group not in ("broken", "clean"):
            raise SystemExit(f"{path}: {c.file}: kind must be identity or trust, file under broken/ or clean/")
    return cases


# --- the report ----------------------------------------------------------------------------


def cell(verdict: Verdict) -> str:
    """A verdict in one table cell: each distinct issue once, errors marked."""
    if verdict.failure:
        return "FAILED " + verdict.failure
    if not verdict.findings:
        return "-"
    seen = {}
    for f in verdict.findings:
        mark = {"error": "E ", "warning": "W ", "suggestion": "S ", "guardrail": ""}[f.level]
        seen.setdefault(mark + f.label, None)
    return " | ".join(seen)


def clip(s: str, width: int) -> str:
    return s if len(s) <= width else s[: width - 1] + "…"


def mark_broken(v: Verdict) -> str:
    return "!" if v.failure else ("✓" if v.flagged else "✗")


def mark_clean(v: Verdict) -> str:
    # ✓ nothing to say, ~ only warnings or suggestions (or LOW), ✗ an error-level finding
    return "!" if v.failure else ("✗" if v.error_level else ("~" if v.flagged else "✓"))


def print_table(title: str, cases: list[Case], mark, details: bool) -> None:
    name_w = max(len(Path(c.file).stem) for c in cases) + 8
    print(f"\n{title}")
    print(f"{'document':<{name_w}}  {'expected (Access Analyzer)':<42}  P  {'Parliament':<40}  S  server")
    print("-" * (name_w + 150))
    for c in cases:
        name = f"{Path(c.file).stem} [{c.kind[0]}]"
        expected = ", ".join(c.expected) or ("(no check)" if c.group == "broken" else "-")
        print(
            f"{name:<{name_w}}  {clip(expected, 42):<42}  {mark(c.parliament)}  {clip(cell(c.parliament), 40):<40}"
            f"  {mark(c.server)}  {clip(cell(c.server), 100)}"
        )
        if details:
            print(f"{'':<{name_w}}  why: {c.why}")
            for who, v in (("parliament", c.parliament), ("server", c.server)):
                if v.failure:
                    print(f"{'':<{name_w}}    {who}: FAILED {v.failure}")
                for f in v.findings:
                    print(f"{'':<{name_w}}    {who}: [{f.level}] {f.label}: {f.message} @ {f.path}")


def top(counter: collections.Counter, n: int) -> list[list]:
    return [[label, count] for label, count in counter.most_common(n)]


def summarize(cases: list[Case], managed: dict | None) -> dict:
    broken = [c for c in cases if c.group == "broken"]
    clean = [c for c in cases if c.group == "clean"]

    def side(group: list[Case], who: str) -> dict:
        verdicts = [getattr(c, who) for c in group]
        out = {
            "flagged": sum(v.flagged for v in verdicts),
            "error_level": sum(v.error_level for v in verdicts),
            "failed": [c.file for c, v in zip(group, verdicts) if v.failure],
        }
        if who == "server" and group and group[0].group == "broken":
            # Once the server reports issue codes: the documents with an Access Analyzer code
            # that got (one of) theirs. None while it reports none.
            reports_codes = any(c.server.codes for c in group)
            out["expected_code_reported"] = (
                sum(bool(set(c.expected) & c.server.codes) for c in group if c.expected) if reports_codes else None
            )
        if who == "server":
            out["guardrail"] = sum(any(f.level == "guardrail" for f in v.findings) for v in verdicts)
        return out

    summary = {
        "broken": {"documents": len(broken),
                   "with_access_analyzer_code": sum(bool(c.expected) for c in broken),
                   "parliament": side(broken, "parliament"), "server": side(broken, "server")},
        "clean": {"documents": len(clean),
                  "parliament": side(clean, "parliament"), "server": side(clean, "server")},
    }
    if managed is not None:
        entry = {"documents": len(managed)}
        for who in ("parliament", "server"):
            verdicts = [v[who] for v in managed.values()]
            issues = collections.Counter()
            for v in verdicts:  # documents per issue: each issue counted once per document
                issues.update({f.label for f in v.findings})
            entry[who] = {
                "flagged": sum(v.flagged for v in verdicts),
                "error_level": sum(v.error_level for v in verdicts),
                "failed": {name: v[who].failure for name, v in managed.items() if v[who].failure},
                "top_issues": top(issues, 12),
            }
        summary["managed"] = entry
    return summary


def print_totals(s: dict, seconds: float) -> None:
    b, c = s["broken"], s["clean"]
    print("\nTOTALS")
    print(f"  broken documents flagged (of {b['documents']}; {b['with_access_analyzer_code']} have an Access Analyzer code):")
    for who in ("parliament", "server"):
        x = b[who]
        extra = ""
        if who == "server":
            if x["expected_code_reported"] is not None:
                extra += f"; with the expected issue code: {x['expected_code_reported']} of {b['with_access_analyzer_code']}"
            extra += f"; by a guardrail: {x['guardrail']}"
        print(f"    {who:<11} {x['flagged']:>3} of {b['documents']}  (error-level {x['error_level']}{extra}; failed {len(x['failed'])})")
    print(f"  clean documents with an error-level flag (false positives, of {c['documents']}):")
    for who in ("parliament", "server"):
        x = c[who]
        print(f"    {who:<11} {x['error_level']:>3} of {c['documents']}  (any flag {x['flagged']}; failed {len(x['failed'])})")
    if "managed" in s:
        m = s["managed"]
        print(f"  AWS managed policies (moto's copy, {m['documents']}), validated as identity policies:")
        for who in ("parliament", "server"):
            x = m[who]
            print(f"    {who:<11} flags {x['flagged']} (error-level {x['error_level']}; failed {len(x['failed'])})")
            for name, why in list(x["failed"].items())[:5]:
                print(f"                  failed on {name}: {clip(why, 110)}")
            for label, count in x["top_issues"]:
                print(f"                  {count:>5}  {label}")
    print(f"  time: {seconds:.1f}s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", type=Path, help="the iam-mcp-server binary (default: target/release, else target/debug)")
    ap.add_argument("--cases", type=Path, default=CASES, help="the cases file (default: tests/validation/cases.toml)")
    ap.add_argument("--managed", type=Path, help="a JSON object {policy name: document} of AWS managed policies")
    ap.add_argument("--account-file", type=Path, default=DEMO_ACCOUNT, help="the account file the server serves offline")
    ap.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 1),
                    help="server processes at once (default: the cores, at least 2)")
    ap.add_argument("--one-shot", action="store_true",
                    help="send the managed policies through the one-shot CLI too, a process each (slow)")
    ap.add_argument("--json", action="store_true", help="print the totals (and each hand-made document's verdicts) as JSON")
    ap.add_argument("--details", action="store_true", help="print every finding's message under its document")
    args = ap.parse_args()

    binary = args.server
    if binary is None:
        release, debug = REPO / "target/release/iam-mcp-server", REPO / "target/debug/iam-mcp-server"
        binary = release if release.exists() else debug
    if not binary.exists():
        print(f"no server binary at {binary}: build it (cargo build --bin iam-mcp-server) or pass --server", file=sys.stderr)
        return 2
    started = time.monotonic()
    server = Server(binary, args.account_file)
    parliament = load_parliament()
    cases = load_cases(args.cases)
    managed_docs = json.loads(args.managed.read_text()) if args.managed else None

    managed_texts = {name: json.dumps(doc) for name, doc in (managed_docs or {}).items()}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        # The server works in the pool while Parliament (in-process) runs here.
        case_jobs = [(c, pool.submit(server.validate, c.text, c.kind)) for c in cases]
        if args.one_shot:
            managed_jobs = [pool.submit(lambda n=n, t=t: {n: server.validate(t, "identity")})
                            for n, t in managed_texts.items()]
        else:  # a share of the documents for each session
            items = [(n, t, "identity") for n, t in managed_texts.items()]
            managed_jobs = [pool.submit(server.validate_in_session, items[i :: args.jobs]) for i in range(args.jobs)]
        for c in cases:
            c.parliament = run_parliament(parliament, c.text)
        managed = {name: {"parliament": run_parliament(parliament, text)} for name, text in managed_texts.items()}
        for c, job in case_jobs:
            c.server = job.result()
        for job in managed_jobs:
            for name, verdict in job.result().items():
                managed[name]["server"] = verdict

    summary = summarize(cases, managed if managed_docs is not None else None)
    seconds = time.monotonic() - started
    summary["seconds"] = round(seconds, 1)
    summary["parliament_version"] = importlib.metadata.version("parliament")
    summary["server"] = str(binary.resolve().relative_to(REPO)) if binary.resolve().is_relative_to(REPO) else str(binary)
    if args.json:
        summary["documents"] = [
            {"file": c.file, "kind": c.kind, "expected": c.expected,
             "parliament": {"flagged": c.parliament.flagged, "error_level": c.parliament.error_level,
                            "issues": sorted({f.label for f in c.parliament.findings}), "failure": c.parliament.failure},
             "server": {"flagged": c.server.flagged, "error_level": c.server.error_level,
                        "issues": sorted({f.label for f in c.server.findings}), "failure": c.server.failure}}
            for c in cases
        ]
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return 0

    print(f"Parliament {summary['parliament_version']} and {summary['server']} validate_policy, side by side")
    print("P / S: Parliament / server. broken: ✓ flagged, ✗ not flagged. clean: ✓ nothing, ~ warnings only,"
          " ✗ error-level. ! the validator failed. E error, W warning, S suggestion (Parliament: E is MEDIUM and up);"
          " [i] identity, [t] trust.")
    print_table("BROKEN: one defect each; every one should be flagged",
                [c for c in cases if c.group == "broken"], mark_broken, args.details)
    print_table("CLEAN: correct policies; none should get an error",
                [c for c in cases if c.group == "clean"], mark_clean, args.details)
    print_totals(summary, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
