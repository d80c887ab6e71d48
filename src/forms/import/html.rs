//! HTML tables saved as `.xls` (a web system's 导出Excel, rule 20). A small, forgiving table
//! reader: rows in `<tr>` order (the row numbers Excel shows when it opens the page), `<td>` and
//! `<th>` cells with `colspan`/`rowspan` filled like merged cells, `<br>` as a line break,
//! entities decoded, `&nbsp;` blank. Scripts, styles and comments are skipped.

use super::FileRejection;
use super::grid::{CellValue, GridSheet, MAX_CELLS, SheetBuilder};
use super::read::too_large;

/// Largest colspan/rowspan honoured (Excel's own limits are 16384 and 1048576; a table from a
/// web system never needs more).
const MAX_COLSPAN: usize = 256;
const MAX_ROWSPAN: usize = 10_000;

/// True when decoded text is an HTML page with a table (checked on the first 64 KB).
pub(crate) fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(64 * 1024)
        .collect::<String>()
        .to_ascii_lowercase();
    let trimmed = head.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    trimmed.starts_with('<')
        && (head.contains("<table") || head.contains("<html") || head.contains("<!doctype html"))
}

/// The charset a page declares in a `<meta>` tag, lower-case.
pub(crate) fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(bytes.get(..bytes.len().min(4096))?).to_ascii_lowercase();
    let pos = head.find("charset=")?;
    let rest = &head[pos + "charset=".len()..];
    let rest = rest.trim_start_matches(['"', '\'']);
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if name.is_empty() { None } else { Some(name) }
}

struct Cell {
    text: String,
    colspan: usize,
    rowspan: usize,
}

/// Parses the tables of a page into one sheet named `name`.
pub(crate) fn read(name: &str, text: &str) -> Result<GridSheet, FileRejection> {
    let rows = parse_rows(text);
    let mut builder = SheetBuilder::new();
    // Cells still covered by a rowspan from above: (column, remaining rows, text).
    let mut pending: Vec<(usize, usize, String)> = Vec::new();
    for (index, cells) in rows.into_iter().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let mut col = 0usize;
        let mut placed: Vec<(usize, String)> = Vec::new();
        for cell in cells {
            while pending.iter().any(|(c, n, _)| *c == col && *n > 0) {
                col += 1;
            }
            let span = cell.colspan.clamp(1, MAX_COLSPAN);
            for k in 0..span {
                placed.push((col + k, cell.text.clone()));
                if cell.rowspan > 1 {
                    pending.push((
                        col + k,
                        cell.rowspan.min(MAX_ROWSPAN) - 1,
                        cell.text.clone(),
                    ));
                }
            }
            col += span;
        }
        for (c, n, text) in pending.iter_mut() {
            // Rowspans started on this row were pushed with their remaining count; older ones
            // fill this row.
            if *n > 0 && !placed.iter().any(|(p, _)| p == c) {
                placed.push((*c, text.clone()));
                *n -= 1;
            }
        }
        pending.retain(|(_, n, _)| *n > 0);
        for (c, text) in placed {
            let Ok(c) = u32::try_from(c) else { continue };
            builder.push(number, c, CellValue::Text(text));
        }
        if builder.cell_count() > MAX_CELLS {
            return Err(too_large());
        }
    }
    let mut sheet = builder.finish(name.to_string(), &[], &[]);
    sheet.cells_are_text = true;
    Ok(sheet)
}

