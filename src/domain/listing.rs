//! 附件1 待销目录 rows (catalogue listings) as the editor and the importer build them: what the
//! clerk typed (`ListingDraft`, all text) and the validated `Listing`. Seed: 附件1 and its 备注;
//! import rules 10, 11. Shares the region, name and formula checks of the sale rows
//! ([`super::sale`]).

use super::sale::{
    EMPTY_HOUSEHOLD, FormKind, HouseholdFields, formula_warning, household_fields, resolve_region,
};
use super::text::{clean_text, is_formula_like};
use super::{InvolvedCount, ParseError, Price, Quantity, RegionResolver};

/// A field of a catalogue listing (附件1 row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListingField {
    Region,
    Household,
    Product,
    PlannedQuantity,
    Price,
    SupplyMethod,
    ShopUrl,
    Contact,
    Remark,
}

/// What a clerk typed into one row of 附件1, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingDraft {
    /// 地区.
    pub region: String,
    /// 贫困户姓名.
    pub household: String,
    /// 产品品种.
    pub product: String,
    /// 计划销量, e.g. `30斤`.
    pub planned_quantity: String,
    /// 销售价格(元), e.g. `3元/斤`, `面议`.
    pub price: String,
    /// 供货方式: `电商`, `送货上门`, `上门自提`, or several joined by `、`.
    pub supply_method: String,
    /// 网店网址.
    pub shop_url: String,
    /// 供货联系人及联系方式, e.g. `王五 17723635558`.
    pub contact: String,
    /// 备注.
    pub remark: String,
}

/// A validated catalogue listing (附件1 row).
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub region_text: String,
    pub township_code: String,
    pub village: String,
    pub household: String,
    pub product: String,
    pub planned_quantity: Quantity,
    pub planned_quantity_text: String,
    pub price: Price,
    pub price_text: String,
    /// Each method named, e.g. [`送货上门`, `上门自提`] for `送货上门、上门自提`.
    pub supply_methods: Vec<String>,
    pub shop_url: String,
    /// Kept exactly as typed (phone digits never reformatted).
    pub contact: String,
    pub remark: String,
    pub involved: Option<InvolvedCount>,
    pub warnings: Vec<String>,
}

/// Validates a typed catalogue row. Errors per field: empty 地区/姓名/品种, unknown township,
/// unreadable quantity or price. Warnings: parser warnings, cooperative count, formula-like text,
/// township-only 地区, 电商 without 网店网址 (`供货方式为电商，但未填写网店网址`).
///
/// An empty 计划销量 or 销售价格 is an error too (the record has no value without them). Also warned:
/// `?` in the name (as for sales) and a 供货方式 other than 电商、送货上门、上门自提. 供货方式 is split
/// on `、`, `,`, `，`, `/`, `;`, `；` and spaces.
pub fn validate_listing(
    draft: &ListingDraft,
    resolver: &RegionResolver,
) -> Result<Listing, Vec<(ListingField, String)>> {
    validate_listing_with_units(draft, resolver, None)
}

