//! `.xlsx` (Office Open XML) workbooks: cell values through calamine's streaming cell reader
//! (never a dense range sized from `<dimension>`, rule 21), plus one pass of our own over each
//! sheet's XML for what calamine does not expose cheaply: hidden rows (rule 16), merged regions,
//! `<hyperlink>` anchors and the units number formats show (`0"斤"`).

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::Arc;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxFormulaMetadata};
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::FileRejection;
use super::grid::{
    CellValue, GridSheet, MAX_CELLS, MAX_CELLS_SCANNED, Merge, SheetBuilder, formula_matters,
    hidden_column_range, parse_a1, parse_range,
};
use super::read::{Workbook, corrupt, too_large};

/// Largest shared-string table accepted (calamine keeps it all in memory).
const MAX_SHARED_STRINGS_BYTES: u64 = 400 * 1024 * 1024;

/// Largest XML part (workbook, relationships) read whole into memory.
const MAX_SMALL_PART: u64 = 32 * 1024 * 1024;

/// Reads an xlsx package whose entries are listed in `names` (lower-case path → stored path):
/// with our fast reader when it understands the file, else with calamine.
pub(crate) fn read(
    bytes: &[u8],
    names: &HashMap<String, String>,
) -> Result<Workbook, FileRejection> {
    let fast = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        super::fastxlsx::read(bytes, names)
    }));
    if let Ok(Some(workbook)) = fast {
        return Ok(workbook);
    }
    read_with_calamine(bytes, names)
}

/// Reads an xlsx package with calamine's streaming cell reader plus our own scan of each sheet.
pub(crate) fn read_with_calamine(
    bytes: &[u8],
    names: &HashMap<String, String>,
) -> Result<Workbook, FileRejection> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|_| corrupt_package())?;
    check_shared_strings(&mut zip, names)?;
    let sheet_paths = sheet_paths(&mut zip, names);
    // Our own pass over the sheets' XML runs beside calamine's.
    std::thread::scope(|scope| {
        let scans = std::thread::Builder::new()
            .name("import-scan".into())
            .spawn_scoped(scope, || scan_sheets(bytes, names, &sheet_paths));
        // A panic inside calamine on a damaged part means a damaged file, not a bug of ours.
        let cells = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_cells(bytes)))
            .unwrap_or_else(|_| Err(corrupt("Excel工作簿（.xlsx）中有损坏的内容")));
        let metas = match scans {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            // No thread to be had: scan here.
            Err(_) => scan_sheets(bytes, names, &sheet_paths),
        };
        // A broken row is named even when calamine gave up on the sheet too.
        let mut broken: Vec<(&String, u32)> = metas
            .iter()
            .filter_map(|(name, meta)| Some((name, meta.as_ref().ok()?.broken_row?)))
            .collect();
        broken.sort();
        if let Some((name, row)) = broken.first() {
            return Err(corrupt(&format!(
                "工作表“{name}”第{row}行附近有一行没有正确结束"
            )));
        }
        let (mut out, sheets) = cells?;
        let mut metas = metas;
        for (name, builder, formulas, visible) in sheets {
            let mut meta = match metas.remove(&name) {
                Some(Ok(m)) => m,
                Some(Err(())) => {
                    out.warnings.push(format!(
                        "工作表“{name}”的隐藏行和合并单元格信息无法读取，已按未隐藏、未合并处理"
                    ));
                    SheetMeta::default()
                }
                None => SheetMeta::default(),
            };
            let mut grid: GridSheet = builder.finish(name, &meta.hidden_rows, &meta.merges);
            grid.formulas = formulas;
            grid.hidden_sheet = !matches!(visible, SheetVisible::Visible);
            grid.hidden_columns = std::mem::take(&mut meta.hidden_columns);
            grid.add_format_units(std::mem::take(&mut meta.format_units));
            if !meta.links.is_empty() {
                let rels = meta
                    .rels_path
                    .as_deref()
                    .map(|p| read_relationships(&mut zip, names, p))
                    .unwrap_or_default();
                for (cell, rid) in meta.links {
                    if let Some(target) = rels.get(&rid) {
                        grid.links.insert(cell, target.clone());
                    }
                }
            }
            out.sheets.push(grid);
        }
        Ok(out)
    })
}

/// Each worksheet's name, cells (before hidden rows and merges are applied), the formulas the
/// rows need ([`formula_matters`]) and visibility.
type RawSheets = Vec<(
    String,
    SheetBuilder,
    HashMap<(u32, u32), String>,
    SheetVisible,
)>;

