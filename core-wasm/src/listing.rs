//! Assembling one page of a listing from the sources of a [`ListPlan`], without I/O.
//!
//! The gate decides *what* may be listed (the plan); this module decides *how the page is built*
//! across sources: it asks the host for one source at a time ([`SourceRequest`]), merges what the
//! host's store returns, stops at the limit, and makes the cursor. Every host (the Worker over R2,
//! the daemon over a folder) runs the same loop:
//!
//! ```text
//! let mut lister = Lister::new(plan);
//! while let Some(req) = lister.next_request() { lister.feed(store.list(&req)?); }
//! let page = lister.finish();
//! ```

use serde::{Deserialize, Serialize};

use crate::gate::{ListPlan, encode_cursor};
use crate::patterns::{MAX_KEY_LEN, check_object_key, check_object_prefix};

/// One listing the host must perform on its store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRequest {
    /// Keys starting with this (or exactly this key when `exact`).
    pub prefix: String,
    /// Only the key equal to `prefix` (answer it with a head/stat).
    pub exact: bool,
    /// Roll keys whose rest after `prefix` holds a `/` into common prefixes (`prefix` + rest up to
    /// and including that `/`), each reported once.
    pub delimited: bool,
    /// Only keys (and common prefixes) strictly greater than this.
    pub start_after: Option<String>,
    /// At most this many entries, objects and prefixes together, in key order.
    pub limit: u32,
}

/// An object as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    pub etag: String,
    /// RFC 3339.
    pub uploaded: String,
}

/// What the host's store answered for one [`SourceRequest`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourcePage {
    pub objects: Vec<ObjectInfo>,
    pub prefixes: Vec<String>,
    /// More entries exist after these.
    pub truncated: bool,
}

/// The page to answer: `{"objects","prefixes","truncated","cursor"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub objects: Vec<ObjectInfo>,
    pub prefixes: Vec<String>,
    pub truncated: bool,
    pub cursor: Option<String>,
}

/// A bound greater than every key under the common prefix `p`: `p` followed by the byte-wise
/// greatest UTF-8 text that fits in the rest of [`MAX_KEY_LEN`] bytes. Keys are compared byte for
/// byte and are at most that long, so nothing under `p` sorts after it; and the bound is no longer
/// than a key, so a store with a key-length limit (R2: 1024 bytes with the company prefix) accepts it.
fn past(p: &str) -> String {
    let mut s = String::with_capacity(MAX_KEY_LEN);
    s.push_str(p);
    while MAX_KEY_LEN.saturating_sub(s.len()) >= 4 {
        s.push('\u{10FFFF}');
    }
    match MAX_KEY_LEN.saturating_sub(s.len()) {
        3 => s.push('\u{FFFF}'),
        2 => s.push('\u{7FF}'),
        1 => s.push('\u{7F}'),
        _ => {}
    }
    s
}

/// Whether a listed entry may be shown: every key a listing returns must be one the object route
/// accepts, and every folder one the listing route accepts (docs/design.md §3.1). A store can hold names
/// that are not keys (a control character, `a//b`, over 960 bytes): those are skipped.
fn showable(key: &str, is_object: bool) -> bool {
    if is_object { check_object_key(key).is_ok() } else { check_object_prefix(key).is_ok() }
}

enum Pending {
    /// A prefix or exact source, listed for real.
    Entries,
    /// A rolled-up source: asked for one key to learn whether the folder has anything.
    Probe(String),
}

/// Builds one page of a listing.
pub struct Lister {
    plan: ListPlan,
    source: usize,
    start_after: Option<String>,
    /// Where this page resumes (from the cursor): every entry up to it was on an earlier page.
    /// Unlike `start_after`, it holds for every source of the page, not only the first.
    resume: Option<String>,
    page: Page,
    last: Option<(usize, String)>,
    pending: Option<Pending>,
    done: bool,
}

