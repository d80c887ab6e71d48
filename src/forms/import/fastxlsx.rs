//! The fast path for `.xlsx`: one byte-level pass over each sheet's XML that reads the cell
//! values (with the shared strings, and the date formats and units of `styles.xml`) together with hidden
//! rows, merged regions and hyperlinks. It reads what calamine reads, the way calamine reads it
//! (tests compare the two on every sample), at a fraction of the cost, which keeps a
//! 100,000-row 附件2 well under a second.
//!
//! It handles the XML that Excel, WPS, LibreOffice and rust_xlsxwriter write. Anything it does
//! not expect (CDATA, an unknown cell type, a string index out of range, a missing part …) makes
//! it give up (`None`), and the caller reads the file with calamine instead.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::Arc;

use quick_xml::events::Event;
use zip::ZipArchive;

use super::grid::{
    CellValue, GridSheet, MAX_CELLS, MAX_CELLS_SCANNED, Merge, SheetBuilder, format_unit,
    formula_matters, hidden_column_range, parse_a1, parse_range,
};
use super::read::Workbook;
use super::xlsx::{attr, iso_datetime, read_relationships, read_small_part, xml_unescape};

/// Largest sheet or shared-string part this path holds in memory at once.
const MAX_PART: u64 = 512 * 1024 * 1024;

/// Reads the workbook, or `None` when calamine should read it instead.
pub(crate) fn read(bytes: &[u8], names: &HashMap<String, String>) -> Option<Workbook> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).ok()?;
    let book = read_workbook_part(&mut zip, names)?;
    let strings = match names.get("xl/sharedstrings.xml") {
        Some(stored) => parse_shared_strings(&read_part(&mut zip, stored)?)?,
        None => Vec::new(),
    };
    let styles = match names.get("xl/styles.xml") {
        Some(stored) => {
            parse_number_styles(&String::from_utf8(read_part(&mut zip, stored)?).ok()?)?
        }
        None => NumberStyles::default(),
    };
    let mut out = Workbook::default();
    let mut total = 0usize;
    for sheet in book.sheets {
        let stored = names.get(&sheet.path.to_ascii_lowercase())?.clone();
        let xml = read_part(&mut zip, &stored)?;
        let ctx = Context {
            strings: &strings,
            dates: &styles.dates,
            units: &styles.units,
            is_1904: book.is_1904,
            max_scanned: MAX_CELLS_SCANNED,
        };
        let mut parsed = parse_sheet(&xml, &ctx)?;
        drop(xml);
        total += parsed.builder.cell_count();
        if total > MAX_CELLS {
            return None;
        }
        let mut grid: GridSheet =
            parsed
                .builder
                .finish(sheet.name, &parsed.hidden_rows, &parsed.merges);
        grid.formulas = std::mem::take(&mut parsed.formulas);
        grid.add_format_units(std::mem::take(&mut parsed.format_units));
        grid.hidden_sheet = sheet.hidden;
        grid.hidden_columns = std::mem::take(&mut parsed.hidden_columns);
        if !parsed.links.is_empty()
            && let Some(slash) = stored.rfind('/')
        {
            let rels_path = format!("{}/_rels{}.rels", &stored[..slash], &stored[slash..]);
            let rels = read_relationships(&mut zip, names, &rels_path);
            for (cell, rid) in parsed.links {
                if let Some(target) = rels.get(&rid) {
                    grid.links.insert(cell, target.clone());
                }
            }
        }
        out.sheets.push(grid);
    }
    Some(out)
}

fn read_part(zip: &mut ZipArchive<Cursor<&[u8]>>, stored: &str) -> Option<Vec<u8>> {
    let entry = zip.by_name(stored).ok()?;
    if entry.size() > MAX_PART {
        return None;
    }
    let mut buf = Vec::with_capacity(usize::try_from(entry.size()).ok()?);
    entry.take(MAX_PART).read_to_end(&mut buf).ok()?;
    Some(buf)
}

struct SheetEntry {
    name: String,
    path: String,
    hidden: bool,
}

struct BookPart {
    sheets: Vec<SheetEntry>,
    is_1904: bool,
}

/// Worksheets in workbook order (chart and dialog sheets skipped), and the date system.
fn read_workbook_part(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    names: &HashMap<String, String>,
) -> Option<BookPart> {
    let rels = relationships_with_types(zip, names)?;
    let xml = read_small_part(zip, names, "xl/workbook.xml")?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut book = BookPart {
        sheets: Vec::new(),
        is_1904: false,
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                "sheet" => {
                    let name = attr(&e, "name")?;
                    let rid = attr(&e, "id")?;
                    let hidden = !matches!(attr(&e, "state").as_deref(), None | Some("visible"));
                    let (target, typ) = rels.get(&rid)?;
                    match typ.rsplit('/').next() {
                        Some("worksheet") => {}
                        Some("chartsheet" | "dialogsheet") => continue,
                        _ => return None,
                    }
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{target}"),
                    };
                    book.sheets.push(SheetEntry { name, path, hidden });
                }
                "workbookPr" => {
                    if let Some(v) = attr(&e, "date1904") {
                        book.is_1904 = v == "1" || v == "true";
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(_) => return None,
            _ => {}
        }
    }
    Some(book)
}