/// Scans every sheet's XML for hidden rows, merges and hyperlinks (see [`scan_sheet`]).
fn scan_sheets(
    bytes: &[u8],
    names: &HashMap<String, String>,
    sheet_paths: &HashMap<String, String>,
) -> HashMap<String, Result<SheetMeta, ()>> {
    let mut out = HashMap::new();
    let Ok(mut zip) = ZipArchive::new(Cursor::new(bytes)) else {
        return out;
    };
    let units = read_small_part(&mut zip, names, "xl/styles.xml")
        .and_then(|xml| super::fastxlsx::parse_number_styles(&xml))
        .map(|styles| styles.units)
        .unwrap_or_default();
    for (name, path) in sheet_paths {
        out.insert(name.clone(), scan_sheet(&mut zip, names, path, &units));
    }
    out
}

/// Reads the cell values of every worksheet with calamine.
fn read_cells(bytes: &[u8]) -> Result<(Workbook, RawSheets), FileRejection> {
    let mut workbook: Xlsx<Cursor<&[u8]>> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| corrupt_package())?;
    let metas: Vec<(String, SheetType, SheetVisible)> = workbook
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.typ, s.visible))
        .collect();

    let out = Workbook::default();
    let mut raw: RawSheets = Vec::new();
    let mut total_cells = 0usize;
    for (name, typ, visible) in metas {
        if typ != SheetType::WorkSheet {
            continue;
        }
        let mut builder = SheetBuilder::new();
        let mut formulas: HashMap<(u32, u32), String> = HashMap::new();
        {
            let mut cells = match workbook.worksheet_cells_reader(&name) {
                Ok(c) => c,
                Err(_) => {
                    return Err(corrupt(&format!("工作表“{name}”的内容无法读取")));
                }
            };
            let mut scanned = 0usize;
            loop {
                let record = match cells.next_cell_with_formula_metadata() {
                    Ok(Some(r)) => r,
                    Ok(None) => break,
                    Err(_) => return Err(corrupt(&format!("工作表“{name}”的内容不完整或已损坏"))),
                };
                scanned += 1;
                if scanned > MAX_CELLS_SCANNED {
                    return Err(too_large());
                }
                let Some(row) = record.pos.0.checked_add(1) else {
                    continue;
                };
                let col = record.pos.1;
                if let Some(meta) = record.formula {
                    let text = match meta {
                        XlsxFormulaMetadata::Normal { formula } => Some(formula),
                        XlsxFormulaMetadata::Shared { formula, .. } => Some(formula),
                        _ => None,
                    };
                    if let Some(f) = text
                        && formula_matters(&f, convert(record.value.clone()).as_ref())
                    {
                        formulas.insert((row, col), f);
                    }
                }
                if let Some(value) = convert(record.value) {
                    builder.push(row, col, value);
                    if total_cells + builder.cell_count() > MAX_CELLS {
                        return Err(too_large());
                    }
                }
            }
        }
        total_cells += builder.cell_count();
        raw.push((name, builder, formulas, visible));
    }
    Ok((out, raw))
}

fn corrupt_package() -> FileRejection {
    corrupt("Excel工作簿（.xlsx）的内部结构无法读取")
}

/// Converts one calamine value; `None` for empty cells.
fn convert(value: DataRef<'_>) -> Option<CellValue> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::Int(i) => CellValue::Int(i),
        DataRef::Float(f) => CellValue::Number(f),
        DataRef::String(s) => CellValue::Text(s),
        DataRef::SharedString(s) => CellValue::Text(s.to_string()),
        DataRef::Bool(b) => CellValue::Bool(b),
        // chrono panics on serials far outside its range: only sane values become dates.
        DataRef::DateTime(dt)
            if dt.is_datetime() && (-700_000.0..=3_000_000.0).contains(&dt.as_f64()) =>
        {
            dt.as_datetime()
                .map_or(CellValue::Number(dt.as_f64()), CellValue::Date)
        }
        DataRef::DateTime(dt) => CellValue::Number(dt.as_f64()),
        DataRef::DateTimeIso(s) => iso_datetime(&s).map_or(CellValue::Text(s), CellValue::Date),
        DataRef::DurationIso(s) => CellValue::Text(s),
        DataRef::Error(e) => CellValue::Error(e.to_string()),
    })
}

