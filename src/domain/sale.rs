//! The rows of the three forms as the editors and the importer build them: what the clerk typed
//! (drafts, all text) and the validated records. Seed: 附件1 (listing), 附件2 (sale), 附件3
//! (procurement).

use chrono::NaiveDate;

use super::cooperative::cooperative_warning;
pub use super::listing::{
    Listing, ListingDraft, ListingField, SUPPLY_METHODS, validate_listing,
    validate_listing_with_units,
};
use super::region::ResolvedRegion;
use super::text::{
    clean_name, clean_text, clean_words, is_blank_char, is_formula_like, listed_items,
};
use super::{
    AmountUnit, Channel, DatePrecision, InvolvedCount, Money, ParseError, Quantity, RegionResolver,
    ReportDate, SubChannel, is_cooperative, parse_involved,
};

/// Which official form a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormKind {
    /// 附件1 乡镇(街道)贫困户农特产品待销目录 (catalogue listings).
    Catalogue,
    /// 附件2 乡镇(街道)贫困户产品销售情况表 (sales reported by a township).
    Sale,
    /// 附件3 牵头单位系统(行业)购买贫困户产品采购情况表 (procurements reported by a lead unit).
    Procurement,
}

impl FormKind {
    /// 1, 2 or 3 (the attachment number; also the value stored in SQLite).
    pub fn number(self) -> i64 {
        match self {
            FormKind::Catalogue => 1,
            FormKind::Sale => 2,
            FormKind::Procurement => 3,
        }
    }

    /// From 1, 2 or 3.
    pub fn from_number(number: i64) -> Option<FormKind> {
        match number {
            1 => Some(FormKind::Catalogue),
            2 => Some(FormKind::Sale),
            3 => Some(FormKind::Procurement),
            _ => None,
        }
    }

    /// `附件1`, `附件2`, `附件3`.
    pub fn label(self) -> &'static str {
        match self {
            FormKind::Catalogue => "附件1",
            FormKind::Sale => "附件2",
            FormKind::Procurement => "附件3",
        }
    }

    /// The column names of the date, quantity and amount columns: (`销售时间`, `销售数量`, `销售金额`)
    /// for 附件2, (`采购时间`, `采购数量`, `采购金额`) for 附件3; the catalogue has no date or amount and
    /// returns (`""`, `计划销量`, `销售价格(元)`).
    pub fn column_names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            FormKind::Catalogue => ("", "计划销量", "销售价格(元)"),
            FormKind::Sale => ("销售时间", "销售数量", "销售金额"),
            FormKind::Procurement => ("采购时间", "采购数量", "采购金额"),
        }
    }
}

/// A field of a sale/procurement row, for placing validation messages next to the right field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaleField {
    Purchaser,
    Date,
    Region,
    Household,
    Product,
    Quantity,
    Amount,
    Remark,
}

/// What a clerk typed into one row of 附件2 or 附件3, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaleDraft {
    /// 采购单位.
    pub purchaser: String,
    /// 销售时间 / 采购时间, e.g. `2019.9.1`.
    pub date: String,
    /// 地区, e.g. `云阳县泥溪镇三坪村`.
    pub region: String,
    /// 贫困户姓名 (or a cooperative's name).
    pub household: String,
    /// 产品品种.
    pub product: String,
    /// 销售数量 / 采购数量, e.g. `30斤`.
    pub quantity: String,
    /// 销售金额 / 采购金额, e.g. `90元`.
    pub amount: String,
    /// 备注.
    pub remark: String,
}

/// A validated row of 附件2 (kind [`FormKind::Sale`]) or 附件3 (kind [`FormKind::Procurement`]).
/// Keeps the text as typed beside each parsed value, so the printed form shows what was entered.
#[derive(Debug, Clone, PartialEq)]
pub struct SaleRecord {
    pub kind: FormKind,
    /// 采购单位, cleaned.
    pub purchaser: String,
    pub date: ReportDate,
    /// The date as typed, e.g. `2019.9.1`.
    pub date_text: String,
    /// 地区 as typed.
    pub region_text: String,
    pub township_code: String,
    /// 村(社区), may be empty.
    pub village: String,
    /// 贫困户姓名 (internal whitespace removed) or cooperative name.
    pub household: String,
    pub product: String,
    pub quantity: Quantity,
    /// The quantity as typed, e.g. `30斤×2袋`.
    pub quantity_text: String,
    /// Yuan, exact to the fen; never negative.
    pub amount: Money,
    /// The amount as typed, e.g. `90元`.
    pub amount_text: String,
    pub remark: String,
    /// Cooperatives: households (户) or persons (人) involved, from 备注.
    pub involved: Option<InvolvedCount>,
    /// An operator's override of the channel derived from the purchaser's type.
    pub channel_override: Option<(Channel, Option<SubChannel>)>,
    /// Chinese warnings raised by validation (kept with the record, filterable).
    pub warnings: Vec<String>,
}

/// Validation failed: Chinese messages per field (one per field at most).
pub type FieldErrors = Vec<(SaleField, String)>;

/// Validates a typed sale/procurement row. `reference` is the form's 填报时间 (year for `9月1日`,
/// upper bound for dates) or today in the editor. Errors per field: empty required field
/// (采购单位, 时间, 地区, 姓名, 品种, 数量, 金额), unreadable value, unknown township, negative amount
/// (`销售金额为负数（-360.00元），不能导入；退货请另行说明`), implausible amount (over 10,000,000元),
/// date after `reference`. Warnings: those of the parsers, township-only 地区, cooperative count,
/// formula-like text, `?` in a name (`贫困户姓名含“?”，疑为编码丢失的生僻字，需核实`).
///
/// Bare numbers are in 元 and have no quantity unit; an importer whose header gives units uses
/// [`validate_sale_with_units`]. A `kind` of [`FormKind::Catalogue`] is validated like a sale.
pub fn validate_sale(
    draft: &SaleDraft,
    kind: FormKind,
    resolver: &RegionResolver,
    reference: Option<NaiveDate>,
) -> Result<SaleRecord, FieldErrors> {
    validate_sale_with_units(draft, kind, resolver, reference, &ColumnUnits::default())
}

/// Units the header (`销售数量（斤）`, `销售金额（万元）`) or a unit row gives to bare numbers in the
/// quantity and amount columns (import rules 1, 17). A unit written in a cell wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnUnits {
    /// The unit of bare quantities, e.g. `斤`; `None` when the header gives none.
    pub quantity: Option<String>,
    /// The unit of bare amounts (元 or 万元).
    pub amount: AmountUnit,
}

/// Amounts above this many 元 are implausible and rejected (import rule 9, `1e12`).
pub const MAX_PLAUSIBLE_AMOUNT_YUAN: i64 = 10_000_000;

/// [`validate_sale`] with the header's units for bare numbers. Same errors and warnings.
pub fn validate_sale_with_units(
    draft: &SaleDraft,
    kind: FormKind,
    resolver: &RegionResolver,
    reference: Option<NaiveDate>,
    units: &ColumnUnits,
) -> Result<SaleRecord, FieldErrors> {
    let region = region_outcome(&draft.region, resolver);
    validate_sale_in_region(draft, kind, region, reference, units)
}

/// What resolving a row's 地区 gives: the township and village with the warnings about how the
/// text is written (township only, county name, whole village, level), or the Chinese message of
/// why it names no township (`地区不能为空`, unknown township with a suggestion).
pub type RegionOutcome = Result<(ResolvedRegion, Vec<String>), String>;

/// Resolves a draft's 地区 `region` (as typed: cleaned here as the validators clean it) against
/// `resolver`. An importer keeps the outcome of each distinct text and validates its rows with
/// [`validate_sale_in_region`]: resolving is the costliest step of a row.
pub fn region_outcome(region: &str, resolver: &RegionResolver) -> RegionOutcome {
    let mut warnings = Vec::new();
    resolve_region(&clean_text(region), resolver, &mut warnings).map(|region| (region, warnings))
}