/// `xl/_rels/workbook.xml.rels`: id → (target, type).
fn relationships_with_types(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    names: &HashMap<String, String>,
) -> Option<HashMap<String, (String, String)>> {
    let xml = read_small_part(zip, names, "xl/_rels/workbook.xml.rels")?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = HashMap::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                if let Some(id) = attr(&e, "Id") {
                    out.insert(
                        id,
                        (
                            attr(&e, "Target").unwrap_or_default(),
                            attr(&e, "Type").unwrap_or_default(),
                        ),
                    );
                }
            }
            Ok(Event::Eof) => break,
            Err(_) => return None,
            _ => {}
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// A tiny tag scanner

/// One tag: its local name, whether it closes (`</x>`) or is empty (`<x/>`), its attribute text,
/// and the byte position just after it.
struct Tag<'a> {
    local: &'a [u8],
    closing: bool,
    empty: bool,
    attrs: &'a [u8],
    end: usize,
}

/// The next tag at or after `pos`, or `None` at the end. `Err` for markup this path does not
/// handle (CDATA, unterminated tags).
fn next_tag(buf: &[u8], pos: usize) -> Result<Option<(usize, Tag<'_>)>, ()> {
    let Some(rel) = buf.get(pos..).and_then(|b| memchr::memchr(b'<', b)) else {
        return Ok(None);
    };
    let start = pos + rel;
    let rest = buf.get(start + 1..).ok_or(())?;
    match rest.first() {
        Some(b'?') => {
            let end = memchr::memmem::find(rest, b"?>").ok_or(())?;
            return Ok(Some((
                start,
                Tag {
                    local: b"?",
                    closing: false,
                    empty: true,
                    attrs: &[],
                    end: start + 1 + end + 2,
                },
            )));
        }
        Some(b'!') => {
            if rest.starts_with(b"!--") {
                let end = memchr::memmem::find(rest, b"-->").ok_or(())?;
                return Ok(Some((
                    start,
                    Tag {
                        local: b"!",
                        closing: false,
                        empty: true,
                        attrs: &[],
                        end: start + 1 + end + 3,
                    },
                )));
            }
            return Err(());
        }
        None => return Err(()),
        _ => {}
    }
    let closing = rest.first() == Some(&b'/');
    let name_start = usize::from(closing);
    let name_len = rest
        .get(name_start..)
        .ok_or(())?
        .iter()
        .take_while(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>'))
        .count();
    let name = rest.get(name_start..name_start + name_len).ok_or(())?;
    let local = match name.iter().rposition(|c| *c == b':') {
        Some(i) => name.get(i + 1..).ok_or(())?,
        None => name,
    };
    // The closing '>' outside quotes.
    let mut quote: Option<u8> = None;
    let mut close = None;
    for (i, c) in rest.iter().enumerate().skip(name_start + name_len) {
        match (quote, *c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(*c),
            (None, b'>') => {
                close = Some(i);
                break;
            }
            _ => {}
        }
    }
    let close = close.ok_or(())?;
    let empty = close > 0 && rest.get(close - 1) == Some(&b'/');
    let attrs_end = if empty { close - 1 } else { close };
    let attrs = rest
        .get(name_start + name_len..attrs_end.max(name_start + name_len))
        .ok_or(())?;
    Ok(Some((
        start,
        Tag {
            local,
            closing,
            empty,
            attrs,
            end: start + 1 + close + 1,
        },
    )))
}

/// The raw value of attribute `key` (local name) in an attribute text.
fn attr_raw<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut i = 0usize;
    while i < attrs.len() {
        while attrs.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        let key_start = i;
        while attrs
            .get(i)
            .is_some_and(|c| !c.is_ascii_whitespace() && *c != b'=')
        {
            i += 1;
        }
        let name = attrs.get(key_start..i)?;
        while attrs.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        if attrs.get(i) != Some(&b'=') {
            if i == key_start {
                i += 1;
            }
            continue;
        }
        i += 1;
        while attrs.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        let q = *attrs.get(i)?;
        if q != b'"' && q != b'\'' {
            return None;
        }
        i += 1;
        let value_start = i;
        while attrs.get(i).is_some_and(|c| *c != q) {
            i += 1;
        }
        let value = attrs.get(value_start..i)?;
        i += 1;
        let local = match name.iter().rposition(|c| *c == b':') {
            Some(k) => name.get(k + 1..)?,
            None => name,
        };
        if local == key {
            return Some(value);
        }
    }
    None
}

