//! The embedded CJK font and its installation into egui.
//!
//! egui's built-in fonts have no Chinese glyphs, so the app embeds a GBK-level subset of
//! Noto Sans CJK SC Regular (`assets/fonts/NotoSansCJKsc-Regular-GBK.otf`, about 6 MB, OFL 1.1 —
//! licence in `assets/fonts/LICENSE-OFL.txt`, made by `assets/fonts/make_subset.py`). It covers
//! ASCII, every GBK character (including the rare given-name characters GB2312 lacks, e.g.
//! 喆 堃 玥 昇 珺 祎 赟 彧), full-width punctuation, ￥, × and 𠮷 (U+20BB7).
//!
//! Fallback order for both [`egui::FontFamily::Proportional`] and [`egui::FontFamily::Monospace`]:
//! 1. egui's default Latin fonts (Ubuntu-Light; Hack first for monospace) — Latin text looks as in
//!    any egui app;
//! 2. the embedded CJK font — every Chinese character;
//! 3. egui's icon/emoji fallback fonts;
//! 4. system fonts, asked on demand for anything still missing. eframe adds that provider itself
//!    (feature `system_fonts`, option `NativeOptions::system_font_fallback`, default `true`), always
//!    after the installed fonts, so nothing needs to be done here to keep it as the lowest priority.

use std::sync::Arc;

/// The name the embedded font is registered under in [`egui::FontDefinitions::font_data`].
pub const CJK_FONT_NAME: &str = "NotoSansCJKsc-Regular-GBK";

/// The bytes of the embedded GBK subset of Noto Sans CJK SC Regular (an OpenType/CFF `.otf`).
pub static CJK_FONT_BYTES: &[u8] =
    include_bytes!("../../assets/fonts/NotoSansCJKsc-Regular-GBK.otf");

/// egui's built-in Latin fonts, after which the CJK font is inserted in each family.
const LATIN_FONT_NAMES: [&str; 2] = ["Hack", "Ubuntu-Light"];

/// egui's default font definitions plus the embedded CJK font, placed right after egui's Latin
/// fonts in the proportional and monospace families (see the module docs for the full order).
///
/// Separate from [`install_fonts`] so that tests and headless harnesses can build the same fonts.
pub fn font_definitions() -> egui::FontDefinitions {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        CJK_FONT_NAME.to_owned(),
        Arc::new(egui::FontData::from_static(CJK_FONT_BYTES)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let names = fonts.families.entry(family).or_default();
        names.retain(|name| name != CJK_FONT_NAME);
        // Right after the last Latin font present; at the front if egui has none (no default_fonts).
        let position = names
            .iter()
            .rposition(|name| LATIN_FONT_NAMES.contains(&name.as_str()))
            .map_or(0, |index| index + 1);
        names.insert(position, CJK_FONT_NAME.to_owned());
    }
    fonts
}

/// Installs egui's default fonts plus the embedded CJK font into `ctx` (see the module docs for
/// the fallback order). Call once at start-up, e.g. in the eframe app creator, and in every
/// `egui_kittest` harness (it panics on missing glyphs otherwise).
pub fn install_fonts(ctx: &egui::Context) {
    ctx.set_fonts(font_definitions());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_font_follows_latin_fonts() {
        let fonts = font_definitions();
        let proportional = &fonts.families[&egui::FontFamily::Proportional];
        let monospace = &fonts.families[&egui::FontFamily::Monospace];
        let position = |names: &Vec<String>, name: &str| names.iter().position(|n| n == name);
        assert_eq!(
            position(proportional, CJK_FONT_NAME),
            position(proportional, "Ubuntu-Light").map(|i| i + 1)
        );
        assert_eq!(
            position(monospace, CJK_FONT_NAME),
            position(monospace, "Ubuntu-Light").map(|i| i + 1)
        );
        assert!(position(monospace, "Hack") < position(monospace, CJK_FONT_NAME));
    }

    #[test]
    fn embedded_font_is_an_otf_of_plausible_size() {
        assert_eq!(&CJK_FONT_BYTES[..4], b"OTTO");
        assert!(
            CJK_FONT_BYTES.len() > 4_000_000,
            "{} bytes",
            CJK_FONT_BYTES.len()
        );
    }
}
