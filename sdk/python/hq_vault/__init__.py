"""Secrets from the local HQ Vault daemon, and company files through an External Connection.

Standard library only. The daemon's own CA (``$HQ_VAULT_HOME/tls/ca.pem``) is trusted through an
``ssl`` context made for it, so nothing has to be added to the system's trust store
(docs/design.md §6)::

    from hq_vault import get_secret, get_env
    key = get_secret("aws/deploy/access-key")   # HQ_VAULT_TOKEN, else the home's token file
    env = get_env("myapp")                      # {"DATABASE_URL": ...}, as `hq-vault env-file` names them

Secrets in Python are ``str`` and ``bytes`` that cannot be wiped reliably: this package never logs a
value or a token and never puts one in an error or a ``repr``.
"""

from __future__ import annotations

import base64
import errno
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import time
import urllib.parse
import weakref
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Union

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_URL",
    "VaultError",
    "LockedError",
    "NotFoundError",
    "ForbiddenError",
    "UnauthorizedError",
    "NotRunningError",
    "Vault",
    "Connection",
    "CreatedToken",
    "default_home",
    "env_name",
    "get_secret",
    "get_secret_bytes",
    "get_env",
    "create_token",
]

def _served_at(home: "Path") -> Optional[str]:
    """Where the home's daemon said it listens: ``hq-vault serve`` writes its origin to
    ``serve.lock`` at every start; an address of every interface is reached on loopback. ``None``
    when absent."""
    try:
        text = (home / "serve.lock").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not re.fullmatch(r"https://[^/\s]+", text):
        return None
    return text.replace("https://0.0.0.0:", "https://127.0.0.1:").replace("https://[::]:", "https://[::1]:")


#: Where the daemon listens unless HQ_VAULT_URL says otherwise.
DEFAULT_URL = "https://127.0.0.1:13100"

_EMPTY_TOKEN = (
    "HQ_VAULT_TOKEN is set but empty: the token meant for this process did not arrive (did minting it fail?). "
    "The home's token file (the owner's token) is not used in its place: pass the token, or unset HQ_VAULT_TOKEN "
    "to use the token file"
)

#: Seconds an answer may take before the request is abandoned.
REQUEST_TIMEOUT = 120.0

# ------------------------------------------------------------------------------------------------
# Errors (docs/design.md §6: the daemon's status decides the class; messages say what to do)


class VaultError(Exception):
    """Every error this package raises. ``status`` is the HTTP status (or None), ``code`` the
    daemon's error code or this package's own (``binary``, ``not_running``, ...), ``request_id``
    the daemon's. Never holds a secret value or a credential."""

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id


class LockedError(VaultError):
    """423: the vault is locked; a person runs ``hq-vault unlock``."""


class NotFoundError(VaultError):
    """404: no secret at that path, no object at that key, or an empty folder."""


class ForbiddenError(VaultError):
    """403: outside the token's or the connection's scope, or an owner-only operation."""


class UnauthorizedError(VaultError):
    """401: no token, a malformed one, or one that expired, ran out of uses or was revoked."""


class NotRunningError(VaultError):
    """Nothing answers at the URL, or there is no vault home: start it with ``hq-vault serve``."""


_CLASSES = {401: UnauthorizedError, 403: ForbiddenError, 404: NotFoundError, 423: LockedError}

#: 401 codes whose message already names the cause and the next step: no token hint is added.
# 401 codes after which a cached session is renewed once.
_RENEWABLE = {"session_expired", "invalid_token"}
_SELF_EXPLAINED = {"token_expired", "token_exhausted", "token_revoked", "wrong_passphrase", "session_expired"}
#: What to do about a 401 from the daemon (the Rust client's words).
_VAULT_HINTS = {
    401: "check HQ_VAULT_TOKEN or the token file; the daemon writes a new bootstrap token at each start",
}
#: What to do about a connection's 401 and 403.
_CONNECTION_HINTS = {
    401: "check HQ_CONNECTION_KEY: the key `connection create` printed once, or its rotated successor",
    403: "outside the connection's patterns, or its key was rotated or revoked",
}


