//! Quantities: value + unit, with the 斤-equivalent for weights. Seed: 附件1 计划销量, 附件2 销售数量,
//! 附件3 采购数量; import rule 6.

use rust_decimal::Decimal;

use super::text::{
    clean_text, is_chinese_numeral_char, parse_chinese_number, parse_decimal_number, squeeze,
    to_half_width,
};
use super::{ParseError, Parsed};

/// The smallest quantity refused as absurd: 10亿 of its unit, or 10亿斤 (50万吨) for a weight.
/// No household, cooperative or unit sells or buys that much in one row; such a figure is a
/// typing slip (digits pasted twice) and would overflow totals.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// A quantity as reported: a decimal value and its unit as written (`斤`, `公斤`, `吨`, `头`, `个`, …),
/// `None` when the clerk wrote a bare number and no header gave a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    /// The number, e.g. 30 for `30斤`, 60 for `30斤×2袋`.
    pub value: Decimal,
    /// The unit as written after normalisation (`千克` stays `千克`), or `None`.
    pub unit: Option<String>,
}

impl Quantity {
    /// The weight in 斤 (1 公斤 = 1 千克 = 2 斤, 1 吨 = 2000 斤, 1 两 = 0.1 斤, 1 克 = 0.002 斤),
    /// or `None` for count units (头, 只, 个, 袋, …), for a missing unit, and when the weight in 斤
    /// would not fit a `Decimal` (absurd input never panics).
    pub fn in_jin(&self) -> Option<Decimal> {
        let factor = jin_per_unit(self.unit.as_deref()?)?;
        Some(self.value.checked_mul(factor)?.normalize())
    }

    /// The text that reads as this quantity on its own, when `typed` (the clerk's text) needs
    /// the unit the form's header or unit row gave (`30` under `销售数量（公斤）` → `30公斤`).
    /// `None` when `typed` already reads as this quantity without a header unit, or when no text
    /// with the unit would (then keep `typed`). `column` names the column in parse messages.
    pub fn text_without_context(&self, typed: &str, column: &str) -> Option<String> {
        let reads_as = |text: &str| Quantity::parse(text, None, column).ok().map(|p| p.value);
        if reads_as(typed).as_ref() == Some(self) {
            return None;
        }
        let unit = self.unit.as_ref()?;
        let full = format!("{}{unit}", self.value.normalize());
        (reads_as(&full).as_ref() == Some(self)).then_some(full)
    }

    /// Parses `30斤`, `30 斤`, `30公斤`, `1.5吨`, `三十斤`, `３０斤`, `30斤×2袋` (= 60斤), `2头`, `400个`,
    /// `36.2斤`. A bare number takes `header_unit` (from `销售数量（斤）` or a unit row), else it parses
    /// with the warning `销售数量缺少单位` (the caller may substitute its column name for 销售数量 via
    /// `column`). Errors (Chinese) for empty or unreadable text and for negative values.
    ///
    /// Also: `3两`, `两斤` (= 2斤), `1,000斤`, `1.5万斤`, `30KG` (unit written `kg`), `12瓶×5箱` (=
    /// 60瓶), `半吨` (= 0.5吨), `一斤半` (= 1.5斤), `30斤/袋×2袋` and `30斤每袋×2袋` (= 60斤), a weight
    /// in brackets (`1箱(20斤)` = 20斤, `2箱(每箱20斤)` = 40斤; `2箱(40斤)` is an error: per box or
    /// in all?). In a product the weight unit wins (`2袋×30斤` = 60斤); otherwise the first part's unit.
    /// The units known are those of [`normalize_unit`]; an unknown unit is an error, as are two
    /// weight units in one product (`30斤×2公斤`), and values of [`MAX_QUANTITY`] or more (of
    /// the unit, or in 斤 for a weight: `1000000吨` is 20亿斤).
    pub fn parse(
        text: &str,
        header_unit: Option<&str>,
        column: &str,
    ) -> Result<Parsed<Quantity>, ParseError> {
        let column = if column.is_empty() {
            "销售数量"
        } else {
            column
        };
        let parsed = Self::parse_any_size(text, header_unit, column)?;
        let quantity = &parsed.value;
        let weight = match quantity.unit.as_deref().and_then(jin_per_unit) {
            Some(factor) => quantity.value.checked_mul(factor),
            None => Some(quantity.value),
        };
        if weight.is_none_or(|weight| weight >= MAX_QUANTITY) {
            return Err(ParseError::new(format!(
                "{column}“{}”数值过大（一行达到10亿斤或10亿件），请核对",
                clean_text(text)
            )));
        }
        Ok(parsed)
    }

