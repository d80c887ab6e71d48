//! A file read into sheets of cells, whatever its format (xlsx, xls, csv, html table).
//!
//! A [`GridSheet`] is sparse: it holds only the rows that have at least one non-empty cell and,
//! in each row, only the non-empty cells. It is never sized from a declared dimension (rule 21).
//! Merged regions are filled: every covered cell gets the top-left value (bounded by the cells
//! present, so a merge declared over a whole column costs nothing).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;

/// Most non-empty cells a file may hold (all sheets together). About 40 bytes each.
pub(crate) const MAX_CELLS: usize = 10_000_000;
/// Most cells (empty ones included) a reader may walk through before giving up.
pub(crate) const MAX_CELLS_SCANNED: usize = 60_000_000;
/// Most cells that merged-region filling may add to one sheet.
const MAX_MERGE_FILL: usize = 2_000_000;

/// One cell's value as stored in the file (formulas: the cached value).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CellValue {
    /// Text as stored (not yet trimmed).
    Text(String),
    /// An integer number (xls `Int`, or a CSV/HTML reader never produces it).
    Int(i64),
    /// A number cell without a date format.
    Number(f64),
    /// TRUE/FALSE.
    Bool(bool),
    /// A number cell with a date format, already converted (1900/1904 systems handled).
    Date(NaiveDateTime),
    /// An error value such as `#N/A`.
    Error(String),
}

impl CellValue {
    /// The text a clerk sees for this value: text as stored, numbers in their shortest decimal
    /// form without exponent and without a trailing `.0` (so a phone stored as a number reads
    /// `17700001234`), dates as `2019-09-01`.
    pub(crate) fn to_text(&self) -> String {
        match self {
            CellValue::Text(s) => s.clone(),
            CellValue::Int(i) => i.to_string(),
            CellValue::Number(f) => number_text(*f),
            CellValue::Bool(true) => "TRUE".to_string(),
            CellValue::Bool(false) => "FALSE".to_string(),
            CellValue::Date(d) => {
                if d.time() == chrono::NaiveTime::MIN {
                    d.date().format("%Y-%m-%d").to_string()
                } else {
                    d.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            CellValue::Error(e) => e.clone(),
        }
    }

    /// True when the value shows nothing (empty or whitespace-only text).
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            CellValue::Text(s) => s.chars().all(is_blank_char),
            _ => false,
        }
    }
}

/// Whitespace of every kind a clerk's cell may hold (incl. U+3000, NBSP, zero-width space, BOM).
pub(crate) fn is_blank_char(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00A0}'
        )
}

/// The decimal text a clerk sees for a number: first rounded to 15 significant digits, as Excel
/// and WPS display and compute (so a formula's cached `9.8999999999999986` from `=3*3.3` reads
/// `9.9`, and `0.30000000000000004` reads `0.3`), then the shortest decimal form without an
/// exponent: `0.0215` stays `0.0215`, `17700001234.0` is `17700001234`.
pub(crate) fn number_text(f: f64) -> String {
    if f == 0.0 {
        // Also turns -0 into 0.
        return "0".to_string();
    }
    let shortest = format!("{f}");
    if significant_digits(&shortest) <= 15 {
        // Already within 15 digits: rounding to 15 gives the same number back (the common case,
        // one formatting instead of three steps).
        return shortest;
    }
    let excel_precision: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{excel_precision}")
}

/// Significant digits of a plain decimal text (`-0.0215` → 3, `17700001234` → 9, `1000` → 1).
fn significant_digits(text: &str) -> usize {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_digit).collect();
    let start = digits.iter().position(|d| *d != b'0');
    let end = digits.iter().rposition(|d| *d != b'0');
    match (start, end) {
        (Some(start), Some(end)) => end + 1 - start,
        _ => 0,
    }
}

/// One row: its Excel row number (1-based), whether it was saved hidden, and its non-empty cells
/// as (0-based column, value), sorted by column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GridRow {
    pub number: u32,
    pub hidden: bool,
    pub cells: Vec<(u32, CellValue)>,
}

