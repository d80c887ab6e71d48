//! Report dates and quarters. Seed: 附件2 销售时间, 附件3 采购时间, 三(三) (quarterly deadlines);
//! import rule 7.

use chrono::NaiveDate;

use super::text::{clean_text, is_blank_char, parse_chinese_number, squeeze, to_half_width};
use super::{ParseError, Parsed};

/// Earliest plausible year of a reported date.
const MIN_YEAR: i32 = 1990;
/// Latest plausible year of a reported date.
const MAX_YEAR: i32 = 2100;

/// The warning for a date given only to the month (import rule 7).
pub const MONTH_PRECISION_WARNING: &str = "销售时间只精确到月";

/// The date of an Excel serial number in the 1900 date system: day 1 = 1900-01-01, with Lotus
/// 1-2-3's leap-year bug (serial 60 is the non-existent 1900-02-29 → `None`; serials above 60 are
/// one day later than a true count, so 43709 = 2019-09-01). A fraction (time of day) is dropped.
/// `None` below 1 and beyond chrono's range.
pub fn excel_serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..=3_000_000.0).contains(&serial) {
        return None;
    }
    // Exact: a non-negative integer below 3e6.
    let days = serial.trunc() as i64;
    let base = match days {
        60 => return None,
        d if d < 60 => NaiveDate::from_ymd_opt(1899, 12, 31)?,
        _ => NaiveDate::from_ymd_opt(1899, 12, 30)?,
    };
    base.checked_add_signed(chrono::TimeDelta::try_days(days)?)
}

/// Drops a time of day after the date: `2019-09-01 00:00:00`, `2019-09-01T08:30`.
fn strip_time(text: &str) -> &str {
    let looks_like_time = |t: &str| {
        let t = t.trim_matches(is_blank_char);
        t.contains(':')
            && t.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.'))
    };
    if let Some((date, time)) = text.trim_matches(is_blank_char).split_once(is_blank_char)
        && looks_like_time(time)
    {
        return date;
    }
    if let Some((date, time)) = text.split_once('T')
        && looks_like_time(time)
    {
        return date;
    }
    text
}

/// A number in a date: ASCII digits or a Chinese numeral (`二〇一九`, `九`, `三十一`).
fn date_number(text: &str) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    if text.chars().all(|c| c.is_ascii_digit()) {
        return text.parse().ok();
    }
    let value = parse_chinese_number(text)?;
    if value.fract().is_zero() {
        u32::try_from(value).ok()
    } else {
        None
    }
}

/// `2019年9月1日`, `2019年9月`, `9月1日`, `19年9月1日`, `二〇一九年九月一日`. `None` when unreadable.
fn parse_cjk_date(
    text: &str,
    original: &str,
    reference: Option<NaiveDate>,
) -> Option<Result<ParsedDate, ParseError>> {
    let (year, rest) = match text.split_once('年') {
        Some((year_text, rest)) => {
            let year = date_number(year_text)?;
            let year = if year_text.chars().count() == 2 && year < 100 {
                2000 + year
            } else {
                year
            };
            (Some(i32::try_from(year).ok()?), rest)
        }
        None => (None, text),
    };
    let (month_text, day_text) = rest.split_once('月')?;
    let month = date_number(month_text)?;
    let day_text = day_text
        .strip_suffix('日')
        .or_else(|| day_text.strip_suffix('号'))
        .unwrap_or(day_text);
    let day = if day_text.is_empty() {
        None
    } else {
        Some(date_number(day_text)?)
    };
    Some(match (year, day) {
        (Some(year), Some(day)) => day_date(year, month, day, original),
        (Some(year), None) => month_date(year, month, original),
        (None, day) => date_without_year(reference, month, day, original),
    })
}