/// Parses an ISO 8601 date or date-time (`t="d"` cells).
pub(crate) fn iso_datetime(text: &str) -> Option<chrono::NaiveDateTime> {
    let t = text.trim();
    if let Ok(d) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(d);
    }
    if let Ok(d) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.fZ") {
        return Some(d);
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// calamine reserves `uniqueCount` strings up front: refuse absurd counts rather than let the
/// allocation abort the process.
fn check_shared_strings(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    names: &HashMap<String, String>,
) -> Result<(), FileRejection> {
    let Some(stored) = names.get("xl/sharedstrings.xml") else {
        return Ok(());
    };
    let Ok(entry) = zip.by_name(stored) else {
        return Ok(());
    };
    let declared_size = entry.size();
    let compressed = entry.compressed_size();
    // The zip reader never inflates beyond the declared size: this bounds the string table.
    if declared_size > MAX_SHARED_STRINGS_BYTES {
        return Err(too_large());
    }
    let mut head = Vec::new();
    // The count is an attribute of the root element: the first few KB hold it.
    if entry.take(64 * 1024).read_to_end(&mut head).is_err() {
        return Err(corrupt_package());
    }
    let text = String::from_utf8_lossy(&head);
    // calamine reserves `uniqueCount` entries (`count` counts references and may be larger).
    for key in ["uniqueCount=\""] {
        if let Some(pos) = text.find(key) {
            let digits: String = text[pos + key.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let n: u64 = digits.parse().unwrap_or(u64::MAX);
            // Every <si> takes at least 7 bytes of XML; deflate expands at most ~1032×.
            let max_from_size = declared_size.min(compressed.saturating_mul(1100)) / 7;
            if n > max_from_size.max(1024) || n > 50_000_000 {
                return Err(corrupt("共享字符串表声明的数量与文件大小不符"));
            }
        }
    }
    Ok(())
}

/// Sheet name → path of its XML part, from `xl/workbook.xml` and its relationships (resolved
/// the way calamine resolves them).
fn sheet_paths(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    names: &HashMap<String, String>,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let rels = read_relationships(zip, names, "xl/_rels/workbook.xml.rels");
    let Some(xml) = read_small_part(zip, names, "xl/workbook.xml") else {
        return out;
    };
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == "sheet" => {
                let name = attr(&e, "name");
                let rid = attr(&e, "id");
                if let (Some(name), Some(rid)) = (name, rid)
                    && let Some(target) = rels.get(&rid)
                {
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{target}"),
                    };
                    out.insert(name, path);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// The unescaped value of the attribute whose local name is `key`.
pub(crate) fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .map(|a| xml_unescape(&a.value))
}

/// Replaces the five XML entities and numeric character references.
pub(crate) fn xml_unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        match after.find(';') {
            Some(end) if end <= 10 => {
                let entity = &after[..end];
                let decoded = match entity {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => entity
                        .strip_prefix("#x")
                        .or_else(|| entity.strip_prefix("#X"))
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse::<u32>().ok()))
                        .and_then(char::from_u32),
                };
                match decoded {
                    Some(c) => {
                        out.push(c);
                        rest = &after[end + 1..];
                    }
                    None => {
                        out.push('&');
                        rest = after;
                    }
                }
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads a small XML part whole (capped), by case-insensitive path.
pub(crate) fn read_small_part(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    names: &HashMap<String, String>,
    path: &str,
) -> Option<String> {
    let stored = names.get(&path.replace('\\', "/").to_ascii_lowercase())?;
    let entry = zip.by_name(stored).ok()?;
    let mut buf = Vec::new();
    entry.take(MAX_SMALL_PART).read_to_end(&mut buf).ok()?;
    String::from_utf8(buf).ok()
}

/// Relationship id → target of a `.rels` part (empty when missing or unreadable).
pub(crate) fn read_relationships(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    names: &HashMap<String, String>,
    path: &str,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(xml) = read_small_part(zip, names, path) else {
        return out;
    };
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    out.insert(id, target);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// What our own pass over a sheet's XML finds.
#[derive(Debug, Default)]
struct SheetMeta {
    /// 1-based numbers of rows saved hidden (by hand or by an active filter).
    hidden_rows: Vec<u32>,
    /// Columns saved hidden (`<col hidden="1">`), 0-based inclusive ranges.
    hidden_columns: Vec<(u32, u32)>,
    merges: Vec<Merge>,
    /// (cell, relationship id) of `<hyperlink>` anchors.
    links: Vec<((u32, u32), String)>,
    /// (cell (row 1-based, col 0-based), unit) of cells whose style's format shows a unit; kept
    /// for the number cells among them ([`GridSheet::format_units`]).
    format_units: Vec<((u32, u32), Arc<str>)>,
    /// Path of the sheet's relationships part.
    rels_path: Option<String>,
    /// The number of the first row opened while another was still open, or closed when none
    /// was (a row without its `</row>`: damaged XML that a lenient reader would run into the
    /// next row, losing one of them).
    broken_row: Option<u32>,
}

/// Streams a sheet's XML once, reading row attributes, `<mergeCell>` and `<hyperlink>`. A byte
/// scanner rather than an XML reader: it looks only at tags of interest (raw `<` cannot occur
/// in text or attribute values of well-formed XML), which keeps a 100,000-row sheet cheap.
fn scan_sheet(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    names: &HashMap<String, String>,
    path: &str,
    units: &[Option<Arc<str>>],
) -> Result<SheetMeta, ()> {
    let stored = names.get(&path.to_ascii_lowercase()).ok_or(())?.clone();
    let mut meta = SheetMeta::default();
    if let Some(slash) = stored.rfind('/') {
        meta.rels_path = Some(format!(
            "{}/_rels{}.rels",
            &stored[..slash],
            &stored[slash..]
        ));
    }
    let mut entry = zip.by_name(&stored).map_err(|_| ())?;
    let mut scanner = MetaScanner {
        next_row: 1,
        open_row: None,
        units: units.iter().any(Option::is_some).then_some(units),
    };
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 4096);
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = entry.read(&mut chunk).map_err(|_| ())?;
        let Some(read) = chunk.get(..n) else {
            return Err(());
        };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(read);
        let consumed = scanner.scan(&buf, &mut meta);
        buf.drain(..consumed.min(buf.len()));
        // A single tag larger than a few chunks is not a sheet.
        if buf.len() > 4 * CHUNK {
            return Err(());
        }
    }
    meta.hidden_rows.sort_unstable();
    Ok(meta)
}

const CHUNK: usize = 1 << 20;

struct MetaScanner<'a> {
    next_row: u32,
    /// The number of the `<row>` opened whose `</row>` was not yet seen.
    open_row: Option<u32>,
    /// The unit each cell style's format shows after a number, when some style shows one
    /// (then `<c>` tags are read too).
    units: Option<&'a [Option<Arc<str>>]>,
}

