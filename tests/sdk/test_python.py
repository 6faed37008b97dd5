#!/usr/bin/env python3
"""The ``hq_vault`` Python package against a real daemon (a temp home, a real SQLite file, HTTPS on
loopback), installed with pip into a fresh virtual environment.

Run ``python3 tests/sdk/test_python.py``: it makes the venv, installs ``sdk/python`` into it with pip
(the pinned build backend comes from PyPI or pip's cache), runs these tests with the venv's Python,
removes the venv and prints ``hq_vault: N passed, N failed``.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(
    os.environ.get("HQ_VAULT_BIN")
    or Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target") / "release" / "hq-vault"
)
PASS = "sdk test passphrase"
MARK = "HQ_SDK_TEST_VENV"

# What the daemon holds (shared with node.test.mjs); no value may appear in an error or a repr.
FIXTURES = json.loads((Path(__file__).parent / "fixtures.json").read_text(encoding="utf-8"))
SECRETS = FIXTURES["secrets"]
BINARY = bytes.fromhex(FIXTURES["binary_hex"])
FILES = FIXTURES["files"]


def clean_env(**extra: str) -> dict:
    """This environment without any HQ Vault setting or extra CA of the caller's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HQ_VAULT_", "HQ_CONNECTION_")) and k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")
    }
    env.update(extra)
    return env


class Daemon:
    """``hq-vault serve`` on an ephemeral loopback port for a new home, unlocked."""

    def __init__(self, dir: Path) -> None:
        self.home = dir / "home"
        init(self.home)
        (self.home / "files").mkdir(parents=True, exist_ok=True)
        self.log = open(dir / "daemon.stderr", "ab")
        self.proc = subprocess.Popen(
            [str(BIN), "serve", "--listen", "127.0.0.1:0", "--files-root", str(self.home / "files")],
            env=clean_env(HQ_VAULT_HOME=str(self.home)),
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        line = self.proc.stdout.readline().decode()
        if "https://" not in line:
            self.proc.kill()
            raise RuntimeError(f"hq-vault serve did not start: {(dir / 'daemon.stderr').read_text()}")
        self.base = "https://" + line.split("https://")[1].split()[0]
        self.ca_file = self.home / "tls" / "ca.pem"
        self.ca = self.ca_file.read_text()
        self.cli("unlock", "--passphrase-stdin", input=PASS + "\n")

    def token(self) -> str:
        return (self.home / "token").read_text().strip()

    def run(self, *args: str, input: str | bytes | None = None, token: str | None = None):
        extra = {"HQ_VAULT_HOME": str(self.home), "HQ_VAULT_URL": self.base}
        if token:
            extra["HQ_VAULT_TOKEN"] = token
        data = input.encode() if isinstance(input, str) else input
        return subprocess.run([str(BIN), *args], env=clean_env(**extra), input=data, capture_output=True, timeout=120)

    def cli(self, *args: str, input: str | bytes | None = None, token: str | None = None) -> str:
        r = self.run(*args, input=input, token=token)
        if r.returncode != 0:
            raise RuntimeError(f"hq-vault {' '.join(args)} exited {r.returncode}: {r.stderr.decode()}")
        return r.stdout.decode()

    def store(self, path: str, value: str | bytes) -> None:
        self.cli("store", path, "--raw", input=value)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.log.close()


def init(home: Path) -> None:
    """``hq-vault init`` with cheap KDF settings (the KDF is not what these tests are about)."""
    subprocess.run(
        [str(BIN), "init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"],
        env=clean_env(HQ_VAULT_HOME=str(home)),
        input=(PASS + "\n").encode(),
        capture_output=True,
        check=True,
        timeout=120,
    )


TMP: Path
D: Daemon
hq_vault = None  # the installed package, imported in setUpModule


def setUpModule() -> None:
    global TMP, D, hq_vault
    import hq_vault as installed

    hq_vault = installed
    TMP = Path(tempfile.mkdtemp(prefix="hq-sdk-py-"))
    D = Daemon(TMP)
    for p, v in SECRETS.items():
        D.store(p, v)
    D.store("blob/data", BINARY)
    for k, v in FILES.items():
        f = D.home / "files" / k
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(v)
    (D.home / "files/knowledge/blob.bin").write_bytes(BINARY)
    (D.home / "files/private").mkdir()
    (D.home / "files/private/x.md").write_text("private")


def tearDownModule() -> None:
    D.stop()
    shutil.rmtree(TMP, ignore_errors=True)


def owner():
    return hq_vault.Vault(D.base, D.token(), D.ca)


def unknown_session() -> str:
    """A well-formed ``hqvs_`` session token no server issued: 32 random bytes and their CRC-32,
    base62 (the core's token format, tests/vectors/tokens.json)."""
    raw = os.urandom(32)
    n = int.from_bytes(raw + zlib.crc32(raw).to_bytes(4, "big"), "big")
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    body = ""
    for _ in range(49):
        n, r = divmod(n, 62)
        body = alphabet[r] + body
    return "hqvs_" + body


def agent(code: str, **env: str):
    """Run Python code with the venv's interpreter, as an agent would."""
    return subprocess.run(
        [sys.executable, "-c", code], env=clean_env(**env), capture_output=True, text=True, timeout=120
    )


class Base(unittest.TestCase):
    def assertClean(self, e: BaseException, *tokens: str) -> None:
        """No secret value or token in anything Python shows of an error."""
        shown = "\n".join([str(e), repr(e), repr(e.args), str(getattr(e, "message", ""))])
        for v in [*SECRETS.values(), *tokens]:
            self.assertNotIn(v, shown)
        self.assertNotIn("hqvt_", shown)
        self.assertNotIn("hqxc_", shown)

    def raises(self, cls, fn, *args, code=None, **kwargs):
        with self.assertRaises(cls) as cm:
            fn(*args, **kwargs)
        e = cm.exception
        self.assertIsInstance(e, hq_vault.VaultError)
        if code is not None:
            self.assertEqual(e.code, code, str(e))
        return e


class Package(Base):
    def test_installed_into_the_venv_with_no_dependency(self) -> None:
        from importlib import metadata

        self.assertTrue(Path(hq_vault.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()), hq_vault.__file__)
        self.assertNotEqual(Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), "not in a virtual environment")
        self.assertEqual(metadata.version("hq-vault"), hq_vault.__version__)
        self.assertFalse(metadata.requires("hq-vault"))
        self.assertTrue((Path(hq_vault.__file__).parent / "py.typed").exists())

    def test_standard_library_only(self) -> None:
        tree = ast.parse(Path(hq_vault.__file__).read_text())
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                modules.add((node.module or "").split(".")[0])
        self.assertTrue(modules)
        self.assertEqual({m for m in modules if m not in sys.stdlib_module_names and m != "__future__"}, set())

    def test_all_names_exist(self) -> None:
        for name in hq_vault.__all__:
            self.assertTrue(hasattr(hq_vault, name), name)


