#!/usr/bin/env python3
"""Writes the known-answer vectors in this directory.

Expectations come from the specifications and are written by hand here (patterns, paths, object
keys, gate statuses, reads: docs/design.md §3.1-3.3 and RFC 9110 §13-14), or are computed independently of
the Rust under test (HTTP dates with Python's email.utils): CRC32 and SHA-256 with Python's
zlib and hashlib, XChaCha20-Poly1305 with pycryptodome, Argon2id with argon2-cffi, Ed25519 with
`cryptography`. Published test vectors (RFC 9106, draft-irtf-cfrg-xchacha-03, RFC 8032) are
included verbatim and cross-checked against those libraries when this script runs.

Run: pip install pycryptodome argon2-cffi cryptography && python3 tests/vectors/generate.py
"""

import base64
import datetime
import email.utils
import hashlib
import hmac
import json
import os
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, cases, description):
    for i, c in enumerate(cases):
        c.setdefault("id", f"{name.split('.')[0]}-{i + 1:03d}")
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump({"description": description, "cases": cases}, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print(f"{name}: {len(cases)} cases")
    return len(cases)


def ok(x):
    return {"ok": x}


def err(e):
    return {"error": e}


# ---------------------------------------------------------------- patterns and paths
def pattern_cases():
    c = []

    def p(inp, exp, note=None):
        d = {"kind": "pattern", "input": inp, **exp}
        if note:
            d["note"] = note
        c.append(d)

    # Accepted, with their normalized form.
    for inp, out in [
        ("*", "*"), ("knowledge/", "knowledge/*"), ("knowledge/*", "knowledge/*"), ("knowledge", "knowledge"),
        ("projects/*", "projects/*"), ("workers/*", "workers/*"), ("skills/*", "skills/*"),
        ("a/b/c.md", "a/b/c.md"), ("a*", "a*"), ("a/b/", "a/b/*"), ("a/b/*", "a/b/*"),
        ("a/.env", "a/.env"), ("a/.*", "a/.*"), (".env", ".env"), (".*", ".*"), ("a/...", "a/..."),
        ("a/..b", "a/..b"), ("a/b..", "a/b.."), ("a-b_c~d.e/f", "a-b_c~d.e/f"), ("UPPER/Case.MD", "UPPER/Case.MD"),
        ("0/1/2", "0/1/2"), ("%2e%2e/x", "%2e%2e/x"), ("a%2fb", "a%2fb"), ("a:b@c", "a:b@c"),
        ("reports/2026-*", "reports/2026-*"), ("x/", "x/*"), ("x", "x"), ("a/b/c/d/e/f/", "a/b/c/d/e/f/*"),
        ("k" * 1024, "k" * 1024), ("k" * 1023 + "*", "k" * 1023 + "*"), ("k" * 1022 + "/", "k" * 1022 + "/*"),
    ]:
        p(inp, ok(out))
    # Rejected, with their reason. A folder is normalized to `folder/*`, which must fit in 1024 bytes
    # too (else the stored pattern would not normalize to itself).
    for inp, e in [
        ("k" * 1023 + "/", "too-long"),
        ("", "empty"), ("/a", "leading-slash"), ("/", "leading-slash"), ("/*", "leading-slash"),
        ("//a", "leading-slash"), ("..", "dot-segment"), ("../a", "dot-segment"), ("a/../b", "dot-segment"),
        ("a/..", "dot-segment"), ("a/../", "dot-segment"), ("./a", "dot-segment"), ("a/.", "dot-segment"),
        ("a/./b", "dot-segment"), (".", "dot-segment"), ("./", "dot-segment"), ("../*", "dot-segment"),
        ("a/../*", "dot-segment"), ("./*", "dot-segment"), ("a//b", "empty-segment"), ("a//", "empty-segment"),
        ("a//*", "empty-segment"), ("a/b//c/*", "empty-segment"), ("a/*/b", "misplaced-star"), ("*a", "misplaced-star"),
        ("a**", "misplaced-star"), ("**", "misplaced-star"), ("a*b", "misplaced-star"), ("*/", "misplaced-star"),
        ("a\\b", "backslash"), ("\\", "backslash"), ("..\\a", "backslash"), ("a\\*", "backslash"),
        (" a", "whitespace"), ("a b", "whitespace"), ("a ", "whitespace"), ("a/ /b", "whitespace"),
        ("a\tb", "control-character"), ("a\nb", "control-character"), ("a\rb", "control-character"),
        ("caf\u00e9", "non-ascii"), ("a\u00a0b", "non-ascii"), ("\uff41", "non-ascii"),
        ("knowledge/\u0455ecret", "non-ascii"), ("a\u200bb", "non-ascii"), ("\u2024\u2024/x", "non-ascii"),
        ("a\u2215b", "non-ascii"), ("\uff0e\uff0e/x", "non-ascii"), ("\u2025/x", "non-ascii"),
        ("knowledge\uff0f*", "non-ascii"), ("\U0001F511/*", "non-ascii"), ("k" * 1025, "too-long"),
        ("k" * 1024 + "*", "too-long"), ("/" + "k" * 1024, "too-long"),
        ("/a b", "whitespace"), (" /a", "whitespace"), ("/a\\b", "backslash"), ("a\\b\x00", "backslash"),
    ]:
        p(inp, err(e))
    for b in list(range(0x00, 0x20)) + [0x7F]:
        p("a" + chr(b) + "b", err("control-character"), f"control byte 0x{b:02x}")
    return c


def path_cases():
    c = []

    def q(kind, inp, exp):
        c.append({"kind": kind, "input": inp, **exp})

    for inp, out in [
        ("", ""), ("knowledge/", "knowledge/"), ("knowledge/a.md", "knowledge/a.md"), ("a/b/", "a/b/"),
        ("%2e%2e/x", "%2e%2e/x"), ("%252e%252e/x", "%252e%252e/x"), (".env", ".env"), ("a/.well-known/x", "a/.well-known/x"),
        ("k" * 1024, "k" * 1024), ("know", "know"),
    ]:
        q("path", inp, ok(out))
    for inp, e in [
        ("*", "misplaced-star"), ("a*", "misplaced-star"), ("a/*/b", "misplaced-star"), ("../x", "dot-segment"),
        ("a/..", "dot-segment"), ("a/../../etc/passwd", "dot-segment"), (".", "dot-segment"), ("..", "dot-segment"),
        ("./", "dot-segment"), ("/a", "leading-slash"), ("/", "leading-slash"), ("/etc/passwd", "leading-slash"),
        ("a//b", "empty-segment"), ("//", "leading-slash"), ("a\\b", "backslash"), ("..\\..\\x", "backslash"),
        ("a\x00b", "control-character"), ("a\x00", "control-character"), ("\x00", "control-character"),
        ("a\x7f", "control-character"), ("a\nb", "control-character"), ("a b", "whitespace"),
        ("caf\u00e9", "non-ascii"), ("\uff0e\uff0e/x", "non-ascii"), ("k" * 1025, "too-long"), ("a/" * 600, "too-long"),
    ]:
        q("path", inp, err(e))
    for inp, exp in [
        ("a", ok("a")), ("a/b.md", ok("a/b.md")), ("", err("empty")), ("a/", err("not-a-key")), ("knowledge/", err("not-a-key")),
        ("../a", err("dot-segment")), ("*", err("misplaced-star")), ("/a", err("leading-slash")), ("a\x00", err("control-character")),
        ("k" * 1024, ok("k" * 1024)), ("k" * 1025, err("too-long")), ("%2e%2e", ok("%2e%2e")),
    ]:
        q("key", inp, exp)
    return c


MAX_KEY = 960  # docs/design.md §3.1: `{company_id}/` (at most 64 bytes) + key fits R2's 1024 bytes

NFC = "kb/caf\u00e9.md"
NFD = "kb/cafe\u0301.md"


def key_cases():
    """Object keys and listing prefixes of External Connections (docs/design.md §3.1): any UTF-8 up to 960
    bytes but for a leading `/`, a `.`/`..` or empty segment, a control character (U+0000-U+001F,
    U+007F-U+009F); an object key is not empty and does not end with `/`. Returned unchanged."""
    c = []

    def k(kind, inp, exp, note=None):
        d = {"kind": kind, "input": inp, **exp}
        if note:
            d["note"] = note
        c.append(d)

    awkward = [
        "kb/has space.md", NFC, NFD, "kb/star*.md", "kb/back\\slash.md", "kb/plus+sign.md", "kb/100%.md",
        "kb/%2e%2e/x", "kb/hash#.md", "kb/what?.md", "kb/Q4 (draft).md", "kb/it's.md", "Meeting notes.md", "*", "a\\b",
        "kb/..b", "kb/...", "kb/.env", " leading space", "trailing space ", "kb/\u200b.md", "kb/\u00a0nbsp",
        "\U0001F511/key.md", "a\u2028b", "kb/a&b=c.md", "kb/semi;colon,comma.md", "kb/[brackets]{braces}.md",
        "kb/\"quoted\".md", "kb/<angle>|pipe.md", "kb/~tilde`back`^caret.md", "kb/\ufffd.md", "kb/\uffff.md",
        "k" * MAX_KEY, "\u00e9" * (MAX_KEY // 2), "kb/" + "a" * (MAX_KEY - 3), "\U0001F511" * (MAX_KEY // 4),
    ]
    for inp in awkward:
        k("object-key", inp, ok(inp))
    for inp, e in [
        ("", "empty"), ("/kb/a.md", "leading-slash"), ("/", "leading-slash"), ("//", "leading-slash"),
        ("kb//a.md", "empty-segment"), ("a//", "empty-segment"), ("kb/./a.md", "dot-segment"), ("kb/../a", "dot-segment"),
        ("..", "dot-segment"), (".", "dot-segment"), ("kb/..", "dot-segment"), ("./a", "dot-segment"),
        ("kb/", "not-a-key"), ("a/b/", "not-a-key"), ("k" * (MAX_KEY + 1), "too-long"), ("\u00e9" * (MAX_KEY // 2) + "a", "too-long"),
        ("\U0001F511" * (MAX_KEY // 4 + 1), "too-long"), ("/" + "k" * MAX_KEY, "too-long"), ("/a\x00", "control-character"),
        ("kb/a.md\n", "control-character"), ("kb/\x1b[31m.md", "control-character"),
    ]:
        k("object-key", inp, err(e))
    for cp in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        k("object-key", "a" + chr(cp) + "b", err("control-character"), f"control character U+{cp:04X}")
    for inp in ["", "kb/", "kb/caf", "kb/has sp", "kb/star*", "kb/back\\", "*", "kb/cafe\u0301", "k" * MAX_KEY, "kb/.env",
                "Meeting", "kb/sub/"]:
        k("object-prefix", inp, ok(inp))
    for inp, e in [
        ("/", "leading-slash"), ("/kb", "leading-slash"), ("kb//", "empty-segment"), ("kb//x", "empty-segment"),
        ("kb/.", "dot-segment"), ("kb/..", "dot-segment"), ("../", "dot-segment"), ("./", "dot-segment"),
        ("a\x01", "control-character"), ("kb/\x85", "control-character"), ("k" * (MAX_KEY + 1), "too-long"),
    ]:
        k("object-prefix", inp, err(e))
    return c


def allowlist_cases():
    many = [f"p{i:02d}/*" for i in range(65)]
    return [
        {"patterns": [], **err("none")},
        {"patterns": ["knowledge/"], **ok(["knowledge/*"])},
        {"patterns": ["b/*", "a/", "a/*"], **ok(["a/*", "b/*"])},
        {"patterns": ["ok/*", "/bad"], **err("invalid:1:leading-slash")},
        {"patterns": ["a/*/b"], **err("invalid:0:misplaced-star")},
        {"patterns": many[:64], **ok(sorted(many[:64]))},
        {"patterns": many, **err("too-many:65")},
        {"patterns": many[:64] + ["p00/"], **ok(sorted(many[:64])), "note": "duplicates after normalization count once"},
        {"patterns": ["*", "a/*"], **ok(["*", "a/*"])},
        {"patterns": [""], **err("invalid:0:empty")},
    ]


def allows_cases():
    c = []
    for pats, key, allowed in [
        (["*"], "anything/at/all.md", True), (["knowledge/*"], "knowledge/a.md", True), (["knowledge/*"], "knowledge/", False),
        (["knowledge/*"], "knowledge", False), (["knowledge/*"], "knowledgebase/a.md", False), (["knowledge/*"], "other/a.md", False),
        (["knowledge*"], "knowledgebase/a.md", True), (["a/b.md"], "a/b.md", True), (["a/b.md"], "a/b.md.bak", False),
        (["a/b.md"], "a/b", False), (["a/*", "b/c"], "b/c", True), (["a/*", "b/c"], "b/d", False), ([], "a", False),
        (["reports/2026-*"], "reports/2026-11.pdf", True), (["reports/2026-*"], "reports/2025-11.pdf", False),
        (["Knowledge/*"], "knowledge/a.md", False), (["a/.*"], "a/.env", True), (["a/.*"], "a/env", False),
        (["%2e%2e/*"], "%2e%2e/x", True), (["x/*"], "x/y/z/w", True), (["x/y/*"], "x/a", False),
        (["a"], "a", True), (["a"], "A", False), (["a/b/*"], "a/b/c/d.md", True),
        (["*"], "../etc/passwd", False), (["*"], "/etc/passwd", False), (["*"], "a/\x00", False), (["a/*"], "a/../b", False),
        (["*"], "", False), (["*"], "a/", False), (["a/*"], "a\\b", False),
        # Object keys are any UTF-8 (docs/design.md §3.1); a pattern grants them by a byte-prefix test.
        (["*"], "caf\u00e9", True), (["*"], "a\\b", True), (["kb/*"], "kb/has space.md", True),
        (["kb/cafe*"], NFC, False), (["kb/cafe*"], NFD, True), (["kb/caf*"], NFC, True), (["kb/star*"], "kb/star*.md", True),
        (["kb/star*"], "kb/stars.md", True), (["kb/*"], "kb/" + "a" * (MAX_KEY - 3), True), (["*"], "k" * (MAX_KEY + 1), False),
        (["*"], "a\u0085", False), (["*"], "kb/", False), (["*"], "kb//a", False), (["kb/*"], "kb/\u00e9/../x", False),
    ]:
        c.append({"patterns": pats, "key": key, "allowed": allowed})
    return c


def src(prefix, exact=False, rollup=None):
    return {"prefix": prefix, "exact": exact, "rollup": rollup}


def listing_cases():
    return [
        {"patterns": ["knowledge/*"], "prefix": "", "delimited": False, "sources": [src("knowledge/")]},
        {"patterns": ["knowledge/*"], "prefix": "", "delimited": True, "sources": [src("knowledge/", rollup="knowledge/")]},
        {"patterns": ["knowledge/*"], "prefix": "knowledge/", "delimited": True, "sources": [src("knowledge/")]},
        {"patterns": ["knowledge/*"], "prefix": "knowledge/sub/", "delimited": False, "sources": [src("knowledge/sub/")]},
        {"patterns": ["knowledge/*"], "prefix": "know", "delimited": False, "sources": [src("knowledge/")]},
        {"patterns": ["knowledge/*"], "prefix": "secrets/", "delimited": False, "sources": []},
        {"patterns": ["knowledge/*"], "prefix": "knowledgebase/", "delimited": False, "sources": []},
        {"patterns": ["knowledge/*", "projects/a.md"], "prefix": "", "delimited": False,
         "sources": [src("knowledge/"), src("projects/a.md", True)]},
        {"patterns": ["knowledge/*", "projects/a.md"], "prefix": "", "delimited": True,
         "sources": [src("knowledge/", rollup="knowledge/"), src("projects/a.md", True, "projects/")]},
        {"patterns": ["projects/a.md"], "prefix": "projects/", "delimited": True, "sources": [src("projects/a.md", True)]},
        {"patterns": ["projects/a.md"], "prefix": "projects/a.md", "delimited": False, "sources": [src("projects/a.md", True)]},
        {"patterns": ["projects/a.md"], "prefix": "projects/b", "delimited": False, "sources": []},
        {"patterns": ["*"], "prefix": "", "delimited": True, "sources": [src("")]},
        {"patterns": ["*", "a/*", "b.md"], "prefix": "", "delimited": False, "sources": [src("")]},
        {"patterns": ["a/*", "a/b/*", "a/c.md"], "prefix": "", "delimited": False, "sources": [src("a/")]},
        {"patterns": ["a/b/c/*"], "prefix": "a/", "delimited": True, "sources": [src("a/b/c/", rollup="a/b/")]},
        {"patterns": ["a/x*"], "prefix": "a/", "delimited": True, "sources": [src("a/x")]},
        {"patterns": ["b/*", "a/*"], "prefix": "", "delimited": False, "sources": [src("a/"), src("b/")]},
    ]


# ---------------------------------------------------------------- tokens
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def b62(raw):
    n = int.from_bytes(raw, "big")
    out = []
    for _ in range(49):
        n, r = divmod(n, 62)
        out.append(ALPHABET[r])
    assert n == 0
    return "".join(reversed(out))


def token(prefix, rnd):
    assert len(rnd) == 32
    return prefix + b62(rnd + zlib.crc32(rnd).to_bytes(4, "big"))


def ref(t):
    return hashlib.sha256(t.encode()).hexdigest()


R1 = bytes(range(32))
R2 = b"\xff" * 32
R3 = hashlib.sha256(b"hq-vault vectors").digest()
KEY1 = token("hqxc_", R3)
VT1 = token("hqvt_", R1)


def token_cases():
    c = []
    for prefix, kind in [("hqxc_", "connection-key"), ("hqvt_", "vault-token"), ("hqvs_", "session-token")]:
        for rnd in (R1, R2, R3, b"\x00" * 32):
            t = token(prefix, rnd)
            c.append({"token": t, "kind": kind, "reference": ref(t)})
    good = KEY1
    body = good[5:]
    flipped = good[:-1] + ("a" if good[-1] != "a" else "b")
    c += [
        {"token": flipped, "error": "bad-checksum", "note": "last character changed"},
        {"token": good[:10] + ("x" if good[10] != "x" else "y") + good[11:], "error": "bad-checksum"},
        {"token": "hqxc_" + body[1:] + body[0], "error": "bad-checksum", "note": "rotated body"},
        {"token": "hqxc_" + "z" * 49, "error": "bad-checksum", "note": "does not fit in 36 bytes"},
        {"token": "hqxc_" + "0" * 49, "error": "bad-checksum"},
        {"token": good[:-1], "error": "wrong-length", "note": "truncated"},
        {"token": good + "A", "error": "wrong-length", "note": "extra character"},
        {"token": "hqxc_", "error": "wrong-length"},
        {"token": good[:20], "error": "wrong-length"},
        {"token": good + "\n", "error": "bad-character", "note": "trailing newline from a copy"},
        {"token": good + " ", "error": "bad-character"},
        {"token": good[:-1] + "-", "error": "bad-character"},
        {"token": good[:-1] + "_", "error": "bad-character"},
        {"token": good[:-1] + "\u00e9", "error": "bad-character"},
        {"token": "", "error": "empty"},
        {"token": "hqxx_" + body, "error": "unknown-prefix"},
        {"token": "HQXC_" + body, "error": "unknown-prefix"},
        {"token": "Bearer " + good, "error": "unknown-prefix"},
        {"token": " " + good, "error": "unknown-prefix"},
        {"token": "hqx", "error": "unknown-prefix"},
        {"token": "sk_live_" + body, "error": "unknown-prefix"},
        {"token": "hqvt_" + body, "kind": "vault-token", "reference": ref("hqvt_" + body),
         "note": "the checksum covers the body only: another prefix is another credential, with another reference"},
    ]
    return c


def duration_cases():
    return [
        {"text": "90s", "ms": 90_000}, {"text": "15m", "ms": 900_000}, {"text": "1h", "ms": 3_600_000},
        {"text": "7d", "ms": 604_800_000}, {"text": "365d", "ms": 31_536_000_000}, {"text": " 1h ", "ms": 3_600_000},
        {"text": "366d", "error": True}, {"text": "0s", "error": True}, {"text": "1y", "error": True},
        {"text": "", "error": True}, {"text": "-1h", "error": True}, {"text": "1.5h", "error": True},
        {"text": "h", "error": True}, {"text": "10", "error": True}, {"text": "1H", "error": True},
        {"text": "99999999999999999999s", "error": True},
    ]


def token_name_cases():
    """Managed-token names (what audit lines show as the actor), by the rule written in README and
    wit/vault.wit: 1-63 bytes of a-z 0-9 . -, first a letter or digit, not a reserved actor.
    The expectations are written by hand from that rule, not computed by the code under test."""
    ok_ = {"ok": True}
    c = [
        # Accepted.
        {"name": "deploy-bot", **ok_}, {"name": "a", **ok_}, {"name": "0", **ok_}, {"name": "ci.build-42", **ok_},
        {"name": "deploy-run-42", **ok_}, {"name": "a" * 63, **ok_}, {"name": "x-", **ok_}, {"name": "x.", **ok_},
        {"name": "9lives", **ok_}, {"name": "conn", **ok_, "note": "no connection id can be spelled without `_`"},
        {"name": "conn-0123456789abcdef", **ok_}, {"name": "bootstrap2", **ok_}, {"name": "daemons", **ok_},
        {"name": "my.anonymous", **ok_}, {"name": "owner-bot", **ok_},
        # Empty and too long.
        {"name": "", "error": "empty"},
        {"name": "a" * 64, "error": "too-long"}, {"name": "b" * 200, "error": "too-long"},
        {"name": "-" * 64, "error": "too-long", "note": "length is checked before the alphabet"},
        # Outside the alphabet.
        {"name": "conn_0123456789abcdef", "error": "bad-character", "note": "the shape of a connection id"},
        {"name": "conn_", "error": "bad-character"}, {"name": "req_0011223344556677", "error": "bad-character"},
        {"name": "hqvt_x", "error": "bad-character"}, {"name": "Deploy", "error": "bad-character"},
        {"name": "ANONYMOUS", "error": "bad-character"}, {"name": "Bootstrap", "error": "bad-character"},
        {"name": "bad name", "error": "bad-character"}, {"name": " deploy", "error": "bad-character"},
        {"name": "deploy ", "error": "bad-character"}, {"name": "a/b", "error": "bad-character"},
        {"name": "a\\b", "error": "bad-character"}, {"name": "a:b", "error": "bad-character"},
        {"name": "a@b", "error": "bad-character"}, {"name": "a'b", "error": "bad-character"},
        {"name": "a\"b", "error": "bad-character"}, {"name": "a<b>", "error": "bad-character"},
        {"name": "a\nb", "error": "bad-character"}, {"name": "a\tb", "error": "bad-character"},
        {"name": "a\u0000b", "error": "bad-character"}, {"name": "caf\u00e9", "error": "bad-character"},
        {"name": "\u0430nonymous", "error": "bad-character", "note": "Cyrillic a: a look-alike of a reserved name"},
        {"name": "bootstrap\u200b", "error": "bad-character", "note": "zero-width space"},
        {"name": "a%20b", "error": "bad-character"}, {"name": "a+b", "error": "bad-character"},
        {"name": "*", "error": "bad-character"},
        # First character.
        {"name": "-deploy", "error": "bad-first-character"}, {"name": ".hidden", "error": "bad-first-character"},
        {"name": ".", "error": "bad-first-character"}, {"name": "..", "error": "bad-first-character"},
        {"name": "-", "error": "bad-first-character"},
        # Reserved actors.
        {"name": "anonymous", "error": "reserved"}, {"name": "bootstrap", "error": "reserved"},
        {"name": "daemon", "error": "reserved"}, {"name": "unknown", "error": "reserved"},
        {"name": "owner", "error": "reserved"}, {"name": "system", "error": "reserved"},
    ]
    return c


# ---------------------------------------------------------------- crypto
def argon2_cases():
    from argon2.low_level import Type, hash_secret_raw

    rfc = {
        "password": "01" * 32, "salt": "02" * 16, "secret": "03" * 8, "ad": "04" * 12, "t": 3, "m": 32, "p": 4, "len": 32,
        "tag": "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", "note": "RFC 9106 section 5.3",
    }
    cases = [rfc]
    for pw, salt, t, m, p in [(b"password", b"somesalt", 2, 65536, 1), (b"correct horse battery staple", b"0123456789abcdef", 3, 1024, 1),
                              (b"", b"saltsalt", 1, 8, 1), (b"pw", b"saltsaltsaltsalt", 1, 64, 2)]:
        tag = hash_secret_raw(pw, salt, time_cost=t, memory_cost=m, parallelism=p, hash_len=32, type=Type.ID)
        cases.append({"password": pw.hex(), "salt": salt.hex(), "secret": "", "ad": "", "t": t, "m": m, "p": p, "len": 32,
                      "tag": tag.hex(), "note": "argon2-cffi"})
    cases[1]["note"] = "argon2-cffi; also the reference implementation's test.c Argon2id case"
    assert cases[1]["tag"] == "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"
    cases.append({"password": "00", "salt": "00" * 16, "secret": "", "ad": "", "t": 1, "m": 4, "p": 1, "len": 32,
                  "error": "bad-parameters", "note": "m below 8 KiB per lane"})
    cases.append({"password": "00", "salt": "00" * 16, "secret": "", "ad": "", "t": 0, "m": 64, "p": 1, "len": 32,
                  "error": "bad-parameters"})
    return cases


def xchacha_cases():
    from Crypto.Cipher import ChaCha20_Poly1305

    def seal(key, nonce, pt, aad):
        c = ChaCha20_Poly1305.new(key=key, nonce=nonce)
        c.update(aad)
        ct, tag = c.encrypt_and_digest(pt)
        return (ct + tag).hex()

    pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
    key = bytes(range(0x80, 0xA0))
    nonce = bytes(range(0x40, 0x58))
    aad = bytes.fromhex("50515253c0c1c2c3c4c5c6c7")
    draft = (
        "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e"
        "1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e"
        "c0875924c1c7987947deafd8780acf49"
    )
    assert seal(key, nonce, pt, aad) == draft, "draft-irtf-cfrg-xchacha-03 A.3.1 does not match pycryptodome"
    cases = [{"key": key.hex(), "nonce": nonce.hex(), "plaintext": pt.hex(), "aad": aad.hex(), "sealed": draft,
              "note": "draft-irtf-cfrg-xchacha-03 A.3.1"}]
    k2 = hashlib.sha256(b"k2").digest()
    n2 = hashlib.sha256(b"n2").digest()[:24]
    for p, a in [(b"", b""), (b"x", b""), (b"", b"secrets/a"), (b"v" * 1000, b"stripe/secret-key"), (bytes(range(256)), b"a/b")]:
        cases.append({"key": k2.hex(), "nonce": n2.hex(), "plaintext": p.hex(), "aad": a.hex(), "sealed": seal(k2, n2, p, a),
                      "note": "pycryptodome"})
    cases.append({"key": k2.hex(), "nonce": n2[:12].hex(), "plaintext": "", "aad": "", "error": "bad-format",
                  "note": "a 12-byte nonce is not XChaCha"})
    cases.append({"key": k2[:16].hex(), "nonce": n2.hex(), "plaintext": "", "aad": "", "error": "bad-format"})
    return cases


def ed25519_cases():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    rfc = [
        ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ]
    cases = []
    for i, (pk, msg, sig) in enumerate(rfc):
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(pk)).verify(bytes.fromhex(sig), bytes.fromhex(msg))
        cases.append({"public_key": pk, "message": msg, "signature": sig, "valid": True, "note": f"RFC 8032 test {i + 1}"})
    pk, msg, sig = rfc[1]
    bad = bytearray.fromhex(sig)
    bad[0] ^= 1
    cases += [
        {"public_key": pk, "message": msg, "signature": bad.hex(), "valid": False, "note": "one flipped bit"},
        {"public_key": pk, "message": "73", "signature": sig, "valid": False, "note": "another message"},
        {"public_key": rfc[0][0], "message": msg, "signature": sig, "valid": False, "note": "another key"},
        {"public_key": pk[:-2], "message": msg, "signature": sig, "valid": False, "note": "31-byte key"},
        {"public_key": pk, "message": msg, "signature": sig[:-2], "valid": False, "note": "63-byte signature"},
        {"public_key": "00" * 32, "message": msg, "signature": sig, "valid": False, "note": "small-order key"},
    ]
    sk = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"agent").digest())
    pub = sk.public_key().public_bytes_raw()
    nonce = base64.b64encode(hashlib.sha256(b"nonce").digest())
    m = b"hq-vault-auth-v1" + nonce + b"conn_0123456789abcdef"
    cases.append({"public_key": pub.hex(), "message": m.hex(), "signature": sk.sign(m).hex(), "valid": True,
                  "note": "a challenge answer: hq-vault-auth-v1 || nonce (base64) || connection id"})
    return cases


# ---------------------------------------------------------------- audit
def rfc3339(ms):
    d = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def line(ev, prev):
    obj = {"time": rfc3339(ev["time_ms"]), "time_ms": ev["time_ms"], "actor": ev["actor"], "op": ev["operation"],
           "path": ev["path"], "outcome": ev["outcome"], "status": ev["status"], "request_id": ev["request_id"],
           "ip": ev["source_ip"]}
    if ev["reason"] is not None:
        obj["reason"] = ev["reason"]
    obj["prev"] = prev
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return s, hashlib.sha256(s.encode()).hexdigest()


GENESIS = "0" * 64


def events():
    base = 1_795_507_287_123
    return [
        {"time_ms": base, "actor": "bootstrap", "operation": "unlock", "path": None, "outcome": "allowed", "status": 200,
         "request_id": "r-1", "source_ip": "127.0.0.1", "reason": None},
        {"time_ms": base + 1, "actor": "deploy-run-42", "operation": "get", "path": "stripe/secret-key", "outcome": "allowed",
         "status": 200, "request_id": "r-2", "source_ip": "127.0.0.1", "reason": None},
        {"time_ms": base + 2500, "actor": "anonymous", "operation": "get", "path": None, "outcome": "denied", "status": 401,
         "request_id": "r-3", "source_ip": "::1", "reason": "malformed_credentials"},
        {"time_ms": 0, "actor": "conn_01", "operation": "list", "path": "knowledge/", "outcome": "failed", "status": 400,
         "request_id": "r-4", "source_ip": "203.0.113.9", "reason": "bad_path \"quoted\""},
    ]


def audit_chain_cases():
    cases, prev = [], GENESIS
    for ev in events():
        s, h = line(ev, prev)
        cases.append({"event": ev, "prev": prev, "line": s, "hash": h})
        prev = h
    return cases


def audit_verify_cases():
    lines, prev, hashes = [], GENESIS, []
    for ev in events():
        s, h = line(ev, prev)
        lines.append(s)
        hashes.append(h)
        prev = h
    edited2 = lines[1].replace("stripe/secret-key", "stripe/other-key")
    edited_last = lines[3].replace("\"status\":400", "\"status\":200")
    return [
        {"lines": lines, "count": 4, "head": hashes[-1], "note": "intact"},
        {"lines": [], "count": 0, "head": GENESIS, "note": "empty log"},
        {"lines": lines[:2], "count": 2, "head": hashes[1], "note": "a prefix of a log verifies: keep the head hash elsewhere"},
        {"lines": [lines[0], edited2, lines[2], lines[3]], "bad_line": 3, "note": "edited line 2 breaks the link of line 3"},
        {"lines": [lines[0], lines[2], lines[3]], "bad_line": 2, "note": "removed line"},
        {"lines": [lines[0], lines[2], lines[1], lines[3]], "bad_line": 2, "note": "reordered lines"},
        {"lines": [lines[1], lines[0]], "bad_line": 1, "note": "first line does not start from genesis"},
        {"lines": [lines[0], "not json", lines[1]], "bad_line": 2, "note": "garbage line"},
        {"lines": lines[:3] + [edited_last], "count": 4, "head": hashlib.sha256(edited_last.encode()).hexdigest(),
         "note": "an edited last line changes only the head hash"},
        {"lines": [lines[0], lines[0]], "bad_line": 2, "note": "duplicated line"},
    ]


# Keyed lines: the audit key is HMAC-SHA256(data key, "hq-vault/audit-key/v1"); a keyed line is
# the plain line with `,"mac":"<hex HMAC-SHA256(audit key, plain line)>"` before its closing brace.
DATA_KEY = bytes(range(32))


def audit_key(data_key):
    return hmac.new(data_key, b"hq-vault/audit-key/v1", hashlib.sha256).digest()


def keyed_line(ev, prev, data_key=DATA_KEY):
    plain, _ = line(ev, prev)
    mac = hmac.new(audit_key(data_key), plain.encode(), hashlib.sha256).hexdigest()
    s = plain[:-1] + ',"mac":"' + mac + '"}'
    return s, hashlib.sha256(s.encode()).hexdigest()


def audit_keyed_cases():
    cases, prev = [], GENESIS
    for ev in events():
        s, h = keyed_line(ev, prev)
        cases.append({"data_key": DATA_KEY.hex(), "event": ev, "prev": prev, "line": s, "hash": h})
        prev = h
    lines, hashes, prev = [], [], GENESIS
    for ev in events():
        s, h = keyed_line(ev, prev)
        lines.append(s)
        hashes.append(h)
        prev = h
    k = DATA_KEY.hex()
    other = bytes(32).hex()
    plain0, p0 = line(events()[0], GENESIS)
    k1, kh1 = keyed_line(events()[1], p0)
    plain2, p2 = line(events()[2], kh1)
    # Line 2 removed, line 3 re-linked to line 1 as a plain chain allows: its MAC no longer verifies.
    relinked = lines[2].replace(hashes[1], hashes[0])
    brk = dict(events()[0], operation="audit-break", actor="daemon", reason="audit.log was deleted")
    brk_line, _ = line(brk, GENESIS)
    cases += [
        {"data_key": k, "lines": lines, "verify": {"lines": 4, "head": hashes[-1], "keyed": 4, "last_keyed": 4},
         "note": "intact keyed log"},
        {"data_key": k, "lines": [plain0, k1, plain2], "verify": {"lines": 3, "head": p2, "keyed": 1, "last_keyed": 2},
         "note": "a plain line before and after a keyed one: the last one is not vouched for"},
        {"data_key": k, "lines": [lines[0], relinked], "bad_line": 2, "note": "removed line, chain re-linked by hand"},
        {"data_key": k, "lines": [lines[0], lines[1].replace('"allowed"', '"denied"')], "bad_line": 2,
         "note": "an outcome rewritten (the link of the next line is not needed to see it)"},
        {"data_key": other, "lines": lines[:1], "bad_line": 1, "note": "another vault's key"},
        {"data_key": k, "lines": [brk_line], "bad_line": 1, "note": "a break recorded by the daemon stops verification"},
        {"data_key": k, "lines": [lines[0][:-1] + ' }'], "bad_line": 1, "note": "the MAC is not where the daemon writes it"},
    ]
    return cases


# ---------------------------------------------------------------- gate
REC = {"id": "conn_1", "company_id": "acme", "status": "active", "key_ref": ref(KEY1),
       "patterns": ["knowledge/*", "projects/plan.md"], "company_enabled": True}


def rq(method="GET", route="object", path=None, auth="Bearer " + KEY1, **kw):
    r = {"method": method, "route": route, "path": path, "authorization": auth, "time_ms": 1000, "request_id": "req-1",
         "source_ip": "192.0.2.1"}
    r.update(kw)
    return r


def plan_list(sources, start_source=0, start_inner=None, limit=1000, delimited=False):
    return {"list": {"sources": sources, "start_source": start_source, "start_inner": start_inner, "limit": limit,
                     "delimited": delimited}}


def gate_cases():
    other = token("hqxc_", R1)
    revoked = dict(REC, status="revoked")
    disabled = dict(REC, company_enabled=False)
    rotated = dict(REC, key_ref=ref(other))
    c = []

    def g(req, status, code, rec=REC, **extra):
        c.append({"request": req, "record": rec, "status": status, "code": code, **extra})

    g(rq("POST", "list", ""), 405, "method_not_allowed", headers=[["Allow", "GET, HEAD"]])
    g(rq("DELETE", "object", "knowledge/a.md", auth=None), 405, "method_not_allowed", rec=None)
    for m in ["PUT", "PATCH", "OPTIONS", "get", "TRACE"]:
        g(rq(m, "object", "knowledge/a.md"), 405, "method_not_allowed")
    g(rq(path="knowledge/a.md", auth=None), 401, "missing_credentials", rec=None, headers=[["WWW-Authenticate", "Bearer"]])
    for a in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", KEY1, "Token " + KEY1, "Bearer " + KEY1 + " extra",
              "Bearer " + KEY1[:-1], "Bearer " + KEY1[:-1] + ("a" if KEY1[-1] != "a" else "b"), "Bearer " + VT1,
              "Bearer " + token("hqvs_", R1), "Bearer " + KEY1 + "\n", ""]:
        g(rq(path="knowledge/a.md", auth=a), 401, "malformed_credentials", rec=None)
    g(rq(path="knowledge/a.md"), 403, "invalid_key", rec=None, audit_outcome="denied", audit_actor="unknown")
    g(rq(path="knowledge/a.md"), 403, "invalid_key", rec=rotated)
    g(rq(path="knowledge/a.md"), 403, "invalid_key", rec=revoked)
    g(rq(path="knowledge/a.md"), 403, "connections_disabled", rec=disabled)
    g(rq(path="knowledge/a.md", auth="bearer  " + KEY1), 200, "", plan={"object": "knowledge/a.md"})
    g(rq(path="knowledge/a.md"), 200, "", plan={"object": "knowledge/a.md"}, audit_outcome="allowed", audit_actor="conn_1")
    g(rq("HEAD", path="knowledge/a.md"), 200, "", plan={"object": "knowledge/a.md"})
    g(rq(path="projects/plan.md"), 200, "", plan={"object": "projects/plan.md"})
    g(rq(path="projects/other.md"), 403, "forbidden_path", audit_outcome="denied", audit_actor="conn_1")
    g(rq(path="secrets/prod.env"), 403, "forbidden_path")
    g(rq(path="knowledgebase/a.md"), 403, "forbidden_path")
    for bad in ["../secrets/x", "knowledge/../secrets/x", "/knowledge/a.md", "knowledge//a.md", "knowledge/a\x00.md",
                "k" * 1025, "knowledge/", "", "knowledge/./a.md", "knowledge/" + "a" * (MAX_KEY - 9), "knowledge/a\x85.md",
                "knowledge/a\x7f.md", "knowledge/a\n.md"]:
        g(rq(path=bad), 400, "bad_path")
    # Keys are not patterns: the real names of files are keys, granted by a byte-prefix test.
    for name in ["knowledge/Meeting notes.md", "knowledge/caf\u00e9.md", "knowledge/cafe\u0301.md", "knowledge/star*.md",
                 "knowledge/*", "knowledge/back\\slash.md", "knowledge/a+b.md", "knowledge/100%.md", "knowledge/#?.md",
                 "knowledge/(draft) it's.md", "knowledge/" + "a" * (MAX_KEY - 10)]:
        g(rq(path=name), 200, "", plan={"object": name})
    g(rq(path="knowledge\\a.md"), 403, "forbidden_path", note="a backslash is a character of the name, not a separator")
    g(rq(path="*"), 403, "forbidden_path", note="a key named `*` is not the pattern `*`")
    g(rq(path=None), 400, "bad_path", note="object without a path")
    g(rq(path="%2e%2e/secrets/x"), 403, "forbidden_path", note="decoded once by the host: a literal name, outside the grant")
    g(rq(route="list", path=""), 200, "", plan=plan_list([src("knowledge/"), src("projects/plan.md", True)]))
    g(rq(route="list", path=None), 200, "", plan=plan_list([src("knowledge/"), src("projects/plan.md", True)]))
    g(rq(route="list", path="", delimiter="/"), 200, "",
      plan=plan_list([src("knowledge/", rollup="knowledge/"), src("projects/plan.md", True, "projects/")], delimited=True))
    g(rq(route="list", path="knowledge/sub/", limit="10"), 200, "", plan=plan_list([src("knowledge/sub/")], limit=10))
    g(rq(route="list", path="secrets/"), 403, "forbidden_path")
    g(rq(route="list", path="projects/other"), 403, "forbidden_path")
    g(rq(route="list", path="../"), 400, "bad_path")
    for bad in ["knowledge//", "knowledge/.", "/knowledge/", "k" * (MAX_KEY + 1), "knowledge/\x01"]:
        g(rq(route="list", path=bad), 400, "bad_path")
    for prefix in ["knowledge/caf", "knowledge/Meeting no", "knowledge/star*", "knowledge/cafe\u0301"]:
        g(rq(route="list", path=prefix), 200, "", plan=plan_list([src(prefix)]))
    for lim in ["0", "1001", "-1", "abc", "+5", "1e3", "", " 5", "99999999999"]:
        g(rq(route="list", path="", limit=lim), 400, "bad_limit")
    g(rq(route="list", path="", limit="1"), 200, "", plan=plan_list([src("knowledge/"), src("projects/plan.md", True)], limit=1))
    g(rq(route="list", path="", limit="1000"), 200, "", plan=plan_list([src("knowledge/"), src("projects/plan.md", True)]))
    for d in ["|", "//", "%2F", "a"]:
        g(rq(route="list", path="", delimiter=d), 400, "bad_delimiter")
    for cur in ["bogus", "c1.", "c1.9.", "c1.2.", "c1.0.zz", "c1.x.00", "c2.0.", "c1.0." + "00" * 3000]:
        g(rq(route="list", path="", cursor=cur), 400, "bad_cursor")
    g(rq(route="list", path="", cursor="c1.1." + b"projects/plan.md".hex()), 200, "",
      plan=plan_list([src("knowledge/"), src("projects/plan.md", True)], start_source=1, start_inner="projects/plan.md"))
    g(rq(route="list", path="", cursor="c1.0."), 200, "", plan=plan_list([src("knowledge/"), src("projects/plan.md", True)]))
    g(rq("POST", "list", "", auth=None), 405, "method_not_allowed", rec=None)
    return c


# ---------------------------------------------------------------- reads (RFC 9110 §13.1.5, §13.2.2, §14)
MOD = 1_795_507_287_123  # an object's modification time, ms
LATER = MOD + 60_000


def http_date(ms):
    return email.utils.formatdate(ms // 1000, usegmt=True)


def read_cases():
    c = []

    def r(ans, size=10, etag='"v2"', modified_ms=MOD, now_ms=LATER, note=None, **hdr):
        d = {"size": size, "etag": etag, "modified_ms": modified_ms, "now_ms": now_ms, **hdr, "answer": ans}
        if note:
            d["note"] = note
        c.append(d)

    def part(a, b):
        return {"partial": {"start": a, "end": b}}

    lm = http_date(MOD)
    second_over = (MOD // 1000 + 1) * 1000
    r("full")
    # If-None-Match: weak comparison, `*`, lists; it comes before Range (§13.2.2).
    r("not-modified", if_none_match='"v2"')
    r("not-modified", if_none_match='W/"v2"', note="weak comparison")
    r("not-modified", if_none_match="*")
    r("not-modified", if_none_match='"a", "v2"')
    r("full", if_none_match='"v1"')
    r("not-modified", if_none_match='"v2"', range="bytes=0-3", note="If-None-Match is evaluated before Range")
    # Range: one bytes= range.
    for rng, ans in [("bytes=0-3", part(0, 3)), ("bytes=5-", part(5, 9)), ("bytes=-3", part(7, 9)), ("bytes=-30", part(0, 9)),
                     ("bytes=8-100", part(8, 9)), ("bytes=9-9", part(9, 9)), ("bytes=10-", "unsatisfiable"),
                     ("bytes=10-20", "unsatisfiable"), ("bytes=-0", "unsatisfiable"), ("bytes=0-1,3-4", "full"),
                     ("bytes=4-2", "full"), ("items=0-1", "full"), ("bytes=a-b", "full"), ("bytes=0-3 ", part(0, 3))]:
        r(ans, range=rng)
    r("unsatisfiable", size=0, range="bytes=0-0")
    r("unsatisfiable", size=0, range="bytes=-5")
    # If-Range with an entity-tag: strong comparison only (§13.1.5, §8.8.3.2).
    r(part(0, 3), range="bytes=0-3", if_range='"v2"')
    r("full", range="bytes=0-3", if_range='"stale"', note="a stale validator: the whole new object, never its bytes spliced")
    r("full", range="bytes=0-3", if_range='W/"v2"', note="a weak tag never matches")
    r("full", etag='W/"v2"', range="bytes=0-3", if_range='W/"v2"', note="a weak current ETag never matches")
    r("full", range="bytes=0-3", if_range="v2", note="an unquoted tag is not an entity-tag")
    r("full", range="bytes=0-3", if_range='"v2", "v3"', note="If-Range holds one validator, not a list")
    r("full", range="bytes=99-", if_range='"stale"', note="Range is ignored, even an unsatisfiable one")
    r("unsatisfiable", range="bytes=99-", if_range='"v2"')
    r("full", if_range='"v2"', note="If-Range without Range is ignored")
    r(part(0, 3), if_none_match='"v1"', range="bytes=0-3", if_range='"v2"')
    # If-Range with an HTTP-date: exactly Last-Modified, and strong only once its second is over.
    r(part(0, 3), range="bytes=0-3", if_range=lm)
    r("full", range="bytes=0-3", if_range=http_date(MOD - 1000), note="an older date")
    r("full", range="bytes=0-3", if_range=http_date(MOD + 1000), note="a later date is not an exact match either")
    r("full", range="bytes=0-3", if_range=lm, now_ms=MOD + 500, note="weak while the second it names lasts (RFC 9110 8.8.2.2)")
    r("full", range="bytes=0-3", if_range=lm, now_ms=second_over - 1)
    r(part(0, 3), range="bytes=0-3", if_range=lm, now_ms=second_over)
    rfc850 = datetime.datetime.fromtimestamp(MOD // 1000, datetime.timezone.utc).strftime("%A, %d-%b-%y %H:%M:%S GMT")
    r("full", range="bytes=0-3", if_range=rfc850, note="another date format is not the Last-Modified value")
    r("full", range="bytes=0-3", if_range="yesterday")
    return c


# ---------------------------------------------------------------- policy (docs/policy.md)
# The vault API's decision, modelled here from the rules in docs/policy.md, not from the Rust:
# credentials (401; on the Worker's lifecycle routes 404 unless the caller may manage the company)
# -> target (400) -> locked (423) -> permission and scope (403) at admission, then the effect's
# answer (404, 409, 400/408/413, 500).
OPS = {
    # operation: (audit name, target kind, needs the key, lifecycle, success status)
    "health": ("health", None, False, False, 200),
    "unlock": ("unlock", None, False, False, 200),
    "lock": ("lock", None, False, False, 200),
    "passphrase-change": ("passphrase-change", None, False, False, 200),
    "secret-get": ("get", "key", True, False, 200),
    "secret-put": ("store", "key", True, False, 200),
    "secret-delete": ("delete", "key", True, False, 204),
    "secret-list": ("list", "folder", True, False, 200),
    "token-create": ("token-create", None, False, False, 201),
    "token-list": ("token-list", None, False, False, 200),
    "token-revoke": ("token-revoke", "name", False, False, 200),
    "audit-read": ("audit-read", None, False, False, 200),
    # A follower's poll (`audit --tail`): its success writes no line (docs/policy.md).
    "audit-follow": ("audit-follow", None, False, False, 200),
    "connection-create": ("connection-create", None, False, True, 201),
    "connection-list": ("connection-list", None, False, True, 200),
    "connection-get": ("connection-get", "id", False, True, 200),
    "connection-rotate": ("connection-rotate", "id", False, True, 200),
    "connection-revoke": ("connection-revoke", "id", False, True, 200),
    "connection-audit": ("connection-audit", "id", False, True, 200),
    # The console's pattern check: its success writes no line (docs/policy.md).
    "pattern-check": ("pattern-check", None, False, True, 200),
    # Network mode (seed 002): identities, orgs, projects, access requests.
    "identity-register": ("identity-register", None, False, False, 201),
    "identity-list": ("identity-list", None, False, False, 200),
    "identity-revoke": ("identity-revoke", "identity-id", False, False, 200),
    "org-create": ("org-create", None, False, False, 201),
    "project-create": ("project-create", "org", False, False, 201),
    "access-request-create": ("access-request-create", None, False, False, 201),
    "access-request-list": ("access-request-list", None, False, False, 200),
    "access-request-approve": ("access-request-approve", "ar-id", False, False, 200),
    "access-request-deny": ("access-request-deny", "ar-id", False, False, 200),
    "settings-read": ("settings-read", None, False, True, 200),
    "settings-write": ("settings-write", None, False, True, 200),
}
GOOD_TARGET = {"key": "aws/key", "folder": "aws", "name": "ci", "id": "conn_0123456789abcdef",
               "identity-id": "id_00112233445566aa", "org": "indigo", "ar-id": "ar_00112233445566bb"}
NETWORK_OPS = [o for o, v in OPS.items() if o.startswith(("identity-", "org-", "project-", "access-request-"))]
NOW = 1_700_000_000_000
# Paths the policy cases use, with check_key's answer (docs/design.md §3.1: paths.json holds the rule).
KEY_CHECK = {"aws/key": None, "gcp/key": None, "../x": "bad_path", "/abs": "bad_path", "": "bad_path",
             "a/": "bad_path", "org/indigo/project/hq-cloud/aws/key": None, "org/indigo/project/other/x": None,
             "org/acme/project/hq-cloud/x": None, "org/indigo/shared": None}


def rules(scope=(), max_uses=None, uses=0, revoked=False, expires=None):
    return {"expires_at_ms": expires, "max_uses": max_uses, "uses": uses, "revoked": revoked, "scope": list(scope)}


CALLERS = {
    "owner": "owner",
    "ci": {"managed": {"name": "ci", "rules": rules()}},
    "ci-scoped": {"managed": {"name": "ci-scoped", "rules": rules(scope=["aws/*"], max_uses=5, uses=2)}},
    "ci-revoked": {"managed": {"name": "ci-revoked", "rules": rules(revoked=True)}},
    "ci-expired": {"managed": {"name": "ci-expired", "rules": rules(expires=NOW)}},
    "ci-exhausted": {"managed": {"name": "ci-exhausted", "rules": rules(max_uses=3, uses=3)}},
    "anon-missing": {"anonymous": "missing"},
    "anon-malformed": {"anonymous": "malformed"},
    "anon-wrong-kind": {"anonymous": "wrong-kind"},
    "anon-unknown": {"anonymous": "unknown"},
    "deploy-bot": {"session": {"id": "id_00000000000000d1", "kind": "agent", "name": "deploy-bot", "expires_at_ms": NOW + 3600_000,
                               "memberships": [{"org": "indigo", "project": "hq-cloud", "role": "member"}]}},
    "auditor": {"session": {"id": "id_00000000000000a1", "kind": "agent", "name": "auditor", "expires_at_ms": NOW + 3600_000,
                            "memberships": [{"org": "indigo", "project": "hq-cloud", "role": "readonly"}]}},
    "boss": {"session": {"id": "id_00000000000000b1", "kind": "human", "name": "boss", "expires_at_ms": NOW + 3600_000,
                         "memberships": [{"org": "indigo", "project": None, "role": "admin"}]}},
    "stale": {"session": {"id": "id_00000000000000e1", "kind": "human", "name": "stale", "expires_at_ms": NOW, "memberships": []}},
    # Network mode's people and agents for the membership policy.
    "ada": {"session": {"id": "id_00000000000000ad", "kind": "human", "name": "ada", "expires_at_ms": NOW + 3600_000,
                        "memberships": [{"org": "indigo", "project": "hq-cloud", "role": "member"}]}},
    "pat": {"session": {"id": "id_00000000000000f1", "kind": "human", "name": "pat", "expires_at_ms": NOW + 3600_000,
                        "memberships": [{"org": "indigo", "project": "hq-cloud", "role": "admin"}]}},
    "bot-admin": {"session": {"id": "id_00000000000000c1", "kind": "agent", "name": "bot-admin", "expires_at_ms": NOW + 3600_000,
                              "memberships": [{"org": "indigo", "project": None, "role": "admin"}]}},
    "newbie": {"session": {"id": "id_0000000000000001", "kind": "agent", "name": "newbie", "expires_at_ms": NOW + 3600_000,
                           "memberships": []}},
    "acme-boss": {"session": {"id": "id_00000000000000ac", "kind": "human", "name": "acme-boss", "expires_at_ms": NOW + 3600_000,
                              "memberships": [{"org": "acme", "project": None, "role": "admin"}]}},
    "c1-owner": {"company-admin": {"name": "alice", "company_id": "c1", "role": "owner"}},
    "c1-admin": {"company-admin": {"name": "bob", "company_id": "c1", "role": "admin"}},
    "c1-member": {"company-admin": {"name": "carol", "company_id": "c1", "role": "member"}},
    "c2-admin": {"company-admin": {"name": "dave", "company_id": "c2", "role": "admin"}},
}
ANON_CODES = {"missing": "missing_credentials", "malformed": "malformed_credentials",
              "wrong-kind": "malformed_credentials", "unknown": "invalid_token"}


def actor(caller):
    if caller == "owner":
        return "bootstrap"
    kind, body = next(iter(caller.items()))
    if kind == "session" and body.get("id"):
        return f"{body['name']} ({body['id']})"
    return "anonymous" if kind == "anonymous" else body["name"]


def token_state(r, path=None):
    if r["revoked"]:
        return "revoked"
    if r["expires_at_ms"] is not None and NOW >= r["expires_at_ms"]:
        return "expired"
    if r["max_uses"] is not None and r["uses"] >= r["max_uses"]:
        return "exhausted"
    if path is not None and r["scope"] and not any(
            p == "*" or (p.endswith("/*") and path.startswith(p[:-1])) or p == path for p in r["scope"]):
        return "out-of-scope"
    return "ok"


def grants(session, path, write):
    parts = path.split("/")
    if len(parts) < 2 or parts[0] != "org" or not parts[1]:
        return False
    org = parts[1]
    project = parts[3] if len(parts) > 3 and parts[2] == "project" and parts[3] else None
    for m in session["memberships"]:
        if m["org"] != org:
            continue
        if m["role"] in ("owner", "admin") and (m["project"] is None or m["project"] == project):
            return True
        if m["project"] is not None and m["project"] == project and (not write or m["role"] == "member"):
            return True
    return False


RANK = {"owner": 4, "admin": 3, "member": 2, "readonly": 1}
RESERVED = ("anonymous", "bootstrap", "daemon", "unknown", "owner", "system")


def name_problem(name):
    """The token-name rule (README, wit/vault.wit), for identities, orgs and projects too."""
    if not name:
        return "empty"
    if len(name.encode()) > 63:
        return "too-long"
    if any(ch not in "abcdefghijklmnopqrstuvwxyz0123456789.-" for ch in name):
        return "bad-character"
    if not name[0].isalnum():
        return "bad-first-character"
    if name in RESERVED:
        return "reserved"
    return None


def role_over(session, org, project):
    """The highest role a session holds over an org's project (None: the org as a whole)."""
    best = None
    for m in session["memberships"]:
        if m["org"] == org and (m["project"] is None or (project is not None and m["project"] == project)):
            if best is None or RANK[m["role"]] > RANK[best]:
                best = m["role"]
    return best


def network_refusal(op, kind, body, target):
    """Network mode's step 4: the 403 code, or None (docs/policy.md, "Network mode")."""
    if op == "identity-register":
        return None if kind in ("anonymous", "owner", "session") else "forbidden"
    if op in ("identity-list", "identity-revoke"):
        return None if kind == "owner" else "owner_only"
    if op == "org-create":
        return None if kind == "owner" else "owner_only"
    if op == "project-create":
        if kind == "owner":
            return None
        if kind == "session" and body["kind"] == "human" and RANK.get(role_over(body, target, None), 0) >= 3:
            return None
        return "admin_only"
    if op == "access-request-create":
        return None if kind == "session" else "identity_only"
    if op == "access-request-list":
        return None if kind in ("owner", "session") else "identity_only"
    if op in ("access-request-approve", "access-request-deny"):
        if kind == "session":
            return None if body["kind"] == "human" else "agent_cannot_decide"
        return "human_admin_only"
    raise AssertionError(op)


def model_admit(op, caller, target, company=None, locked=False, query_problem=None):
    """(admission, None) or (None, (status, code, checked target or None))."""
    name, tkind, needs_key, lifecycle, _ = OPS[op]
    if op == "health":
        return {"target": None, "actor": actor(caller), "count_use": False, "scoped": False}, None
    kind, body = (caller, None) if caller == "owner" else next(iter(caller.items()))
    # 1. credentials; on a company's lifecycle routes, whether the caller may manage the company
    # (a company id is 1-63 of a-z 0-9 _ -): its owner, or an admin but for the company switch.
    if company is not None:
        valid = 1 <= len(company) <= 63 and all(ch in "abcdefghijklmnopqrstuvwxyz0123456789_-" for ch in company)
        ok = kind == "company-admin" and valid and body["company_id"] == company and lifecycle and (
            body["role"] == "owner" if op == "settings-write" else body["role"] in ("owner", "admin"))
        if not ok:
            return None, (404, "not_found", None)
    elif kind == "anonymous" and op == "identity-register" and body == "missing":
        pass  # anyone may register an identity's key
    elif kind == "anonymous":
        return None, (401, ANON_CODES[body], None)
    elif kind == "managed":
        st = token_state(body["rules"])
        if st != "ok":
            return None, (401, "token_" + st, None)
    elif kind == "session" and NOW >= body["expires_at_ms"]:
        return None, (401, "session_expired", None)
    elif kind == "company-admin":
        return None, (403, "forbidden", None)
    # 2. target: first the query string, then what the URL names
    if query_problem is not None:
        return None, (400, "bad_query", None)
    checked = None
    if tkind == "key":
        if KEY_CHECK[target or ""] is not None:
            return None, (400, "bad_path", None)
        checked = target
    elif tkind == "folder":
        checked = "" if not target else (target if target.endswith("/") else target + "/")
        if checked and ("*" in checked or ".." in checked.split("/") or checked.startswith("/")):
            return None, (400, "bad_path", None)
    elif tkind == "name":
        if not target or len(target.encode()) > 256 or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
            return None, (400, "bad_name", None)
        checked = target
    elif tkind == "id":
        hexpart = (target or "")[5:]
        if not (target or "").startswith("conn_") or not 8 <= len(hexpart) <= 64 or any(ch not in "0123456789abcdef" for ch in hexpart):
            return None, (400, "bad_connection_id", None)
        checked = target
    elif tkind in ("identity-id", "ar-id"):
        prefix = "id_" if tkind == "identity-id" else "ar_"
        hexpart = (target or "")[3:]
        if not (target or "").startswith(prefix) or not 16 <= len(hexpart) <= 64 or any(ch not in "0123456789abcdef" for ch in hexpart):
            return None, (400, "bad_identity_id" if tkind == "identity-id" else "bad_request_id", None)
        checked = target
    elif tkind == "org":
        if name_problem(target or "") is not None:
            return None, (400, "bad_name", None)
        checked = target
    secret_path = checked if tkind in ("key", "folder") else None
    # 3. locked
    if locked and needs_key:
        return None, (423, "locked", secret_path)
    # 4. permission and scope
    count_use = scoped = False
    if company is not None:
        pass  # decided with the credentials
    elif op in ("settings-read", "settings-write"):
        return None, (404, "not_found", None)
    elif op in NETWORK_OPS:
        refused = network_refusal(op, kind, body, checked)
        if refused is not None:
            return None, (403, refused, None)
        scoped = op == "access-request-list" and kind == "session"
    elif kind == "managed":
        if op == "secret-get":
            if token_state(body["rules"], checked) != "ok":
                return None, (403, "out_of_scope", secret_path)
            count_use = True
        elif op == "secret-list":
            scoped = True
        else:
            return None, (403, "owner_only", secret_path)
    elif kind == "session":
        if op in ("secret-get", "secret-put", "secret-delete"):
            if not grants(body, checked, op != "secret-get"):
                return None, (403, "forbidden", secret_path)
        elif op == "secret-list":
            scoped = True
        else:
            return None, (403, "owner_only", secret_path)
    return {"target": checked, "actor": actor(caller), "count_use": count_use, "scoped": scoped}, None


def outcome_of(status):
    if 200 <= status < 300:
        return "allowed"
    return "denied" if status in (401, 403, 423) else "failed"


# Every event carries the request's time, id and source, whatever the decision.
REQ_FIELDS = {"time_ms": NOW, "request_id": "req_v", "source_ip": "192.0.2.7"}


def prq(op, caller, target=None, company=None, locked=False, query_problem=None):
    return {"operation": op, "caller": CALLERS[caller] if isinstance(caller, str) else caller, "target": target,
            "company": company, "query_problem": query_problem, "locked": locked, "time_ms": NOW, "request_id": "req_v", "source_ip": "192.0.2.7"}


def refusal_view(op, caller_v, status, code, path):
    return {"status": status, "code": code, "summarized": actor(caller_v) == "anonymous",
            "headers": [["WWW-Authenticate", "Bearer"]] if status == 401 else [],
            "audit": None if op == "health" else {
                "actor": actor(caller_v), "operation": OPS[op][0], "path": path, "outcome": outcome_of(status),
                "status": status, "reason": code, **REQ_FIELDS}}


def admit_case(op, caller, target=None, company=None, locked=False, note=None, query_problem=None):
    req = prq(op, caller, target, company, locked, query_problem)
    adm, ref_ = model_admit(op, req["caller"], target, company, locked, query_problem)
    want = {"admitted": adm} if adm else refusal_view(op, req["caller"], *ref_)
    c = {"fn": "admit", "request": req, "expect": want}
    if note:
        c["note"] = note
    return c


EFFECTS = {  # effect -> (status, code); None: the operation's success status
    "done": None, "created": (201, None), "replaced": (200, None), "not-found": (404, "not_found"),
    "exists": (409, "exists"), "name-taken": (409, "name_taken"), "connection-revoked": (409, "revoked"),
    "tampered": (409, "tampered"), "wrong-passphrase": (401, "wrong_passphrase"),
    "locked-meanwhile": (409, "locked_meanwhile"), "locked": (423, "locked"), "not-initialized": (409, "not_initialized"),
    "already-decided": (409, "already_decided"), "key-taken": (409, "key_taken"),
}
REFUSAL_CODES = {"agent-cannot-decide": "agent_cannot_decide", "own-request": "own_request",
                 "not-org-admin": "not_org_admin", "role-above-approver": "role_above_approver"}
INPUT = {"bad-json": (400, "bad_json"), "body-too-large": (413, "body_too_large"), "body-timeout": (408, "request_timeout"),
         "bad-query": (400, "bad_query"), "bad-value": (400, "bad_value"), "value-too-large": (413, "value_too_large"),
         "bad-type": (400, "bad_type"), "bad-description": (400, "bad_description"), "bad-name": (400, "bad_name"),
         "bad-ttl": (400, "bad_ttl"), "bad-max-uses": (400, "bad_max_uses"), "bad-prefix": (400, "bad_prefix"),
         "bad-patterns": (400, "bad_patterns"), "bad-mechanism": (400, "bad_mechanism"),
         "weak-passphrase": (400, "weak_passphrase"), "bad-cursor": (400, "bad_cursor"),
         "bad-public-key": (400, "bad_public_key"), "bad-role": (400, "bad_role"), "bad-justification": (400, "bad_justification")}


def conclude_case(op, caller, effect, target=None, subject=None, company=None):
    req = prq(op, caller, target, company)
    adm, _ = model_admit(op, req["caller"], target, company)
    assert adm is not None, (op, caller)
    if isinstance(effect, dict) and "bad-input" in effect:
        status, code = INPUT[effect["bad-input"]["kind"]]
    elif isinstance(effect, dict) and "not-permitted" in effect:
        status, code = 403, REFUSAL_CODES[effect["not-permitted"]]
    elif isinstance(effect, dict):
        status, code = 500, "internal"
    else:
        status, code = EFFECTS[effect] or (OPS[op][4], None)
    secret_path = adm["target"] if OPS[op][1] in ("key", "folder") else None
    if code is None:
        reason = None
        named = subject if subject is not None else adm["target"]
        if op in ("token-create", "token-revoke") and named is not None:
            reason = "name=" + named
        elif (OPS[op][3] or op in NETWORK_OPS) and named is not None:
            reason = named
        # `health` and a follower's poll are the successes that write no line.
        audit = None if op in ("health", "audit-follow", "pattern-check") else {"actor": adm["actor"], "operation": OPS[op][0], "path": secret_path,
                                              "outcome": "allowed", "status": status, "reason": reason, **REQ_FIELDS}
        want = {"status": status, "code": "", "summarized": False, "headers": [], "audit": audit}
    else:
        want = refusal_view(op, req["caller"], status, code, secret_path)
        want["summarized"] = False
    return {"fn": "conclude", "request": req, "effect": effect, "subject": subject, "expect": want}


def policy_cases():
    c = []
    daemon_callers = ["owner", "ci", "ci-scoped", "ci-revoked", "ci-expired", "ci-exhausted", "anon-missing",
                      "anon-malformed", "anon-wrong-kind", "anon-unknown", "deploy-bot", "stale", "c1-admin"]
    # Every operation, every kind of caller, on the daemon, with a good target.
    for op, (_, tkind, _, _, _) in OPS.items():
        for who in daemon_callers:
            c.append(admit_case(op, who, GOOD_TARGET.get(tkind)))
    # Locked: 423 for operations that need the key, after credentials and target, before scope.
    for op in ("secret-get", "secret-put", "secret-delete", "secret-list", "token-list", "unlock", "lock"):
        for who in ("owner", "ci-scoped", "anon-missing"):
            c.append(admit_case(op, who, GOOD_TARGET.get(OPS[op][1]), locked=True))
    c.append(admit_case("secret-get", "ci-scoped", "gcp/key", locked=True, note="locked comes before scope"))
    c.append(admit_case("secret-get", "owner", "../x", locked=True, note="the path comes before locked"))
    # Targets: bad paths, names and ids are 400s, after credentials.
    for op in ("secret-get", "secret-put", "secret-delete"):
        for t in ("../x", "/abs", "", "a/"):
            c.append(admit_case(op, "owner", t))
        c.append(admit_case(op, "anon-missing", "../x", note="credentials come before the path"))
    for t in ("myapp", "myapp/", "", "a/../b", "/abs", "a*", "myapp/*", "*"):
        c.append(admit_case("secret-list", "owner", t))
    for t in ("ci", "", "x" * 257, "a\u0001b", "Legacy_Name"):
        c.append(admit_case("token-revoke", "owner", t))
    for t in ("conn_0123456789abcdef", "conn_XYZ", "abc", "conn_", "conn_" + "a" * 65, "conn_../x"):
        c.append(admit_case("connection-get", "owner", t))
    # A query string that cannot be read is a 400 at the target step: after credentials, before locked.
    for op, who, locked in [("secret-list", "owner", True), ("secret-list", "owner", False), ("secret-list", "anon-missing", True),
                            ("audit-read", "owner", False), ("audit-follow", "owner", False), ("secret-get", "ci-scoped", True), ("token-list", "ci", False)]:
        c.append(admit_case(op, who, GOOD_TARGET.get(OPS[op][1]), locked=locked, query_problem="a query parameter is given twice"))
    # Scope: a scoped token reads inside its folder only; counts the use; lists filtered.
    for t in ("aws/key", "gcp/key"):
        c.append(admit_case("secret-get", "ci-scoped", t))
        c.append(admit_case("secret-put", "ci-scoped", t))
    c.append(admit_case("secret-list", "ci-scoped", "gcp"))
    # Network mode: roles over org/<org>/project/<project>/.
    for who in ("deploy-bot", "auditor", "boss", "pat"):
        for t in ("org/indigo/project/hq-cloud/aws/key", "org/indigo/project/other/x", "org/acme/project/hq-cloud/x", "aws/key",
                  "org/indigo/shared"):
            for op in ("secret-get", "secret-put", "secret-delete"):
                c.append(admit_case(op, who, t))
    # The Worker's lifecycle routes: only the company's owner or admins; everyone else a 404.
    for op in [o for o, v in OPS.items() if v[3]]:
        for who in ("c1-owner", "c1-admin", "c1-member", "c2-admin", "owner", "anon-missing", "ci"):
            c.append(admit_case(op, who, GOOD_TARGET.get(OPS[op][1]), company="c1"))
    # Whoever may not manage the company gets the 404 before the target is looked at; its admins
    # get the target's 400.
    for op in ("connection-get", "connection-rotate", "connection-revoke", "connection-audit"):
        for who in ("c1-admin", "c1-member", "c2-admin", "anon-unknown"):
            c.append(admit_case(op, who, "conn_../x", company="c1"))
    # A company that is no company id (upper case, a slash, empty, over 63 bytes) is nobody's, even
    # an admin credential's that names it.
    for company in ("C1", "c1/x", "", "c" * 64, "c" * 63):
        who = {"company-admin": {"name": "erin", "company_id": company, "role": "owner"}}
        for op in ("connection-list", "settings-write"):
            c.append(admit_case(op, who, company=company))
    # Effects.
    for op, effect, who, target, subject in [
        ("secret-put", "created", "owner", "aws/key", None), ("secret-put", "replaced", "owner", "aws/key", None),
        ("secret-put", "exists", "owner", "aws/key", None), ("secret-get", "done", "owner", "aws/key", None),
        ("secret-get", "done", "ci-scoped", "aws/key", None), ("secret-get", "not-found", "ci-scoped", "aws/key", None),
        ("secret-get", "tampered", "owner", "aws/key", None), ("secret-get", "locked", "owner", "aws/key", None),
        ("secret-delete", "done", "owner", "aws/key", None), ("secret-delete", "not-found", "owner", "aws/key", None),
        ("secret-list", "done", "owner", "myapp", None), ("secret-list", "done", "ci-scoped", "", None),
        ("token-create", "done", "owner", None, "deploy"), ("token-create", "name-taken", "owner", None, "deploy"),
        ("token-revoke", "done", "owner", "ci", None), ("token-revoke", "not-found", "owner", "ci", None),
        ("token-list", "done", "owner", None, None), ("audit-read", "done", "owner", None, None),
        ("audit-follow", "done", "owner", None, None),
        ("unlock", "done", "owner", None, None), ("unlock", "wrong-passphrase", "owner", None, None),
        ("unlock", "locked-meanwhile", "owner", None, None), ("unlock", "not-initialized", "owner", None, None),
        ("lock", "done", "owner", None, None), ("passphrase-change", "wrong-passphrase", "owner", None, None),
        ("passphrase-change", "done", "owner", None, None), ("health", "done", "anon-missing", None, None),
        ("connection-create", "done", "owner", None, "conn_00000000000000aa"), ("connection-create", "name-taken", "owner", None, "reports"),
        ("connection-rotate", "done", "owner", "conn_0123456789abcdef", None),
        ("connection-rotate", "connection-revoked", "owner", "conn_0123456789abcdef", None),
        ("connection-revoke", "done", "owner", "conn_0123456789abcdef", None),
        ("connection-get", "not-found", "owner", "conn_0123456789abcdef", None),
        ("connection-list", "done", "c1-admin", None, None), ("settings-write", "done", "c1-owner", None, None),
        ("pattern-check", "done", "c1-admin", None, None),
    ]:
        company = "c1" if who.startswith("c1") else None
        c.append(conclude_case(op, who, effect, target, subject, company))
    for kind in INPUT:
        op = {"bad-value": "secret-put", "value-too-large": "secret-put", "bad-type": "secret-put",
              "bad-description": "secret-put", "bad-name": "token-create", "bad-ttl": "token-create",
              "bad-max-uses": "token-create", "bad-prefix": "token-create", "bad-patterns": "connection-create",
              "bad-mechanism": "connection-create", "weak-passphrase": "passphrase-change",
              "bad-cursor": "connection-audit", "bad-public-key": "identity-register",
              "bad-role": "access-request-create", "bad-justification": "access-request-create"}.get(kind, "secret-put")
        target = GOOD_TARGET.get(OPS[op][1])
        who = "deploy-bot" if op == "access-request-create" else "owner"
        c.append(conclude_case(op, who, {"bad-input": {"kind": kind, "detail": "what is wrong", "rejections": []}}, target))
    c.append(conclude_case("secret-put", "owner", {"failed": "writing vault.db"}, "aws/key"))
    # A follower's refused poll is audited like any refusal.
    c.append(conclude_case("audit-follow", "owner", {"bad-input": {"kind": "bad-query", "detail": "after", "rejections": []}}))
    c.append(conclude_case("audit-follow", "owner", {"failed": "reading audit.log"}))
    # Credentials: the reference of a vault or session token; why not, otherwise.
    vt, vs, xc = token("hqvt_", R1), token("hqvs_", R2), token("hqxc_", R3)
    for auth, want in [(None, err("missing")), ("Bearer " + vt, ok(ref(vt))), ("bearer  " + vs, ok(ref(vs))),
                       ("Bearer " + xc, err("wrong-kind")), ("Bearer " + vt[:-1] + ("A" if vt[-1] != "A" else "B"), err("malformed")),
                       ("Basic " + vt, err("malformed")), ("Bearer", err("malformed")), ("Bearer hqvt_short", err("malformed")),
                       ("Bearer " + vt + " extra", err("malformed")), ("", err("malformed"))]:
        c.append({"fn": "credential", "authorization": auth, "expect": want})
    # Visibility in a scoped listing.
    for who, path, want in [("ci-scoped", "aws/key", True), ("ci-scoped", "gcp/key", False), ("owner", "gcp/key", True),
                            ("deploy-bot", "org/indigo/project/hq-cloud/a", True), ("deploy-bot", "org/indigo/project/x/a", False),
                            ("auditor", "org/indigo/project/hq-cloud/a", True), ("boss", "org/indigo/project/any/a", True),
                            ("boss", "org/acme/project/any/a", False), ("anon-missing", "aws/key", False)]:
        c.append({"fn": "visible", "caller": CALLERS[who], "path": path, "time_ms": NOW, "expect": want})
    # A managed token's create request.
    for name, ttl, mx, prefixes, want in [
        ("deploy", None, None, [], ok(rules())),
        ("deploy", "1h", 3, ["aws"], ok(rules(scope=["aws/*"], max_uses=3, expires=NOW + 3600_000))),
        ("deploy", None, None, ["aws/", "gcp/*"], ok(rules(scope=["aws/*", "gcp/*"]))),
        ("deploy", None, None, ["*"], ok(rules(scope=["*"]))),
        ("Deploy", None, None, [], err("bad-name")), ("bootstrap", None, None, [], err("bad-name")),
        ("", None, None, [], err("bad-name")), ("deploy", "soon", None, [], err("bad-ttl")),
        ("deploy", None, 0, [], err("bad-max-uses")), ("deploy", None, None, ["../x"], err("bad-prefix")),
        ("deploy", None, None, ["/abs"], err("bad-prefix")),
        # A prefix is a folder: a `*` that does not follow a `/` would match `myappx/` as well.
        ("deploy", None, None, ["myapp*"], err("bad-prefix")), ("deploy", None, None, ["aws", "gcp*"], err("bad-prefix")),
        ("deploy", None, None, [""], err("bad-prefix")), ("deploy", None, None, ["a/b/*"], ok(rules(scope=["a/b/*"]))),
        # `**`, a `*` inside, `.` and a leading space are no folders either.
        ("deploy", None, None, ["aws/**"], err("bad-prefix")), ("deploy", None, None, ["a*b"], err("bad-prefix")),
        ("deploy", None, None, ["."], err("bad-prefix")), ("deploy", None, None, [" aws"], err("bad-prefix")),
        ("deploy", None, None, ["**"], err("bad-prefix")),
    ]:
        c.append({"fn": "check-token-request", "name": name, "ttl": ttl, "max_uses": mx, "prefixes": prefixes,
                  "now_ms": NOW, "expect": want})
    for name, mech, pats, want in [
        ("agent", None, ["knowledge/*"], ok(["knowledge/*"])), ("agent", "api_key", ["b/*", "a/*", "b/*"], ok(["a/*", "b/*"])),
        ("agent", None, ["knowledge/"], ok(["knowledge/*"])), ("agent", None, [], err("bad-patterns")),
        ("agent", None, ["../x", "ok/*", "/abs"], {"error": {"kind": "bad-patterns", "rejected": [0, 2]}}), ("", None, ["a/*"], err("bad-name")),
        ("   ", None, ["a/*"], err("bad-name")), ("x" * 129, None, ["a/*"], err("bad-name")),
        ("agent", "password", ["a/*"], err("bad-mechanism")), ("agent", "agent_identity", ["a/*"], ok(["a/*"])), ("agent", "Agent_Identity", ["a/*"], err("bad-mechanism")),
        # A name never reads as another: no spaces around it, not the form of an id.
        ("docs-bot ", None, ["a/*"], err("bad-name")), (" docs-bot", None, ["a/*"], err("bad-name")),
        ("conn_0123456789abcdef", None, ["a/*"], err("bad-name")), ("CONN_0123456789ABCDEF", None, ["a/*"], err("bad-name")),
        ("conn_docs", None, ["a/*"], ok(["a/*"])), ("docs bot", None, ["a/*"], ok(["a/*"])),
        ("docs  bot", None, ["a/*"], err("bad-name")), ("docs\u200bbot", None, ["a/*"], err("bad-name")),
        ("docs\u00a0bot", None, ["a/*"], err("bad-name")), ("caf\u00e9 bot", None, ["a/*"], ok(["a/*"])),
    ]:
        if "error" in want and isinstance(want["error"], str):
            want = {"error": {"kind": want["error"], "rejected": []}}
        c.append({"fn": "check-connection-request", "name": name, "mechanism": mech, "patterns": pats, "expect": want})
    # One name, one active connection, letter case aside (a person types `docs-bot` for `Docs-Bot`).
    for name, active, want in [
        ("docs-bot", [], False), ("docs-bot", ["docs-bot"], True), ("Docs-Bot", ["docs-bot"], True),
        ("docs-bot", ["DOCS-BOT", "other"], True), ("docs-bot", ["docs-bot2", "docs"], False),
        ("café", ["CAFÉ"], True), ("docs bot", ["docs-bot"], False),
    ]:
        c.append({"fn": "connection-name-taken", "name": name, "active": active, "expect": want})
    c.extend(network_cases())
    return c


# ---------------------------------------------------------------- identity (docs/design.md §3.6)
# Ed25519 arithmetic for the model of public-key checks (RFC 8032 §5.1): a key is refused when it
# decodes to no point of the curve, or to a point of small order (8·P is the identity).
ED_P = 2 ** 255 - 19
ED_D = -121665 * pow(121666, ED_P - 2, ED_P) % ED_P


def ed_decode(b):
    y = int.from_bytes(b, "little") & ((1 << 255) - 1)
    sign = b[31] >> 7
    if y >= ED_P:
        return None
    u, v = (y * y - 1) % ED_P, (ED_D * y * y + 1) % ED_P
    x = (u * pow(v, 3, ED_P) * pow(u * pow(v, 7, ED_P), (ED_P - 5) // 8, ED_P)) % ED_P
    if (v * x * x - u) % ED_P != 0:
        x = x * pow(2, (ED_P - 1) // 4, ED_P) % ED_P
        if (v * x * x - u) % ED_P != 0:
            return None
    if x & 1 != sign:
        x = ED_P - x
    return (x % ED_P, y)


def ed_add(a, b):
    (x1, y1), (x2, y2) = a, b
    t = ED_D * x1 * x2 * y1 * y2 % ED_P
    return ((x1 * y2 + x2 * y1) * pow(1 + t, ED_P - 2, ED_P) % ED_P, (y1 * y2 + x1 * x2) * pow(1 - t, ED_P - 2, ED_P) % ED_P)


def key_check(text):
    try:
        b = base64.b64decode(text.encode(), validate=True)
    except Exception:
        return err("not-base64")
    if base64.b64encode(b).decode() != text:
        return err("not-base64")
    if len(b) != 32:
        return err("wrong-length")
    pt = ed_decode(b)
    if pt is None:
        return err("weak-key")
    q = pt
    for _ in range(3):
        q = ed_add(q, q)
    return err("weak-key") if q == (0, 1) else ok(b.hex())


CID = "conn_0123456789abcdef"


def agent_key(seed):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed).digest())


def pub(sk):
    return sk.public_key().public_bytes_raw()


def id_conn(sk=None, status="active", enabled=True, cid=CID):
    """An identity-connection: an agent identity with sk's public key, or (sk None) an API-key one."""
    key_ref = hashlib.sha256(pub(sk)).hexdigest() if sk else ref(KEY1)
    rec = {"id": cid, "company_id": "acme", "status": status, "key_ref": key_ref, "patterns": ["knowledge/*"],
           "company_enabled": enabled}
    return {"record": rec, "public_key": pub(sk).hex() if sk else None}


def is_identity_id(s):
    h = s[3:] if s.startswith("id_") else None
    return h is not None and 16 <= len(h) <= 64 and all(ch in "0123456789abcdef" for ch in h)


def is_connection_id(s):
    h = s[5:] if s.startswith("conn_") else None
    return h is not None and 8 <= len(h) <= 64 and all(ch in "0123456789abcdef" for ch in h)


def auth_model(op, req, conn, nonce=None):
    """The answer to a challenge (op `auth-challenge`) or a verify (`auth-verify`), from §3.6."""
    cid, t = req["connection_id"], req["time_ms"]
    network = req.get("network", False)
    id_ok = is_identity_id(cid) if network else is_connection_id(cid)
    name = conn.get("name") if (network and conn is not None and conn["record"]["id"] == cid) else None
    actor = (f"{name} ({cid})" if name else cid) if id_ok else "unknown"

    def answer(status, code):
        outcome = "allowed" if status == 200 else "failed" if status == 400 else "denied"
        return {"status": status, "code": code,
                "audit": {"outcome": outcome, "actor": actor, "operation": op, "reason": code or None, "status": status}}

    if not id_ok:
        return answer(400, "bad_identity_id" if network else "bad_connection_id")
    if req.get("authorization") is not None:
        return answer(400, "unexpected_credentials")
    if network:
        # Network mode (docs/design.md §5): the server keeps only the key's reference; verify
        # takes the key and checks its reference.
        if conn is None or conn["record"]["id"] != cid or conn["record"]["status"] == "revoked":
            return answer(403, "invalid_identity")
        if op == "auth-verify":
            if req.get("public_key") is None:
                return answer(400, "bad_request")
            checked = key_check(req["public_key"])
            if "error" in checked:
                return answer(400, "bad_public_key")
            if hashlib.sha256(bytes.fromhex(checked["ok"])).hexdigest() != conn["record"]["key_ref"]:
                return answer(403, "invalid_identity")
            conn = dict(conn, public_key=checked["ok"])
    elif conn is None or conn["record"]["id"] != cid or conn["public_key"] is None or conn["record"]["status"] == "revoked":
        return answer(403, "invalid_identity")
    elif not conn["record"]["company_enabled"]:
        return answer(403, "connections_disabled")
    if op == "auth-challenge":
        return dict(answer(200, ""), nonce={"base64_bytes": 32, "connection_id": cid, "expires_at_ms": t + 60_000, "used": False})
    sent, sig = req.get("nonce"), req.get("signature")
    if sent is None or sig is None:
        return answer(400, "bad_request")
    if nonce is None or nonce["connection_id"] != cid or nonce["nonce"] != sent:
        return answer(403, "unknown_nonce")
    if nonce["used"]:
        return answer(403, "nonce_used")
    if t >= nonce["expires_at_ms"]:
        return answer(403, "nonce_expired")
    try:
        raw = base64.b64decode(sig.encode(), validate=True)
        assert base64.b64encode(raw).decode() == sig
    except Exception:
        return answer(400, "bad_signature")
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    pk = bytes.fromhex(conn["public_key"])
    try:
        Ed25519PublicKey.from_public_bytes(pk).verify(raw, ("hq-vault-auth-v1" + sent + cid).encode())
    except InvalidSignature:
        return answer(403, "bad_signature")
    return dict(answer(200, ""), session={"token_kind": "session-token", "reference_is_the_tokens": True, "connection_id": cid,
                                          "key_ref": hashlib.sha256(pk).hexdigest(), "expires_at_ms": t + 3_600_000})


def session_model(req, session, rec):
    """gate.decide-session (§3.3 and §3.6): an hqvs_ session reads as its connection while both hold."""
    def deny(status, code, actor):
        headers = [["WWW-Authenticate", "Bearer"]] if status == 401 else [["Allow", "GET, HEAD"]] if status == 405 else []
        return {"status": status, "code": code, "headers": headers, "plan": None,
                "audit_outcome": "failed" if status in (400, 404) else "denied", "audit_actor": actor}
    actor = rec["id"] if rec else "unknown"
    if req["method"] not in ("GET", "HEAD"):
        return deny(405, "method_not_allowed", actor)
    tok = (req.get("authorization") or "")[len("Bearer "):]
    if tok.startswith("hqxc_"):
        if rec is None or rec["key_ref"] != ref(tok) or rec["status"] == "revoked":
            return deny(403, "invalid_key", actor)
    elif tok.startswith("hqvs_"):
        if session is not None and session["reference"] != ref(tok):
            session = None
        if session is not None and actor == "unknown":
            actor = session["connection_id"]
        if (session is None or rec is None or rec["id"] != session["connection_id"] or rec["status"] != "active"
                or rec["key_ref"] != session["key_ref"]):
            return deny(403, "invalid_session", actor)
        if req["time_ms"] >= session["expires_at_ms"]:
            return deny(401, "session_expired", actor)
    else:
        return deny(401, "malformed_credentials", actor)
    if not rec["company_enabled"]:
        return deny(403, "connections_disabled", actor)
    key = req.get("path")
    if req["route"] == "object":
        if not any(key.startswith(p[:-1]) if p.endswith("*") else key == p for p in rec["patterns"]):
            return deny(403, "forbidden_path", actor)
        plan = {"object": key}
    else:
        plan = plan_list([src(key)])
    return {"status": 200, "code": "", "headers": [], "plan": plan, "audit_outcome": "allowed", "audit_actor": actor}


def identity_cases():
    c = []
    sk, other = agent_key(b"agent"), agent_key(b"another agent")
    pk = pub(sk)
    # Public keys: standard base64 of 32 bytes that decode to a point of large order.
    texts = [base64.b64encode(pk).decode(), base64.b64encode(pub(other)).decode(), "", "not base64!",
             base64.b64encode(pk).decode().rstrip("="), base64.b64encode(pk[:31]).decode(), base64.b64encode(pk + b"\0").decode(),
             base64.b64encode(bytes(32)).decode(), base64.b64encode(bytes([1]) + bytes(31)).decode(), pk.hex(),
             " " + base64.b64encode(pk).decode()]
    # A y with no x on the curve, and the small-order points of RFC 8032's "weak keys" list.
    y = 2
    while ed_decode(y.to_bytes(32, "little")) is not None:
        y += 1
    texts.append(base64.b64encode(y.to_bytes(32, "little")).decode())
    texts.append(base64.b64encode(bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")).decode())
    urlsafe = next(k for k in (pub(agent_key(bytes([i]))) for i in range(200)) if b"+" in base64.b64encode(k) or b"/" in base64.b64encode(k))
    texts.append(base64.urlsafe_b64encode(urlsafe).decode())
    for t in texts:
        c.append({"fn": "check-public-key", "text": t, "expect": key_check(t)})
    nonce = base64.b64encode(hashlib.sha256(b"nonce").digest()).decode()
    c.append({"fn": "challenge-message", "nonce": nonce, "connection_id": CID,
              "expect": {"message": ("hq-vault-auth-v1" + nonce + CID).encode().hex()}})

    def areq(cid=CID, t=1000, auth=None, **kw):
        r = {"connection_id": cid, "network": False, "public_key": None, "nonce": None, "signature": None,
             "authorization": auth, "time_ms": t, "request_id": "req-1", "source_ip": "192.0.2.1"}
        r.update(kw)
        return r

    good = id_conn(sk)
    for req, conn, note in [
        (areq(), good, "an active agent identity gets a nonce"),
        (areq(cid="conn_1"), good, "not a connection id"),
        (areq(cid="conn_0123456789ABCDEF"), good, "upper-case hex is not a connection id"),
        (areq(auth="Bearer " + KEY1), good, "an API key presented to an identity route"),
        (areq(), None, "no such connection"),
        (areq(), id_conn(None), "an API-key connection"),
        (areq(), id_conn(sk, status="revoked"), "revoked"),
        (areq(), id_conn(sk, enabled=False), "the company switched its connections off"),
        (areq(), id_conn(sk, cid="conn_00000000000000ff"), "the host found another connection's record"),
    ]:
        c.append({"fn": "challenge", "request": req, "connection": conn, "expect": auth_model("auth-challenge", req, conn),
                  "note": note})
    fresh = {"nonce": nonce, "connection_id": CID, "expires_at_ms": 61_000, "used": False}
    msg = ("hq-vault-auth-v1" + nonce + CID).encode()
    sig = base64.b64encode(sk.sign(msg)).decode()
    flipped = bytearray(sk.sign(msg))
    flipped[10] ^= 1
    for req, n, conn, note in [
        (areq(nonce=nonce, signature=sig), fresh, good, "a good answer gets a session bound to the key"),
        (areq(nonce=nonce, signature=sig, t=60_999), fresh, good, "the last millisecond of the nonce"),
        (areq(nonce=nonce, signature=sig, t=61_000), fresh, good, "an expired nonce"),
        (areq(nonce=nonce, signature=sig), dict(fresh, used=True), good, "a replayed nonce"),
        (areq(nonce=nonce, signature=sig), None, good, "a nonce never issued"),
        (areq(nonce=nonce, signature=sig), dict(fresh, connection_id="conn_00000000000000ff"), good, "another connection's nonce"),
        (areq(nonce=nonce[:-2] + "A=", signature=sig), fresh, good, "a nonce that differs from the stored one"),
        (areq(nonce=nonce, signature=base64.b64encode(other.sign(msg)).decode()), fresh, good, "another key's signature"),
        (areq(nonce=nonce, signature=base64.b64encode(bytes(flipped)).decode()), fresh, good, "a flipped bit"),
        (areq(nonce=nonce, signature=base64.b64encode(sk.sign(b"hq-vault-auth-v1" + nonce.encode() + b"conn_00000000000000ff")).decode()),
         fresh, good, "signed for another connection"),
        (areq(nonce=nonce, signature=base64.b64encode(sk.sign(msg)[:63]).decode()), fresh, good, "a 63-byte signature"),
        (areq(nonce=nonce, signature="not base64!"), fresh, good, "a signature that is not base64"),
        (areq(nonce=nonce, signature=sk.sign(msg).hex()), fresh, good, "a hex signature"),
        (areq(nonce=nonce), fresh, good, "no signature"),
        (areq(signature=sig), fresh, good, "no nonce"),
        (areq(nonce=nonce, signature=sig, auth="Bearer " + KEY1), fresh, good, "an API key presented to verify"),
        (areq(nonce=nonce, signature=sig), fresh, id_conn(other), "the connection was rotated to another key"),
        (areq(nonce=nonce, signature=sig), fresh, id_conn(sk, status="revoked"), "revoked after the challenge"),
        (areq(nonce=nonce, signature=sig), fresh, id_conn(None), "an API-key connection"),
    ]:
        c.append({"fn": "verify", "request": req, "nonce": n, "connection": conn,
                  "expect": auth_model("auth-verify", req, conn, n), "note": note})
    sess_tok = token("hqvs_", R2)
    S = {"reference": ref(sess_tok), "connection_id": "conn_1", "key_ref": REC["key_ref"], "expires_at_ms": 3_601_000}
    auth = "Bearer " + sess_tok
    for req, sess, rec, note in [
        (rq(path="knowledge/a.md", auth=auth), S, REC, "a session reads as its connection"),
        (rq(route="list", path="knowledge/", auth=auth), S, REC, "and lists"),
        (rq(path="projects/other.md", auth=auth), S, REC, "with the connection's patterns"),
        (rq(path="knowledge/a.md", auth=auth), None, REC, "an unknown session"),
        (rq(path="knowledge/a.md", auth=auth), None, None, "an unknown session, no record"),
        (rq(path="knowledge/a.md", auth=auth), S, None, "the connection is gone"),
        (rq(path="knowledge/a.md", auth=auth), dict(S, reference=ref(token("hqvs_", R1))), REC, "another session's record"),
        (rq(path="knowledge/a.md", auth=auth), S, dict(REC, status="revoked"), "revoke ends every session at once"),
        (rq(path="knowledge/a.md", auth=auth), S, dict(REC, key_ref=ref(token("hqxc_", R1))), "rotate ends the session"),
        (rq(path="knowledge/a.md", auth=auth), S, dict(REC, id="conn_2"), "the record of another connection"),
        (rq(path="knowledge/a.md", auth=auth, time_ms=3_600_999), S, REC, "the last millisecond of the session"),
        (rq(path="knowledge/a.md", auth=auth, time_ms=3_601_000), S, REC, "an expired session"),
        (rq(path="knowledge/a.md", auth=auth), S, dict(REC, company_enabled=False), "the company switch"),
        (rq(path="knowledge/a.md"), None, REC, "an hqxc_ key is decided as by decide"),
        (rq(path="knowledge/a.md"), S, dict(REC, status="revoked"), "a revoked key"),
        (rq(path="knowledge/a.md", auth="Bearer " + VT1), S, REC, "a vault token is no connection credential"),
        (rq("POST", path="knowledge/a.md", auth=auth), S, REC, "read-only"),
    ]:
        c.append({"fn": "decide-session", "request": req, "session": sess, "record": rec,
                  "expect": session_model(req, sess, rec), "note": note})
    # Network mode's login (docs/design.md §5): the same messages and signatures, an identity id,
    # and a server that keeps only the public key's reference, so verify takes the key.
    IID = "id_00112233445566aa"
    pk64, other64 = base64.b64encode(pk).decode(), base64.b64encode(pub(other)).decode()
    ident = {"record": {"id": IID, "company_id": "", "status": "active", "key_ref": hashlib.sha256(pk).hexdigest(),
                        "patterns": [], "company_enabled": True}, "public_key": None, "name": "deploy-bot"}
    nreq = lambda **kw: areq(cid=IID, network=True, **kw)  # noqa: E731
    for req, conn, note in [
        (nreq(), ident, "an active identity gets a nonce"),
        (areq(cid=CID, network=True), ident, "a connection id is no identity id"),
        (areq(cid="id_00", network=True), ident, "too short"),
        (nreq(auth="Bearer " + VT1), ident, "a credential presented to a login route"),
        (nreq(), None, "no such identity"),
        (nreq(), dict(ident, record=dict(ident["record"], status="revoked")), "a revoked identity"),
        (nreq(), dict(ident, record=dict(ident["record"], id="id_00112233445566ff")), "another identity's record"),
    ]:
        c.append({"fn": "challenge", "request": req, "connection": conn, "expect": auth_model("auth-challenge", req, conn),
                  "note": note})
    nmsg = ("hq-vault-auth-v1" + nonce + IID).encode()
    nsig = base64.b64encode(sk.sign(nmsg)).decode()
    nfresh = {"nonce": nonce, "connection_id": IID, "expires_at_ms": 61_000, "used": False}
    for req, n, conn, note in [
        (nreq(nonce=nonce, signature=nsig, public_key=pk64), nfresh, ident, "a good answer with the identity's key"),
        (nreq(nonce=nonce, signature=nsig), nfresh, ident, "no public key"),
        (nreq(nonce=nonce, signature=nsig, public_key="AAAA"), nfresh, ident, "a public key that is no key"),
        (nreq(nonce=nonce, signature=base64.b64encode(other.sign(nmsg)).decode(), public_key=other64), nfresh, ident,
         "another key pair, its own signature: not the identity's key"),
        (nreq(nonce=nonce, signature=base64.b64encode(other.sign(nmsg)).decode(), public_key=pk64), nfresh, ident,
         "another key's signature with the identity's key"),
        (nreq(nonce=nonce, signature=nsig, public_key=pk64), dict(nfresh, used=True), ident, "a replayed nonce"),
        (nreq(nonce=nonce, signature=nsig, public_key=pk64, t=61_000), nfresh, ident, "an expired nonce"),
        (nreq(nonce=nonce, signature=sig, public_key=pk64), nfresh, ident, "signed for a connection id, not the identity's"),
        (nreq(nonce=nonce, signature=nsig, public_key=pk64), dict(nfresh, connection_id=CID), ident, "a connection's nonce"),
        (nreq(nonce=nonce, signature=nsig, public_key=pk64), nfresh, dict(ident, record=dict(ident["record"], status="revoked")),
         "revoked after the challenge"),
        (areq(nonce=nonce, signature=sig, public_key=pk64), fresh, good, "a public key sent to a connection's verify is not looked at"),
    ]:
        c.append({"fn": "verify", "request": req, "nonce": n, "connection": conn,
                  "expect": auth_model("auth-verify", req, conn, n), "note": note})
    return c



def access_request(requester="id_00000000000000d1", org="indigo", project="hq-cloud", role="member", status="pending"):
    return {"id": "ar_00112233445566bb", "identity_id": requester, "org": org, "project": project, "role": role, "status": status}


def model_decide(caller, req):
    """Why `caller` may not decide `req` (None: it may), in the order written in docs/policy.md:
    not a human identity, its own request, no admin of the org or project, a role above its own."""
    kind, body = (caller, None) if caller == "owner" else next(iter(caller.items()))
    if kind != "session" or body["kind"] != "human":
        return "agent-cannot-decide"
    if body["id"] == req["identity_id"]:
        return "own-request"
    held = role_over(body, req["org"], req["project"])
    if held is None or RANK[held] < RANK["admin"]:
        return "not-org-admin"
    if RANK[req["role"]] > RANK[held]:
        return "role-above-approver"
    return None


def model_visible(caller, req):
    kind, body = (caller, None) if caller == "owner" else next(iter(caller.items()))
    if kind == "owner":
        return True
    if kind != "session":
        return False
    held = role_over(body, req["org"], req["project"])
    return body["id"] == req["identity_id"] or (body["kind"] == "human" and held is not None and RANK[held] >= RANK["admin"])


def network_cases():
    """Network mode's membership policy (seed 002; docs/policy.md, "Network mode"): who may
    register, list and revoke identities, make orgs and projects, and file, list, approve and
    deny access requests. Expectations are computed by the small models above, written from the
    rules, not from the code under test."""
    c = []
    people = ["owner", "deploy-bot", "auditor", "boss", "ada", "pat", "bot-admin", "newbie", "acme-boss", "anon-missing",
              "anon-unknown", "ci", "stale"]
    for op in NETWORK_OPS:
        for who in people:
            c.append(admit_case(op, who, GOOD_TARGET.get(OPS[op][1])))
    # Targets: malformed ids and names are 400s after the credentials, before permission.
    for op, t in [("identity-revoke", "id_XYZ"), ("identity-revoke", "id_00"), ("identity-revoke", "conn_0123456789abcdef"),
                  ("project-create", "Indigo"), ("project-create", "bootstrap"), ("project-create", "a/b"),
                  ("access-request-approve", "ar_"), ("access-request-deny", "ar_" + "0" * 65)]:
        c.append(admit_case(op, "boss", t))
        c.append(admit_case(op, "newbie", t))
    # Project creation: a human admin of that org only.
    for org in ("indigo", "acme"):
        for who in ("boss", "acme-boss", "pat", "bot-admin"):
            c.append(admit_case("project-create", who, org))
    # Deciding: every caller against requests of every shape.
    reqs = [access_request(), access_request(requester="id_00000000000000ad"), access_request(role="admin", project=None),
            access_request(role="admin"), access_request(org="acme"), access_request(role="readonly"),
            access_request(requester="id_00000000000000b1", role="admin", project=None),
            access_request(project="other")]
    for who in ("boss", "ada", "pat", "bot-admin", "deploy-bot", "acme-boss", "owner", "newbie"):
        for r in reqs:
            c.append({"fn": "decide-problem", "caller": CALLERS[who], "access_request": r, "expect": model_decide(CALLERS[who], r)})
            c.append({"fn": "access-request-visible", "caller": CALLERS[who], "access_request": r, "expect": model_visible(CALLERS[who], r)})
    # The answers of an approve or deny the host found it may not do, or found decided.
    for refusal in REFUSAL_CODES:
        c.append(conclude_case("access-request-approve", "boss", {"not-permitted": refusal}, GOOD_TARGET["ar-id"]))
    c.append(conclude_case("access-request-deny", "boss", "already-decided", GOOD_TARGET["ar-id"]))
    c.append(conclude_case("access-request-approve", "boss", "done", GOOD_TARGET["ar-id"]))
    c.append(conclude_case("access-request-approve", "boss", "not-found", GOOD_TARGET["ar-id"]))
    c.append(conclude_case("identity-register", "anon-missing", "done", None, "id_00112233445566aa"))
    c.append(conclude_case("identity-register", "owner", "name-taken", None, "deploy-bot"))
    c.append(conclude_case("identity-register", "anon-missing", "key-taken"))
    c.append(conclude_case("org-create", "owner", "done", None, "indigo"))
    c.append(conclude_case("project-create", "boss", "done", "indigo", "hq-cloud"))
    c.append(conclude_case("access-request-create", "deploy-bot", "done", None, "ar_00112233445566bb"))
    c.append(conclude_case("identity-revoke", "owner", "done", GOOD_TARGET["identity-id"]))
    # Registration, names and access request bodies.
    key = base64.b64encode(bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")).decode()
    key_ref = hashlib.sha256(bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")).hexdigest()
    for name, kind, pk, want in [
        ("deploy-bot", "agent", key, {"ok": {"kind": "agent", "key_ref": key_ref}}),
        ("ada", "human", key, {"ok": {"kind": "human", "key_ref": key_ref}}),
        ("Deploy", "agent", key, {"error": "bad-name"}), ("bootstrap", "agent", key, {"error": "bad-name"}),
        ("", "agent", key, {"error": "bad-name"}), ("x" * 64, "agent", key, {"error": "bad-name"}),
        ("bot", "robot", key, {"error": "bad-type"}), ("bot", "agent", "AAAA", {"error": "bad-public-key"}),
        ("bot", "agent", key[:-4], {"error": "bad-public-key"}), ("bot", "agent", "", {"error": "bad-public-key"}),
    ]:
        c.append({"fn": "check-identity-registration", "name": name, "kind": kind, "public_key": pk, "expect": want})
    for name in ("indigo", "hq-cloud", "a", "Indigo", "", "owner", "a b", "x" * 64, "-x"):
        p = name_problem(name)
        c.append({"fn": "check-org-name", "name": name, "expect": {"ok": None} if p is None else {"error": "bad-name"}})
    for org, project, role, why, want in [
        ("indigo", "hq-cloud", "member", "deploys", {"ok": "member"}),
        ("indigo", "hq-cloud", "readonly", "reads", {"ok": "readonly"}),
        ("indigo", None, "admin", "runs the org", {"ok": "admin"}),
        ("indigo", "hq-cloud", "admin", "runs the project", {"ok": "admin"}),
        ("indigo", None, "member", "no project", {"error": "bad-role"}),
        ("indigo", "hq-cloud", "owner", "too much", {"error": "bad-role"}),
        ("indigo", "hq-cloud", "Member", "case", {"error": "bad-role"}),
        ("Indigo", "hq-cloud", "member", "bad org", {"error": "bad-name"}),
        ("indigo", "hq cloud", "member", "bad project", {"error": "bad-name"}),
        ("indigo", "hq-cloud", "member", "", {"error": "bad-justification"}),
        ("indigo", "hq-cloud", "member", "   ", {"error": "bad-justification"}),
        ("indigo", "hq-cloud", "member", "x" * 1001, {"error": "bad-justification"}),
        ("indigo", "hq-cloud", "member", "x" * 1000, {"ok": "member"}),
        ("indigo", "hq-cloud", "member", "line one\nline two", {"ok": "member"}),
        ("indigo", "hq-cloud", "member", "bell\u0007", {"error": "bad-justification"}),
    ]:
        c.append({"fn": "check-access-request", "org": org, "project": project, "role": role, "justification": why, "expect": want})
    return c


def main():
    total = 0
    pat = pattern_cases()
    pth = path_cases()
    total += write("patterns.json", pat, "Allowlist patterns: accepted with their normalized form, or rejected with the reason.")
    total += write("paths.json", pth, "Secret paths of the local vault, strict pattern alphabet (kind path: a prefix; kind key: "
                   "one secret).")
    print(f"pattern and path cases: {len(pat) + len(pth)}")
    total += write("keys.json", key_cases(), "Object keys and listing prefixes of External Connections (any UTF-8 up to 960 bytes but "
                   "a leading /, a . or .. or empty segment, a control character; kind object-key: one object, kind object-prefix: a "
                   "listing prefix). Returned unchanged: no normalization.")
    total += write("allowlists.json", allowlist_cases(), "Whole allowlists: 1 to 64 distinct patterns after normalization.")
    total += write("allows.json", allows_cases(), "Whether normalized patterns grant a key.")
    total += write("listing.json", listing_cases(), "Listing plans: the sources to read for a prefix under the patterns.")
    total += write("tokens.json", token_cases(), "Credentials: prefix, base62 body of 32 random bytes and their CRC32, SHA-256 reference.")
    total += write("durations.json", duration_cases(), "Token TTL durations.")
    total += write("token-names.json", token_name_cases(), "Managed-token names: 1-63 bytes of a-z 0-9 . -, first a letter or digit, not a reserved actor.")
    total += write("argon2id.json", argon2_cases(), "Argon2id v1.3 known answers.")
    total += write("xchacha.json", xchacha_cases(), "XChaCha20-Poly1305 known answers (ciphertext followed by the tag).")
    total += write("ed25519.json", ed25519_cases(), "Ed25519 verification (RFC 8032 and challenge answers).")
    total += write("audit-chain.json", audit_chain_cases(), "Audit events encoded as chained JSON lines.")
    total += write("audit-verify.json", audit_verify_cases(), "Audit chain verification: intact, edited, removed, reordered.")
    total += write("audit-keyed.json", audit_keyed_cases(),
                   "Audit lines authenticated with the audit key (HMAC-SHA256 of the data key), and their verification.")
    total += write("gate.json", gate_cases(), "External Connections read decisions (status, code, plan).")
    total += write("identity.json", identity_cases(), "Agent identity (docs/design.md 3.6): public keys, the challenge "
                   "message, challenge and verify decisions (nonces single-use and 60 s, signatures), and sessions on the read "
                   "routes (1 h, bound to the connection and its key).")
    total += write("reads.json", read_cases(), "Answers to a read of one object: If-None-Match, then Range as If-Range allows "
                   "(RFC 9110 13.1.5, 13.2.2, 14).")
    total += write("policy.json", policy_cases(), "The vault API's decisions (docs/policy.md): admit (credentials, target, "
                   "locked, permission and scope), conclude (the answer and audit event for what happened), credential "
                   "references, scoped listings, and token and connection create requests.")
    print(f"total: {total}")


if __name__ == "__main__":
    main()