/// A date written without its year (`9月1日`, `9-1`, `9月`): the year of the form's 填报时间
/// (rule 2), or the year before when that would put the day a month or more after 填报时间 (by
/// the calendar; a sale cannot come after the form that reports it), with a warning naming the
/// year taken: `12月30日` on a fourth-quarter form filed on 2020年1月5日 is 2019-12-30, and so is
/// `3月5日` on a year's form filed on 2020年1月10日. A day less than a month after 填报时间 keeps
/// the year (and is then refused as after 填报时间: a slip in the date or in 填报时间 the clerk must
/// see). Errors: no 填报时间, a day that does not exist.
fn date_without_year(
    reference: Option<NaiveDate>,
    month: u32,
    day: Option<u32>,
    original: &str,
) -> Result<ParsedDate, ParseError> {
    let reference = reference.ok_or_else(|| {
        ParseError::new(format!(
            "日期“{original}”没有年份，且缺少填报时间，无法确定年份"
        ))
    })?;
    let in_year = |year: i32| match day {
        Some(day) => day_date(year, month, day, original),
        None => month_date(year, month, original),
    };
    let same_year = in_year(reference.year())?;
    let a_month_later = reference
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(NaiveDate::MAX);
    if same_year.value.date < a_month_later {
        return Ok(same_year);
    }
    let year = reference.year() - 1;
    let mut parsed = in_year(year)?;
    parsed.warnings.push(format!(
        "日期“{original}”没有年份，按填报时间（{}）推定为{year}年，请核实",
        reference.format("%Y-%m-%d")
    ));
    Ok(parsed)
}

/// Checks the year is plausible (1990–2100).
fn check_year(year: i32, original: &str) -> Result<(), ParseError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(ParseError::new(format!(
            "日期“{original}”的年份{year}不合理，请核对"
        )))
    }
}

/// A full date, or an error when it does not exist (`2019.2.30`).
fn day_date(year: i32, month: u32, day: u32, original: &str) -> Result<ParsedDate, ParseError> {
    check_year(year, original)?;
    let date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| ParseError::new(format!("日期“{original}”不存在，请核对")))?;
    Ok(Parsed::clean(ReportDate {
        date,
        precision: DatePrecision::Day,
    }))
}

/// The 1st of a month, month precision, with the warning [`MONTH_PRECISION_WARNING`].
fn month_date(year: i32, month: u32, original: &str) -> Result<ParsedDate, ParseError> {
    check_year(year, original)?;
    let date = NaiveDate::from_ymd_opt(year, month, 1)
        .ok_or_else(|| ParseError::new(format!("日期“{original}”不存在，请核对")))?;
    Ok(Parsed {
        value: ReportDate {
            date,
            precision: DatePrecision::Month,
        },
        warnings: vec![MONTH_PRECISION_WARNING.to_string()],
    })
}

/// `2019.1`: January, month precision, with the ambiguity warning (1月还是10月).
fn ambiguous_january(year: i32, original: &str) -> Result<ParsedDate, ParseError> {
    check_year(year, original)?;
    let date = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| ParseError::new(format!("日期“{original}”不存在，请核对")))?;
    Ok(Parsed {
        value: ReportDate {
            date,
            precision: DatePrecision::Month,
        },
        warnings: vec![format!("日期“{original}”含义不明（1月还是10月？），请核实")],
    })
}

/// How precise a reported date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatePrecision {
    /// A full date.
    Day,
    /// Only the month was given (`2019.10`); `date` is the 1st of that month.
    Month,
}

/// A date as reported: the calendar date and how precise the clerk was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportDate {
    pub date: NaiveDate,
    pub precision: DatePrecision,
}

/// Alias kept for readability at call sites: a parsed date with its warnings.
pub type ParsedDate = Parsed<ReportDate>;

impl ReportDate {
    /// The text that reads as this date on its own, when `typed` (the clerk's text) needs the
    /// form's 填报时间 for that: `9月9日` read with 填报时间 2019年9月30日 → `2019年9月9日` (month
    /// precision: `2019年9月`). `None` when `typed` already reads as this date without 填报时间,
    /// or when no full date would (then keep `typed`). Exports print it; an editor shows it, so
    /// saving there (with today as 填报时间) keeps the year.
    pub fn text_without_context(&self, typed: &str) -> Option<String> {
        let reads_as = |text: &str| ReportDate::parse(text, None).ok().map(|p| p.value);
        if reads_as(typed) == Some(*self) {
            return None;
        }
        let (year, month, day) = (self.date.year(), self.date.month(), self.date.day());
        let full = match self.precision {
            DatePrecision::Day => format!("{year}年{month}月{day}日"),
            DatePrecision::Month => format!("{year}年{month}月"),
        };
        (reads_as(&full) == Some(*self)).then_some(full)
    }