class Settings(Base):
    def test_only_hq_vault_home_the_homes_ca_and_token_file(self) -> None:
        r = agent(
            "import hq_vault; print(hq_vault.get_secret('myapp/database-url'))",
            HQ_VAULT_HOME=str(D.home),
            HQ_VAULT_URL=D.base,
        )
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, SECRETS["myapp/database-url"] + "\n")

    def test_home_alone_the_default_home(self) -> None:
        user = TMP / "user"
        user.mkdir(exist_ok=True)
        link = user / ".hq-vault"
        if not link.exists():
            link.symlink_to(D.home)
        r = agent("import hq_vault; print(hq_vault.get_secret('myapp/api-key'))", HOME=str(user), HQ_VAULT_URL=D.base)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), SECRETS["myapp/api-key"])

    def test_a_set_but_empty_token_is_refused_not_replaced_by_the_owners_file(self) -> None:
        for blank in ["", "  ", "\n"]:
            env = {"HQ_VAULT_HOME": str(D.home), "HQ_VAULT_URL": D.base, "HQ_VAULT_TOKEN": blank}
            r = agent("import hq_vault; print(hq_vault.get_secret('aws/deploy/access-key'))", **env)
            self.assertNotEqual(r.returncode, 0, repr(blank))
            self.assertIn("hq_vault.UnauthorizedError: HQ_VAULT_TOKEN is set but empty", r.stderr)
            self.assertNotIn(SECRETS["aws/deploy/access-key"], r.stdout)
            e = self.raises(hq_vault.UnauthorizedError, hq_vault.Vault.from_env(env).get_secret, "aws/deploy/access-key")
            self.assertEqual(e.code, "empty_token")

    def test_hq_vault_token_wins_over_the_token_file(self) -> None:
        worker = owner().create_token("py-settings-worker", prefix="myapp")
        # The minted value is read through `.token` only: no generic dump of the result shows it.
        self.assertNotIn(worker.token, repr(worker) + str(getattr(worker, "__dict__", "")) + str(dir(worker)))
        env = {"HQ_VAULT_HOME": str(D.home), "HQ_VAULT_URL": D.base, "HQ_VAULT_TOKEN": worker.token}
        ok = agent("import hq_vault; print(hq_vault.get_secret('myapp/api-key'))", **env)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertEqual(ok.stdout.strip(), SECRETS["myapp/api-key"])
        scoped = agent("import hq_vault; hq_vault.get_secret('aws/deploy/access-key')", **env)
        self.assertNotEqual(scoped.returncode, 0)
        self.assertIn("hq_vault.ForbiddenError: aws/deploy/access-key: the path is outside this token's prefix scope: ask the vault owner", scoped.stderr)
        self.assertNotIn(worker.token, scoped.stderr)

    def test_no_vault_home_is_not_running(self) -> None:
        e = self.raises(hq_vault.NotRunningError, hq_vault.Vault.from_env, {"HQ_VAULT_HOME": str(TMP / "none")})
        self.assertIn("start it with `hq-vault serve`", str(e))

    def test_an_address_that_is_no_servers_origin_says_what_is_wrong(self) -> None:
        for url, words in [
            ("127.0.0.1:13100", "has no https:// in front: it should look like https://127.0.0.1:13100"),
            ("localhost:13100", "has no https:// in front"),
            ("https://127.0.0.1:13100/v1", "ends in /v1: give the server's origin only (https://127.0.0.1:13100)"),
            ("https://127.0.0.1:port", "is not the address of a server"),
            ("http://127.0.0.1:13100", "uses http://, but the daemon speaks only HTTPS: use https://127.0.0.1:13100"),
            ("https://127.0.0.1:13100/?x=1", "has a query or fragment after the host and port: give only https://127.0.0.1:13100"),
            ("https://127.0.0.1:13100#top", "has a query or fragment"),
            ("https://127.0.0.1:13100?", "has a query or fragment"),
            ("https://me:pw@127.0.0.1:13100", "holds a user name or password"),
            ("http://me:S3CRETPW@127.0.0.1:13100", "holds a user name or password: give only http://127.0.0.1:13100"),
            ("https://me:S3CRETPW@127.0.0.1:abc", "is not the address of a server"),
            ("https://127.0.0.1:13100?token=hqvt_S3CRETPW", "has a query or fragment"),
            ("https://127.0.0.1:13100/api", "has `/api` after the host and port: give only https://127.0.0.1:13100"),
        ]:
            e = self.raises(hq_vault.VaultError, hq_vault.Vault, url, "t", code="bad_url")
            self.assertIn(words, str(e))
            # A refused address is named without the credentials or query it holds.
            self.assertNotIn("S3CRETPW", str(e))
        # A token given where the address or the CA belongs is never repeated.
        tok = "hqvt_S3CRETPWabcdefghijklmnopqrstuvwxyz012345"
        for url in [tok, f"https://127.0.0.1:13100/{tok}", f"https://127.0.0.1:{tok}", f"https://{tok}"]:
            try:
                hq_vault.Vault(url, "t").get_secret("a/b")
                self.fail(url)
            except hq_vault.VaultError as e:
                self.assertNotIn("s3cretpw", (str(e) + repr(e)).lower(), url)
        e = self.raises(hq_vault.VaultError, hq_vault.Vault, D.base, "t", tok)
        self.assertNotIn("S3CRETPW", str(e))
        # `ca` may be the CA file's path (what HQ_VAULT_CA_CERT holds) as well as its PEM text.
        self.assertEqual(hq_vault.Vault(D.base, D.token(), str(D.ca_file)).get_secret("myapp/api-key"), SECRETS["myapp/api-key"])
        # Spaces around an address are dropped, as the CLI drops them.
        self.assertEqual(hq_vault.Vault(" https://127.0.0.1:13100 ", "t").url, "https://127.0.0.1:13100")
        # A token or key read with its newline, or holding one, is refused without being repeated.
        for bad in ["hqvt_S3CRETPW\n", "hqvt_AB\nCD", "hqvt_AB CD"]:
            e = self.raises(hq_vault.UnauthorizedError, hq_vault.Vault, "https://127.0.0.1:13100", bad, code="malformed_credentials")
            self.assertNotIn("S3CRETPW", str(e) + repr(e))
            e = self.raises(hq_vault.UnauthorizedError, hq_vault.Connection, "https://127.0.0.1:13100", bad)
            self.assertNotIn("S3CRETPW", str(e) + repr(e))
        # A local Worker speaks HTTP: a Connection takes http://, a Vault does not.
        self.assertEqual(hq_vault.Connection("http://127.0.0.1:8787", "k").url, "http://127.0.0.1:8787")
        self.raises(hq_vault.VaultError, hq_vault.Connection, "http://127.0.0.1:8787?x=1", "k", code="bad_url")

    def test_without_a_url_the_homes_daemon_is_found_where_serve_lock_says(self) -> None:
        self.assertFalse(D.base.endswith(":13100"), D.base)
        vault = hq_vault.Vault.from_env({"HQ_VAULT_HOME": str(D.home), "HQ_VAULT_TOKEN": D.token()})
        self.assertEqual(vault.get_secret("myapp/api-key"), SECRETS["myapp/api-key"])

    def test_a_url_with_no_local_home_trusts_the_system_roots(self) -> None:
        vault = hq_vault.Vault.from_env({"HQ_VAULT_HOME": str(TMP / "none"), "HQ_VAULT_URL": D.base, "HQ_VAULT_TOKEN": "hqvs_x"})
        # The local daemon's CA is not among the system's roots: the handshake fails, and says how to trust it.
        e = self.raises(hq_vault.VaultError, vault.get_secret, "myapp/api-key", code="untrusted_certificate")
        self.assertIn("set HQ_VAULT_CA_CERT to the server's CA certificate", str(e))
        self.assertNotIn("no vault at", str(e))

    def test_a_ca_that_did_not_sign_the_daemon(self) -> None:
        e = self.raises(
            hq_vault.VaultError,
            hq_vault.Vault(D.base, D.token()).get_secret,
            "myapp/api-key",
            code="untrusted_certificate",
        )
        self.assertIn("tls/ca.pem", str(e))
        other = TMP / "other-home"
        if not other.exists():
            init(other)
        v = hq_vault.Vault.from_env(
            {"HQ_VAULT_HOME": str(D.home), "HQ_VAULT_URL": D.base, "HQ_VAULT_CA_CERT": str(other / "tls/ca.pem")}
        )
        wrong = self.raises(hq_vault.VaultError, v.get_secret, "myapp/api-key", code="untrusted_certificate")
        self.assertIn("set HQ_VAULT_CA_CERT", str(wrong))
        self.assertClean(wrong, D.token())
        missing = self.raises(
            hq_vault.VaultError,
            hq_vault.Vault.from_env,
            {"HQ_VAULT_HOME": str(D.home), "HQ_VAULT_CA_CERT": str(TMP / "no-such-ca.pem")},
        )
        self.assertIn("check HQ_VAULT_CA_CERT", str(missing))