def _answer_error(status: int, body: bytes, what: Optional[str], hints: Mapping[int, str]) -> VaultError:
    """The error an answer with a non-2xx status stands for: the status picks the class, the
    daemon's message follows ``what`` (a path or key, never a value), ``hints[status]`` says what
    to do."""
    code = message = request_id = None
    try:
        err = json.loads(body.decode("utf-8"))["error"]
        code = err.get("code") if isinstance(err.get("code"), str) else None
        message = err.get("message") if isinstance(err.get("message"), str) else None
        request_id = err.get("request_id") if isinstance(err.get("request_id"), str) else None
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    if status == 423:
        message = "the vault is locked: run `hq-vault unlock`"
    if message is None:
        message = f"the server answered {status}"
    text = f"{what}: {message}" if what else message
    if status in hints and not (status == 401 and code in _SELF_EXPLAINED):
        text += f" ({hints[status]})"
    cls = _CLASSES.get(status, VaultError)
    return cls(text, status=status, code=code, request_id=request_id)


def _transport_error(base: str, e: BaseException, ca_hint: str) -> VaultError:
    if isinstance(e, ConnectionRefusedError):
        return NotRunningError(
            f"the daemon is not running at {base}: start it with `hq-vault serve`", code="not_running"
        )
    if isinstance(e, ssl.SSLCertVerificationError):
        return VaultError(
            f"the certificate of {base} is not trusted ({e.verify_message}): {ca_hint}",
            code="untrusted_certificate",
        )
    if isinstance(e, (TimeoutError, socket.timeout)):
        return VaultError(f"no answer from {base} within {REQUEST_TIMEOUT:g} s", code="timeout")
    if isinstance(e, socket.gaierror) or getattr(e, "errno", None) in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return NotRunningError(
            f"cannot reach {base} ({e.__class__.__name__}): start the daemon with `hq-vault serve`, or check the URL",
            code="unreachable",
        )
    if base.startswith("http://") and isinstance(e, (http.client.HTTPException, ConnectionResetError)):
        return VaultError(
            f"{base} did not answer in HTTP: a server that speaks only HTTPS? use {base.replace('http://', 'https://', 1)}",
            code="transport",
        )
    return VaultError(f"talking to {base}: {e or e.__class__.__name__}", code="transport")


# ------------------------------------------------------------------------------------------------
# HTTP


def _is_local_https(url: str) -> bool:
    """Whether ``url`` is https on a loopback address (the local daemon)."""
    try:
        u = urllib.parse.urlsplit(url.strip())
    except ValueError:
        return False
    return u.scheme == "https" and u.hostname in ("127.0.0.1", "localhost", "::1")


class _Endpoint:
    """A base URL and the TLS context to reach it with. Paths are sent as given: no dot-segment
    folding, so ``../tokens`` in a secret path reaches the daemon's check, not another route."""

    def __init__(self, url: str, ca: Optional[Union[str, bytes]], ca_hint: str, https_only: bool = False) -> None:
        shape = "it should look like https://127.0.0.1:13100 (scheme, host and port; no path)"
        text = url.strip() if isinstance(url, str) else url
        shown = _shown_url(text)
        try:
            u = urllib.parse.urlsplit(text)
            u.port  # a port that is no number raises here
        except ValueError:
            raise VaultError(f"`{shown}` is not the address of a server: {shape}", code="bad_url") from None
        # `127.0.0.1:13100` and `localhost:13100` split with the host as the scheme.
        if u.scheme not in ("https", "http") or not u.hostname:
            raise VaultError(f"`{shown}` has no https:// in front: {shape}", code="bad_url")
        host = _redact(u.netloc.rpartition("@")[2])
        if u.username is not None or u.password is not None:
            raise VaultError(
                f"the address {shown} holds a user name or password: give only {u.scheme}://{host}",
                code="bad_url",
            )
        if u.query or u.fragment or "?" in text or "#" in text:
            raise VaultError(
                f"`{shown}` has a query or fragment after the host and port: give only {u.scheme}://{host} "
                "(the SDK adds the API's paths itself)",
                code="bad_url",
            )
        if https_only and u.scheme == "http":
            raise VaultError(f"`{shown}` uses http://, but the daemon speaks only HTTPS: use https://{host}", code="bad_url")
        if re.search(r"/v1/?$", u.path):
            raise VaultError(
                f"`{shown}` ends in /v1: give the server's origin only ({u.scheme}://{host}); the SDK adds /v1/…",
                code="bad_url",
            )
        if u.path not in ("", "/"):
            raise VaultError(
                f"`{shown}` has `{_redact(u.path)}` after the host and port: give only {u.scheme}://{host} "
                "(the SDK adds the API's paths itself)",
                code="bad_url",
            )
        self.scheme = u.scheme
        self.host = u.hostname
        self.port = u.port
        self.prefix = ""
        self.base = f"{u.scheme}://{host}"
        self.ca_hint = ca_hint
        self.context: Optional[ssl.SSLContext] = None
        if u.scheme == "https":
            if ca is None:
                self.context = ssl.create_default_context()
            else:
                self.context = ssl.create_default_context(cadata=_ca_pem(ca))

    def send(self, method: str, api_path: str, headers: Mapping[str, str], body: Optional[bytes] = None):
        """One request; returns ``(status, body bytes)`` whatever the status."""
        if self.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self.port, timeout=REQUEST_TIMEOUT, context=self.context
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, self.prefix + api_path, body=body, headers=dict(headers))
            r = conn.getresponse()
            return r.status, r.read()
        except (OSError, http.client.HTTPException) as e:
            raise _transport_error(self.base, e, self.ca_hint) from None
        finally:
            conn.close()