    /// Parses date text: `2019.9.1`, `2019-09-01`, `2019/9/1`, `2019年9月1日`, `20190901`,
    /// `9月1日` (year from `reference`, the form's 填报时间; error without it), `2019.10` (month
    /// precision, warning `销售时间只精确到月`), `2019.1` (ambiguous Jan/Oct: parsed as January with the
    /// warning `日期“2019.1”含义不明（1月还是10月？），请核实`), full-width digits, surrounding spaces.
    /// Errors (Chinese) for unreadable text and impossible dates (`2019.2.30`).
    ///
    /// Also: `2019年9月` (month precision), `二〇一九年九月一日`, `19年9月1日` (two-digit year with 年
    /// = 20xx), `19.9.3` (the same, warned), `2019。9。4`, `2019.9.5日`, `2019.09.05.`, `2019年9月1号`, `201909` (month precision), a time after the date
    /// (`2019-09-01 00:00:00`, `2019-09-01T08:30`: dropped), `9.1` / `9/1` (month.day, year from
    /// `reference`) and digit-only text that [`ReportDate::from_number`] reads (`20190901`, `43709`).
    /// Years must lie in 1990–2100. A date after `reference` is not an error here (the caller checks).
    pub fn parse(text: &str, reference: Option<NaiveDate>) -> Result<ParsedDate, ParseError> {
        let cleaned = clean_text(text);
        if cleaned.is_empty() {
            return Err(ParseError::new("日期为空"));
        }
        // `2019。9。4` (the Chinese full stop of the input method).
        let half = to_half_width(&cleaned).replace('。', ".");
        let date_part = strip_time(&half);
        let mut compact = squeeze(date_part);
        // `2019.09.05.`, `2019-09-05.`, `2019年9月5日。`: a full stop typed after the date.
        if let Some(without) = compact.strip_suffix('.')
            && without.ends_with(|c: char| c.is_ascii_digit() || matches!(c, '日' | '号' | '月'))
        {
            compact = without.to_string();
        }
        // `2019.9.5日`, `9-5号`: a day mark after a date written with separators.
        if !compact.contains(['年', '月'])
            && compact.contains(['.', '-', '/'])
            && let Some(without) = compact.strip_suffix(['日', '号'])
        {
            compact = without.to_string();
        }
        let unreadable = || {
            ParseError::new(format!(
                "无法识别的日期“{cleaned}”：应为 2019.9.1、2019-09-01 或 2019年9月1日"
            ))
        };

        if compact.contains('年') || compact.contains('月') {
            return parse_cjk_date(&compact, &cleaned, reference).ok_or_else(unreadable)?;
        }
        if !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit()) {
            return match compact.len() {
                6 => {
                    let year = compact
                        .get(..4)
                        .and_then(|y| y.parse().ok())
                        .ok_or_else(unreadable)?;
                    let month = compact
                        .get(4..)
                        .and_then(|m| m.parse().ok())
                        .ok_or_else(unreadable)?;
                    month_date(year, month, &cleaned)
                }
                5 | 8 => {
                    let number: f64 = compact.parse().map_err(|_| unreadable())?;
                    ReportDate::from_number(number, reference)
                }
                _ => Err(unreadable()),
            };
        }

