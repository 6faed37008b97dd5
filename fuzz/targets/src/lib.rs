//! The bodies of HQ Vault's fuzz targets: one plain function per parser that takes outside input.
//!
//! `fuzz/fuzz_targets/<name>.rs` hands libFuzzer's input to the function of the same name
//! (`scripts/fuzz` runs them); `tests/replay.rs` runs every saved input of `fuzz/corpus/<name>/`
//! through the same function as an ordinary test. Each function panics when a property fails, so
//! a crash is either a panic in the code under test or a broken property:
//!
//! | target | parser | property beyond "never panics" |
//! | --- | --- | --- |
//! | `pattern_normalize` | `patterns::normalize` | idempotent; the result is a valid pattern; `allows` grants by its prefix |
//! | `key_check` | `check_key`, `check_path`, `check_object_key`, `check_object_prefix` | every secret key of ≤ 960 bytes is an object key and its own pattern |
//! | `token_parse` | `tokens::parse`, `gate::bearer`, `gate::credential_reference` | an independently encoded token parses; one changed character is caught |
//! | `duration` | `tokens::parse_duration` | agrees with a reference reading of `<digits><s|m|h|d>`, 1 s to 365 d |
//! | `range` | `http::answer` (`Range`, `If-Range`, `If-None-Match`) | RFC 9110 §14.1.2 answers for generated ranges; a partial range lies inside the object |
//! | `query` | `http::query_pairs` | any pairs, form-encoded, decode back exactly once |
//! | `cursor` | `gate::decide` (cursor, limit, path) and `listing::Lister` | paging with the returned cursors lists every granted key once, in order |
//! | `audit_verify` | `audit::verify`, `AuditKey::verify`, `AuditKey::check_anchor` | a written chain verifies; any edit of a vouched-for line is caught |
//! | `request_bodies` | the daemon's JSON bodies (`hq_vault::daemon::requests`) | a value sent as `value` or `value_base64` is stored byte for byte |
//! | `envfile` | `hq_vault::envfile` | what the dotenv encoder writes, `dotenvy` reads back byte-exact, with no extra variable |
#![forbid(unsafe_code)]

use std::collections::BTreeMap;

use arbitrary::{Arbitrary, Result as ArbitraryResult, Unstructured};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hq_vault::daemon::requests::{self, ConnectionCreateBody, PassphraseBody, PutBody, TokenCreateBody, UnlockBody};
use hq_vault::envfile::{self, Format};
use hq_vault_core::audit::{self, AuditKey, Event, Outcome};
use hq_vault_core::gate::{self, ConnectionRecord, ConnectionStatus, Plan, ReadRequest, Route};
use hq_vault_core::http::{self, Answer, ByteRange, Preconditions, Representation};
use hq_vault_core::listing::{Lister, ObjectInfo, list_sorted_keys};
use hq_vault_core::patterns::{self, MAX_KEY_LEN, MAX_LEN};
use hq_vault_core::tokens::{self, TokenKind};
use zeroize::Zeroizing;

/// A target's body: panics when a property fails.
pub type Target = fn(&[u8]);

/// Every target, by name, as `scripts/fuzz` and the replay test know them.
pub const TARGETS: &[(&str, Target)] = &[
    ("pattern_normalize", pattern_normalize),
    ("key_check", key_check),
    ("token_parse", token_parse),
    ("duration", duration),
    ("range", range),
    ("query", query),
    ("cursor", cursor),
    ("audit_verify", audit_verify),
    ("request_bodies", request_bodies),
    ("envfile", envfile),
];

