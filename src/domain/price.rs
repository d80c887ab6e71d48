//! Catalogue prices. Seed: 附件1 销售价格(元); import rules 6, 10; 五(二) (prices follow the market).

use rust_decimal::{Decimal, RoundingStrategy};

use super::quantity::{jin_per_unit, normalize_unit};
use super::text::{
    clean_text, is_chinese_numeral_char, parse_chinese_number, parse_decimal_number, squeeze,
    to_half_width,
};
use super::{Money, ParseError, Parsed, Quantity};

/// A catalogue price (附件1 销售价格): yuan per unit, or 面议 (negotiable, no number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Price {
    /// `3元/斤` → yuan 3, unit `Some("斤")`; a bare `3` → unit `None` (warning `销售价格未注明单位`).
    PerUnit { yuan: Decimal, unit: Option<String> },
    /// `面议`, `议价`: no price to check amounts against.
    Negotiable,
}

impl Price {
    /// Parses `3元/斤`, `3`, `3.5元/公斤`, `面议`, `1.2元/个`, `80元/只`, `3元每斤`, full-width digits.
    /// A bare number uses `header_unit` when given (rare), else warns `销售价格未注明单位`.
    ///
    /// Also: `3元/kg`, `3/斤` (元 left out), `每斤3元`, `3元`, `¥3`, `三元/斤`, `议价`, `价格面议`.
    /// `header_unit` may be a unit (`斤`) or a price unit (`元/斤`). The unit must be one
    /// [`normalize_unit`] knows. Errors (Chinese) for empty or unreadable text, an unknown unit and a
    /// negative price.
    pub fn parse(text: &str, header_unit: Option<&str>) -> Result<Parsed<Price>, ParseError> {
        let cleaned = clean_text(text);
        if cleaned.is_empty() {
            return Err(ParseError::new("销售价格为空"));
        }
        let half = spoken_yuan(&squeeze(&to_half_width(&cleaned)));
        if matches!(half.as_str(), "议价" | "面谈" | "电议" | "价格面议") || half.contains("面议")
        {
            return Ok(Parsed::clean(Price::Negotiable));
        }
        let unreadable = || {
            ParseError::new(format!(
                "无法识别的销售价格“{cleaned}”：应为“3元/斤”这样的价格，或“面议”"
            ))
        };
        if half.starts_with('-') || half.starts_with('\u{2212}') || half.starts_with('负') {
            return Err(ParseError::new(format!(
                "销售价格“{cleaned}”为负数，请核对"
            )));
        }

        // `每斤3元` → number `3元`, unit `斤`; `3元/斤`, `3元每斤`, `3/斤` → number `3元`/`3`, unit `斤`.
        let (number_text, unit_text): (String, Option<String>) = if let Some(rest) =
            half.strip_prefix('每')
        {
            let split = rest
                .char_indices()
                .find(|(_, c)| c.is_ascii_digit() || is_chinese_numeral_char(*c))
                .map(|(i, _)| i)
                .ok_or_else(unreadable)?;
            let (unit, number) = rest.split_at(split);
            (number.to_string(), Some(unit.to_string()))
        } else if let Some((number, unit)) = half.split_once('/') {
            (number.to_string(), Some(unit.to_string()))
        } else if let Some((number, unit)) = half.split_once('每') {
            (number.to_string(), Some(unit.to_string()))
        } else if let Some((number, unit)) = half.split_once('元').filter(|(_, u)| !u.is_empty()) {
            // `3元一斤`, `3元斤`.
            (format!("{number}元"), Some(unit.to_string()))
        } else {
            (half.clone(), None)
        };

        let number_text = number_text
            .trim_start_matches(['¥', '￥'])
            .trim_end_matches("人民币");
        let number_text = number_text
            .strip_suffix('元')
            .or_else(|| number_text.strip_suffix('圆'))
            .unwrap_or(number_text);
        if number_text.is_empty() {
            return Err(unreadable());
        }
        let yuan = parse_decimal_number(number_text)
            .or_else(|| parse_chinese_number(number_text))
            .ok_or_else(unreadable)?;

        match unit_text {
            Some(unit_text) => {
                let unit_text = unit_text
                    .strip_prefix('一')
                    .unwrap_or(&unit_text)
                    .to_string();
                let unit = normalize_unit(&unit_text).ok_or_else(|| {
                    ParseError::new(format!(
                        "销售价格“{cleaned}”的单位“{unit_text}”无法识别（如 3元/斤、1.2元/个）"
                    ))
                })?;
                Ok(Parsed::clean(Price::PerUnit {
                    yuan,
                    unit: Some(unit),
                }))
            }
            None => {
                let header_unit = header_unit
                    .map(|u| squeeze(&to_half_width(u)))
                    .map(|u| {
                        let u = u.strip_prefix('元').unwrap_or(&u);
                        let u = u
                            .strip_prefix('/')
                            .or_else(|| u.strip_prefix('每'))
                            .unwrap_or(u);
                        u.to_string()
                    })
                    .filter(|u| !u.is_empty());
                match header_unit {
                    Some(unit) => {
                        let unit = normalize_unit(&unit).unwrap_or(unit);
                        Ok(Parsed::clean(Price::PerUnit {
                            yuan,
                            unit: Some(unit),
                        }))
                    }
                    None => Ok(Parsed {
                        value: Price::PerUnit { yuan, unit: None },
                        warnings: vec!["销售价格未注明单位".to_string()],
                    }),
                }
            }
        }
    }

