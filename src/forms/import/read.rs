//! Recognising what a file really is (from its bytes, not its name) and reading it into sheets,
//! or rejecting it with one clear Chinese message (rule 13, 20).

use std::collections::HashMap;
use std::io::Cursor;

use super::FileRejection;
use super::cfb::{CompoundFile, is_cfb};
use super::grid::GridSheet;
use super::{delimited, html, xls, xlsx};

/// The sheets read from a file, and warnings about the file as a whole.
#[derive(Debug, Default)]
pub(crate) struct Workbook {
    pub sheets: Vec<GridSheet>,
    pub warnings: Vec<String>,
}

/// The message for a 0-byte file (rule 13).
pub const EMPTY_FILE: &str = "文件为空（0字节），请检查后重新提交。";

fn reject(message: impl Into<String>) -> FileRejection {
    FileRejection {
        message: message.into(),
    }
}

/// A damaged or truncated file; `detail` says what could not be read.
pub(crate) fn corrupt(detail: &str) -> FileRejection {
    reject(format!(
        "文件已损坏或不完整（{detail}），无法读取。可能是下载或拷贝没有完成、文件被截断，请让填报单位重新发送原文件。"
    ))
}

/// A file larger than one import handles.
pub(crate) fn too_large() -> FileRejection {
    reject(
        "文件过大：表格范围超过了单次导入的上限（约1000万个单元格，或工作表声明的行列数异常），请检查文件或按乡镇、季度拆分后再导入。",
    )
}

/// An encrypted workbook.
pub(crate) fn password_protected() -> FileRejection {
    reject("文件设置了打开密码（已加密），无法读取。请在Excel/WPS中取消密码后重新保存，再导入。")
}

/// `.xlsx` of `报表.xlsx`, with the dot; empty when there is none.
fn extension(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rfind('.') {
        Some(i) if i + 1 < base.len() => base[i..].to_lowercase(),
        _ => String::new(),
    }
}

/// The file name without folders and extension (the sheet name of a CSV or HTML file).
fn stem(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = match base.rfind('.') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    };
    if stem.is_empty() {
        "Sheet1".to_string()
    } else {
        stem.to_string()
    }
}

/// `文件不是Excel工作簿（这是一个Word文档，只是扩展名为.xlsx），…`
fn not_a_workbook(what: &str, file_name: &str) -> FileRejection {
    let ext = extension(file_name);
    let detail = if ext.is_empty() || ext == ".doc" || ext == ".docx" || ext == ".pdf" {
        format!("这是一个{what}")
    } else {
        format!("这是一个{what}，只是扩展名为{ext}")
    };
    reject(format!(
        "文件不是Excel工作簿（{detail}），请用Excel/WPS表格模板填写后再导入。"
    ))
}

/// Reads any supported file into sheets.
pub(crate) fn read_workbook(file_name: &str, bytes: &[u8]) -> Result<Workbook, FileRejection> {
    if bytes.is_empty() {
        return Err(reject(EMPTY_FILE));
    }
    if bytes.starts_with(b"PK") {
        return read_zip(file_name, bytes);
    }
    if is_cfb(bytes) {
        return read_cfb(file_name, bytes);
    }
    if bytes.starts_with(b"%PDF") {
        return Err(not_a_workbook("PDF文件", file_name));
    }
    if bytes.starts_with(b"{\\rtf") {
        return Err(not_a_workbook("Word文档（RTF格式）", file_name));
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G'])
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"GIF8")
    {
        return Err(not_a_workbook("图片", file_name));
    }
    if bytes.starts_with(b"Rar!")
        || bytes.starts_with(&[b'7', b'z', 0xBC, 0xAF])
        || bytes.starts_with(&[0x1F, 0x8B])
    {
        return Err(reject(
            "文件是一个压缩包，不是Excel工作簿，请解压后导入其中的表格文件。",
        ));
    }
    read_text(file_name, bytes)
}

fn read_zip(file_name: &str, bytes: &[u8]) -> Result<Workbook, FileRejection> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| corrupt("压缩包结构无法读取，Excel工作簿（.xlsx）应是完整的压缩包"))?;
    let mut names: HashMap<String, String> = HashMap::new();
    for name in zip.file_names().flatten() {
        names.insert(
            name.replace('\\', "/").to_ascii_lowercase(),
            name.to_string(),
        );
    }
    let has = |n: &str| names.contains_key(n);
    if has("xl/workbook.xml") {
        return xlsx::read(bytes, &names);
    }
    if has("xl/workbook.bin") {
        return Err(reject(
            "暂不支持Excel二进制工作簿（.xlsb）。请在Excel/WPS中“另存为”Excel工作簿（.xlsx）后再导入。",
        ));
    }
    if has("word/document.xml") {
        return Err(not_a_workbook("Word文档", file_name));
    }
    if has("ppt/presentation.xml") {
        return Err(not_a_workbook("PowerPoint演示文稿", file_name));
    }
    if has("content.xml") && has("mimetype") {
        return Err(reject(
            "暂不支持OpenDocument表格（.ods）。请在WPS/Excel中“另存为”Excel工作簿（.xlsx）后再导入。",
        ));
    }
    if has("[content_types].xml") {
        return Err(reject(
            "文件不是Excel工作簿（Office文档中没有工作簿内容），请用Excel/WPS表格模板填写后再导入。",
        ));
    }
    Err(reject(
        "文件是一个压缩包（.zip），不是Excel工作簿，请解压后导入其中的表格文件。",
    ))
}

