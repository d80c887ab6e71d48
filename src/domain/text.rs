//! Text clean-up shared by every column: whitespace of every kind, full-width digits, Chinese
//! numerals, formula-like text. Import rules 4, 5, 10.

use rust_decimal::Decimal;

/// True for whitespace of every kind a cell can hold: everything Unicode calls white space (ASCII
/// space, tabs, line breaks, U+3000 ideographic space, U+00A0 NBSP, …) plus the invisible
/// zero-width characters U+200B, U+200C, U+200D, U+2060 and U+FEFF (BOM). Import rule 4.
pub fn is_blank_char(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Trims leading/trailing whitespace of every kind: ASCII, U+3000 ideographic space, U+00A0 NBSP,
/// U+200B zero-width space, U+FEFF, line breaks. Rare characters (𠮷 U+20BB7) are kept exactly.
pub fn clean_text(text: &str) -> String {
    text.trim_matches(is_blank_char).to_string()
}

/// [`clean_text`] and also removes whitespace inside (贫困户姓名: `向　明` → `向明`).
pub fn clean_name(text: &str) -> String {
    squeeze(text)
}

/// [`clean_text`] and whitespace inside dropped next to a Chinese character (a line break typed
/// in a cell, `云阳县南岸\n医院` → `云阳县南岸医院`); between two Latin letters or digits one
/// space is kept (`ABC Food` stays).
pub fn clean_words(text: &str) -> String {
    let trimmed = text.trim_matches(is_blank_char);
    if !trimmed.chars().any(is_blank_char) {
        return trimmed.to_string();
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut gap = false;
    for c in trimmed.chars() {
        if is_blank_char(c) {
            gap = true;
            continue;
        }
        if gap {
            let before_is_latin = out
                .chars()
                .last()
                .is_some_and(|b| b.is_ascii_alphanumeric());
            if before_is_latin && c.is_ascii_alphanumeric() {
                out.push(' ');
            }
            gap = false;
        }
        out.push(c);
    }
    out
}

/// The non-empty items of a list typed into one cell, split at `separators` outside brackets
/// (`腊肉（含香肠、排骨）` is one item), trimmed.
pub fn listed_items<'t>(text: &'t str, separators: &[char]) -> Vec<&'t str> {
    let mut depth = 0usize;
    let mut start = 0;
    let mut items = Vec::new();
    for (index, c) in text.char_indices() {
        match c {
            '(' | '（' | '[' | '【' | '<' | '《' => depth += 1,
            ')' | '）' | ']' | '】' | '>' | '》' => depth = depth.saturating_sub(1),
            _ if depth == 0 && separators.contains(&c) => {
                items.push(&text[start..index]);
                start = index + c.len_utf8();
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
        .into_iter()
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect()
}

/// A telephone or ID number written in a name cell, and the name without it
/// ([`split_contact_number`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberInName {
    /// The name as typed, without the number, its label and its brackets (not yet cleaned).
    pub name: String,
    /// The number exactly as typed, separators included (`139-0000-3312`, `138 1234 5678`).
    pub number: String,
    /// What the number is: `电话`, `身份证号` (15 or 18 characters of digits, the last may be X),
    /// or `号码` for an ID number and a telephone number together.
    pub kind: &'static str,
    /// Whether `number` starts with its own label, as typed (`身份证500235… 电话138…`: an ID
    /// number and a telephone number, each labelled): it is moved as it is, without `kind`.
    pub labelled: bool,
}

/// Labels that may stand before a number in a name cell (`王成芳 电话：13812345678`); the longest
/// first, so `联系电话` is not read as `电话` after `联系`.
const NUMBER_LABELS: [&str; 9] = [
    "联系电话",
    "联系方式",
    "身份证号",
    "电话",
    "手机",
    "身份证",
    "tel",
    "TEL",
    "Tel",
];

/// A digit, half or full width (`1`, `１`).
fn is_any_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Whether `text` holds a run of at least 7 digits (half or full width, with `-` or spaces
/// between digit groups): a telephone or ID number, wherever it stands (`王成芳 电话：13812345678
/// 住3组`). `杜金木等3户`, `王成芳2组` and a date's `2019` hold none.
pub fn holds_a_number(text: &str) -> bool {
    // Most names hold no digit: told apart without a walk.
    if !text.chars().any(is_any_digit) {
        return false;
    }
    let chars: Vec<char> = text.chars().collect();
    let is_letter = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphabetic());
    let mut index = 0;
    while index < chars.len() {
        if !is_any_digit(chars[index]) {
            index += 1;
            continue;
        }
        let start = index;
        let mut digits = 0;
        while index < chars.len() {
            let c = chars[index];
            if is_any_digit(c) {
                digits += 1;
                index += 1;
            } else if (matches!(c, '-' | '－' | '—') || is_blank_char(c))
                && chars.get(index + 1).is_some_and(|next| is_any_digit(*next))
            {
                index += 1;
            } else {
                break;
            }
        }
        // A code of letters and digits (`93500235MA5UABCD3C`, a cooperative's credit code) is
        // no telephone number; an ID number may end with X.
        let end_letter = is_letter(chars.get(index))
            && !(digits == 17 && matches!(chars.get(index), Some('X' | 'x')));
        let in_a_code = is_letter(start.checked_sub(1).and_then(|i| chars.get(i))) || end_letter;
        if digits >= 7 && !in_a_code {
            return true;
        }
    }
    false
}

/// The first number in `text` written in scientific notation with an exponent of 9 or more
/// (`1.39E+10`, `5.00235E+17`, `1.39e+10`; not `1E+6`, a quantity): what a telephone (11
/// digits) or ID number becomes when a sheet
/// shown so is saved as CSV. Its last digits are lost; only the clerk can give them again.
pub fn scientific_number(text: &str) -> Option<&str> {
    if !text.contains(['E', 'e']) {
        return None;
    }
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '+'))
        .find(|token| {
            let Some((mantissa, exponent)) = token.split_once(['E', 'e']) else {
                return false;
            };
            let Some(exponent) = exponent.strip_prefix('+') else {
                return false;
            };
            let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
            whole.len() == 1
                && whole.chars().all(|c| c.is_ascii_digit())
                && fraction.chars().all(|c| c.is_ascii_digit())
                && exponent.parse::<u32>().is_ok_and(|e| (9..=30).contains(&e))
        })
}

