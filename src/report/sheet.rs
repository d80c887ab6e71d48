//! A small writer of print-ready document sheets (the quarterly bulletin, the county supply
//! catalogue) with rust_xlsxwriter, in the style of the official forms ([`crate::forms::export`]):
//! 宋体, hand-set column widths and row heights (merged and wrapped cells never grow by themselves),
//! thin borders, A4 with fit-to-width, footer `第 &P 页 共 &N 页`.
//!
//! The sheet is a grid of fixed columns; each written row places cells over column spans. Money is
//! written in 万元 (two decimals); `f64` appears only here, at the cell boundary.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::domain::Money;
use crate::forms::export::{FONT_NAME, line_count};

/// Height (pt) of one line of body text, and the padding of a table row.
pub(crate) const LINE_HEIGHT: f64 = 15.0;
pub(crate) const ROW_PADDING: f64 = 6.0;

/// One cell's content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Left-aligned text (names, remarks).
    Left(String),
    /// Centred text (numbers in words, states, dates).
    Centre(String),
    /// An amount printed in 万元 with two decimals (rounded 四舍五入).
    Wan(Money),
    /// A percentage (e.g. `31.6` for 31.6%), printed `31.6%`; `None` prints `—`.
    Percent(Option<Decimal>),
    /// A whole number, centred.
    Integer(i64),
    /// `—` (not applicable).
    Dash,
}

/// A cell placed over columns `first..=last`.
pub(crate) struct Span {
    pub first: u16,
    pub last: u16,
    pub cell: Cell,
}

/// A cell over a single column.
pub(crate) fn at(column: u16, cell: Cell) -> Span {
    Span {
        first: column,
        last: column,
        cell,
    }
}

/// A cell over columns `first..=last`.
pub(crate) fn over(first: u16, last: u16, cell: Cell) -> Span {
    Span { first, last, cell }
}

struct Styles {
    title: Format,
    subtitle: Format,
    subtitle_right: Format,
    heading: Format,
    paragraph: Format,
    caption: Format,
    note: Format,
    warning: Format,
    group: Format,
    header: Format,
    /// `[normal, bold]` each.
    left: [Format; 2],
    centre: [Format; 2],
    wan: [Format; 2],
    percent: [Format; 2],
}

impl Styles {
    fn new() -> Self {
        // Charset 134 = GB2312: tells Excel the font is Chinese.
        let body = Format::new()
            .set_font_name(FONT_NAME)
            .set_font_size(11)
            .set_font_charset(134);
        let cell = body
            .clone()
            .set_font_size(10.5)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let both = |f: Format| [f.clone(), f.set_bold()];
        let red = Color::RGB(0xC0_00_00);
        Styles {
            title: body
                .clone()
                .set_font_size(20)
                .set_bold()
                .set_font_color(red)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            subtitle: body
                .clone()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Bottom)
                .set_border_bottom(FormatBorder::Medium)
                .set_border_bottom_color(red),
            subtitle_right: body
                .clone()
                .set_align(FormatAlign::Right)
                .set_align(FormatAlign::Bottom)
                .set_border_bottom(FormatBorder::Medium)
                .set_border_bottom_color(red),
            heading: body
                .clone()
                .set_font_name("黑体")
                .set_font_size(12)
                .set_align(FormatAlign::VerticalCenter),
            paragraph: body
                .clone()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top)
                .set_text_wrap(),
            caption: body
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            note: body
                .clone()
                .set_font_size(10)
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top)
                .set_text_wrap(),
            warning: body
                .clone()
                .set_font_size(10.5)
                .set_font_color(red)
                .set_bold()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::VerticalCenter)
                .set_indent(1)
                .set_text_wrap(),
            group: cell
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xF2_F2_F2))
                .set_align(FormatAlign::Left)
                .set_indent(1),
            header: cell.clone().set_bold().set_align(FormatAlign::Center),
            left: both(cell.clone().set_align(FormatAlign::Left).set_indent(1)),
            centre: both(cell.clone().set_align(FormatAlign::Center)),
            wan: both(
                cell.clone()
                    .set_align(FormatAlign::Right)
                    .set_num_format("0.00"),
            ),
            percent: both(cell.set_align(FormatAlign::Right).set_num_format("0.0%")),
        }
    }
}

/// Writes a document sheet top to bottom; `row` is the next row to write.
pub(crate) struct DocSheet<'a> {
    sheet: &'a mut Worksheet,
    styles: Styles,
    widths: Vec<f64>,
    pub row: u32,
    breaks: Vec<u32>,
}

impl<'a> DocSheet<'a> {
    /// Sets up `sheet` with these column widths (Excel units, one 宋体 digit each).
    pub(crate) fn new(sheet: &'a mut Worksheet, widths: &[f64]) -> Result<Self, XlsxError> {
        for (index, width) in widths.iter().enumerate() {
            sheet.set_column_width(u16::try_from(index).unwrap_or(u16::MAX), *width)?;
        }
        Ok(DocSheet {
            sheet,
            styles: Styles::new(),
            widths: widths.to_vec(),
            row: 0,
            breaks: Vec::new(),
        })
    }

