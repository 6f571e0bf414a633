//! The plain path of parameter sets (`ParamSet::parse_plain`, generated for
//! sets of scalars with at most integer bounds) never disagrees with the
//! general one: whenever it answers, the general path gives the same set.

use hostadmin_api::wire::{parse_general, ParamSet};
use hostadmin_api::{PersonGetQuery, ServerDeletePath, ServerGetPath, ServerGetQuery, ServerListQuery};

/// Texts that sit on every edge the two paths could read differently.
const TEXTS: &[&str] = &[
    "",
    "0",
    "1",
    "2",
    "3",
    "-1",
    "+1",
    "01",
    " 1",
    "1 ",
    "1.0",
    "1.5",
    "1e3",
    "0x1",
    "abc",
    "true",
    "false",
    "True",
    "NaN",
    "inf",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "é",
    "%41",
];

/// Every set of up to two pairs over `names` (and a name the set does not
/// have, and a name in another case) and [`TEXTS`]; returns how many the
/// plain path answered.
fn agree<P: ParamSet + PartialEq + std::fmt::Debug>(names: &[&str]) -> usize {
    let mut keys: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    keys.extend(["other".to_string(), names[0].to_uppercase()]);
    let singles: Vec<(String, String)> =
        keys.iter().flat_map(|k| TEXTS.iter().map(move |t| (k.clone(), t.to_string()))).collect();
    let mut cases: Vec<Vec<(String, String)>> = vec![Vec::new()];
    cases.extend(singles.iter().map(|p| vec![p.clone()]));
    for a in &singles {
        for b in singles.iter().step_by(7) {
            cases.push(vec![a.clone(), b.clone()]);
        }
    }
    let mut answered = 0;
    for pairs in &cases {
        if let Some(plain) = P::parse_plain(pairs) {
            assert_eq!(parse_general::<P>(pairs).as_ref(), Ok(&plain), "{pairs:?}");
            answered += 1;
        }
    }
    answered
}

#[test]
fn the_plain_path_answers_only_as_the_general_one_would() {
    assert!(agree::<ServerGetPath>(&["ID"]) > 100);
    assert!(agree::<ServerDeletePath>(&["ID"]) > 100);
    assert!(agree::<ServerGetQuery>(&["level"]) > 100);
    // Sets with patterns or enumerations are left to the general path.
    assert_eq!(agree::<ServerListQuery>(&["limit", "offset", "level"]), 0);
    assert_eq!(agree::<PersonGetQuery>(&["email"]), 0);
}

#[test]
fn the_plain_path_applies_defaults_and_takes_the_last_value() {
    let level = |pairs: &[(&str, &str)]| {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ServerGetQuery::parse_plain(&pairs).map(|q| q.level)
    };
    assert_eq!(level(&[]), Some(2));
    assert_eq!(level(&[("level", "2"), ("level", "0")]), Some(0));
    assert_eq!(level(&[("level", "3")]), None, "out of bounds: the general path words the error");
    assert_eq!(level(&[("LEVEL", "1")]), Some(2), "query names match exactly");
}