/// True when an attribute text is a clean sequence of `name="value"` (or single-quoted) pairs
/// with no `<` in a value: anything else is damaged XML, left to calamine.
fn attrs_well_formed(attrs: &[u8]) -> bool {
    let mut i = 0usize;
    loop {
        while attrs.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        if i >= attrs.len() {
            return true;
        }
        let name_start = i;
        while attrs
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b':' | b'_' | b'-' | b'.'))
        {
            i += 1;
        }
        if i == name_start || attrs.get(i) != Some(&b'=') {
            return false;
        }
        i += 1;
        let Some(&q) = attrs.get(i).filter(|c| **c == b'"' || **c == b'\'') else {
            return false;
        };
        i += 1;
        while let Some(&c) = attrs.get(i) {
            if c == q {
                break;
            }
            if c == b'<' {
                return false;
            }
            i += 1;
        }
        if attrs.get(i) != Some(&q) {
            return false;
        }
        i += 1;
        // Attributes are separated by whitespace.
        if attrs.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
            return false;
        }
    }
}

/// Text up to the next `<`, from `pos`; `Err` when a CDATA section follows.
fn text_at(buf: &[u8], pos: usize) -> Result<(&[u8], usize), ()> {
    let rest = buf.get(pos..).ok_or(())?;
    let len = memchr::memchr(b'<', rest).unwrap_or(rest.len());
    if rest.get(len..).is_some_and(|r| r.starts_with(b"<![CDATA[")) {
        return Err(());
    }
    Ok((rest.get(..len).ok_or(())?, pos + len))
}

/// The position after the closing tag `</name>` that must come next; `Err` otherwise (the XML
/// is damaged: let calamine judge it).
fn expect_close(buf: &[u8], pos: usize, name: &[u8]) -> Result<usize, ()> {
    let (start, tag) = next_tag(buf, pos)?.ok_or(())?;
    if start != pos || !tag.closing || tag.local != name {
        return Err(());
    }
    Ok(tag.end)
}

/// XML text content: line endings normalised, entities and `_xHHHH_` escapes decoded.
fn content(raw: &[u8]) -> Option<String> {
    if raw
        .iter()
        .any(|b| *b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    let text: std::borrow::Cow<'_, str> = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        text.into()
    };
    Some(unescape_ooxml(&xml_unescape(&text)))
}

/// Decodes OOXML's `_xHHHH_` escapes (control characters and the like), surrogate pairs
/// joined, as calamine does.
fn unescape_ooxml(text: &str) -> String {
    if !text.contains("_x") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let unit_at = |i: usize| -> Option<u16> {
        if chars.get(i) != Some(&'_')
            || chars.get(i + 1) != Some(&'x')
            || chars.get(i + 6) != Some(&'_')
        {
            return None;
        }
        let hex: String = chars.get(i + 2..i + 6)?.iter().collect();
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(&hex, 16).ok()
    };
    let mut i = 0usize;
    while i < chars.len() {
        match unit_at(i) {
            Some(high @ 0xD800..=0xDBFF) => match unit_at(i + 7) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let cp =
                        0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    i += 14;
                }
                _ => {
                    out.push(char::REPLACEMENT_CHARACTER);
                    i += 7;
                }
            },
            Some(unit) => {
                out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER));
                i += 7;
            }
            None => {
                if let Some(c) = chars.get(i) {
                    out.push(*c);
                }
                i += 1;
            }
        }
    }
    out
}

/// Reads a string item (`<si>` or `<is>`) whose content runs from `pos` to the closing tag named
/// `closing`: the `<t>` texts outside phonetic runs, joined. Returns the text and the position
/// after the closing tag.
fn read_string_item(buf: &[u8], mut pos: usize, closing: &[u8]) -> Result<(String, usize), ()> {
    let mut out = String::new();
    let mut phonetic = false;
    loop {
        let (_, tag) = next_tag(buf, pos)?.ok_or(())?;
        pos = tag.end;
        match (tag.local, tag.closing) {
            (l, true) if l == closing => return Ok((out, pos)),
            (b"rPh", false) if !tag.empty => phonetic = true,
            (b"rPh", true) => phonetic = false,
            (b"t", false) if !tag.empty => {
                let (raw, after) = text_at(buf, pos)?;
                pos = expect_close(buf, after, b"t")?;
                if !phonetic {
                    let preserve = attr_raw(tag.attrs, b"space") == Some(b"preserve");
                    let text = content(raw).ok_or(())?;
                    if preserve {
                        out.push_str(&text);
                    } else {
                        out.push_str(text.trim_matches([' ', '\t', '\r', '\n']));
                    }
                }
            }
            _ => {}
        }
    }
}

