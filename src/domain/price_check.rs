//! The price check (R12, 五(二) "遵循市场价格规律"): pure rule helpers. The store
//! (`store::prices`) reads the sales and references and applies these.
//!
//! # Rule
//!
//! A sale's unit price is its amount ÷ its quantity, after converting the quantity to the unit of
//! the reference price ([`quantity_in_price_unit`]; weights convert through 斤, a count unit only
//! to itself). It is flagged for review when it is below [`LOW_RATIO`] × or above [`HIGH_RATIO`] ×
//! the reference (exactly 0.5× and 2× are within the band). The comparison is exact: amount × 2 <
//! quantity × reference, or amount > 2 × quantity × reference ([`outside_band`]); no division, no
//! `f64`.

use rust_decimal::{Decimal, RoundingStrategy};

use super::quantity::{jin_per_unit, normalize_unit};
use super::{Money, Quantity};

/// Below this fraction of the reference a unit price is flagged (0.5).
pub const LOW_RATIO: Decimal = Decimal::from_parts(5, 0, 0, false, 1);
/// Above this multiple of the reference a unit price is flagged (2).
pub const HIGH_RATIO: Decimal = Decimal::TWO;
/// The county median of a product and unit is a reference only when at least this many sales of
/// that product and unit exist in the year (5).
pub const MEDIAN_MIN_SALES: usize = 5;

/// `quantity` expressed in `price_unit` (the unit of a catalogue price): the value itself when the
/// units are the same (after [`normalize_unit`]) or the price has no unit (taken to be per the
/// quantity's own unit, as [`crate::domain::Price::expected_amount`] does); through 斤 when both are
/// weights (`30斤` in 公斤 = 15). `None` when the units do not convert (斤 vs 个, or a quantity
/// without a unit against a price with one) or the value is not positive.
pub fn quantity_in_price_unit(quantity: &Quantity, price_unit: Option<&str>) -> Option<Decimal> {
    let value = match price_unit {
        None => quantity.value,
        Some(price_unit) => {
            let quantity_unit = normalize_unit(quantity.unit.as_deref()?)?;
            let price_unit = normalize_unit(price_unit)?;
            if quantity_unit == price_unit {
                quantity.value
            } else {
                let jin = quantity.in_jin()?;
                jin.checked_div(jin_per_unit(&price_unit)?)?
            }
        }
    };
    (value > Decimal::ZERO).then_some(value)
}

/// The unit and value the county median of a product is kept in: weights in 斤 (`2公斤` → (`斤`,
/// 4)), count units as written after [`normalize_unit`] (`3头` → (`头`, 3)). `None` for a
/// quantity without a known unit or with a value that is not positive.
pub fn median_basis(quantity: &Quantity) -> Option<(String, Decimal)> {
    let unit = normalize_unit(quantity.unit.as_deref()?)?;
    let (unit, value) = match quantity.in_jin() {
        Some(jin) => ("斤".to_string(), jin),
        None => (unit, quantity.value),
    };
    (value > Decimal::ZERO).then_some((unit, value))
}

/// Exact unit price: `amount` (元) ÷ `quantity` (in the reference unit). `None` for a zero
/// quantity or an overflow.
pub fn unit_price(amount: Money, quantity: Decimal) -> Option<Decimal> {
    amount.yuan().checked_div(quantity)
}

/// The median of `values` (sorted in place): the middle value, or the mean of the two middle
/// values for an even count (exact). `None` when empty.
pub fn median(values: &mut [Decimal]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values.get(middle).copied()
    } else {
        let low = *values.get(middle - 1)?;
        let high = *values.get(middle)?;
        low.checked_add(high)?.checked_div(Decimal::TWO)
    }
}

/// True when `amount` for `quantity` (in the reference unit) is outside 0.5×–2× of `reference`
/// (元 per unit): amount < 0.5 × quantity × reference, or amount > 2 × quantity × reference.
/// Exact. False when the reference or quantity is not positive, or on overflow (nothing to check).
pub fn outside_band(amount: Money, quantity: Decimal, reference: Decimal) -> bool {
    if reference <= Decimal::ZERO || quantity <= Decimal::ZERO {
        return false;
    }
    let Some(expected) = quantity.checked_mul(reference) else {
        return false;
    };
    match (
        expected.checked_mul(LOW_RATIO),
        expected.checked_mul(HIGH_RATIO),
    ) {
        (Some(low), Some(high)) => amount.yuan() < low || amount.yuan() > high,
        _ => false,
    }
}

/// The unit price as a multiple of the reference, rounded 四舍五入 to two decimals (for display:
/// `0.40` = 40% of the reference). `None` when it cannot be computed.
pub fn price_ratio(amount: Money, quantity: Decimal, reference: Decimal) -> Option<Decimal> {
    let expected = quantity.checked_mul(reference)?;
    Some(
        amount
            .yuan()
            .checked_div(expected)?
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
    )
}

/// A price in 元 rounded 四舍五入 to two decimals, for display.
pub fn round_price(price: Decimal) -> Decimal {
    price
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn qty(value: &str, unit: Option<&str>) -> Quantity {
        Quantity {
            value: dec(value),
            unit: unit.map(str::to_string),
        }
    }

    #[test]
    fn quantities_convert_to_the_price_unit() {
        assert_eq!(
            quantity_in_price_unit(&qty("30", Some("斤")), Some("公斤")),
            Some(dec("15"))
        );
        assert_eq!(
            quantity_in_price_unit(&qty("10", Some("公斤")), Some("斤")),
            Some(dec("20"))
        );
        assert_eq!(
            quantity_in_price_unit(&qty("3", Some("头")), Some("头")),
            Some(dec("3"))
        );
        assert_eq!(
            quantity_in_price_unit(&qty("3", Some("头")), Some("斤")),
            None
        );
        assert_eq!(quantity_in_price_unit(&qty("3", None), Some("斤")), None);
        assert_eq!(
            quantity_in_price_unit(&qty("3", Some("斤")), None),
            Some(dec("3"))
        );
        assert_eq!(
            quantity_in_price_unit(&qty("0", Some("斤")), Some("斤")),
            None
        );
    }

    #[test]
    fn the_median_basis_is_jin_for_weights() {
        assert_eq!(
            median_basis(&qty("2", Some("公斤"))),
            Some(("斤".to_string(), dec("4")))
        );
        assert_eq!(
            median_basis(&qty("3", Some("头"))),
            Some(("头".to_string(), dec("3")))
        );
        assert_eq!(median_basis(&qty("3", None)), None);
    }

    #[test]
    fn medians_are_exact() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [dec("3"), dec("1"), dec("2")]), Some(dec("2")));
        assert_eq!(
            median(&mut [dec("4"), dec("1"), dec("2"), dec("3")]),
            Some(dec("2.5"))
        );
    }

    #[test]
    fn the_band_is_half_to_double_inclusive() {
        let ten = Decimal::TEN;
        // 10 units at 3元: 30元 expected; 15–60 inside.
        assert!(!outside_band(Money::from_fen(1500), ten, dec("3")));
        assert!(!outside_band(Money::from_fen(6000), ten, dec("3")));
        assert!(outside_band(Money::from_fen(1499), ten, dec("3")));
        assert!(outside_band(Money::from_fen(6001), ten, dec("3")));
        assert!(!outside_band(Money::from_fen(6001), ten, Decimal::ZERO));
        assert_eq!(
            price_ratio(Money::from_fen(1200), ten, dec("3")),
            Some(dec("0.40"))
        );
    }
}