        let separator = compact
            .chars()
            .find(|c| matches!(c, '.' | '-' | '/'))
            .ok_or_else(unreadable)?;
        let parts: Vec<&str> = compact.split(['.', '-', '/']).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(unreadable());
        }
        let number = |p: &str| p.parse::<u32>().map_err(|_| unreadable());
        match parts.as_slice() {
            [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
                let year = i32::try_from(number(y)?).map_err(|_| unreadable())?;
                day_date(year, number(m)?, number(d)?, &cleaned)
            }
            // `19.9.3`: a two-digit year is of this century, as `19年9月3日` is.
            [y, m, d] if y.len() == 2 && m.len() <= 2 && d.len() <= 2 => {
                let year = 2000 + i32::try_from(number(y)?).map_err(|_| unreadable())?;
                let mut parsed = day_date(year, number(m)?, number(d)?, &cleaned)?;
                parsed.warnings.push(format!(
                    "日期“{cleaned}”的年份只写了两位，按{year}年导入，请核实"
                ));
                Ok(parsed)
            }
            [y, m] if y.len() == 4 && m.len() <= 2 => {
                let year = i32::try_from(number(y)?).map_err(|_| unreadable())?;
                if separator == '.' && *m == "1" {
                    ambiguous_january(year, &cleaned)
                } else {
                    month_date(year, number(m)?, &cleaned)
                }
            }
            [m, d] if m.len() <= 2 && d.len() <= 2 => {
                date_without_year(reference, number(m)?, Some(number(d)?), &cleaned)
            }
            // `9/15/2019` (an English-language Excel's month/day/year) or `15/9/2019`
            // (day/month/year): read when a part above 12 tells which is the day, or both are
            // the same (`9/9/2019`), else refused.
            [a, b, y] if y.len() == 4 && a.len() <= 2 && b.len() <= 2 => {
                let year = i32::try_from(number(y)?).map_err(|_| unreadable())?;
                let (a, b) = (number(a)?, number(b)?);
                let (month, day) = match (a > 12, b > 12) {
                    // `9/9/2019`: the same date either way.
                    _ if a == b => (a, b),
                    (false, true) => (a, b),
                    (true, false) => (b, a),
                    (true, true) => {
                        return Err(ParseError::new(format!("日期“{cleaned}”不存在，请核对")));
                    }
                    (false, false) => {
                        return Err(ParseError::new(format!(
                            "日期“{cleaned}”把年份写在最后，无法判断哪个是月、哪个是日，请写成 {year}-月-日"
                        )));
                    }
                };
                let mut parsed = day_date(year, month, day, &cleaned)?;
                parsed.warnings.push(format!(
                    "日期“{cleaned}”把年份写在最后，按{year}年{month}月{day}日导入，请核实"
                ));
                Ok(parsed)
            }
            _ => Err(unreadable()),
        }
    }

    /// Interprets a number from a cell without a date format: a yyyymmdd number (`20190901`), an
    /// Excel serial in the 1900 date system (`43709` = 2019-09-01) for plausible serials (years
    /// 1990–2100), or a decimal like `2019.9` / `2019.10` written as a number (month precision,
    /// ambiguous `2019.1` warned as above). Errors otherwise.
    ///
    /// Also a yyyymm number (`201909`, month precision). A serial's time of day (`43709.5`) is dropped.
    /// `reference` is not used for numbers (they always carry the year); it is accepted for symmetry
    /// with [`ReportDate::parse`]. As an `f64`, `2019.10` and `2019.1` are the same number, so both are
    /// read as the ambiguous January.
    pub fn from_number(
        number: f64,
        reference: Option<NaiveDate>,
    ) -> Result<ParsedDate, ParseError> {
        let _ = reference;
        let shown = format!("{number}");
        let unreadable = || {
            ParseError::new(format!(
                "无法识别的日期“{shown}”：应为日期，如 2019.9.1、20190901"
            ))
        };
        if !number.is_finite() || number <= 0.0 || number >= 1e9 {
            return Err(unreadable());
        }
        let whole = number.trunc();
        // Exact: `whole` is a non-negative integer below 1e9.
        let integer = whole as i64;
        if number.fract() == 0.0 {
            if (10_000_000..=99_999_999).contains(&integer) {
                let year = i32::try_from(integer / 10_000).map_err(|_| unreadable())?;
                let month = u32::try_from(integer / 100 % 100).map_err(|_| unreadable())?;
                let day = u32::try_from(integer % 100).map_err(|_| unreadable())?;
                return day_date(year, month, day, &shown);
            }
            if (199_001..=210_012).contains(&integer) {
                let year = i32::try_from(integer / 100).map_err(|_| unreadable())?;
                let month = u32::try_from(integer % 100).map_err(|_| unreadable())?;
                return month_date(year, month, &shown);
            }
        }
        if (i64::from(MIN_YEAR)..=i64::from(MAX_YEAR)).contains(&integer) && number.fract() != 0.0 {
            // `2019.9` written as a number: year.month.
            let year = i32::try_from(integer).map_err(|_| unreadable())?;
            let month_digits = shown
                .split_once('.')
                .map(|(_, f)| f)
                .ok_or_else(unreadable)?;
            if month_digits == "1" {
                return ambiguous_january(year, &shown);
            }
            let month: u32 = month_digits.parse().map_err(|_| unreadable())?;
            return month_date(year, month, &shown);
        }
        match excel_serial_to_date(number) {
            Some(date) if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) => {
                Ok(Parsed::clean(ReportDate {
                    date,
                    precision: DatePrecision::Day,
                }))
            }
            _ => Err(unreadable()),
        }
    }

    /// Formats as `2019.9.1` (the seed's own spelling), or `2019.10` for month precision.
    pub fn to_form_text(&self) -> String {
        use chrono::Datelike;
        match self.precision {
            DatePrecision::Day => format!(
                "{}.{}.{}",
                self.date.year(),
                self.date.month(),
                self.date.day()
            ),
            DatePrecision::Month => format!("{}.{}", self.date.year(), self.date.month()),
        }
    }
}

