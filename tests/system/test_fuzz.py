"""schemathesis against /api/openapi.json of a running server: every endpoint (checker,
autocomplete, annotations with a signed-in session, CDS Hooks, FHIR), at least 1,000 generated
cases, 0 server errors and 0 responses that break the schema."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.system.conftest import make_user, sign_in


def test_fuzz_every_endpoint_without_server_errors(fixture_server):
    make_user(fixture_server.var, "fuzz@example.org", "fuzzing-pass-phrase-1")
    cookie, csrf = sign_in(fixture_server.url, "fuzz@example.org", "fuzzing-pass-phrase-1")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{fixture_server.url}/api/openapi.json",
            "--url",
            fixture_server.url,
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--max-examples",
            "60",
            "--seed",
            "20261121",
            "--no-color",
            "-H",
            f"Cookie: {cookie}",
            "-H",
            f"X-CSRFToken: {csrf}",
            "-H",
            f"Referer: {fixture_server.url}/",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    generated = re.search(r"(\d+) generated", output)
    assert generated, output[-3000:]
    assert result.returncode == 0, output[-5000:]
    assert int(generated.group(1)) >= 1000, output[-2000:]
    assert re.search(r"(\d+) generated, \1 passed", output), output[-3000:]
    print(re.search(r"\d+ generated[^\n]*", output).group(0))
