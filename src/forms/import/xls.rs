//! `.xls` (BIFF8, Excel 97-2003; also WPS `.et`) workbooks. Cell values and the formulas the rows
//! need (`HYPERLINK(…)` for rule 19, sums, see [`formula_matters`]) come from calamine. Our own pre-scan of the workbook stream first (1) finds
//! the rows saved hidden (ROW records, rule 16) and the web addresses of cell hyperlinks (HLINK
//! records) and the units that cells' number formats show (FORMAT, XF and cell records:
//! `0"斤"`), which calamine does not report, and (2) checks the declared and actual extent of
//! each sheet, because calamine sizes its cell buffers from them and an absurd extent in a
//! damaged file would otherwise exhaust memory (rule 21).

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Reader, SheetType, SheetVisible, Xls, XlsError};

use super::FileRejection;
use super::grid::{CellValue, MAX_CELLS, Merge, SheetBuilder, format_unit, formula_matters};
use super::read::{Workbook, corrupt, password_protected, too_large};

/// Most cells the bounding box of one sheet's cells may span (calamine allocates it densely).
const MAX_BOX_CELLS: u64 = 65_536 * 64;
/// Most cells a sheet's DIMENSION record may declare (calamine reserves, not touches, them).
const MAX_DECLARED_CELLS: u64 = 65_536 * 256;

/// What the pre-scan learns about one sheet (in BOUNDSHEET order).
#[derive(Debug, Default)]
struct SheetScan {
    hidden_rows: Vec<u32>,
    /// Columns saved hidden (COLINFO records), 0-based inclusive ranges.
    hidden_columns: Vec<(u32, u32)>,
    /// URL targets of cell hyperlinks (HLINK records) by (row 1-based, col 0-based): calamine
    /// does not read them; the xlsx readers report `<hyperlink>` targets the same way.
    links: HashMap<(u32, u32), String>,
    /// (cell (row 1-based, col 0-based), unit) of number cells whose format shows a unit
    /// ([`GridSheet::format_units`]; calamine does not report formats).
    format_units: Vec<((u32, u32), Arc<str>)>,
}

/// Reads an `.xls` file from its `Workbook` (or `Book`) stream, as read from the file's compound
/// container by [`super::cfb`].
pub(crate) fn read(stream: &[u8]) -> Result<Workbook, FileRejection> {
    let scans = prescan(stream)?;
    // calamine reads the stream the prescan checked, from a compound file of its own: in a
    // damaged file calamine's reading of the container may find another stream than ours, whose
    // cells it would allocate unchecked (a fuzzed .xls asked for 72 GB and aborted the process).
    let rebuilt = compound_file_of(stream)
        .ok_or_else(|| corrupt("Excel 97-2003 工作簿（.xls）的内部结构无法读取"))?;
    // calamine indexes some damaged records without checking their length (found by fuzzing):
    // such a panic means a damaged file, not a bug of ours.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_with_calamine(&rebuilt, &scans)
    }))
    .unwrap_or_else(|_| Err(corrupt("Excel 97-2003 工作簿（.xls）中有损坏的记录")))
}

/// A new compound file (.xls container) in memory holding `stream` as its `Workbook` stream and
/// nothing else; `None` if the cfb library cannot write it. Version 3 (512-byte sectors), as
/// Excel 97-2003 writes them: calamine 0.38 does not open the cfb crate's default version 4.
fn compound_file_of(stream: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())).ok()?;
    file.create_stream("/Workbook")
        .ok()?
        .write_all(stream)
        .ok()?;
    file.flush().ok()?;
    Some(file.into_inner().into_inner())
}