    /// [`Quantity::parse`] without the [`MAX_QUANTITY`] limit (`column` is never empty).
    fn parse_any_size(
        text: &str,
        header_unit: Option<&str>,
        column: &str,
    ) -> Result<Parsed<Quantity>, ParseError> {
        let cleaned = clean_text(text);
        if cleaned.is_empty() {
            return Err(ParseError::new(format!("{column}为空")));
        }
        let half = squeeze(&to_half_width(&cleaned));
        if half.starts_with('-') || half.starts_with('\u{2212}') || half.starts_with('负') {
            return Err(ParseError::new(format!(
                "{column}“{cleaned}”为负数，请核对"
            )));
        }
        let unreadable = || {
            ParseError::new(format!(
                "无法识别的{column}“{cleaned}”：应为数字加单位，如 30斤、2头、1.5吨"
            ))
        };
        // `30(斤)`: the unit in brackets after the number.
        if let Some((number, unit)) = half.strip_suffix(')').and_then(|t| t.split_once('('))
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit() || c == '.')
            && normalize_unit(unit).is_some()
        {
            return Self::parse_any_size(&format!("{number}{unit}"), header_unit, column);
        }
        if let Some(bracketed) = with_bracketed_weight(&half, column, &cleaned) {
            return bracketed;
        }

        let mut value = Decimal::ONE;
        let mut first_unit: Option<String> = None;
        let mut weight_unit: Option<String> = None;
        // The unit of a per-pack factor (`12瓶` of `12瓶/箱`): what the product counts.
        let mut per_pack_unit: Option<String> = None;
        let factors: Vec<&str> = half.split(['×', '*', 'x', 'X', '✕', '✖', '乘']).collect();
        let product = factors.len() > 1;
        for (index, part) in factors.into_iter().enumerate() {
            let stripped = if product {
                without_per_pack(part)
            } else {
                part
            };
            let per_pack = stripped.len() != part.len();
            let part = stripped;
            let (number, unit) = match parse_part(part) {
                PartResult::Ok(number, unit) => (number, unit),
                PartResult::UnknownUnit(unit) => {
                    return Err(ParseError::new(format!(
                        "{column}“{cleaned}”的单位“{unit}”无法识别（可用：斤、公斤、吨、头、只、个、袋、箱等）"
                    )));
                }
                PartResult::Unreadable => return Err(unreadable()),
            };
            value = value
                .checked_mul(number)
                .ok_or_else(|| ParseError::new(format!("{column}“{cleaned}”数值过大，请核对")))?;
            if let Some(unit) = unit {
                if jin_per_unit(&unit).is_some() {
                    if weight_unit.is_some() {
                        return Err(ParseError::new(format!(
                            "{column}“{cleaned}”含两个重量单位，无法计算"
                        )));
                    }
                    weight_unit = Some(unit.clone());
                }
                if per_pack && per_pack_unit.is_none() {
                    per_pack_unit = Some(unit.clone());
                }
                if index == 0 {
                    first_unit = Some(unit);
                }
            }
        }

        let unit = weight_unit.or(per_pack_unit).or(first_unit);
        let value = value.normalize();
        if unit.is_some() {
            return Ok(Parsed::clean(Quantity { value, unit }));
        }
        let header_unit = header_unit
            .map(|u| squeeze(&to_half_width(u)))
            .filter(|u| !u.is_empty())
            .map(|u| normalize_unit(&u).unwrap_or(u));
        match header_unit {
            Some(unit) => Ok(Parsed::clean(Quantity {
                value,
                unit: Some(unit),
            })),
            None => Ok(Parsed {
                value: Quantity { value, unit: None },
                warnings: vec![format!("{column}缺少单位")],
            }),
        }
    }
}