/// Tokenises the page and returns the cells of every `<tr>`, in order.
fn parse_rows(text: &str) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut row: Option<Vec<Cell>> = None;
    let mut cell: Option<Cell> = None;
    let mut pos = 0usize;
    while pos < text.len() {
        let Some(rel) = text[pos..].find('<') else {
            if let Some(c) = cell.as_mut() {
                push_text(&mut c.text, &text[pos..]);
            }
            break;
        };
        if let Some(c) = cell.as_mut() {
            push_text(&mut c.text, &text[pos..pos + rel]);
        }
        pos += rel;
        let rest = &text[pos..];
        if rest.starts_with("<!--") {
            pos = rest.find("-->").map_or(text.len(), |e| pos + e + 3);
            continue;
        }
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[1..end];
        pos += end + 1;
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/');
        let tag_name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
            .collect::<String>()
            .to_ascii_lowercase();
        match (tag_name.as_str(), closing) {
            ("script" | "style" | "title" | "head", false) => {
                let close = format!("</{tag_name}");
                pos = find_ci(&text[pos..], &close).map_or(text.len(), |e| pos + e);
            }
            ("tr", false) => {
                close_cell(&mut cell, &mut row);
                if let Some(r) = row.take() {
                    rows.push(r);
                }
                row = Some(Vec::new());
            }
            ("tr", true) | ("table", _) => {
                close_cell(&mut cell, &mut row);
                if let Some(r) = row.take() {
                    rows.push(r);
                }
            }
            ("td" | "th", false) => {
                close_cell(&mut cell, &mut row);
                if row.is_none() {
                    row = Some(Vec::new());
                }
                cell = Some(Cell {
                    text: String::new(),
                    colspan: attr_number(body, "colspan").unwrap_or(1),
                    rowspan: attr_number(body, "rowspan").unwrap_or(1),
                });
            }
            ("td" | "th", true) => close_cell(&mut cell, &mut row),
            ("br", _) | ("p", true) | ("div", true) | ("li", true) => {
                if let Some(c) = cell.as_mut() {
                    c.text.push('\n');
                }
            }
            _ => {}
        }
    }
    close_cell(&mut cell, &mut row);
    if let Some(r) = row.take() {
        rows.push(r);
    }
    rows
}

/// Byte position of an ASCII `needle` in `hay`, ignoring ASCII case.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| {
        h.get(i..i + n.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(n))
    })
}

fn close_cell(cell: &mut Option<Cell>, row: &mut Option<Vec<Cell>>) {
    if let Some(mut c) = cell.take() {
        c.text = c
            .text
            .trim_matches(|ch: char| ch == ' ' || ch == '\n')
            .to_string();
        row.get_or_insert_with(Vec::new).push(c);
    }
}

/// Appends raw HTML text: entities decoded, runs of whitespace collapsed, `&nbsp;` blank.
fn push_text(out: &mut String, raw: &str) {
    let decoded = decode_entities(raw);
    for ch in decoded.chars() {
        let ch = if ch == '\u{00A0}' || ch.is_ascii_whitespace() {
            ' '
        } else {
            ch
        };
        if ch == ' ' && (out.is_empty() || out.ends_with(' ') || out.ends_with('\n')) {
            continue;
        }
        out.push(ch);
    }
}

fn decode_entities(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let end = after.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "nbsp" => Some('\u{00A0}'),
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "yen" => Some('¥'),
                "times" => Some('×'),
                "middot" => Some('·'),
                "ensp" | "emsp" | "thinsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse::<u32>().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A numeric attribute such as `colspan="3"` (quotes optional).
fn attr_number(tag: &str, name: &str) -> Option<usize> {
    let lower = tag.to_ascii_lowercase();
    let pos = lower.find(name)?;
    let rest = lower[pos + name.len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .take(6)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_cells_spans_and_entities() {
        let page = r#"<html><head><title>导出</title><style>td{}</style></head><body>
            <table><tr><td colspan="3">附件2</td></tr>
            <tr><th>序号</th><th>地区</th><th>金额</th></tr>
            <tr><td rowspan=2>1</td><td>云阳县&nbsp;泥溪镇<br>三坪村</td><td>1,200&amp;</td></tr>
            <tr><td>&nbsp;</td><td>&#x4E2D;</td></tr>
            <!-- <tr><td>ignored</td></tr> --></table></body></html>"#;
        assert!(looks_like_html(page));
        let sheet = read("t", page).unwrap();
        assert_eq!(sheet.rows.len(), 4);
        assert_eq!(sheet.row(1).unwrap().cells.len(), 3);
        let r3 = sheet.row(3).unwrap();
        assert_eq!(
            r3.get(1),
            Some(&CellValue::Text("云阳县 泥溪镇\n三坪村".into()))
        );
        assert_eq!(r3.get(2), Some(&CellValue::Text("1,200&".into())));
        let r4 = sheet.row(4).unwrap();
        assert_eq!(
            r4.get(0),
            Some(&CellValue::Text("1".into())),
            "rowspan fills down"
        );
        assert_eq!(r4.get(2), Some(&CellValue::Text("中".into())));
        assert_eq!(r4.get(1), None, "&nbsp; is blank");
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for page in [
            "<table><tr><td>a",
            "<",
            "<td colspan=99999999999>x</td>",
            "<!--",
            "<script>",
            "&#xFFFFFFFF;&#99999999999;",
        ] {
            let _ = read("t", page);
        }
        assert_eq!(
            declared_charset(b"<meta charset=\"gb2312\">").as_deref(),
            Some("gb2312")
        );
    }
}