class Values(Base):
    def test_text_unicode_and_multi_line_exactly(self) -> None:
        v = owner()
        for p in ("myapp/database-url", "myapp/unicode", "myapp/pem"):
            self.assertEqual(v.get_secret(p), SECRETS[p])
            self.assertEqual(v.get_secret_bytes(p), SECRETS[p].encode())

    def test_binary_bytes_and_a_refusal_that_shows_nothing(self) -> None:
        v = owner()
        self.assertEqual(v.get_secret_bytes("blob/data"), BINARY)
        e = self.raises(hq_vault.VaultError, v.get_secret, "blob/data", code="binary")
        self.assertIn("blob/data is binary (6 bytes)", str(e))
        self.assertIn("get_secret_bytes", str(e))

    def test_list_is_metadata_of_one_folder(self) -> None:
        for prefix in ("myapp", "myapp/"):
            listed = owner().list(prefix)
            self.assertEqual(listed["prefix"], "myapp/")
            self.assertEqual(
                sorted(s["path"] for s in listed["secrets"]), sorted(p for p in SECRETS if p.startswith("myapp/"))
            )
            shown = json.dumps(listed)
            for value in SECRETS.values():
                self.assertNotIn(value, shown)


class Errors(Base):
    def test_not_found_names_the_path(self) -> None:
        e = self.raises(hq_vault.NotFoundError, owner().get_secret, "myapp/missing", code="not_found")
        self.assertEqual(e.status, 404)
        self.assertTrue(str(e).startswith("myapp/missing: no secret at this path"))
        self.assertTrue(e.request_id.startswith("req_"))
        self.assertClean(e, D.token())

    def test_unauthorized_wrong_none_exhausted_revoked(self) -> None:
        wrong = self.raises(
            hq_vault.UnauthorizedError, hq_vault.Vault(D.base, "hqvt_wrong", D.ca).get_secret, "myapp/api-key"
        )
        self.assertEqual(wrong.status, 401)
        self.assertIn("HQ_VAULT_TOKEN", str(wrong))
        self.assertClean(wrong, "hqvt_wrong")
        none = self.raises(
            hq_vault.UnauthorizedError, hq_vault.Vault(D.base, None, D.ca).get_secret, "myapp/api-key", code="no_token"
        )
        self.assertIn("set HQ_VAULT_TOKEN", str(none))
        once = owner().create_token("py-once", max_uses=1)
        v = hq_vault.Vault(D.base, once.token, D.ca)
        self.assertEqual(v.get_secret("myapp/api-key"), SECRETS["myapp/api-key"])
        spent = self.raises(hq_vault.UnauthorizedError, v.get_secret, "myapp/api-key", code="token_exhausted")
        self.assertIn("no uses left", str(spent))
        self.assertClean(spent, once.token)
        gone = owner().create_token("py-gone")
        D.cli("token", "revoke", "py-gone")
        revoked = self.raises(
            hq_vault.UnauthorizedError,
            hq_vault.Vault(D.base, gone.token, D.ca).get_secret,
            "myapp/api-key",
            code="token_revoked",
        )
        self.assertClean(revoked, gone.token)

    def test_forbidden_scope_and_owner_only(self) -> None:
        scoped = owner().create_token("py-scoped", prefix=["aws"])
        v = hq_vault.Vault(D.base, scoped.token, D.ca)
        self.assertEqual(v.get_secret("aws/deploy/access-key"), SECRETS["aws/deploy/access-key"])
        out = self.raises(hq_vault.ForbiddenError, v.get_secret, "myapp/api-key", code="out_of_scope")
        self.assertEqual(out.status, 403)
        self.assertClean(out, scoped.token)
        mint = self.raises(hq_vault.ForbiddenError, v.create_token, "py-escalate", code="owner_only")
        self.assertClean(mint, scoped.token)

    def test_locked_says_to_unlock(self) -> None:
        D.cli("lock")
        try:
            e = self.raises(hq_vault.LockedError, owner().get_secret, "myapp/api-key", code="locked")
            self.assertEqual(e.status, 423)
            self.assertIn("run `hq-vault unlock`", str(e))
            self.raises(hq_vault.LockedError, owner().get_env, "myapp")
        finally:
            D.cli("unlock", "--passphrase-stdin", input=PASS + "\n")
        self.assertEqual(owner().get_secret("myapp/api-key"), SECRETS["myapp/api-key"])

    def test_not_running_when_nothing_listens(self) -> None:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        e = self.raises(
            hq_vault.NotRunningError,
            hq_vault.Vault(f"https://127.0.0.1:{port}", D.token(), D.ca).get_secret,
            "myapp/api-key",
            code="not_running",
        )
        self.assertIn("start it with `hq-vault serve`", str(e))
        self.assertClean(e, D.token())

    def test_paths_are_sent_as_given(self) -> None:
        for p in ("../tokens", "a/../../v1/tokens", "./x"):
            e = self.raises(hq_vault.VaultError, owner().get_secret, p, code="bad_path")
            self.assertEqual(e.status, 400, p)
        self.raises(hq_vault.NotFoundError, owner().get_secret, "%2E%2E/tokens", code="not_found")