fn read_cfb(file_name: &str, bytes: &[u8]) -> Result<Workbook, FileRejection> {
    let Some(mut cf) = CompoundFile::open(bytes) else {
        return Err(corrupt("Excel 97-2003 工作簿（.xls）的内部结构无法读取"));
    };
    let names = cf.stream_names();
    let has = |n: &str| names.iter().any(|s| s.eq_ignore_ascii_case(n));
    if has("EncryptedPackage") || has("EncryptionInfo") {
        return Err(password_protected());
    }
    if has("Workbook") || has("Book") {
        let stream = cf
            .read_stream("Workbook")
            .or_else(|| cf.read_stream("Book"))
            .ok_or_else(|| corrupt("工作簿数据流不完整"))?;
        return xls::read(&stream);
    }
    if has("WordDocument") {
        return Err(not_a_workbook("Word文档", file_name));
    }
    if has("PowerPoint Document") {
        return Err(not_a_workbook("PowerPoint演示文稿", file_name));
    }
    Err(reject(
        "文件不是Excel工作簿（Office文件中没有工作簿内容），请用Excel/WPS表格模板填写后再导入。",
    ))
}

/// Text files: an HTML page saved as `.xls`, an Excel 2003 XML workbook, or CSV/TSV.
fn read_text(file_name: &str, bytes: &[u8]) -> Result<Workbook, FileRejection> {
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    let head = bytes.get(..bytes.len().min(8192)).unwrap_or(bytes);
    if !utf16 && head.iter().filter(|b| **b == 0).count() > 0 {
        return Err(reject(
            "无法识别的文件格式：不是Excel工作簿（.xlsx/.xls）、CSV文件或网页表格，请用Excel/WPS表格模板填写后再导入。",
        ));
    }
    let charset = html::declared_charset(bytes);
    let text = match charset.as_deref() {
        Some("gbk" | "gb2312" | "gb18030" | "x-gbk" | "cp936")
            if !utf16 && !bytes.starts_with(&[0xEF, 0xBB, 0xBF]) =>
        {
            encoding_rs::GB18030
                .decode_without_bom_handling(bytes)
                .0
                .into_owned()
        }
        _ => delimited::decode_text(bytes).0,
    };
    let name = stem(file_name);
    let lower_head: String = text
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower_head.contains("urn:schemas-microsoft-com:office:spreadsheet")
        && lower_head.contains("<workbook")
    {
        return Err(reject(
            "文件是“XML 电子表格 2003”格式，暂不支持。请在Excel/WPS中“另存为”Excel工作簿（.xlsx）后再导入。",
        ));
    }
    if html::looks_like_html(&text) {
        let sheet = html::read(&name, &text)?;
        if sheet.rows.is_empty() {
            return Err(reject(
                "文件是网页（HTML）另存为的表格文件，但其中没有表格内容，请从系统重新导出或用Excel/WPS表格模板填写后再导入。",
            ));
        }
        let mut wb = Workbook {
            sheets: vec![sheet],
            warnings: Vec::new(),
        };
        if extension(file_name) == ".xls" || extension(file_name) == ".xlsx" {
            wb.warnings.push(format!(
                "文件“{file_name}”实际是网页（HTML）格式，已按网页表格读取"
            ));
        }
        return Ok(wb);
    }
    if lower_head.trim_start().starts_with("<?xml") {
        return Err(reject(
            "文件是XML文件，不是Excel工作簿，请用Excel/WPS表格模板填写后再导入。",
        ));
    }
    let sheet = delimited::read(&name, &text)?;
    Ok(Workbook {
        sheets: vec![sheet],
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions() {
        assert_eq!(extension("a/b/报表.XLSX"), ".xlsx");
        assert_eq!(extension("noext"), "");
        assert_eq!(stem("C:\\x\\13_fj2_gbk.csv"), "13_fj2_gbk");
        assert_eq!(
            not_a_workbook("Word文档", "22.xlsx").message,
            "文件不是Excel工作簿（这是一个Word文档，只是扩展名为.xlsx），请用Excel/WPS表格模板填写后再导入。"
        );
    }

    #[test]
    fn odd_bytes_are_rejected_with_a_message() {
        assert_eq!(
            read_workbook("a.xlsx", b"").unwrap_err().message,
            EMPTY_FILE
        );
        assert!(
            read_workbook("a.xlsx", b"PK\x03\x04garbage")
                .unwrap_err()
                .message
                .contains("损坏")
        );
        assert!(
            read_workbook("a.pdf", b"%PDF-1.4")
                .unwrap_err()
                .message
                .contains("PDF")
        );
        assert!(read_workbook("a.bin", &[0, 1, 2, 0, 0]).is_err());
    }
}