/// A calendar quarter (季度) of a year; the plan's reporting period (三(三)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1–4.
    pub quarter: u8,
}

impl Quarter {
    /// The quarter containing `date`.
    pub fn of(date: NaiveDate) -> Self {
        use chrono::Datelike;
        Quarter {
            year: date.year(),
            quarter: ((date.month() - 1) / 3 + 1) as u8,
        }
    }

    /// First day of the quarter.
    pub fn first_day(&self) -> NaiveDate {
        let month = u32::from(self.quarter.clamp(1, 4)) * 3 - 2;
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Last day of the quarter.
    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The following quarter.
    pub fn next(&self) -> Quarter {
        if self.quarter >= 4 {
            Quarter {
                year: self.year + 1,
                quarter: 1,
            }
        } else {
            Quarter {
                year: self.year,
                quarter: self.quarter + 1,
            }
        }
    }

    /// Reports are due by the 30th of the quarter's last month (三(三)).
    pub fn report_deadline(&self) -> NaiveDate {
        let month = u32::from(self.quarter.clamp(1, 4)) * 3;
        NaiveDate::from_ymd_opt(self.year, month, 30).unwrap_or(NaiveDate::MAX)
    }

    /// The bulletin is due by the 10th of the next quarter's first month (三(三)).
    pub fn bulletin_deadline(&self) -> NaiveDate {
        let next = self.next();
        next.first_day().with_day0(9).unwrap_or(NaiveDate::MAX)
    }
}

use chrono::Datelike as _;

impl std::fmt::Display for Quarter {
    /// `2019年第3季度`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}年第{}季度", self.year, self.quarter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const REFERENCE: Option<NaiveDate> = NaiveDate::from_ymd_opt(2019, 9, 30);

    #[test]
    fn parses_full_dates() {
        let cases: &[(&str, NaiveDate)] = &[
            ("2019.9.1", ymd(2019, 9, 1)),
            ("2019-09-01", ymd(2019, 9, 1)),
            ("2019/9/1", ymd(2019, 9, 1)),
            ("2019年9月1日", ymd(2019, 9, 1)),
            ("2019年9月1号", ymd(2019, 9, 1)),
            ("2019 年 9 月 1 日", ymd(2019, 9, 1)),
            ("二〇一九年九月一日", ymd(2019, 9, 1)),
            ("2019年十二月三十一日", ymd(2019, 12, 31)),
            ("19年9月1日", ymd(2019, 9, 1)),
            ("9月1日", ymd(2019, 9, 1)),
            ("9.1", ymd(2019, 9, 1)),
            ("20190901", ymd(2019, 9, 1)),
            ("43709", ymd(2019, 9, 1)),
            ("２０１９．９．１", ymd(2019, 9, 1)),
            ("  2019.9.1\u{3000}", ymd(2019, 9, 1)),
            ("2019-09-01 00:00:00", ymd(2019, 9, 1)),
            ("2019-09-01T08:30", ymd(2019, 9, 1)),
            ("2020.2.29", ymd(2020, 2, 29)),
            ("2019.09.05.", ymd(2019, 9, 5)),
            ("2019。9。5。", ymd(2019, 9, 5)),
            ("2019-09-05.", ymd(2019, 9, 5)),
            ("2019/9/5.", ymd(2019, 9, 5)),
            ("20190905.", ymd(2019, 9, 5)),
            ("2019年9月5日。", ymd(2019, 9, 5)),
            ("9月5日.", ymd(2019, 9, 5)),
        ];
        for (text, date) in cases {
            let parsed = ReportDate::parse(text, REFERENCE).unwrap();
            assert_eq!(parsed.value.date, *date, "{text}");
            assert_eq!(parsed.value.precision, DatePrecision::Day, "{text}");
            assert!(parsed.warnings.is_empty(), "{text}: {:?}", parsed.warnings);
        }
    }

