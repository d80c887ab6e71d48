//! Money in yuan, exact to the fen (分). Seed: 附件2/附件3 销售金额/采购金额; import rules 5 and 17.

use rust_decimal::Decimal;

use super::ParseError;
use super::text::{clean_text, parse_chinese_number, parse_decimal_number, squeeze, to_half_width};

/// An amount of money in yuan (元), exact to the fen: a `Decimal` with at most 2 decimal places.
/// Stored in SQLite as INTEGER fen ([`Money::to_fen`]). Displays as `90.00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

/// The unit a bare number in an amount column is in (from the header, e.g. `销售金额（万元）`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AmountUnit {
    /// 元 (the default).
    #[default]
    Yuan,
    /// 万元: bare numbers are multiplied by 10,000 (import rule 17).
    WanYuan,
}

impl Money {
    /// Zero yuan.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// From an integer number of fen (1 元 = 100 分).
    pub fn from_fen(fen: i64) -> Self {
        Money(Decimal::new(fen, 2))
    }

    /// The amount in fen. Exact because a `Money` never holds more than 2 decimal places.
    /// Saturates at `i64::MIN`/`i64::MAX` (never reached for values [`Money::parse`] accepts).
    pub fn to_fen(&self) -> i64 {
        match self.0.checked_mul(Decimal::ONE_HUNDRED) {
            Some(scaled) => i64::try_from(scaled.trunc()).unwrap_or(if self.0.is_sign_negative() {
                i64::MIN
            } else {
                i64::MAX
            }),
            None if self.0.is_sign_negative() => i64::MIN,
            None => i64::MAX,
        }
    }

    /// From yuan. Errors (Chinese) when the value is finer than one fen (e.g. `1.005`).
    pub fn from_yuan(yuan: Decimal) -> Result<Self, ParseError> {
        let normalized = yuan.normalize();
        if normalized.scale() > 2 {
            return Err(ParseError::new(format!(
                "金额{normalized}元精确到分以下，请核对（最多两位小数）"
            )));
        }
        let mut value = normalized;
        value.rescale(2);
        Ok(Money(value))
    }

    /// The amount in yuan (2 decimal places).
    pub fn yuan(&self) -> Decimal {
        self.0
    }

    /// The amount in 万元, rounded 四舍五入 to `decimals` places (for the dashboard).
    pub fn wan_yuan(&self, decimals: u32) -> Decimal {
        (self.0 / Decimal::from(10_000)).round_dp_with_strategy(
            decimals,
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        )
    }