/// 斤 per one `unit`, for weight units; `None` for count units and unknown units.
pub fn jin_per_unit(unit: &str) -> Option<Decimal> {
    let unit = normalize_unit(unit)?;
    Some(match unit.as_str() {
        "斤" | "市斤" => Decimal::ONE,
        "公斤" | "千克" | "kg" => Decimal::TWO,
        "吨" => Decimal::from(2000),
        "两" => Decimal::new(1, 1),
        "克" | "g" => Decimal::new(2, 3),
        _ => return None,
    })
}

/// Weight units (converted to 斤 by [`jin_per_unit`]).
const WEIGHT_UNITS: &[&str] = &["斤", "市斤", "公斤", "千克", "kg", "吨", "两", "克", "g"];

/// Count and other units kept as written (no conversion).
const COUNT_UNITS: &[&str] = &[
    "头", "只", "个", "枚", "袋", "箱", "件", "盒", "瓶", "罐", "桶", "筐", "把", "捆", "条", "棵",
    "株", "亩", "份", "套", "包", "串", "块", "张", "双", "对", "根", "颗", "粒", "提", "听", "篮",
    "盆", "窝", "羽", "匹", "尾", "枝", "束", "扎", "坛", "壶", "升", "毫升", "车", "筒", "板",
];

/// The unit as stored when `unit` is a known quantity unit (weights `斤 市斤 公斤 千克 kg 吨 两 克 g`
/// and count units `头 只 个 枚 袋 箱 件 盒 瓶 罐 桶 筐 把 捆 条 棵 株 亩 份 套 包 …`), else `None`.
/// Whitespace and full-width letters are tolerated; Latin units are lower-cased (`KG` → `kg`);
/// Chinese units stay as written (`千克` stays `千克`).
pub fn normalize_unit(unit: &str) -> Option<String> {
    // A unit already as stored, the usual case (`斤`, `kg`): it is its own normal form.
    if WEIGHT_UNITS.contains(&unit) || COUNT_UNITS.contains(&unit) {
        return Some(unit.to_string());
    }
    let unit = squeeze(&to_half_width(unit));
    let unit = if unit.is_ascii() {
        unit.to_ascii_lowercase()
    } else {
        unit
    };
    let unit = match unit.as_str() {
        "kgs" | "公斤(kg)" => "kg".to_string(),
        "t" => "吨".to_string(),
        "l" => "升".to_string(),
        "ml" => "毫升".to_string(),
        _ => unit,
    };
    if WEIGHT_UNITS.contains(&unit.as_str()) || COUNT_UNITS.contains(&unit.as_str()) {
        Some(unit)
    } else {
        None
    }
}

/// The outcome of reading one factor of a quantity (`30斤` in `30斤×2袋`).
enum PartResult {
    Ok(Decimal, Option<String>),
    UnknownUnit(String),
    Unreadable,
}

/// A quantity with a weight in brackets after it, as clerks note the weight of packed goods
/// (half-width text, no whitespace): `1箱(20斤)` (= 20斤), `2箱(每箱20斤)` and `2箱(20斤/箱)` (=
/// 40斤), also a count per pack (`2箱(每箱20瓶)` = 40瓶); a weight first keeps it (`20斤(1箱)` =
/// 20斤). `2箱(40斤)` is refused: the weight may be
/// per box or in all. `None` when the text has no such bracket (no brackets inside either part).
fn with_bracketed_weight(
    half: &str,
    column: &str,
    cleaned: &str,
) -> Option<Result<Parsed<Quantity>, ParseError>> {
    let inner_and_close = half.strip_suffix(')')?;
    let (outer, inner) = inner_and_close.split_once('(')?;
    if outer.is_empty() || inner.contains(['(', ')']) || outer.contains(')') {
        return None;
    }
    let outer = Quantity::parse(outer, None, column).ok()?.value;
    if outer.in_jin().is_some() {
        return Some(Ok(Parsed::clean(outer)));
    }
    // `每箱20斤`, `20斤/箱`, `20斤每箱`: a weight per pack; otherwise the weight of all.
    let (weight, per_pack) = match inner.strip_prefix('每') {
        Some(rest) => (
            outer
                .unit
                .as_deref()
                .and_then(|unit| rest.strip_prefix(unit))
                .unwrap_or(rest),
            true,
        ),
        None => match inner.split_once(['/', '每']) {
            Some((weight, _)) => (weight, true),
            None => (inner, false),
        },
    };
    let weight = Quantity::parse(weight, None, column).ok()?.value;
    // A count per pack (`2箱(每箱20瓶)` = 40瓶) is read like a weight per pack; in all, only a
    // weight (`1箱(20斤)`).
    weight.unit.as_ref()?;
    if !per_pack {
        weight.in_jin()?;
    }
    if per_pack {
        let value = outer.value.checked_mul(weight.value)?;
        return Some(Ok(Parsed::clean(Quantity {
            value: value.normalize(),
            unit: weight.unit,
        })));
    }
    if outer.value == Decimal::ONE {
        return Some(Ok(Parsed::clean(weight)));
    }
    Some(Err(ParseError::new(format!(
        "{column}“{cleaned}”括号里的重量是每{unit}的还是共计的？请写成{count}{unit}×{weight}或共计的重量",
        unit = outer.unit.as_deref().unwrap_or(""),
        count = outer.value.normalize(),
        weight = weight,
    ))))
}