    /// Rule 2: a date without its year takes the year of 填报时间, or the year before when it would
    /// be a month or more after 填报时间 (a fourth-quarter form filed in January), with a
    /// warning; a few days after stays in the year (refused later as after 填报时间).
    #[test]
    fn a_date_without_year_long_after_the_reference_day_is_of_the_year_before() {
        let filed = NaiveDate::from_ymd_opt(2020, 1, 5);
        let cases: &[(&str, NaiveDate, DatePrecision, bool)] = &[
            ("12月30日", ymd(2019, 12, 30), DatePrecision::Day, true),
            ("12.30", ymd(2019, 12, 30), DatePrecision::Day, true),
            (
                "十二月三十一日",
                ymd(2019, 12, 31),
                DatePrecision::Day,
                true,
            ),
            ("7月5日", ymd(2019, 7, 5), DatePrecision::Day, true),
            ("7月4日", ymd(2019, 7, 4), DatePrecision::Day, true),
            ("2月5日", ymd(2019, 2, 5), DatePrecision::Day, true),
            ("2月4日", ymd(2020, 2, 4), DatePrecision::Day, false),
            ("1月9日", ymd(2020, 1, 9), DatePrecision::Day, false),
            ("1月5日", ymd(2020, 1, 5), DatePrecision::Day, false),
            ("1-3", ymd(2020, 1, 3), DatePrecision::Day, false),
            ("1月", ymd(2020, 1, 1), DatePrecision::Month, false),
        ];
        for (text, date, precision, earlier) in cases {
            let parsed = ReportDate::parse(text, filed).unwrap();
            assert_eq!(parsed.value.date, *date, "{text}");
            assert_eq!(parsed.value.precision, *precision, "{text}");
            let warned = parsed.warnings.iter().any(|w| w.contains("推定为2019年"));
            assert_eq!(warned, *earlier, "{text}: {:?}", parsed.warnings);
        }
        let parsed = ReportDate::parse("12月", filed).unwrap();
        assert_eq!(parsed.value.date, ymd(2019, 12, 1));
        assert_eq!(
            parsed.warnings,
            [
                "销售时间只精确到月".to_string(),
                "日期“12月”没有年份，按填报时间（2020-01-05）推定为2019年，请核实".to_string()
            ]
        );
        // A month by the calendar: from 填报时间 2019-01-31, 2019-02-28 is a month on.
        let end_of_january = NaiveDate::from_ymd_opt(2019, 1, 31);
        let february = ReportDate::parse("2月27日", end_of_january).unwrap();
        assert_eq!(february.value.date, ymd(2019, 2, 27));
        let february = ReportDate::parse("2月28日", end_of_january).unwrap();
        assert_eq!(february.value.date, ymd(2018, 2, 28));
        // A year's form filed in January: March to July are last year's.
        let filed_in_january = NaiveDate::from_ymd_opt(2020, 1, 10);
        for (text, date) in [("3月5日", ymd(2019, 3, 5)), ("7月3日", ymd(2019, 7, 3))] {
            let parsed = ReportDate::parse(text, filed_in_january).unwrap();
            assert_eq!(parsed.value.date, date, "{text}");
            assert_eq!(
                parsed.warnings,
                [format!(
                    "日期“{text}”没有年份，按填报时间（2020-01-10）推定为2019年，请核实"
                )]
            );
        }
        let june = ReportDate::parse("12月30日", NaiveDate::from_ymd_opt(2020, 6, 30)).unwrap();
        assert_eq!(june.value.date, ymd(2019, 12, 30));
        // 2月29日 of a form filed in March of a leap year, and of a common year.
        let leap = ReportDate::parse("2月29日", NaiveDate::from_ymd_opt(2020, 3, 1)).unwrap();
        assert_eq!(leap.value.date, ymd(2020, 2, 29));
        assert!(ReportDate::parse("2月29日", NaiveDate::from_ymd_opt(2019, 3, 1)).is_err());
    }