/// The input as text: UTF-8 as is, anything else with U+FFFD (the parsers take `&str`, and every
/// host hands them decoded text).
fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// `patterns::normalize` of the input, and of its first line against the rest as a key.
pub fn pattern_normalize(data: &[u8]) {
    let s = text(data);
    let (raw, key) = s.split_once('\n').unwrap_or((s.as_str(), ""));
    for input in [s.as_str(), raw] {
        let Ok(n) = patterns::normalize(input) else { continue };
        assert_eq!(patterns::normalize(&n).as_deref(), Ok(n.as_str()), "normalize is not idempotent on {input:?}");
        assert!(n.len() <= MAX_LEN, "a normalized pattern of {} bytes is over the limit", n.len());
        assert!(!n.is_empty() && !n.starts_with('/'));
        assert!(n.find('*').is_none_or(|i| i == n.len() - 1), "`*` inside {n:?}");
        match n.strip_suffix('*') {
            // An exact pattern is a secret key of the strict alphabet.
            None => assert_eq!(patterns::check_key(&n), Ok(n.as_str())),
            Some(prefix) => {
                let granted = patterns::allows(&[n.as_str()], key);
                let expected = patterns::check_object_key(key).is_ok() && key.starts_with(prefix);
                assert_eq!(granted, expected, "pattern {n:?}, key {key:?}");
            }
        }
        if n.strip_suffix('*').is_none() {
            let expected = key == n && patterns::check_object_key(key).is_ok();
            assert_eq!(patterns::allows(&[n.as_str()], key), expected, "exact pattern {n:?}, key {key:?}");
        }
        let all = patterns::normalize_all(&[input, input]);
        assert_eq!(all, Ok(vec![n.clone()]), "duplicates are dropped");
    }
}

/// The four path checks on the input.
pub fn key_check(data: &[u8]) {
    let s = text(data);
    let key = patterns::check_key(&s);
    let path = patterns::check_path(&s);
    let object = patterns::check_object_key(&s);
    let prefix = patterns::check_object_prefix(&s);
    if key.is_ok() {
        assert!(path.is_ok(), "a key is a path: {s:?}");
        assert_eq!(patterns::normalize(&s).as_deref(), Ok(s.as_str()), "a key is its own pattern");
        if s.len() <= MAX_KEY_LEN {
            assert!(object.is_ok(), "a secret key of ≤ 960 bytes is an object key: {s:?}");
        }
        assert!(patterns::allows_secret(&[s.as_str()], &s));
    }
    if object.is_ok() {
        assert!(prefix.is_ok(), "an object key is a listing prefix: {s:?}");
        assert!(s.len() <= MAX_KEY_LEN && !s.starts_with('/') && !s.ends_with('/'));
        assert!(!s.chars().any(char::is_control));
        assert!(s.split('/').all(|seg| !matches!(seg, "" | "." | "..")), "{s:?}");
        assert!(patterns::allows(&["*"], &s));
    } else {
        assert!(!patterns::allows(&["*"], &s), "`*` grants only keys");
    }
    if let Ok(p) = path {
        assert_eq!(p, s.as_str());
        assert!(!s.contains('*') && !s.contains(' ') && s.is_ascii());
    }
}

/// Base62 of 36 bytes in 49 digits, written here from the format's description (tokens.rs) as an
/// independent reference encoder.
fn reference_token(kind: TokenKind, random: &[u8; 32]) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut raw = random.to_vec();
    raw.extend_from_slice(&crc32fast::hash(random).to_be_bytes());
    let mut out = vec![b'0'; tokens::BODY_LEN];
    for slot in out.iter_mut().rev() {
        // Divide the big-endian number by 62, keeping the remainder.
        let mut rem = 0u32;
        for b in raw.iter_mut() {
            let acc = rem * 256 + u32::from(*b);
            *b = (acc / 62) as u8;
            rem = acc % 62;
        }
        *slot = DIGITS[rem as usize];
    }
    assert!(raw.iter().all(|&b| b == 0), "36 bytes fit in 49 base62 digits");
    format!("{}{}", kind.prefix(), String::from_utf8(out).unwrap())
}

