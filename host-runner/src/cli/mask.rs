//! Masking injected values in a child's output, as `op run` does, because an agent reads it.
//!
//! A [`Masker`] takes the output in whatever chunks the pipe gives and replaces every occurrence
//! of every value with `<hq-vault:NAME>`, also when an occurrence is split across chunks. It
//! holds back only the bytes that could still begin a value (for each value, the longest suffix
//! of the output that is a prefix of it, found with the Knuth–Morris–Pratt failure function), so
//! a prompt that cannot be the start of a secret is shown at once. Occurrences that overlap are
//! masked as one run. Values shorter than [`MIN_MASKED_LEN`] bytes are not masked: a `1` or an
//! `eu` would hide ordinary output everywhere, and a value that short is no secret.
//!
//! Besides its bytes, each value is looked for in the encoded forms a program most often prints
//! it in ([`forms`]): base64 (standard and URL-safe, wherever it starts in a base64 stream), hex
//! (lower and upper case), a JSON string's escapes and URL percent-encoding. These are the value
//! encoders GitHub Actions masks secrets with. A form is matched unbroken: base64 wrapped across
//! lines (coreutils `base64` wraps at 76 characters, so values over 57 bytes) is not recognised,
//! nor is any other transformation.

use zeroize::Zeroizing;

/// The shortest value that is masked, in bytes; an encoded form shorter than this is not
/// looked for either.
pub const MIN_MASKED_LEN: usize = 4;

/// The shortest line of a value of several lines that is masked on its own, in bytes: long
/// enough that a line like `}` or `  "type": "x",` of a JSON secret does not hide ordinary output.
pub const MIN_MASKED_LINE_LEN: usize = 16;

/// The longest value whose encoded forms are looked for, in bytes (its own bytes always are).
/// Each form costs about five bytes of memory per byte; a value this long is a certificate
/// bundle or a key file, which programs print as is or in wrapped base64.
pub const MAX_ENCODED_LEN: usize = 64 * 1024;

/// The shortest line of encoded output after which a form that wraps is matched across the line
/// break: `base64 -w 16` and wider, 60-digit `xxd -p`, 64- and 76-character lines.
const WRAPPED_LINE_MIN: usize = 16;