impl GridRow {
    /// The value in a 0-based column.
    pub(crate) fn get(&self, col: u32) -> Option<&CellValue> {
        self.cells
            .binary_search_by_key(&col, |(c, _)| *c)
            .ok()
            .and_then(|i| self.cells.get(i))
            .map(|(_, v)| v)
    }
}

/// One sheet of a workbook (a CSV or HTML file is one sheet).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct GridSheet {
    pub name: String,
    /// Rows with content, in row order.
    pub rows: Vec<GridRow>,
    /// Formula text of formula cells that may matter ([`formula_matters`]: hyperlinks, sums,
    /// formulas saved without a result), by (row 1-based, col 0-based).
    pub formulas: HashMap<(u32, u32), String>,
    /// Hyperlink targets attached to cells (xlsx `<hyperlink>`), by (row 1-based, col 0-based).
    pub links: HashMap<(u32, u32), String>,
    /// The sheet tab was hidden in the workbook.
    pub hidden_sheet: bool,
    /// Columns saved hidden, as 0-based inclusive ranges (xlsx `<col hidden="1">`, xls COLINFO).
    pub hidden_columns: Vec<(u32, u32)>,
    /// Every cell was read as text (a CSV file, an HTML table): a number Excel stored reaches us
    /// as the text it showed, so `1.1` may be a month.day that lost its trailing zero.
    pub cells_are_text: bool,
    /// The unit a number cell's format shows after the number ([`format_unit`]: `50` formatted
    /// `0"斤"` shows `50斤`), by (row 1-based, col 0-based); only cells whose format has one.
    pub format_units: HashMap<(u32, u32), Arc<str>>,
    /// The merged regions as read (0-based, see [`Merge`]); their cells are filled already.
    pub merges: Vec<Merge>,
}

impl GridSheet {
    /// Whether the 0-based column `col` was saved hidden.
    pub(crate) fn column_hidden(&self, col: u32) -> bool {
        self.hidden_columns
            .iter()
            .any(|(first, last)| (*first..=*last).contains(&col))
    }

    /// The text a cell shows: [`CellValue::to_text`], followed for a number by the unit its
    /// format shows ([`GridSheet::format_units`]): `50` formatted `0"斤"` → `50斤`.
    pub(crate) fn shown_text(&self, row: &GridRow, col: u32) -> String {
        let Some(value) = row.get(col) else {
            return String::new();
        };
        let text = value.to_text();
        match (value, self.format_unit(row.number, col)) {
            (CellValue::Number(_) | CellValue::Int(_), Some(unit)) => format!("{text}{unit}"),
            _ => text,
        }
    }

    /// The unit shown by the format of the number cell at (row 1-based, col 0-based), if any.
    pub(crate) fn format_unit(&self, row: u32, col: u32) -> Option<&str> {
        if self.format_units.is_empty() {
            return None;
        }
        self.format_units.get(&(row, col)).map(|unit| &**unit)
    }

    /// Keeps the units of `candidates` (cells, (row 1-based, col 0-based), whose style's format
    /// shows a unit) for the number cells among them ([`GridSheet::format_units`]), then gives
    /// the cells a merged region filled ([`SheetBuilder::finish`]) the unit of its top-left cell,
    /// as Excel shows the merged value.
    pub(crate) fn add_format_units(
        &mut self,
        candidates: impl IntoIterator<Item = ((u32, u32), Arc<str>)>,
    ) {
        for (cell, unit) in candidates {
            let is_number = self
                .row(cell.0)
                .and_then(|row| row.get(cell.1))
                .is_some_and(|value| matches!(value, CellValue::Number(_) | CellValue::Int(_)));
            if is_number {
                self.format_units.insert(cell, unit);
            }
        }
        if self.format_units.is_empty() {
            return;
        }
        let mut added = 0usize;
        for &(first_row, first_col, last_row, last_col) in &self.merges {
            let (first, last) = (first_row.saturating_add(1), last_row.saturating_add(1));
            let Some(unit) = self.format_units.get(&(first, first_col)).cloned() else {
                continue;
            };
            let start = self.rows.partition_point(|row| row.number < first);
            for row in self.rows.get(start..).unwrap_or(&[]) {
                if row.number > last || added >= MAX_MERGE_FILL {
                    break;
                }
                for (col, value) in &row.cells {
                    if (first_col..=last_col).contains(col)
                        && matches!(value, CellValue::Number(_) | CellValue::Int(_))
                    {
                        self.format_units.insert((row.number, *col), unit.clone());
                        added += 1;
                    }
                }
            }
        }
    }