fn parse_shared_strings(xml: &[u8]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while let Some((_, tag)) = next_tag(xml, pos).ok()? {
        pos = tag.end;
        if tag.local == b"si" && !tag.closing {
            if tag.empty {
                out.push(String::new());
                continue;
            }
            let (text, after) = read_string_item(xml, pos, b"si").ok()?;
            out.push(text);
            pos = after;
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Date formats (as calamine decides them)

/// What each cell style (`<cellXfs>` entry, by index) does to a number.
#[derive(Debug, Default)]
pub(crate) struct NumberStyles {
    /// The style formats numbers as dates.
    pub dates: Vec<bool>,
    /// The unit the style's format shows after the number ([`format_unit`]).
    pub units: Vec<Option<Arc<str>>>,
}

/// Reads the cell styles of `styles.xml`: which format numbers as dates, and which show a unit.
pub(crate) fn parse_number_styles(xml: &str) -> Option<NumberStyles> {
    let mut custom: HashMap<String, String> = HashMap::new();
    let mut out = NumberStyles::default();
    // The same format is usually shared by many styles: one unit text for them all.
    let mut units: HashMap<String, Option<Arc<str>>> = HashMap::new();
    let mut in_cell_xfs = false;
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId"), attr(&e, "formatCode")) {
                        custom.insert(id, code);
                    }
                }
                "cellXfs" => in_cell_xfs = true,
                "xf" if in_cell_xfs => {
                    let code = attr(&e, "numFmtId").and_then(|id| custom.get(&id));
                    let is_date = match attr(&e, "numFmtId") {
                        None => false,
                        Some(id) => match custom.get(&id) {
                            Some(code) => custom_format_is_date(code),
                            None => builtin_format_is_date(&id),
                        },
                    };
                    let unit = match code {
                        Some(code) if !is_date => units
                            .entry(code.clone())
                            .or_insert_with(|| format_unit(code).map(Arc::from))
                            .clone(),
                        _ => None,
                    };
                    out.dates.push(is_date);
                    out.units.push(unit);
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
            Ok(Event::Eof) => break,
            Err(_) => return None,
            _ => {}
        }
    }
    Some(out)
}

/// Built-in date formats (rule 18): 14–22, 45, 47 and the East-Asian 27–36, 50–58. (46,
/// `[h]:mm:ss`, is a duration.)
fn builtin_format_is_date(id: &str) -> bool {
    matches!(
        id.trim().parse::<u32>(),
        Ok(14..=22 | 27..=36 | 45 | 47 | 50..=58)
    )
}

/// Whether a custom number format shows a date or time (its first section, outside quotes,
/// escapes and brackets, has d/m/y/h/s, or AM/PM); `[h]` style elapsed time is a duration.
/// The rules are calamine's (`detect_custom_number_format`), so both paths agree.
pub(crate) fn custom_format_is_date(format: &str) -> bool {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return false,
            ('[', ..) => brackets = brackets.saturating_add(1),
            (']', .., 1) if hms => return false,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return true,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return true;
            }
            _ => {
                if hms && s.eq_ignore_ascii_case(&prev) {
                } else {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    false
}

/// An Excel serial as a date-time (1900 system with its fictional 1900-02-29, or 1904), as
/// calamine converts it; `None` outside years 0–9999.
pub(crate) fn serial_to_datetime(value: f64, is_1904: bool) -> Option<chrono::NaiveDateTime> {
    let f = if is_1904 { value + 1462.0 } else { value };
    if !f.is_finite() || !(-693_000.0..=2_958_465.0).contains(&f) {
        return None;
    }
    let f = if f >= 60.0 { f } else { f + 1.0 };
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(chrono::NaiveTime::MIN);
    let ms = (f * 86_400_000.0).round() as i64;
    epoch.checked_add_signed(chrono::TimeDelta::try_milliseconds(ms)?)
}

// ---------------------------------------------------------------------------------------------
// Sheets

struct Context<'a> {
    strings: &'a [String],
    dates: &'a [bool],
    /// The unit each cell style's format shows after a number (`0"斤"`).
    units: &'a [Option<Arc<str>>],
    is_1904: bool,
    /// Most `<c>` elements a sheet may have ([`MAX_CELLS_SCANNED`]; smaller in tests).
    max_scanned: usize,
}

#[derive(Default)]
struct ParsedSheet {
    builder: SheetBuilder,
    /// `<c>` elements read (empty ones too), against [`Context::max_scanned`].
    scanned: usize,
    hidden_rows: Vec<u32>,
    hidden_columns: Vec<(u32, u32)>,
    merges: Vec<Merge>,
    links: Vec<((u32, u32), String)>,
    formulas: HashMap<(u32, u32), String>,
    /// Units shown by the formats of number cells ([`GridSheet::format_units`]).
    format_units: HashMap<(u32, u32), Arc<str>>,
}