    fn last_col(&self) -> u16 {
        u16::try_from(self.widths.len().saturating_sub(1)).unwrap_or(0)
    }

    fn width_of(&self, first: u16, last: u16) -> f64 {
        self.widths
            .iter()
            .skip(usize::from(first))
            .take(usize::from(last.saturating_sub(first)) + 1)
            .sum()
    }

    fn merged(
        &mut self,
        first: u16,
        last: u16,
        text: &str,
        format: &Format,
    ) -> Result<(), XlsxError> {
        if first == last {
            self.sheet
                .write_string_with_format(self.row, first, text, format)?;
        } else {
            self.sheet
                .merge_range(self.row, first, self.row, last, text, format)?;
        }
        Ok(())
    }

    /// The document title, centred over the whole width; `red` as on an official bulletin's
    /// masthead, else black.
    pub(crate) fn title(&mut self, text: &str, red: bool) -> Result<(), XlsxError> {
        let last = self.last_col();
        let format = if red {
            self.styles.title.clone()
        } else {
            self.styles.title.clone().set_font_color(Color::Black)
        };
        self.merged(0, last, text, &format)?;
        self.sheet.set_row_height(self.row, 40.0)?;
        self.row += 1;
        Ok(())
    }

    /// The issuer line under the title: `left` and `right` texts split at column `split`, over a
    /// red rule (as under the masthead of an official document).
    pub(crate) fn issuer_line(
        &mut self,
        left: &str,
        right: &str,
        split: u16,
    ) -> Result<(), XlsxError> {
        let last = self.last_col();
        let (l, r) = (
            self.styles.subtitle.clone(),
            self.styles.subtitle_right.clone(),
        );
        self.merged(0, split.saturating_sub(1), left, &l)?;
        self.merged(split, last, right, &r)?;
        self.sheet.set_row_height(self.row, 24.0)?;
        self.row += 1;
        Ok(())
    }

    /// An empty row `height` points high.
    pub(crate) fn gap(&mut self, height: f64) -> Result<(), XlsxError> {
        self.sheet.set_row_height(self.row, height)?;
        self.row += 1;
        Ok(())
    }

    /// A section heading (黑体), e.g. `一、总体进展`.
    pub(crate) fn heading(&mut self, text: &str) -> Result<(), XlsxError> {
        let (last, format) = (self.last_col(), self.styles.heading.clone());
        self.merged(0, last, text, &format)?;
        self.sheet.set_row_height(self.row, 24.0)?;
        self.row += 1;
        Ok(())
    }

    /// A paragraph over the whole width, first line indented by two characters, tall enough for
    /// its text.
    pub(crate) fn paragraph(&mut self, text: &str) -> Result<(), XlsxError> {
        let text = format!("　　{text}");
        let format = self.styles.paragraph.clone();
        self.text_block(&text, &format, 1.1)
    }

    /// A note in smaller type over the whole width (说明, 注).
    pub(crate) fn note(&mut self, text: &str) -> Result<(), XlsxError> {
        let format = self.styles.note.clone();
        self.text_block(text, &format, 1.0)
    }

    fn text_block(&mut self, text: &str, format: &Format, scale: f64) -> Result<(), XlsxError> {
        let last = self.last_col();
        let width = self.width_of(0, last);
        self.merged(0, last, text, format)?;
        let lines = line_count(text, width, false);
        self.sheet
            .set_row_height(self.row, lines * LINE_HEIGHT * scale + ROW_PADDING)?;
        self.row += 1;
        Ok(())
    }

    /// A table caption, centred and bold, e.g. `表1　总体完成情况（金额单位：万元）`.
    pub(crate) fn caption(&mut self, text: &str) -> Result<(), XlsxError> {
        let (last, format) = (self.last_col(), self.styles.caption.clone());
        self.merged(0, last, text, &format)?;
        self.sheet.set_row_height(self.row, 22.0)?;
        self.row += 1;
        Ok(())
    }

    /// A table's column-header row (bold, centred, bordered).
    pub(crate) fn header(&mut self, spans: &[Span]) -> Result<(), XlsxError> {
        let format = self.styles.header.clone();
        let mut lines: f64 = 1.0;
        for span in spans {
            let text = match &span.cell {
                Cell::Left(t) | Cell::Centre(t) => t.as_str(),
                _ => "",
            };
            self.merged(span.first, span.last, text, &format)?;
            lines = lines.max(line_count(
                text,
                self.width_of(span.first, span.last),
                false,
            ));
        }
        self.sheet
            .set_row_height(self.row, lines * LINE_HEIGHT + 2.0 * ROW_PADDING)?;
        self.row += 1;
        Ok(())
    }