    /// The row with this Excel row number.
    pub(crate) fn row(&self, number: u32) -> Option<&GridRow> {
        self.rows
            .binary_search_by_key(&number, |r| r.number)
            .ok()
            .and_then(|i| self.rows.get(i))
    }
}

/// The unit a number format shows after the number, as written in its first section: the text
/// in quotes or escaped (`0"斤"`, `#,##0.00"元"`, `0.0\公斤`, `G/通用格式"万元"`) or a literal
/// character of its own (`0斤`, as WPS may save it) after the last digit placeholder. Colours and
/// locales in brackets, padding (`_)`) and fills (`*`) are not text; a currency before the number
/// (`"¥"0.00"/斤"` → `/斤`) is not part of the unit.
///
/// `None` when the format shows no text after the number (`#,##0.00`, `0.00_ `), shows no number
/// (`@`), or shows another number than the one stored, so that the unit is not the stored
/// number's: scaled by thousands commas or percent (`0.0,"万元"` shows 9000 as `9.0万元`; the
/// stored 9000 is in yuan), text inside the number (`0!.0000"万元"`), an exponent, or a section
/// chosen by a condition (`[>100]0"吨";0"斤"`).
pub(crate) fn format_unit(code: &str) -> Option<String> {
    let mut unit = String::new();
    let mut shows_number = false;
    // The last character of the number part: `,` or `%` at the end scale the number.
    let mut last_number_mark = ' ';
    let mut chars = code.chars().peekable();
    let mut in_quote = false;
    while let Some(c) = chars.next() {
        if in_quote {
            if c == '"' {
                in_quote = false;
            } else {
                unit.push(c);
            }
            continue;
        }
        match c {
            '"' => in_quote = true,
            '\\' | '!' => unit.extend(chars.next()),
            // Padding and fill take the next character with them.
            '_' | '*' => {
                chars.next();
            }
            '[' => {
                let inside: String = chars.by_ref().take_while(|c| *c != ']').collect();
                if inside.starts_with(['<', '>', '=']) {
                    return None;
                }
            }
            ';' => break,
            '0' | '#' | '?' | '.' | ',' | '%' => {
                if shows_number && !unit.trim_matches(is_blank_char).is_empty() {
                    // Text between digits: the number shown is not the number stored.
                    return None;
                }
                shows_number = true;
                last_number_mark = c;
                unit.clear();
            }
            'E' | 'e' if matches!(chars.peek(), Some('+' | '-')) => return None,
            '@' => return None,
            'G' | 'g' => {
                // `General`, or `G/通用格式` as Chinese Excel and WPS write it.
                let rest: String = chars.clone().collect();
                let word = ["eneral", "ENERAL", "/通用格式"]
                    .into_iter()
                    .find(|word| rest.starts_with(word));
                match word {
                    Some(word) => {
                        for _ in 0..word.chars().count() {
                            chars.next();
                        }
                        shows_number = true;
                        last_number_mark = '0';
                        unit.clear();
                    }
                    None => unit.push(c),
                }
            }
            c => unit.push(c),
        }
    }
    if matches!(last_number_mark, ',' | '%') {
        return None;
    }
    let unit = unit.trim_matches(is_blank_char);
    (shows_number && !unit.is_empty()).then(|| unit.to_string())
}