/// [`validate_sale_with_units`] with the draft's 地区 already resolved: `region` must be
/// [`region_outcome`] of `draft.region`.
pub fn validate_sale_in_region(
    draft: &SaleDraft,
    kind: FormKind,
    region: RegionOutcome,
    reference: Option<NaiveDate>,
    units: &ColumnUnits,
) -> Result<SaleRecord, FieldErrors> {
    let (date_col, qty_col, amt_col) = match kind {
        FormKind::Catalogue => FormKind::Sale.column_names(),
        other => other.column_names(),
    };
    let mut errors: FieldErrors = Vec::new();
    let mut warnings: Vec<String> = Vec::new();

    // 采购单位
    let purchaser = clean_words(&draft.purchaser);
    if purchaser.is_empty() {
        errors.push((SaleField::Purchaser, "采购单位不能为空".to_string()));
    }
    warnings.extend(several_purchasers_warning(&purchaser, &draft.purchaser));

    // 时间
    let date_text = clean_text(&draft.date);
    let mut date = None;
    if date_text.is_empty() {
        errors.push((SaleField::Date, format!("{date_col}不能为空")));
    } else {
        match ReportDate::parse(&date_text, reference) {
            Err(e) => errors.push((SaleField::Date, e.message)),
            Ok(parsed) => {
                let after_reference = reference.filter(|r| parsed.value.date > *r);
                if let Some(reference) = after_reference {
                    errors.push((
                        SaleField::Date,
                        format!(
                            "{date_col}{}晚于填报时间{}",
                            iso_date(&parsed.value),
                            reference.format("%Y-%m-%d")
                        ),
                    ));
                } else {
                    warnings.extend(
                        parsed
                            .warnings
                            .into_iter()
                            .map(|w| w.replacen("销售时间", date_col, 1)),
                    );
                    date = Some(parsed.value);
                }
            }
        }
    }

    // 地区
    let region_text = clean_text(&draft.region);
    let region = match region {
        Ok((region, region_warnings)) => {
            warnings.extend(region_warnings);
            Some(region)
        }
        Err(message) => {
            errors.push((SaleField::Region, message));
            None
        }
    };

    // 贫困户姓名
    let HouseholdFields {
        household,
        remark,
        involved,
    } = household_fields(&draft.household, &draft.remark, &mut warnings);
    if household.is_empty() {
        errors.push((SaleField::Household, EMPTY_HOUSEHOLD.to_string()));
    }

    // 产品品种
    let product = clean_text(&draft.product);
    if product.is_empty() {
        errors.push((SaleField::Product, "产品品种不能为空".to_string()));
    }
    warnings.extend(several_products_warning(&product));

    // 数量
    let quantity_text = clean_text(&draft.quantity);
    let mut quantity = None;
    if quantity_text.is_empty() {
        errors.push((SaleField::Quantity, format!("{qty_col}不能为空")));
    } else {
        let parse = |text: &str| Quantity::parse(text, units.quantity.as_deref(), qty_col);
        // `约30斤`, `30斤左右`: the figure, warned as not exact.
        let parsed = parse(&quantity_text).or_else(|error| {
            let figure = without_approximation(&quantity_text).ok_or_else(|| error.clone())?;
            let parsed = parse(figure).map_err(|_| error)?;
            warnings.push(format!(
                "{qty_col}“{quantity_text}”不是确切的数，按“{figure}”导入，请核实"
            ));
            Ok::<_, ParseError>(parsed)
        });
        match parsed {
            Err(e) => errors.push((SaleField::Quantity, e.message)),
            Ok(parsed) => {
                warnings.extend(parsed.warnings);
                if parsed.value.value.is_zero() {
                    warnings.push(format!("{qty_col}为0，需核实"));
                }
                if has_space_between_digits(&quantity_text) {
                    warnings.push(format!(
                        "{qty_col}“{quantity_text}”的数字中间有空格，按{}导入，请核实",
                        parsed.value
                    ));
                }
                quantity = Some(parsed.value);
            }
        }
    }

    // 金额
    let amount_text = clean_text(&draft.amount);
    let mut amount = None;
    if amount_text.is_empty() {
        errors.push((SaleField::Amount, format!("{amt_col}不能为空")));
    } else {
        match Money::parse(&amount_text, units.amount).or_else(|error| {
            // `360元（已付）`: a note in brackets after the amount.
            match amount_text.split_once(['(', '（']) {
                Some((amount, note))
                    if !amount.trim().is_empty()
                        && note.ends_with([')', '）'])
                        && !note.chars().any(|c| c.is_ascii_digit()) =>
                {
                    let money = Money::parse(amount, units.amount).map_err(|_| error)?;
                    warnings.push(format!(
                        "{amt_col}“{amount_text}”括号中的说明未导入，请核实"
                    ));
                    Ok(money)
                }
                _ => Err(error),
            }
        }) {
            Err(e) => errors.push((SaleField::Amount, e.message)),
            Ok(money) if money.is_negative() => errors.push((
                SaleField::Amount,
                format!("{amt_col}为负数（{money}元），不能导入；退货请另行说明"),
            )),
            Ok(money) if money > Money::from_fen(MAX_PLAUSIBLE_AMOUNT_YUAN * 100) => errors.push((
                SaleField::Amount,
                format!("{amt_col}{money}元超过1000万元，不合理，请核对"),
            )),
            Ok(money) => {
                if money == Money::ZERO {
                    warnings.push(format!("{amt_col}为0元，需核实"));
                }
                if has_space_between_digits(&amount_text) {
                    warnings.push(format!(
                        "{amt_col}“{amount_text}”的数字中间有空格，按{money}元导入，请核实"
                    ));
                }
                amount = Some(money);
            }
        }
    }

    // Formula-like text in any column (rule 10).
    for (label, text) in [
        ("采购单位", purchaser.as_str()),
        ("地区", region_text.as_str()),
        ("贫困户姓名", household.as_str()),
        ("产品品种", product.as_str()),
        ("备注", remark.as_str()),
    ] {
        warnings.extend(formula_warning(label, text));
    }

    match (date, region, quantity, amount) {
        (Some(date), Some(region), Some(quantity), Some(amount)) if errors.is_empty() => {
            Ok(SaleRecord {
                kind,
                purchaser,
                date,
                date_text,
                region_text,
                township_code: region.township_code,
                village: region.village,
                household,
                product,
                quantity,
                quantity_text,
                amount,
                amount_text,
                remark,
                involved,
                channel_override: None,
                warnings,
            })
        }
        _ => Err(errors),
    }
}

/// `2019-10-02`, or `2019-10` for month precision.
fn iso_date(date: &ReportDate) -> String {
    match date.precision {
        DatePrecision::Day => date.date.format("%Y-%m-%d").to_string(),
        DatePrecision::Month => date.date.format("%Y-%m").to_string(),
    }
}

/// The warning for a township-only 地区 (import rules 8, 10).
pub const TOWNSHIP_ONLY_WARNING: &str = "地区只填到乡镇，缺少村(社区)";

/// The figure of an approximate 销售数量 (`约30斤`, `大约 30斤`, `30斤左右`, `30斤上下` → `30斤`);
/// `None` when the text has no such word. Periodic (`每月`) and bounding (`以上`) words are not
/// stripped: a sale is no plan.
fn without_approximation(text: &str) -> Option<&str> {
    let (before, figure, after) = super::listing::without_words(
        text,
        &super::listing::APPROXIMATE_PREFIXES,
        &super::listing::APPROXIMATE_SUFFIXES,
    );
    let stripped = !before.trim().is_empty() || !after.trim().is_empty();
    (stripped && !figure.is_empty()).then_some(figure)
}

/// Whether a space (of any width) stands between two digits (`90 00`, `1 200元`, `3 0斤`): the
/// figure is read without it, but a clerk may have meant two figures.
fn has_space_between_digits(text: &str) -> bool {
    let half = super::text::to_half_width(text);
    let mut last_digit_before_space = false;
    let mut previous_was_digit = false;
    for c in half.chars() {
        if c.is_whitespace() {
            last_digit_before_space |= previous_was_digit;
            previous_was_digit = false;
        } else if c.is_ascii_digit() {
            if last_digit_before_space {
                return true;
            }
            previous_was_digit = true;
        } else {
            last_digit_before_space = false;
            previous_was_digit = false;
        }
    }
    false
}