    #[test]
    fn text_without_context_names_the_year_a_typed_date_left_out() {
        let parsed = |text: &str| ReportDate::parse(text, REFERENCE).unwrap().value;
        assert_eq!(
            parsed("9月28日").text_without_context("9月28日").as_deref(),
            Some("2019年9月28日")
        );
        assert_eq!(
            parsed("9.28").text_without_context("9.28").as_deref(),
            Some("2019年9月28日")
        );
        assert_eq!(
            parsed("9月").text_without_context("9月").as_deref(),
            Some("2019年9月")
        );
        for typed in ["2019.9.28", "2019年9月28日", "20190928", "2019.10"] {
            assert_eq!(parsed(typed).text_without_context(typed), None, "{typed}");
        }
    }

    #[test]
    fn month_precision_and_ambiguity_warn() {
        let cases: &[(&str, NaiveDate, &str)] = &[
            ("2019.10", ymd(2019, 10, 1), "销售时间只精确到月"),
            ("2019.9", ymd(2019, 9, 1), "销售时间只精确到月"),
            ("2019.01", ymd(2019, 1, 1), "销售时间只精确到月"),
            ("2019-10", ymd(2019, 10, 1), "销售时间只精确到月"),
            ("2019年10月", ymd(2019, 10, 1), "销售时间只精确到月"),
            ("201910", ymd(2019, 10, 1), "销售时间只精确到月"),
            (
                "2019.1",
                ymd(2019, 1, 1),
                "日期“2019.1”含义不明（1月还是10月？），请核实",
            ),
        ];
        for (text, date, warning) in cases {
            let parsed = ReportDate::parse(text, REFERENCE).unwrap();
            assert_eq!(parsed.value.date, *date, "{text}");
            assert_eq!(parsed.value.precision, DatePrecision::Month, "{text}");
            assert_eq!(parsed.warnings, vec![warning.to_string()], "{text}");
        }
    }

    #[test]
    fn a_year_written_last_is_read_when_a_part_above_12_tells_the_day() {
        for text in ["9/15/2019", "15/9/2019", "9-15-2019", "15.9.2019"] {
            let parsed = ReportDate::parse(text, REFERENCE).unwrap();
            assert_eq!(parsed.value.date, ymd(2019, 9, 15), "{text}");
            assert_eq!(parsed.value.precision, DatePrecision::Day, "{text}");
            assert_eq!(
                parsed.warnings,
                vec![format!(
                    "日期“{text}”把年份写在最后，按2019年9月15日导入，请核实"
                )],
                "{text}"
            );
        }
        let parsed = ReportDate::parse("9/9/2019", REFERENCE).unwrap();
        assert_eq!(parsed.value.date, ymd(2019, 9, 9));
        assert_eq!(parsed.warnings.len(), 1);
        assert!(ReportDate::parse("13/13/2019", REFERENCE).is_err());
    }

    #[test]
    fn rejects_unreadable_and_impossible_dates() {
        let cases: &[(&str, Option<NaiveDate>, &str)] = &[
            ("", REFERENCE, "日期为空"),
            ("2019.2.30", REFERENCE, "日期“2019.2.30”不存在"),
            ("2019-13-01", REFERENCE, "不存在"),
            ("2019年2月29日", REFERENCE, "不存在"),
            ("20190230", REFERENCE, "不存在"),
            ("2019.13", REFERENCE, "不存在"),
            ("9月1日", None, "缺少填报时间"),
            ("9.1", None, "缺少填报时间"),
            ("昨天", REFERENCE, "无法识别的日期“昨天”"),
            ("2019", REFERENCE, "无法识别的日期"),
            (
                "1/9/2019",
                REFERENCE,
                "无法判断哪个是月、哪个是日，请写成 2019-月-日",
            ),
            ("15/13/2019", REFERENCE, "日期“15/13/2019”不存在"),
            ("2/30/2019", REFERENCE, "日期“2/30/2019”不存在"),
            ("1/9/20190", REFERENCE, "无法识别的日期"),
            ("2019..1", REFERENCE, "无法识别的日期"),
            ("2019.9.1.5", REFERENCE, "无法识别的日期"),
            ("1819.9.1", REFERENCE, "年份1819不合理"),
            ("12345", REFERENCE, "无法识别的日期"),
            ("2019年", REFERENCE, "无法识别的日期"),
        ];
        for (text, reference, needle) in cases {
            match ReportDate::parse(text, *reference) {
                Err(e) => assert!(e.message.contains(needle), "{text}: {:?}", e.message),
                Ok(d) => panic!("{text} parsed as {:?}", d.value),
            }
        }
    }