class GetEnv(Base):
    def env_file(self, prefix: str):
        r = D.run("env-file", prefix, "--format", "json")
        return json.loads(r.stdout) if r.returncode == 0 else None

    def test_the_names_and_values_of_env_file_on_the_same_secrets(self) -> None:
        cli = self.env_file("myapp/")
        self.assertIsNotNone(cli)
        for prefix in ("myapp", "myapp/"):
            env = owner().get_env(prefix)
            self.assertEqual(env, cli)
            self.assertEqual(list(env), sorted(env))
        self.assertEqual(sorted(cli), FIXTURES["env_names_of_myapp"])

    def test_top_level_get_env_with_a_managed_token(self) -> None:
        token = D.cli("token", "create", "--name", "py-env-worker", "--prefix", "myapp").strip()
        r = agent(
            "import hq_vault, json; print(json.dumps(hq_vault.get_env('myapp')))",
            HQ_VAULT_HOME=str(D.home),
            HQ_VAULT_URL=D.base,
            HQ_VAULT_TOKEN=token,
        )
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), self.env_file("myapp"))

    def test_refused_where_env_file_refuses(self) -> None:
        D.store("pyclash/a-b", "one")
        D.store("pyclash/a_b", "two")
        D.store("pynul/x", b"a\x00b")
        D.store("pybin/x", bytes(b for b in BINARY if b))
        for prefix, cls, text in [
            ("pyempty", hq_vault.NotFoundError, "no secrets under `pyempty/`"),
            ("pyclash", hq_vault.VaultError, "two secrets under pyclash/ map to the variable A_B"),
            ("pynul", hq_vault.VaultError, "pynul/x holds a NUL byte"),
            ("pybin", hq_vault.VaultError, "X is binary"),
        ]:
            e = self.raises(cls, owner().get_env, prefix)
            self.assertIn(text, str(e))
            self.assertIsNone(self.env_file(prefix), f"env-file {prefix} should fail too")
            self.assertClean(e)

    def test_env_name(self) -> None:
        self.assertEqual(hq_vault.env_name("myapp/", "myapp/database-url"), "DATABASE_URL")
        self.assertEqual(hq_vault.env_name("", "1key"), "_1KEY")
        self.assertEqual(hq_vault.env_name("a/", "a/"), "_")
        self.assertEqual(hq_vault.env_name("x/", "y/z"), "Y_Z")