/// `tokens::parse` of the input (first line), and of a token encoded independently from the input's
/// bytes with one character changed.
pub fn token_parse(data: &[u8]) {
    let s = text(data);
    let first = s.lines().next().unwrap_or("");
    for t in [s.as_str(), first] {
        if let Ok(kind) = tokens::parse(t) {
            assert_eq!(t.len(), tokens::TOKEN_LEN);
            assert!(t.starts_with(kind.prefix()) && t[5..].bytes().all(|b| b.is_ascii_alphanumeric()));
        }
        let header = format!("Bearer {t}");
        let reference = gate::credential_reference(Some(&header));
        let well_formed = gate::bearer(&header).is_some_and(|b| tokens::parse(b) == Ok(TokenKind::ConnectionKey));
        assert_eq!(reference.is_some(), well_formed);
        if let Some(r) = reference {
            assert_eq!(r.len(), 64);
            assert!(tokens::references_equal(&r, &tokens::reference(gate::bearer(&header).unwrap())));
        }
        if let Some(b) = gate::bearer(t) {
            assert!(!b.is_empty() && !b.contains(' '));
        }
    }
    let mut u = Unstructured::new(data);
    let (Ok(random), Ok(k), Ok(pos), Ok(digit)) =
        (u.arbitrary::<[u8; 32]>(), u.int_in_range(0..=2u8), u.arbitrary::<u8>(), u.arbitrary::<u8>())
    else {
        return;
    };
    let kind = [TokenKind::ConnectionKey, TokenKind::VaultToken, TokenKind::SessionToken][k as usize];
    let token = reference_token(kind, &random);
    assert_eq!(tokens::parse(&token), Ok(kind), "{token}");
    // One character of the body replaced by another base62 character.
    let mut changed = token.clone().into_bytes();
    let i = 5 + usize::from(pos) % tokens::BODY_LEN;
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let replacement = alphabet[usize::from(digit) % 62];
    if changed[i] != replacement {
        changed[i] = replacement;
        let changed = String::from_utf8(changed).unwrap();
        assert!(tokens::parse(&changed).is_err(), "one changed character was not caught: {changed}");
    }
}

/// `tokens::parse_duration` against a reference reading of the documented form.
pub fn duration(data: &[u8]) {
    let s = text(data);
    let got = tokens::parse_duration(&s);
    let t = s.trim();
    let unit_ms = match t.chars().last() {
        Some('s') => Some(1_000u64),
        Some('m') => Some(60_000),
        Some('h') => Some(3_600_000),
        Some('d') => Some(86_400_000),
        _ => None,
    };
    let expected = unit_ms.and_then(|unit| {
        let digits = &t[..t.len() - 1];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = digits.parse().ok()?;
        let ms = n.checked_mul(unit)?;
        (n >= 1 && ms <= 365 * 86_400_000).then_some(ms)
    });
    assert_eq!(got.as_ref().ok(), expected.as_ref(), "{s:?}");
    if let Ok(ms) = got {
        assert_eq!(tokens::parse_duration(&format!("{}s", ms / 1000)), Ok(ms));
    }
    if let Err(message) = got {
        assert!(!message.is_empty());
    }
}

#[derive(Debug)]
struct RangeInput {
    size: u64,
    modified_ms: u64,
    now_ms: u64,
    etag: String,
    if_none_match: Option<String>,
    range: Option<String>,
    if_range: Option<String>,
    first: u64,
    last: u64,
    form: u8,
}

// Written out rather than derived: `arbitrary`'s `derive` feature would change the features of the
// `arbitrary` that wasmtime's cranelift uses, and rebuild wasmtime whenever the workspace's and
// `-p hq-vault`'s feature sets alternate.
impl<'a> Arbitrary<'a> for RangeInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> ArbitraryResult<Self> {
        Ok(RangeInput {
            size: u.arbitrary()?,
            modified_ms: u.arbitrary()?,
            now_ms: u.arbitrary()?,
            etag: u.arbitrary()?,
            if_none_match: u.arbitrary()?,
            range: u.arbitrary()?,
            if_range: u.arbitrary()?,
            first: u.arbitrary()?,
            last: u.arbitrary()?,
            form: u.arbitrary()?,
        })
    }
}