    /// The amount `quantity` should cost at this price, after unit conversion through 斤 (a price in
    /// 元/公斤 and a quantity in 斤 compare). Rounded 四舍五入 to the fen. `None` when the price is
    /// 面议, or the units cannot be converted (e.g. 元/个 vs 斤). A price with no unit is taken to be per
    /// the quantity's own unit.
    pub fn expected_amount(&self, quantity: &Quantity) -> Option<Money> {
        let Price::PerUnit { yuan, unit } = self else {
            return None;
        };
        let exact = match unit {
            None => quantity.value.checked_mul(*yuan)?,
            Some(price_unit) => {
                let same_unit = quantity
                    .unit
                    .as_deref()
                    .is_some_and(|q| normalize_unit(q).as_deref() == Some(price_unit.as_str()));
                if same_unit {
                    quantity.value.checked_mul(*yuan)?
                } else {
                    // Through 斤: (quantity in 斤) × (yuan per unit) ÷ (斤 per price unit).
                    let jin = quantity.in_jin()?;
                    let jin_per_price_unit = jin_per_unit(price_unit)?;
                    jin.checked_mul(*yuan)?.checked_div(jin_per_price_unit)?
                }
            }
        };
        let rounded = exact.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        Money::from_yuan(rounded).ok()
    }
}

impl std::fmt::Display for Price {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Price::PerUnit {
                yuan,
                unit: Some(unit),
            } => write!(f, "{}元/{}", yuan.normalize(), unit),
            Price::PerUnit { yuan, unit: None } => write!(f, "{}", yuan.normalize()),
            Price::Negotiable => write!(f, "面议"),
        }
    }
}

