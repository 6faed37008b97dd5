//! Property tests of the core's guarantees.

use hq_vault_core::crypto::{KdfParams, MasterKey};
use hq_vault_core::gate::ListPlan;
use hq_vault_core::listing::{Lister, ObjectInfo, list_sorted_keys};
use hq_vault_core::patterns::{
    MAX_KEY_LEN, allows, allows_secret, check_key, check_object_key, check_object_prefix, normalize, plan_listing,
};
use hq_vault_core::tokens::{TokenKind, mint, parse};
use proptest::prelude::*;

/// Strings drawn mostly from the characters that matter to paths.
fn pathish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("a".to_owned()),
            Just("b".to_owned()),
            Just("/".to_owned()),
            Just(".".to_owned()),
            Just("..".to_owned()),
            Just("*".to_owned()),
            Just("\\".to_owned()),
            Just(" ".to_owned()),
            Just("\0".to_owned()),
            Just("é".to_owned()),
            Just("%2e".to_owned()),
            "[a-z0-9._-]{1,4}",
        ],
        0..12,
    )
    .prop_map(|v| v.concat())
}

/// Names as people give files: the characters docs/design.md §3.1 calls ordinary, and some that are not.
fn namelike() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[a-z]{1,3}",
            Just("/".to_owned()),
            Just(" ".to_owned()),
            Just("*".to_owned()),
            Just("\\".to_owned()),
            Just("+".to_owned()),
            Just("%".to_owned()),
            Just("#".to_owned()),
            Just("?".to_owned()),
            Just("(".to_owned()),
            Just("'".to_owned()),
            Just(".".to_owned()),
            Just("\u{e9}".to_owned()),
            Just("e\u{301}".to_owned()),
            Just("\u{1F511}".to_owned()),
            Just("\u{10FFFF}".to_owned()),
            Just("\u{85}".to_owned()),
            Just("\0".to_owned()),
        ],
        1..10,
    )
    .prop_map(|v| v.concat())
}