impl Lister {
    pub fn new(plan: ListPlan) -> Lister {
        let source = plan.start_source as usize;
        let start_after = plan.start_inner.clone().map(|inner| {
            // A cursor that ends on a common prefix resumes after everything under it. A page's
            // cursor names its last shown entry, and a shown object is a key, which never ends with
            // `/`: so a trailing `/` here means a folder.
            if inner.ends_with('/') { past(&inner) } else { inner }
        });
        let resume = start_after.clone();
        Lister { plan, source, start_after, resume, page: Page::default(), last: None, pending: None, done: false }
    }

    fn emitted(&self) -> u32 {
        (self.page.objects.len() + self.page.prefixes.len()) as u32
    }

    /// The next listing the host must perform, or `None` when the page is complete.
    pub fn next_request(&mut self) -> Option<SourceRequest> {
        loop {
            if self.done || self.source >= self.plan.sources.len() {
                return None;
            }
            if self.emitted() >= self.plan.limit {
                // Full: more may follow in this or a later source.
                self.page.truncated = true;
                return None;
            }
            let s = &self.plan.sources[self.source];
            if s.prefix.len() > MAX_KEY_LEN {
                // Granted by a long pattern, but no key (at most 960 bytes) is under it: nothing to
                // ask the store (R2 would refuse a prefix past its own key limit).
                self.next_source();
                continue;
            }
            if let Some(rollup) = &s.rollup {
                // Entries come out in key order across sources, so a folder at or before where
                // this page resumes was shown on an earlier page: two sources can share a folder
                // (`f/0` and `f/1` both roll up to `f/`), and a page may end between them.
                let resumed_past = [&self.start_after, &self.resume]
                    .into_iter()
                    .any(|a| a.as_deref().is_some_and(|a| a >= rollup.as_str()));
                if resumed_past || self.page.prefixes.last() == Some(rollup) {
                    self.next_source();
                    continue;
                }
                self.pending = Some(Pending::Probe(rollup.clone()));
                return Some(SourceRequest {
                    prefix: s.prefix.clone(),
                    exact: s.exact,
                    delimited: false,
                    start_after: None,
                    limit: 1,
                });
            }
            if s.exact && self.start_after.as_deref().is_some_and(|a| a >= s.prefix.as_str()) {
                self.next_source();
                continue;
            }
            self.pending = Some(Pending::Entries);
            return Some(SourceRequest {
                prefix: s.prefix.clone(),
                exact: s.exact,
                delimited: self.plan.delimited,
                start_after: self.start_after.clone(),
                limit: self.plan.limit - self.emitted(),
            });
        }
    }

    fn next_source(&mut self) {
        self.source += 1;
        self.start_after = None;
    }

    /// Give the answer to the last [`SourceRequest`].
    pub fn feed(&mut self, answer: SourcePage) {
        match self.pending.take() {
            None => {}
            Some(Pending::Probe(rollup)) => {
                if !answer.objects.is_empty() || !answer.prefixes.is_empty() {
                    self.page.prefixes.push(rollup.clone());
                    self.last = Some((self.source, rollup));
                }
                self.next_source();
            }
            Some(Pending::Entries) => {
                // Merge objects and prefixes in key order; never more than the limit allows.
                let room = (self.plan.limit - self.emitted()) as usize;
                let mut entries: Vec<(String, Option<ObjectInfo>)> = answer
                    .objects
                    .into_iter()
                    .map(|o| (o.key.clone(), Some(o)))
                    .chain(answer.prefixes.into_iter().map(|p| (p, None)))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let mut shown = 0usize;
                let mut cut = false;
                // The last entry consumed, and whether it was a common prefix (a folder).
                let mut last_key: Option<(String, bool)> = None;
                for (key, obj) in entries {
                    if shown == room {
                        cut = true;
                        break;
                    }
                    // Consumed whether shown or skipped: a cursor resumes after it either way.
                    last_key = Some((key.clone(), obj.is_none()));
                    if !showable(&key, obj.is_some()) {
                        continue;
                    }
                    match obj {
                        Some(o) => self.page.objects.push(o),
                        None => {
                            if self.page.prefixes.last() == Some(&key) {
                                continue;
                            }
                            self.page.prefixes.push(key);
                        }
                    }
                    shown += 1;
                }
                if let Some((k, _)) = &last_key {
                    self.last = Some((self.source, k.clone()));
                }
                if answer.truncated || cut {
                    match last_key {
                        // Past everything under a folder; just after an object, even one whose
                        // name ends with `/` (a folder marker a store may hold, never shown): the
                        // keys under it are still to come. (A page's cursor is always made from a
                        // shown entry, where a trailing `/` does mean a folder: see `Lister::new`.)
                        Some((k, true)) => self.start_after = Some(past(&k)),
                        Some((k, false)) => self.start_after = Some(k),
                        // A store that says "more" but gave nothing: stop rather than loop.
                        None => self.done = true,
                    }
                    if self.emitted() >= self.plan.limit {
                        self.page.truncated = true;
                        self.done = true;
                    }
                } else {
                    self.next_source();
                }
            }
        }
    }