    /// A group row over the whole table width (grey, bold), e.g. a township in the catalogue.
    pub(crate) fn group(&mut self, text: &str) -> Result<(), XlsxError> {
        let (last, format) = (self.last_col(), self.styles.group.clone());
        self.merged(0, last, text, &format)?;
        self.sheet
            .set_row_height(self.row, LINE_HEIGHT + 2.0 * ROW_PADDING)?;
        self.row += 1;
        Ok(())
    }

    /// A warning row over the whole table width (red, bold).
    pub(crate) fn warning(&mut self, text: &str) -> Result<(), XlsxError> {
        let (last, format) = (self.last_col(), self.styles.warning.clone());
        let lines = line_count(text, self.width_of(0, last), true);
        self.merged(0, last, text, &format)?;
        self.sheet
            .set_row_height(self.row, lines * LINE_HEIGHT + ROW_PADDING)?;
        self.row += 1;
        Ok(())
    }

    /// A table row; `bold` for 合计 rows. At least `min_height` points high.
    pub(crate) fn row(
        &mut self,
        spans: &[Span],
        bold: bool,
        min_height: f64,
    ) -> Result<(), XlsxError> {
        let b = usize::from(bold);
        let mut lines: f64 = 1.0;
        for span in spans {
            let width = self.width_of(span.first, span.last);
            match &span.cell {
                Cell::Left(text) => {
                    let format = self.styles.left[b].clone();
                    self.merged(span.first, span.last, text, &format)?;
                    lines = lines.max(line_count(text, width, true));
                }
                Cell::Centre(text) => {
                    let format = self.styles.centre[b].clone();
                    self.merged(span.first, span.last, text, &format)?;
                    lines = lines.max(line_count(text, width, false));
                }
                Cell::Dash => {
                    let format = self.styles.centre[b].clone();
                    self.merged(span.first, span.last, "—", &format)?;
                }
                Cell::Percent(None) => {
                    let format = self.styles.centre[b].clone();
                    self.merged(span.first, span.last, "—", &format)?;
                }
                Cell::Wan(money) => {
                    let format = self.styles.wan[b].clone();
                    self.number(span, wan_number(*money), &format)?;
                }
                Cell::Percent(Some(percent)) => {
                    let format = self.styles.percent[b].clone();
                    let fraction = (*percent / Decimal::ONE_HUNDRED).to_f64().unwrap_or(0.0);
                    self.number(span, fraction, &format)?;
                }
                Cell::Integer(number) => {
                    let format = self.styles.centre[b].clone().set_num_format("0");
                    self.number(span, *number as f64, &format)?;
                }
            }
        }
        let height = (lines * LINE_HEIGHT + ROW_PADDING).max(min_height);
        self.sheet.set_row_height(self.row, height)?;
        self.row += 1;
        Ok(())
    }

    fn number(&mut self, span: &Span, value: f64, format: &Format) -> Result<(), XlsxError> {
        if span.first != span.last {
            self.sheet
                .merge_range(self.row, span.first, self.row, span.last, "", format)?;
        }
        self.sheet
            .write_number_with_format(self.row, span.first, value, format)?;
        Ok(())
    }

    /// Starts a new printed page at the next row.
    pub(crate) fn page_break(&mut self) {
        if self.row > 0 {
            self.breaks.push(self.row);
        }
    }

    /// Print setup: A4 (`landscape` or portrait), one page wide (and one page tall when
    /// `one_page`), centred, footer with page numbers, print area = the written rows; `repeat` =
    /// rows printed on every page.
    pub(crate) fn finish(
        self,
        landscape: bool,
        repeat: Option<(u32, u32)>,
        one_page: bool,
    ) -> Result<(), XlsxError> {
        let last_row = self.row.saturating_sub(1);
        let last_col = self.last_col();
        let sheet = self.sheet;
        sheet.set_paper_size(9);
        if landscape {
            sheet.set_landscape();
        } else {
            sheet.set_portrait();
        }
        sheet.set_print_fit_to_pages(1, u16::from(one_page));
        sheet.set_print_center_horizontally(true);
        sheet.set_margins(0.6, 0.6, 0.6, 0.7, 0.3, 0.3);
        sheet.set_footer("&C第 &P 页 共 &N 页");
        if let Some((first, last)) = repeat {
            sheet.set_repeat_rows(first, last)?;
        }
        if !self.breaks.is_empty() {
            sheet.set_page_breaks(&self.breaks)?;
        }
        sheet.set_print_area(0, 0, last_row, last_col)?;
        Ok(())
    }
}

/// An amount in 万元, rounded to two decimals, as the number written to a cell.
pub(crate) fn wan_number(money: Money) -> f64 {
    money.wan_yuan(2).to_f64().unwrap_or(0.0)
}

/// `30.6万元` style text of an amount in 万元 with two decimals.
pub(crate) fn wan_text(money: Money) -> String {
    format!("{}万元", money.wan_yuan(2))
}