fn key() -> MasterKey {
    MasterKey::create(b"pw", KdfParams::fresh(1, 64, 1)).unwrap().0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn normalize_is_idempotent(raw in pathish()) {
        if let Ok(n) = normalize(&raw) {
            prop_assert_eq!(normalize(&n), Ok(n.clone()));
        }
    }

    #[test]
    fn nothing_is_allowed_that_check_object_key_rejects(pats in proptest::collection::vec(pathish(), 1..4), p in namelike()) {
        let mut pats: Vec<String> = pats.iter().filter_map(|p| normalize(p).ok()).collect();
        pats.push("*".to_owned());
        if check_object_key(&p).is_err() {
            prop_assert!(!allows(&pats, &p), "{p:?} is rejected by check-object-key but allowed by {pats:?}");
        } else {
            prop_assert!(allows(&pats, &p), "`*` grants every key");
            prop_assert_eq!(check_object_key(&p), Ok(p.as_str()), "a key comes back unchanged");
        }
    }

    #[test]
    fn secret_scopes_keep_the_strict_alphabet(p in namelike()) {
        if check_key(&p).is_err() {
            prop_assert!(!allows_secret(&["*"], &p));
        }
    }

    #[test]
    fn allowed_keys_are_inside_a_planned_source(pats in proptest::collection::vec(pathish(), 1..4), k in namelike()) {
        let pats: Vec<String> = pats.iter().filter_map(|p| normalize(p).ok()).collect();
        if allows(&pats, &k) {
            let plan = plan_listing(&pats, "", false);
            let inside = plan.iter().any(|s| if s.exact { s.prefix == k } else { k.starts_with(&s.prefix) });
            prop_assert!(inside, "{} is allowed but no listing source reaches it", k);
        }
    }

    #[test]
    fn planned_sources_stay_inside_the_grant(pats in proptest::collection::vec(pathish(), 1..4), prefix in namelike(), extra in "[a-z/ ]{0,6}") {
        let pats: Vec<String> = pats.iter().filter_map(|p| normalize(p).ok()).collect();
        if check_object_prefix(&prefix).is_ok() {
            for s in plan_listing(&pats, &prefix, false) {
                let probe = if s.exact { s.prefix.clone() } else { format!("{}{extra}", s.prefix) };
                if check_object_key(&probe).is_err() {
                    continue; // not a key anyone could store or ask for
                }
                prop_assert!(allows(&pats, &probe), "source {:?} reaches {probe} outside {pats:?}", s);
                prop_assert!(probe.starts_with(&prefix));
            }
        }
    }

    /// List → get at the core: whatever names a store holds, the pages of a listing (any page
    /// size, delimited or not) show each fetchable key under the prefix exactly once, in byte
    /// order, and nothing the object route would refuse.
    #[test]
    fn listing_pages_show_exactly_the_fetchable_keys(
        names in proptest::collection::btree_set(namelike(), 0..24),
        limit in 1u32..6,
        long in proptest::bool::ANY,
    ) {
        let mut keys: Vec<String> = names.into_iter().map(|n| format!("k/{n}")).collect();
        if long {
            keys.push(format!("k/{}", "l".repeat(MAX_KEY_LEN - 2)));
            keys.push(format!("k/{}", "l".repeat(MAX_KEY_LEN - 1)));
        }
        keys.sort();
        keys.dedup();
        let want: Vec<&String> = keys.iter().filter(|k| check_object_key(k).is_ok()).collect();
        let sources = plan_listing(&["k/*"], "", false);
        let info = |k: &str| Some(ObjectInfo { key: k.to_owned(), size: 0, etag: String::new(), uploaded: String::new() });
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<(u32, Option<String>)> = None;
        for _ in 0..200 {
            let (start_source, start_inner) = cursor.clone().unwrap_or((0, None));
            let plan = ListPlan { sources: sources.clone(), start_source, start_inner, limit, delimited: false };
            let mut l = Lister::new(plan);
            while let Some(r) = l.next_request() {
                l.feed(list_sorted_keys(&keys, &r, info));
            }
            let page = l.finish();
            prop_assert!(page.objects.len() <= limit as usize);
            seen.extend(page.objects.into_iter().map(|o| o.key));
            match page.cursor {
                Some(c) => {
                    let (i, h) = c.strip_prefix("c1.").and_then(|r| r.split_once('.')).expect("a cursor this API makes");
                    cursor = Some((i.parse().unwrap(), Some(String::from_utf8(hex::decode(h).unwrap()).unwrap())));
                }
                None => break,
            }
        }
        prop_assert_eq!(seen.iter().collect::<Vec<_>>(), want);
    }

    #[test]
    fn seal_open_round_trips(pt in proptest::collection::vec(any::<u8>(), 0..2048), aad in "[a-z/]{0,40}") {
        let k = key();
        let sealed = k.seal(&pt, aad.as_bytes()).unwrap();
        prop_assert_eq!(&k.open(&sealed, aad.as_bytes()).unwrap()[..], &pt[..]);
    }

    #[test]
    fn any_flipped_bit_fails(pt in proptest::collection::vec(any::<u8>(), 0..256), bit in any::<usize>()) {
        let k = key();
        let mut sealed = k.seal(&pt, b"a/b").unwrap();
        let i = bit % (sealed.len() * 8);
        sealed[i / 8] ^= 1 << (i % 8);
        prop_assert!(k.open(&sealed, b"a/b").is_err());
    }

    #[test]
    fn truncation_fails(pt in proptest::collection::vec(any::<u8>(), 0..256), cut in any::<usize>()) {
        let k = key();
        let sealed = k.seal(&pt, b"a/b").unwrap();
        let n = cut % sealed.len();
        prop_assert!(k.open(&sealed[..n], b"a/b").is_err());
    }

    #[test]
    fn changed_aad_fails(pt in proptest::collection::vec(any::<u8>(), 0..64), a in "[a-z/]{1,20}", b in "[a-z/]{1,20}") {
        prop_assume!(a != b);
        let k = key();
        let sealed = k.seal(&pt, a.as_bytes()).unwrap();
        prop_assert!(k.open(&sealed, b.as_bytes()).is_err());
    }

    #[test]
    fn parse_of_mint_round_trips(which in 0u8..3) {
        let kind = [TokenKind::ConnectionKey, TokenKind::VaultToken, TokenKind::SessionToken][which as usize];
        prop_assert_eq!(parse(mint(kind).expose_secret()), Ok(kind));
    }

    #[test]
    fn one_substituted_character_is_rejected(which in 0usize..49, c in "[A-Za-z0-9]") {
        let t = mint(TokenKind::ConnectionKey);
        let mut s = t.expose_secret().to_owned();
        let i = 5 + which;
        prop_assume!(&s[i..=i] != c.as_str());
        s.replace_range(i..=i, &c);
        prop_assert!(parse(&s).is_err());
    }
}
