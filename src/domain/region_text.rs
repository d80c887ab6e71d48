//! How a 地区 text is written, apart from the township registry: the municipality and county
//! before it, brackets, the shape of a village name and what may stand between the township
//! and the village (import rule 8). [`super::region::RegionResolver`] reads texts with these.

/// Prefixes stripped before the township: the municipality and the county.
pub(crate) const COUNTY_PREFIXES: [&str; 4] = ["重庆市", "重庆", "云阳县", "云阳"];

/// Brackets a 地区 text may use, and their closing pairs (after [`super::text::to_half_width`]).
pub(crate) const BRACKETS: [(char, char); 6] = [
    ('(', ')'),
    ('【', '】'),
    ('[', ']'),
    ('〔', '〕'),
    ('「', '」'),
    ('『', '』'),
];

/// What ends a village name: 村 (also as 村委会), 社区 (a town's community), 居委会.
pub const VILLAGE_SUFFIXES: [&str; 4] = ["村委会", "村", "社区", "居委会"];

/// How a township's name ends when it is written with its level.
pub(crate) const LEVEL_ENDINGS: [&str; 5] = ["镇", "乡", "街道", "街办", "办事处"];

/// The levels a clerk may write after a township's short name, its own or a wrong one
/// (`泥溪乡`, `清水镇`; `区`: the 区公所 level older clerks still write), longest first.
pub(crate) const WRITTEN_LEVELS: [&str; 5] = ["街道办事处", "街道", "镇", "乡", "区"];

/// The number of characters before the village suffix ([`VILLAGE_SUFFIXES`]) that comes first
/// in `village` (`三坪村` → 2, `村` → 0); `None` without one.
pub(crate) fn village_name_length(village: &str) -> Option<usize> {
    VILLAGE_SUFFIXES
        .iter()
        .filter_map(|suffix| village.find(suffix))
        .min()
        .map(|at| village[..at].chars().count())
}

/// Whether `c` is a Chinese character (the CJK unified ideographs, also the rare ones of the
/// supplementary planes: `𠮷`).
pub(crate) fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{20000}'..='\u{3FFFF}').contains(&c)
}

/// Whether `text` (cleaned, half-width, no whitespace) is a group's number alone, with no
/// village: `3组`, `三组`, `五社`, `2队`, `第三村民小组`, `3小组`. `新村组` (a group called by a
/// name: [`is_named_group`]) and `三坪村3组` are not.
pub fn is_group_only(text: &str) -> bool {
    ["村民小组", "小组", "组", "社", "队"]
        .iter()
        .find_map(|suffix| text.strip_suffix(suffix))
        .map(|number| number.strip_prefix('第').unwrap_or(number))
        .is_some_and(|number| {
            !number.is_empty()
                && number
                    .chars()
                    .all(|c| c.is_ascii_digit() || super::text::is_chinese_numeral_char(c))
        })
}

/// Whether `text` (cleaned, half-width, no whitespace) is a group called by a name, with no
/// village: one to four Chinese characters, then 组, 社 or 队 (`王家湾组`, `新村组`, `中坝社`).
/// A village and its group (`黎明村二社`, `石村王家组`) is not.
pub fn is_named_group(text: &str) -> bool {
    text.strip_suffix(['组', '社', '队']).is_some_and(|name| {
        let after_a_village = name
            .char_indices()
            .map(|(at, c)| at + c.len_utf8())
            .filter(|end| *end < name.len())
            .any(|end| {
                let head = &name[..end];
                (head.ends_with('村') || head.ends_with("社区")) && is_village_name(head)
            });
        (1..=4).contains(&name.chars().count())
            && name.chars().all(is_han)
            && !name.ends_with(['组', '社', '队'])
            && !name.ends_with(super::text::is_chinese_numeral_char)
            && !after_a_village
    })
}

/// Whether `text` (cleaned, half-width, no whitespace) starts with a village's name
/// ([`is_village_name`], ending in 村 or 社区, within its first six characters): `三坪村`,
/// `三坪村1、2组`, `黎明村村委会`, `黎明社区居委会`, `三坪村集中安置点`, `三坪村、农坝镇双龙村`.
pub fn starts_with_village_name(text: &str) -> bool {
    is_village_name(text)
        || text
            .char_indices()
            .map(|(at, c)| at + c.len_utf8())
            .take(6)
            .any(|end| {
                let head = &text[..end];
                (head.ends_with('村') || head.ends_with("社区")) && is_village_name(head)
            })
}