    /// The page, with a cursor exactly when it is truncated.
    pub fn finish(mut self) -> Page {
        if self.page.truncated {
            if let Some((source, inner)) = &self.last {
                self.page.cursor = Some(encode_cursor(*source as u32, inner));
            } else {
                self.page.truncated = false;
            }
        }
        // The objects and prefixes of one page, each in key order.
        self.page.prefixes.sort();
        self.page.prefixes.dedup();
        self.page
    }
}

/// Answer a [`SourceRequest`] from a sorted list of keys (for stores that can only enumerate, such
/// as a folder, and for tests). `info` gives an object's listing fields; `None` skips the key.
pub fn list_sorted_keys<F>(keys: &[String], req: &SourceRequest, mut info: F) -> SourcePage
where
    F: FnMut(&str) -> Option<ObjectInfo>,
{
    let mut page = SourcePage::default();
    let in_source = |k: &String| if req.exact { *k == req.prefix } else { k.starts_with(&req.prefix) };
    let mut count = 0u32;
    for k in keys.iter().filter(|k| in_source(k)) {
        if req.start_after.as_deref().is_some_and(|a| k.as_str() <= a) {
            continue;
        }
        let group = if req.delimited && !req.exact {
            k[req.prefix.len()..].find('/').map(|i| k[..req.prefix.len() + i + 1].to_owned())
        } else {
            None
        };
        if let Some(g) = &group
            && (page.prefixes.last() == Some(g) || req.start_after.as_deref().is_some_and(|a| g.as_str() <= a))
        {
            continue;
        }
        if count == req.limit {
            page.truncated = true;
            break;
        }
        match group {
            Some(g) => page.prefixes.push(g),
            None => match info(k) {
                Some(o) => page.objects.push(o),
                None => continue,
            },
        }
        count += 1;
    }
    page
}

/// One entry of a folder a host enumerates itself (the daemon's files root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderEntry {
    /// Company-relative key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Entity tag, quoted as sent.
    pub etag: String,
    /// Modification time (ms since the epoch).
    pub modified_ms: u64,
}