/// `http::answer` on raw headers, and on ranges generated from numbers with RFC 9110's answer.
pub fn range(data: &[u8]) {
    let Ok(mut i) = RangeInput::arbitrary_take_rest(Unstructured::new(data)) else { return };
    // Sizes past what a store holds only overflow the test's own arithmetic; numerals of more than
    // 19 digits are ignored by design (checked below), as RFC 9110 §14.1.1 allows.
    i.size %= 1 << 62;
    i.first %= 10_000_000_000_000_000_000;
    i.last %= 10_000_000_000_000_000_000;
    // The opaque characters of a strong entity-tag (RFC 9110 §8.8.3).
    let opaque: String = i.etag.chars().filter(|&c| c == '!' || ('#'..='~').contains(&c) || c >= '\u{80}').collect();
    let etag = format!("\"{opaque}\"");
    let rep = Representation { size: i.size, etag: &etag, modified_ms: i.modified_ms };
    let pre = Preconditions {
        if_none_match: i.if_none_match.as_deref(),
        range: i.range.as_deref(),
        if_range: i.if_range.as_deref(),
    };
    let answer = http::answer(&pre, &rep, i.now_ms);
    match answer {
        Answer::NotModified => assert!(http::etag_matches(pre.if_none_match, &etag)),
        Answer::Partial { start, end } => {
            assert!(start <= end && end < i.size, "{start}-{end} of {}", i.size);
            assert!(pre.range.is_some());
            let cr = http::content_range(Some((start, end)), i.size);
            assert_eq!(cr, format!("bytes {start}-{end}/{}", i.size));
        }
        Answer::Unsatisfiable => assert!(pre.range.is_some()),
        Answer::Full => {}
    }
    if pre.range.is_none() {
        assert!(matches!(answer, Answer::Full | Answer::NotModified));
    }
    // A generated single range, with the answer RFC 9110 §14.1.2 gives it.
    let size = i.size;
    let (header, expected) = match i.form % 3 {
        0 => {
            let expected = if i.first > i.last {
                ByteRange::Full
            } else if i.first >= size {
                ByteRange::Unsatisfiable
            } else {
                ByteRange::Partial { start: i.first, end: i.last.min(size - 1) }
            };
            (format!("bytes={}-{}", i.first, i.last), expected)
        }
        1 => {
            let expected = if i.first < size {
                ByteRange::Partial { start: i.first, end: size - 1 }
            } else {
                ByteRange::Unsatisfiable
            };
            (format!("bytes={}-", i.first), expected)
        }
        _ => {
            let n = i.last;
            let expected = if n == 0 || size == 0 {
                ByteRange::Unsatisfiable
            } else {
                ByteRange::Partial { start: size - n.min(size), end: size - 1 }
            };
            (format!("bytes=-{n}"), expected)
        }
    };
    assert_eq!(http::byte_range(Some(&header), None, &rep, i.now_ms), expected, "{header} of {size}");
    // If-Range: the current strong tag keeps the range; a weak or another tag sends the whole.
    assert_eq!(http::byte_range(Some(&header), Some(&etag), &rep, i.now_ms), expected);
    let weak = format!("W/{etag}");
    assert_eq!(http::byte_range(Some(&header), Some(&weak), &rep, i.now_ms), ByteRange::Full);
    let other = format!("\"{opaque}x\"");
    assert_eq!(http::byte_range(Some(&header), Some(&other), &rep, i.now_ms), ByteRange::Full);
    // The Last-Modified date holds once its second is over, and never within it.
    let date = hq_vault_core::time::http_date(i.modified_ms);
    let second_over = (i.modified_ms / 1000 + 1).saturating_mul(1000);
    let by_date = http::byte_range(Some(&header), Some(&date), &rep, i.now_ms);
    assert_eq!(by_date, if i.now_ms >= second_over { expected } else { ByteRange::Full });
    let huge = format!("bytes={}0-", u64::MAX);
    assert_eq!(http::byte_range(Some(&huge), None, &rep, i.now_ms), ByteRange::Full);
}