/// `30斤/袋` or `30斤每袋` as a factor of a product (`30斤/袋×2袋` = 60斤): the weight of one
/// pack, read as `30斤`. Other text is returned as it is.
fn without_per_pack(part: &str) -> &str {
    for separator in ['/', '每'] {
        if let Some((amount, pack)) = part.rsplit_once(separator)
            && !amount.is_empty()
            && normalize_unit(pack).is_some()
        {
            return amount;
        }
    }
    part
}

/// Reads `30斤`, `30`, `三十斤`, `1.5万斤`, `两斤`, `二两`, `半吨` (0.5吨), `一斤半` and `3斤半`
/// (a half more; half-width, no whitespace).
fn parse_part(part: &str) -> PartResult {
    let Some(first) = part.chars().next() else {
        return PartResult::Unreadable;
    };
    if let Some(unit) = part.strip_prefix('半').and_then(normalize_unit) {
        return PartResult::Ok(Decimal::new(5, 1), Some(unit));
    }
    // One half after a whole number only: `一斤半半`, `半吨半`, `3.5斤半` are unreadable (and the
    // recursion stays one level deep).
    if let Some(whole) = part.strip_suffix('半')
        && !whole.contains('半')
        && let PartResult::Ok(number, Some(unit)) = parse_part(whole)
        && number.fract().is_zero()
    {
        return match number.checked_add(Decimal::new(5, 1)) {
            Some(number) => PartResult::Ok(number, Some(unit)),
            None => PartResult::Unreadable,
        };
    }
    if first.is_ascii_digit() || first == '.' {
        let split = part
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | ',')))
            .map_or(part.len(), |(i, _)| i);
        let (number, rest) = part.split_at(split);
        let Some(number) = parse_decimal_number(number) else {
            return PartResult::Unreadable;
        };
        if rest.is_empty() {
            return PartResult::Ok(number, None);
        }
        if let Some(unit) = normalize_unit(rest) {
            return PartResult::Ok(number, Some(unit));
        }
        // `1.5万斤`, `3千` (a multiplier, not the unit 千克, which matched above), `10亿斤` (read
        // to be refused as too large, not as an unknown unit).
        for (multiplier, factor) in [('万', 10_000), ('千', 1_000), ('亿', 100_000_000)] {
            if let Some(after) = rest.strip_prefix(multiplier) {
                let Some(number) = number.checked_mul(Decimal::from(factor)) else {
                    return PartResult::Unreadable;
                };
                if after.is_empty() {
                    return PartResult::Ok(number, None);
                }
                if let Some(unit) = normalize_unit(after) {
                    return PartResult::Ok(number, Some(unit));
                }
            }
        }
        return PartResult::UnknownUnit(rest.to_string());
    }
    if is_chinese_numeral_char(first) {
        let chars: Vec<char> = part.chars().collect();
        let numeral_len = chars
            .iter()
            .take_while(|c| is_chinese_numeral_char(**c))
            .count();
        // The longest numeral followed by a known unit: `二两` is 2两, `两斤` is 2斤.
        for len in (1..=numeral_len).rev() {
            let prefix: String = chars.iter().take(len).collect();
            let rest: String = chars.iter().skip(len).collect();
            if rest.is_empty() {
                continue;
            }
            if let (Some(number), Some(unit)) =
                (parse_chinese_number(&prefix), normalize_unit(&rest))
            {
                return PartResult::Ok(number, Some(unit));
            }
        }
        if let Some(number) = parse_chinese_number(part) {
            return PartResult::Ok(number, None);
        }
        let prefix: String = chars.iter().take(numeral_len).collect();
        if numeral_len < chars.len() && parse_chinese_number(&prefix).is_some() {
            return PartResult::UnknownUnit(chars.iter().skip(numeral_len).collect());
        }
    }
    PartResult::Unreadable
}