/// A cell reference `B5` as 0-based (row, col), with checked arithmetic.
fn cell_ref(raw: &[u8]) -> Option<(u32, u32)> {
    let (row, col) = parse_a1(std::str::from_utf8(raw).ok()?)?;
    Some((row - 1, col))
}

/// Sheet XML from this size on is parsed in two halves on two threads (a 100,000-row 附件2 is
/// about 40 MB; the split saves about 0.15 s of its import).
const PARALLEL_PARSE_MIN: usize = 4 * 1024 * 1024;

/// Parses a sheet's XML: in two halves at once when it is large and a clean split point exists
/// ([`split_point`]), otherwise in one pass. Both give the same result.
fn parse_sheet(xml: &[u8], ctx: &Context<'_>) -> Option<ParsedSheet> {
    parse_sheet_split_from(xml, ctx, PARALLEL_PARSE_MIN)
}

/// [`parse_sheet`] with the size from which to split given (tests split small sheets).
fn parse_sheet_split_from(xml: &[u8], ctx: &Context<'_>, min_len: usize) -> Option<ParsedSheet> {
    let split = if xml.len() >= min_len {
        split_point(xml, xml.len() / 2)
    } else {
        None
    };
    match split {
        Some(split) => parse_halves(xml, split, ctx),
        None => parse_sheet_part(xml, ctx),
    }
}

/// Parses `xml[..split]` and `xml[split..]` on two threads and joins the results.
fn parse_halves(xml: &[u8], split: usize, ctx: &Context<'_>) -> Option<ParsedSheet> {
    let (first, second) = xml.split_at(split);
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| parse_sheet_part(second, ctx));
        let first = parse_sheet_part(first, ctx);
        // A panic in the other half is a bug: give up on the fast path, as for damaged XML.
        (first, second.join().ok().flatten())
    });
    let mut out = first?;
    let second = second?;
    // The limits hold for the whole sheet, as in one pass.
    out.scanned += second.scanned;
    out.builder.append(second.builder);
    if out.scanned > ctx.max_scanned || out.builder.cell_count() > MAX_CELLS {
        return None;
    }
    out.hidden_rows.extend(second.hidden_rows);
    out.hidden_rows.sort_unstable();
    out.hidden_columns.extend(second.hidden_columns);
    out.merges.extend(second.merges);
    out.links.extend(second.links);
    out.formulas.extend(second.formulas);
    out.format_units.extend(second.format_units);
    Some(out)
}

/// A byte offset at or after `from` (the middle of `xml`) where the second half can be parsed
/// on its own with the same result: the start of a non-empty `<row>` tag that carries its
/// number (`r`, a whole number from 1, as the parser reads it), right after a `</row>`, inside
/// `<sheetData>`. Then nothing of the parser's state crosses the split (the row number comes
/// from `r`, the column count restarts at `</row>`). A split that lands in a comment or CDATA
/// makes a half fail to parse, and the whole file goes to calamine, as any XML this path does
/// not expect.
fn split_point(xml: &[u8], from: usize) -> Option<usize> {
    let data_start = memchr::memmem::find(xml, b"<sheetData")?;
    let data_end = memchr::memmem::rfind(xml, b"</sheetData>")?;
    let middle = from.max(data_start);
    let found = memchr::memmem::find(xml.get(middle..data_end)?, b"<row ")?;
    let split = middle + found;
    let (_, tag) = next_tag(xml, split).ok()??;
    let previous = xml.get(..split)?.trim_ascii_end();
    let clean = tag.local == b"row"
        && !tag.closing
        && !tag.empty
        && attrs_well_formed(tag.attrs)
        && row_number(tag.attrs).is_some_and(|r| r >= 1)
        && previous.ends_with(b"</row>");
    clean.then_some(split)
}

/// The row number a `<row>` tag's `r` attribute gives, if it is a whole number.
fn row_number(attrs: &[u8]) -> Option<u32> {
    attr_raw(attrs, b"r").and_then(|v| std::str::from_utf8(v).ok()?.trim().parse::<u32>().ok())
}