    /// True when below zero.
    pub fn is_negative(&self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// The text that reads as this amount on its own, when `typed` (the clerk's text) needs the
    /// form's header unit (`0.0215` under `销售金额（万元）` → `215.00元`). `None` when `typed`
    /// already reads as this amount in 元.
    pub fn text_without_context(&self, typed: &str) -> Option<String> {
        if Money::parse(typed, AmountUnit::Yuan).ok() == Some(*self) {
            return None;
        }
        Some(format!("{self}元"))
    }

    /// Parses an amount as clerks write it: `90元`, `90`, `¥90.00`, `90.5元`, `1,200.00`, `0.9万元`,
    /// `九十元`, full-width digits `９０元`. A bare number is in `unit` (元 unless the header said 万元);
    /// a unit written in the text wins. Errors (Chinese) for unreadable text and for values finer than
    /// one fen (after applying 万). Negative values parse (the caller decides whether to reject them).
    ///
    /// Also accepted: `￥90`, `RMB90`, `人民币90元`, `90元整`, `90圆`, `90块`, `90块钱`, `0.9万` (万 without 元),
    /// `1，200` (full-width comma), scientific number text `1e12`, Chinese numerals in upper case
    /// (`玖拾元`). Thousands separators must group by three (`1,20` is an error). Values whose fen
    /// would not fit an `i64` (over about 9.2×10¹⁶ 元) are errors, as is anything a `Decimal` cannot
    /// hold: huge input never panics.
    pub fn parse(text: &str, unit: AmountUnit) -> Result<Self, ParseError> {
        let cleaned = clean_text(text);
        if cleaned.is_empty() {
            return Err(ParseError::new("金额为空"));
        }
        let unreadable = || {
            ParseError::new(format!(
                "无法识别的金额“{cleaned}”：应为数字加“元”，如 90元"
            ))
        };
        let mut half = squeeze(&to_half_width(&cleaned));
        // `360元.`, `360元。`: a full stop typed after the amount.
        while let Some(without) = half.strip_suffix(['.', '。']) {
            half = without.to_string();
        }
        // `叁佰元伍角`, `360元5角2分`: 角 and 分 after the 元.
        if let Some((yuan_text, minor)) = half.split_once(['元', '圆'])
            && !minor.is_empty()
            && minor.ends_with(['角', '分'])
        {
            let yuan = Money::parse(&format!("{yuan_text}元"), AmountUnit::Yuan)?;
            let fen = fen_of_minor(minor).ok_or_else(|| {
                ParseError::new(format!(
                    "无法识别的金额“{cleaned}”：应为数字加“元”，如 90元"
                ))
            })?;
            let minor = Decimal::new(fen, 2);
            return Money::from_yuan(if yuan.is_negative() {
                yuan.yuan() - minor
            } else {
                yuan.yuan() + minor
            });
        }
        let mut rest: &str = &half;

        let mut negative = false;
        rest = strip_sign(rest, &mut negative);
        for prefix in ["¥", "￥", "RMB", "rmb", "人民币"] {
            if let Some(stripped) = rest.strip_prefix(prefix) {
                rest = stripped;
                break;
            }
        }
        if !negative {
            rest = strip_sign(rest, &mut negative);
        }

        // A unit written in the text wins over the header's.
        let mut effective_unit = unit;
        let mut unit_found = false;
        for (suffix, suffix_unit) in [
            ("万元整", AmountUnit::WanYuan),
            ("万元", AmountUnit::WanYuan),
            ("万圆", AmountUnit::WanYuan),
            ("元整", AmountUnit::Yuan),
            ("圆整", AmountUnit::Yuan),
            ("元", AmountUnit::Yuan),
            ("圆", AmountUnit::Yuan),
            // Spoken 元: `90块`, `90块钱`.
            ("块钱", AmountUnit::Yuan),
            ("块", AmountUnit::Yuan),
        ] {
            if let Some(stripped) = rest.strip_suffix(suffix) {
                rest = stripped;
                effective_unit = suffix_unit;
                unit_found = true;
                break;
            }
        }
        // `0.9万` (arabic digits then 万): 万元 without 元. A Chinese numeral keeps its 万 (一万五).
        if !unit_found
            && let Some(stripped) = rest.strip_suffix('万')
            && stripped.chars().last().is_some_and(|c| c.is_ascii_digit())
        {
            rest = stripped;
            effective_unit = AmountUnit::WanYuan;
        }
        if rest.is_empty() {
            return Err(unreadable());
        }

        let number = if rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | 'e' | 'E' | '+' | '-'))
        {
            if rest.chars().all(|c| c.is_ascii_digit()) && rest.len() > 28 {
                return Err(too_large(&cleaned));
            }
            parse_decimal_number(rest)
                .map(excel_precision)
                .ok_or_else(|| {
                    if rest.contains(['e', 'E']) {
                        too_large(&cleaned)
                    } else {
                        unreadable()
                    }
                })?
        } else {
            parse_chinese_number(rest).ok_or_else(unreadable)?
        };

        let yuan = match effective_unit {
            AmountUnit::Yuan => number,
            AmountUnit::WanYuan => number
                .checked_mul(Decimal::from(10_000))
                .ok_or_else(|| too_large(&cleaned))?,
        };
        if yuan.abs() > max_yuan() {
            return Err(too_large(&cleaned));
        }
        let yuan = if negative && !yuan.is_zero() {
            -yuan
        } else {
            yuan
        };
        Money::from_yuan(yuan)
    }
}

/// The fen of the part after 元: `伍角` → 50, `5角2分` → 52, `贰分` → 2, `零伍分` → 5. `None`
/// unless it is 角 and/or 分 with one digit each.
fn fen_of_minor(minor: &str) -> Option<i64> {
    let digit = |text: &str| -> Option<i64> {
        let text = text.strip_prefix(['零', '〇']).unwrap_or(text);
        let value = parse_chinese_number(text).or_else(|| text.parse::<Decimal>().ok())?;
        if !value.fract().is_zero() {
            return None;
        }
        let value = i64::try_from(value).ok()?;
        (0..=9).contains(&value).then_some(value)
    };
    let (jiao, rest) = match minor.split_once('角') {
        Some((jiao, rest)) => (digit(jiao)?, rest),
        None => (0, minor),
    };
    let fen = match rest.strip_suffix('分') {
        Some(fen) => digit(fen)?,
        None if rest.is_empty() => 0,
        None => return None,
    };
    Some(jiao * 10 + fen)
}