impl std::fmt::Display for Quantity {
    /// `30斤`, `1.5吨`, or the bare number when there is no unit.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}",
            self.value.normalize(),
            self.unit.as_deref().unwrap_or("")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn units_as_stored_are_their_own_normal_form_and_others_still_normalise() {
        for unit in WEIGHT_UNITS.iter().chain(COUNT_UNITS) {
            assert_eq!(normalize_unit(unit).as_deref(), Some(*unit), "{unit}");
        }
        // Not in stored form: through the full normalisation.
        assert_eq!(normalize_unit("ＫＧ").as_deref(), Some("kg"));
        assert_eq!(normalize_unit(" 斤 ").as_deref(), Some("斤"));
        assert_eq!(normalize_unit("T").as_deref(), Some("吨"));
        assert_eq!(normalize_unit("公斤(kg)").as_deref(), Some("kg"));
        assert_eq!(normalize_unit("斤斤"), None);
        assert_eq!(jin_per_unit("公斤"), Some(Decimal::TWO));
    }

    #[test]
    fn parses_units_and_normalises_to_jin() {
        // (text, value, unit, 斤)
        let cases: &[(&str, &str, &str, Option<&str>)] = &[
            ("30斤", "30", "斤", Some("30")),
            ("30 斤", "30", "斤", Some("30")),
            ("３０斤", "30", "斤", Some("30")),
            ("三十斤", "30", "斤", Some("30")),
            ("30公斤", "30", "公斤", Some("60")),
            ("30千克", "30", "千克", Some("60")),
            ("30kg", "30", "kg", Some("60")),
            ("30KG", "30", "kg", Some("60")),
            ("0.5t", "0.5", "吨", Some("1000")),
            ("30（斤）", "30", "斤", Some("30")),
            ("2 (箱)", "2", "箱", None),
            ("1.5吨", "1.5", "吨", Some("3000")),
            ("36.2斤", "36.2", "斤", Some("36.2")),
            ("3两", "3", "两", Some("0.3")),
            ("二两", "2", "两", Some("0.2")),
            ("两斤", "2", "斤", Some("2")),
            ("500克", "500", "克", Some("1")),
            ("500g", "500", "g", Some("1")),
            ("30斤×2袋", "60", "斤", Some("60")),
            ("30斤*2袋", "60", "斤", Some("60")),
            ("30斤x2袋", "60", "斤", Some("60")),
            ("30斤Ｘ2袋", "60", "斤", Some("60")),
            ("2袋×30斤", "60", "斤", Some("60")),
            ("12瓶×5箱", "60", "瓶", None),
            ("2头", "2", "头", None),
            ("400个", "400", "个", None),
            ("5只", "5", "只", None),
            ("十只", "10", "只", None),
            ("1,000斤", "1000", "斤", Some("1000")),
            ("1.5万斤", "15000", "斤", Some("15000")),
            ("三点五斤", "3.5", "斤", Some("3.5")),
            ("0斤", "0", "斤", Some("0")),
            (" 100 斤 ", "100", "斤", Some("100")),
            ("半吨", "0.5", "吨", Some("1000")),
            ("半斤", "0.5", "斤", Some("0.5")),
            ("一斤半", "1.5", "斤", Some("1.5")),
            ("3斤半", "3.5", "斤", Some("3.5")),
            ("两吨半", "2.5", "吨", Some("5000")),
            ("30斤/袋×2袋", "60", "斤", Some("60")),
            ("30斤每袋×2袋", "60", "斤", Some("60")),
            ("2袋×30斤/袋", "60", "斤", Some("60")),
            ("12瓶/箱×5箱", "60", "瓶", None),
            ("5箱×12瓶/箱", "60", "瓶", None),
            ("5袋×30斤/袋", "150", "斤", Some("150")),
            ("1箱(20斤)", "20", "斤", Some("20")),
            ("1箱（20公斤）", "20", "公斤", Some("40")),
            ("2箱(每箱20斤)", "40", "斤", Some("40")),
            ("2箱(20斤/箱)", "40", "斤", Some("40")),
            ("3袋（每袋10公斤）", "30", "公斤", Some("60")),
            ("20斤(1箱)", "20", "斤", Some("20")),
            ("2箱(每箱二十斤)", "40", "斤", Some("40")),
            ("2箱(每箱20瓶)", "40", "瓶", None),
        ];
        for (text, value, unit, jin) in cases {
            let parsed = Quantity::parse(text, None, "销售数量").unwrap();
            assert!(parsed.warnings.is_empty(), "{text}: {:?}", parsed.warnings);
            assert_eq!(parsed.value.value, dec(value), "{text}");
            assert_eq!(parsed.value.unit.as_deref(), Some(*unit), "{text}");
            assert_eq!(parsed.value.in_jin(), jin.map(dec), "{text}");
        }
    }