/// Parses sheet XML (a whole sheet, or a part starting at a [`split_point`]) in one pass.
fn parse_sheet_part(xml: &[u8], ctx: &Context<'_>) -> Option<ParsedSheet> {
    let mut out = ParsedSheet::default();
    let mut pos = 0usize;
    let mut row_index: u32 = 0;
    let mut col_index: u32 = 0;
    let mut meta_next_row: u32 = 1;
    // Inside an open `<row>`: a row opened or closed out of turn is malformed XML (a row without
    // its `</row>`), left to calamine, which refuses it rather than run two rows together.
    let mut in_row = false;
    while let Some((_, tag)) = next_tag(xml, pos).ok()? {
        pos = tag.end;
        match (tag.local, tag.closing) {
            (b"row" | b"c", false) if !attrs_well_formed(tag.attrs) => return None,
            (b"row", false) if in_row => return None,
            (b"row", true) if !in_row => return None,
            (b"row", false) => {
                in_row = !tag.empty;
                let r = row_number(tag.attrs);
                // Hidden rows (our numbering: a row without `r` follows the previous one).
                let number = r.unwrap_or(meta_next_row);
                meta_next_row = number.saturating_add(1);
                if attr_raw(tag.attrs, b"hidden").is_some_and(|v| v == b"1" || v == b"true") {
                    out.hidden_rows.push(number);
                }
                // Cell positions, as calamine counts them (it reads `<row/>` as `<row></row>`):
                // a row number sets the position, and a self-closing row also ends there.
                if let Some(r) = r {
                    row_index = r.checked_sub(1)?;
                }
                if tag.empty {
                    row_index = row_index.saturating_add(1);
                    col_index = 0;
                }
            }
            (b"row", true) => {
                in_row = false;
                row_index = row_index.saturating_add(1);
                col_index = 0;
            }
            (b"c", false) if out.scanned >= ctx.max_scanned => return None,
            (b"c", false) if tag.empty => {
                // An empty cell: no value, but it takes its column (as calamine counts).
                out.scanned += 1;
                col_index = match attr_raw(tag.attrs, b"r") {
                    Some(r) => cell_ref(r)?.1,
                    None => col_index,
                }
                .saturating_add(1);
            }
            (b"c", false) => {
                out.scanned += 1;
                let (row, col) = match attr_raw(tag.attrs, b"r") {
                    Some(r) => cell_ref(r)?,
                    None => (row_index, col_index),
                };
                col_index = col.saturating_add(1);
                let style = attr_raw(tag.attrs, b"s")
                    .and_then(|v| std::str::from_utf8(v).ok()?.parse::<usize>().ok())
                    .unwrap_or(0);
                let has_style = attr_raw(tag.attrs, b"s").is_some();
                let typ = attr_raw(tag.attrs, b"t");
                let (value, formula, after) =
                    read_cell(xml, pos, ctx, typ, has_style.then_some(style))?;
                pos = after;
                let Some(row1) = row.checked_add(1) else {
                    continue;
                };
                if let Some(f) = formula
                    && formula_matters(&f, value.as_ref())
                {
                    out.formulas.insert((row1, col), f);
                }
                if let (Some(CellValue::Number(_)), true) = (&value, has_style)
                    && let Some(Some(unit)) = ctx.units.get(style)
                {
                    out.format_units.insert((row1, col), unit.clone());
                }
                if let Some(v) = value {
                    out.builder.push(row1, col, v);
                    if out.builder.cell_count() > MAX_CELLS {
                        return None;
                    }
                }
            }
            (b"col", false) => {
                let text =
                    |key: &[u8]| attr_raw(tag.attrs, key).and_then(|v| std::str::from_utf8(v).ok());
                if let Some(range) =
                    hidden_column_range(text(b"min"), text(b"max"), text(b"hidden"))
                {
                    out.hidden_columns.push(range);
                }
            }
            (b"mergeCell", false) => {
                if let Some(m) = attr_raw(tag.attrs, b"ref")
                    .and_then(|v| parse_range(std::str::from_utf8(v).ok()?))
                {
                    out.merges.push(m);
                }
            }
            (b"hyperlink", false) => {
                if let (Some(r), Some(id)) =
                    (attr_raw(tag.attrs, b"ref"), attr_raw(tag.attrs, b"id"))
                {
                    let r = std::str::from_utf8(r).ok()?;
                    if let Some(cell) = parse_a1(r.split(':').next().unwrap_or("")) {
                        out.links
                            .push((cell, xml_unescape(std::str::from_utf8(id).ok()?)));
                    }
                }
            }
            _ => {}
        }
    }
    out.hidden_rows.sort_unstable();
    Some(out)
}