class CreateToken(Base):
    def test_a_scoped_token_whose_value_repr_hides(self) -> None:
        before = time.time() * 1000
        t = owner().create_token("py-deploy-run-7", ttl="1h", max_uses=2, prefix="aws")
        self.assertEqual((t.name, t.max_uses, t.scope), ("py-deploy-run-7", 2, ["aws/*"]))
        self.assertTrue(before + 3_600_000 - 5_000 <= t.expires_at_ms <= time.time() * 1000 + 3_600_000 + 5_000)
        self.assertTrue(t.token.startswith("hqvt_"))
        self.assertNotIn(t.token, repr(t))
        self.assertNotIn(t.token, str(t))
        v = hq_vault.Vault(D.base, t.token, D.ca)
        for _ in range(2):
            self.assertEqual(v.get_secret("aws/deploy/access-key"), SECRETS["aws/deploy/access-key"])
        self.raises(hq_vault.UnauthorizedError, v.get_secret, "aws/deploy/access-key", code="token_exhausted")
        line = next(l for l in D.cli("token", "list").splitlines() if l.startswith("py-deploy-run-7\t"))
        self.assertIn("\tuses 2/2\t", line)

    def test_refused_names(self) -> None:
        bad = self.raises(hq_vault.VaultError, owner().create_token, "Bad Name", code="bad_name")
        self.assertEqual(bad.status, 400)
        owner().create_token("py-taken")
        taken = self.raises(hq_vault.VaultError, owner().create_token, "py-taken", code="name_taken")
        self.assertEqual(taken.status, 409)

    def test_top_level_create_token_uses_the_owner_token_from_the_home(self) -> None:
        r = agent(
            "import hq_vault, json; t = hq_vault.create_token('py-top-level', max_uses=1, prefix=['myapp/']);"
            " print(json.dumps([t.name, t.expires_at_ms, t.max_uses, t.scope, t.token.startswith('hqvt_')]))",
            HQ_VAULT_HOME=str(D.home),
            HQ_VAULT_URL=D.base,
        )
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), ["py-top-level", None, 1, ["myapp/*"], True])