/// Whether the readers keep a formula's text, given the value saved with it: a `HYPERLINK(…)`
/// (rule 19: 网店网址 may take its first argument), a `SUM(…)` or `SUBTOTAL(…)` (not `DSUM`: a
/// 合计 that is a sum leaves text amounts out, which explains a difference; also a sum of cells
/// `H7+H10`, the 小计 rows a 合计 adds), and any formula
/// saved without its result
/// ([`is_a_result`]; a file written by a program that does not calculate), so that an empty
/// required cell can say why it is empty.
pub(crate) fn formula_matters(formula: &str, saved: Option<&CellValue>) -> bool {
    if !is_a_result(saved) {
        return true;
    }
    let formula = formula.to_ascii_uppercase();
    let sums = formula
        .match_indices("SUM(")
        .any(|(at, _)| !formula[..at].ends_with(|c: char| c.is_ascii_alphabetic()));
    // `H7+H10`: a 合计 adding 小计 rows, which are sums themselves.
    let adds_cells = formula.contains('+')
        && formula
            .trim_start_matches('=')
            .split('+')
            .all(|term| is_cell_reference(term.trim()));
    formula.contains("HYPERLINK") || sums || formula.contains("SUBTOTAL(") || adds_cells
}

/// `H7`, `$H$10`, `h7` (upper-cased by the caller): column letters, then a row number.
fn is_cell_reference(term: &str) -> bool {
    let term = term.replace('$', "");
    let letters = term.chars().take_while(char::is_ascii_alphabetic).count();
    (1..=3).contains(&letters)
        && term.len() > letters
        && term[letters..].chars().all(|c| c.is_ascii_digit())
}

/// Whether a formula cell's saved value is a result: not missing and not empty text (xlwt and
/// other writers that do not calculate save an empty string).
pub(crate) fn is_a_result(value: Option<&CellValue>) -> bool {
    match value {
        None => false,
        Some(CellValue::Text(text)) => !text.is_empty(),
        Some(_) => true,
    }
}

/// The 0-based inclusive column range of an xlsx `<col min=".." max=".." hidden="1">` element
/// (`min`/`max` 1-based), when it is hidden and well-formed.
pub(crate) fn hidden_column_range(
    min: Option<&str>,
    max: Option<&str>,
    hidden: Option<&str>,
) -> Option<(u32, u32)> {
    if !hidden.is_some_and(|h| matches!(h.trim(), "1" | "true")) {
        return None;
    }
    let first = min?.trim().parse::<u32>().ok()?.checked_sub(1)?;
    let last = max?.trim().parse::<u32>().ok()?.checked_sub(1)?;
    (first <= last).then_some((first, last))
}

/// A merged region in 0-based (first row, first col, last row, last col).
pub(crate) type Merge = (u32, u32, u32, u32);

/// Collects cells in any order and builds a [`GridSheet`].
#[derive(Debug, Default)]
pub(crate) struct SheetBuilder {
    rows: Vec<GridRow>,
    /// Rows or cells arrived out of order: sort on finish.
    unsorted: bool,
    cells: usize,
}

impl SheetBuilder {
    /// A new, empty builder.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Number of non-empty cells pushed so far.
    pub(crate) fn cell_count(&self) -> usize {
        self.cells
    }

    /// Adds the rows of `later` (read from the XML after this builder's) after this builder's
    /// rows; `finish` sorts them when they overlap.
    pub(crate) fn append(&mut self, later: SheetBuilder) {
        if let (Some(last), Some(first)) = (self.rows.last(), later.rows.first())
            && last.number >= first.number
        {
            self.unsorted = true;
        }
        self.unsorted |= later.unsorted;
        self.cells += later.cells;
        self.rows.extend(later.rows);
    }

    /// Adds a cell at (1-based row, 0-based col). Blank text is dropped.
    pub(crate) fn push(&mut self, row: u32, col: u32, value: CellValue) {
        if value.is_blank() {
            return;
        }
        self.cells += 1;
        match self.rows.last_mut() {
            Some(last) if last.number == row => {
                if last.cells.last().is_some_and(|(c, _)| *c >= col) {
                    self.unsorted = true;
                }
                last.cells.push((col, value));
            }
            Some(last) => {
                if last.number > row {
                    self.unsorted = true;
                }
                // Rows of a table are alike: size the new row like the previous one.
                let mut cells = Vec::with_capacity(last.cells.len().clamp(1, 64));
                cells.push((col, value));
                self.rows.push(GridRow {
                    number: row,
                    hidden: false,
                    cells,
                });
            }
            None => self.rows.push(GridRow {
                number: row,
                hidden: false,
                cells: vec![(col, value)],
            }),
        }
    }