/// [`validate_listing`] with the header's unit for bare 计划销量 numbers (e.g. `计划销量（斤）`).
pub fn validate_listing_with_units(
    draft: &ListingDraft,
    resolver: &RegionResolver,
    quantity_unit: Option<&str>,
) -> Result<Listing, Vec<(ListingField, String)>> {
    let (_, qty_col, _) = FormKind::Catalogue.column_names();
    let mut errors: Vec<(ListingField, String)> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();

    let region_text = clean_text(&draft.region);
    let region = match resolve_region(&region_text, resolver, &mut warnings) {
        Ok(region) => Some(region),
        Err(message) => {
            errors.push((ListingField::Region, message));
            None
        }
    };

    let HouseholdFields {
        household,
        remark,
        involved,
    } = household_fields(&draft.household, &draft.remark, &mut warnings);
    if household.is_empty() {
        errors.push((ListingField::Household, EMPTY_HOUSEHOLD.to_string()));
    }

    let product = clean_text(&draft.product);
    if product.is_empty() {
        errors.push((ListingField::Product, "产品品种不能为空".to_string()));
    }
    warnings.extend(super::sale::several_products_warning(&product));

    let planned_quantity_text = clean_text(&draft.planned_quantity);
    let planned_quantity =
        match approximately(&planned_quantity_text, qty_col, &mut warnings, |t| {
            Quantity::parse(t, quantity_unit, qty_col)
        }) {
            Err(e) => {
                errors.push((ListingField::PlannedQuantity, e.message));
                None
            }
            Ok(parsed) => {
                warnings.extend(parsed.warnings);
                if parsed.value.value.is_zero() {
                    warnings.push(format!("{qty_col}为0，需核实"));
                }
                Some(parsed.value)
            }
        };

    let price_text = clean_text(&draft.price);
    let price = match approximately(&price_text, "销售价格", &mut warnings, |t| {
        Price::parse(t, None)
    }) {
        // A price a clerk wrote in words (`按市场价`, `5-6元/斤`): the household stays in the
        // catalogue with the text as written, like 面议, and no amount is checked against it. A
        // negative price is still an error.
        Err(e)
            if !price_text.is_empty()
                && !is_formula_like(&price_text)
                && !e.message.contains("负数") =>
        {
            warnings.push(format!(
                "销售价格“{price_text}”读不出具体价格，已按原文保存（不用于核对销售金额），请核实"
            ));
            Some(Price::Negotiable)
        }
        Err(e) => {
            errors.push((ListingField::Price, e.message));
            None
        }
        Ok(parsed) => {
            warnings.extend(parsed.warnings);
            Some(parsed.value)
        }
    };

    let supply_methods: Vec<String> = clean_text(&draft.supply_method)
        .split(['、', ',', '，', '/', ';', '；', ' ', '\u{3000}'])
        .map(clean_text)
        .filter(|m| !m.is_empty())
        .collect();
    for method in &supply_methods {
        if !SUPPLY_METHODS.contains(&method.as_str()) {
            warnings.push(format!(
                "供货方式“{method}”不是电商、送货上门、上门自提之一"
            ));
        }
    }
    let shop_url = clean_text(&draft.shop_url);
    if supply_methods.iter().any(|m| m == "电商") && shop_url.is_empty() {
        warnings.push("供货方式为电商，但未填写网店网址".to_string());
    }
    let contact = clean_text(&draft.contact);
    for (label, text) in [
        ("供货联系人及联系方式", contact.as_str()),
        ("备注", remark.as_str()),
    ] {
        warnings.extend(super::sale::scientific_number_warning(label, text));
    }

    for (label, text) in [
        ("地区", region_text.as_str()),
        ("贫困户姓名", household.as_str()),
        ("产品品种", product.as_str()),
        ("网店网址", shop_url.as_str()),
        ("供货联系人及联系方式", contact.as_str()),
        ("备注", remark.as_str()),
    ] {
        warnings.extend(formula_warning(label, text));
    }

    match (region, planned_quantity, price) {
        (Some(region), Some(planned_quantity), Some(price)) if errors.is_empty() => Ok(Listing {
            region_text,
            township_code: region.township_code,
            village: region.village,
            household,
            product,
            planned_quantity,
            planned_quantity_text,
            price,
            price_text,
            supply_methods,
            shop_url,
            contact,
            remark,
            involved,
            warnings,
        }),
        _ => Err(errors),
    }
}

/// True when a 销售价格 as written is not an exact price: approximate (`约3元/斤`, `3元/斤左右`)
/// or with a note of another price (`15元/斤（送货上门16元/斤）`). Such a price is shown as
/// written but no sale amount is checked against it.
pub fn is_inexact_price_text(text: &str) -> bool {
    ["约", "左右", "上下", "大概", "以上", "以内", "(", "（"]
        .iter()
        .any(|word| text.contains(word))
}

/// Parses `text` with `parse`; when that fails, again without the words that make a figure
/// approximate or periodic (`约`, `左右`, `每月`, `/年`, …) and without a note in brackets
/// (`15元/斤（送货上门16元/斤）`), warning that `column` was not exact. Errors: `parse`'s error
/// for the text as written.
fn approximately<T>(
    text: &str,
    column: &str,
    warnings: &mut Vec<String>,
    parse: impl Fn(&str) -> Result<T, ParseError>,
) -> Result<T, ParseError> {
    let first = match parse(text) {
        Ok(parsed) => return Ok(parsed),
        Err(e) => e,
    };
    let before_note = match text.find(['(', '（']) {
        Some(open) if open > 0 => &text[..open],
        _ => text,
    };
    let (_, stripped, _) = without_inexact_words(before_note);
    let stripped = stripped.to_string();
    if stripped.is_empty() || stripped == text.trim() {
        return Err(first);
    }
    match parse(&stripped) {
        Ok(parsed) => {
            warnings.push(format!(
                "{column}“{text}”不是确切的数，按“{stripped}”导入，请核实"
            ));
            Ok(parsed)
        }
        Err(_) => Err(first),
    }
}