/// Whether a name cell holds a telephone or ID number and nothing else (`13812345678`,
/// `电话：139-0000-3312`, `（13812345678）`): at least 7 digits, besides them only a label
/// ([`NUMBER_LABELS`]), separators and brackets.
pub fn is_number_alone(text: &str) -> bool {
    // Most names hold no digit: told apart without a copy.
    if !text.chars().any(is_any_digit) {
        return false;
    }
    let mut rest = text.to_string();
    for label in NUMBER_LABELS {
        rest = rest.replace(label, "");
    }
    let digits = rest.chars().filter(|c| is_any_digit(*c)).count();
    digits >= 7
        && rest
            .chars()
            .all(|c| is_any_digit(c) || is_blank_char(c) || "+-－:：()（）/、,，Xx".contains(c))
}

/// Finds the telephone or ID numbers in a name cell (`王成芳 13812345678`, `王成芳（电话：
/// 139-0000-3312）`, `王成芳13812345678`, `王成芳 13812345678/13987654321`): runs of digits (half
/// or full width, with `-` or spaces between groups) of 7 to 18 digits each, with only separators
/// and labels between them. Returns `None` when there is no such run, other digits besides them,
/// or no name besides them. Digits shorter than a number (`杜金木等3户`) are not one.
pub fn split_contact_number(text: &str) -> Option<NumberInName> {
    // Most names hold no digit: told apart without a copy.
    if !text.chars().any(is_any_digit) {
        return None;
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut runs: Vec<(usize, usize, usize)> = Vec::new(); // char start, char end, digits
    let mut index = 0;
    while index < chars.len() {
        if !is_any_digit(chars[index].1) {
            index += 1;
            continue;
        }
        // `+86 13812345678`: the plus sign belongs to the number.
        let start = if index > 0 && matches!(chars[index - 1].1, '+' | '＋') {
            index - 1
        } else {
            index
        };
        let mut end = index;
        let mut digits = 0;
        let mut cursor = index;
        while cursor < chars.len() {
            let c = chars[cursor].1;
            if is_any_digit(c) {
                digits += 1;
                cursor += 1;
                end = cursor;
            } else if matches!(c, '-' | '－' | '—') || is_blank_char(c) {
                // A separator counts only between digits.
                if chars
                    .get(cursor + 1)
                    .is_some_and(|(_, next)| is_any_digit(*next))
                {
                    cursor += 1;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        // An ID number may end with X.
        if digits == 17
            && chars
                .get(end)
                .is_some_and(|(_, c)| matches!(c, 'X' | 'x' | 'Ｘ'))
        {
            end += 1;
            digits += 1;
        }
        runs.push((start, end, digits));
        index = end.max(start + 1);
    }
    // `500235198001011234 13812345678`: more than 18 digits joined by spaces are several
    // numbers; each group apart by spaces is one.
    let runs: Vec<(usize, usize, usize)> = runs
        .into_iter()
        .flat_map(|(start, end, digits)| {
            if digits <= 18 {
                return vec![(start, end, digits)];
            }
            let mut parts = Vec::new();
            let mut part_start = start;
            for index in start..=end {
                if index == end || is_blank_char(chars[index].1) {
                    let part = &chars[part_start..index];
                    let digits = part.iter().filter(|(_, c)| is_any_digit(*c)).count();
                    parts.push((part_start, index, digits));
                    part_start = index + 1;
                }
            }
            parts
        })
        .collect();
    // Fewer than 7 digits is no number (`王成芳2组 13812345678`: left as typed); between two
    // numbers only separators and labels (`13812345678/13987654321`, `… 电话：…`).
    let byte = |char_index: usize| chars.get(char_index).map_or(text.len(), |(b, _)| *b);
    let (Some(first), Some(last)) = (runs.first(), runs.last()) else {
        return None;
    };
    if runs.iter().any(|(_, _, digits)| !(7..=18).contains(digits)) {
        return None;
    }
    let only_separators = runs.windows(2).all(|pair| {
        let mut between = text[byte(pair[0].1)..byte(pair[1].0)].to_string();
        for label in NUMBER_LABELS {
            between = between.replace(label, "");
        }
        between
            .chars()
            .all(|c| is_blank_char(c) || "/／,，、;；:：".contains(c))
    });
    if !only_separators {
        return None;
    }
    let (start, end) = (first.0, last.1);
    let is_id = |digits: usize| digits == 15 || digits == 18;
    let kind = if runs.iter().all(|run| is_id(run.2)) {
        "身份证号"
    } else if runs.iter().all(|run| !is_id(run.2)) {
        "电话"
    } else {
        "号码"
    };
    let mut number = text[byte(start)..byte(end)].to_string();
    let mut labelled = false;
    let mut before = text[..byte(start)].trim_end_matches(is_blank_char);
    let mut after = text[byte(end)..].trim_start_matches(is_blank_char);
    before = before
        .trim_end_matches([':', '：'])
        .trim_end_matches(is_blank_char);
    // `王成芳/13812345678`, `王成芳，13812345678`: the separator goes with the number.
    before = before
        .trim_end_matches(['/', '／', ',', '，', '、', ';', '；', '-', '－'])
        .trim_end_matches(is_blank_char);
    if let Some(label) = NUMBER_LABELS.iter().find(|label| before.ends_with(**label)) {
        let label_start = before.len() - label.len();
        // Two numbers of two kinds keep their labels as typed (`身份证… 电话…`).
        if kind == "号码" {
            number = text[label_start..byte(end)].to_string();
            labelled = true;
        }
        before = before[..label_start].trim_end_matches(is_blank_char);
    }
    // `王成芳（13812345678）`, `王成芳(电话:13812345678)`: the brackets go with the number.
    let closes = [('(', ')'), ('（', '）'), ('[', ']'), ('【', '】')];
    if let Some(&(open, close)) = closes
        .iter()
        .find(|(open, close)| before.ends_with(*open) && after.starts_with(*close))
    {
        before = &before[..before.len() - open.len_utf8()];
        after = &after[close.len_utf8()..];
    }
    let name = format!("{before}{after}");
    if name.trim_matches(is_blank_char).is_empty() {
        return None;
    }
    Some(NumberInName {
        name,
        number,
        kind,
        labelled,
    })
}

/// Removes all whitespace (of every kind) and line breaks: used to compare header cells.
pub fn squeeze(text: &str) -> String {
    if !text.chars().any(is_blank_char) {
        // The common case (a clean cell): one copy instead of a character-by-character build.
        return text.to_string();
    }
    text.chars().filter(|c| !is_blank_char(*c)).collect()
}

/// Full-width ASCII (`０-９`, `．`, `，`, `／`, `－`, letters) to half-width; `（）` to `()`.
/// The ideographic space U+3000 becomes an ASCII space; every other character is kept.
pub fn to_half_width(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// The value of a Chinese digit character (lower-case `〇零一二两三四五六七八九` and the financial
/// upper-case `壹贰叁肆伍陆柒捌玖`), or `None`.
fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | '○' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' | '兩' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// The value of a small Chinese unit character (`十百千` and `拾佰仟`), or `None`.
fn chinese_small_unit(c: char) -> Option<u32> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        _ => return None,
    })
}

/// True for a character that can be part of a Chinese numeral (digits, `十百千万亿`, `点`).
pub fn is_chinese_numeral_char(c: char) -> bool {
    chinese_digit(c).is_some()
        || chinese_small_unit(c).is_some()
        || matches!(c, '万' | '萬' | '亿' | '億' | '点')
}

/// Parses a Chinese numeral: `三十` = 30, `九十` = 90, `十` = 10, `十二` = 12, `一百二十` = 120,
/// `两千` = 2000, `一万五千` = 15000, `三点五` = 3.5, `〇`/`零`. `None` when not a numeral.
///
/// Also reads the colloquial abbreviations `一万五` (= 15000) and `三百五` (= 350), digit-by-digit
/// numerals (`二〇一九` = 2019) and the financial upper-case forms (`玖拾` = 90). Exact decimal
/// arithmetic; `None` on overflow.
pub fn parse_chinese_number(text: &str) -> Option<Decimal> {
    let text = squeeze(text);
    if text.is_empty() {
        return None;
    }
    let (int_part, frac_part) = match text.split_once('点') {
        Some((int_part, frac_part)) => (int_part, Some(frac_part)),
        None => (text.as_str(), None),
    };
    let integer = parse_chinese_integer(int_part)?;
    let Some(frac_part) = frac_part else {
        return Some(integer);
    };
    if frac_part.is_empty() {
        return None;
    }
    let mut digits = String::new();
    for c in frac_part.chars() {
        let d = chinese_digit(c)?;
        digits.push(char::from_digit(d, 10)?);
    }
    let fraction = Decimal::from_str_exact(&format!("0.{digits}")).ok()?;
    integer.checked_add(fraction)
}

/// The integer part of a Chinese numeral (no `点`).
fn parse_chinese_integer(text: &str) -> Option<Decimal> {
    if text.is_empty() {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let has_unit = chars
        .iter()
        .any(|c| chinese_small_unit(*c).is_some() || matches!(c, '万' | '萬' | '亿' | '億'));
    if !has_unit {
        // Digit by digit: 二〇一九 = 2019.
        let mut value = Decimal::ZERO;
        for c in &chars {
            let d = chinese_digit(*c)?;
            value = value
                .checked_mul(Decimal::TEN)?
                .checked_add(Decimal::from(d))?;
        }
        return Some(value);
    }

    let ten_thousand = Decimal::from(10_000);
    let hundred_million = Decimal::from(100_000_000);
    // `total`: everything already closed by 亿; `wan`: the part closed by 万 since the last 亿;
    // `section`: the part below 万; `digit`: a digit waiting for its unit.
    let mut total = Decimal::ZERO;
    let mut wan = Decimal::ZERO;
    let mut section = Decimal::ZERO;
    let mut digit: Option<u32> = None;
    // The last small unit used in this section (to reject 三十百) and the unit just before the
    // current digit, for the abbreviation 一万五 = 15000.
    let mut last_small_unit: u32 = u32::MAX;
    let mut unit_before_digit: Option<u32> = None;
    let mut previous_unit: Option<u32> = None;
    let mut seen_zero = false;
    let mut seen_wan = false;

    for c in chars {
        if let Some(d) = chinese_digit(c) {
            if digit.is_some() {
                return None;
            }
            if d == 0 {
                seen_zero = true;
                previous_unit = None;
                continue;
            }
            digit = Some(d);
            unit_before_digit = if seen_zero { None } else { previous_unit };
            seen_zero = false;
        } else if let Some(unit) = chinese_small_unit(c) {
            if unit >= last_small_unit {
                return None;
            }
            let n = digit.take().unwrap_or(1);
            section = section.checked_add(Decimal::from(n).checked_mul(Decimal::from(unit))?)?;
            last_small_unit = unit;
            previous_unit = Some(unit);
            seen_zero = false;
        } else if matches!(c, '万' | '萬') {
            if seen_wan {
                return None;
            }
            let part = section.checked_add(Decimal::from(digit.take().unwrap_or(0)))?;
            if part.is_zero() {
                return None;
            }
            wan = part.checked_mul(ten_thousand)?;
            section = Decimal::ZERO;
            last_small_unit = u32::MAX;
            previous_unit = Some(10_000);
            seen_zero = false;
            seen_wan = true;
        } else if matches!(c, '亿' | '億') {
            let part = wan
                .checked_add(section)?
                .checked_add(Decimal::from(digit.take().unwrap_or(0)))?;
            if part.is_zero() {
                return None;
            }
            total = total.checked_add(part)?.checked_mul(hundred_million)?;
            wan = Decimal::ZERO;
            section = Decimal::ZERO;
            last_small_unit = u32::MAX;
            previous_unit = Some(100_000_000);
            seen_zero = false;
            seen_wan = false;
        } else {
            return None;
        }
    }

    let mut tail = Decimal::ZERO;
    if let Some(d) = digit {
        // 一万五 = 15000, 三百五 = 350, 两千五 = 2500 (but 十五 = 15, 一百零五 = 105).
        let scale = match unit_before_digit {
            Some(unit) if unit >= 100 => unit / 10,
            _ => 1,
        };
        tail = Decimal::from(d).checked_mul(Decimal::from(scale))?;
    }
    total
        .checked_add(wan)?
        .checked_add(section)?
        .checked_add(tail)
}

/// Parses a plain half-width number: `90`, `90.5`, `.5`, `1,200.00` (commas must group thousands),
/// `1e12` / `1.5E+3` (scientific, as number cells may be written). Exact decimal; `None` when the
/// text is not such a number or does not fit a `Decimal`. No sign: callers handle `-`.
pub fn parse_decimal_number(text: &str) -> Option<Decimal> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(pos) => {
            let (m, e) = text.split_at(pos);
            let e = e.get(1..)?;
            let e = e.strip_prefix('+').unwrap_or(e);
            if e.is_empty() || e.len() > 6 {
                return None;
            }
            let (negative, digits) = match e.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, e),
            };
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let value: i64 = digits.parse().ok()?;
            (m, if negative { -value } else { value })
        }
        None => (text, 0),
    };
    let mantissa = parse_plain_mantissa(mantissa)?;
    if exponent == 0 {
        return Some(mantissa);
    }
    if exponent > 0 {
        if exponent > 40 {
            return None;
        }
        let mut value = mantissa;
        for _ in 0..exponent {
            value = value.checked_mul(Decimal::TEN)?;
        }
        Some(value)
    } else {
        let scale = u32::try_from(exponent.unsigned_abs())
            .ok()?
            .checked_add(mantissa.scale())?;
        if scale > 28 {
            return None;
        }
        Some(Decimal::from_i128_with_scale(mantissa.mantissa(), scale))
    }
}