    /// Sorts, merges duplicate rows/cells (the last value of a cell wins), marks hidden rows and
    /// fills merged regions.
    pub(crate) fn finish(
        mut self,
        name: String,
        hidden_rows: &[u32],
        merges: &[Merge],
    ) -> GridSheet {
        if self.unsorted {
            self.rows.sort_by_key(|r| r.number);
            let mut merged: Vec<GridRow> = Vec::with_capacity(self.rows.len());
            for row in self.rows {
                match merged.last_mut() {
                    Some(last) if last.number == row.number => last.cells.extend(row.cells),
                    _ => merged.push(row),
                }
            }
            for row in &mut merged {
                // Stable sort keeps file order among equal columns; keep the last one.
                row.cells.sort_by_key(|(c, _)| *c);
                let mut dedup: Vec<(u32, CellValue)> = Vec::with_capacity(row.cells.len());
                for cell in row.cells.drain(..) {
                    match dedup.last_mut() {
                        Some(last) if last.0 == cell.0 => *last = cell,
                        _ => dedup.push(cell),
                    }
                }
                row.cells = dedup;
            }
            self.rows = merged;
        }
        for number in hidden_rows {
            if let Ok(i) = self.rows.binary_search_by_key(number, |r| r.number)
                && let Some(row) = self.rows.get_mut(i)
            {
                row.hidden = true;
            }
        }
        let mut sheet = GridSheet {
            name,
            rows: self.rows,
            merges: merges.to_vec(),
            ..GridSheet::default()
        };
        fill_merges(&mut sheet.rows, merges);
        sheet
    }
}

/// Copies each merged region's top-left value into the other covered cells of the rows present,
/// within the columns present. Bounded by [`MAX_MERGE_FILL`].
fn fill_merges(rows: &mut [GridRow], merges: &[Merge]) {
    if merges.is_empty() || rows.is_empty() {
        return;
    }
    let max_col = rows
        .iter()
        .filter_map(|r| r.cells.last().map(|(c, _)| *c))
        .max()
        .unwrap_or(0);
    let mut budget = MAX_MERGE_FILL;
    for &(r0, c0, r1, c1) in merges {
        if r1 < r0 || c1 < c0 || c0 > max_col {
            continue;
        }
        let (first_row, last_row) = (r0.saturating_add(1), r1.saturating_add(1));
        let value = match rows.binary_search_by_key(&first_row, |r| r.number) {
            Ok(i) => rows.get(i).and_then(|r| r.get(c0)).cloned(),
            Err(_) => None,
        };
        let Some(value) = value else { continue };
        let last_col = c1.min(max_col);
        let start = rows.partition_point(|r| r.number < first_row);
        for row in rows.iter_mut().skip(start) {
            if row.number > last_row || budget == 0 {
                break;
            }
            for col in c0..=last_col {
                if budget == 0 {
                    break;
                }
                if let Err(pos) = row.cells.binary_search_by_key(&col, |(c, _)| *c) {
                    row.cells.insert(pos, (col, value.clone()));
                    budget -= 1;
                }
            }
        }
    }
}

/// Parses an A1-style reference (`H7`, `$H$7`) into (1-based row, 0-based col).
pub(crate) fn parse_a1(reference: &str) -> Option<(u32, u32)> {
    let mut col: u32 = 0;
    let mut row: u32 = 0;
    let mut seen_letter = false;
    let mut seen_digit = false;
    for ch in reference.chars() {
        match ch {
            '$' => {}
            'A'..='Z' | 'a'..='z' if !seen_digit => {
                seen_letter = true;
                let v = u32::from(ch.to_ascii_uppercase()) - u32::from('A') + 1;
                col = col.checked_mul(26)?.checked_add(v)?;
            }
            '0'..='9' if seen_letter => {
                seen_digit = true;
                row = row
                    .checked_mul(10)?
                    .checked_add(u32::from(ch) - u32::from('0'))?;
            }
            _ => return None,
        }
    }
    if !seen_letter || !seen_digit || row == 0 || col == 0 || col > 16_384 || row > 1_048_576 {
        return None;
    }
    Some((row, col - 1))
}

