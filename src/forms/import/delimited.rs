//! CSV (and tab-separated "Unicode text") files: decoding (BOM, strict UTF-8, else GB18030 —
//! what Excel on Chinese Windows writes), delimiter detection, then the `csv` crate with
//! flexible record lengths. Row numbers are record numbers, as Excel shows them.

use super::FileRejection;
use super::grid::{CellValue, GridSheet, MAX_CELLS, SheetBuilder};
use super::read::too_large;

/// Decodes text bytes: UTF-8/UTF-16 by BOM, else strict UTF-8, else GB18030 (a superset of
/// GBK/GB2312). Returns the text and whether it was decoded as GB18030.
pub(crate) fn decode_text(bytes: &[u8]) -> (String, bool) {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return (String::from_utf8_lossy(rest).into_owned(), false);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return (text.into_owned(), false);
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, _, _) = encoding_rs::UTF_16BE.decode(bytes);
        return (text.into_owned(), false);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => {
            let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            (text.into_owned(), true)
        }
    }
}

/// The most likely delimiter: tab, semicolon or comma (the default), counted outside quotes
/// over the first lines.
fn detect_delimiter(text: &str) -> u8 {
    let (mut commas, mut tabs, mut semis) = (0usize, 0usize, 0usize);
    let mut in_quotes = false;
    let mut lines = 0usize;
    for c in text.chars().take(64 * 1024) {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => commas += 1,
            '\t' if !in_quotes => tabs += 1,
            ';' if !in_quotes => semis += 1,
            '\n' if !in_quotes => {
                lines += 1;
                if lines >= 50 {
                    break;
                }
            }
            _ => {}
        }
    }
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas && semis > tabs {
        b';'
    } else {
        b','
    }
}

/// `="0123"` — how exporters keep digit strings as text in CSV; Excel shows the inner text.
fn excel_text_formula(field: &str) -> Option<&str> {
    let inner = field.strip_prefix("=\"")?.strip_suffix('"')?;
    (!inner.contains('"')).then_some(inner)
}

/// Reads delimited text into one sheet named `name`.
pub(crate) fn read(name: &str, text: &str) -> Result<GridSheet, FileRejection> {
    let delimiter = detect_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut builder = SheetBuilder::new();
    let mut record = csv::StringRecord::new();
    let mut number: u32 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // The input is valid UTF-8 and flexible: only I/O errors remain, which a byte
            // slice never raises. Stop rather than loop.
            Err(_) => break,
        }
        number = number.saturating_add(1);
        for (col, field) in record.iter().enumerate() {
            let Ok(col) = u32::try_from(col) else { break };
            builder.push(
                number,
                col,
                CellValue::Text(excel_text_formula(field).unwrap_or(field).to_string()),
            );
        }
        if builder.cell_count() > MAX_CELLS {
            return Err(too_large());
        }
    }
    let mut sheet = builder.finish(name.to_string(), &[], &[]);
    sheet.cells_are_text = true;
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_bytes_decode_as_gb18030_and_utf8_stays_utf8() {
        let (gbk, _, _) = encoding_rs::GBK.encode("序号,采购单位\r\n1,云阳县青松中学\r\n");
        assert!(std::str::from_utf8(&gbk).is_err());
        let (text, was_gb) = decode_text(&gbk);
        assert!(was_gb);
        assert!(text.contains("云阳县青松中学"));
        let (text, was_gb) = decode_text("序号,名".as_bytes());
        assert!(!was_gb);
        assert_eq!(text, "序号,名");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("地区".as_bytes());
        assert_eq!(decode_text(&bom).0, "地区");
    }

    #[test]
    fn records_keep_quoted_commas_and_number_like_excel() {
        let sheet = read("t", "附件2,,\r\n\"a\nb\",2\r\n1,\"1,200.00\",x\r\n").unwrap();
        assert_eq!(sheet.rows.len(), 3);
        let third = sheet.row(3).unwrap();
        assert_eq!(third.get(1), Some(&CellValue::Text("1,200.00".into())));
        assert_eq!(detect_delimiter("a\tb\tc\n1\t2\t3"), b'\t');
        let sheet = read("t", "\"=\"\"17700001234\"\"\",=1+1\n").unwrap();
        assert_eq!(
            sheet.row(1).unwrap().get(0),
            Some(&CellValue::Text("17700001234".into()))
        );
        assert_eq!(
            sheet.row(1).unwrap().get(1),
            Some(&CellValue::Text("=1+1".into()))
        );
        let sheet = read("t", "a,b\n=\"0123\",x\n").unwrap();
        assert_eq!(
            sheet.row(2).unwrap().get(0),
            Some(&CellValue::Text("0123".into()))
        );
    }
}