/// Form-encode (`application/x-www-form-urlencoded`): every byte but the unreserved ones as `%XX`,
/// a space as `+`.
fn form_encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b' ');
    percent_encoding::utf8_percent_encode(s, SET).to_string().replace(' ', "+")
}

/// `http::query_pairs` of the raw input, and of any pairs form-encoded.
pub fn query(data: &[u8]) {
    let raw = text(data);
    if let Ok(pairs) = http::query_pairs(&raw) {
        let again: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v))).collect();
        assert_eq!(http::query_pairs(&again.join("&")).as_ref(), Ok(&pairs), "{raw:?}");
    }
    let Ok(pairs) = Vec::<(String, String)>::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v))).collect();
    assert_eq!(http::query_pairs(&encoded.join("&")), Ok(pairs));
}

#[derive(Debug)]
struct ListingInput {
    keys: Vec<String>,
    patterns: Vec<String>,
    prefix: String,
    delimited: bool,
    limit: u8,
    raw_cursor: String,
    raw_limit: Option<String>,
}

impl<'a> Arbitrary<'a> for ListingInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> ArbitraryResult<Self> {
        Ok(ListingInput {
            keys: u.arbitrary()?,
            patterns: u.arbitrary()?,
            prefix: u.arbitrary()?,
            delimited: u.arbitrary()?,
            limit: u.arbitrary()?,
            raw_cursor: u.arbitrary()?,
            raw_limit: u.arbitrary()?,
        })
    }
}

/// Whether a normalized pattern grants a name by its bytes alone (no key check).
fn grants(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(p) => name.starts_with(p),
        None => name == pattern,
    }
}

/// A listing through the gate and the lister over a set of stored names, page by page with the
/// cursors the pages return, against what the rules say it must show.
pub fn cursor(data: &[u8]) {
    let Ok(i) = ListingInput::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let Ok(patterns) = patterns::normalize_all(&i.patterns) else { return };
    // A fixed, well-formed key: the listing, not the credential, is under test here.
    let key = reference_token(TokenKind::ConnectionKey, &[9; 32]);
    let record = ConnectionRecord {
        id: "conn_0123456789abcdef".into(),
        company_id: "c".into(),
        status: ConnectionStatus::Active,
        key_ref: tokens::reference(&key),
        patterns: patterns.clone(),
        company_enabled: true,
    };
    let request = |cursor: Option<String>, limit: Option<String>| ReadRequest {
        method: "GET".into(),
        route: Route::List,
        path: Some(i.prefix.clone()),
        cursor,
        limit,
        delimiter: i.delimited.then(|| "/".to_owned()),
        authorization: Some(format!("Bearer {key}")),
        time_ms: 0,
        request_id: "req_1".into(),
        source_ip: "127.0.0.1".into(),
    };
    // A raw cursor and limit: refused with 400 or accepted, never a panic.
    let d = gate::decide(&request(Some(i.raw_cursor.clone()), i.raw_limit.clone()), Some(&record));
    assert!(matches!(d.status, 200 | 400 | 403), "{}", d.status);
    if let Some(Plan::List(p)) = &d.plan {
        assert!((p.start_source as usize) < p.sources.len() && (1..=gate::MAX_LIMIT).contains(&p.limit));
    }
    let limit = u32::from(i.limit % 8) + 1;
    let mut names: Vec<String> = i.keys.iter().filter(|k| k.len() <= 2 * MAX_KEY_LEN).cloned().collect();
    names.sort();
    names.dedup();
    let info = |k: &str| Some(ObjectInfo { key: k.to_owned(), size: 1, etag: "\"e\"".into(), uploaded: "t".into() });
    let (mut objects, mut folders) = (Vec::<String>::new(), Vec::<String>::new());
    let mut cursor = None;
    for page_no in 0.. {
        assert!(page_no <= names.len() * 2 + patterns.len() * 2 + 2, "paging does not end");
        let d = gate::decide(&request(cursor.clone(), Some(limit.to_string())), Some(&record));
        let Some(Plan::List(plan)) = d.plan else {
            assert!(cursor.is_none(), "a returned cursor was refused: {} {}", d.status, d.message);
            return;
        };
        let mut lister = Lister::new(plan);
        let mut asks = 0;
        while let Some(req) = lister.next_request() {
            asks += 1;
            assert!(asks <= names.len() + 4 * (patterns.len() + 2) + 2 * limit as usize, "a page never ends");
            assert!(req.limit >= 1 && req.limit <= limit);
            lister.feed(list_sorted_keys(&names, &req, info));
        }
        let page = lister.finish();
        assert!(page.objects.len() + page.prefixes.len() <= limit as usize);
        assert_eq!(page.truncated, page.cursor.is_some());
        objects.extend(page.objects.into_iter().map(|o| o.key));
        folders.extend(page.prefixes);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let prefix = i.prefix.as_str();
    let shown: Vec<&String> = names
        .iter()
        .filter(|k| {
            patterns::check_object_key(k).is_ok()
                && k.starts_with(prefix)
                && patterns::allows(&patterns, k)
                && !(i.delimited && k[prefix.len()..].contains('/'))
        })
        .collect();
    assert_eq!(objects.iter().collect::<Vec<_>>(), shown, "objects");
    if !i.delimited {
        assert!(folders.is_empty());
        return;
    }
    let mut sorted = folders.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), folders.len(), "a folder was listed twice: {folders:?}");
    for f in &folders {
        let rest = f.strip_prefix(prefix).expect("a folder under the prefix");
        assert!(rest.ends_with('/') && rest.find('/') == Some(rest.len() - 1), "{f:?}");
        assert!(patterns::check_object_prefix(f).is_ok());
        assert!(
            names.iter().any(|n| n.starts_with(f.as_str()) && patterns.iter().any(|p| grants(p, n))),
            "folder {f:?} holds nothing granted"
        );
    }
    for k in names.iter().filter(|k| patterns::check_object_key(k).is_ok() && patterns::allows(&patterns, k)) {
        if let Some(rest) = k.strip_prefix(prefix)
            && let Some(j) = rest.find('/')
        {
            let folder = &k[..prefix.len() + j + 1];
            assert!(folders.iter().any(|f| f == folder), "folder {folder:?} of granted {k:?} is missing");
        }
    }
}