class ConnectionReader(Base):
    key: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.key = D.cli("connection", "create", "--name", "py-reader", "--pattern", "knowledge/").strip()

    def test_list_pages_and_every_key_reads_back(self) -> None:
        c = hq_vault.Connection(D.base, self.key, D.ca, page_size=2)
        listed = c.list("knowledge/")
        self.assertEqual(sorted(o["key"] for o in listed), sorted([*FILES, "knowledge/blob.bin"]))
        for k, v in FILES.items():
            self.assertEqual(c.get(k), v.encode())
            self.assertEqual(c.get(k, encoding="utf-8"), v)
        self.assertEqual(c.get("knowledge/blob.bin"), BINARY)
        e = self.raises(hq_vault.VaultError, c.get, "knowledge/blob.bin", encoding="utf-8", code="binary")
        self.assertIn("call get(key) for its bytes", str(e))

    def test_refusals_are_typed(self) -> None:
        c = hq_vault.Connection(D.base, self.key, D.ca)
        out = self.raises(hq_vault.ForbiddenError, c.get, "private/x.md")
        self.assertIn("outside the connection's patterns", str(out))
        self.raises(hq_vault.ForbiddenError, c.list, "private/")
        self.raises(hq_vault.NotFoundError, c.get, "knowledge/missing.md", code="not_found")
        bad = self.raises(hq_vault.UnauthorizedError, hq_vault.Connection(D.base, "hqxc_bad", D.ca).list, "knowledge/")
        self.assertIn("HQ_CONNECTION_KEY", str(bad))
        self.assertClean(bad, self.key, "hqxc_bad")

    def test_from_env(self) -> None:
        env = {"HQ_CONNECTION_URL": D.base, "HQ_CONNECTION_KEY": self.key, "HQ_CONNECTION_CA_CERT": str(D.ca_file)}
        self.assertEqual(hq_vault.Connection.from_env(env).get("knowledge/a.md", encoding="utf-8"), "alpha")
        e = self.raises(hq_vault.VaultError, hq_vault.Connection.from_env, {"HQ_CONNECTION_URL": D.base})
        self.assertIn("HQ_CONNECTION_KEY is not set", str(e))
        # The local daemon's connection: the home's CA is trusted by itself, as by Vault.from_env().
        local = hq_vault.Connection.from_env({"HQ_CONNECTION_URL": D.base, "HQ_CONNECTION_KEY": self.key, "HQ_VAULT_HOME": str(D.home)})
        self.assertEqual(local.get("knowledge/a.md", encoding="utf-8"), "alpha")
        untrusted = hq_vault.Connection.from_env(
            {"HQ_CONNECTION_URL": D.base, "HQ_CONNECTION_KEY": self.key, "HQ_VAULT_HOME": str(TMP / "none")}
        )
        e = self.raises(hq_vault.VaultError, untrusted.list, "knowledge/", code="untrusted_certificate")
        self.assertIn("HQ_CONNECTION_CA_CERT", str(e))