/// One page of a listing over a folder's entries (any order): the [`Lister`] loop over
/// [`list_sorted_keys`], as every host runs it, with `uploaded` as RFC 3339.
pub fn list_folder(plan: ListPlan, mut entries: Vec<FolderEntry>) -> Page {
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    entries.dedup_by(|a, b| a.key == b.key);
    let keys: Vec<String> = entries.iter().map(|e| e.key.clone()).collect();
    let info = |k: &str| {
        let e = &entries[keys.binary_search_by(|x| x.as_str().cmp(k)).ok()?];
        Some(ObjectInfo {
            key: e.key.clone(),
            size: e.size,
            etag: e.etag.clone(),
            uploaded: crate::time::rfc3339(e.modified_ms),
        })
    };
    let mut lister = Lister::new(plan);
    while let Some(req) = lister.next_request() {
        lister.feed(list_sorted_keys(&keys, &req, info));
    }
    lister.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::plan_listing;

    fn obj(k: &str) -> Option<ObjectInfo> {
        Some(ObjectInfo { key: k.to_owned(), size: 1, etag: "\"e\"".into(), uploaded: "t".into() })
    }

    fn run(keys: &[&str], patterns: &[&str], prefix: &str, delimited: bool, limit: u32) -> Vec<Page> {
        let keys: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
        let sources = plan_listing(patterns, prefix, delimited);
        let mut pages = Vec::new();
        let mut cursor: Option<(u32, Option<String>)> = None;
        loop {
            let (start_source, start_inner) = cursor.clone().unwrap_or((0, None));
            let plan = ListPlan { sources: sources.clone(), start_source, start_inner, limit, delimited };
            let mut l = Lister::new(plan);
            while let Some(r) = l.next_request() {
                l.feed(list_sorted_keys(&keys, &r, obj));
            }
            let page = l.finish();
            let next = page.cursor.clone();
            pages.push(page);
            match next {
                Some(c) => {
                    let rest = c.strip_prefix("c1.").unwrap();
                    let (i, h) = rest.split_once('.').unwrap();
                    cursor = Some((i.parse().unwrap(), Some(String::from_utf8(hex::decode(h).unwrap()).unwrap())));
                }
                None => break,
            }
            assert!(pages.len() < 100);
        }
        pages
    }

    #[test]
    fn pages_cover_every_granted_key_once_in_order() {
        let keys = ["a/1", "a/2", "a/3", "b/x", "c/1", "c/2", "d"];
        for limit in 1..=8 {
            let pages = run(&keys, &["a/*", "c/*", "d"], "", false, limit);
            let all: Vec<String> = pages.iter().flat_map(|p| p.objects.iter().map(|o| o.key.clone())).collect();
            assert_eq!(all, ["a/1", "a/2", "a/3", "c/1", "c/2", "d"], "limit {limit}");
            assert!(pages.iter().all(|p| p.objects.len() + p.prefixes.len() <= limit as usize));
        }
    }

    #[test]
    fn delimited_pages_roll_up_folders_once() {
        let keys = ["k/a.md", "k/s/1", "k/s/2", "k/t/1", "k/z.md", "p/plan.md", "q/other"];
        for limit in 1..=6 {
            let pages = run(&keys, &["k/*", "p/plan.md"], "", true, limit);
            let prefixes: Vec<String> = pages.iter().flat_map(|p| p.prefixes.clone()).collect();
            assert_eq!(prefixes, ["k/", "p/"], "limit {limit}");
            let pages = run(&keys, &["k/*"], "k/", true, limit);
            let prefixes: Vec<String> = pages.iter().flat_map(|p| p.prefixes.clone()).collect();
            let objects: Vec<String> = pages.iter().flat_map(|p| p.objects.iter().map(|o| o.key.clone())).collect();
            assert_eq!(prefixes, ["k/s/", "k/t/"], "limit {limit}");
            assert_eq!(objects, ["k/a.md", "k/z.md"], "limit {limit}");
        }
    }

    #[test]
    fn names_that_are_not_keys_are_never_listed() {
        let long = format!("k/{}", "x".repeat(MAX_KEY_LEN));
        let keys = ["k/a b", "k/bell\u{7}", "k/c//d", "k/e", "k/./f", long.as_str(), "k/z/"];
        for limit in 1..=4 {
            let pages = run(&keys, &["k/*"], "", false, limit);
            let all: Vec<String> = pages.iter().flat_map(|p| p.objects.iter().map(|o| o.key.clone())).collect();
            assert_eq!(all, ["k/a b", "k/e"], "limit {limit}");
            let pages = run(&keys, &["k/*"], "k/", true, limit);
            let prefixes: Vec<String> = pages.iter().flat_map(|p| p.prefixes.clone()).collect();
            assert_eq!(prefixes, ["k/c/", "k/z/"], "limit {limit}: `k/./` is not a prefix one can list");
        }
    }

    #[test]
    fn the_bound_past_a_folder_is_after_every_key_in_it_and_no_longer_than_a_key() {
        let folders =
            ["k/".to_owned(), "a/".repeat(400), format!("{}/", "b".repeat(956)), format!("{}/", "c".repeat(957))];
        for p in &folders {
            let b = past(p);
            assert!(b.len() <= MAX_KEY_LEN && b.starts_with(p), "{}", p.len());
            for tail in ["\u{10FFFF}", "\u{FFFF}", "z", "\u{10FFFF}\u{10FFFF}z"] {
                let k = format!("{p}{tail}");
                if k.len() <= MAX_KEY_LEN {
                    assert!(k.as_str() <= b.as_str(), "{} + {tail:?}", p.len());
                }
            }
        }
    }

    #[test]
    fn sources_longer_than_a_key_are_not_asked_for() {
        let long = "p".repeat(MAX_KEY_LEN + 10);
        let sources = plan_listing(&[long.as_str(), "k/*"], "", false);
        assert_eq!(sources.len(), 2);
        let mut l = Lister::new(ListPlan { sources, start_source: 0, start_inner: None, limit: 10, delimited: false });
        let mut asked = Vec::new();
        while let Some(r) = l.next_request() {
            asked.push(r.prefix.clone());
            l.feed(SourcePage::default());
        }
        assert_eq!(asked, ["k/"]);
    }

    #[test]
    fn a_folder_marker_object_does_not_hide_the_keys_under_it() {
        // Found by the fuzz target `cursor`: a store holding an object named `kb/` (a folder
        // marker, as S3-style stores keep) answered a page ending on it; resuming "past the folder"
        // skipped every key under it.
        let keys = ["kb/", "kb/a", "kb/b", "z"];
        for limit in 1..=4 {
            let pages = run(&keys, &["*"], "", false, limit);
            let all: Vec<String> = pages.iter().flat_map(|p| p.objects.iter().map(|o| o.key.clone())).collect();
            assert_eq!(all, ["kb/a", "kb/b", "z"], "limit {limit}");
            let pages = run(&keys, &["kb/*"], "kb/", true, limit);
            let all: Vec<String> = pages.iter().flat_map(|p| p.objects.iter().map(|o| o.key.clone())).collect();
            assert_eq!(all, ["kb/a", "kb/b"], "delimited, limit {limit}");
        }
    }

    #[test]
    fn a_folder_two_sources_share_is_listed_once_across_pages() {
        // Found by the fuzz target `cursor`: a page ending on the folder of the first of two exact
        // patterns under it listed the folder again on the next page, for the second.
        let keys = ["f/0", "f/1", "z"];
        for limit in 1..=3 {
            let pages = run(&keys, &["f/0", "f/1", "z"], "", true, limit);
            let prefixes: Vec<String> = pages.iter().flat_map(|p| p.prefixes.clone()).collect();
            let objects: Vec<String> = pages.iter().flat_map(|p| p.objects.iter().map(|o| o.key.clone())).collect();
            assert_eq!((prefixes, objects), (vec!["f/".to_owned()], vec!["z".to_owned()]), "limit {limit}");
        }
    }

    #[test]
    fn an_empty_rollup_is_not_shown() {
        let pages = run(&["x/1"], &["k/*", "x/*"], "", true, 10);
        assert_eq!(pages[0].prefixes, ["x/"]);
    }

    #[test]
    fn a_folder_is_listed_as_the_lister_over_its_sorted_keys_lists_it() {
        let keys = ["kb/b.md", "kb/a.md", "kb/sub/c.md", "other/x.md"];
        let entries: Vec<FolderEntry> = keys
            .iter()
            .map(|k| FolderEntry { key: (*k).into(), size: 3, etag: "\"e\"".into(), modified_ms: 1_000 })
            .collect();
        let plan = ListPlan {
            sources: plan_listing(&["kb/*"], "kb/", true),
            start_source: 0,
            start_inner: None,
            limit: 1,
            delimited: true,
        };
        let page = list_folder(plan.clone(), entries.clone());
        assert_eq!(page.objects.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), ["kb/a.md"]);
        assert_eq!(page.objects[0].uploaded, "1970-01-01T00:00:01.000Z");
        assert!(page.truncated && page.cursor.is_some());
        let all = list_folder(ListPlan { limit: 10, ..plan }, entries);
        assert_eq!(all.objects.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), ["kb/a.md", "kb/b.md"]);
        assert_eq!(all.prefixes, ["kb/sub/"]);
        assert!(!all.truncated && all.cursor.is_none());
    }
}