/// Rounds a number written with more than 15 significant digits to 15, as Excel and WPS keep
/// them: such text only comes from a spreadsheet's float noise (a formula `=3*3.3` cached as
/// `9.8999999999999986`), never from a clerk, and must not read as a third decimal.
fn excel_precision(number: Decimal) -> Decimal {
    let digits = number
        .mantissa()
        .unsigned_abs()
        .to_string()
        .trim_end_matches('0')
        .len();
    if digits <= 15 {
        return number;
    }
    let integer_digits = number
        .trunc()
        .abs()
        .mantissa()
        .unsigned_abs()
        .to_string()
        .len() as u32;
    let integer_digits = if number.trunc().is_zero() {
        0
    } else {
        integer_digits
    };
    if integer_digits >= 15 {
        return number.trunc();
    }
    let mut decimals = 15 - integer_digits;
    if integer_digits == 0 {
        // Leading zeros after the point do not count as significant digits.
        let fraction = number.abs().to_string();
        let zeros = fraction
            .trim_start_matches("0.")
            .chars()
            .take_while(|c| *c == '0')
            .count() as u32;
        decimals += zeros;
    }
    number
        .round_dp_with_strategy(
            decimals.min(28),
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        )
        .normalize()
}

/// Strips one leading minus sign (`-`, `−` U+2212, `负`), recording it in `negative`.
fn strip_sign<'a>(text: &'a str, negative: &mut bool) -> &'a str {
    for sign in ["-", "\u{2212}", "负"] {
        if let Some(stripped) = text.strip_prefix(sign) {
            *negative = true;
            return stripped;
        }
    }
    text
}

/// The largest amount (元) whose fen still fit an `i64`.
fn max_yuan() -> Decimal {
    Decimal::from(i64::MAX / 100)
}