/// `90`, `90.5`, `.5`, `90.`, `1,200.00`; no sign, no exponent.
fn parse_plain_mantissa(text: &str) -> Option<Decimal> {
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int_digits: String = if int_part.contains(',') {
        let groups: Vec<&str> = int_part.split(',').collect();
        let first_ok = groups
            .first()
            .is_some_and(|g| (1..=3).contains(&g.len()) && g.chars().all(|c| c.is_ascii_digit()));
        let rest_ok = groups
            .iter()
            .skip(1)
            .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
        if !first_ok || !rest_ok {
            return None;
        }
        groups.concat()
    } else {
        if !int_part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        int_part.to_string()
    };
    let int_digits = if int_digits.is_empty() {
        "0".to_string()
    } else {
        int_digits
    };
    let normalized = if frac_part.is_empty() {
        int_digits
    } else {
        format!("{int_digits}.{frac_part}")
    };
    Decimal::from_str_exact(&normalized).ok()
}

/// True when the text begins with `=`, `+`, `-` or `@` followed by a non-digit (would be taken as a
/// formula by a spreadsheet): written as text on export, warned on import. `-360` is not formula-like.
///
/// Interpretation: leading whitespace is ignored; `=` followed by anything at all is formula-like
/// (`=1+2` is a formula); `+`, `-`, `@` only when followed by something other than a digit or `.`
/// (`+86 177…`, `-360`, `-.5` are numbers). A lone `-` (a dash meaning “none”) is not formula-like.
pub fn is_formula_like(text: &str) -> bool {
    let text = clean_text(text);
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let Some(second) = chars.next() else {
        return false;
    };
    match first {
        '=' => true,
        '+' | '-' | '@' => !(second.is_ascii_digit() || second == '.'),
        _ => false,
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
    fn clean_text_trims_every_kind_of_whitespace() {
        let cases = [
            ("  刘光富  ", "刘光富"),
            ("\u{3000}刘光富\u{3000}", "刘光富"),
            ("\u{00A0}刘光富\u{00A0}", "刘光富"),
            ("\u{200B}刘光富\u{200B}", "刘光富"),
            ("\u{FEFF}刘光富\r\n", "刘光富"),
            ("向\u{3000}明", "向\u{3000}明"),
            ("𠮷永福", "𠮷永福"),
            ("", ""),
            ("\u{3000}\u{200B} ", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(clean_text(input), expected, "input {input:?}");
        }
    }

    proptest::proptest! {
        /// Any mix of names, digits, separators, labels and brackets is split or left alone,
        /// never panics; a split keeps every character of the number and a name besides it.
        #[test]
        fn any_name_cell_is_split_or_left_alone(
            text in "[王成芳0-9０-９+ 　/、,，:：()（）X电话身份证号-]{0,40}"
        ) {
            let _ = is_number_alone(&text);
            if let Some(split) = split_contact_number(&text) {
                proptest::prop_assert!(text.contains(&split.number), "{text}");
                proptest::prop_assert!(!split.name.trim_matches(is_blank_char).is_empty(), "{text}");
            }
        }
    }

    #[test]
    fn a_number_alone_in_a_name_cell_is_told_apart() {
        for text in [
            "13812345678",
            "电话：139-0000-3312",
            "（13812345678）",
            "138 1234 5678",
        ] {
            assert!(is_number_alone(text), "{text}");
        }
        for text in ["王成芳", "王成芳13812345678", "123456", "杜金木等3户", ""] {
            assert!(!is_number_alone(text), "{text}");
        }
    }

    #[test]
    fn a_number_in_a_name_cell_is_split_from_the_name() {
        let split = |text: &str| {
            split_contact_number(text).map(|n| (clean_name(&n.name), n.number, n.kind))
        };
        // Each name is 王成芳.
        for (text, number, kind) in [
            ("王成芳 13812345678", "13812345678", "电话"),
            ("王成芳13812345678", "13812345678", "电话"),
            ("王成芳（13812345678）", "13812345678", "电话"),
            ("王成芳(电话:139-0000-3312)", "139-0000-3312", "电话"),
            ("王成芳 联系电话：138 1234 5678", "138 1234 5678", "电话"),
            ("13812345678王成芳", "13812345678", "电话"),
            ("王成芳 023-55123456", "023-55123456", "电话"),
            ("王成芳 ５５１２３４５６", "５５１２３４５６", "电话"),
            ("王成芳/13812345678", "13812345678", "电话"),
            ("王成芳 +86 13812345678", "+86 13812345678", "电话"),
            (
                "王成芳 13812345678/13987654321",
                "13812345678/13987654321",
                "电话",
            ),
            (
                "王成芳 500235198001011234 13812345678",
                "500235198001011234 13812345678",
                "号码",
            ),
            (
                "王成芳 身份证号500235198001011234 电话13812345678",
                // Both labels kept as typed (moved without 号码：).
                "身份证号500235198001011234 电话13812345678",
                "号码",
            ),
            (
                "王成芳 50023519800101123X",
                "50023519800101123X",
                "身份证号",
            ),
            (
                "王成芳 身份证号500235198001011234",
                "500235198001011234",
                "身份证号",
            ),
        ] {
            let expected = ("王成芳".to_string(), number.to_string(), kind);
            assert_eq!(split(text), Some(expected), "{text}");
        }
        // No number: a count, a group, short digits, a number alone, or other digits beside it.
        for text in [
            "王成芳",
            "杜金木等3户",
            "王成芳 123456",
            "13812345678",
            "电话：13812345678",
            "王成芳2组 13812345678",
            "王成芳 13812345678 住3组",
            "王成芳 138 1234 5678 139 8765 4321",
            "",
        ] {
            assert_eq!(split(text), None, "{text}");
        }
        // A number Excel turned into scientific notation.
        assert_eq!(scientific_number("何大 1.39E+10"), Some("1.39E+10"));
        assert_eq!(scientific_number("5.00235E+17"), Some("5.00235E+17"));
        assert_eq!(scientific_number("电话:1.39e+10。"), Some("1.39e+10"));
        for text in [
            "何大 13900003331",
            "Email: he@qq.com",
            "1E+3",
            "规格1E+6",
            "13.9E+9",
            "E+10",
            "CE+10",
        ] {
            assert_eq!(scientific_number(text), None, "{text}");
        }
        // A number that stays in the name is still seen.
        for text in [
            "王成芳2组 13812345678",
            "王成芳 电话：13812345678 住3组",
            "王成芳 138 1234 5678 139 8765 4321",
            "王成芳（１３８－１２３４－５６７８）3组",
            "王成芳 50023519800101123X 3组",
        ] {
            assert!(holds_a_number(text), "{text}");
        }
        for text in [
            "王成芳",
            "杜金木等3户",
            "王成芳2组",
            "王成芳 123456",
            "2019-3-5 王成芳",
            "云阳县益农柑橘专业合作社(93500235MA5UABCD3C)",
            "",
        ] {
            assert!(!holds_a_number(text), "{text}");
        }
    }

    #[test]
    fn clean_name_and_squeeze_remove_inner_whitespace() {
        let cases = [
            ("向\u{3000}明", "向明"),
            (" 何春梅 ", "何春梅"),
            ("王 德\u{00A0}明\u{200B}", "王德明"),
            ("\u{20BB7}明清", "\u{20BB7}明清"),
        ];
        for (input, expected) in cases {
            assert_eq!(clean_name(input), expected, "input {input:?}");
        }
        assert_eq!(squeeze("销售\n金额（元）"), "销售金额（元）");
        assert_eq!(squeeze(" 采购 数量 "), "采购数量");
    }

    #[test]
    fn half_width_conversion() {
        let cases = [
            ("３０斤", "30斤"),
            ("１，２００．００", "1,200.00"),
            ("（元）", "(元)"),
            ("２０１９／９／１", "2019/9/1"),
            ("－３６０", "-360"),
            ("ＫＧ", "KG"),
            ("泥溪镇", "泥溪镇"),
        ];
        for (input, expected) in cases {
            assert_eq!(to_half_width(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn chinese_numerals() {
        let cases = [
            ("三十", "30"),
            ("九十", "90"),
            ("十", "10"),
            ("十二", "12"),
            ("一百二十", "120"),
            ("一百零五", "105"),
            ("两千", "2000"),
            ("一万五千", "15000"),
            ("一万五", "15000"),
            ("三百五", "350"),
            ("三点五", "3.5"),
            ("零点五", "0.5"),
            ("〇", "0"),
            ("零", "0"),
            ("二〇一九", "2019"),
            ("玖拾", "90"),
            ("壹佰贰拾", "120"),
            ("三十一", "31"),
            ("一千零一十", "1010"),
            ("十万", "100000"),
            ("一亿二千万", "120000000"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_chinese_number(input),
                Some(dec(expected)),
                "input {input}"
            );
        }
    }

    #[test]
    fn chinese_numeral_rejections() {
        for input in [
            "",
            "九十块",
            "abc",
            "三十百",
            "点五",
            "三点",
            "万",
            "一万二万",
            "30",
            "三三十",
        ] {
            assert_eq!(parse_chinese_number(input), None, "input {input}");
        }
    }

    #[test]
    fn plain_decimal_numbers() {
        let cases = [
            ("90", Some("90")),
            ("90.5", Some("90.5")),
            (".5", Some("0.5")),
            ("90.", Some("90")),
            ("1,200.00", Some("1200.00")),
            ("12,345,678", Some("12345678")),
            ("1e12", Some("1000000000000")),
            ("1.5E+3", Some("1500")),
            ("25E-2", Some("0.25")),
            ("1,20", None),
            ("1,2000", None),
            ("", None),
            (".", None),
            ("9O", None),
            ("1e", None),
            ("1e999", None),
            ("99999999999999999999999999999999999", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_decimal_number(input),
                expected.map(dec),
                "input {input}"
            );
        }
    }

    #[test]
    fn formula_like_text() {
        let cases = [
            ("=SUM(A1:A3)", true),
            ("=1+2", true),
            ("+A1", true),
            ("-A1", true),
            ("@cmd", true),
            ("  =HYPERLINK(\"x\")", true),
            ("-360", false),
            ("-360元", false),
            ("+86 17700001234", false),
            ("-", false),
            ("", false),
            ("刘光富", false),
            ("a=b", false),
        ];
        for (input, expected) in cases {
            assert_eq!(is_formula_like(input), expected, "input {input}");
        }
    }

    #[test]
    fn words_lose_the_spaces_a_chinese_name_cannot_have() {
        assert_eq!(clean_words("云阳县南岸\n医院"), "云阳县南岸医院");
        assert_eq!(clean_words(" 云阳县　教委 "), "云阳县教委");
        assert_eq!(clean_words("ABC  Food 有限公司"), "ABC Food有限公司");
        assert_eq!(clean_words("县人民医院"), "县人民医院");
    }
}