/// Reads the inside of a `<c>` element from `pos` to its end tag: (value, formula text, position
/// after `</c>`). `None` when the cell is malformed or of an unknown type.
fn read_cell(
    xml: &[u8],
    mut pos: usize,
    ctx: &Context<'_>,
    typ: Option<&[u8]>,
    style: Option<usize>,
) -> Option<(Option<CellValue>, Option<String>, usize)> {
    let mut value: Option<CellValue> = None;
    let mut formula: Option<String> = None;
    loop {
        let (_, tag) = next_tag(xml, pos).ok()??;
        pos = tag.end;
        match (tag.local, tag.closing) {
            (b"c", true) => return Some((value, formula, pos)),
            (b"f", false) if !tag.empty => {
                let (raw, after) = text_at(xml, pos).ok()?;
                pos = expect_close(xml, after, b"f").ok()?;
                let text = content(raw)?;
                if !text.is_empty() {
                    formula = Some(text);
                }
            }
            (b"is", false) if !tag.empty => {
                let (text, after) = read_string_item(xml, pos, b"is").ok()?;
                pos = after;
                value = Some(CellValue::Text(text));
            }
            (b"is", false) => value = Some(CellValue::Text(String::new())),
            (b"v", false) if !tag.empty => {
                let (raw, after) = text_at(xml, pos).ok()?;
                pos = expect_close(xml, after, b"v").ok()?;
                if matches!(typ, Some(b"inlineStr" | b"is")) {
                    continue;
                }
                value = convert_v(raw, ctx, typ, style)?;
            }
            _ => {}
        }
    }
}