/// Whether `text` (cleaned, half-width, no whitespace) reads as a village name alone: one to
/// three Chinese characters naming no level (省, 市, 县, 区, 镇, 乡), then 村, 社区 or 居委会,
/// then at most a group number (`3组`, `三社`, `2队`): `大河村`, `滨江社区`, `大河村3组`. A longer
/// name is more likely a place before the village (`万州大河村`, a misspelt `泥西大河村`).
pub fn is_village_name(text: &str) -> bool {
    let Some((name, rest)) = VILLAGE_SUFFIXES
        .iter()
        .filter_map(|suffix| Some((text.find(suffix)?, suffix.len())))
        .min_by_key(|&(at, len)| (at, std::cmp::Reverse(len)))
        .map(|(at, len)| (&text[..at], &text[at + len..]))
    else {
        return false;
    };
    let name_chars = name.chars().count();
    let names_a_level = name.chars().any(|c| "省市县区镇乡".contains(c));
    if !(1..=3).contains(&name_chars) || !name.chars().all(is_han) || names_a_level {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    let Some(number) = ["组", "社", "队"]
        .iter()
        .find_map(|group| rest.strip_suffix(group))
    else {
        return false;
    };
    !number.is_empty()
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || "〇零一二两三四五六七八九十".contains(c))
}

/// `text` without the municipality and county prefixes (`重庆市云阳县…` → `…`), when more follows.
pub(crate) fn strip_county(text: &str) -> &str {
    let mut current = text;
    while let Some(rest) = COUNTY_PREFIXES
        .iter()
        .find_map(|prefix| current.strip_prefix(prefix).filter(|rest| !rest.is_empty()))
    {
        current = rest;
    }
    current
}

/// `三坪村(泥溪镇)` → (`三坪村`, `泥溪镇`): the text before a bracketed part that ends the text,
/// and what is inside it; `None` when the text does not end with a closing bracket or nothing
/// stands before the bracket.
pub(crate) fn trailing_bracketed(text: &str) -> Option<(&str, &str)> {
    BRACKETS.iter().find_map(|&(open, close)| {
        let inner = text.strip_suffix(close)?;
        let start = inner.rfind(open)?;
        let before = &inner[..start];
        (!before.is_empty()).then(|| (before, &inner[start + open.len_utf8()..]))
    })
}

/// `(泥溪镇)三坪村` → (`泥溪镇`, `三坪村`): the text inside a bracket the candidate opens with, and
/// what follows its closing bracket; `None` when the text does not open with a bracket or never
/// closes it.
pub(crate) fn leading_bracketed(text: &str) -> Option<(&str, &str)> {
    BRACKETS.iter().find_map(|&(open, close)| {
        let inner = text.strip_prefix(open)?;
        let end = inner.find(close)?;
        Some((&inner[..end], &inner[end + close.len_utf8()..]))
    })
}

/// The village part left after the township name; after a short name (`short`: `泥溪`, `清水`)
/// a wrong level is dropped too (`泥溪乡三坪村`, `清水镇新华村`).
pub(crate) fn village_from(rest: &str, short: bool) -> String {
    let mut rest = rest;
    if short {
        // `泥溪乡三坪村` for 泥溪镇: a wrong level after a bare name.
        for suffix in WRITTEN_LEVELS {
            if let Some(stripped) = rest.strip_prefix(suffix) {
                rest = stripped;
                break;
            }
        }
    }
    // Separators, and a closing bracket left from `泥溪镇)三坪村`.
    let rest = rest.trim_start_matches([
        '-', '—', '–', '·', '/', '\\', '、', ',', ':', ';', ')', '】', ']', '〕', '」', '』',
    ]);
    // `泥溪镇人民政府`, and `泥溪镇人民政府三坪村` (the unit, then the village).
    let rest = ["人民政府", "政府", "办事处"]
        .iter()
        .find_map(|office| rest.strip_prefix(office))
        .unwrap_or(rest);
    let unbracketed = BRACKETS.iter().find_map(|&(open, close)| {
        rest.strip_prefix(open)
            .and_then(|r| r.strip_suffix(close))
            .filter(|inner| !inner.contains(open) && !inner.contains(close))
    });
    unbracketed.unwrap_or(rest).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_without_their_village() {
        for group in [
            "3组",
            "三组",
            "五社",
            "2队",
            "十二组",
            "第三村民小组",
            "3小组",
        ] {
            assert!(is_group_only(group), "{group}");
        }
        for named in ["王家湾组", "新村组", "中坝社", "大湾组"] {
            assert!(is_named_group(named), "{named}");
        }
        for not_alone in [
            "三坪村3组",
            "黎明村二社",
            "石村王家组",
            "黎明村王家湾组",
            "组",
            "供销",
        ] {
            assert!(
                !is_group_only(not_alone) && !is_named_group(not_alone),
                "{not_alone}"
            );
        }
        for village in [
            "三坪村1、2组",
            "黎明村村委会",
            "黎明社区居委会",
            "三坪村集中安置点",
        ] {
            assert!(starts_with_village_name(village), "{village}");
        }
        assert!(!starts_with_village_name("王家湾组"));
    }
}