class NetworkMode(Base):
    def test_an_agent_home_with_a_login_session_reads_its_scoped_secret(self):
        homes = {"alice": TMP / "alice", "bot": TMP / "bot"}

        def as_(who: str, *args: str) -> str:
            env = {"HQ_VAULT_HOME": str(homes[who]), "HQ_VAULT_URL": D.base, "HQ_VAULT_CA_CERT": str(D.ca_file)}
            r = subprocess.run([str(BIN), *args], env=clean_env(**env), capture_output=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr.decode())
            return r.stdout.decode().strip()

        D.store("org/pyorg/project/app/db/password", "network-python-secret")
        as_("alice", "identity", "create", "--name", "alice-py", "--type", "human")
        D.cli("org", "create", "pyorg", "--admin", "alice-py")
        as_("alice", "login", "--identity", "alice-py")
        as_("alice", "project", "create", "--org", "pyorg", "app")
        as_("bot", "identity", "create", "--name", "py-bot", "--type", "agent")
        as_("bot", "login", "--identity", "py-bot")
        request = as_("bot", "access-requests", "create", "--org", "pyorg", "--project", "app", "--role", "readonly",
                      "--justification", "reads")
        as_("alice", "access-requests", "approve", request)
        env = {"HQ_VAULT_HOME": str(homes["bot"]), "HQ_VAULT_URL": D.base, "HQ_VAULT_CA_CERT": str(D.ca_file)}
        r = agent("import hq_vault, sys; sys.stdout.write(hq_vault.get_secret('org/pyorg/project/app/db/password'))", **env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "network-python-secret")
        r = agent("import hq_vault, sys\ntry:\n    hq_vault.get_secret('blob/data')\nexcept hq_vault.VaultError as e:\n"
                  "    sys.stdout.write(e.code)", **env)
        self.assertEqual(r.stdout, "forbidden", r.stderr)

        # The cached session is renewed by `hq-vault login` (HQ_VAULT_BIN), the identity's key never
        # read by the package: once it has expired by its own clock, and once the server no longer
        # knows it (a 401), each before the read that needed it.
        session_file = homes["bot"] / "session.json"

        def cached() -> dict:
            return json.loads(session_file.read_text(encoding="utf-8"))

        read = "import hq_vault, sys; sys.stdout.write(hq_vault.get_secret('org/pyorg/project/app/db/password'))"
        renewing = {**env, "HQ_VAULT_BIN": str(BIN)}
        first = cached()
        session_file.write_text(json.dumps({**first, "expires_at_ms": int(time.time() * 1000) - 1000}))
        r = agent(read, **renewing)
        self.assertEqual(r.stdout, "network-python-secret", r.stderr)
        second = cached()
        self.assertNotEqual(second["token"], first["token"], "an expired session was renewed before the read")
        self.assertGreater(second["expires_at_ms"], time.time() * 1000 + 30 * 60_000)
        unknown = unknown_session()
        session_file.write_text(json.dumps({**second, "token": unknown}))
        r = agent(read, **renewing)
        self.assertEqual(r.stdout, "network-python-secret", r.stderr)
        self.assertNotIn(cached()["token"], (unknown, second["token"]), "a session the server refused was renewed")
        # A revoked identity cannot log in again: the read fails with the reason, and no token.
        D.cli("identity", "revoke", "py-bot")
        session_file.write_text(json.dumps({**cached(), "expires_at_ms": 0}))
        r = agent("import hq_vault, sys, json\ntry:\n    hq_vault.get_secret('org/pyorg/project/app/db/password')\n"
                  "except hq_vault.VaultError as e:\n    sys.stdout.write(json.dumps({'code': e.code, 'message': str(e)}))",
                  **renewing)
        failed = json.loads(r.stdout or "{}")
        self.assertEqual(failed.get("code"), "session_renewal_failed", r.stderr)
        self.assertRegex(failed["message"], "py-bot.*could not be renewed")
        self.assertNotIn("hqvs_", failed["message"])
        # Without the CLI the package says how to point at it.
        r = agent("import hq_vault, sys\ntry:\n    hq_vault.get_secret('x')\nexcept hq_vault.VaultError as e:\n"
                  "    sys.stdout.write(str(e))", **{**env, "HQ_VAULT_BIN": str(TMP / "no-such-hq-vault")})
        self.assertIn("HQ_VAULT_BIN", r.stdout, r.stderr)


def in_fresh_venv() -> int:
    """Make a venv, pip-install sdk/python into it, run this file there; returns its exit code."""
    venv = Path(tempfile.mkdtemp(prefix="hq-sdk-venv-"))
    try:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        python = venv / "bin" / "python"
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--disable-pip-version-check"]
            + [str(ROOT / "sdk" / "python")],
            check=True,
        )
        return subprocess.run([str(python), __file__, *sys.argv[1:]], env={**os.environ, MARK: str(venv)}).returncode
    finally:
        shutil.rmtree(venv, ignore_errors=True)


def main() -> int:
    if os.environ.get(MARK) != sys.prefix:
        return in_fresh_venv()
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    print(f"hq_vault: {result.testsRun - failed - len(result.skipped)} passed, {failed} failed")
    return 0 if failed == 0 and not result.skipped and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