/// Words that make a figure approximate or periodic, before it (`约500斤`, `每月500斤`).
const INEXACT_PREFIXES: [&str; 9] = [
    "大约", "大概", "约", "预计", "估计", "每月", "每年", "月均", "年均",
];
/// The same after it (`500斤左右`, `500斤/月`).
const INEXACT_SUFFIXES: [&str; 10] = [
    "左右", "上下", "以上", "以内", "/年", "/月", "每年", "每月", "一年", "一月",
];

/// Words that make any figure approximate (`约30斤`, `30斤左右`), a sale's too: a subset of
/// [`INEXACT_PREFIXES`] and [`INEXACT_SUFFIXES`] without the periodic and bounding ones.
pub(super) const APPROXIMATE_PREFIXES: [&str; 4] = ["大约", "大概", "约", "估计"];
/// The same after the figure.
pub(super) const APPROXIMATE_SUFFIXES: [&str; 2] = ["左右", "上下"];

/// Splits `text` into the words that make it approximate or periodic before the figure, the
/// figure, and those after it: `每月 500 左右` → (`每月 `, `500`, ` 左右`). The figure is trimmed;
/// the three parts concatenate to `text`.
fn without_inexact_words(text: &str) -> (&str, &str, &str) {
    without_words(text, &INEXACT_PREFIXES, &INEXACT_SUFFIXES)
}

/// [`without_inexact_words`] for the words `prefixes` and `suffixes`, stripped as often as they
/// stand before or after the figure.
pub(super) fn without_words<'t>(
    text: &'t str,
    prefixes: &[&str],
    suffixes: &[&str],
) -> (&'t str, &'t str, &'t str) {
    let mut core = text.trim();
    loop {
        let before = core.len();
        for prefix in prefixes {
            if let Some(rest) = core.strip_prefix(prefix) {
                core = rest.trim();
            }
        }
        for suffix in suffixes {
            if let Some(rest) = core.strip_suffix(suffix) {
                core = rest.trim();
            }
        }
        if core.len() == before {
            break;
        }
    }
    // `core` is a subslice of `text`: its offset splits `text` on char boundaries.
    let start = core.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + core.len();
    (&text[..start], core, &text[end..])
}

/// A 计划销量 whose figure has no unit, with `unit` (from a 单位 column of its own) put after the
/// figure: `每月500` and `斤` → `每月500斤`, `500左右` → `500斤左右`, `500` → `500斤`, `三百左右` →
/// `三百斤左右`. `None` when
/// the figure, without the approximate or periodic words, is not a bare number (it has a unit
/// already, or is not a figure at all). Seed: 附件1 计划销量.
pub fn with_unit_after_figure(text: &str, unit: &str) -> Option<String> {
    let (before, figure, after) = without_inexact_words(text);
    let numeral = |c: char| c.is_ascii_digit() || super::text::is_chinese_numeral_char(c);
    let bare =
        figure.chars().any(numeral) && figure.chars().all(|c| numeral(c) || c == ',' || c == '.');
    bare.then(|| format!("{before}{figure}{unit}{after}"))
}