/// The byte strings that stand for `value` in output: the value itself, then, for a value of at
/// most [`MAX_ENCODED_LEN`] bytes, its encoded forms (each listed once, shorter ones than
/// [`MIN_MASKED_LEN`] left out):
/// - base64, standard and URL-safe alphabets, at each of the three positions a value can start
///   at in a base64 stream: only the characters that the value's bits alone decide, so the form
///   is found with or without `=` padding and inside a longer encoding (`KEY=value` encoded);
///   and the value encoded alone, padded and not, so that its last character and padding go too;
/// - hex, in any mix of letter cases;
/// - the contents of a JSON string, when the value is UTF-8 text and they differ from it: as
///   JavaScript and serde write them (`"`, `\` and control characters escaped) and as Python's
///   `json.dumps` does (non-ASCII as `\uXXXX` too), each also with `/` written `\/` (PHP's
///   `json_encode`, and RFC 8259 §7 allows it anywhere); the `\uXXXX` hex digits in any case;
/// - URL percent-encoding (RFC 3986: all but unreserved characters; also with `/` kept, as
///   Python's `quote` does, and with `!'()*` kept, as JavaScript's `encodeURIComponent` does),
///   and form encoding (`application/x-www-form-urlencoded`: a space as `+`, as Python's
///   `quote_plus` and WHATWG's `URLSearchParams` write it), with the `%XX` hex digits in any case
///   (RFC 3986 §2.1 makes `%2f` and `%2F` equal), when it changes the value.
///
/// - how shells quote it: inside double quotes (`declare -p`, `export -p`), with `'\''` or
///   `'"'"'` for a single quote (`set -x`, Python's `shlex.quote`), backslash before each special
///   character (`printf %q`);
/// - how Python prints it: `repr()`/`str` of a `str` and `ascii()` (either quote), and of its
///   UTF-8 `bytes` (`b'caf\xc3\xa9'`);
/// - HTML escaping (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#x27;` or `&#39;`), and JavaScript's
///   `encodeURI`;
/// - hex with a space or a colon between bytes (`bytes.hex(' ')`, Node's `<Buffer 73 6b …>`,
///   `AB:CD` fingerprints), and base32 (RFC 4648) wherever it starts in a base32 stream;
/// - base64, base32 and plain hex are matched across the line breaks of wrapped output
///   ([`Form::wraps`]: lines of 16 encoding characters or more, as `base64`, `base64 -w N`,
///   `openssl base64` and `xxd -p` write them), wherever the value starts;
/// - each line of a value of several lines, of at least [`MIN_MASKED_LINE_LEN`] bytes, but PEM's
///   armour lines (`-----BEGIN …`): a key printed a few lines at a time.
///
/// A form that is matched in any letter case ([`Form::any_case`]) also masks the same text with
/// the value's own letters in another case: over-masking a near copy is the safe side.
pub fn forms(value: &[u8]) -> Vec<Form> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut out: Vec<Form> = vec![Form { bytes: Zeroizing::new(value.to_vec()), any_case: false, wraps: false }];
    if value.len() <= MAX_ENCODED_LEN {
        // A form equal to the value is the value, matched exactly; a form listed already is
        // matched in any case if either listing asks for it.
        let mut add_any = |bytes: Zeroizing<Vec<u8>>, any_case: bool, wraps: bool| {
            if bytes.len() < MIN_MASKED_LEN || *bytes == *value {
                return;
            }
            if let Some(f) = out.iter_mut().find(|f| *f.bytes == *bytes) {
                f.any_case |= any_case;
                f.wraps |= wraps;
            } else if !out.iter().any(|f| f.any_case && f.bytes.eq_ignore_ascii_case(&bytes)) {
                out.push(Form { bytes, any_case, wraps });
            }
        };
        for shift in 0..3usize {
            // `shift` bytes before the value: the characters that also carry their bits are
            // dropped at the front, the one that carries the next bytes' bits at the end.
            let mut shifted = Zeroizing::new(vec![0u8; shift]);
            shifted.extend_from_slice(value);
            let skip = (8 * shift).div_ceil(6);
            let whole = 8 * shifted.len() / 6;
            for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                let encoded = Zeroizing::new(engine.encode(&shifted[..]).into_bytes());
                add_any(Zeroizing::new(encoded[skip..whole].to_vec()), false, true);
            }
        }
        // The value encoded alone, to its end: the last character and the padding go too.
        for engine in [&STANDARD, &URL_SAFE, &STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            add_any(Zeroizing::new(engine.encode(value).into_bytes()), false, true);
        }
        // Each line of a value of several lines (a PEM key printed with `sed -n 2,3p`), when it is
        // long enough to be no common line; PEM's armour lines (`-----BEGIN …`) are no secret.
        if value.contains(&b'\n') {
            for line in value.split(|b| *b == b'\n') {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.len() >= MIN_MASKED_LINE_LEN && !line.starts_with(b"-----") {
                    add_any(Zeroizing::new(line.to_vec()), false, false);
                }
            }
        }
        // Plain hex wraps too (`xxd -p` writes 60 digits a line).
        add_any(Zeroizing::new(hex::encode(value).into_bytes()), true, true);
        if let Ok(text) = std::str::from_utf8(value) {
            let json = Zeroizing::new(serde_json::to_string(text).unwrap_or_default());
            let inner = json.get(1..json.len().saturating_sub(1)).unwrap_or_default();
            // Python's json.dumps writes non-ASCII as \uXXXX (UTF-16, lower-case hex).
            let mut ascii = Zeroizing::new(String::with_capacity(inner.len()));
            for c in inner.chars() {
                if c.is_ascii() {
                    ascii.push(c);
                } else {
                    c.encode_utf16(&mut [0; 2]).iter().for_each(|u| ascii.push_str(&format!("\\u{u:04x}")));
                }
            }
            for json in [inner, ascii.as_str()] {
                // Escapes (`\uXXXX`) in any case only where there are some: the plain contents
                // are the value's own bytes, matched exactly.
                let any_case = json.contains("\\u");
                add_any(Zeroizing::new(json.as_bytes().to_vec()), any_case, false);
                if json.contains('/') {
                    add_any(Zeroizing::new(json.replace('/', "\\/").into_bytes()), any_case, false);
                }
            }
        }
        // RFC 3986's unreserved characters kept (Python's `quote(v, safe="")`), with `/` kept
        // too (its default), and with `!'()*` kept too (JavaScript's `encodeURIComponent`).
        const UNRESERVED: &percent_encoding::AsciiSet =
            &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
        const PATH: &percent_encoding::AsciiSet = &UNRESERVED.remove(b'/');
        const COMPONENT: &percent_encoding::AsciiSet =
            &UNRESERVED.remove(b'!').remove(b'\'').remove(b'(').remove(b')').remove(b'*');
        // JavaScript's encodeURI keeps the reserved characters too.
        const URI: &percent_encoding::AsciiSet = &COMPONENT
            .remove(b';')
            .remove(b',')
            .remove(b'/')
            .remove(b'?')
            .remove(b':')
            .remove(b'@')
            .remove(b'&')
            .remove(b'=')
            .remove(b'+')
            .remove(b'$')
            .remove(b'#');
        add_any(Zeroizing::new(percent_encoding::percent_encode(value, URI).to_string().into_bytes()), true, false);
        // Hex with a separator between bytes.
        for sep in [" ", ":"] {
            let spaced = Zeroizing::new(value.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(sep));
            add_any(Zeroizing::new(spaced.as_bytes().to_vec()), true, false);
        }
        // base32 (case-insensitive by RFC 4648 §6) at each of the five positions a value can
        // start at in a stream, as base64 above.
        for shift in 0..5usize {
            let mut shifted = Zeroizing::new(vec![0u8; shift]);
            shifted.extend_from_slice(value);
            let skip = (8 * shift).div_ceil(5);
            let whole = 8 * shifted.len() / 5;
            let encoded = Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&shifted[..]).into_bytes());
            if skip < whole {
                add_any(Zeroizing::new(encoded[skip..whole].to_vec()), true, true);
            }
        }
        add_any(Zeroizing::new(data_encoding::BASE32.encode(value).into_bytes()), true, true);
        if let Ok(text) = std::str::from_utf8(value) {
            for form in quoted_forms(text) {
                add_any(form, false, false);
            }
        }
        for quote in ['\'', '"'] {
            add_any(python_bytes(value, quote), false, false);
        }
        add_any(bash_ansi_c(value, false), false, false);
        if std::str::from_utf8(value).is_ok() {
            add_any(bash_ansi_c(value, true), false, false);
        }
        // WHATWG's form encoding keeps `*-._` and the alphanumerics, and writes a space as `+`.
        const FORM: &percent_encoding::AsciiSet =
            &percent_encoding::NON_ALPHANUMERIC.remove(b'*').remove(b'-').remove(b'.').remove(b'_');
        for (set, plus) in [(UNRESERVED, false), (PATH, false), (COMPONENT, false), (UNRESERVED, true), (FORM, true)] {
            let encoded = Zeroizing::new(percent_encoding::percent_encode(value, set).to_string());
            let encoded = if plus { Zeroizing::new(encoded.replace("%20", "+")) } else { encoded };
            // Unchanged by the encoding, it is the value itself, matched exactly above.
            if encoded.as_bytes() != value {
                add_any(Zeroizing::new(encoded.as_bytes().to_vec()), true, false);
            }
        }
    }
    out
}