impl MetaScanner<'_> {
    /// Scans complete tags in `buf`; returns how many bytes were consumed (the rest begins with
    /// an incomplete tag of interest).
    fn scan(&mut self, buf: &[u8], meta: &mut SheetMeta) -> usize {
        let mut pos = 0usize;
        while let Some(rel) = buf.get(pos..).and_then(|b| memchr::memchr(b'<', b)) {
            let start = pos + rel;
            let name_start = start + 1;
            let name_len = buf
                .get(name_start..)
                .map(|b| {
                    b.iter()
                        .take_while(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>'))
                        .count()
                })
                .unwrap_or(0);
            let name = buf.get(name_start..name_start + name_len).unwrap_or(&[]);
            let local = match name.iter().rposition(|c| *c == b':') {
                Some(i) => name.get(i + 1..).unwrap_or(&[]),
                None => name,
            };
            if name_start + name_len >= buf.len() {
                // The name itself may continue in the next chunk.
                return start;
            }
            // `</row>` (or `</x:row>`): the name begins after the slash.
            if name.is_empty() && buf.get(name_start) == Some(&b'/') {
                let closing = buf
                    .get(name_start + 1..)
                    .map(|b| {
                        b.iter()
                            .take_while(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'>'))
                            .count()
                    })
                    .unwrap_or(0);
                if name_start + 1 + closing >= buf.len() {
                    return start;
                }
                let closed = buf
                    .get(name_start + 1..name_start + 1 + closing)
                    .unwrap_or(&[]);
                let closed = match closed.iter().rposition(|c| *c == b':') {
                    Some(i) => closed.get(i + 1..).unwrap_or(&[]),
                    None => closed,
                };
                if closed == b"row" {
                    if self.open_row.is_none() && meta.broken_row.is_none() {
                        meta.broken_row = Some(self.next_row.saturating_sub(1));
                    }
                    self.open_row = None;
                }
                pos = start + 1;
                continue;
            }
            let wanted = matches!(local, b"row" | b"col" | b"mergeCell" | b"hyperlink")
                || (local == b"c" && self.units.is_some());
            if !wanted {
                pos = start + 1;
                continue;
            }
            let Some(end) = tag_end(buf, name_start + name_len) else {
                return start;
            };
            let attrs = attributes(buf.get(name_start + name_len..end).unwrap_or(&[]));
            let get = |key: &[u8]| {
                attrs
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| xml_unescape(v))
            };
            match local {
                b"row" => {
                    let number = get(b"r")
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .unwrap_or(self.next_row);
                    self.next_row = number.saturating_add(1);
                    if get(b"hidden").is_some_and(|v| matches!(v.trim(), "1" | "true")) {
                        meta.hidden_rows.push(number);
                    }
                    if let Some(open) = self.open_row
                        && meta.broken_row.is_none()
                    {
                        meta.broken_row = Some(open);
                    }
                    let self_closing = end > 0 && buf.get(end - 1) == Some(&b'/');
                    self.open_row = (!self_closing).then_some(number);
                }
                b"col" => {
                    if let Some(range) = hidden_column_range(
                        get(b"min").as_deref(),
                        get(b"max").as_deref(),
                        get(b"hidden").as_deref(),
                    ) {
                        meta.hidden_columns.push(range);
                    }
                }
                b"mergeCell" => {
                    if let Some(m) = get(b"ref").as_deref().and_then(parse_range) {
                        meta.merges.push(m);
                    }
                }
                b"c" => {
                    let style = get(b"s").and_then(|v| v.trim().parse::<usize>().ok());
                    let unit = style.and_then(|i| self.units?.get(i)?.clone());
                    if let (Some(unit), Some(cell)) =
                        (unit, get(b"r").as_deref().and_then(parse_a1))
                    {
                        meta.format_units.push((cell, unit));
                    }
                }
                _ => {
                    if let (Some(r), Some(id)) = (get(b"ref"), get(b"id"))
                        && let Some(cell) = parse_a1(r.split(':').next().unwrap_or(""))
                    {
                        meta.links.push((cell, id));
                    }
                }
            }
            pos = end + 1;
        }
        buf.len()
    }
}