fn read_with_calamine(bytes: &[u8], scans: &[SheetScan]) -> Result<Workbook, FileRejection> {
    let mut workbook: Xls<Cursor<&[u8]>> = match Xls::new(Cursor::new(bytes)) {
        Ok(w) => w,
        Err(XlsError::Password) => return Err(password_protected()),
        Err(_) => return Err(corrupt("Excel 97-2003 工作簿（.xls）的内部结构无法读取")),
    };
    let metas: Vec<(String, SheetType, SheetVisible)> = workbook
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.typ, s.visible))
        .collect();
    let mut out = Workbook::default();
    let mut total = 0usize;
    for (index, (name, typ, visible)) in metas.into_iter().enumerate() {
        if typ != SheetType::WorkSheet {
            continue;
        }
        let Ok(range) = workbook.worksheet_range(&name) else {
            return Err(corrupt(&format!("工作表“{name}”的内容无法读取")));
        };
        let mut builder = SheetBuilder::new();
        if let Some((r0, c0)) = range.start() {
            for (r, c, value) in range.used_cells() {
                let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
                    continue;
                };
                let row = r0.saturating_add(r).saturating_add(1);
                let col = c0.saturating_add(c);
                if let Some(v) = convert(value) {
                    builder.push(row, col, v);
                }
            }
        }
        total += builder.cell_count();
        if total > MAX_CELLS {
            return Err(too_large());
        }
        let merges: Vec<Merge> = workbook
            .merge_cells_by_sheet_name(&name)
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
            .collect();
        let hidden: &[u32] = scans
            .get(index)
            .map(|s| s.hidden_rows.as_slice())
            .unwrap_or(&[]);
        let formulas = workbook
            .worksheet_formula(&name)
            .map(|formulas| formulas_that_matter(&formulas, &range))
            .unwrap_or_default();
        let mut sheet = builder.finish(name, hidden, &merges);
        sheet.formulas = formulas;
        sheet.links = scans
            .get(index)
            .map(|s| s.links.clone())
            .unwrap_or_default();
        sheet.hidden_sheet = !matches!(visible, SheetVisible::Visible);
        sheet.hidden_columns = scans
            .get(index)
            .map(|s| s.hidden_columns.clone())
            .unwrap_or_default();
        sheet.add_format_units(
            scans
                .get(index)
                .into_iter()
                .flat_map(|scan| scan.format_units.iter().cloned()),
        );
        out.sheets.push(sheet);
    }
    Ok(out)
}

/// The formulas of a sheet the rows need ([`formula_matters`]: `HYPERLINK(…)`, sums, and formulas
/// without a saved result in `values`) by (row 1-based, col 0-based), as calamine decodes them.
/// A sheet whose formulas cannot be decoded has none: the cached values are still read.
fn formulas_that_matter(
    formulas: &calamine::Range<String>,
    values: &calamine::Range<Data>,
) -> HashMap<(u32, u32), String> {
    let Some((r0, c0)) = formulas.start() else {
        return HashMap::new();
    };
    formulas
        .used_cells()
        .filter_map(|(r, c, formula)| {
            let row = r0.checked_add(u32::try_from(r).ok()?)?;
            let col = c0.checked_add(u32::try_from(c).ok()?)?;
            let saved = values.get_value((row, col)).and_then(convert);
            let row1 = row.checked_add(1)?;
            formula_matters(formula, saved.as_ref()).then(|| ((row1, col), formula.clone()))
        })
        .collect()
}

/// Converts one calamine value; `None` for empty cells.
fn convert(value: &Data) -> Option<CellValue> {
    Some(match value {
        Data::Empty => return None,
        Data::Int(i) => CellValue::Int(*i),
        Data::Float(f) => CellValue::Number(*f),
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        // chrono panics on serials far outside its range: only sane values become dates.
        Data::DateTime(dt)
            if dt.is_datetime() && (-700_000.0..=3_000_000.0).contains(&dt.as_f64()) =>
        {
            dt.as_datetime()
                .map_or(CellValue::Number(dt.as_f64()), CellValue::Date)
        }
        Data::DateTime(dt) => CellValue::Number(dt.as_f64()),
        Data::DateTimeIso(s) => {
            super::xlsx::iso_datetime(s).map_or_else(|| CellValue::Text(s.clone()), CellValue::Date)
        }
        Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
    })
}

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(off..off.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// BIFF records of a stream: (type, data). Stops at the first malformed record.
struct Records<'a> {
    stream: &'a [u8],
}

impl<'a> Iterator for Records<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let typ = u16_at(self.stream, 0)?;
        let len = usize::from(u16_at(self.stream, 2)?);
        let data = self.stream.get(4..4 + len)?;
        self.stream = self.stream.get(4 + len..)?;
        Some((typ, data))
    }
}