/// Parses `A1:I2` (or a single `A1`) into a 0-based merge rectangle.
pub(crate) fn parse_range(reference: &str) -> Option<Merge> {
    let (a, b) = match reference.split_once(':') {
        Some((a, b)) => (a, b),
        None => (reference, reference),
    };
    let (r0, c0) = parse_a1(a.trim())?;
    let (r1, c1) = parse_a1(b.trim())?;
    Some((r0.min(r1) - 1, c0.min(c1), r0.max(r1) - 1, c0.max(c1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_and_links_are_the_formulas_kept() {
        let saved = CellValue::Number(600.0);
        for kept in [
            "SUM(H5:H9)",
            "H7+H10",
            "$H$7 + $H$10",
            "SUBTOTAL(9,H5:H9)",
            "HYPERLINK(\"x\")",
        ] {
            assert!(formula_matters(kept, Some(&saved)), "{kept}");
        }
        for dropped in ["DSUM(A1:H9,8,J1:J2)", "H7*2", "H7+1", "H7", "G5*F5"] {
            assert!(!formula_matters(dropped, Some(&saved)), "{dropped}");
        }
        assert!(formula_matters("H7*2", None));
    }

    #[test]
    fn format_units_are_the_text_after_the_number() {
        for (code, unit) in [
            (r#"0"斤""#, Some("斤")),
            (r#"0.0"公斤""#, Some("公斤")),
            (r#"#,##0.00"元""#, Some("元")),
            (r#"0.0000"万元";[Red]-0.0000"万元""#, Some("万元")),
            (r#"0.00"元/斤""#, Some("元/斤")),
            (r#"G/通用格式"吨""#, Some("吨")),
            (r#"General" kg""#, Some("kg")),
            (r"0\斤", Some("斤")),
            ("0斤", Some("斤")),
            (r#"[$-804]0" 箱""#, Some("箱")),
            // A currency before the number is no part of the unit.
            (r#""¥"0.00"/斤""#, Some("/斤")),
            (r#"[$¥-804]0.00"元/斤""#, Some("元/斤")),
            // A number shown scaled, with text inside, by a condition: not the stored number's.
            (r#""约"0"斤""#, Some("斤")),
            (r#"#,##0.00 "元""#, Some("元")),
            (r#"0.0,"万元""#, None),
            (r#"0!.0000"万元""#, None),
            (r#"0!.0,"万元""#, None),
            (r#"0\.0000"万元""#, None),
            (r#"[>=10000]0.0,"万元";0"元""#, None),
            (r#"[>100]0"吨";0"斤""#, None),
            (r#"0%"斤""#, None),
            (r#"0.0E+00"斤""#, None),
            (r#"# ?/?"斤""#, None),
            // Currency before the number, padding, percent, no unit at all.
            (r##""¥"#,##0.00"##, None),
            ("[$¥-804]#,##0.00", None),
            ("#,##0.00_);(#,##0.00)", None),
            (r#"#,##0.00" ""#, None),
            ("0%", None),
            ("0.00E+00", None),
            ("General", None),
            ("G/通用格式", None),
            ("@", None),
            (r#"@"斤""#, None),
            (r#""斤""#, None),
        ] {
            assert_eq!(format_unit(code).as_deref(), unit, "{code}");
        }
    }

    #[test]
    fn a_number_shows_its_format_unit_and_text_does_not() {
        let mut sheet = GridSheet {
            rows: vec![GridRow {
                number: 5,
                hidden: false,
                cells: vec![
                    (6, CellValue::Number(30.0)),
                    (7, CellValue::Text("90".into())),
                    (8, CellValue::Int(12)),
                ],
            }],
            ..GridSheet::default()
        };
        let row = sheet.rows[0].clone();
        assert_eq!(sheet.shown_text(&row, 6), "30");
        for col in 6..=8 {
            sheet.format_units.insert((5, col), Arc::from("斤"));
        }
        assert_eq!(sheet.shown_text(&row, 6), "30斤");
        assert_eq!(sheet.shown_text(&row, 7), "90");
        assert_eq!(sheet.shown_text(&row, 8), "12斤");
        assert_eq!(sheet.shown_text(&row, 9), "");
    }

    proptest::proptest! {
        /// The short cut of `number_text` gives what rounding to 15 digits always gave.
        #[test]
        fn number_text_equals_rounding_to_15_digits(
            bits in proptest::prelude::any::<u64>(),
            cents in 0i64..100_000_000_000,
            scale in 0u32..8,
            ratio in (1u32..1000, 1u32..1000),
        ) {
            let slow = |f: f64| -> String {
                if f == 0.0 {
                    return "0".to_string();
                }
                let excel_precision: f64 = format!("{f:.14e}").parse().unwrap_or(f);
                format!("{excel_precision}")
            };
            let money = cents as f64 / 10f64.powi(scale as i32);
            let computed = money * f64::from(ratio.0) / f64::from(ratio.1);
            for f in [f64::from_bits(bits), money, -money, computed, computed * 3.3] {
                if f.is_finite() {
                    proptest::prop_assert_eq!(number_text(f), slow(f), "{}", f);
                }
            }
        }
    }

    fn text(s: &str) -> CellValue {
        CellValue::Text(s.to_string())
    }

    #[test]
    #[allow(clippy::excessive_precision, clippy::inconsistent_digit_grouping)]
    fn numbers_read_as_their_shortest_decimal_text() {
        assert_eq!(number_text(17700001234.0), "17700001234");
        assert_eq!(number_text(0.0215), "0.0215");
        assert_eq!(number_text(52.5), "52.5");
        assert_eq!(number_text(1e21), "1000000000000000000000");
        assert_eq!(number_text(-0.0), "0");
        // Float noise below Excel's 15 significant digits is not a third decimal.
        assert_eq!(number_text(3.0 * 3.3), "9.9");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(99.999_999_999_999_986), "100");
        assert_eq!(number_text(1234.559_999_999_999_9), "1234.56");
        assert_eq!(number_text(0.021_499_999_999_999_998), "0.0215");
        // A real third decimal stays (and is then questioned by the amount parser).
        assert_eq!(number_text(9.905), "9.905");
        assert_eq!(CellValue::Int(20190901).to_text(), "20190901");
    }

    #[test]
    fn a1_references_parse_and_reject_nonsense() {
        assert_eq!(parse_a1("A1"), Some((1, 0)));
        assert_eq!(parse_a1("$H$7"), Some((7, 7)));
        assert_eq!(parse_a1("Z1048576"), Some((1_048_576, 25)));
        assert_eq!(parse_a1("AA10"), Some((10, 26)));
        assert_eq!(parse_a1("1A"), None);
        assert_eq!(parse_a1("A0"), None);
        assert_eq!(parse_a1("ZZZZZZZZ1"), None);
        assert_eq!(parse_a1("A99999999999"), None);
        assert_eq!(parse_range("A2:I2"), Some((1, 0, 1, 8)));
        assert_eq!(parse_range("I3:A2"), Some((1, 0, 2, 8)));
    }

    #[test]
    fn builder_sorts_dedups_and_fills_merges_within_present_cells() {
        let mut b = SheetBuilder::new();
        b.push(3, 2, text("c"));
        b.push(1, 0, text("title"));
        b.push(3, 0, text("a"));
        b.push(3, 0, text("a2"));
        b.push(2, 1, text("   "));
        b.push(5, 1, text("x"));
        // A1:Z1048576 merge must not allocate a million rows.
        let sheet = b.finish("S".into(), &[3], &[(0, 0, 0, 3), (2, 1, 1_048_575, 25)]);
        assert_eq!(sheet.rows.len(), 3);
        let r1 = sheet.row(1).unwrap();
        assert_eq!(
            r1.cells.len(),
            3,
            "title filled over the present columns only: {r1:?}"
        );
        let r3 = sheet.row(3).unwrap();
        assert!(r3.hidden);
        assert_eq!(r3.get(0), Some(&text("a2")));
        assert_eq!(r3.get(2), Some(&text("c")));
        assert!(sheet.row(2).is_none());
    }
}