/// Resolves 地区 (required); pushes the township-only warning. `Err` holds the Chinese message.
pub(super) fn resolve_region(
    region_text: &str,
    resolver: &RegionResolver,
    warnings: &mut Vec<String>,
) -> Result<ResolvedRegion, String> {
    if region_text.is_empty() {
        return Err("地区不能为空".to_string());
    }
    let region = resolver.resolve(region_text).map_err(|e| e.message)?;
    let whole_village = resolver.whole_village_warning(region_text, &region);
    if region.village.is_empty() {
        warnings.push(TOWNSHIP_ONLY_WARNING.to_string());
    } else if whole_village.is_none()
        && (super::region_text::is_group_only(&region.village)
            || super::region_text::is_named_group(&region.village))
    {
        // `泥溪镇3组`, `泥溪镇王家湾组`: the village between them is missing. (`双龙组`, read
        // as 双龙镇's place of that name, has its own warning.)
        warnings.push(format!("地区只写到组（{}），缺少村(社区)", region.village));
    }
    warnings.extend(resolver.county_name_warning(region_text, &region));
    warnings.extend(whole_village);
    warnings.extend(resolver.level_warning(region_text, &region));
    warnings.extend(several_villages_warning(region_text, &region.village));
    Ok(region)
}

/// The warning for a cell (`label`: its column) holding a number Excel wrote in scientific
/// notation (`1.39E+10`, [`super::text::scientific_number`]): the telephone or ID number it was
/// has lost its last digits, so the clerk writes it again. `None` for every other text.
pub(super) fn scientific_number_warning(label: &str, text: &str) -> Option<String> {
    super::text::scientific_number(text).map(|number| {
        format!("{label}“{number}”是被Excel改成科学计数法的号码，后几位已丢失：请重新填写完整号码")
    })
}

/// The 贫困户姓名 and 备注 of a row, as all three forms read them: the cleaned name and remark, and
/// for a cooperative (合作社) the poor households or persons its 备注 gives (import rule 11).
pub(super) struct HouseholdFields {
    pub household: String,
    pub remark: String,
    pub involved: Option<InvolvedCount>,
}

/// The error for an empty 贫困户姓名.
pub(super) const EMPTY_HOUSEHOLD: &str = "贫困户姓名不能为空";

/// Reads [`HouseholdFields`]; adds the name and cooperative warnings to `warnings` when the name is
/// not empty (an empty name is the caller's field error, [`EMPTY_HOUSEHOLD`]).
pub(super) fn household_fields(
    household_typed: &str,
    remark: &str,
    warnings: &mut Vec<String>,
) -> HouseholdFields {
    let household = household_typed;
    let mut remark = clean_text(remark);
    // `王成芳 13812345678`: the number goes to 备注, so the name matches the household's other
    // records and the number is kept exactly as typed.
    let number = super::text::split_contact_number(household);
    let typed = number
        .as_ref()
        .map_or(household, |number| number.name.as_str());
    // `刘光富 陈秀英`: the names stay apart (warned as several households below).
    let household = spaced_names(typed).unwrap_or_else(|| clean_name(typed));
    if let Some(number) = &number {
        let moved = if number.labelled {
            number.number.trim().to_string()
        } else {
            format!("{}：{}", number.kind, number.number.trim())
        };
        // A remark that already holds the number keeps it once.
        remark = if remark.is_empty() {
            moved
        } else if remark.contains(number.number.trim()) {
            remark
        } else {
            format!("{remark}；{moved}")
        };
        let what = match number.kind {
            "电话" => "电话号码",
            kind => kind,
        };
        warnings.push(format!(
            "贫困户姓名“{}”含{what}，已将号码移到备注",
            clean_text(household_typed)
        ));
    }
    if number.is_none() && super::text::is_number_alone(&household) {
        // `13812345678` in the name cell: kept as typed, for the clerk to add the name.
        warnings.push(format!("贫困户姓名“{household}”只有号码，没有姓名：请核实"));
    } else if number.is_none() && super::text::holds_a_number(household_typed) {
        // `王成芳 电话：13812345678 住3组`: other words or digits beside the number, so which
        // part is the name is the clerk's to say; kept as typed.
        warnings.push(format!(
            "贫困户姓名“{}”含号码，未能与姓名分开：请把号码移到备注",
            clean_text(household_typed)
        ));
    }
    warnings.extend(scientific_number_warning("贫困户姓名", household_typed));
    warnings.extend(scientific_number_warning("备注", &remark));
    if !household.is_empty() {
        warnings.extend(name_warning(&household));
        warnings.extend(cooperative_warning(&household, &remark));
        warnings.extend(several_households_warning(&household, typed));
    }
    let involved = if is_cooperative(&household) {
        parse_involved(&remark)
    } else {
        None
    };
    HouseholdFields {
        household,
        remark,
        involved,
    }
}

/// `贫困户姓名含“?”，疑为编码丢失的生僻字，需核实` when the name holds `?`, `？` or U+FFFD (what
/// a lost character becomes in another encoding).
fn name_warning(name: &str) -> Option<String> {
    name.chars()
        .find(|c| matches!(c, '?' | '？' | '\u{FFFD}'))
        .map(|c| format!("贫困户姓名含“{c}”，疑为编码丢失的生僻字，需核实"))
}

/// The warning for a 贫困户姓名 that names several households (`杜金凤、杜金花`, `杜金木等3户`,
/// and as `typed`, names of two or more characters apart by spaces: `刘光富 陈秀英`, which the
/// stored name runs together; `向　明` is one name): one record counts one household, so the
/// clerk checks it. A co-operative's name is one seller.
fn several_households_warning(household: &str, typed: &str) -> Option<String> {
    if is_cooperative(household) || names_one_family(household) {
        return None;
    }
    let listed =
        household.contains(NAME_SEPARATORS) && listed_items(household, &NAME_SEPARATORS).len() >= 2;
    let joined = joins_two(household, is_person_name);
    let spaced = spaced_names(typed);
    let household = match &spaced {
        Some(names) => names.as_str(),
        None => household,
    };
    let counted = household.split_once('等').is_some_and(|(_, rest)| {
        rest.ends_with(['户', '人'])
            && rest.chars().count() > 1
            && rest
                .chars()
                .take(rest.chars().count() - 1)
                .all(|c| c.is_ascii_digit() || super::text::is_chinese_numeral_char(c))
    });
    // `刘光富等`: and others.
    let and_others = household.ends_with('等') && household.chars().count() > 2;
    (listed || joined || counted || and_others || spaced.is_some()).then(|| {
        format!(
            "贫困户姓名“{household}”写了不止一户，已作为一条记录导入：请核实，宜每户一行（合作社请写合作社名称，并在备注中填涉及的贫困户户数，如“涉及贫困户5户”）"
        )
    })
}

/// Whether names end with a word saying they are one family (`刘光富、陈秀英夫妇`,
/// `刘光富/陈秀英（夫妻）`, `王德明、王小明（父子）`): one household, one buyer.
fn names_one_family(text: &str) -> bool {
    let text = text.trim_end_matches([')', '）']);
    FAMILY_WORDS.iter().any(|word| text.ends_with(word))
}

/// Words after names that make them one family ([`names_one_family`]).
const FAMILY_WORDS: [&str; 14] = [
    "夫妇",
    "夫妻",
    "两口子",
    "父子",
    "父女",
    "母子",
    "母女",
    "兄弟",
    "姐妹",
    "兄妹",
    "姐弟",
    "一家",
    "一户",
    "家庭",
];

/// Whether `text` reads as one person's name: two to four Chinese characters.
fn is_person_name(text: &str) -> bool {
    (2..=4).contains(&text.chars().count())
        && text.chars().all(|c| !c.is_ascii() && c.is_alphabetic())
}

/// Surnames of two characters, which a clerk may write apart from the given name (`欧阳 明明`).
const COMPOUND_SURNAMES: [&str; 24] = [
    "欧阳", "上官", "司马", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "令狐", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "申屠", "万俟",
];

/// Words that follow a name to say who the person is (`刘光富 户主`), not another person.
const RELATION_WORDS: [&str; 12] = [
    "户主", "本人", "之妻", "之夫", "妻子", "丈夫", "之子", "之女", "代领", "代售", "代办", "家属",
];

/// `刘光富 陈秀英` (names apart by spaces or line breaks, which the stored name would run
/// together): the names joined by `、`. `None` for one name written with spaces (`向　明`,
/// `欧阳 明明`, `刘光富 户主`, a name and a phone number).
fn spaced_names(typed: &str) -> Option<String> {
    // Most names have no space: nothing to split.
    if !typed.trim_matches(is_blank_char).contains(is_blank_char) {
        return None;
    }
    let words: Vec<&str> = typed
        .split(is_blank_char)
        .filter(|word| !word.is_empty())
        .collect();
    let one_person = words.len() == 2
        && (COMPOUND_SURNAMES.contains(&words[0]) || RELATION_WORDS.contains(&words[1]));
    let several = words.len() >= 2 && !one_person && words.iter().all(|word| is_person_name(word));
    several.then(|| words.join("、"))
}