/// A `<v>` value by cell type, as calamine reads it (`None` inside: an empty cell).
fn convert_v(
    raw: &[u8],
    ctx: &Context<'_>,
    typ: Option<&[u8]>,
    style: Option<usize>,
) -> Option<Option<CellValue>> {
    if raw
        .iter()
        .any(|b| *b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return None;
    }
    Some(match typ {
        Some(b"s") => {
            if raw.is_empty() {
                return Some(None);
            }
            let index = std::str::from_utf8(raw).ok()?.parse::<usize>().unwrap_or(0);
            Some(CellValue::Text(ctx.strings.get(index)?.clone()))
        }
        Some(b"b") => match raw {
            b"0" => Some(CellValue::Bool(false)),
            b"1" => Some(CellValue::Bool(true)),
            _ => return None,
        },
        Some(b"d") => {
            let text = content(raw)?;
            Some(iso_datetime(&text).map_or(CellValue::Text(text), CellValue::Date))
        }
        Some(b"e") => Some(CellValue::Error(std::str::from_utf8(raw).ok()?.to_string())),
        Some(b"str") => Some(CellValue::Text(content(raw)?)),
        Some(b"n") | None => {
            if raw.is_empty() {
                return Some(None);
            }
            let text = std::str::from_utf8(raw).ok()?;
            match text.parse::<f64>() {
                Ok(n) => {
                    // An unknown style index reads as a plain number, as in calamine.
                    let is_date = style.is_some_and(|i| ctx.dates.get(i).copied().unwrap_or(false));
                    match (is_date, serial_to_datetime(n, ctx.is_1904)) {
                        (true, Some(d)) => Some(CellValue::Date(d)),
                        _ => Some(CellValue::Number(n)),
                    }
                }
                Err(_) if typ.is_none() => Some(CellValue::Text(text.to_string())),
                Err(_) => return None,
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grid, hidden rows, merges, links and formulas of a parsed sheet, finished.
    fn finished(parsed: ParsedSheet) -> (GridSheet, Vec<u32>, Vec<Merge>) {
        let hidden = parsed.hidden_rows.clone();
        let merges = parsed.merges.clone();
        let mut grid = parsed.builder.finish("表".into(), &hidden, &merges);
        grid.formulas = parsed.formulas;
        grid.links = parsed.links.into_iter().collect();
        (grid, hidden, merges)
    }

    #[test]
    fn a_sheet_parsed_in_two_halves_reads_as_in_one_pass() {
        let strings: Vec<String> = vec!["共享".into(), "泥溪镇".into()];
        let mut ctx = Context {
            strings: &strings,
            dates: &[false, true],
            units: &[],
            is_1904: false,
            max_scanned: MAX_CELLS_SCANNED,
        };
        let xml = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c t="s"><v>1</v></c></row>
<row r="2" hidden="1"><c r="B2"><v>12.5</v></c></row><row r="3"/>
<row><c><v>7</v></c><c t="inlineStr"><is><t>行内</t></is></c></row>
<row r="6" spans="1:3"><c r="C6" s="1"><v>43709</v></c><c r="A6"><f>HYPERLINK("x","y")</f><v>0</v></c></row>
<!-- a comment with <row r="9"> inside -->
<row r="7"><c r="A7" t="str"><v>公式</v></c></row><row r="7"><c r="B7"><v>3</v></c></row>
<row r=""><c><v>10</v></c></row><row r="x"><c><v>11</v></c></row><row r="2.0"><c><v>12</v></c></row>
<row r="5"><c r="A5"><v>5</v></c></row>
<row r="8" hidden="true"><c><v>8</v></c><c><v>9</v></c></row></sheetData>
<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>
<hyperlinks><hyperlink ref="A8" r:id="rId3"/></hyperlinks></worksheet>"#
            .as_bytes();
        let whole = finished(parse_sheet_part(xml, &ctx).unwrap());
        let mut splits = 0;
        for from in 0..xml.len() {
            let Some(split) = split_point(xml, from) else {
                continue;
            };
            match parse_halves(xml, split, &ctx) {
                Some(halves) => {
                    assert_eq!(finished(halves), whole, "split at {split}");
                    splits += 1;
                }
                // Only a split inside the comment may fail (then calamine reads the file).
                None => assert!(
                    xml[..split].ends_with("<!-- a comment with ".as_bytes()),
                    "split at {split}"
                ),
            }
        }
        assert!(splits > 0);
        // Large sheets split at the middle; small ones are read in one pass.
        assert_eq!(
            finished(parse_sheet_split_from(xml, &ctx, 0).unwrap()),
            whole
        );
        assert!(split_point(b"<sheetData><row r=\"1\"></row></sheetData>", 0).is_none());

        // The cell limit counts the whole sheet, split or not.
        let cells = whole.0.rows.iter().map(|r| r.cells.len()).sum::<usize>();
        let scanned = parse_sheet_part(xml, &ctx).unwrap().scanned;
        assert!(scanned >= cells && scanned > 2);
        let middle = (0..xml.len())
            .find_map(|from| split_point(xml, from).filter(|s| *s >= xml.len() / 3))
            .unwrap();
        ctx.max_scanned = scanned;
        assert!(parse_halves(xml, middle, &ctx).is_some());
        ctx.max_scanned = scanned - 1;
        assert!(parse_sheet_part(xml, &ctx).is_none());
        assert!(parse_halves(xml, middle, &ctx).is_none());
    }

    #[test]
    fn ooxml_escapes_and_rich_text() {
        assert_eq!(unescape_ooxml("a_x000D_b_xD842__xDFB7_c"), "a\rb𠮷c");
        assert_eq!(unescape_ooxml("_x00"), "_x00");
        let sst = br#"<sst><si><t>plain</t></si><si><r><t xml:space="preserve">rich </t></r><r><t>text</t></r><rPh><t>PHONETIC</t></rPh></si><si/><si><t> trimmed &amp; </t></si></sst>"#;
        assert_eq!(
            parse_shared_strings(sst).unwrap(),
            vec!["plain", "rich text", "", "trimmed &"]
        );
    }

    #[test]
    fn date_styles_follow_the_builtin_ids_and_custom_codes() {
        for id in ["14", "22", "27", "31", "36", "45", "47", "50", "57", "58"] {
            assert!(builtin_format_is_date(id), "{id}");
        }
        for id in ["0", "2", "4", "43", "46", "49", "164"] {
            assert!(!builtin_format_is_date(id), "{id}");
        }
        assert!(custom_format_is_date(r#"yyyy"年"m"月"d"日""#));
        assert!(custom_format_is_date("m/d/yy"));
        assert!(!custom_format_is_date("#,##0.00"));
        assert!(!custom_format_is_date(r#"0.00"元""#));
        assert!(!custom_format_is_date("[h]:mm:ss"));
        assert!(!custom_format_is_date("[DBNum1][$-804]General"));
        assert_eq!(
            serial_to_datetime(43709.0, false).map(|d| d.to_string()),
            Some("2019-09-01 00:00:00".into())
        );
        assert!(serial_to_datetime(1e300, false).is_none());
    }

    #[test]
    fn malformed_markup_gives_up_instead_of_guessing() {
        let ctx = Context {
            strings: &[],
            dates: &[],
            units: &[],
            is_1904: false,
            max_scanned: MAX_CELLS_SCANNED,
        };
        assert!(parse_sheet(b"<sheetData><row r=\"1\"><c r=\"A1\"><v>1", &ctx).is_none());
        assert!(parse_sheet(b"<c r=\"A1\" t=\"s\"><v>5</v></c>", &ctx).is_none());
        assert!(parse_sheet(b"<c r=\"AAAAAAAAAAAA1\"><v>5</v></c>", &ctx).is_none());
        assert!(parse_sheet(b"<c r=\"A1\" t=\"str\"><v><![CDATA[x]]></v></c>", &ctx).is_none());
        let ok = parse_sheet(b"<row r=\"3\" hidden=\"1\"><c r=\"B3\" t=\"inlineStr\"><is><t>x</t></is></c><c><v>2.5</v></c></row>", &ctx).unwrap();
        let sheet = ok.builder.finish("s".into(), &ok.hidden_rows, &[]);
        assert_eq!(sheet.rows.len(), 1);
        assert!(sheet.rows[0].hidden);
        assert_eq!(
            sheet.rows[0].cells,
            vec![
                (1, CellValue::Text("x".into())),
                (2, CellValue::Number(2.5))
            ]
        );
    }
}
