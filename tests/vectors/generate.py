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
    nonce = hashlib.sha256(b"nonce").digest()
    m = b"hq-vault-auth-v1" + nonce + b"id_agent_1"
    cases.append({"public_key": pub.hex(), "message": m.hex(), "signature": sk.sign(m).hex(), "valid": True,
                  "note": "a challenge answer: hq-vault-auth-v1 || nonce || identity id"})
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
    total += write("reads.json", read_cases(), "Answers to a read of one object: If-None-Match, then Range as If-Range allows "
                   "(RFC 9110 13.1.5, 13.2.2, 14).")
    print(f"total: {total}")


if __name__ == "__main__":
    main()