/// Whether `text` is two names joined by 和, 及 or 与, each `named` (`县商务委和县教委`,
/// `三坪村和黎明村`): the word stands between two names, so one inside a name (`和平村`,
/// `云阳县农商行和平支行`, `及时雨超市`) joins nothing.
fn joins_two(text: &str, named: impl Fn(&str) -> bool) -> bool {
    text.char_indices()
        .filter(|(_, c)| JOINING_WORDS.contains(c))
        .filter(|(at, _)| {
            !WORDS_WITH_JOINING_CHARACTERS
                .iter()
                .any(|word| text[*at..].starts_with(word))
        })
        .any(|(at, c)| {
            let (before, after) = (&text[..at], &text[at + c.len_utf8()..]);
            named(before.trim()) && named(after.trim())
        })
}

/// Common words that start with 和 or 及 inside names (`和平`, `和美`, `及时`).
const WORDS_WITH_JOINING_CHARACTERS: [&str; 16] = [
    "和平", "和美", "和谐", "和顺", "和睦", "和泰", "和兴", "和盛", "和信", "和丰", "和鑫", "和源",
    "和悦", "和合", "和福", "及时",
];

/// The warning for a 地区 that names several villages (`泥溪镇石缸村、黎明村`,
/// `石缸村3组，黎明村2组`, `三坪村/黎明村`, `三坪村和黎明村`): the row is booked to one village of that name, which no village list
/// holds, and deep-poverty villages are told by their name. Several groups of one village
/// (`三坪村1、2组`), an address after the village (`三坪村，王家湾`) and a list in brackets
/// (`三坪村（原黎明村、红岩村合并）`) name one village: warned only when two or more of the
/// listed items are villages' names ([`names_a_village`]).
fn several_villages_warning(region_text: &str, village: &str) -> Option<String> {
    // Each listed item names no village, one, or two joined by 和 / 及 / 与; a remark in
    // brackets after it (`黎明村(重复)`) is not part of its name.
    let villages = |text: &str, separators: &[char]| {
        listed_items(text, separators)
            .into_iter()
            .map(super::text::to_half_width)
            .map(|item| {
                let item = super::region_text::trailing_bracketed(&item)
                    .map_or(item.as_str(), |(before, _)| before);
                if joins_two(item, names_a_village) {
                    2
                } else {
                    usize::from(names_a_village(item))
                }
            })
            .sum::<usize>()
    };
    // `三坪村、黎明村等`, `三坪村等3个村`: the list says it goes on.
    let goes_on = village.contains('等')
        && (village.ends_with('等') || village.ends_with("个村") || village.ends_with("个社区"));
    let listed = village.contains(VILLAGE_SEPARATORS) || village.contains(JOINING_WORDS);
    let listed = listed && villages(village, &VILLAGE_SEPARATORS) >= 2;
    // `泥溪镇三坪村 黎明村`: names apart by spaces or line breaks, which the village lost.
    let spaced = region_text.chars().any(is_blank_char) && {
        let words: Vec<&str> = region_text.split(is_blank_char).collect();
        villages(&words.join("、"), &['、']) >= 2
    };
    // `三坪村（含黎明村）`, `三坪村(包括黎明村、红岩村)`: the bracket adds villages to the one before
    // it (not `三坪村（原黎明村、红岩村合并）`, one village under its former names).
    let included = {
        let half_width = super::text::to_half_width(village);
        super::region_text::trailing_bracketed(&half_width).is_some_and(|(before, inside)| {
            let added = ["含", "包括", "包含", "另含", "另有", "以及", "及", "和"]
                .iter()
                .find_map(|word| inside.strip_prefix(word));
            names_a_village(before.trim_end_matches(is_blank_char))
                && added.is_some_and(|added| villages(added, &VILLAGE_SEPARATORS) >= 1)
        })
    };
    (listed || spaced || goes_on || included).then(|| {
        format!(
            "地区“{region_text}”写了不止一个村（{village}），已作为一个村导入：请核实，宜每个村一行"
        )
    })
}

/// Whether a listed item is a village's name: it ends in 村 (at least two characters) or 社区, once
/// a group number is taken off (`石缸村3组`, `黎明村五社`). `2组`, `王家湾`, `村委会旁` and a group
/// named like a village (`新村组`: the group 新村, no number) are not.
fn names_a_village(item: &str) -> bool {
    let is_number = |c: char| c.is_ascii_digit() || super::text::is_chinese_numeral_char(c);
    let name = match item.strip_suffix(['组', '社', '队']) {
        Some(group) => {
            let name = group.trim_end_matches(is_number);
            if name.len() == group.len() {
                return false;
            }
            name
        }
        None => item.trim_end_matches(is_number),
    };
    (name.ends_with('村') && name.chars().count() >= 2) || name.ends_with("社区")
}

/// The warning for a 采购单位 that names several buyers (`县商务委、县教委`): they become one
/// purchaser of that name, whose channel no one has set. Warned only when every listed item ends
/// like the name of a body ([`BODY_NAME_ENDINGS`]), also when joined by `/`, 和, 与 or 及
/// (`县商务委和县教委`): `云阳县1、2号食堂`, `惠民超市（A、B店）`, `云阳县和平超市` and
/// `Trade Co., Ltd.` name one buyer.
fn several_purchasers_warning(purchaser: &str, typed: &str) -> Option<String> {
    if names_one_family(purchaser) {
        return None;
    }
    let body = |item: &str| item.chars().count() >= 2 && item.ends_with(BODY_NAME_ENDINGS);
    // `张三/李四`: people buying for themselves, each a buyer (not `县教委/后勤处`, `食堂/超市`).
    let person = |item: &str| is_person_name(item) && !body(item) && !is_part_of_a_body(item);
    let listed = purchaser.contains(PURCHASER_SEPARATORS) && {
        let items = listed_items(purchaser, &PURCHASER_SEPARATORS);
        items.len() >= 2
            && ((items.iter().all(|item| body(item))
                && !items.iter().skip(1).all(|item| is_part_of_a_body(item)))
                || items.iter().all(|item| person(item)))
    };
    let joined = joins_two(purchaser, body);
    // `县商务委 县教委`: names apart by a space, which the stored name runs together.
    let spaced = typed.trim_matches(is_blank_char).contains(is_blank_char) && {
        let words: Vec<&str> = typed
            .split(is_blank_char)
            .filter(|word| !word.is_empty())
            .collect();
        words.len() >= 2
            && ((words.iter().all(|word| body(word))
                && !words.iter().skip(1).all(|word| is_part_of_a_body(word)))
                || words.iter().all(|word| person(word)))
    };
    (listed || joined || spaced).then(|| {
        // Names apart by a space are quoted as typed: the stored name runs them together.
        let shown = if spaced {
            clean_text(typed)
        } else {
            purchaser.to_string()
        };
        format!("采购单位“{shown}”写了不止一个单位，已作为一个采购单位导入：请核实，宜每个单位一行")
    })
}

/// Whether a listed buyer is a part of the one before it (`云阳县第一中学/高中部`,
/// `县财政局/办公室`, `云阳中学、教师食堂`, `县公安局/双江派出所`): a short name (at most 6
/// characters) ending like a department ([`PART_NAME_ENDINGS`]) that does not start with a
/// place (`县`, `云阳县`, `重庆`).
fn is_part_of_a_body(item: &str) -> bool {
    item.chars().count() <= 6
        && PART_NAME_ENDINGS
            .iter()
            .any(|ending| item.ends_with(ending))
        && !["县", "云阳县", "重庆"]
            .iter()
            .any(|place| item.starts_with(place))
}

/// Last characters of a department's name: the part of a body that buys for it.
const PART_NAME_ENDINGS: [&str; 22] = [
    "部",
    "支队",
    "派出所",
    "分院",
    "分局",
    "服务中心",
    "委员会",
    "营业所",
    "营业部",
    "处",
    "科",
    "室",
    "食堂",
    "分校",
    "校区",
    "分店",
    "分公司",
    "车间",
    "工会",
    "支行",
    "大队",
    "中队",
];