    #[test]
    fn bare_number_takes_header_unit_or_warns() {
        let parsed = Quantity::parse("30", None, "销售数量").unwrap();
        assert_eq!(
            parsed.value,
            Quantity {
                value: dec("30"),
                unit: None
            }
        );
        assert_eq!(parsed.warnings, vec!["销售数量缺少单位".to_string()]);
        assert_eq!(parsed.value.in_jin(), None);

        let parsed = Quantity::parse("30", None, "采购数量").unwrap();
        assert_eq!(parsed.warnings, vec!["采购数量缺少单位".to_string()]);

        let parsed = Quantity::parse("30", None, "").unwrap();
        assert_eq!(parsed.warnings, vec!["销售数量缺少单位".to_string()]);

        let parsed = Quantity::parse("30", Some("斤"), "销售数量").unwrap();
        assert!(parsed.warnings.is_empty());
        assert_eq!(parsed.value.unit.as_deref(), Some("斤"));
        assert_eq!(parsed.value.in_jin(), Some(dec("30")));

        let parsed = Quantity::parse("30", Some(" 公斤 "), "销售数量").unwrap();
        assert_eq!(parsed.value.in_jin(), Some(dec("60")));

        // A unit written in the cell wins over the header's.
        let parsed = Quantity::parse("30公斤", Some("斤"), "销售数量").unwrap();
        assert_eq!(parsed.value.unit.as_deref(), Some("公斤"));

        let parsed = Quantity::parse("三十", None, "计划销量").unwrap();
        assert_eq!(parsed.value.value, dec("30"));
        assert_eq!(parsed.warnings, vec!["计划销量缺少单位".to_string()]);
    }

    #[test]
    fn rejects_unreadable_negative_and_empty() {
        let cases: &[(&str, &str)] = &[
            ("", "销售数量为空"),
            ("\u{3000}", "销售数量为空"),
            ("-30斤", "为负数"),
            ("负30斤", "为负数"),
            ("斤", "无法识别的销售数量"),
            ("abc", "无法识别的销售数量"),
            ("30斤土豆", "单位“斤土豆”无法识别"),
            ("三十块钱", "无法识别"),
            ("30斤×", "无法识别的销售数量"),
            ("30斤×2公斤", "两个重量单位"),
            ("1,20斤", "无法识别的销售数量"),
            ("半", "无法识别的销售数量"),
            ("一斤半半", "无法识别"),
            ("半吨半", "无法识别"),
            ("3.5斤半", "无法识别"),
            ("30斤/袋", "单位“斤/袋”无法识别"),
            (
                "2箱(40斤)",
                "括号里的重量是每箱的还是共计的？请写成2箱×40斤或共计的重量",
            ),
            ("1箱(若干)", "无法识别"),
            ("1箱((20斤))", "无法识别"),
            ("99999999999999×99999999999999×99999999999999", "数值过大"),
        ];
        for (text, needle) in cases {
            match Quantity::parse(text, None, "销售数量") {
                Err(e) => assert!(e.message.contains(needle), "{text:?}: {:?}", e.message),
                Ok(q) => panic!("{text:?} parsed as {:?}", q.value),
            }
        }
    }