#[derive(Debug)]
struct AuditInput {
    events: Vec<(bool, String, String, Option<String>, u16, u64)>,
    edit_line: u16,
    edit_at: u16,
    edit_byte: u8,
    remove: bool,
    anchor: String,
    raw_lines: Vec<String>,
}

impl<'a> Arbitrary<'a> for AuditInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> ArbitraryResult<Self> {
        Ok(AuditInput {
            events: u.arbitrary()?,
            edit_line: u.arbitrary()?,
            edit_at: u.arbitrary()?,
            edit_byte: u.arbitrary()?,
            remove: u.arbitrary()?,
            anchor: u.arbitrary()?,
            raw_lines: u.arbitrary()?,
        })
    }
}

/// Audit verification of raw lines, and of a written chain with one edit.
pub fn audit_verify(data: &[u8]) {
    let key = AuditKey::from_data_key(&[7u8; 32]).unwrap();
    let other = AuditKey::from_data_key(&[8u8; 32]).unwrap();
    let raw: Vec<&str> = std::str::from_utf8(data).map(|s| s.split('\n').collect()).unwrap_or_default();
    let plain = audit::verify(&raw);
    let summary = audit::summarize(&raw);
    assert_eq!(plain.as_ref().ok(), summary.as_ref().ok().map(|s| (s.lines, s.head.clone())).as_ref());
    if let Ok(s) = key.verify(&raw) {
        assert_eq!(Some(&s), summary.as_ref().ok(), "a keyed verify accepts what the plain one refuses");
    }
    if let Err(e) = &summary {
        assert!(e.line >= 1 && e.line as usize <= raw.len());
    }
    let Ok(i) = AuditInput::arbitrary_take_rest(Unstructured::new(data)) else { return };
    for a in [i.anchor.as_str(), raw.first().copied().unwrap_or("")] {
        if let Ok((n, h)) = key.check_anchor(a) {
            assert_eq!(key.check_anchor(&key.anchor(n, &h)), Ok((n, h.clone())));
            assert!(other.check_anchor(a).is_err(), "an anchor verified under two keys: {a:?}");
        }
    }
    let _ = key.verify(&i.raw_lines);
    if i.events.is_empty() {
        return;
    }
    let mut lines = Vec::new();
    let mut prev = audit::genesis();
    for (keyed, actor, op, path, status, time_ms) in &i.events {
        let e = Event {
            time_ms: *time_ms,
            actor: actor.clone(),
            // A break or a run's resume line is written by the daemon with its own rules.
            operation: if op.starts_with("audit-") { "get".into() } else { op.clone() },
            path: path.clone(),
            outcome: Outcome::Allowed,
            status: *status,
            request_id: "req_1".into(),
            source_ip: "127.0.0.1".into(),
            reason: None,
        };
        let c = if *keyed { key.chain(&e, &prev) } else { audit::chain(&e, &prev) };
        prev = c.hash;
        lines.push(c.line);
    }
    let s = key.verify(&lines).expect("a chain as written verifies");
    let keyed: Vec<bool> = i.events.iter().map(|e| e.0).collect();
    assert_eq!(s.lines as usize, lines.len());
    assert_eq!(s.head, prev);
    assert_eq!(s.keyed as usize, keyed.iter().filter(|k| **k).count());
    assert_eq!(s.last_keyed as usize, keyed.iter().rposition(|k| *k).map_or(0, |p| p + 1));
    if keyed.iter().any(|k| *k) {
        assert!(other.verify(&lines).is_err(), "another vault's key verified the chain");
    }
    // One edit: a line removed, or one byte of it replaced by another ASCII byte.
    let n = usize::from(i.edit_line) % lines.len();
    let mut edited = lines.clone();
    if i.remove {
        edited.remove(n);
    } else {
        let line = &lines[n];
        let at = usize::from(i.edit_at) % line.len();
        let b = i.edit_byte & 0x7f;
        if !line.is_char_boundary(at) || !line.is_char_boundary(at + 1) || line.as_bytes()[at] == b {
            return;
        }
        let mut bytes = line.clone().into_bytes();
        bytes[at] = b;
        edited[n] = String::from_utf8(bytes).unwrap();
    }
    // Any line but the last is linked from the next one, so its edit breaks the chain. The last
    // line, when keyed, is vouched for by its MAC; an edit that strips the MAC (renames or drops
    // the field) turns it into an unkeyed line, which the chain alone cannot tell from one written
    // while locked: the summary then shows the last keyed line moved back, and the keyed head in
    // audit.head (outside the log) no longer matches. Cutting lines off the end is likewise caught
    // only by audit.head and anchors.
    let last = lines.len() - 1;
    match key.verify(&edited) {
        Err(_) => {}
        Ok(_) if i.remove && n == last => {}
        Ok(_) if n == last && !keyed[n] => {}
        Ok(after) => assert!(
            !i.remove && n == last && after.last_keyed < s.last_keyed,
            "an edit of line {} went unnoticed: {:?}",
            n + 1,
            edited[n]
        ),
    }
}

