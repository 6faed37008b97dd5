//! Property tests of the core's guarantees.

use hq_vault_core::crypto::{KdfParams, MasterKey};
use hq_vault_core::patterns::{allows, check_key, check_path, normalize, plan_listing};
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
    fn nothing_is_allowed_that_check_path_rejects(pats in proptest::collection::vec(pathish(), 1..4), p in pathish()) {
        let pats: Vec<String> = pats.iter().filter_map(|p| normalize(p).ok()).collect();
        let mut pats = pats;
        pats.push("*".to_owned());
        if check_path(&p).is_err() {
            prop_assert!(!allows(&pats, &p), "{p:?} is rejected by check-path but allowed by {pats:?}");
        }
    }

    #[test]
    fn allowed_keys_are_inside_a_planned_source(pats in proptest::collection::vec(pathish(), 1..4), k in pathish()) {
        let pats: Vec<String> = pats.iter().filter_map(|p| normalize(p).ok()).collect();
        if check_key(&k).is_ok() && allows(&pats, &k) {
            let plan = plan_listing(&pats, "", false);
            let inside = plan.iter().any(|s| if s.exact { s.prefix == k } else { k.starts_with(&s.prefix) });
            prop_assert!(inside, "{} is allowed but no listing source reaches it", k);
        }
    }

    #[test]
    fn planned_sources_stay_inside_the_grant(pats in proptest::collection::vec(pathish(), 1..4), prefix in pathish(), extra in "[a-z/]{0,6}") {
        let pats: Vec<String> = pats.iter().filter_map(|p| normalize(p).ok()).collect();
        if check_path(&prefix).is_ok() {
            for s in plan_listing(&pats, &prefix, false) {
                let probe = if s.exact { s.prefix.clone() } else { format!("{}{extra}", s.prefix) };
                if check_key(&probe).is_err() {
                    continue; // not a key anyone could store or ask for
                }
                prop_assert!(allows(&pats, &probe), "source {:?} reaches {probe} outside {pats:?}", s);
                prop_assert!(probe.starts_with(&prefix));
            }
        }
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