/// Last characters of the name of a body that buys (委, 局, 公司, 超市, 中学, 中心, 食堂 …).
const BODY_NAME_ENDINGS: [char; 28] = [
    '委', '局', '办', '院', '校', '学', '司', '市', '心', '部', '会', '站', '所', '社', '厂', '店',
    '行', '队', '团', '馆', '处', '室', '堂', '府', '场', '厅', '园', '联',
];

/// What separates the items of a list typed into one cell: 顿号, commas and semicolons (half and
/// full width).
const LIST_SEPARATORS: [char; 5] = ['、', '，', ',', '；', ';'];

/// What separates buyers listed in one 采购单位: the list separators and a slash. The words 和,
/// 与 and 及 join two buyers too ([`joins_two`]).
const PURCHASER_SEPARATORS: [char; 6] = ['、', '，', ',', '；', ';', '/'];

/// What separates villages listed in one 地区 (`三坪村/黎明村`): the list separators, a slash,
/// plus, bar and tilde. The words 和, 及 and 与 join two villages too ([`joins_two`]).
const VILLAGE_SEPARATORS: [char; 11] = ['、', '，', ',', '；', ';', '/', '+', '＋', '|', '~', '～'];

/// The words that join two villages' names (`三坪村和黎明村`); names hold them too (`和平村`).
const JOINING_WORDS: [char; 3] = ['和', '及', '与'];

/// The same for a list of names (`刘光富/陈秀英`), where a slash separates too.
const NAME_SEPARATORS: [char; 6] = ['、', '，', ',', '；', ';', '/'];

/// The warning for a 产品品种 that names several products (`土豆、红薯`, not `腊肉（含香肠、排骨）`):
/// the quantity and amount cannot be told apart by product, and no catalogue price fits the row.
pub(super) fn several_products_warning(product: &str) -> Option<String> {
    if !product.contains(LIST_SEPARATORS) {
        return None;
    }
    (listed_items(product, &LIST_SEPARATORS).len() >= 2).then(|| {
        format!("产品品种“{product}”写了不止一种产品，已作为一条记录导入：请核实，宜每种产品一行")
    })
}