/// The error for a number too large to hold.
fn too_large(text: &str) -> ParseError {
    ParseError::new(format!("金额“{text}”数值过大，无法处理，请核对"))
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut value = self.0;
        value.rescale(2);
        write!(f, "{value}")
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        self.0 += other.0;
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(fen: i64) -> Money {
        Money::from_fen(fen)
    }

    #[test]
    fn parses_the_forms_clerks_write() {
        let cases: &[(&str, AmountUnit, i64)] = &[
            ("90元", AmountUnit::Yuan, 9000),
            ("90", AmountUnit::Yuan, 9000),
            ("¥90.00", AmountUnit::Yuan, 9000),
            ("￥90", AmountUnit::Yuan, 9000),
            ("¥ 90.00", AmountUnit::Yuan, 9000),
            ("90.5元", AmountUnit::Yuan, 9050),
            ("1,200.00", AmountUnit::Yuan, 120000),
            ("1，200", AmountUnit::Yuan, 120000),
            ("１，２００．００元", AmountUnit::Yuan, 120000),
            ("0.9万元", AmountUnit::Yuan, 900000),
            ("0.9万", AmountUnit::Yuan, 900000),
            ("九十元", AmountUnit::Yuan, 9000),
            ("玖拾元", AmountUnit::Yuan, 9000),
            ("一万五千元", AmountUnit::Yuan, 1500000),
            ("一万元", AmountUnit::Yuan, 1000000),
            ("３０元", AmountUnit::Yuan, 3000),
            ("-360元", AmountUnit::Yuan, -36000),
            ("－360元", AmountUnit::Yuan, -36000),
            ("¥-90", AmountUnit::Yuan, -9000),
            ("52.5", AmountUnit::Yuan, 5250),
            ("  90元\u{3000}", AmountUnit::Yuan, 9000),
            ("90元整", AmountUnit::Yuan, 9000),
            ("90块", AmountUnit::Yuan, 9000),
            ("90块钱", AmountUnit::WanYuan, 9000),
            ("人民币90元", AmountUnit::Yuan, 9000),
            ("0", AmountUnit::Yuan, 0),
            ("-0", AmountUnit::Yuan, 0),
            ("1e12", AmountUnit::Yuan, 100_000_000_000_000),
            // Header 万元: bare numbers x 10,000, decimal from the text (rule 17).
            ("0.0215", AmountUnit::WanYuan, 21500),
            ("0.9", AmountUnit::WanYuan, 900000),
            ("1.23456", AmountUnit::WanYuan, 1234560),
            // A unit in the cell wins over the header's.
            ("90元", AmountUnit::WanYuan, 9000),
            ("0.9万元", AmountUnit::WanYuan, 900000),
        ];
        for (text, unit, fen) in cases {
            let parsed = Money::parse(text, *unit);
            assert_eq!(parsed, Ok(m(*fen)), "text {text:?} unit {unit:?}");
        }
    }

    #[test]
    fn rejects_unreadable_and_too_fine_values() {
        let cases: &[(&str, AmountUnit, &str)] = &[
            ("", AmountUnit::Yuan, "金额为空"),
            ("\u{3000}", AmountUnit::Yuan, "金额为空"),
            ("九十多元", AmountUnit::Yuan, "无法识别的金额“九十多元”"),
            ("元", AmountUnit::Yuan, "无法识别的金额"),
            ("abc", AmountUnit::Yuan, "无法识别的金额"),
            ("1,20", AmountUnit::Yuan, "无法识别的金额"),
            ("90元/斤", AmountUnit::Yuan, "无法识别的金额"),
            ("--90", AmountUnit::Yuan, "无法识别的金额"),
            ("=B2*3", AmountUnit::Yuan, "无法识别的金额"),
            ("1.005元", AmountUnit::Yuan, "精确到分以下"),
            ("0.0000001", AmountUnit::WanYuan, "精确到分以下"),
            ("1e40", AmountUnit::Yuan, "数值过大"),
            ("1e99999", AmountUnit::Yuan, "数值过大"),
            (
                "99999999999999999999999999999999999999",
                AmountUnit::Yuan,
                "数值过大",
            ),
            (
                "7922816251426433759354395033",
                AmountUnit::WanYuan,
                "数值过大",
            ),
            ("100000000000000000", AmountUnit::Yuan, "数值过大"),
        ];
        for (text, unit, needle) in cases {
            match Money::parse(text, *unit) {
                Err(e) => assert!(
                    e.message.contains(needle),
                    "text {text:?}: message {:?}",
                    e.message
                ),
                Ok(v) => panic!("text {text:?} parsed as {v}"),
            }
        }
    }

    #[test]
    fn fen_round_trip_and_display() {
        let money = Money::parse("1,200.50", AmountUnit::Yuan).unwrap();
        assert_eq!(money.to_fen(), 120050);
        assert_eq!(money.to_string(), "1200.50");
        assert_eq!(Money::from_fen(-36000).to_string(), "-360.00");
        assert!(Money::from_fen(-1).is_negative());
        assert!(!Money::ZERO.is_negative());
        assert_eq!(
            Money::parse("-0", AmountUnit::Yuan).unwrap().to_string(),
            "0.00"
        );
        let sum: Money = [m(9000), m(9050), m(1)].into_iter().sum();
        assert_eq!(sum, m(18051));
        assert_eq!(m(123_456_789).wan_yuan(2).to_string(), "123.46");
    }

    #[test]
    fn float_noise_beyond_15_significant_digits_is_not_a_third_decimal() {
        assert_eq!(
            Money::parse("9.8999999999999986", AmountUnit::Yuan),
            Ok(m(990))
        );
        assert_eq!(
            Money::parse("78.100000000000009", AmountUnit::Yuan),
            Ok(m(7810))
        );
        assert_eq!(
            Money::parse("91.97999999999999", AmountUnit::Yuan),
            Ok(m(9198))
        );
        assert_eq!(
            Money::parse("0.30000000000000004", AmountUnit::Yuan),
            Ok(m(30))
        );
        // 15 significant digits or fewer: a real third decimal is still refused.
        assert!(Money::parse("9.905", AmountUnit::Yuan).is_err());
        assert!(Money::parse("123456789012.345", AmountUnit::Yuan).is_err());
    }

    #[test]
    fn from_yuan_rejects_sub_fen() {
        assert_eq!(
            Money::from_yuan(Decimal::new(1005, 3))
                .map(|m| m.to_fen())
                .ok(),
            None
        );
        assert_eq!(
            Money::from_yuan(Decimal::new(1000, 3)).map(|m| m.to_fen()),
            Ok(100)
        );
    }

    #[test]
    fn text_without_context_spells_out_an_amount_read_in_wan_yuan() {
        let wan = |text: &str| Money::parse(text, AmountUnit::WanYuan).unwrap();
        assert_eq!(
            wan("0.0215").text_without_context("0.0215").as_deref(),
            Some("215.00元")
        );
        assert_eq!(wan("0.5万元").text_without_context("0.5万元"), None);
        let yuan = Money::parse("90", AmountUnit::Yuan).unwrap();
        assert_eq!(yuan.text_without_context("90"), None);
        assert_eq!(yuan.text_without_context("九十元"), None);
        for text in ["0.0215", "0.12", "1.23456"] {
            let full = wan(text).text_without_context(text).unwrap();
            assert_eq!(
                Money::parse(&full, AmountUnit::Yuan).unwrap(),
                wan(text),
                "{text}"
            );
        }
    }

    #[test]
    fn jiao_and_fen_and_a_trailing_full_stop_are_read() {
        let fen = |text: &str| Money::parse(text, AmountUnit::Yuan).map(|m| m.to_fen());
        assert_eq!(fen("叁佰元伍角"), Ok(30050));
        assert_eq!(fen("360元5角2分"), Ok(36052));
        assert_eq!(fen("十元零五分"), Ok(1005));
        assert_eq!(fen("360元."), Ok(36000));
        assert_eq!(fen("360元。"), Ok(36000));
        assert_eq!(fen("-3元5角"), Ok(-350));
        assert!(fen("3元15角").is_err());
        assert!(fen("3元5毛").is_err());
    }
}