/// Walks the globals substream and every sheet substream the way calamine will, rejecting what
/// would make calamine allocate absurdly, and collecting hidden rows.
fn prescan(stream: &[u8]) -> Result<Vec<SheetScan>, FileRejection> {
    let mut positions: Vec<usize> = Vec::new();
    // Custom number formats by index (FORMAT), and the format of each cell style (XF), in order.
    let mut formats: HashMap<u16, String> = HashMap::new();
    let mut style_formats: Vec<u16> = Vec::new();
    for (typ, data) in (Records { stream }) {
        match typ {
            // FORMAT (BIFF8): index, then the format code as a unicode string.
            0x041E => {
                if let (Some(index), Some(code)) = (u16_at(data, 0), format_code(data)) {
                    formats.insert(index, code);
                }
            }
            // XF: font, then number format index.
            0x00E0 => style_formats.push(u16_at(data, 2).unwrap_or(0)),
            // FILEPASS: the workbook is encrypted.
            0x002F if u16_at(data, 0).is_some_and(|v| v != 0) => return Err(password_protected()),
            // BOUNDSHEET8: stream position of the sheet's BOF.
            0x0085 => {
                if let Some(pos) = u32_at(data, 0) {
                    positions.push(usize::try_from(pos).unwrap_or(usize::MAX));
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    // Built-in formats (below 164) show no unit.
    let mut units_by_format: HashMap<u16, Option<Arc<str>>> = HashMap::new();
    let units: Vec<Option<Arc<str>>> = style_formats
        .iter()
        .map(|index| {
            units_by_format
                .entry(*index)
                .or_insert_with(|| {
                    let code = formats.get(index)?;
                    if super::fastxlsx::custom_format_is_date(code) {
                        return None;
                    }
                    format_unit(code).map(Arc::from)
                })
                .clone()
        })
        .collect();
    let mut scans = Vec::with_capacity(positions.len());
    for pos in positions {
        let Some(sub) = stream.get(pos..) else {
            return Err(corrupt("工作表数据的位置超出了文件范围，文件可能不完整"));
        };
        scans.push(scan_sheet(sub, &units)?);
    }
    Ok(scans)
}

/// The format code of a BIFF8 FORMAT record: `cch` (u16), flags (bit 0: UTF-16LE, else one
/// byte per character), the characters. `None` when the record is shorter than it says.
fn format_code(data: &[u8]) -> Option<String> {
    let count = usize::from(u16_at(data, 2)?);
    let wide = data.get(4)? & 0x01 != 0;
    if wide {
        let bytes = data.get(5..5 + 2 * count)?;
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    } else {
        Some(
            data.get(5..5 + count)?
                .iter()
                .map(|b| char::from(*b))
                .collect(),
        )
    }
}

/// Scans one sheet substream; `units` is the unit each cell style (XF index) shows after a
/// number.
fn scan_sheet(sub: &[u8], units: &[Option<Arc<str>>]) -> Result<SheetScan, FileRejection> {
    let mut scan = SheetScan::default();
    let has_units = units.iter().any(Option::is_some);
    let unit_of =
        |style: Option<u16>| -> Option<Arc<str>> { units.get(usize::from(style?))?.clone() };
    let mut seen_bof = false;
    let mut depth = 0usize;
    let (mut min_row, mut max_row, mut min_col, mut max_col) = (u32::MAX, 0u32, u32::MAX, 0u32);
    let mut note = |row: u16, col_first: u16, col_last: u16| {
        min_row = min_row.min(u32::from(row));
        max_row = max_row.max(u32::from(row));
        min_col = min_col.min(u32::from(col_first));
        max_col = max_col.max(u32::from(col_last));
    };
    for (typ, data) in (Records { stream: sub }) {
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            0x0809 => {
                if seen_bof {
                    depth += 1;
                } else {
                    seen_bof = true;
                }
            }
            0x000A => break,
            // DIMENSION, checked exactly as calamine computes its reservation.
            0x0200 => check_dimension(data)?,
            // ROW: fDyZero (0x20) in grbit marks a hidden row.
            0x0208 => {
                if let (Some(row), Some(flags)) = (u16_at(data, 0), u16_at(data, 12))
                    && flags & 0x0020 != 0
                {
                    scan.hidden_rows.push(u32::from(row) + 1);
                }
            }
            // COLINFO: first and last column, width, format, then options; fHidden is bit 0.
            0x007D => {
                if let (Some(first), Some(last), Some(options)) =
                    (u16_at(data, 0), u16_at(data, 2), u16_at(data, 8))
                    && options & 0x0001 != 0
                    && first <= last
                    && scan.hidden_columns.len() < 256
                {
                    scan.hidden_columns
                        .push((u32::from(first), u32::from(last)));
                }
            }
            // HLINK: a cell hyperlink; only web addresses are kept.
            0x01B8 => {
                if let Some((cells, url)) = hyperlink_record(data) {
                    'cells: for row in cells.0..=cells.1 {
                        for col in cells.2..=cells.3 {
                            if scan.links.len() >= MAX_LINKS {
                                break 'cells;
                            }
                            scan.links
                                .insert((u32::from(row) + 1, u32::from(col)), url.clone());
                        }
                    }
                }
            }
            // NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                    note(row, col, col);
                    // NUMBER, RK and FORMULA hold numbers: their style may show a unit.
                    if has_units
                        && matches!(typ, 0x0203 | 0x027E | 0x0006)
                        && let Some(unit) = unit_of(u16_at(data, 4))
                    {
                        scan.format_units
                            .push(((u32::from(row) + 1, u32::from(col)), unit));
                    }
                }
            }
            // MULRK: row, first column, ..., last column.
            0x00BD => {
                if data.len() >= 6
                    && let (Some(row), Some(first), Some(last)) = (
                        u16_at(data, 0),
                        u16_at(data, 2),
                        u16_at(data, data.len() - 2),
                    )
                    && last >= first
                {
                    note(row, first, last);
                    // (style, RK value) pairs of 6 bytes each, from offset 4.
                    if has_units {
                        let pairs = data.len().saturating_sub(6) / 6;
                        for (offset, col) in (first..=last).enumerate().take(pairs) {
                            if let Some(unit) = unit_of(u16_at(data, 4 + 6 * offset)) {
                                scan.format_units
                                    .push(((u32::from(row) + 1, u32::from(col)), unit));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if max_row >= min_row && max_col >= min_col {
        let rows = u64::from(max_row - min_row) + 1;
        let cols = u64::from(max_col - min_col) + 1;
        if rows.saturating_mul(cols) > MAX_BOX_CELLS {
            return Err(too_large());
        }
    }
    scan.hidden_rows.sort_unstable();
    Ok(scan)
}

/// Most hyperlinked cells kept per sheet (an HLINK record may cover a whole column).
const MAX_LINKS: usize = 65_536;

/// The class id of a URL moniker ({79EAC9E0-BAF9-11CE-8C82-00AA004BA90B}), as stored.
const URL_MONIKER: [u8; 16] = [
    0xE0, 0xC9, 0xEA, 0x79, 0xF9, 0xBA, 0xCE, 0x11, 0x8C, 0x82, 0x00, 0xAA, 0x00, 0x4B, 0xA9, 0x0B,
];

/// An HLINK record ([MS-XLS] 2.4.140, its Hyperlink object [MS-OSHARED] 2.3.7.1): the cells it
/// covers (first row, last row, first col, last col; 0-based) and its web address, when it is
/// one (a URL moniker, or a moniker saved as text); `None` for links to files, places in the
/// workbook or anything not understood.
fn hyperlink_record(data: &[u8]) -> Option<((u16, u16, u16, u16), String)> {
    let cells = (
        u16_at(data, 0)?,
        u16_at(data, 2)?,
        u16_at(data, 4)?,
        u16_at(data, 6)?,
    );
    if cells.1 < cells.0 || cells.3 < cells.2 {
        return None;
    }
    // Ref8U (8 bytes), the hyperlink class id (16), stream version (4), flags (4).
    let flags = u32_at(data, 28)?;
    let mut at = 32usize;
    // A counted UTF-16 string (length in characters, the terminating zero included).
    let string = |at: &mut usize| -> Option<String> {
        let chars = usize::try_from(u32_at(data, *at)?).ok()?;
        let bytes = data.get(*at + 4..(*at + 4).checked_add(chars.checked_mul(2)?)?)?;
        *at += 4 + bytes.len();
        utf16_text(bytes)
    };
    if flags & 0x10 != 0 {
        string(&mut at)?; // display name
    }
    if flags & 0x80 != 0 {
        string(&mut at)?; // target frame
    }
    if flags & 0x01 == 0 {
        return None;
    }
    let url = if flags & 0x100 != 0 {
        string(&mut at)?
    } else {
        if data.get(at..at + 16)? != URL_MONIKER {
            return None;
        }
        let bytes = usize::try_from(u32_at(data, at + 16)?).ok()?;
        utf16_text(data.get(at + 20..(at + 20).checked_add(bytes)?)?)?
    };
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www."))
        .then_some((cells, url))
}

/// UTF-16LE text up to its terminating zero (or the end); `None` when it is not valid UTF-16.
fn utf16_text(bytes: &[u8]) -> Option<String> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .take_while(|unit| *unit != 0)
        .collect();
    String::from_utf16(&units).ok()
}

/// Mirrors calamine's DIMENSION handling; rejects what would underflow or over-reserve there.
fn check_dimension(r: &[u8]) -> Result<(), FileRejection> {
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (
            u32::from(u16_at(r, 0).unwrap_or(0)),
            u32::from(u16_at(r, 2).unwrap_or(0)),
            u32::from(u16_at(r, 4).unwrap_or(0)),
            u32::from(u16_at(r, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(r, 0).unwrap_or(0),
            u32_at(r, 4).unwrap_or(0),
            u32::from(u16_at(r, 8).unwrap_or(0)),
            u32::from(u16_at(r, 10).unwrap_or(0)),
        ),
        // calamine reports a length error: nothing is allocated.
        _ => return Ok(()),
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if 1 <= rl && 1 <= cl {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    if end.0 < start.0 || end.1 < start.1 {
        return Err(corrupt("工作表声明的尺寸无效"));
    }
    let rows = u64::from(end.0 - start.0) + 1;
    let cols = u64::from(end.1 - start.1) + 1;
    if rows.saturating_mul(cols) > MAX_DECLARED_CELLS {
        return Err(too_large());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn prescan_finds_hidden_rows_and_rejects_absurd_extents() {
        let mut row = vec![0u8; 16];
        row[0] = 6; // row index 6 → Excel row 7
        row[12] = 0x20;
        let mut sheet = record(0x0809, &[0; 16]);
        sheet.extend(record(0x0208, &row));
        sheet.extend(record(0x000A, &[]));
        let scan = scan_sheet(&sheet, &[]).unwrap();
        assert_eq!(scan.hidden_rows, vec![7]);

        // DIMENSION with last row before first row: calamine would underflow.
        let mut dim = vec![0u8; 14];
        dim[0..4].copy_from_slice(&100u32.to_le_bytes());
        dim[4..8].copy_from_slice(&5u32.to_le_bytes());
        dim[10..12].copy_from_slice(&3u16.to_le_bytes());
        assert!(check_dimension(&dim).is_err());
        // Four billion rows.
        dim[0..4].copy_from_slice(&0u32.to_le_bytes());
        dim[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(check_dimension(&dim).is_err());
        // A sane one.
        dim[4..8].copy_from_slice(&25u32.to_le_bytes());
        assert!(check_dimension(&dim).is_ok());

        // Two cells far apart.
        let mut far = record(0x0809, &[0; 16]);
        far.extend(record(0x0203, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        far.extend(record(
            0x0203,
            &[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ));
        assert!(scan_sheet(&far, &[]).is_err());
    }

    fn utf16_counted(text: &str) -> Vec<u8> {
        let units: Vec<u16> = text.encode_utf16().chain([0]).collect();
        let mut v = (units.len() as u32).to_le_bytes().to_vec();
        v.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        v
    }

    /// An HLINK record over H7:H8 with a display name and `url` as a URL moniker (`as_text`:
    /// saved as a string instead).
    fn hlink(url: &str, as_text: bool) -> Vec<u8> {
        let mut data = [6u16, 7, 7, 7]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>();
        data.extend([0u8; 16]); // the hyperlink class id
        data.extend(2u32.to_le_bytes());
        let flags: u32 = 0x01 | 0x02 | 0x10 | if as_text { 0x100 } else { 0 };
        data.extend(flags.to_le_bytes());
        data.extend(utf16_counted("网店"));
        if as_text {
            data.extend(utf16_counted(url));
        } else {
            data.extend(URL_MONIKER);
            let units: Vec<u8> = url
                .encode_utf16()
                .chain([0])
                .flat_map(|u| u.to_le_bytes())
                .collect();
            data.extend((units.len() as u32).to_le_bytes());
            data.extend(units);
        }
        data
    }

    #[test]
    fn prescan_reads_web_hyperlinks_of_cells() {
        for as_text in [false, true] {
            let mut sheet = record(0x0809, &[0; 16]);
            sheet.extend(record(
                0x01B8,
                &hlink("https://shop.example.invalid/a", as_text),
            ));
            sheet.extend(record(0x000A, &[]));
            let scan = scan_sheet(&sheet, &[]).unwrap();
            let url = Some("https://shop.example.invalid/a");
            assert_eq!(
                scan.links.get(&(7, 7)).map(String::as_str),
                url,
                "{as_text}"
            );
            assert_eq!(
                scan.links.get(&(8, 7)).map(String::as_str),
                url,
                "{as_text}"
            );
            assert_eq!(scan.links.len(), 2);
        }
        // A link to a file, and records cut short anywhere: no link, no panic.
        let file_link = hlink("file:///C:/a.xls", false);
        assert_eq!(hyperlink_record(&file_link), None);
        let full = hlink("https://shop.example.invalid/a", false);
        for end in 0..full.len() {
            assert_eq!(hyperlink_record(&full[..end]), None, "{end}");
        }
    }
}