/// Index of the `>` closing a tag whose attributes start at `from`, skipping quoted values.
fn tag_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, c) in buf.get(from..)?.iter().enumerate() {
        match (quote, *c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(*c),
            (None, b'>') => return Some(from + i),
            _ => {}
        }
    }
    None
}

/// The attributes of a tag as (local name, raw value).
fn attributes(tag: &[u8]) -> Vec<(&[u8], String)> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < tag.len() {
        while tag
            .get(i)
            .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
        {
            i += 1;
        }
        let key_start = i;
        while tag
            .get(i)
            .is_some_and(|c| !c.is_ascii_whitespace() && *c != b'=' && *c != b'/')
        {
            i += 1;
        }
        let key = tag.get(key_start..i).unwrap_or(&[]);
        while tag.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        if tag.get(i) != Some(&b'=') {
            if i == key_start {
                i += 1;
            }
            continue;
        }
        i += 1;
        while tag.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        let Some(&q) = tag.get(i).filter(|c| **c == b'"' || **c == b'\'') else {
            continue;
        };
        i += 1;
        let value_start = i;
        while tag.get(i).is_some_and(|c| *c != q) {
            i += 1;
        }
        let value = String::from_utf8_lossy(tag.get(value_start..i).unwrap_or(&[])).into_owned();
        i += 1;
        let local = match key.iter().rposition(|c| *c == b':') {
            Some(k) => key.get(k + 1..).unwrap_or(&[]),
            None => key,
        };
        out.push((local, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the scanner finds in `xml` read as two chunks split at byte `split`.
    fn scan_in_two_chunks(xml: &[u8], split: usize) -> SheetMeta {
        let mut meta = SheetMeta::default();
        let mut scanner = MetaScanner {
            next_row: 1,
            open_row: None,
            units: None,
        };
        let mut buf = xml[..split].to_vec();
        let consumed = scanner.scan(&buf, &mut meta);
        buf.drain(..consumed);
        buf.extend_from_slice(&xml[split..]);
        scanner.scan(&buf, &mut meta);
        meta
    }

    #[test]
    fn meta_scanner_reads_rows_merges_and_links_across_chunks() {
        let xml = br#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><x:row r="5" hidden="1" spans="1:9"/><row hidden='true'/><row r="9" ht="3"></row></sheetData><mergeCells count="1"><mergeCell ref="A2:I2"/></mergeCells><hyperlinks><hyperlink ref="H7" r:id="rId1" tooltip="a>b"/></hyperlinks></worksheet>"#;
        for split in 0..xml.len() {
            let meta = scan_in_two_chunks(xml, split);
            assert_eq!(meta.hidden_rows, vec![5, 6], "split at {split}");
            assert_eq!(meta.merges, vec![(1, 0, 1, 8)]);
            assert_eq!(meta.links, vec![((7, 7), "rId1".to_string())]);
            assert_eq!(meta.broken_row, None, "split at {split}");
        }
    }

    /// A row opened while another is open, or closed when none is, wherever the chunk splits.
    #[test]
    fn meta_scanner_finds_a_row_without_its_end_tag_across_chunks() {
        let cases: [(&[u8], u32); 2] = [
            (
                br#"<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c><x:row r="3"><c r="A3"><v>3</v></c></x:row></sheetData>"#,
                2,
            ),
            (
                br#"<sheetData><row r="1"/><row r="4"><c r="A4"><v>1</v></c></row></row></sheetData>"#,
                4,
            ),
        ];
        for (xml, row) in cases {
            for split in 0..xml.len() {
                let meta = scan_in_two_chunks(xml, split);
                assert_eq!(meta.broken_row, Some(row), "split at {split}");
            }
        }
    }

    fn names_of(bytes: &[u8]) -> HashMap<String, String> {
        let zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
        zip.file_names()
            .map(|n| n.unwrap())
            .map(|n| (n.to_ascii_lowercase(), n.to_string()))
            .collect()
    }

    /// The fast reader and the calamine path read the same grid.
    fn assert_same(label: &str, bytes: &[u8]) {
        let names = names_of(bytes);
        let fast = super::super::fastxlsx::read(bytes, &names)
            .unwrap_or_else(|| panic!("{label}: fast path gave up"));
        let slow =
            read_with_calamine(bytes, &names).unwrap_or_else(|e| panic!("{label}: {}", e.message));
        assert_eq!(fast.sheets.len(), slow.sheets.len(), "{label}");
        for (a, b) in fast.sheets.iter().zip(slow.sheets.iter()) {
            assert_eq!(a.name, b.name, "{label}");
            assert_eq!(a.hidden_sheet, b.hidden_sheet, "{label} {}", a.name);
            assert_eq!(a.hidden_columns, b.hidden_columns, "{label} {}", a.name);
            assert_eq!(a.rows, b.rows, "{label} {}", a.name);
            assert_eq!(a.formulas, b.formulas, "{label} {}", a.name);
            assert_eq!(a.links, b.links, "{label} {}", a.name);
            assert_eq!(a.format_units, b.format_units, "{label} {}", a.name);
        }
    }

    /// Units shown by number formats (`0"斤"`) are read by both paths, for number cells only.
    #[test]
    fn both_readers_read_the_units_number_formats_show() {
        use rust_xlsxwriter::{Format, Workbook as Xw};
        let mut wb = Xw::new();
        let ws = wb.add_worksheet();
        let jin = Format::new().set_num_format(r#"0"斤""#);
        let wan = Format::new().set_num_format(r#"0.0000"万元""#);
        let plain = Format::new().set_num_format("#,##0.00");
        let date = Format::new().set_num_format(r#"yyyy"年"m"月"d"日""#);
        ws.write_number_with_format(0, 0, 30, &jin).unwrap();
        ws.write_string_with_format(0, 1, "30", &jin).unwrap();
        ws.write_number_with_format(0, 2, 0.009, &wan).unwrap();
        ws.write_number_with_format(0, 3, 90, &plain).unwrap();
        ws.write_number_with_format(0, 4, 43709, &date).unwrap();
        ws.write_formula_with_format(1, 0, "=A1*2", &jin).unwrap();
        ws.set_formula_result(1, 0, "60");
        let bytes = wb.save_to_buffer().unwrap();
        assert_same("units", &bytes);
        let names = names_of(&bytes);
        let fast = super::super::fastxlsx::read(&bytes, &names).unwrap();
        let mut units: Vec<((u32, u32), String)> = fast.sheets[0]
            .format_units
            .iter()
            .map(|(cell, unit)| (*cell, unit.to_string()))
            .collect();
        units.sort();
        assert_eq!(
            units,
            [
                ((1, 0), "斤".to_string()),
                ((1, 2), "万元".to_string()),
                ((2, 0), "斤".to_string())
            ]
        );
    }

    #[test]
    fn fast_reader_agrees_with_calamine_on_the_samples() {
        let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/samples");
        let variants = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/variants");
        let entries = std::fs::read_dir(samples)
            .unwrap()
            .chain(std::fs::read_dir(variants).unwrap());
        let mut seen = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".xlsx")
                && bytes.starts_with(b"PK")
                && names_of(&bytes).contains_key("xl/workbook.xml")
            {
                assert_same(&name, &bytes);
                seen += 1;
            }
        }
        assert!(seen >= 11);
    }

    #[test]
    fn fast_reader_agrees_with_calamine_on_odd_cells() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook as Xw};
        let mut wb = Xw::new();
        let ws = wb.add_worksheet();
        ws.set_name("数据 & 表").unwrap();
        ws.write_string(0, 0, "  leading and trailing  ").unwrap();
        ws.write_string(0, 1, "line\nbreak\r\nwindows").unwrap();
        ws.write_string(0, 2, "ctrl\u{1}char _x0041_ literal")
            .unwrap();
        ws.write_string(0, 3, "𠮷永福 <&> \"q\"").unwrap();
        ws.write_number(1, 0, 0.0215).unwrap();
        ws.write_number(1, 1, 17700001234.0).unwrap();
        ws.write_number(1, 2, -0.0).unwrap();
        ws.write_boolean(1, 3, true).unwrap();
        for (i, id) in [14u8, 22, 31, 57, 58, 4, 43, 46].iter().enumerate() {
            ws.write_number_with_format(
                2,
                i as u16,
                43709.75,
                &Format::new().set_num_format_index(*id),
            )
            .unwrap();
        }
        ws.write_number_with_format(3, 0, 43709.0, &Format::new().set_num_format("yyyy/m/d"))
            .unwrap();
        ws.write_number_with_format(3, 1, 43709.0, &Format::new().set_num_format("0.00\"元\""))
            .unwrap();
        ws.write_datetime_with_format(
            3,
            2,
            ExcelDateTime::from_ymd(1900, 2, 28).unwrap(),
            &Format::new().set_num_format_index(14),
        )
        .unwrap();
        ws.write_number_with_format(3, 3, 1e300, &Format::new().set_num_format_index(14))
            .unwrap();
        ws.write_formula(
            4,
            0,
            Formula::new("=HYPERLINK(\"https://a.invalid/x\",\"店\")").set_result("店"),
        )
        .unwrap();
        ws.write_formula(4, 1, Formula::new("=SUM(B2:B3)").set_result("17700044943"))
            .unwrap();
        ws.write_url(4, 2, "https://b.invalid/y").unwrap();
        ws.merge_range(5, 0, 6, 2, "merged", &Format::new())
            .unwrap();
        ws.set_row_hidden(7).unwrap();
        ws.write_string(7, 0, "hidden").unwrap();
        ws.set_column_hidden(4).unwrap();
        ws.write_rich_string(
            8,
            0,
            &[
                (&Format::new().set_bold(), "rich "),
                (&Format::new(), "text"),
            ],
        )
        .unwrap();
        let hidden = wb.add_worksheet();
        hidden.set_name("隐藏").unwrap();
        hidden.set_hidden(true);
        hidden.write_string(0, 0, "x").unwrap();
        wb.add_worksheet().set_name("空").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        assert_same("odd cells", &bytes);
        let names = names_of(&bytes);
        let fast = super::super::fastxlsx::read(&bytes, &names).unwrap();
        let first = &fast.sheets[0];
        assert_eq!(first.hidden_columns, [(4, 4)]);
        assert!(first.column_hidden(4) && !first.column_hidden(3));
        assert_eq!(
            first.row(1).unwrap().get(2),
            Some(&CellValue::Text("ctrl\u{1}char _x0041_ literal".into()))
        );
        assert_eq!(
            first
                .row(3)
                .unwrap()
                .get(0)
                .map(CellValue::to_text)
                .as_deref(),
            Some("2019-09-01 18:00:00")
        );
        assert_eq!(
            first.row(3).unwrap().get(5),
            Some(&CellValue::Number(43709.75))
        );
        assert!(first.row(8).unwrap().hidden);
    }

    /// `bytes` with the part whose name ends in `part` replaced by `data`.
    fn with_part(bytes: &[u8], part: &str, data: &[u8]) -> Vec<u8> {
        let mut zin = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let entries: Vec<(String, Vec<u8>)> = (0..zin.len())
            .map(|i| {
                let mut f = zin.by_index(i).unwrap();
                let name = f.name().unwrap().to_string();
                let mut content = Vec::new();
                f.read_to_end(&mut content).unwrap();
                if name.ends_with(part) {
                    content = data.to_vec();
                }
                (name, content)
            })
            .collect();
        rezip(&entries)
    }

    #[test]
    fn fast_reader_agrees_with_calamine_on_self_closing_rows_and_cells() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write_string(0, 0, "x").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        for sheet in [
            // A self-closing row with a number, then rows without: they follow it.
            r#"<row r="1"><c><v>1</v></c></row><row r="3"><c><v>3</v></c></row><row r="1"/><row><c><v>2</v></c></row><row><c><v>4</v></c></row>"#,
            // Self-closing rows without a number move on one row each.
            r#"<row><c><v>1</v></c></row><row/><row/><row><c><v>4</v></c><c/><c><v>6</v></c></row>"#,
            // Self-closing cells take their column; with `r` they set it.
            r#"<row r="2"><c r="B2"/><c><v>3</v></c><c/><c><v>5</v></c><c r="F2"/><c><v>7</v></c></row>"#,
        ] {
            let xml = format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet}</sheetData></worksheet>"#
            );
            assert_same(sheet, &with_part(&bytes, "sheet1.xml", xml.as_bytes()));
        }
    }

    fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Differential check: whenever both readers accept a damaged sheet or string table,
        /// they read the same grid.
        #[test]
        fn fast_reader_and_calamine_agree_on_damaged_parts(
            which in 0usize..64,
            edits in proptest::collection::vec((0usize..1_000_000, 0u8..3, proptest::prelude::any::<u8>()), 1..5),
        ) {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/samples");
            let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "xlsx")).collect();
            files.sort();
            let bytes = std::fs::read(&files[which % files.len()]).unwrap();
            if ZipArchive::new(Cursor::new(&bytes[..])).is_err() || !names_of(&bytes).contains_key("xl/workbook.xml") {
                return Ok(());
            }
            let names = names_of(&bytes);
            if names.is_empty() {
                return Ok(());
            }
            let mut zin = ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
            let mut entries: Vec<(String, Vec<u8>)> = (0..zin.len()).map(|i| {
                let mut f = zin.by_index(i).unwrap();
                let name = f.name().unwrap().to_string();
                let mut data = Vec::new();
                f.read_to_end(&mut data).unwrap();
                (name, data)
            }).collect();
            let part = if edits.len() % 2 == 0 { "sharedStrings.xml" } else { "sheet1.xml" };
            let Some(target) = entries.iter().position(|(n, _)| n.ends_with(part)) else { return Ok(()) };
            let data = &mut entries[target].1;
            for (at, op, byte) in edits {
                let i = at % data.len().max(1);
                match op {
                    0 => { data.insert(i, byte); }
                    1 => { if i < data.len() { data.remove(i); } }
                    _ => { if let Some(b) = data.get_mut(i) { *b = byte; } }
                }
            }
            let mutated = rezip(&entries);
            let fast = super::super::fastxlsx::read(&mutated, &names);
            let slow = std::panic::catch_unwind(|| read_with_calamine(&mutated, &names)).ok().and_then(Result::ok);
            if let (Some(fast), Some(slow)) = (fast, slow) {
                proptest::prop_assert_eq!(fast.sheets.len(), slow.sheets.len());
                for (a, b) in fast.sheets.iter().zip(slow.sheets.iter()) {
                    let first = a.rows.iter().zip(b.rows.iter()).find(|(x, y)| x != y);
                    proptest::prop_assert!(first.is_none() && a.rows.len() == b.rows.len(),
                        "fast {:?} vs calamine {:?} ({} vs {} rows)", first.map(|f| f.0), first.map(|f| f.1), a.rows.len(), b.rows.len());
                }
            }
        }
    }

    #[test]
    fn xml_entities_unescape() {
        assert_eq!(
            xml_unescape("a&amp;b&lt;&#x4E2D;&#25991;&bogus;&"),
            "a&b<中文&bogus;&"
        );
        assert_eq!(xml_unescape("plain"), "plain");
    }

    #[test]
    fn iso_dates_parse() {
        assert_eq!(
            iso_datetime("2019-09-01").map(|d| d.date().to_string()),
            Some("2019-09-01".to_string())
        );
        assert!(iso_datetime("2019-09-01T10:00:00").is_some());
        assert!(iso_datetime("nope").is_none());
    }
}
