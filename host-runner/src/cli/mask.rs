//! Masking injected values in a child's output, as `op run` does, because an agent reads it.
//!
//! A [`Masker`] takes the output in whatever chunks the pipe gives and replaces every occurrence
//! of every value with `<hq-vault:NAME>`, also when an occurrence is split across chunks. It
//! holds back only the bytes that could still begin a value (for each value, the longest suffix
//! of the output that is a prefix of it, found with the Knuth–Morris–Pratt failure function), so
//! a prompt that cannot be the start of a secret is shown at once. Occurrences that overlap are
//! masked as one run. Values shorter than [`MIN_MASKED_LEN`] bytes are not masked: a `1` or an
//! `eu` would hide ordinary output everywhere, and a value that short is no secret.

use zeroize::Zeroizing;

/// The shortest value that is masked, in bytes.
pub const MIN_MASKED_LEN: usize = 4;

/// What replaces an occurrence of the value of `name`.
pub fn mask_for(name: &str) -> String {
    format!("<hq-vault:{name}>")
}

struct Needle {
    value: Zeroizing<Vec<u8>>,
    /// `fail[i]`: length of the longest proper prefix of `value[..=i]` that is also its suffix.
    fail: Vec<u32>,
    /// Length of the longest suffix of the output so far that is a prefix of `value`.
    state: usize,
    mask: Vec<u8>,
}

impl Needle {
    fn new(name: &str, value: &[u8]) -> Needle {
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
        Needle { value: Zeroizing::new(value.to_vec()), fail, state: 0, mask: mask_for(name).into_bytes() }
    }

    /// Feed one byte; true when an occurrence ends with it.
    fn step(&mut self, b: u8) -> bool {
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
    /// Output not yet passed on: the bytes from stream offset `base` to `end`.
    pending: Zeroizing<Vec<u8>>,
    base: u64,
    end: u64,
    /// Occurrences found but not yet passed on: (start, end, needle).
    found: Vec<(u64, u64, usize)>,
    /// Output up to this offset is covered by a mask already written.
    masked_until: u64,
}

impl Masker {
    /// A masker for `values` (name, value); values shorter than [`MIN_MASKED_LEN`] are skipped.
    pub fn new<'a>(values: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Masker {
        let needles =
            values.into_iter().filter(|(_, v)| v.len() >= MIN_MASKED_LEN).map(|(n, v)| Needle::new(n, v)).collect();
        Masker { needles, pending: Zeroizing::new(Vec::new()), base: 0, end: 0, found: Vec::new(), masked_until: 0 }
    }

    /// Take the next chunk of output; append what may be passed on now to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        if self.needles.is_empty() {
            out.extend_from_slice(chunk);
            return;
        }
        self.pending.extend_from_slice(chunk);
        for &b in chunk {
            self.end += 1;
            for (i, n) in self.needles.iter_mut().enumerate() {
                if n.step(b) {
                    self.found.push((self.end - n.value.len() as u64, self.end, i));
                }
            }
        }
        // An occurrence not complete yet must start within the held-back suffix.
        let hold = self.needles.iter().map(|n| n.state as u64).max().unwrap_or(0);
        self.release(self.end - hold, out);
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
            if v.len() >= MIN_MASKED_LEN && v.len() <= text.len() {
                found.extend(
                    (0..=text.len() - v.len()).filter(|&s| &text[s..s + v.len()] == v).map(|s| (s, s + v.len(), i)),
                );
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

    #[test]
    fn long_values_across_many_chunks() {
        let value: String = (0..200_000).map(|i| char::from(b'a' + (i * 7 % 26) as u8)).collect();
        let text = format!("[{value}][{}]", &value[..value.len() - 1]);
        let got = mask_all(&[("BIG", &value)], &text, 4096);
        assert_eq!(got, format!("[<hq-vault:BIG>][{}]", &value[..value.len() - 1]));
    }
}