def _percent_encode(s: str, keep: str) -> str:
    """Percent-encode every UTF-8 byte but ASCII letters, digits and ``keep`` (as the Rust client
    does)."""
    out = []
    for byte in s.encode("utf-8"):
        c = chr(byte)
        out.append(c if (c.isascii() and c.isalnum()) or c in keep else f"%{byte:02X}")
    return "".join(out)


def _encode_path(p: str) -> str:
    """A secret path in the URL, ``/`` kept as the separator."""
    return _percent_encode(p, "/-_.~")


def _encode_query(p: str) -> str:
    """A query value."""
    return _percent_encode(p, "")


def _redact(text: str) -> str:
    """``text`` with every credential in it (``hqvt_…``, ``hqvs_…``, ``hqxc_…``) cut to its kind: a
    token given where an address or a path belongs is never repeated."""
    return re.sub(r"hq(vt|vs|xc)_[A-Za-z0-9_-]*", lambda m: f"hq{m.group(1)}_…", text, flags=re.I)


def _shown_url(url: object) -> str:
    """``url`` as messages may show it: never the user name, password, query or fragment it holds."""
    text = _redact(str(url)).strip()
    text = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)?[^/?#\s]*@", r"\1…@", text)
    return re.sub(r"[?#].*$", "?…", text, flags=re.S)


def _ca_pem(ca: Union[str, bytes]) -> str:
    """The PEM text of a ``ca`` argument: PEM text or bytes as given, or the path of a PEM file
    (what HQ_VAULT_CA_CERT holds), read here."""
    text = ca.decode("utf-8") if isinstance(ca, bytes) else str(ca)
    if "-----BEGIN" in text:
        return text
    return _read_setting(
        Path(text).expanduser(), "`ca` is the PEM text of the CA, or the path of its file (such as ~/.hq-vault/tls/ca.pem)"
    )


def _credential(value: Optional[str], what: str, shape: str) -> Optional[str]:
    """A token or key as given, refused (without repeating it) when it holds what no credential
    has: a space, a line break or another control character (a file read with its newline)."""
    if value is None or value == "":
        return value
    if not isinstance(value, str) or re.search(r"[^\x21-\x7e]", value):
        raise UnauthorizedError(
            f"the {what} holds a space, a line break or a character no {what} has: pass {shape} alone "
            "(trim what was read with it)",
            code="malformed_credentials",
        )
    return value


def _require_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str")
    return value


def _read_setting(file: Path, hint: str, missing: type = VaultError) -> str:
    """Read a settings file, naming it and the fix when it cannot be read."""
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise missing(f"reading {_redact(str(file))}: not found ({hint})", code="settings") from None
    except OSError as e:
        raise VaultError(f"reading {_redact(str(file))}: {e.strerror} ({hint})", code="settings") from None


# ------------------------------------------------------------------------------------------------
# The vault


def default_home(env: Optional[Mapping[str, str]] = None) -> Path:
    """The home the daemon uses: ``$HQ_VAULT_HOME``, or ``~/.hq-vault``."""
    env = os.environ if env is None else env
    if env.get("HQ_VAULT_HOME"):
        return Path(env["HQ_VAULT_HOME"])
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".hq-vault"


def env_name(folder: str, secret_path: str) -> str:
    """The environment variable for a secret under a folder: ``myapp/db/url`` under ``myapp/`` is
    ``DB_URL``. Every character but an ASCII letter or digit becomes ``_``, letters are
    upper-cased, and a name that would be empty or start with a digit gets a leading ``_``. The
    same rule as ``hq-vault env-file`` and ``hq-vault run`` (docs/design.md §6)."""
    rest = secret_path[len(folder) :] if secret_path.startswith(folder) else secret_path
    name = "".join(c.upper() if c.isascii() and c.isalnum() else "_" for c in rest)
    if name == "" or name[0].isdigit():
        name = "_" + name
    return name


#: The values of minted tokens, kept outside the objects that name them (see ``CreatedToken``).
_MINTED: "weakref.WeakKeyDictionary[CreatedToken, str]" = weakref.WeakKeyDictionary()


class CreatedToken:
    """A minted managed token: ``name``, ``expires_at_ms`` (milliseconds since the Unix epoch, or
    None without a TTL), ``max_uses``, ``scope`` (the normalized patterns, ``aws/*``; empty for
    every secret), and ``token``, the ``hqvt_`` value shown once (pass it to the worker as
    HQ_VAULT_TOKEN). The value is held outside the object, so ``repr``, ``vars`` and generic dumps
    of it never show it: only ``.token`` reads it."""

    __slots__ = ("name", "expires_at_ms", "max_uses", "scope", "__weakref__")

    def __init__(
        self,
        name: str,
        token: str,
        expires_at_ms: Optional[int] = None,
        max_uses: Optional[int] = None,
        scope: Optional[List[str]] = None,
    ) -> None:
        self.name = name
        self.expires_at_ms = expires_at_ms
        self.max_uses = max_uses
        self.scope = list(scope or [])
        _MINTED[self] = token

    @property
    def token(self) -> str:
        """The ``hqvt_`` token, shown once: pass it to the worker as HQ_VAULT_TOKEN."""
        return _MINTED[self]

    def __repr__(self) -> str:
        return (
            f"CreatedToken(name={self.name!r}, expires_at_ms={self.expires_at_ms!r}, "
            f"max_uses={self.max_uses!r}, scope={self.scope!r})"
        )


class Vault:
    """A client of one daemon with explicit settings; ``Vault.from_env()`` finds them as the CLI
    does."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: Optional[str] = None,
        ca: Optional[Union[str, bytes]] = None,
    ) -> None:
        """``url`` (default https://127.0.0.1:13100), ``token`` (an ``hqvt_`` vault token or an
        ``hqvs_`` session token), ``ca`` the PEM of the CA to trust (default: the system's
        roots)."""
        hint = "the CA given does not sign this daemon's certificate" if ca else "pass the daemon's tls/ca.pem as `ca`"
        self._ep = _Endpoint(url, ca, hint, https_only=True)
        self._token = _credential(token, "token", "an `hqvt_` or `hqvs_` token") or None
        self._empty_token = False
        # Why there is no token, when the home knows (a session cached for another server).
        self._no_token: Optional[str] = None
        # The cached login the token came from (from_env): home, identity, expiry, environment.
        self._session: Optional[dict] = None

    def __repr__(self) -> str:
        return f"Vault(url={self._ep.base!r})"

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Vault":
        """Settings as the CLI finds them: HQ_VAULT_URL (default: the address the home's daemon
        wrote to ``serve.lock`` at its start, else https://127.0.0.1:13100),
        HQ_VAULT_TOKEN (default: the home's ``token`` file), HQ_VAULT_CA_CERT (default: the home's
        ``tls/ca.pem``; with HQ_VAULT_URL set and no home, the system's roots), the home being
        HQ_VAULT_HOME or ~/.hq-vault."""
        env = os.environ if env is None else env
        home = default_home(env)
        # A vault named by HQ_VAULT_URL with no local home (a network-mode server) is trusted
        # through the system's roots; the local default needs the home's CA.
        remote = bool(env.get("HQ_VAULT_URL")) and not env.get("HQ_VAULT_CA_CERT") and not (home / "tls" / "ca.pem").exists()
        if remote:
            ca_file = None
            ca = None
        elif env.get("HQ_VAULT_CA_CERT"):
            ca_file = Path(env["HQ_VAULT_CA_CERT"])
            ca = _read_setting(ca_file, "check HQ_VAULT_CA_CERT")
        else:
            ca_file = home / "tls" / "ca.pem"
            ca = _read_setting(
                ca_file,
                f"no vault at {home}: start it with `hq-vault serve` (the first start creates it), "
                "or set HQ_VAULT_HOME or HQ_VAULT_CA_CERT",
                NotRunningError,
            )
        # A set but empty HQ_VAULT_TOKEN is a token that did not arrive (an orchestrator's failed
        # mint): falling back to the home's file would read as the owner, so it is refused instead.
        given = env.get("HQ_VAULT_TOKEN")
        token = (given.strip() or None) if given is not None else None
        session_url = None
        session = None
        if given is None:
            try:
                token = (home / "token").read_text(encoding="utf-8").strip() or None
            except OSError:
                # No token file (this home runs no daemon): the session `hq-vault login` cached,
                # in network mode (`session.json`; `hq-vault login` renews it once it has expired).
                # The session goes only to the server that issued it.
                try:
                    cached = json.loads((home / "session.json").read_text(encoding="utf-8"))
                    token = cached.get("token") or None
                    session_url = str(cached.get("url") or "")
                    if isinstance(cached.get("identity"), str):
                        expires = cached.get("expires_at_ms")
                        session = {"home": home, "identity": cached["identity"], "env": dict(env),
                                   "expires_at_ms": expires if isinstance(expires, int) else 0}
                except (OSError, ValueError, AttributeError):
                    token = None
        url = env.get("HQ_VAULT_URL") or _served_at(home) or DEFAULT_URL
        elsewhere = None
        if session_url is not None and session_url.rstrip("/") != url.strip().rstrip("/"):
            token = None
            elsewhere = (
                f"no token for {url}: the session in {home / 'session.json'} was issued by {session_url}, and goes to "
                f"no other address. Log in to this server (`hq-vault login --identity NAME`), or set HQ_VAULT_URL to "
                f"{session_url}"
            )
        vault = cls(url, token, ca)
        vault._empty_token = given is not None and token is None
        vault._no_token = elsewhere
        if token and session:
            vault._session = {**session, "url": url}
        vault._ep.ca_hint = (
            f"the system does not trust it: set HQ_VAULT_CA_CERT to the server's CA certificate (no vault home at {home})"
            if remote
            else f"set HQ_VAULT_CA_CERT to the daemon's tls/ca.pem (now {ca_file})"
        )
        return vault

    @property
    def url(self) -> str:
        """The daemon's base URL."""
        return self._ep.base

    def _renew(self) -> None:
        """Log in again as the cached session's identity: ``hq-vault login --identity NAME`` (the
        CLI that made the identity holds its private key; HQ_VAULT_BIN names another binary), then
        the new session from ``session.json``. An ``UnauthorizedError`` (code
        ``session_renewal_failed``) says why it could not be renewed."""
        s = self._session
        assert s is not None
        binary = s["env"].get("HQ_VAULT_BIN") or "hq-vault"
        env = {**s["env"], "HQ_VAULT_HOME": str(s["home"]), "HQ_VAULT_URL": s["url"]}
        why = ""
        renewed: dict = {}
        try:
            r = subprocess.run([binary, "login", "--identity", s["identity"]], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=REQUEST_TIMEOUT)
            # Its last line says why (bounded: a binary that is not hq-vault could print anything).
            lines = r.stderr.decode("utf-8", "replace").strip().splitlines()
            why = lines[-1][:300] if lines else ""
            if r.returncode == 0:
                renewed = json.loads((s["home"] / "session.json").read_text(encoding="utf-8"))
        except OSError as e:
            why = f"{binary} could not be run ({e.strerror}; set HQ_VAULT_BIN to the hq-vault binary)"
        except (ValueError, subprocess.TimeoutExpired) as e:
            why = str(e)
        if not isinstance(renewed, dict) or not renewed.get("token"):
            raise UnauthorizedError(
                f"the session of `{s['identity']}` has expired and could not be renewed: {why or binary + ' login failed'}",
                code="session_renewal_failed",
            )
        self._token = renewed["token"]
        expires = renewed.get("expires_at_ms")
        s["expires_at_ms"] = expires if isinstance(expires, int) else 0

    def _call(
        self, method: str, api_path: str, body: Optional[dict] = None, what: Optional[str] = None, renewed: bool = False
    ) -> dict:
        # A cached session that has expired, or will within a minute, is renewed before it is sent.
        if self._session and not renewed and self._session["expires_at_ms"] <= time.time() * 1000 + 60_000:
            self._renew()
            renewed = True
        if not self._token:
            if self._empty_token:
                raise UnauthorizedError(_EMPTY_TOKEN, code="empty_token")
            if self._no_token:
                raise UnauthorizedError(self._no_token, code="no_token")
            raise UnauthorizedError(
                "no token: set HQ_VAULT_TOKEN, or start the daemon with `hq-vault serve` so it writes the token file",
                code="no_token",
            )
        headers = {"authorization": f"Bearer {self._token}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["content-type"] = "application/json"
        status, raw = self._ep.send(method, api_path, headers, payload)
        if not 200 <= status <= 299:
            e = _answer_error(status, raw, what, _VAULT_HINTS)
            # The cached session refused (expired early, or the server no longer knows it): log in
            # again once, then send the request again.
            if self._session and not renewed and status == 401 and e.code in _RENEWABLE:
                self._renew()
                return self._call(method, api_path, body, what, renewed=True)
            raise e
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            raise VaultError(f"the answer of {self._ep.base} is not JSON", status=status, code="bad_answer") from None

    def health(self) -> dict:
        """``GET /v1/health``: ``{status, locked, version, idle_lock_seconds}`` (no token needed)."""
        status, raw = self._ep.send("GET", "/v1/health", {})
        if status != 200:
            raise _answer_error(status, raw, None, {})
        return json.loads(raw.decode("utf-8"))

    def _read(self, secret_path: str) -> dict:
        _require_str(secret_path, "the secret's path")
        return self._call("GET", f"/v1/secrets/{_encode_path(secret_path)}", what=secret_path)

    def get_secret(self, secret_path: str) -> str:
        """A secret's value as text. A value that is not UTF-8 text raises ``VaultError`` with code
        ``binary`` (read it with ``get_secret_bytes``)."""
        body = self._read(secret_path)
        if isinstance(body.get("value"), str):
            return body["value"]
        if isinstance(body.get("value_base64"), str):
            raise VaultError(
                f"{secret_path} is binary ({body.get('size')} bytes), not text: read it with get_secret_bytes",
                status=200,
                code="binary",
            )
        raise VaultError(f"the answer for {secret_path} has no value", status=200, code="bad_answer")

    def get_secret_bytes(self, secret_path: str) -> bytes:
        """A secret's value as bytes, whatever they are."""
        body = self._read(secret_path)
        if isinstance(body.get("value"), str):
            return body["value"].encode("utf-8")
        if isinstance(body.get("value_base64"), str):
            return base64.b64decode(body["value_base64"], validate=True)
        raise VaultError(f"the answer for {secret_path} has no value", status=200, code="bad_answer")

    def list(self, prefix: str = "") -> dict:
        """The folder the daemon listed (``myapp`` and ``myapp/`` are both ``myapp/``; empty: every
        secret) and its secrets' metadata, never their values: ``{"prefix", "secrets": [...]}``."""
        _require_str(prefix, "the prefix")
        body = self._call("GET", f"/v1/secrets?prefix={_encode_query(prefix)}", what=prefix or None)
        return {"prefix": body["prefix"], "secrets": body["secrets"], "scoped": body.get("scoped") is True}

    def get_env(self, prefix: str) -> Dict[str, str]:
        """The secrets of a folder as environment variables (``myapp/database-url`` →
        ``DATABASE_URL``, see ``env_name``), sorted by name. Refused, as by ``hq-vault env-file``:
        an empty folder (``NotFoundError``), a value holding NUL or not UTF-8, two paths that map to
        one name."""
        listed = self.list(prefix)
        folder, secrets = listed["prefix"], listed["secrets"]
        if not secrets:
            if listed.get("scoped"):
                why = (
                    f"no secrets under `{folder}` that this token may read (a managed token sees only the"
                    " folders of its prefix; ask the vault owner for one that covers this folder)"
                )
            else:
                why = f"no secrets under `{folder}` (a prefix is a folder: `myapp` means `myapp/`): see `hq-vault list`"
            raise NotFoundError(why, code="empty_folder")
        values: Dict[str, bytes] = {}
        for s in secrets:
            value = self.get_secret_bytes(s["path"])
            if b"\x00" in value:
                raise VaultError(f"{s['path']} holds a NUL byte, which no environment variable can carry", code="env")
            name = env_name(folder, s["path"])
            if name in values:
                raise VaultError(f"two secrets under {folder} map to the variable {name}: rename one", code="env")
            values[name] = value
        env: Dict[str, str] = {}
        for name in sorted(values):
            try:
                env[name] = values[name].decode("utf-8")
            except UnicodeDecodeError:
                raise VaultError(f"{name} is binary; environment variables must be text", code="env") from None
        return env

    def create_token(
        self,
        name: str,
        ttl: Optional[str] = None,
        max_uses: Optional[int] = None,
        prefix: Optional[Union[str, Sequence[str]]] = None,
    ) -> CreatedToken:
        """Mint a managed token (owner only): ``name`` for audit lines (lower-case a-z, 0-9, ``.``,
        ``-``), optional ``ttl`` (``90s``, ``15m``, ``1h``, ``7d``), ``max_uses`` (secret reads),
        ``prefix`` (a folder or a list of folders it may read)."""
        _require_str(name, "the token's name")
        scope = [] if prefix is None else [prefix] if isinstance(prefix, str) else list(prefix)
        body = self._call(
            "POST",
            "/v1/tokens",
            body={"name": name, "ttl": ttl, "max_uses": max_uses, "prefix": scope},
            what=f"token {name}",
        )
        return CreatedToken(
            name=body["name"],
            token=body["token"],
            expires_at_ms=body.get("expires_at_ms"),
            max_uses=body.get("max_uses"),
            scope=list(body.get("scope") or []),
        )


def get_secret(secret_path: str) -> str:
    """A secret's value as text, with the settings ``Vault.from_env()`` finds (HQ_VAULT_TOKEN, ...)."""
    return Vault.from_env().get_secret(secret_path)


def get_secret_bytes(secret_path: str) -> bytes:
    """A secret's value as bytes, with the settings ``Vault.from_env()`` finds."""
    return Vault.from_env().get_secret_bytes(secret_path)


def get_env(prefix: str) -> Dict[str, str]:
    """A folder's secrets as environment variables, with the settings ``Vault.from_env()`` finds."""
    return Vault.from_env().get_env(prefix)


def create_token(
    name: str,
    ttl: Optional[str] = None,
    max_uses: Optional[int] = None,
    prefix: Optional[Union[str, Sequence[str]]] = None,
) -> CreatedToken:
    """Mint a managed token with the settings ``Vault.from_env()`` finds (the owner's token)."""
    return Vault.from_env().create_token(name, ttl=ttl, max_uses=max_uses, prefix=prefix)


# ------------------------------------------------------------------------------------------------
# External Connections (docs/design.md §3.2)


class Connection:
    """A reader of company files through an External Connection (the daemon's or the Worker's)."""

    def __init__(
        self,
        url: str,
        key: str,
        ca: Optional[Union[str, bytes]] = None,
        page_size: Optional[int] = None,
    ) -> None:
        """The connection's base URL, its ``hqxc_`` key (or an ``hqvs_`` session token), the PEM of
        the CA to trust (default: the system's roots, as for the hosted Worker), and the page size
        of listings (1-1000; the server's default is 1000)."""
        _require_str(url, "the connection's url")
        _require_str(key, "the connection's key")
        if page_size is not None and not (isinstance(page_size, int) and 1 <= page_size <= 1000):
            raise ValueError("page_size must be an integer from 1 to 1000")
        hint = "the CA given does not sign this server's certificate" if ca else "pass the daemon's tls/ca.pem as `ca`"
        self._ep = _Endpoint(url, ca, hint)
        self._key = _credential(key, "key", "the `hqxc_` key (or an `hqvs_` session token)")
        self._page_size = page_size

    def __repr__(self) -> str:
        return f"Connection(url={self._ep.base!r})"

    @property
    def url(self) -> str:
        """The connection's base URL."""
        return self._ep.base

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Connection":
        """HQ_CONNECTION_URL and HQ_CONNECTION_KEY; HQ_CONNECTION_CA_CERT to trust a local daemon's
        certificate (default: the system's roots)."""
        env = os.environ if env is None else env
        for name in ("HQ_CONNECTION_URL", "HQ_CONNECTION_KEY"):
            if not env.get(name):
                raise VaultError(f"{name} is not set", code="missing_setting")
        # A connection of the local daemon (https on a loopback address) is trusted through the
        # home's CA, as ``Vault.from_env()`` trusts the daemon; any other server through the
        # system's roots.
        ca_file = env.get("HQ_CONNECTION_CA_CERT")
        if not ca_file and _is_local_https(env["HQ_CONNECTION_URL"]):
            home_ca = default_home(env) / "tls" / "ca.pem"
            if home_ca.exists():
                ca_file = str(home_ca)
        ca = _read_setting(Path(ca_file), "check HQ_CONNECTION_CA_CERT") if ca_file else None
        c = cls(env["HQ_CONNECTION_URL"], env["HQ_CONNECTION_KEY"].strip(), ca)
        c._ep.ca_hint = (
            f"the CA in {ca_file} does not sign it: set HQ_CONNECTION_CA_CERT to the daemon's tls/ca.pem"
            if ca_file
            else "set HQ_CONNECTION_CA_CERT to the daemon's tls/ca.pem"
        )
        return c

    def _get(self, api_path: str, what: Optional[str]) -> bytes:
        status, raw = self._ep.send("GET", api_path, {"authorization": f"Bearer {self._key}"})
        if status != 200:
            raise _answer_error(status, raw, what, _CONNECTION_HINTS)
        return raw

    def list(self, prefix: str = "") -> List[dict]:
        """Every granted object under ``prefix`` (``{"key", "size", "etag", "uploaded"}``),
        following the cursor across pages."""
        _require_str(prefix, "the prefix")
        out: List[dict] = []
        cursor: Optional[str] = None
        while True:
            q = f"/v1/connections/files?path={_encode_query(prefix)}"
            if self._page_size is not None:
                q += f"&limit={self._page_size}"
            if cursor is not None:
                q += f"&cursor={_encode_query(cursor)}"
            page = json.loads(self._get(q, prefix or None).decode("utf-8"))
            out.extend(page["objects"])
            nxt = page.get("cursor")
            if page.get("truncated") is not True or not isinstance(nxt, str):
                return out
            if nxt == cursor:
                raise VaultError(f"the server repeated the cursor of {prefix}: stopped listing", code="bad_answer")
            cursor = nxt

    def get(self, key: str, encoding: Optional[str] = None) -> Union[bytes, str]:
        """One object's bytes, or its text with ``encoding="utf-8"`` (``VaultError`` with code
        ``binary`` when the object is not UTF-8)."""
        _require_str(key, "the key")
        if encoding not in (None, "utf-8", "utf8"):
            raise ValueError('encoding must be "utf-8" (text) or None (bytes)')
        raw = self._get(f"/v1/connections/files/object?path={_encode_query(key)}", key)
        if encoding is None:
            return raw
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise VaultError(f"{key} is not UTF-8 text: call get(key) for its bytes", status=200, code="binary") from None