/// The daemon's JSON request bodies, decoded as the routes decode them.
pub fn request_bodies(data: &[u8]) {
    if let Ok(b) = requests::decode::<PutBody>(data) {
        let given = (b.value.clone(), b.value_base64.clone());
        match b.check() {
            Ok(c) => {
                assert!(c.value.len() <= 1024 * 1024);
                match given {
                    (Some(v), None) => assert_eq!(c.value.as_slice(), v.as_bytes()),
                    (None, Some(b)) => assert_eq!(Some(c.value.as_slice()), B64.decode(b.as_bytes()).ok().as_deref()),
                    _ => panic!("a body with both or neither value was accepted"),
                }
                assert!(c.kind.as_ref().is_none_or(|k| !k.is_empty() && k.len() <= 64));
                assert!(c.description.as_ref().is_none_or(|d| !d.is_empty() && d.len() <= 512));
            }
            Err(e) => {
                assert!(matches!(e.status, 400 | 413) && !e.code.is_empty());
            }
        }
    }
    let _ = requests::decode::<TokenCreateBody>(data);
    let _ = requests::decode::<ConnectionCreateBody>(data);
    let _ = requests::decode::<UnlockBody>(data);
    let _ = requests::decode::<PassphraseBody>(data);
    // A value sent either way is stored byte for byte.
    let Ok(value) = Vec::<u8>::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let body = serde_json::json!({"value_base64": B64.encode(&value), "type": "fuzz"}).to_string();
    let c = requests::decode::<PutBody>(body.as_bytes()).unwrap().check().expect("a base64 value is accepted");
    assert_eq!(c.value.as_slice(), value.as_slice());
    if let Ok(s) = std::str::from_utf8(&value) {
        let body = serde_json::json!({"value": s}).to_string();
        let c = requests::decode::<PutBody>(body.as_bytes()).unwrap().check().expect("a text value is accepted");
        assert_eq!(c.value.as_slice(), value.as_slice());
    }
}

