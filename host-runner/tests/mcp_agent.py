"""An agent for tests/mcp.rs: a real MCP client (PyPI `mcp`, pinned in scripts/setup) that starts
`hq-vault mcp` over stdio, lists its tools, makes the calls a scenario file lists, and acts as the
person where one is needed (submits the one-time page, types at the terminal). It asserts nothing:
it writes everything it saw to a transcript that the Rust test checks.

    python3 mcp_agent.py SCENARIO.json TRANSCRIPT.json

Scenario: {"command": BIN, "args": [...], "env": {...}, "stderr": PATH,
           "session": "none" | "tty" (start the server in a new session, without or with a
           controlling terminal that this script types at), "steps": [...]}
Steps: {"call": TOOL, "args": {...}}
       {"call": TOOL, "args": {...}, "type": VALUE}   the person types VALUE at the terminal prompt
       {"post": STEP, "value": VALUE}                 the person submits the page whose link step STEP returned
"""

import os
import sys


def launch(argv):
    """`--launch TTY PROGRAM ARGS…`: a new session, with TTY (if not empty) as its controlling
    terminal, then PROGRAM. Standard input and output stay the MCP pipes."""
    tty, program, args = argv[0], argv[1], argv[2:]
    if os.getsid(0) != os.getpid():  # the client may have started it in a session of its own
        os.setsid()
    if tty:
        os.close(os.open(tty, os.O_RDWR))  # the first terminal a session leader opens becomes its own
    os.execv(program, [program] + args)


if __name__ == "__main__" and sys.argv[1] == "--launch":
    launch(sys.argv[2:])

import asyncio  # noqa: E402 (the launcher above needs none of these)
import json  # noqa: E402
import re  # noqa: E402
import ssl  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

from mcp import ClientSession, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402


def dump(result):
    return result.model_dump(mode="json", by_alias=True, exclude_none=True)


def post_page(text, value, ca):
    """What the person does on the page: submit the form, from the page's own origin."""
    m = re.search(r"https://127\.0\.0\.1:\d+/ingest/[0-9a-f]{64}", text)
    if not m:
        return {"error": "no page link in the answer"}
    url = m.group(0)
    origin = url.split("/ingest/")[0]
    ctx = ssl.create_default_context(cafile=ca)
    body = urllib.parse.urlencode({"value": value}).encode()
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Origin": origin, "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
            return {"status": r.status, "body": r.read().decode()}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "body": e.read().decode()}
    except OSError as e:  # the page is gone: nothing listens any more
        return {"error": repr(e)}


class Person:
    """Types at the terminal: waits for the hidden prompt on the pty, then types a value."""

    def __init__(self, master):
        self.master = master
        self.seen = b""
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.seen += chunk

    def type_when_asked(self, value):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self.lock:
                if b"(hidden): " in self.seen:
                    break
            time.sleep(0.05)
        os.write(self.master, value.encode() + b"\n")


async def main(scenario, out_path):
    args = scenario["args"]
    command = scenario["command"]
    person = None
    if scenario.get("session") in ("none", "tty"):
        tty = ""
        if scenario["session"] == "tty":
            master, slave = os.openpty()
            tty = os.ttyname(slave)
            person = Person(master)
        args = [os.path.abspath(__file__), "--launch", tty, command] + args
        command = sys.executable
    params = StdioServerParameters(command=command, args=args, env=scenario["env"], cwd=scenario.get("cwd"))
    ca = os.path.join(scenario["env"]["HQ_VAULT_HOME"], "tls", "ca.pem")
    transcript = {"steps": []}
    with open(scenario["stderr"], "a") as errlog:  # appended to by every writer, none overwrites another
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                transcript["initialize"] = dump(init)
                transcript["tools"] = dump(await session.list_tools())
                for step in scenario["steps"]:
                    if "post" in step:
                        answer = transcript["steps"][step["post"]]
                        text = "\n".join(c.get("text", "") for c in answer.get("content", []))
                        transcript["steps"].append({"post": await asyncio.to_thread(post_page, text, step["value"], ca)})
                        continue
                    if "type" in step:
                        threading.Thread(target=person.type_when_asked, args=(step["type"],), daemon=True).start()
                    started = time.monotonic()
                    try:
                        result = dump(await session.call_tool(step["call"], step["args"], read_timeout_seconds=300))
                    except Exception as e:  # a protocol error is part of what the test checks
                        result = {"exception": repr(e)}
                    result["seconds"] = time.monotonic() - started
                    transcript["steps"].append(result)
    if person is not None:
        time.sleep(0.2)
        with person.lock:
            transcript["terminal"] = person.seen.decode(errors="replace")
    with open(out_path, "w") as f:
        json.dump(transcript, f, indent=1)


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        asyncio.run(main(json.load(f), sys.argv[2]))