/// `3块/斤`, `三块钱一斤` → `3元/斤`, `三元一斤`: the spoken 块 (块钱) for 元 after a figure, when
/// the text has no 元 (in `3元一块` and `3元/块`, 块 is the unit sold: a piece).
fn spoken_yuan(half: &str) -> String {
    if half.contains(['元', '圆']) {
        return half.to_string();
    }
    let mut out = String::with_capacity(half.len());
    let mut after_figure = false;
    let mut chars = half.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '块' && after_figure {
            out.push('元');
            if chars.peek() == Some(&'钱') {
                chars.next();
            }
            after_figure = false;
            continue;
        }
        after_figure = c.is_ascii_digit() || is_chinese_numeral_char(c);
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn per(yuan: &str, unit: Option<&str>) -> Price {
        Price::PerUnit {
            yuan: dec(yuan),
            unit: unit.map(str::to_string),
        }
    }

    fn qty(text: &str) -> Quantity {
        Quantity::parse(text, None, "销售数量").unwrap().value
    }

    #[test]
    fn parses_catalogue_prices() {
        let cases: &[(&str, Price)] = &[
            ("3元/斤", per("3", Some("斤"))),
            ("3.5元/公斤", per("3.5", Some("公斤"))),
            ("1.2元/个", per("1.2", Some("个"))),
            ("80元/只", per("80", Some("只"))),
            ("3元每斤", per("3", Some("斤"))),
            ("每斤3元", per("3", Some("斤"))),
            ("3元一斤", per("3", Some("斤"))),
            ("３元／斤", per("3", Some("斤"))),
            ("3块/斤", per("3", Some("斤"))),
            ("三块钱一斤", per("3", Some("斤"))),
            ("2.5块每斤", per("2.5", Some("斤"))),
            ("3元一块", per("3", Some("块"))),
            ("3元/块", per("3", Some("块"))),
            ("每块3元", per("3", Some("块"))),
            ("3/斤", per("3", Some("斤"))),
            ("三元/斤", per("3", Some("斤"))),
            ("¥3/kg", per("3", Some("kg"))),
            (" 2.5 元 / 斤 ", per("2.5", Some("斤"))),
            ("面议", Price::Negotiable),
            ("议价", Price::Negotiable),
            ("价格面议", Price::Negotiable),
        ];
        for (text, expected) in cases {
            let parsed = Price::parse(text, None).unwrap();
            assert_eq!(&parsed.value, expected, "{text}");
            assert!(parsed.warnings.is_empty(), "{text}: {:?}", parsed.warnings);
        }
    }

    #[test]
    fn bare_price_warns_or_takes_header_unit() {
        for text in ["3", "3元", "¥3"] {
            let parsed = Price::parse(text, None).unwrap();
            assert_eq!(parsed.value, per("3", None), "{text}");
            assert_eq!(parsed.warnings, vec!["销售价格未注明单位".to_string()]);
        }
        let parsed = Price::parse("3", Some("斤")).unwrap();
        assert_eq!(parsed.value, per("3", Some("斤")));
        assert!(parsed.warnings.is_empty());
        let parsed = Price::parse("3", Some("元/公斤")).unwrap();
        assert_eq!(parsed.value, per("3", Some("公斤")));
    }

    #[test]
    fn rejects_unreadable_prices() {
        let cases: &[(&str, &str)] = &[
            ("", "销售价格为空"),
            ("便宜", "无法识别的销售价格"),
            ("元/斤", "无法识别的销售价格"),
            ("3元/斤土豆", "单位“斤土豆”无法识别"),
            ("-3元/斤", "为负数"),
            ("每斤", "无法识别的销售价格"),
        ];
        for (text, needle) in cases {
            match Price::parse(text, None) {
                Err(e) => assert!(e.message.contains(needle), "{text}: {:?}", e.message),
                Ok(p) => panic!("{text} parsed as {:?}", p.value),
            }
        }
    }

    #[test]
    fn expected_amount_converts_through_jin() {
        let cases: &[(Price, &str, Option<i64>)] = &[
            (per("3", Some("斤")), "30斤", Some(9000)),
            (per("3", Some("斤")), "20公斤", Some(12000)),
            (per("3", Some("斤")), "30公斤", Some(18000)),
            (per("3.5", Some("公斤")), "40斤", Some(7000)),
            (per("3.5", Some("公斤")), "30斤", Some(5250)),
            (per("3.5", Some("千克")), "20公斤", Some(7000)),
            (per("3", None), "30斤", Some(9000)),
            (per("1.2", Some("个")), "300个", Some(36000)),
            (per("80", Some("只")), "5只", Some(40000)),
            (per("1.2", Some("个")), "30斤", None),
            (per("3", Some("斤")), "300个", None),
            (per("3", Some("斤")), "30", None),
            (Price::Negotiable, "2头", None),
            // 1/3 元 per 斤 × 1 斤 = 0.333… → 0.33; × 5 斤 = 1.666… → 1.67; 四舍五入 at .5.
            (per("1", Some("吨")), "1斤", Some(0)),
            (per("0.125", Some("斤")), "1斤", Some(13)),
            (per("0.125", Some("斤")), "3斤", Some(38)),
            (per("3", Some("公斤")), "5斤", Some(750)),
        ];
        for (price, quantity, fen) in cases {
            assert_eq!(
                price.expected_amount(&qty(quantity)),
                fen.map(Money::from_fen),
                "{price} × {quantity}"
            );
        }
    }

    #[test]
    fn display() {
        assert_eq!(per("3.50", Some("斤")).to_string(), "3.5元/斤");
        assert_eq!(Price::Negotiable.to_string(), "面议");
    }
}
