"""The hq:vault component in Python, through wasmtime (PyPI).

    from hq_vault_core import Core
    core = Core("hq_vault_core.wasm")        # the bytes `hq-vault component --out` writes
    core.normalize("knowledge/")             # 'knowledge/*'
    core.check_path("../etc")                # raises HqVaultError('dot-segment')
    core.check_object_key("kb/Q4 (draft).md")  # 'kb/Q4 (draft).md': any UTF-8 up to 960 bytes
    core.read_answer(None, "bytes=0-3", '"old"', 10, '"new"', mtime_ms, now_ms)  # 'full': If-Range does not hold
    core.token_reference("hqxc_…")           # the SHA-256 reference the vault stores
    core.audit_verify(lines)                 # (count, head) or raises HqVaultError('chain', line=…)

The component's only import is hq:vault/entropy, supplied here from os.urandom.
"""

import os

import wasmtime
from wasmtime import component as wc

__all__ = ["Core", "HqVaultError"]


class HqVaultError(Exception):
    """An error the core reports; `code` is the WIT error case ('leading-slash', 'bad-checksum', …)."""

    def __init__(self, code, message=None, line=None):
        super().__init__(message or code)
        self.code = code
        self.line = line


def _unwrap(r):
    """A `result` whose ok and error look alike comes back as Variant(tag, payload)."""
    if isinstance(r, wc.Variant):
        if r.tag == "err":
            raise HqVaultError(r.payload)
        return r.payload
    return r


class Core:
    """One instance of the component, with its own store."""

    def __init__(self, path):
        self._engine = wasmtime.Engine()
        component = wc.Component.from_file(self._engine, path)
        linker = wc.Linker(self._engine)
        with linker.root() as root:
            with root.add_instance("hq:vault/entropy@0.1.0") as entropy:
                entropy.add_func("fill", lambda _store, n: os.urandom(n))
        self._store = wasmtime.Store(self._engine)
        self._instance = linker.instantiate(self._store, component)
        self._funcs = {}

    def call(self, interface, name, *args):
        """Call any exported function by its WIT names (see wit/vault.wit)."""
        key = (interface, name)
        if key not in self._funcs:
            iface = self._instance.get_export_index(self._store, f"hq:vault/{interface}@0.1.0")
            index = None if iface is None else self._instance.get_export_index(self._store, name, iface)
            if index is None:
                # `known-answer` is in the `vectors` world's component only, never in the daemon's.
                raise LookupError(f"this component exports no hq:vault/{interface}@0.1.0 `{name}` (see wit/vault.wit's worlds)")
            self._funcs[key] = self._instance.get_func(self._store, index)
        f = self._funcs[key]
        result = f(self._store, *args)
        f.post_return(self._store)
        return result

    def normalize(self, raw):
        return _unwrap(self.call("patterns", "normalize", raw))

    def check_path(self, raw):
        return _unwrap(self.call("patterns", "check-path", raw))

    def check_key(self, raw):
        return _unwrap(self.call("patterns", "check-key", raw))

    def check_object_key(self, raw):
        """The key of one object (External Connections), unchanged; raises HqVaultError('too-long', ...)."""
        return _unwrap(self.call("patterns", "check-object-key", raw))

    def check_object_prefix(self, raw):
        """A listing prefix ('' for the root), unchanged; raises HqVaultError."""
        return _unwrap(self.call("patterns", "check-object-prefix", raw))

    def read_answer(self, if_none_match, range_, if_range, size, etag, modified_ms, now_ms):
        """What to answer for a GET/HEAD of one object: 'not-modified', 'full', 'unsatisfiable', or
        {'partial': {'start': s, 'end': e}} (RFC 9110: If-None-Match, then Range as If-Range allows)."""
        pre = wc.Record()
        for k, v in (("if-none-match", if_none_match), ("range", range_), ("if-range", if_range)):
            setattr(pre, k, v)
        rep = wc.Record()
        for k, v in (("size", size), ("etag", etag), ("modified-ms", modified_ms)):
            setattr(rep, k, v)
        a = self.call("http", "answer", pre, rep, now_ms)
        if isinstance(a, wc.Variant):
            if a.tag == "partial":
                return {"partial": {"start": a.payload.start, "end": a.payload.end}}
            return a.tag
        return a

    def allows(self, patterns, key):
        return self.call("patterns", "allows", list(patterns), key)

    def parse_token(self, token):
        return _unwrap(self.call("tokens", "parse", token))

    def check_token_name(self, name):
        """None if `name` may name a managed token; raises HqVaultError('reserved', …) if not."""
        r = self.call("tokens", "check-token-name", name)
        if isinstance(r, wc.Variant):
            if r.tag == "err":
                raise HqVaultError(r.payload)
            return None
        if r is not None:
            raise HqVaultError(r)
        return None

    def token_reference(self, token):
        return self.call("tokens", "reference", token)

    def audit_verify(self, lines):
        r = self.call("audit", "verify", list(lines))
        if isinstance(r, tuple):
            return r
        raise HqVaultError("chain", r.reason, line=r.line)