/// The three 供货方式 of 附件1.
pub const SUPPLY_METHODS: [&str; 3] = ["电商", "送货上门", "上门自提"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_goes_after_the_figure_of_an_inexact_quantity() {
        let cases = [
            ("每月500", "斤", Some("每月500斤")),
            ("500左右", "公斤", Some("500公斤左右")),
            ("约 1,000 /月", "斤", Some("约 1,000斤 /月")),
            ("500", "斤", Some("500斤")),
            ("三百左右", "斤", Some("三百斤左右")),
            ("每月三百", "斤", Some("每月三百斤")),
            ("500斤", "斤", None),
            ("每月500斤", "斤", None),
            ("每月", "斤", None),
            ("若干", "斤", None),
        ];
        for (text, unit, expected) in cases {
            assert_eq!(
                with_unit_after_figure(text, unit).as_deref(),
                expected,
                "{text}"
            );
        }
    }

    fn resolver() -> RegionResolver {
        RegionResolver::from_csv(include_str!("../../assets/townships.csv")).unwrap()
    }

    fn listing() -> ListingDraft {
        ListingDraft {
            region: "云阳县泥溪镇三坪村".into(),
            household: "刘光富".into(),
            product: "土豆".into(),
            planned_quantity: "2000斤".into(),
            price: "3元/斤".into(),
            supply_method: "送货上门".into(),
            shop_url: String::new(),
            contact: "刘光富 138-0000-2301".into(),
            remark: String::new(),
        }
    }

    #[test]
    fn clean_listing_validates() {
        let l = validate_listing(&listing(), &resolver()).unwrap();
        assert_eq!(l.township_code, "500235139");
        assert_eq!(l.village, "三坪村");
        assert_eq!(l.planned_quantity.to_string(), "2000斤");
        assert_eq!(l.planned_quantity_text, "2000斤");
        assert_eq!(
            l.price,
            Price::PerUnit {
                yuan: rust_decimal::Decimal::from(3),
                unit: Some("斤".into())
            }
        );
        assert_eq!(l.price_text, "3元/斤");
        assert_eq!(l.supply_methods, vec!["送货上门".to_string()]);
        assert_eq!(l.contact, "刘光富 138-0000-2301");
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
        let zero = ListingDraft {
            planned_quantity: "0斤".into(),
            ..listing()
        };
        let l = validate_listing(&zero, &resolver()).unwrap();
        assert_eq!(l.warnings, ["计划销量为0，需核实"]);
        // A phone number Excel turned into `1.39E+10` (a CSV saved from such a sheet) is kept
        // as written and warned: its last digits are lost.
        let lost = ListingDraft {
            contact: "何大 1.39E+10".into(),
            ..listing()
        };
        let l = validate_listing(&lost, &resolver()).unwrap();
        assert_eq!(l.contact, "何大 1.39E+10");
        assert_eq!(
            l.warnings,
            [
                "供货联系人及联系方式“1.39E+10”是被Excel改成科学计数法的号码，后几位已丢失：请重新填写完整号码"
            ]
        );
    }

    #[test]
    fn listing_variants_and_warnings() {
        let l = validate_listing(
            &ListingDraft {
                price: "3".into(),
                ..listing()
            },
            &resolver(),
        )
        .unwrap();
        assert_eq!(
            l.price,
            Price::PerUnit {
                yuan: rust_decimal::Decimal::from(3),
                unit: None
            }
        );
        assert_eq!(l.warnings, vec!["销售价格未注明单位".to_string()]);

        let l = validate_listing(
            &ListingDraft {
                price: "面议".into(),
                planned_quantity: "20头".into(),
                ..listing()
            },
            &resolver(),
        )
        .unwrap();
        assert_eq!(l.price, Price::Negotiable);
        assert!(l.warnings.is_empty());

        let l = validate_listing(
            &ListingDraft {
                supply_method: "送货上门、上门自提".into(),
                ..listing()
            },
            &resolver(),
        )
        .unwrap();
        assert_eq!(
            l.supply_methods,
            vec!["送货上门".to_string(), "上门自提".to_string()]
        );

        let l = validate_listing(
            &ListingDraft {
                supply_method: "电商".into(),
                ..listing()
            },
            &resolver(),
        )
        .unwrap();
        assert_eq!(
            l.warnings,
            vec!["供货方式为电商，但未填写网店网址".to_string()]
        );
        let l = validate_listing(
            &ListingDraft {
                supply_method: "电商".into(),
                shop_url: "https://shop.example.invalid/nixi/lr01".into(),
                ..listing()
            },
            &resolver(),
        )
        .unwrap();
        assert!(l.warnings.is_empty());
        assert_eq!(l.shop_url, "https://shop.example.invalid/nixi/lr01");

        let l = validate_listing(
            &ListingDraft {
                supply_method: "快递".into(),
                ..listing()
            },
            &resolver(),
        )
        .unwrap();
        assert_eq!(
            l.warnings,
            vec!["供货方式“快递”不是电商、送货上门、上门自提之一".to_string()]
        );

        let l = validate_listing(
            &ListingDraft {
                household: "泥溪镇桂花村柑橘专业合作社".into(),
                remark: "涉及贫困户12户".into(),
                ..listing()
            },
            &resolver(),
        )
        .unwrap();
        assert_eq!(l.involved, Some(InvolvedCount::Households(12)));
        assert!(l.warnings.is_empty());

        let l = validate_listing(
            &ListingDraft {
                household: "泥溪镇合作社".into(),
                ..listing()
            },
            &resolver(),
        )
        .unwrap();
        assert_eq!(l.warnings, vec!["合作社未填写涉及贫困户户数".to_string()]);

        let l = validate_listing(
            &ListingDraft {
                region: "泥溪镇".into(),
                planned_quantity: "2000".into(),
                ..listing()
            },
            &resolver(),
        )
        .unwrap();
        assert_eq!(
            l.warnings,
            vec![
                "地区只填到乡镇，缺少村(社区)".to_string(),
                "计划销量缺少单位".to_string()
            ]
        );
        let l = validate_listing_with_units(
            &ListingDraft {
                planned_quantity: "2000".into(),
                ..listing()
            },
            &resolver(),
            Some("斤"),
        )
        .unwrap();
        assert!(l.warnings.is_empty());
    }

    #[test]
    fn listing_errors() {
        let errors = validate_listing(&ListingDraft::default(), &resolver()).unwrap_err();
        let fields: Vec<ListingField> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            vec![
                ListingField::Region,
                ListingField::Household,
                ListingField::Product,
                ListingField::PlannedQuantity,
                ListingField::Price
            ]
        );
        assert_eq!(errors[0].1, "地区不能为空");
        assert_eq!(errors[1].1, "贫困户姓名不能为空");
        assert_eq!(errors[2].1, "产品品种不能为空");
        assert_eq!(errors[3].1, "计划销量为空");
        assert_eq!(errors[4].1, "销售价格为空");

        let errors = validate_listing(
            &ListingDraft {
                region: "泥西镇三坪村".into(),
                planned_quantity: "很多".into(),
                price: "-3元/斤".into(),
                ..listing()
            },
            &resolver(),
        )
        .unwrap_err();
        assert_eq!(errors.len(), 3);
        assert_eq!(
            errors[0],
            (
                ListingField::Region,
                "无法识别地区“泥西镇三坪村”中的乡镇（是否为“泥溪镇”？）".to_string()
            )
        );
        assert_eq!(errors[1].0, ListingField::PlannedQuantity);
        assert!(
            errors[1].1.contains("无法识别的计划销量“很多”"),
            "{}",
            errors[1].1
        );
        assert_eq!(errors[2].0, ListingField::Price);
    }

    /// A price or planned quantity written approximately is read without its words, with a
    /// warning; a price in words keeps the household listed (as 面议, the text kept); a
    /// formula-like price is still refused.
    #[test]
    fn approximate_figures_are_read_and_a_price_in_words_is_kept_as_written() {
        let read = |price: &str, planned: &str| {
            validate_listing(
                &ListingDraft {
                    price: price.into(),
                    planned_quantity: planned.into(),
                    ..listing()
                },
                &resolver(),
            )
        };
        let l = read("约3元/斤", "2000斤/年").unwrap();
        assert_eq!(
            l.price,
            Price::PerUnit {
                yuan: rust_decimal::Decimal::from(3),
                unit: Some("斤".into())
            }
        );
        assert_eq!(l.planned_quantity.to_string(), "2000斤");
        assert_eq!(
            l.warnings,
            [
                "计划销量“2000斤/年”不是确切的数，按“2000斤”导入，请核实",
                "销售价格“约3元/斤”不是确切的数，按“3元/斤”导入，请核实"
            ]
        );
        let l = read("15元/斤（送货上门16元/斤）", "每月500斤").unwrap();
        assert_eq!(l.planned_quantity.to_string(), "500斤");
        assert_eq!(l.price_text, "15元/斤（送货上门16元/斤）");
        let l = read("按市场价", "2000斤").unwrap();
        assert_eq!(l.price, Price::Negotiable);
        assert_eq!(l.price_text, "按市场价");
        assert_eq!(
            l.warnings,
            ["销售价格“按市场价”读不出具体价格，已按原文保存（不用于核对销售金额），请核实"]
        );
        assert!(read("=A1*2", "2000斤").is_err());
        assert!(read("3元/斤", "不限").is_err());
    }
}