/// The warning for formula-like text (import rule 10), naming the column.
pub(super) fn formula_warning(label: &str, text: &str) -> Option<String> {
    is_formula_like(text)
        .then(|| format!("{label}“{text}”以=、+、-或@开头，形似公式，已按原文保存，需核实"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Township;

    fn resolver() -> RegionResolver {
        RegionResolver::from_csv(include_str!("../../assets/townships.csv")).unwrap()
    }

    fn reference() -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2019, 9, 30)
    }

    fn draft() -> SaleDraft {
        SaleDraft {
            purchaser: "云阳县青松中学".into(),
            date: "2019.9.1".into(),
            region: "云阳县泥溪镇三坪村".into(),
            household: "刘光富".into(),
            product: "土豆".into(),
            quantity: "30斤".into(),
            amount: "90元".into(),
            remark: String::new(),
        }
    }

    fn errors_of(result: Result<SaleRecord, FieldErrors>) -> FieldErrors {
        match result {
            Err(errors) => errors,
            Ok(record) => panic!("expected errors, got {record:?}"),
        }
    }

    #[test]
    fn clean_row_validates_with_its_typed_text() {
        let record = validate_sale(&draft(), FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(record.kind, FormKind::Sale);
        assert_eq!(record.purchaser, "云阳县青松中学");
        assert_eq!(
            record.date.date,
            NaiveDate::from_ymd_opt(2019, 9, 1).unwrap()
        );
        assert_eq!(record.date_text, "2019.9.1");
        assert_eq!(record.region_text, "云阳县泥溪镇三坪村");
        assert_eq!(record.township_code, "500235139");
        assert_eq!(record.village, "三坪村");
        assert_eq!(record.household, "刘光富");
        assert_eq!(record.quantity.to_string(), "30斤");
        assert_eq!(record.quantity_text, "30斤");
        assert_eq!(record.amount, Money::from_fen(9000));
        assert_eq!(record.amount_text, "90元");
        assert_eq!(record.involved, None);
        assert_eq!(record.channel_override, None);
        assert!(record.warnings.is_empty(), "{:?}", record.warnings);
    }

    #[test]
    fn the_sample_formats_validate() {
        // (quantity, amount, 斤, fen, warnings) as in sample 05.
        type Case<'a> = (&'a str, &'a str, Option<i64>, i64, &'a [&'a str]);
        let cases: &[Case] = &[
            ("30斤", "90元", Some(30), 9000, &[]),
            ("30", "90", None, 9000, &["销售数量缺少单位"]),
            ("30 斤", "¥90.00", Some(30), 9000, &[]),
            ("30公斤", "180", Some(60), 18000, &[]),
            ("1.5吨", "0.9万元", Some(3000), 900000, &[]),
            ("三十斤", "九十元", Some(30), 9000, &[]),
            ("３０斤", "90元", Some(30), 9000, &[]),
            ("30斤×2袋", "180元", Some(60), 18000, &[]),
            ("2头", "1,200.00", None, 120000, &[]),
            ("36.2斤", "90.5元", None, 9050, &[]),
            ("30斤", "90块", Some(30), 9000, &[]),
            (
                "0.015t",
                "90 00",
                Some(30),
                900000,
                &["销售金额“90 00”的数字中间有空格，按9000.00元导入，请核实"],
            ),
            (
                "30（斤）",
                "1\u{3000}200元",
                Some(30),
                120000,
                &["销售金额“1\u{3000}200元”的数字中间有空格，按1200.00元导入，请核实"],
            ),
            ("30斤", " 90元 ", Some(30), 9000, &[]),
            ("30斤", "¥ 90", Some(30), 9000, &[]),
            ("0斤", "90元", Some(0), 9000, &["销售数量为0，需核实"]),
            (
                "3 0斤",
                "90元",
                Some(30),
                9000,
                &["销售数量“3 0斤”的数字中间有空格，按30斤导入，请核实"],
            ),
            (
                "约30斤",
                "90元",
                Some(30),
                9000,
                &["销售数量“约30斤”不是确切的数，按“30斤”导入，请核实"],
            ),
            (
                "30斤左右",
                "90元",
                Some(30),
                9000,
                &["销售数量“30斤左右”不是确切的数，按“30斤”导入，请核实"],
            ),
        ];
        for (quantity, amount, jin, fen, warnings) in cases {
            let d = SaleDraft {
                quantity: quantity.to_string(),
                amount: amount.to_string(),
                ..draft()
            };
            let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
            if let Some(jin) = jin {
                assert_eq!(
                    record.quantity.in_jin(),
                    Some(rust_decimal::Decimal::from(*jin)),
                    "{quantity}"
                );
            }
            assert_eq!(record.amount, Money::from_fen(*fen), "{amount}");
            assert_eq!(
                record.warnings,
                warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>()
            );
            assert_eq!(record.quantity_text, *quantity);
        }
    }

    #[test]
    fn negative_amount_is_a_row_error() {
        let d = SaleDraft {
            amount: "-360元".into(),
            remark: "退货冲减".into(),
            ..draft()
        };
        let errors = errors_of(validate_sale(&d, FormKind::Sale, &resolver(), reference()));
        assert_eq!(
            errors,
            vec![(
                SaleField::Amount,
                "销售金额为负数（-360.00元），不能导入；退货请另行说明".to_string()
            )]
        );
        let errors = errors_of(validate_sale(
            &d,
            FormKind::Procurement,
            &resolver(),
            reference(),
        ));
        assert_eq!(
            errors,
            vec![(
                SaleField::Amount,
                "采购金额为负数（-360.00元），不能导入；退货请另行说明".to_string()
            )]
        );
    }

    #[test]
    fn implausible_and_unreadable_amounts_are_errors() {
        for amount in ["1e12", "1000000000000", "10000000.01"] {
            let d = SaleDraft {
                amount: amount.into(),
                ..draft()
            };
            let errors = errors_of(validate_sale(&d, FormKind::Sale, &resolver(), reference()));
            assert_eq!(errors.len(), 1, "{amount}");
            assert_eq!(errors[0].0, SaleField::Amount);
            assert!(
                errors[0].1.contains("超过1000万元"),
                "{amount}: {}",
                errors[0].1
            );
        }
        let d = SaleDraft {
            amount: "10000000".into(),
            ..draft()
        };
        assert!(validate_sale(&d, FormKind::Sale, &resolver(), reference()).is_ok());
        let d = SaleDraft {
            amount: "1.005元".into(),
            ..draft()
        };
        let errors = errors_of(validate_sale(&d, FormKind::Sale, &resolver(), reference()));
        assert_eq!(errors[0].0, SaleField::Amount);
        assert!(errors[0].1.contains("精确到分以下"));
        let d = SaleDraft {
            amount: "0".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(record.warnings, vec!["销售金额为0元，需核实".to_string()]);
    }

    #[test]
    fn date_after_reference_is_an_error() {
        let d = SaleDraft {
            date: "2019-10-02".into(),
            ..draft()
        };
        let errors = errors_of(validate_sale(&d, FormKind::Sale, &resolver(), reference()));
        assert_eq!(
            errors,
            vec![(
                SaleField::Date,
                "销售时间2019-10-02晚于填报时间2019-09-30".to_string()
            )]
        );
        let d = SaleDraft {
            date: "2019.10".into(),
            ..draft()
        };
        let errors = errors_of(validate_sale(
            &d,
            FormKind::Procurement,
            &resolver(),
            reference(),
        ));
        assert_eq!(
            errors,
            vec![(
                SaleField::Date,
                "采购时间2019-10晚于填报时间2019-09-30".to_string()
            )]
        );
        // The reference day itself is fine; without a reference there is no bound.
        let d = SaleDraft {
            date: "2019年9月30日".into(),
            ..draft()
        };
        assert!(validate_sale(&d, FormKind::Sale, &resolver(), reference()).is_ok());
        let d = SaleDraft {
            date: "2019-10-02".into(),
            ..draft()
        };
        assert!(validate_sale(&d, FormKind::Sale, &resolver(), None).is_ok());
    }

    #[test]
    fn date_forms_take_the_reference_year_and_warn() {
        let d = SaleDraft {
            date: "9月1日".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(
            record.date.date,
            NaiveDate::from_ymd_opt(2019, 9, 1).unwrap()
        );
        let d = SaleDraft {
            date: "2019.9".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Procurement, &resolver(), reference()).unwrap();
        assert_eq!(record.warnings, vec!["采购时间只精确到月".to_string()]);
        let d = SaleDraft {
            date: "2019.1".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(
            record.warnings,
            vec!["日期“2019.1”含义不明（1月还是10月？），请核实".to_string()]
        );
        let d = SaleDraft {
            date: "2019.2.30".into(),
            ..draft()
        };
        let errors = errors_of(validate_sale(&d, FormKind::Sale, &resolver(), reference()));
        assert_eq!(
            errors,
            vec![(SaleField::Date, "日期“2019.2.30”不存在，请核对".to_string())]
        );
        let d = SaleDraft {
            date: "9月1日".into(),
            ..draft()
        };
        let errors = errors_of(validate_sale(&d, FormKind::Sale, &resolver(), None));
        assert_eq!(errors[0].0, SaleField::Date);
    }

    #[test]
    fn empty_required_fields_give_one_error_each() {
        let errors = errors_of(validate_sale(
            &SaleDraft::default(),
            FormKind::Sale,
            &resolver(),
            reference(),
        ));
        let expected = vec![
            (SaleField::Purchaser, "采购单位不能为空".to_string()),
            (SaleField::Date, "销售时间不能为空".to_string()),
            (SaleField::Region, "地区不能为空".to_string()),
            (SaleField::Household, "贫困户姓名不能为空".to_string()),
            (SaleField::Product, "产品品种不能为空".to_string()),
            (SaleField::Quantity, "销售数量不能为空".to_string()),
            (SaleField::Amount, "销售金额不能为空".to_string()),
        ];
        assert_eq!(errors, expected);
        let blank = SaleDraft {
            purchaser: "\u{3000}".into(),
            ..draft()
        };
        let errors = errors_of(validate_sale(
            &blank,
            FormKind::Procurement,
            &resolver(),
            reference(),
        ));
        assert_eq!(
            errors,
            vec![(SaleField::Purchaser, "采购单位不能为空".to_string())]
        );
        let errors = errors_of(validate_sale(
            &SaleDraft {
                quantity: String::new(),
                date: " ".into(),
                ..draft()
            },
            FormKind::Procurement,
            &resolver(),
            reference(),
        ));
        assert_eq!(
            errors,
            vec![
                (SaleField::Date, "采购时间不能为空".to_string()),
                (SaleField::Quantity, "采购数量不能为空".to_string()),
            ]
        );
    }

    #[test]
    fn several_bad_fields_are_all_reported() {
        let d = SaleDraft {
            date: "昨天".into(),
            region: "泥西镇三坪村".into(),
            quantity: "很多".into(),
            amount: "九十多元".into(),
            ..draft()
        };
        let errors = errors_of(validate_sale(&d, FormKind::Sale, &resolver(), reference()));
        let fields: Vec<SaleField> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            vec![
                SaleField::Date,
                SaleField::Region,
                SaleField::Quantity,
                SaleField::Amount
            ]
        );
        assert_eq!(
            errors[1].1,
            "无法识别地区“泥西镇三坪村”中的乡镇（是否为“泥溪镇”？）"
        );
        assert!(errors[3].1.contains("九十多元"));
    }

    #[test]
    fn region_warnings_and_resolution() {
        let d = SaleDraft {
            region: "泥溪镇".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(record.village, "");
        assert_eq!(
            record.warnings,
            vec!["地区只填到乡镇，缺少村(社区)".to_string()]
        );
        let d = SaleDraft {
            region: "云阳县云阳镇三坪村".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(record.township_code, "500235135");
        let empty = RegionResolver::new(Vec::<Township>::new());
        let errors = errors_of(validate_sale(&draft(), FormKind::Sale, &empty, reference()));
        assert_eq!(errors[0].0, SaleField::Region);
    }

    #[test]
    fn a_number_in_the_household_cell_goes_to_the_remark() {
        let mut warnings = Vec::new();
        let fields = household_fields("王成芳 13812345678", "自提", &mut warnings);
        assert_eq!(fields.household, "王成芳");
        assert_eq!(fields.remark, "自提；电话：13812345678");
        assert_eq!(
            warnings,
            ["贫困户姓名“王成芳 13812345678”含电话号码，已将号码移到备注"]
        );
        let mut warnings = Vec::new();
        let fields = household_fields("王成芳（身份证号500235198001011234）", "", &mut warnings);
        assert_eq!(
            (fields.household.as_str(), fields.remark.as_str()),
            ("王成芳", "身份证号：500235198001011234")
        );
        assert!(warnings[0].contains("含身份证号"));
        // An ID number and a telephone number, each labelled, move with their labels.
        let mut warnings = Vec::new();
        let fields = household_fields(
            "谭光荣 身份证500235196506121234 电话13812345678",
            "",
            &mut warnings,
        );
        assert_eq!(
            (fields.household.as_str(), fields.remark.as_str()),
            ("谭光荣", "身份证500235196506121234 电话13812345678")
        );
        // A cooperative keeps its count of households from 备注.
        let mut warnings = Vec::new();
        let fields = household_fields(
            "云阳县红星种植专业合作社 13812345678",
            "涉及贫困户5户",
            &mut warnings,
        );
        assert_eq!(fields.household, "云阳县红星种植专业合作社");
        assert_eq!(fields.remark, "涉及贫困户5户；电话：13812345678");
        assert!(fields.involved.is_some());
        let mut warnings = Vec::new();
        let fields = household_fields("王成芳 13812345678", "电话：13812345678", &mut warnings);
        assert_eq!(fields.remark, "电话：13812345678");
        let mut warnings = Vec::new();
        let fields = household_fields("电话：13812345678", "", &mut warnings);
        assert_eq!(fields.household, "电话：13812345678");
        assert_eq!(
            warnings,
            ["贫困户姓名“电话：13812345678”只有号码，没有姓名：请核实"]
        );
        // A number with other words beside it stays in the name, warned.
        let mut warnings = Vec::new();
        let fields = household_fields("王成芳 电话：13812345678 住3组", "", &mut warnings);
        assert_eq!(fields.remark, "");
        assert_eq!(
            warnings,
            ["贫困户姓名“王成芳 电话：13812345678 住3组”含号码，未能与姓名分开：请把号码移到备注"]
        );
        let mut warnings = Vec::new();
        household_fields("杜金木等3户", "", &mut warnings);
        assert!(warnings.iter().all(|w| !w.contains("号码")), "{warnings:?}");
        let mut warnings = Vec::new();
        assert_eq!(household_fields("王成芳", "", &mut warnings).remark, "");
        assert!(warnings.is_empty());
    }

    #[test]
    fn household_and_cooperative_warnings() {
        let d = SaleDraft {
            household: "?永红".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(
            record.warnings,
            vec!["贫困户姓名含“?”，疑为编码丢失的生僻字，需核实".to_string()]
        );
        let d = SaleDraft {
            household: "向\u{3000}明".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(record.household, "向明");
        let d = SaleDraft {
            household: "𠮷永福".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(record.household, "\u{20BB7}永福");
        assert!(record.warnings.is_empty());

        let coop = "红狮镇铁佛村生态养殖专业合作社";
        let cases: &[(&str, Option<InvolvedCount>, &[&str])] = &[
            ("涉及贫困户12户", Some(InvolvedCount::Households(12)), &[]),
            ("涉及8户贫困户", Some(InvolvedCount::Households(8)), &[]),
            ("涉及贫困户十户", Some(InvolvedCount::Households(10)), &[]),
            (
                "带动贫困户12人",
                Some(InvolvedCount::Persons(12)),
                &["备注为“带动贫困户12人”：人数不是户数，需核实户数"],
            ),
            ("", None, &["合作社未填写涉及贫困户户数"]),
        ];
        for (remark, involved, warnings) in cases {
            let d = SaleDraft {
                household: coop.into(),
                remark: remark.to_string(),
                ..draft()
            };
            let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
            assert_eq!(record.involved, *involved, "{remark}");
            assert_eq!(
                record.warnings,
                warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>()
            );
        }
        // A person's 备注 with a count is not a cooperative count.
        let d = SaleDraft {
            remark: "涉及贫困户12户".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(record.involved, None);
    }

    #[test]
    fn formula_like_text_is_warned() {
        let d = SaleDraft {
            purchaser: "=HYPERLINK(\"x\")".into(),
            remark: "@备注".into(),
            ..draft()
        };
        let record = validate_sale(&d, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(record.warnings.len(), 2, "{:?}", record.warnings);
        assert!(record.warnings[0].starts_with("采购单位“=HYPERLINK(\"x\")”"));
        assert!(record.warnings[1].starts_with("备注“@备注”"));
        assert!(record.warnings.iter().all(|w| w.contains("形似公式")));
    }

    #[test]
    fn header_units_apply_to_bare_numbers() {
        let units = ColumnUnits {
            quantity: Some("斤".into()),
            amount: AmountUnit::WanYuan,
        };
        let d = SaleDraft {
            quantity: "30".into(),
            amount: "0.0215".into(),
            ..draft()
        };
        let record =
            validate_sale_with_units(&d, FormKind::Sale, &resolver(), reference(), &units).unwrap();
        assert_eq!(record.quantity.unit.as_deref(), Some("斤"));
        assert_eq!(record.amount, Money::from_fen(21500));
        assert!(record.warnings.is_empty(), "{:?}", record.warnings);
        // A unit in the cell wins.
        let d = SaleDraft {
            quantity: "30公斤".into(),
            amount: "90元".into(),
            ..draft()
        };
        let record =
            validate_sale_with_units(&d, FormKind::Sale, &resolver(), reference(), &units).unwrap();
        assert_eq!(record.quantity.unit.as_deref(), Some("公斤"));
        assert_eq!(record.amount, Money::from_fen(9000));
    }
    /// `360元（已付）`: the amount is read and the note reported; a bracket holding a figure is
    /// still an error.
    #[test]
    fn a_note_in_brackets_after_the_amount_is_reported() {
        let with_amount = |amount: &str| SaleDraft {
            amount: amount.into(),
            ..draft()
        };
        let record = validate_sale(
            &with_amount("360元（已付）"),
            FormKind::Sale,
            &resolver(),
            reference(),
        )
        .unwrap();
        assert_eq!(record.amount.to_fen(), 36000);
        assert_eq!(
            record.warnings,
            ["销售金额“360元（已付）”括号中的说明未导入，请核实"]
        );
        let errors = errors_of(validate_sale(
            &with_amount("360元（含运费10元）"),
            FormKind::Sale,
            &resolver(),
            reference(),
        ));
        assert_eq!(errors[0].0, SaleField::Amount);
    }

    /// A 贫困户姓名 naming several households, or a 产品品种 naming several products, is imported
    /// as one record with a warning; a co-operative's name and a name with 等 in it are not.
    #[test]
    fn several_households_or_products_in_one_cell_are_flagged() {
        for (name, flagged) in [
            ("杜金凤、杜金花", true),
            ("刘光富/陈秀英", true),
            ("杜金凤（含丈夫、儿子）", false),
            ("杜金木等3户", true),
            ("杜金木等三户", true),
            ("杜金木", false),
            ("等待", false),
            ("云阳县三坪村种养殖专业合作社", false),
        ] {
            assert_eq!(
                several_households_warning(name, name).is_some(),
                flagged,
                "{name}"
            );
        }
        assert!(several_products_warning("土豆、红薯").is_some());
        assert!(several_products_warning("土豆").is_none());
    }

    /// A 地区 naming several villages, or a 采购单位 naming several buyers, is imported as one
    /// with a warning each; one village and one buyer are not warned.
    #[test]
    fn several_villages_or_purchasers_in_one_cell_are_flagged() {
        let mut listed = draft();
        listed.region = "云阳县泥溪镇石缸村、黎明村".into();
        listed.purchaser = "县商务委、县教委".into();
        let record = validate_sale(&listed, FormKind::Sale, &resolver(), reference()).unwrap();
        assert_eq!(record.village, "石缸村、黎明村");
        assert_eq!(record.purchaser, "县商务委、县教委");
        let warned = |part: &str| record.warnings.iter().filter(|w| w.contains(part)).count();
        assert_eq!(
            warned("写了不止一个村（石缸村、黎明村）"),
            1,
            "{:?}",
            record.warnings
        );
        assert_eq!(warned("采购单位“县商务委、县教委”写了不止一个单位"), 1);

        let one = validate_sale(&draft(), FormKind::Sale, &resolver(), reference()).unwrap();
        assert!(one.warnings.is_empty(), "{:?}", one.warnings);

        // One village, one buyer, one product, written with a list inside (a tester's cells).
        for village in [
            "三坪村1、2组",
            "三坪村3组、5组",
            "三坪村一、二社",
            "三坪村，王家湾",
            "滨江社区，滨江路88号",
            "三坪村（原黎明村、红岩村合并）",
            "三坪村（含3组、5组）",
            "三坪村（含王家湾）",
            "和平组（含新村组）",
        ] {
            assert!(
                several_villages_warning(village, village).is_none(),
                "{village}"
            );
        }
        assert!(several_villages_warning("三坪村，村委会旁", "三坪村，村委会旁").is_none());
        // Names apart by a space or a line break, which the resolved village lost.
        assert!(several_villages_warning("泥溪镇三坪村 黎明村", "三坪村黎明村").is_some());
        assert!(several_villages_warning("泥溪镇三坪村\n黎明村", "三坪村黎明村").is_some());
        assert!(several_villages_warning("泥溪镇 三坪村 3组", "三坪村3组").is_none());
        assert!(several_villages_warning("云阳县 泥溪镇　三坪村", "三坪村").is_none());
        // A group named like a village, a village whose name holds 和, a group after a slash.
        for village in [
            "三坪村，新村组",
            "三坪村、新村组",
            "和平村",
            "和平村3组",
            "三坪村/3组",
            "三坪村和平组",
            "黎明村和平安组",
            "新和村",
        ] {
            assert!(
                several_villages_warning(village, village).is_none(),
                "{village}"
            );
        }
        for village in [
            "三坪村/黎明村",
            "三坪村和黎明村",
            "三坪村及黎明村",
            "和平村、黎明村",
            "三坪村与黎明村",
            "三坪村+黎明村",
            "三坪村|黎明村",
            "三坪村、黎明村等",
            "三坪村等3个村",
            "和平村和新和村",
            "和平村、新和村",
            "太和村和永和村",
            "新和村及和平村",
            "三坪村和黎明村和红岩村",
            "三坪村、黎明村(重复)",
            "三坪村（重复）、黎明村（2组）",
            "三坪村（含黎明村）",
            "三坪村(包括黎明村、红岩村)",
            "三坪村3组（及黎明村2组）",
        ] {
            assert!(
                several_villages_warning(village, village).is_some(),
                "{village}"
            );
        }
        assert!(several_villages_warning("石缸村3组，黎明村2组", "石缸村3组，黎明村2组").is_some());
        // A department after its body, apart by a space, is one buyer too.
        for (stored, typed) in [
            ("双江小学食堂", "双江小学 食堂"),
            ("县人民医院工会", "县人民医院 工会"),
        ] {
            assert!(
                several_purchasers_warning(stored, typed).is_none(),
                "{typed}"
            );
        }
        // Names of one family are one household.
        for family in [
            "刘光富、陈秀英夫妇",
            "刘光富/陈秀英（夫妻）",
            "王德明、王小明(父子)",
        ] {
            assert!(
                several_households_warning(family, family).is_none(),
                "{family}"
            );
        }
        assert!(several_households_warning("刘光富、陈秀英", "刘光富、陈秀英").is_some());
        assert!(several_villages_warning("石村、滨江社区", "石村、滨江社区").is_some());
        for purchaser in [
            "云阳县1、2号食堂",
            "农贸市场A区3、4号摊位",
            "云阳县惠民超市（A、B店）",
            "Yunyang Trade Co., Ltd.",
            "重庆三峡农业、旅游发展有限公司",
        ] {
            assert!(
                several_purchasers_warning(purchaser, purchaser).is_none(),
                "{purchaser}"
            );
        }
        assert!(
            several_purchasers_warning("云阳县商务委员会，县教委", "云阳县商务委员会，县教委")
                .is_some()
        );
        // A department after its body is one buyer; another body after it is not.
        for purchaser in [
            "云阳县第一中学/高中部",
            "县财政局/办公室",
            "云阳中学、教师食堂",
            "云阳县惠民超市/北城分店",
            "云阳县第一中学/工会",
            "重庆三峡银行/云阳支行",
            "云阳县公安局/交巡警大队",
        ] {
            assert!(
                several_purchasers_warning(purchaser, purchaser).is_none(),
                "{purchaser}"
            );
        }
        for purchaser in [
            "云阳县第一中学/县教委",
            "云阳县第一中学/高中部、县商务委",
            "县财政局/县人武部",
        ] {
            assert!(
                several_purchasers_warning(purchaser, purchaser).is_some(),
                "{purchaser}"
            );
        }
        assert!(several_purchasers_warning("县商务委和县教委", "县商务委和县教委").is_some());
        assert!(several_purchasers_warning("县商务委/县教委", "县商务委/县教委").is_some());
        for one in [
            "云阳县和平超市",
            "和美超市",
            "云阳县人和中学",
            "惠民超市A/B店",
            "云阳县农商行和平支行",
            "云阳县邮政局和平营业所",
            "及时雨超市",
        ] {
            assert!(several_purchasers_warning(one, one).is_none(), "{one}");
        }
        // People buying for themselves, listed; a body's part or two shops are not people.
        for (typed, stored) in [
            ("张三/李四", "张三/李四"),
            ("王成芳、刘光富", "王成芳、刘光富"),
            ("张三 李四", "张三李四"),
        ] {
            assert!(
                several_purchasers_warning(stored, typed).is_some(),
                "{typed}"
            );
        }
        for one in [
            "县教委/后勤处",
            "食堂/小卖部",
            "张三",
            "欧阳明明",
            "张三、李四夫妇",
            "云阳县公安局/交巡警支队",
            "县公安局/双江派出所",
            "县供电公司/工会委员会",
            "县林业局/后勤服务中心",
            "云阳县人民医院/南岸分院",
        ] {
            assert!(several_purchasers_warning(one, one).is_none(), "{one}");
        }
        for several in ["云阳县工会和妇联", "云阳县和平超市和人和中学"] {
            assert!(
                several_purchasers_warning(several, several).is_some(),
                "{several}"
            );
        }
        assert_eq!(
            several_purchasers_warning("县商务委县教委", "县商务委 县教委").as_deref(),
            Some(
                "采购单位“县商务委 县教委”写了不止一个单位，已作为一个采购单位导入：请核实，宜每个单位一行"
            )
        );
        // Names apart by spaces, which the stored name runs together.
        assert!(several_households_warning("刘光富陈秀英", "刘光富 陈秀英").is_some());
        assert!(several_households_warning("刘光富陈秀英", "刘光富\u{3000}陈秀英").is_some());
        for (name, typed) in [
            ("向明", "向　明"),
            ("欧阳明", "欧阳 明"),
            ("欧阳明明", "欧阳 明明"),
            ("司马相如", "司马 相如"),
            ("刘光富户主", "刘光富 户主"),
            ("刘光富13800001111", "刘光富 13800001111"),
            ("王和平", "王和平"),
        ] {
            assert!(several_households_warning(name, typed).is_none(), "{typed}");
        }
        for name in ["刘光富和陈秀英", "刘光富与陈秀英", "刘光富等"] {
            assert!(several_households_warning(name, name).is_some(), "{name}");
        }
        assert_eq!(
            spaced_names("刘光富 陈秀英").as_deref(),
            Some("刘光富、陈秀英")
        );
        assert!(several_products_warning("腊肉（含香肠、排骨）").is_none());
        assert!(several_products_warning("红薯粉（宽、细）").is_none());
    }
}

#[cfg(test)]
mod robustness {
    //! Parsers never panic on user input (house rule: app code never panics on what a clerk types).
    use super::*;
    use crate::domain::text::{is_formula_like, parse_chinese_number};
    use crate::domain::{AmountUnit, Money, Price, Quantity, RegionResolver, ReportDate};
    use proptest::prelude::*;

    fn resolver() -> RegionResolver {
        RegionResolver::from_csv(include_str!("../../assets/townships.csv")).unwrap()
    }

    /// Characters that matter to the parsers, mixed with anything.
    fn field() -> impl Strategy<Value = String> {
        prop_oneof![
            ".*",
            "[0-9０-９.,，\\-+eE万元斤公吨×*x/年月日号点十百千两零一二三九¥￥ \u{3000}?？𠮷合作社户人]{0,14}",
            "(云阳县|重庆市|云阳|泥溪|清水乡|双江街道办事处|云阳镇)?[镇乡村社区xx\u{3000} ]{0,6}",
        ]
    }

    proptest! {
        #[test]
        fn parsers_never_panic(text in field(), number in any::<f64>()) {
            let _ = Money::parse(&text, AmountUnit::Yuan);
            let _ = Money::parse(&text, AmountUnit::WanYuan);
            if let Ok(q) = Quantity::parse(&text, None, "销售数量") {
                let _ = q.value.in_jin();
                if let Ok(p) = Price::parse(&text, None) {
                    let _ = p.value.expected_amount(&q.value);
                }
            }
            let _ = Quantity::parse(&text, Some(&text), "");
            let _ = Price::parse(&text, Some(&text));
            let _ = ReportDate::parse(&text, NaiveDate::from_ymd_opt(2019, 9, 30));
            let _ = ReportDate::parse(&text, None);
            let _ = ReportDate::from_number(number, None);
            let _ = parse_chinese_number(&text);
            let _ = is_formula_like(&text);
            let _ = parse_involved(&text);
            let _ = resolver().resolve(&text);
        }

        #[test]
        fn validation_never_panics(a in field(), b in field(), c in field(), d in field()) {
            let draft = SaleDraft {
                purchaser: a.clone(),
                date: b.clone(),
                region: c.clone(),
                household: d.clone(),
                product: a.clone(),
                quantity: b.clone(),
                amount: c.clone(),
                remark: d.clone(),
            };
            let result = validate_sale(&draft, FormKind::Sale, &resolver(), NaiveDate::from_ymd_opt(2019, 9, 30));
            if let Err(errors) = &result {
                // One error per field at most.
                let mut fields: Vec<SaleField> = errors.iter().map(|(f, _)| *f).collect();
                let before = fields.len();
                fields.dedup();
                prop_assert_eq!(before, fields.len());
                prop_assert!(!errors.is_empty());
            }
            if let Ok(record) = &result {
                prop_assert!(!record.amount.is_negative());
                prop_assert!(record.amount <= Money::from_fen(MAX_PLAUSIBLE_AMOUNT_YUAN * 100));
            }
            let listing = ListingDraft {
                region: c,
                household: d,
                product: a.clone(),
                planned_quantity: b.clone(),
                price: a,
                supply_method: b.clone(),
                shop_url: b.clone(),
                contact: b,
                remark: String::new(),
            };
            let _ = validate_listing(&listing, &resolver());
        }
    }
}