/// How shells, Python and HTML write `text` (see [`forms`]); some are equal to it, which
/// [`forms`] leaves out.
fn quoted_forms(text: &str) -> Vec<Zeroizing<Vec<u8>>> {
    let z = |s: String| Zeroizing::new(s.into_bytes());
    let mut out = Vec::new();
    // Inside double quotes: `\` before `$`, `` ` ``, `"` and `\`.
    out.push(z(text.chars().fold(String::new(), |mut s, c| {
        if matches!(c, '$' | '`' | '"' | '\\') {
            s.push('\\');
        }
        s.push(c);
        s
    })));
    // Inside single quotes, a single quote closes, is written, and reopens.
    out.push(z(text.replace('\'', r"'\''")));
    out.push(z(text.replace('\'', r#"'"'"'"#)));
    // `printf %q`: a backslash before every ASCII character that is not plainly safe; in a UTF-8
    // locale bash writes other printable characters as they are (`pä\ ss\$wörd`).
    if text.chars().all(|c| !c.is_control()) {
        out.push(z(text.chars().fold(String::new(), |mut s, c| {
            if c.is_ascii() && !(c.is_ascii_alphanumeric() || ",._+:@%/-=".contains(c)) {
                s.push('\\');
            }
            s.push(c);
            s
        })));
    }
    // Python's repr() and ascii() of a str, with either quote.
    for quote in ['\'', '"'] {
        for ascii in [false, true] {
            out.push(z(python_str(text, quote, ascii)));
        }
    }
    // HTML: html.escape, and the numeric form of the apostrophe other libraries use.
    for apostrophe in ["&#x27;", "&#39;"] {
        let mut s = String::new();
        for c in text.chars() {
            match c {
                '&' => s.push_str("&amp;"),
                '<' => s.push_str("&lt;"),
                '>' => s.push_str("&gt;"),
                '"' => s.push_str("&quot;"),
                '\'' => s.push_str(apostrophe),
                c => s.push(c),
            }
        }
        out.push(z(s));
    }
    out
}

/// The inside of Python's `repr()` (or `ascii()` when `ascii`) of a `str` quoted with `quote`.
fn python_str(text: &str, quote: char, ascii: bool) -> String {
    let mut s = String::new();
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if c == quote => {
                s.push('\\');
                s.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => s.push_str(&format!("\\x{:02x}", c as u32)),
            c if ascii && !c.is_ascii() => match c as u32 {
                n @ 0..=0xff => s.push_str(&format!("\\x{n:02x}")),
                n @ 0x100..=0xffff => s.push_str(&format!("\\u{n:04x}")),
                n => s.push_str(&format!("\\U{n:08x}")),
            },
            c => s.push(c),
        }
    }
    s
}

/// The inside of bash's `$'…'` quoting, which `declare -p` and `printf %q` use for a value with
/// bytes that are not printable ASCII: `\\`, `\'`, C escapes, and octal `\ooo` for the rest; with
/// `utf8` (bash in a UTF-8 locale), the bytes of non-ASCII characters as they are (`$'a\tbä'`).
fn bash_ansi_c(value: &[u8], utf8: bool) -> Zeroizing<Vec<u8>> {
    let mut s = Zeroizing::new(Vec::with_capacity(value.len() * 2));
    for &b in value {
        match b {
            b'\\' => s.extend_from_slice(b"\\\\"),
            b'\'' => s.extend_from_slice(b"\\'"),
            b'\n' => s.extend_from_slice(b"\\n"),
            b'\t' => s.extend_from_slice(b"\\t"),
            b'\r' => s.extend_from_slice(b"\\r"),
            0x1b => s.extend_from_slice(b"\\E"),
            0x20..=0x7e => s.push(b),
            0x80.. if utf8 => s.push(b),
            b => s.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    s
}

/// The inside of Python's `repr()` of `bytes` quoted with `quote`.
fn python_bytes(value: &[u8], quote: char) -> Zeroizing<Vec<u8>> {
    let mut s = Zeroizing::new(String::new());
    for &b in value {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b if char::from(b) == quote => {
                s.push('\\');
                s.push(char::from(b));
            }
            0x20..=0x7e => s.push(char::from(b)),
            b => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    Zeroizing::new(s.as_bytes().to_vec())
}

/// One byte string that stands for a value in output (see [`forms`]). No `Debug`: it is the
/// value, or an encoding of it.
pub struct Form {
    pub bytes: Zeroizing<Vec<u8>>,
    /// Matched in any ASCII letter case (hex digits, percent escapes).
    pub any_case: bool,
    /// Matched across line breaks (`\n`, `\r`) in the output: an encoding that programs wrap
    /// (base64, base32, plain hex), whatever the width and wherever the value starts.
    pub wraps: bool,
}

/// What replaces an occurrence of the value of `name`.
pub fn mask_for(name: &str) -> String {
    format!("<hq-vault:{name}>")
}

struct Needle {
    /// The form's bytes; lower-cased when `any_case`.
    value: Zeroizing<Vec<u8>>,
    /// Output bytes are lower-cased before they are compared.
    any_case: bool,
    /// Line breaks in the output are passed over ([`Form::wraps`]).
    wraps: bool,
    /// `fail[i]`: length of the longest proper prefix of `value[..=i]` that is also its suffix.
    fail: Vec<u32>,
    /// Length of the longest suffix of the output so far that is a prefix of `value`.
    state: usize,
    mask: Vec<u8>,
}

impl Needle {
    fn new(name: &str, form: &Form) -> Needle {
        let value = if form.any_case { Zeroizing::new(form.bytes.to_ascii_lowercase()) } else { form.bytes.clone() };
        let mut fail = vec![0u32; value.len()];
        let mut k = 0usize;
        for i in 1..value.len() {
            while k > 0 && value[i] != value[k] {
                k = fail[k - 1] as usize;
            }
            if value[i] == value[k] {
                k += 1;
            }
            fail[i] = k as u32;
        }
        Needle { value, any_case: form.any_case, wraps: form.wraps, fail, state: 0, mask: mask_for(name).into_bytes() }
    }

    /// Feed one byte; true when an occurrence ends with it.
    fn step(&mut self, b: u8) -> bool {
        let b = if self.any_case { b.to_ascii_lowercase() } else { b };
        let mut k = self.state;
        while k > 0 && self.value[k] != b {
            k = self.fail[k - 1] as usize;
        }
        if self.value[k] == b {
            k += 1;
        }
        if k == self.value.len() {
            self.state = self.fail[k - 1] as usize;
            true
        } else {
            self.state = k;
            false
        }
    }
}

/// A streaming masker for one output stream. No `Debug`: it holds the values.
pub struct Masker {
    needles: Vec<Needle>,
    /// For each byte, the needles that begin with it.
    starting: Vec<Vec<usize>>,
    /// The needles with a partial match under way (`state > 0`): only these and the ones a byte
    /// starts are stepped, so a byte costs little however many values and forms there are.
    active: Vec<usize>,
    next_active: Vec<usize>,
    /// Output not yet passed on: the bytes from stream offset `base` to `end`.
    pending: Zeroizing<Vec<u8>>,
    base: u64,
    end: u64,
    /// Occurrences found but not yet passed on: (start, end, needle).
    found: Vec<(u64, u64, usize)>,
    /// Stream offsets of the latest bytes that are no line break, as many as the longest form
    /// that wraps: where a match that passed over line breaks began.
    unbroken: std::collections::VecDeque<u64>,
    /// The length of the longest form that wraps (0: none).
    longest_wrapping: usize,
    /// Bytes since the last line break, and whether all of them are characters of an encoding
    /// that wraps (base64 of either alphabet, base32, hex, padding): only after such a line is a
    /// line break passed over, so ordinary lines are never held back waiting for the next one.
    line_len: usize,
    line_encoded: bool,
    /// Whether the last byte was a line break, and if so whether it was passed over.
    after_break: Option<bool>,
    /// The stream offset just after the latest line break.
    last_break: u64,
    /// Output up to this offset is covered by a mask already written.
    masked_until: u64,
}

impl Masker {
    /// A masker for `values` (name, value) and their encoded [`forms`]; values shorter than
    /// [`MIN_MASKED_LEN`] are skipped.
    pub fn new<'a>(values: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Masker {
        let needles: Vec<Needle> = values
            .into_iter()
            .filter(|(_, v)| v.len() >= MIN_MASKED_LEN)
            .flat_map(|(n, v)| forms(v).into_iter().map(move |f| Needle::new(n, &f)))
            .collect();
        let mut starting = vec![Vec::new(); 256];
        for (i, n) in needles.iter().enumerate() {
            starting[usize::from(n.value[0])].push(i);
            if n.any_case && n.value[0].is_ascii_lowercase() {
                starting[usize::from(n.value[0].to_ascii_uppercase())].push(i);
            }
        }
        let longest_wrapping = needles.iter().filter(|n| n.wraps).map(|n| n.value.len()).max().unwrap_or(0);
        Masker {
            needles,
            starting,
            active: Vec::new(),
            next_active: Vec::new(),
            pending: Zeroizing::new(Vec::new()),
            base: 0,
            end: 0,
            found: Vec::new(),
            unbroken: std::collections::VecDeque::new(),
            longest_wrapping,
            line_len: 0,
            line_encoded: true,
            after_break: None,
            last_break: 0,
            masked_until: 0,
        }
    }

    /// Take the next chunk of output; append what may be passed on now to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        if self.needles.is_empty() {
            out.extend_from_slice(chunk);
            return;
        }
        self.pending.extend_from_slice(chunk);
        for &b in chunk {
            let line_break = b == b'\n' || b == b'\r';
            // A break passed over: one that ends a line of an encoding, long enough to be wrapped
            // output (`base64 -w N` for N of 16 or more); the `\n` of `\r\n` as its `\r`.
            let wrapped_break = if line_break {
                let pass = self.after_break.unwrap_or(self.line_encoded && self.line_len >= WRAPPED_LINE_MIN);
                self.after_break = Some(pass);
                self.last_break = self.end + 1;
                self.line_len = 0;
                self.line_encoded = true;
                pass
            } else {
                self.after_break = None;
                self.line_len += 1;
                self.line_encoded &= b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_');
                false
            };
            if self.longest_wrapping > 0 && !line_break {
                self.unbroken.push_back(self.end);
                if self.unbroken.len() > self.longest_wrapping {
                    self.unbroken.pop_front();
                }
            }
            self.end += 1;
            self.next_active.clear();
            // A needle with no partial match moves only on its first byte (to state 1: every
            // needle is longer than one byte); the others take the byte as KMP says.
            for &i in &self.starting[usize::from(b)] {
                let n = &mut self.needles[i];
                if n.state == 0 {
                    n.state = 1;
                    self.next_active.push(i);
                }
            }
            for &i in &self.active {
                let n = &mut self.needles[i];
                // A form that wraps passes over a line break inside a match under way.
                if n.wraps && wrapped_break {
                    self.next_active.push(i);
                    continue;
                }
                if n.step(b) {
                    let start = if n.wraps {
                        self.unbroken[self.unbroken.len() - n.value.len()]
                    } else {
                        self.end - n.value.len() as u64
                    };
                    self.found.push((start, self.end, i));
                }
                if n.state > 0 {
                    self.next_active.push(i);
                }
            }
            std::mem::swap(&mut self.active, &mut self.next_active);
        }
        // An occurrence not complete yet must start within the held-back suffix.
        let hold = self.hold();
        self.release(self.end - hold, out);
    }

    /// Whether output is held back by a match of a form that wraps that has passed over a line
    /// break (see [`Masker::quiet`]).
    pub fn holding_across_lines(&self) -> bool {
        self.active.iter().any(|&i| self.wrapped_start(i).is_some_and(|start| start < self.last_break))
    }

    /// The output went quiet: give up the matches of forms that wrap which passed over a line
    /// break (a wrapped encoding goes on at once; a line that merely ends like one must not wait
    /// for the program's next output), and pass on what no other match holds back.
    pub fn quiet(&mut self, out: &mut Vec<u8>) {
        let given_up: Vec<usize> = self
            .active
            .iter()
            .copied()
            .filter(|&i| self.wrapped_start(i).is_some_and(|start| start < self.last_break))
            .collect();
        for &i in &given_up {
            self.needles[i].state = 0;
        }
        self.active.retain(|i| !given_up.contains(i));
        let hold = self.hold();
        self.release(self.end - hold, out);
    }

    /// Where the partial match of needle `i` began, when it is of a form that wraps.
    fn wrapped_start(&self, i: usize) -> Option<u64> {
        let n = &self.needles[i];
        if !n.wraps || n.state == 0 {
            return None;
        }
        self.unbroken.get(self.unbroken.len().wrapping_sub(n.state)).copied()
    }

    /// How many bytes at the end of the output may still begin an occurrence.
    fn hold(&self) -> u64 {
        self.active
            .iter()
            .map(|&i| match self.wrapped_start(i) {
                // From where its partial match began, line breaks included.
                Some(at) => self.end - at,
                None => self.needles[i].state as u64,
            })
            .max()
            .unwrap_or(0)
    }

    /// The output has ended: pass on the rest.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.release(self.end, out);
    }

    /// Pass on everything before stream offset `safe`: every occurrence starting there is known.
    fn release(&mut self, safe: u64, out: &mut Vec<u8>) {
        self.found.sort_unstable_by_key(|&(start, end, i)| (start, std::cmp::Reverse(end), i));
        let mut emitted = self.base;
        let mut keep = Vec::new();
        for &(start, end, i) in &self.found {
            if start >= safe {
                keep.push((start, end, i));
                continue;
            }
            if start >= self.masked_until {
                let from = emitted.max(self.masked_until);
                out.extend_from_slice(&self.pending[(from - self.base) as usize..(start - self.base) as usize]);
                out.extend_from_slice(&self.needles[i].mask);
            }
            self.masked_until = self.masked_until.max(end);
            emitted = emitted.max(self.masked_until);
        }
        self.found = keep;
        let upto = safe.max(emitted).min(self.end);
        if emitted < upto {
            let from = emitted.max(self.masked_until).min(upto);
            out.extend_from_slice(&self.pending[(from - self.base) as usize..(upto - self.base) as usize]);
        }
        self.pending.drain(..(upto - self.base) as usize);
        self.base = upto;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask_all(values: &[(&str, &str)], text: &str, chunk: usize) -> String {
        let mut m = Masker::new(values.iter().map(|(n, v)| (*n, v.as_bytes())));
        let mut out = Vec::new();
        for c in text.as_bytes().chunks(chunk.max(1)) {
            m.push(c, &mut out);
        }
        m.finish(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_occurrence_is_masked_at_every_split() {
        let values = [("A", "s3cr3t-value"), ("B", "abab"), ("C", "value-two"), ("D", "xyz")];
        let text = "pre s3cr3t-value mid s3cr3t-values3cr3t-value ababab end value-two xyz";
        let want = "pre <hq-vault:A> mid <hq-vault:A><hq-vault:A> <hq-vault:B> end <hq-vault:C> xyz";
        for chunk in 1..=text.len() {
            assert_eq!(mask_all(&values, text, chunk), want, "chunk size {chunk}");
        }
    }

    #[test]
    fn overlapping_and_nested_values_hide_every_byte() {
        let values = [("LONG", "password123"), ("SHORT", "word")];
        assert_eq!(mask_all(&values, "a password123 word", 3), "a <hq-vault:LONG> <hq-vault:SHORT>");
        let values = [("A", "abcd"), ("B", "cdef")];
        assert_eq!(mask_all(&values, "xabcdefx", 2), "x<hq-vault:A>x");
    }

    #[test]
    fn only_a_possible_start_is_held_back() {
        let mut m = Masker::new([("K", &b"secret"[..])]);
        let mut out = Vec::new();
        m.push(b"Password: ", &mut out);
        assert_eq!(out, b"Password: ", "nothing here can begin the value");
        out.clear();
        m.push(b"sec", &mut out);
        assert!(out.is_empty(), "`sec` may begin it");
        m.push(b"ond", &mut out);
        assert_eq!(out, b"second");
    }

    /// The same masking done on the whole output at once, the slow and obvious way.
    fn reference(values: &[(String, Vec<u8>)], text: &[u8]) -> Vec<u8> {
        let mut found = Vec::new();
        for (i, (_, v)) in values.iter().enumerate() {
            if v.len() < MIN_MASKED_LEN {
                continue;
            }
            for f in forms(v).iter().filter(|f| f.bytes.len() <= text.len()) {
                let n = f.bytes.len();
                let equal = |s: usize| {
                    if f.any_case {
                        text[s..s + n].eq_ignore_ascii_case(&f.bytes)
                    } else {
                        text[s..s + n] == f.bytes[..]
                    }
                };
                found.extend((0..=text.len() - n).filter(|&s| equal(s)).map(|s| (s, s + n, i)));
            }
        }
        found.sort_by_key(|&(s, e, i)| (s, std::cmp::Reverse(e), i));
        let (mut out, mut until) = (Vec::new(), 0);
        for (s, e, i) in found {
            if s >= until {
                out.extend_from_slice(&text[until..s]);
                out.extend_from_slice(mask_for(&values[i].0).as_bytes());
            }
            until = until.max(e);
        }
        out.extend_from_slice(&text[until..]);
        out
    }

    #[test]
    fn streaming_equals_masking_the_whole_output_at_once() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..3000 {
            let mut values: Vec<(String, Vec<u8>)> = Vec::new();
            for i in 0..1 + next(4) {
                let len = 2 + next(6);
                values.push((format!("V{i}"), (0..len).map(|_| b"abc"[next(3)]).collect()));
            }
            let len = next(80);
            let text: Vec<u8> = (0..len).map(|_| b"abc"[next(3)]).collect();
            let mut m = Masker::new(values.iter().map(|(n, v)| (n.as_str(), &v[..])));
            let mut out = Vec::new();
            let mut rest = &text[..];
            while !rest.is_empty() {
                let take = (1 + next(9)).min(rest.len());
                m.push(&rest[..take], &mut out);
                rest = &rest[take..];
            }
            m.finish(&mut out);
            assert_eq!(out, reference(&values, &text), "values {values:?}, text {:?}", String::from_utf8_lossy(&text));
        }
    }

    /// The encoded forms a program prints a value in are masked too, at every split, and a
    /// form found inside a longer encoding (`KEY=value` in base64) as well.
    #[test]
    fn encoded_forms_are_masked_at_every_split() {
        use base64::Engine;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        const RFC3986: &percent_encoding::AsciiSet =
            &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
        let value = "sk_live_4eC39HqLyjWDarjtT1zdp7dc?/+\"";
        let values = [("KEY", value)];
        let samples = [
            STANDARD.encode(value),
            URL_SAFE_NO_PAD.encode(value),
            STANDARD.encode(format!("KEY={value}\n")),
            STANDARD.encode(format!("KY={value}")),
            STANDARD.encode(format!("K={value}")),
            hex::encode(value),
            hex::encode_upper(value),
            serde_json::json!({ "key": value }).to_string(),
            // RFC 3986: everything but the unreserved characters.
            percent_encoding::utf8_percent_encode(value, RFC3986).to_string(),
        ];
        for sample in &samples {
            let text = format!("before {sample} after");
            for chunk in [1, 2, 3, 5, 7, 64] {
                let got = mask_all(&values, &text, chunk);
                assert!(got.contains("<hq-vault:KEY>"), "{sample} (chunk {chunk}): {got}");
                assert!(got.starts_with("before ") && got.ends_with(" after"), "{got}");
                for form in forms(value.as_bytes()) {
                    let form = String::from_utf8_lossy(&form.bytes).into_owned();
                    assert!(!got.contains(&form), "{form} left in {got}");
                }
            }
        }
        // Only what the value's own bits decide is replaced: the characters around it remain.
        let base64 = STANDARD.encode(format!("K={value}"));
        let got = mask_all(&values, &base64, 4);
        assert!(got.starts_with("Sz") && got.len() < base64.len(), "{got}");
    }

    /// Encoders differ in the case of their hex digits and in what they escape: every variant of
    /// this kind is masked (issue 12's review: `%2f` and `\/` were not).
    #[test]
    fn case_and_escape_variants_of_encodings_are_masked() {
        let value = "Pa55 wörd/Sk?x=1&y";
        let values = [("PW", value)];
        // Hex digits after `%` in lower case, the letters of the value untouched.
        let upper = percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string();
        let mut lower_escapes = String::new();
        let mut rest = upper.as_str();
        while let Some(at) = rest.find('%') {
            lower_escapes.push_str(&rest[..at]);
            lower_escapes.push_str(&rest[at..at + 3].to_ascii_lowercase());
            rest = &rest[at + 3..];
        }
        lower_escapes.push_str(rest);
        let samples = [
            lower_escapes,
            // Python's quote_plus and URLSearchParams: a space as `+`.
            "Pa55+w%C3%B6rd%2FSk%3Fx%3D1%26y".to_owned(),
            "Pa55+w%C3%B6rd%2FSk%3Fx%3D1%26y"
                .to_ascii_lowercase()
                .replace("pa55", "Pa55")
                .replace("w%c3%b6rd%2fsk", "w%c3%b6rd%2fSk"),
            // PHP's json_encode: `/` as `\/`, non-ASCII as `\u00f6`; Java's as `\u00F6`.
            "Pa55 w\\u00f6rd\\/Sk?x=1&y".to_owned(),
            "Pa55 w\\u00F6rd\\/Sk?x=1&y".to_owned(),
            "Pa55 w\\u00F6rd/Sk?x=1&y".to_owned(),
            "Pa55 wörd\\/Sk?x=1&y".to_owned(),
            // Hex in mixed case.
            hex::encode(value)
                .chars()
                .enumerate()
                .map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c })
                .collect(),
        ];
        for sample in &samples {
            for chunk in [1, 3, 64] {
                let got = mask_all(&values, &format!("<{sample}>"), chunk);
                assert_eq!(got, "<<hq-vault:PW>>", "{sample} (chunk {chunk})");
            }
        }
        // Exact forms stay exact: the value in another case is not the value.
        assert_eq!(mask_all(&values, "pa55 wörd/sk?x=1&y", 4), "pa55 wörd/sk?x=1&y");
    }

    #[test]
    fn wrapped_base64_and_the_lines_of_a_pem_key_are_masked() {
        use base64::Engine;
        let body: Vec<String> =
            (0..4).map(|i| format!("MIIEv{i}QIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC{i}")).collect();
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", body.join("\n"));
        // `sed -n 2,3p`: two lines of the key, each masked; the armour is left alone.
        let got = mask_all(&[("KEY", &pem)], &format!("{}\n{}\n", body[1], body[2]), 7);
        assert_eq!(got, "<hq-vault:KEY>\n<hq-vault:KEY>\n");
        let got = mask_all(&[("KEY", &pem)], "-----BEGIN PRIVATE KEY-----\n", 7);
        assert_eq!(got, "-----BEGIN PRIVATE KEY-----\n");
        // `base64` (76 a line), `openssl base64` (64 a line), any other width.
        let wrap = |text: &str, width: usize, end: &str| {
            text.as_bytes().chunks(width).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(end)
        };
        let encoded = base64::engine::general_purpose::STANDARD.encode(pem.as_bytes());
        for width in [76, 64, 16] {
            let got = mask_all(&[("KEY", &pem)], &format!("{}\n", wrap(&encoded, width, "\n")), 13);
            assert_eq!(got, "<hq-vault:KEY>\n", "width {width}");
        }
        // A value inside a longer encoding that wraps (`base64 .env`), at every offset and width,
        // with either line end: nothing of it shows.
        let value = "postgres://user:Sup3rS3cretPw@db:5432/x";
        for pad in 0..3 {
            for width in [76, 60, 20] {
                for end in ["\n", "\r\n"] {
                    let env = format!("{}APP_NAME=my-service\nDATABASE_URL={value}\n", "#".repeat(pad));
                    let text = wrap(&base64::engine::general_purpose::STANDARD.encode(env.as_bytes()), width, end);
                    let got = mask_all(&[("DB", value)], &text, 7);
                    assert!(got.contains("<hq-vault:DB>"), "pad {pad} width {width}: {got}");
                    let decoded: String = got.split("<hq-vault:DB>").map(|p| p.replace(['\r', '\n'], "")).collect();
                    assert!(!decoded.contains("U3VwM3JTM2NyZXRQ") && !decoded.contains("Sup3r"), "{got}");
                }
            }
        }
        // An ordinary line that ends in what could begin a form is not held back for the next
        // one: only a line of an encoding, 16 characters or more, is passed over.
        let mut m = Masker::new([("DB", value.as_bytes())]);
        let mut out = Vec::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode(value.as_bytes());
        m.push(format!("ready {}\n", &encoded[..3]).as_bytes(), &mut out);
        assert_eq!(String::from_utf8_lossy(&out), format!("ready {}\n", &encoded[..3]));
        // A line of an encoding that ends like the start of a form is held for the next line,
        // until the output goes quiet (`run` waits 200 ms): then it is shown whole.
        let hexed = hex::encode(value);
        let line = format!("0123456789abcdef0123{}\n", &hexed[..2]);
        let mut m = Masker::new([("DB", value.as_bytes())]);
        let mut out = Vec::new();
        m.push(line.as_bytes(), &mut out);
        assert!(m.holding_across_lines() && out.len() < line.len(), "{}", String::from_utf8_lossy(&out));
        m.quiet(&mut out);
        assert_eq!(String::from_utf8_lossy(&out), line);
        assert!(!m.holding_across_lines());
        // `xxd -p`: plain hex, 60 digits a line.
        let hex = wrap(&hex::encode(value), 60, "\n");
        assert_eq!(mask_all(&[("DB", value)], &format!("{hex}\n"), 5), "<hq-vault:DB>\n");
        // Short lines of a value are no secret on their own.
        let json = "{\n  \"type\": \"x\",\n  \"private_key\": \"abcdefghijklmnopqrstuvwxyz\"\n}";
        assert_eq!(mask_all(&[("SA", json)], "}\n", 1), "}\n");
    }

    #[test]
    fn bash_quoting_in_a_utf8_locale_is_masked() {
        // What bash 5.2 prints under LC_ALL=C.UTF-8 (and, last, under LC_ALL=C).
        for (value, printed) in [
            ("pä ss$wörd", "pä\\ ss\\$wörd"),
            ("pässwörd-12", "pässwörd-12"),
            ("a\tbä-x", "$'a\\tbä-x'"),
            ("pä ss$wörd", "$'p\\303\\244 ss$w\\303\\266rd'"),
        ] {
            for chunk in [1, 5, 64] {
                let got = mask_all(&[("PW", value)], &format!("[{printed}]"), chunk);
                assert!(!got.contains(printed.trim_start_matches("$'").trim_end_matches('\'')), "{printed}: {got}");
                assert!(got.contains("<hq-vault:PW>"), "{printed}: {got}");
            }
        }
    }

    #[test]
    fn forms_are_listed_once_and_short_forms_are_left_out() {
        let f: Vec<Vec<u8>> = forms(b"abcd").into_iter().map(|x| x.bytes.to_vec()).collect();
        let mut unique = f.clone();
        unique.dedup();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), f.len());
        assert!(f.iter().all(|x| x.len() >= MIN_MASKED_LEN));
        assert_eq!(&f[0][..], b"abcd", "the value itself comes first");
        assert!(f.iter().any(|x| &x[..] == b"YWJjZ"), "base64 (`YWJjZA==`) without the character the next byte shares");
        assert!(f.iter().any(|x| &x[..] == b"61626364"));
        let big = vec![b'x'; MAX_ENCODED_LEN + 1];
        assert_eq!(forms(&big).len(), 1, "only the bytes of a value longer than MAX_ENCODED_LEN");
    }

    #[test]
    fn long_values_across_many_chunks() {
        let value: String = (0..200_000).map(|i| char::from(b'a' + (i * 7 % 26) as u8)).collect();
        let text = format!("[{value}][{}]", &value[..value.len() - 1]);
        let got = mask_all(&[("BIG", &value)], &text, 4096);
        assert_eq!(got, format!("[<hq-vault:BIG>][{}]", &value[..value.len() - 1]));
    }
}
