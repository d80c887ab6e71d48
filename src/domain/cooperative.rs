//! Cooperatives (合作社) and the poor households they involve. Seed: 附件1 备注 2, 附件2/附件3 备注 2
//! (采购对象是合作社的要把涉及到贫困户人数填上); import rule 11.

use super::text::{
    clean_text, is_chinese_numeral_char, parse_chinese_number, squeeze, to_half_width,
};

/// The number of poor households (户) or persons (人) a cooperative's 备注 gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvolvedCount {
    /// `涉及贫困户12户`, `涉及8户贫困户`, `涉及贫困户十户`.
    Households(u32),
    /// `带动贫困户12人`: persons, not households (warned: the form asks for 户).
    Persons(u32),
}

/// True when a seller name is a cooperative (contains `合作社`).
pub fn is_cooperative(name: &str) -> bool {
    name.contains("合作社")
}

/// Reads the involved count from a 备注 text; Chinese numerals allowed. `None` when absent.
///
/// Reads the first number directly followed by `户` (households) anywhere in the remark —
/// `涉及贫困户12户`, `涉及8户贫困户`, `涉及贫困户十户`, `带动12户` — and, failing that, the first number
/// followed by `人` or `名` (persons: `带动贫困户12人`, `带动贫困人口12名`). A household count wins over a
/// person count in the same remark. Full-width digits and whitespace are tolerated.
pub fn parse_involved(remark: &str) -> Option<InvolvedCount> {
    let text = squeeze(&to_half_width(remark));
    let chars: Vec<char> = text.chars().collect();
    let mut persons: Option<u32> = None;
    let mut index = 0;
    while index < chars.len() {
        let start = index;
        let is_number_char =
            |c: char| c.is_ascii_digit() || (is_chinese_numeral_char(c) && c != '点');
        while index < chars.len() && is_number_char(chars[index]) {
            index += 1;
        }
        if index == start {
            index += 1;
            continue;
        }
        let Some(&next) = chars.get(index) else {
            break;
        };
        let number: String = chars[start..index].iter().collect();
        let Some(count) = count_value(&number) else {
            continue;
        };
        match next {
            '户' => return Some(InvolvedCount::Households(count)),
            '人' | '名' if persons.is_none() => persons = Some(count),
            _ => {}
        }
    }
    persons.map(InvolvedCount::Persons)
}

/// A whole, non-negative count from ASCII digits or a Chinese numeral.
fn count_value(text: &str) -> Option<u32> {
    if text.chars().all(|c| c.is_ascii_digit()) {
        return text.parse().ok();
    }
    if text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let value = parse_chinese_number(text)?;
    if value.fract().is_zero() {
        u32::try_from(value).ok()
    } else {
        None
    }
}

/// The warning for a cooperative row, if any: `合作社未填写涉及贫困户户数` when no count,
/// `备注为“带动贫困户12人”：人数不是户数，需核实户数` for a person count (quoting the remark).
/// `None` for a household count or a non-cooperative seller.
pub fn cooperative_warning(name: &str, remark: &str) -> Option<String> {
    if !is_cooperative(name) {
        return None;
    }
    match parse_involved(remark) {
        Some(InvolvedCount::Households(_)) => None,
        Some(InvolvedCount::Persons(_)) => Some(format!(
            "备注为“{}”：人数不是户数，需核实户数",
            clean_text(remark)
        )),
        None => Some(NO_HOUSEHOLD_COUNT_WARNING.to_string()),
    }
}

/// The warning for a cooperative whose 备注 gives no household count (import rules 10, 11).
pub const NO_HOUSEHOLD_COUNT_WARNING: &str = "合作社未填写涉及贫困户户数";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_household_and_person_counts() {
        let cases: &[(&str, Option<InvolvedCount>)] = &[
            ("涉及贫困户12户", Some(InvolvedCount::Households(12))),
            ("涉及8户贫困户", Some(InvolvedCount::Households(8))),
            ("涉及贫困户十户", Some(InvolvedCount::Households(10))),
            ("涉及贫困户二十三户", Some(InvolvedCount::Households(23))),
            ("涉及贫困户１２户", Some(InvolvedCount::Households(12))),
            (" 涉及 贫困户 12 户 ", Some(InvolvedCount::Households(12))),
            ("带动贫困户12人", Some(InvolvedCount::Persons(12))),
            ("带动贫困人口12名", Some(InvolvedCount::Persons(12))),
            (
                "带动贫困户30人，其中12户",
                Some(InvolvedCount::Households(12)),
            ),
            ("", None),
            ("退货冲减", None),
            ("用于学校食堂", None),
            ("涉及贫困户", None),
            ("2019年9月送货", None),
        ];
        for (remark, expected) in cases {
            assert_eq!(parse_involved(remark), *expected, "{remark}");
        }
    }

    #[test]
    fn warns_for_cooperatives_without_a_household_count() {
        let coop = "红狮镇铁佛村生态养殖专业合作社";
        let cases: &[(&str, &str, Option<&str>)] = &[
            (coop, "涉及贫困户12户", None),
            (coop, "涉及8户贫困户", None),
            (
                coop,
                "带动贫困户12人",
                Some("备注为“带动贫困户12人”：人数不是户数，需核实户数"),
            ),
            (
                coop,
                " 带动贫困户12人 ",
                Some("备注为“带动贫困户12人”：人数不是户数，需核实户数"),
            ),
            (coop, "", Some("合作社未填写涉及贫困户户数")),
            (coop, "送货上门", Some("合作社未填写涉及贫困户户数")),
            ("刘光富", "", None),
            ("刘光富", "带动贫困户12人", None),
        ];
        for (name, remark, expected) in cases {
            assert_eq!(
                cooperative_warning(name, remark).as_deref(),
                *expected,
                "{name} / {remark}"
            );
        }
        assert!(is_cooperative(coop));
        assert!(!is_cooperative("刘光富"));
    }
}