/// The variables of a dotenv file as `dotenvy` reads them, in order.
fn dotenvy_read(file: &[u8]) -> Result<Vec<(String, String)>, String> {
    dotenvy::from_read_iter(file).map(|r| r.map_err(|e| e.to_string())).collect()
}

/// The env-file encoder: every file it writes is read back exactly by the reference parsers.
pub fn envfile(data: &[u8]) {
    let Ok(entries) = Vec::<(String, Vec<u8>)>::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let mut vars: BTreeMap<String, Zeroizing<Vec<u8>>> = BTreeMap::new();
    for (path, value) in &entries {
        // Names as `env-file` makes them from secret paths.
        vars.insert(hq_vault_client::var_name("", path), Zeroizing::new(value.clone()));
    }
    for (name, value) in &vars {
        if let Ok(quoted) = envfile::dotenv_value(value) {
            let line = format!("{name}={}\n", quoted.as_str());
            let read = dotenvy_read(line.as_bytes());
            let expected = vec![(name.clone(), String::from_utf8(value.to_vec()).unwrap())];
            assert_eq!(read.as_ref(), Ok(&expected), "dotenvy reads {line:?} otherwise");
        }
    }
    match envfile::render(Format::Dotenv, &vars) {
        Ok(file) => {
            let read = dotenvy_read(&file).unwrap_or_else(|e| panic!("dotenvy refuses {:?}: {e}", text(&file)));
            let expected: Vec<(String, String)> =
                vars.iter().map(|(k, v)| (k.clone(), String::from_utf8(v.to_vec()).unwrap())).collect();
            assert_eq!(read, expected, "file {:?}", text(&file));
        }
        Err(why) => {
            assert!(vars.values().any(|v| envfile::dotenv_value(v).is_err()));
            assert!(why.contains("nothing was written"));
        }
    }
    match envfile::render(Format::Json, &vars) {
        Ok(file) => {
            let read: BTreeMap<String, String> = serde_json::from_slice(&file).expect("the json format is JSON");
            let expected: BTreeMap<String, String> =
                vars.iter().map(|(k, v)| (k.clone(), String::from_utf8(v.to_vec()).unwrap())).collect();
            assert_eq!(read, expected);
        }
        Err(_) => assert!(vars.values().any(|v| std::str::from_utf8(v).is_err())),
    }
    let export = envfile::render(Format::Export, &vars).expect("export carries any bytes");
    assert_eq!(export.iter().filter(|&&b| b == b'\n').count(), vars.len() + count_newlines(&vars));
}

fn count_newlines(vars: &BTreeMap<String, Zeroizing<Vec<u8>>>) -> usize {
    vars.values().map(|v| v.iter().filter(|&&b| b == b'\n').count()).sum()
}