    #[test]
    fn absurd_quantities_are_refused_without_overflow() {
        for text in [
            "79228162514264337593543950335吨",
            "79228162514264337593543950335个",
            "2箱(每箱999999999斤)",
            "1000000000斤",
            "500000吨",
            "10亿斤",
            "5亿公斤",
        ] {
            let refused = Quantity::parse(text, Some("斤"), "销售数量");
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|e| e.message.contains("数值过大")),
                "{text}: {refused:?}"
            );
        }
        let largest = Quantity::parse("499999.9995吨", None, "销售数量")
            .unwrap()
            .value;
        assert_eq!(largest.in_jin(), Some(dec("999999999")));
        assert!(Quantity::parse("999999999个", None, "销售数量").is_ok());
    }

    #[test]
    fn unit_table() {
        assert_eq!(jin_per_unit("斤"), Some(dec("1")));
        assert_eq!(jin_per_unit("公斤"), Some(dec("2")));
        assert_eq!(jin_per_unit("千克"), Some(dec("2")));
        assert_eq!(jin_per_unit("KG"), Some(dec("2")));
        assert_eq!(jin_per_unit("吨"), Some(dec("2000")));
        assert_eq!(jin_per_unit("两"), Some(dec("0.1")));
        assert_eq!(jin_per_unit("克"), Some(dec("0.002")));
        for count in [
            "头", "只", "个", "枚", "袋", "箱", "件", "盒", "瓶", "罐", "桶", "筐", "把",
        ] {
            assert_eq!(jin_per_unit(count), None, "{count}");
            assert_eq!(normalize_unit(count).as_deref(), Some(count));
        }
        for count in ["捆", "条", "棵", "株", "亩", "份", "套", "包"] {
            assert_eq!(normalize_unit(count).as_deref(), Some(count));
        }
        assert_eq!(normalize_unit("斤土豆"), None);
        assert_eq!(jin_per_unit("斤土豆"), None);
    }

    #[test]
    fn display_keeps_value_and_unit() {
        let q = Quantity::parse("30斤×2袋", None, "销售数量").unwrap().value;
        assert_eq!(q.to_string(), "60斤");
        let q = Quantity::parse("1.50吨", None, "销售数量").unwrap().value;
        assert_eq!(q.to_string(), "1.5吨");
        let q = Quantity::parse("30", None, "销售数量").unwrap().value;
        assert_eq!(q.to_string(), "30");
    }

    #[test]
    fn text_without_context_adds_the_header_unit() {
        let under =
            |text: &str, unit: &str| Quantity::parse(text, Some(unit), "销售数量").unwrap().value;
        let kilos = under("25", "公斤");
        assert_eq!(
            kilos.text_without_context("25", "销售数量").as_deref(),
            Some("25公斤")
        );
        assert_eq!(kilos.text_without_context("25公斤", "销售数量"), None);
        let written = under("30斤×2袋", "公斤");
        assert_eq!(written.text_without_context("30斤×2袋", "销售数量"), None);
        // No unit at all: nothing to add.
        let bare = Quantity::parse("30", None, "销售数量").unwrap().value;
        assert_eq!(bare.text_without_context("30", "销售数量"), None);
    }

    proptest::proptest! {
        /// Any text of the characters the spellings use (brackets, halves, per-pack marks,
        /// products, numerals) parses or is refused, never panics; a parsed quantity is never
        /// negative.
        #[test]
        fn any_spelling_parses_or_is_refused(text in "[0-9.半斤箱瓶袋吨每/×*()（）一二十两万千]{0,16}") {
            if let Ok(parsed) = Quantity::parse(&text, None, "销售数量") {
                proptest::prop_assert!(parsed.value.value >= Decimal::ZERO, "{text}");
            }
        }
    }
}