    #[test]
    fn numbers_from_cells() {
        let day_cases: &[(f64, NaiveDate)] = &[
            (43709.0, ymd(2019, 9, 1)),
            (43709.75, ymd(2019, 9, 1)),
            (43738.0, ymd(2019, 9, 30)),
            (20190901.0, ymd(2019, 9, 1)),
            (32874.0, ymd(1990, 1, 1)),
        ];
        for (number, date) in day_cases {
            let parsed = ReportDate::from_number(*number, None).unwrap();
            assert_eq!(
                parsed.value,
                ReportDate {
                    date: *date,
                    precision: DatePrecision::Day
                },
                "{number}"
            );
            assert!(parsed.warnings.is_empty());
        }
        let month_cases: &[(f64, NaiveDate, &str)] = &[
            (2019.9, ymd(2019, 9, 1), "销售时间只精确到月"),
            (2019.12, ymd(2019, 12, 1), "销售时间只精确到月"),
            (201909.0, ymd(2019, 9, 1), "销售时间只精确到月"),
            (
                2019.1,
                ymd(2019, 1, 1),
                "日期“2019.1”含义不明（1月还是10月？），请核实",
            ),
            (
                2019.10,
                ymd(2019, 1, 1),
                "日期“2019.1”含义不明（1月还是10月？），请核实",
            ),
        ];
        for (number, date, warning) in month_cases {
            let parsed = ReportDate::from_number(*number, None).unwrap();
            assert_eq!(
                parsed.value,
                ReportDate {
                    date: *date,
                    precision: DatePrecision::Month
                },
                "{number}"
            );
            assert_eq!(parsed.warnings, vec![warning.to_string()], "{number}");
        }
        for bad in [
            0.0,
            -1.0,
            60.0,
            100.0,
            2019.13,
            20190230.0,
            1e300,
            f64::NAN,
            f64::INFINITY,
            99999.0,
        ] {
            assert!(ReportDate::from_number(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn excel_serials_follow_the_1900_system() {
        let cases: &[(f64, Option<NaiveDate>)] = &[
            (1.0, Some(ymd(1900, 1, 1))),
            (59.0, Some(ymd(1900, 2, 28))),
            (60.0, None),
            (61.0, Some(ymd(1900, 3, 1))),
            (43709.0, Some(ymd(2019, 9, 1))),
            (43709.999, Some(ymd(2019, 9, 1))),
            (0.0, None),
            (-5.0, None),
            (f64::NAN, None),
            (1e18, None),
        ];
        for (serial, expected) in cases {
            assert_eq!(excel_serial_to_date(*serial), *expected, "{serial}");
        }
    }

    #[test]
    fn form_text_and_quarters() {
        let day = ReportDate {
            date: ymd(2019, 9, 1),
            precision: DatePrecision::Day,
        };
        assert_eq!(day.to_form_text(), "2019.9.1");
        let month = ReportDate {
            date: ymd(2019, 10, 1),
            precision: DatePrecision::Month,
        };
        assert_eq!(month.to_form_text(), "2019.10");
        let q = Quarter::of(ymd(2019, 9, 1));
        assert_eq!(
            q,
            Quarter {
                year: 2019,
                quarter: 3
            }
        );
        assert_eq!(q.report_deadline(), ymd(2019, 9, 30));
        assert_eq!(q.bulletin_deadline(), ymd(2019, 10, 10));
        assert_eq!(q.last_day(), ymd(2019, 9, 30));
        assert_eq!(
            Quarter::of(ymd(2019, 12, 31)).next(),
            Quarter {
                year: 2020,
                quarter: 1
            }
        );
    }

    #[test]
    fn typing_slips_in_dates_are_read() {
        let day = |text: &str| ReportDate::parse(text, REFERENCE).unwrap();
        assert_eq!(day("2019。9。4").value.date, ymd(2019, 9, 4));
        assert_eq!(day("2019.9.5日").value.date, ymd(2019, 9, 5));
        assert_eq!(day("2019-9-6号").value.date, ymd(2019, 9, 6));
        let short = day("19.9.3");
        assert_eq!(short.value.date, ymd(2019, 9, 3));
        assert_eq!(
            short.warnings,
            ["日期“19.9.3”的年份只写了两位，按2019年导入，请核实"]
        );
        assert!(ReportDate::parse("19.9.31", REFERENCE).is_err());
    }
}
