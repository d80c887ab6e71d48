//! Regions: the 42 townships (乡镇/街道) of 云阳县 and their villages. Seed: 二 (42 townships),
//! 附件1-3 地区 column; import rule 8.

use super::ParseError;
use super::region_text::{
    BRACKETS, COUNTY_PREFIXES, LEVEL_ENDINGS, WRITTEN_LEVELS, is_group_only, is_han,
    is_named_group, is_village_name, leading_bracketed, starts_with_village_name, strip_county,
    trailing_bracketed, village_from, village_name_length,
};
use super::text::{clean_text, is_blank_char, listed_items, squeeze, to_half_width};

/// How a remark in brackets after a 地区's village opens when it names another township as
/// the place's former one (`原新津乡`, `原属新津乡`) or a neighbour (`与新津乡交界`, `靠近新津乡`)
/// ([`RegionResolver::with_bracketed_remark`]).
const BRACKETED_REMARK_OPENINGS: [&str; 9] = [
    "原", "与", "和", "靠近", "近", "临近", "毗邻", "紧邻", "挨着",
];

/// A 地区's village part read as a list of places ([`RegionResolver::listed_villages`]).
enum ListedVillages {
    /// No list, or one whose items do not write a township: read the text as one village.
    NoList,
    /// The villages, `、`-joined, of a list whose items write its township again.
    Villages(String),
    /// The official name of another township an item names.
    OtherTownship(String),
}

/// What separates the places listed in one 地区 once it is half-width and without whitespace
/// (`泥溪镇三坪村、泥溪镇黎明村`, `…,…`, `…/…`).
const REGION_LIST_SEPARATORS: [char; 4] = ['、', ',', ';', '/'];

/// The words that join two places of a 地区 (`泥溪镇三坪村和农坝镇双龙村`); names hold them too
/// (`和平村`).
const JOINING_WORDS: [char; 3] = ['和', '与', '及'];

/// One township (乡镇/街道) of the registry (seeded from `shared/data/townships.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Township {
    /// National statistical division code, e.g. `500235139`. The key: names collide across counties.
    pub code: String,
    /// Official name, e.g. `泥溪镇`, `清水土家族乡`.
    pub name: String,
    /// `街道`, `镇` or `乡`.
    pub kind: String,
    /// Deep-poverty township (深度贫困乡镇).
    pub deep_poverty: bool,
    /// Older or short names seen in filled forms, e.g. `泥溪`, `清水乡`, `票草镇`.
    pub aliases: Vec<String>,
}

/// The result of resolving a 地区 text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRegion {
    pub township_code: String,
    /// Official township name.
    pub township_name: String,
    /// The village/community (村/社区) part, e.g. `三坪村`; empty when only the township was written.
    pub village: String,
}

/// Resolves 地区 text to a township and village against the registry.
#[derive(Debug, Clone, Default)]
pub struct RegionResolver {
    townships: Vec<Township>,
    /// Per township (same order): every name it is recognised by ([`township_names`]) and its
    /// name without suffix ([`base_name`]), computed once: `resolve` runs once per imported row.
    names: Vec<(Vec<String>, Option<String>)>,
    /// The county's names that are also a township's (`云阳`, 云阳镇's short name).
    county_names: Vec<&'static str>,
}

impl RegionResolver {
    /// Builds a resolver over the given townships.
    pub fn new(townships: Vec<Township>) -> Self {
        let names: Vec<(Vec<String>, Option<String>)> = townships
            .iter()
            .map(|township| (township_names(township), base_name(township)))
            .collect();
        let county_names = COUNTY_PREFIXES
            .iter()
            .copied()
            .filter(|prefix| names.iter().any(|(all, _)| all.iter().any(|n| n == prefix)))
            .collect();
        Self {
            townships,
            names,
            county_names,
        }
    }

    /// The townships, in registry order.
    pub fn townships(&self) -> &[Township] {
        &self.townships
    }

    /// The township with this code.
    pub fn by_code(&self, code: &str) -> Option<&Township> {
        self.townships.iter().find(|t| t.code == code)
    }

    /// Finds a township by its official name, its name without suffix, or an alias.
    ///
    /// The name is compared after removing whitespace and full-width forms; also accepted are the
    /// generated forms of [`township_names`] (`双江街道办事处`, `双江街办`, `清水乡`).
    pub fn township_by_name(&self, name: &str) -> Option<&Township> {
        let name = squeeze(&to_half_width(name));
        if name.is_empty() {
            return None;
        }
        self.townships.iter().find(|t| t.name == name).or_else(|| {
            self.townships
                .iter()
                .find(|t| township_names(t).contains(&name))
        })
    }

    /// Builds a resolver from the registry CSV (`assets/townships.csv`, from
    /// `shared/data/townships.csv`): a header line `code,name,kind,deep_poverty,aliases`, then one
    /// township a line; `deep_poverty` is `1`/`0`, `aliases` are separated by `|`. Blank lines are
    /// skipped. Errors (Chinese) name the bad line.
    pub fn from_csv(text: &str) -> Result<Self, ParseError> {
        let mut townships = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim_matches(is_blank_char);
            if line.is_empty() || (index == 0 && line.starts_with("code,")) {
                continue;
            }
            let fields: Vec<&str> = line
                .split(',')
                .map(|f| f.trim_matches(is_blank_char))
                .collect();
            let [code, name, kind, deep, aliases] = fields.as_slice() else {
                return Err(ParseError::new(format!(
                    "乡镇名录第{}行格式不对：应为 代码,名称,类型,深度贫困,别名",
                    index + 1
                )));
            };
            if code.is_empty() || name.is_empty() {
                return Err(ParseError::new(format!(
                    "乡镇名录第{}行缺少代码或名称",
                    index + 1
                )));
            }
            townships.push(Township {
                code: (*code).to_string(),
                name: (*name).to_string(),
                kind: (*kind).to_string(),
                deep_poverty: matches!(*deep, "1" | "true" | "是"),
                aliases: aliases
                    .split('|')
                    .map(|a| a.trim_matches(is_blank_char))
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
        }
        Ok(Self::new(townships))
    }

    /// Resolves `云阳县泥溪镇三坪村`, `重庆市云阳县泥溪镇三坪村`, `泥溪镇三坪村`, `泥溪三坪村`, `清水乡`
    /// (→ 清水土家族乡), `双江街道办事处滨江社区` (= 双江街道), with any whitespace inside. The longest
    /// matching name or alias wins. The remainder is the village (may be empty: the caller warns
    /// `地区只填到乡镇，缺少村(社区)`). Errors (Chinese) when no township matches, suggesting the
    /// nearest official name when one is close: `无法识别地区“泥西镇三坪村”中的乡镇（是否为“泥溪镇”？）`.
    ///
    /// Details: the prefixes `重庆市`, `重庆`, `云阳县`, `云阳` are stripped only when more text
    /// follows and only if what remains still names a township, so `云阳镇三坪村` and
    /// `云阳县云阳镇三坪村` both resolve to 云阳镇. A name matched without its suffix may be followed
    /// by a wrong suffix (`泥溪乡三坪村`, `泥溪区三坪村` → 泥溪镇). Separators before the village
    /// (`-`, `/`, `、`, …) and brackets around it are removed; `人民政府`/`政府`/`办事处` alone as the
    /// remainder give an empty village. The township may also stand in brackets before or after
    /// the village (`（泥溪镇）三坪村`, `三坪村（泥溪镇）`), or the whole text in brackets. A village
    /// named by its township's name or alias (`农坝村`, `清水社区`), or by its bare name and one
    /// more character (`石门坎村` of 石门乡), keeps its whole name. Villages listed with their
    /// township written again (`泥溪镇三坪村、泥溪镇黎明村`) are that township's villages
    /// (`三坪村、黎明村`, warned as several villages by the sale's check). Two different townships
    /// (`（泥溪镇）农坝镇三坪村`, `泥溪镇三坪村、农坝镇双龙村`) are an error naming both; so are
    /// unbalanced brackets.
    pub fn resolve(&self, text: &str) -> Result<ResolvedRegion, ParseError> {
        let original = clean_text(text);
        if original.is_empty() {
            return Err(ParseError::new("地区为空"));
        }
        let compact = squeeze(&to_half_width(&original));
        // Bracket forms are read recursively: a bounded text bounds the depth.
        if compact.chars().count() > MAX_REGION_CHARS {
            let start: String = original.chars().take(20).collect();
            return Err(ParseError::new(format!(
                "地区“{start}…”太长（超过{MAX_REGION_CHARS}个字），请只写乡镇和村（社区）"
            )));
        }
        if let Some(resolved) = self.resolve_compact(&compact, 0) {
            return Ok(resolved);
        }
        if let Some(resolved) = self.with_bracketed_remark(&compact) {
            return Ok(resolved);
        }
        // `泥溪镇黎明村(现属农坝镇)`: a remark in brackets that puts the place in another township.
        if let Some((before, inside)) = trailing_bracketed(&compact)
            && let Some(first) = self.resolve_compact(before, 0)
            && let Some(first) = self.by_code(&first.township_code)
            && let Some(second) = self.only_township_named_in(inside)
            && second.code != first.code
        {
            return Err(ParseError::new(format!(
                "地区“{original}”中写了两个不同的乡镇（{}、{}），请核对",
                first.name, second.name
            )));
        }
        let most_stripped = strip_county(&compact);
        if let Some((first, second)) = self.two_townships(most_stripped, 0) {
            return Err(ParseError::new(format!(
                "地区“{original}”中写了两个不同的乡镇（{first}、{second}），请核对"
            )));
        }
        let most_stripped = leading_bracketed(most_stripped)
            .map_or(most_stripped, |(inside, _)| strip_county(inside));
        if is_village_name(most_stripped) {
            return Err(ParseError::new(format!(
                "地区“{original}”只写了村（社区），没有写乡镇：请写成“泥溪镇三坪村”这样"
            )));
        }
        if is_group_only(most_stripped) || is_named_group(most_stripped) {
            return Err(ParseError::new(format!(
                "地区“{original}”只写了组，没有写乡镇和村（社区）：请写成“泥溪镇三坪村3组”这样"
            )));
        }
        // `三坪村(双龙湾)`: a village, then something in brackets that is no township; a
        // township whose name merely resembles the village's is no help.
        let head = most_stripped
            .split(|c| BRACKETS.iter().any(|(open, _)| *open == c))
            .next()
            .unwrap_or("");
        if head != most_stripped && is_village_name(head) {
            return Err(ParseError::new(format!(
                "地区“{original}”中没有可识别的乡镇：请写成“泥溪镇三坪村”这样"
            )));
        }
        // `三坪村新村组`, `三坪村、农坝镇双龙村`: it starts with a village's name.
        if starts_with_village_name(most_stripped) {
            return Err(ParseError::new(format!(
                "地区“{original}”只写了村（社区），没有写乡镇：请写成“泥溪镇三坪村”这样"
            )));
        }
        // `泥溪镇三坪村(重复`: a bracket opened and never closed (or the other way round) is what
        // keeps the text from being read; a township resembling its remainder is no help.
        if BRACKETS
            .iter()
            .any(|(open, close)| compact.matches(*open).count() != compact.matches(*close).count())
        {
            return Err(ParseError::new(format!(
                "地区“{original}”中的括号不成对（缺少左括号或右括号），请改正后再导入"
            )));
        }
        Err(ParseError::new(match self.suggest(most_stripped) {
            Some(name) => format!("无法识别地区“{original}”中的乡镇（是否为“{name}”？）"),
            None => format!(
                "无法识别地区“{original}”中的乡镇：应以云阳县的乡镇(街道)名开头，如“泥溪镇三坪村”"
            ),
        }))
    }

    /// `泥溪镇石缸村(原新津乡)`, `泥溪镇黎明村(与新津乡交界)` (cleaned, half-width, no
    /// whitespace): a remark in brackets after the village that names another township as the
    /// former or a neighbouring one is part of the village (`石缸村(原新津乡)`), not a second
    /// township. A remark that puts the place in another township now (`(现属农坝镇)`,
    /// `(已划归农坝镇)`) is not one: the text names two townships.
    fn with_bracketed_remark(&self, compact: &str) -> Option<ResolvedRegion> {
        let (before, inside) = trailing_bracketed(compact)?;
        if !BRACKETED_REMARK_OPENINGS
            .iter()
            .any(|opening| inside.starts_with(opening))
        {
            return None;
        }
        let mut resolved = self.resolve_compact(before, 0)?;
        let now_elsewhere = ["现", "划归", "并入", "归属"]
            .iter()
            .any(|word| inside.contains(word))
            && self
                .only_township_named_in(inside)
                .is_some_and(|named| named.code != resolved.township_code);
        if now_elsewhere {
            return None;
        }
        if !resolved.village.is_empty() {
            resolved.village = format!("{}({inside})", resolved.village);
        }
        Some(resolved)
    }

    /// The one township named in `text` by its official name or another name with its level
    /// (`票草镇`, `清水乡`, `双江街道办事处`), when exactly one is: `泥溪镇扶贫办`,
    /// `中共云阳县泥溪镇委员会`, `2019年泥溪镇贫困户产品销售情况表` → 泥溪镇. `None` when none or
    /// several are (`农坝镇人民政府、泥溪镇人民政府`). For a sheet's 填报单位 or title, not a 地区.
    pub fn only_township_named_in(&self, text: &str) -> Option<&Township> {
        let text = squeeze(&to_half_width(&clean_text(text)));
        let mut named = self
            .townships
            .iter()
            .zip(&self.names)
            .filter(|(_, (names, _))| {
                names.iter().any(|name| {
                    LEVEL_ENDINGS.iter().any(|end| name.ends_with(end))
                        && text.contains(name.as_str())
                })
            });
        let (first, _) = named.next()?;
        named.next().is_none().then_some(first)
    }

    /// The warning for a 地区 read through a township name that is also the county's: `云阳三坪村`
    /// is 云阳镇's 三坪村 (`云阳` is 云阳镇's short name), but a clerk may have meant 云阳县.
    /// `None` when the text writes the township in full (`云阳镇三坪村`), writes the county
    /// (`云阳县…`), or was not read through such a name.
    pub fn county_name_warning(&self, text: &str, resolved: &ResolvedRegion) -> Option<String> {
        // Runs for every imported row: most texts have no such name, or `云阳县`.
        let ambiguous = self.county_names.iter().any(|name| {
            text.match_indices(name)
                .any(|(at, _)| !text[at + name.len()..].starts_with(['县', '市']))
        });
        if !ambiguous {
            return None;
        }
        let compact = squeeze(&to_half_width(&clean_text(text)));
        let rest = ["重庆市", "重庆"]
            .iter()
            .find_map(|prefix| compact.strip_prefix(prefix))
            .unwrap_or(&compact);
        // `云阳村`: a village named after the township, not the county.
        if resolved.village == rest {
            return None;
        }
        let township = self.by_code(&resolved.township_code)?;
        let names = township_names(township);
        let county = COUNTY_PREFIXES.iter().find(|prefix| {
            names.iter().any(|name| name == *prefix)
                && rest.starts_with(*prefix)
                && !rest.starts_with(township.name.as_str())
                && !rest[prefix.len()..].starts_with(['县', '市'])
        })?;
        Some(format!(
            "地区“{}”中的“{county}”按{}记（也可能是指{county}县），请核实",
            clean_text(text),
            township.name
        ))
    }

    /// The warning for a 地区 read as one village whose name starts with its township's short
    /// name and one more character (`泥溪石村` → 泥溪镇's village `泥溪石村`): the clerk may have
    /// meant 泥溪镇's `石村`, and the same village written the other way would not match it.
    /// `None` for every other text, also when the township is written with its level
    /// (`泥溪镇石村`) or set apart (`泥溪-石村`).
    pub fn whole_village_warning(&self, text: &str, resolved: &ResolvedRegion) -> Option<String> {
        let compact = squeeze(&to_half_width(&clean_text(text)));
        let stripped = strip_county(&compact);
        if resolved.village != stripped {
            return None;
        }
        let (township, rest, short) = self.match_township(stripped)?;
        if short && village_from(rest, short) == rest && is_place_character(rest) {
            // `双龙组`: a place named like the township, or a place of another township?
            return Some(format!(
                "地区“{original}”按{name}的“{stripped}”记；如果不是{name}的地方，请写明乡镇和村",
                original = clean_text(text),
                name = township.name
            ));
        }
        if !short || village_name_length(rest) != Some(1) || village_from(rest, short) != rest {
            return None;
        }
        Some(format!(
            "地区“{original}”按{name}的“{stripped}”记；如果是{name}的“{rest}”，请写成“{name}{rest}”",
            original = clean_text(text),
            name = township.name
        ))
    }

    /// The warning for a 地区 whose township is written with a level it does not have
    /// (`平安乡新华村`, `泥溪区三坪村`): read as the township of that name (平安镇, 泥溪镇), but
    /// the clerk may mean a place elsewhere (平安乡 is also a township of 奉节县). `None` for
    /// every other text, also for the older names the registry lists (`养鹿乡`, `人和镇`).
    pub fn level_warning(&self, text: &str, resolved: &ResolvedRegion) -> Option<String> {
        let compact = squeeze(&to_half_width(&clean_text(text)));
        let stripped = strip_county(&compact);
        let (township, rest, short) = self.match_township(stripped)?;
        if !short || township.code != resolved.township_code {
            return None;
        }
        let level = WRITTEN_LEVELS
            .into_iter()
            .find(|level| rest.starts_with(level))?;
        let written = &stripped[..stripped.len() - rest.len() + level.len()];
        Some(format!(
            "地区“{}”中的“{written}”按{}记，请核实",
            clean_text(text),
            township.name
        ))
    }

    /// [`RegionResolver::resolve`] of a text already cleaned, half-width and without whitespace;
    /// `None` when it names no township, or two different ones.
    fn resolve_compact(&self, compact: &str, depth: usize) -> Option<ResolvedRegion> {
        if depth > MAX_NESTING {
            return None;
        }
        let township_only = |township: &Township| ResolvedRegion {
            township_code: township.code.clone(),
            township_name: township.name.clone(),
            village: String::new(),
        };
        // Candidates from the least to the most stripped; the most stripped is tried first.
        let mut candidates = vec![compact];
        let mut current = compact;
        while let Some(rest) = COUNTY_PREFIXES
            .iter()
            .find_map(|prefix| current.strip_prefix(prefix).filter(|rest| !rest.is_empty()))
        {
            candidates.push(rest);
            current = rest;
        }
        for candidate in candidates.iter().rev() {
            if let Some((township, rest, bare)) = self.match_township(candidate) {
                let village = village_from(rest, bare);
                // The whole text is the village's name: nothing but the suffix after the
                // township's name (`农坝村`, `清水社区`), or one character after a bare name
                // (`石门坎村` of 石门乡, not 石门乡's `坎村`).
                let whole = match village_name_length(&village) {
                    Some(0) => true,
                    Some(1) => bare && village == rest,
                    // `双龙组`, `平安湾`: one character after a bare name, not a village's suffix.
                    None => bare && village == rest && is_place_character(rest),
                    _ => false,
                };
                // `双龙村（农坝镇）`: a village named like a township, then its township in
                // brackets. (`三坪村（水口）` keeps a place named like a township.)
                if whole
                    && let Some((before, inside)) = trailing_bracketed(candidate)
                    && self.names_township(inside)
                    && let Some(inner) = self.resolve_compact(inside, depth + 1)
                    && inner.village.is_empty()
                {
                    return self.with_village(inner, village_from(before, false), depth);
                }
                if whole {
                    return Some(ResolvedRegion {
                        village: (*candidate).to_string(),
                        ..township_only(township)
                    });
                }
                return self.with_village(township_only(township), village, depth);
            }
            // `(泥溪镇)三坪村`, `云阳县【泥溪镇】三坪村`, `(泥溪镇三坪村)`: the township in brackets
            // before the village, or the whole text in brackets.
            let bracketed = leading_bracketed(candidate).and_then(|(inside, after)| {
                let inner = self.resolve_compact(inside, depth + 1)?;
                match (after.is_empty(), inner.village.is_empty()) {
                    (true, _) => Some(inner),
                    (false, true) => self.with_village(inner, village_from(after, false), depth),
                    (false, false) => None,
                }
            });
            // `三坪村(泥溪镇)`: the village first, its township in brackets after it.
            let bracketed = bracketed.or_else(|| {
                let (before, inside) = trailing_bracketed(candidate)?;
                let inner = self.resolve_compact(inside, depth + 1)?;
                inner.village.is_empty().then_some(())?;
                self.with_village(inner, village_from(before, false), depth)
            });
            if bracketed.is_some() {
                return bracketed;
            }
        }
        None
    }

    /// `township` (resolved with no village) with `village`, the rest of the text; `None` when
    /// that rest names another township (`泥溪镇(农坝镇三坪村)`, `泥溪镇三坪村、农坝镇双龙村`) or is
    /// no plain village name (unbalanced brackets). The township written again is dropped
    /// (`泥溪镇(泥溪镇)三坪村`, `泥溪镇三坪村、泥溪镇黎明村` → `三坪村、黎明村`); a village merely
    /// named like another township (`农坝镇双龙村`) is no conflict.
    fn with_village(
        &self,
        township: ResolvedRegion,
        village: String,
        depth: usize,
    ) -> Option<ResolvedRegion> {
        if village.is_empty() {
            return Some(township);
        }
        // `三坪村3组（水口）`: a place named like another township, in brackets after the village.
        if self.is_bracketed_place(&village, &township.township_code)
            && self.is_plain_village(&village)
        {
            return Some(ResolvedRegion {
                village,
                ..township
            });
        }
        match self.listed_villages(&township.township_code, &village, depth) {
            ListedVillages::Villages(villages) => {
                return Some(ResolvedRegion {
                    village: villages,
                    ..township
                });
            }
            ListedVillages::OtherTownship(_) => return None,
            ListedVillages::NoList => {}
        }
        let village = match self.resolve_compact(&village, depth + 1) {
            Some(again) if again.township_code == township.township_code => again.village,
            Some(other) if other.village == village => village,
            // `农坝镇双龙二组`: a place named by another township's short name before no
            // village (`names_township`) is a place of the township written. (`农坝镇泥溪`, the
            // short name alone, names two townships.)
            Some(other)
                if !other.village.is_empty()
                    && !self.names_township(&village)
                    && self.is_plain_village(&village) =>
            {
                village
            }
            Some(_) => return None,
            None if !self.is_plain_village(&village) => return None,
            None => village,
        };
        Some(ResolvedRegion {
            village,
            ..township
        })
    }

    /// Reads `village` (what follows township `code`) as a list of places
    /// ([`REGION_LIST_SEPARATORS`], or the words 和 / 与 / 及, [`JOINING_WORDS`]): [`ListedVillages::Villages`] when some item writes the township again
    /// (`三坪村、泥溪镇黎明村` → `三坪村、黎明村`), [`ListedVillages::OtherTownship`] when an item
    /// names another one (`三坪村、农坝镇双龙村`, `三坪村和农坝镇双龙村`, `三坪村及清水乡`, also
    /// by a short name before a village: `三坪村/农坝双龙村`), else [`ListedVillages::NoList`].
    /// A village named like a township (`双龙村`, `石门坎村`) and a place named with a
    /// township's short name (`平安组`, `水口湾`) are places of this township.
    fn listed_villages(&self, code: &str, village: &str, depth: usize) -> ListedVillages {
        let listed = self.listed_villages_split(code, village, depth, &REGION_LIST_SEPARATORS);
        if !matches!(listed, ListedVillages::NoList) || !village.contains(JOINING_WORDS) {
            return listed;
        }
        // `和平村`, `三坪村和平安组`: a name may hold 和; split there only to find a township.
        self.listed_villages_split(code, village, depth, &JOINING_WORDS)
    }

    /// [`RegionResolver::listed_villages`] with the items split at `separators`.
    fn listed_villages_split(
        &self,
        code: &str,
        village: &str,
        depth: usize,
        separators: &[char],
    ) -> ListedVillages {
        let items = listed_items(village, separators);
        if items.len() < 2 || depth > MAX_NESTING {
            return ListedVillages::NoList;
        }
        let mut villages: Vec<String> = Vec::with_capacity(items.len());
        let mut repeated = false;
        for item in items {
            let names_township = self.names_township(item);
            match self.resolve_compact(item, depth + 1) {
                Some(again) if names_township && again.township_code == code => {
                    // `泥溪镇黎明村`; a village named after the township (`泥溪新村`) is itself.
                    repeated |= again.village != item;
                    if !again.village.is_empty() {
                        villages.push(again.village);
                    }
                }
                Some(other) if names_township && other.village != item => {
                    return ListedVillages::OtherTownship(other.township_name);
                }
                _ if self.is_plain_village(item) => villages.push(item.to_string()),
                _ => return ListedVillages::NoList,
            }
        }
        if repeated {
            ListedVillages::Villages(villages.join("、"))
        } else {
            ListedVillages::NoList
        }
    }

    /// Whether `text` names a township as a place: with its level (`农坝镇`, `清水乡`,
    /// `农坝镇双龙村`), or by its short name before a village (`农坝双龙村`); not a short name
    /// before anything else (`平安组`, `水口湾`, `双龙场`, `水口`: places named like a township).
    pub fn names_township(&self, text: &str) -> bool {
        self.match_township(strip_county(text))
            .is_some_and(|(_, rest, bare)| {
                !bare || village_name_length(&village_from(rest, true)).is_some_and(|n| n >= 1)
            })
    }

    /// `三坪村3组（水口）` after township `code`: a village part ending in brackets that hold
    /// another township's short name alone, which is a place's name there, not a township
    /// ([`RegionResolver::names_township`]). (`三坪村（泥溪）` after 泥溪镇 repeats the township.)
    fn is_bracketed_place(&self, village: &str, code: &str) -> bool {
        trailing_bracketed(village).is_some_and(|(before, inside)| {
            !before.is_empty()
                && self
                    .match_township(strip_county(inside))
                    .is_some_and(|(township, _, _)| township.code != code)
                && !self.names_township(inside)
        })
    }

    /// Whether a village part is a name and nothing more: its brackets are balanced and no
    /// official township name stands in it (`(农坝镇)(泥溪镇)三坪村` is not).
    fn is_plain_village(&self, village: &str) -> bool {
        let mut open: Vec<char> = Vec::new();
        for c in village.chars() {
            if let Some(&(_, close)) = BRACKETS.iter().find(|(o, _)| *o == c) {
                open.push(close);
            } else if BRACKETS.iter().any(|(_, close)| *close == c) && open.pop() != Some(c) {
                return false;
            }
        }
        open.is_empty()
            && !self
                .townships
                .iter()
                .any(|t| village.contains(t.name.as_str()))
    }

    /// The two townships a text names when it names two different ones: a bracket holding one
    /// township and the rest naming another (`(泥溪镇)农坝镇三坪村`, `农坝镇三坪村(泥溪镇)`), or a
    /// township whose village part names another (`泥溪镇(农坝镇三坪村)`). Official names.
    fn two_townships(&self, compact: &str, depth: usize) -> Option<(String, String)> {
        if depth > MAX_NESTING {
            return None;
        }
        let township_alone = |text: &str| {
            self.resolve_compact(text, depth + 1)
                .filter(|r| r.village.is_empty())
                .map(|r| r.township_name)
        };
        let township_of = |text: &str| {
            self.resolve_compact(text, depth + 1)
                .map(|r| r.township_name)
                .or_else(|| self.two_townships(text, depth + 1).map(|(first, _)| first))
        };
        let pair = |first: Option<String>, second: Option<String>| match (first, second) {
            (Some(first), Some(second)) if first != second => Some((first, second)),
            _ => None,
        };
        if let Some((inside, after)) = leading_bracketed(compact)
            && let found @ Some(_) = pair(township_alone(inside), township_of(after))
        {
            return found;
        }
        // `农坝镇三坪村（泥溪镇）`, `泥溪镇三坪村（农坝镇双龙村）`: a place of another township
        // in brackets (`（水口）` after a village is a place's name).
        if let Some((before, inside)) = trailing_bracketed(compact)
            && self.names_township(inside)
            && let found @ Some(_) = pair(township_of(before), township_of(inside))
        {
            return found;
        }
        let (township, rest, short) = self.match_township(compact)?;
        let village = village_from(rest, short);
        if self.is_bracketed_place(&village, &township.code) {
            return None;
        }
        // `泥溪镇三坪村、农坝镇双龙村`: a listed place of another township.
        if let ListedVillages::OtherTownship(other) =
            self.listed_villages(&township.code, &village, depth)
        {
            return Some((township.name.clone(), other));
        }
        let other = self.resolve_compact(&village, depth + 1)?;
        (other.township_code != township.code && other.village != village)
            .then(|| (township.name.clone(), other.township_name))
    }

    /// The township whose name (or alias, …) is the longest prefix of `text`, the rest of the text,
    /// and whether the match was a short name without a level (the bare name `泥溪`, or an alias
    /// such as `清水`, `票草`): a wrong level may follow it (`清水镇新华村`).
    fn match_township<'a>(&self, text: &'a str) -> Option<(&Township, &'a str, bool)> {
        let mut best: Option<(&Township, &'a str, bool, usize)> = None;
        for (township, (names, base)) in self.townships.iter().zip(&self.names) {
            for name in names {
                let Some(rest) = text.strip_prefix(name.as_str()) else {
                    continue;
                };
                // `云阳县…` is the county, not 云阳镇 (`云阳` is the town's alias).
                if rest.starts_with('县') || rest.starts_with('市') {
                    continue;
                }
                let len = name.chars().count();
                if best.is_none_or(|(_, _, _, best_len)| len > best_len) {
                    // A short name: the bare name, or an alias without a level (`清水`, `票草`).
                    let bare = Some(name.as_str()) == base.as_deref()
                        || !LEVEL_ENDINGS.iter().any(|end| name.ends_with(end));
                    best = Some((township, rest, bare, len));
                }
            }
        }
        best.map(|(township, rest, short, _)| (township, rest, short))
    }

    /// The official name nearest to the start of `text` (edit distance on characters), when close.
    fn suggest(&self, text: &str) -> Option<String> {
        // The smallest distance relative to the name's length wins (`青水土家族乡` is nearer to
        // 清水土家族乡 than `青水` is to 青龙), then the longer name, then registry order.
        let mut best: Option<(usize, usize, &Township)> = None;
        for township in &self.townships {
            let mut names = vec![township.name.clone()];
            names.extend(base_name(township));
            names.extend(township.aliases.iter().cloned());
            for name in names {
                let len = name.chars().count();
                if len < 2 {
                    continue;
                }
                let head: String = text.chars().take(len).collect();
                if head.chars().count() < len {
                    continue;
                }
                let distance = strsim::levenshtein(&head, &name);
                let limit = if len <= 3 { 1 } else { 2 };
                if distance == 0 || distance > limit {
                    continue;
                }
                let better = best.is_none_or(|(best_distance, best_len, _)| {
                    let (ours, theirs) = (distance * best_len, best_distance * len);
                    ours < theirs || (ours == theirs && len > best_len)
                });
                if better {
                    best = Some((distance, len, township));
                }
            }
        }
        best.map(|(_, _, township)| township.name.clone())
    }
}

/// Ethnic groups in the names of ethnic townships (民族乡), for the short form `清水乡`.
const ETHNIC_GROUPS: [&str; 6] = ["土家族苗族", "苗族土家族", "土家族", "苗族", "彝族", "回族"];

/// The official name without its suffix (`泥溪镇` → `泥溪`, `双江街道` → `双江`), if it has one.
fn base_name(township: &Township) -> Option<String> {
    let suffix = if township.kind.is_empty() {
        None
    } else {
        Some(township.kind.as_str())
    };
    suffix
        .into_iter()
        .chain(["街道", "镇", "乡"])
        .find_map(|s| township.name.strip_suffix(s))
        .filter(|base| !base.is_empty())
        .map(str::to_string)
}

/// Every name a township is recognised by: the official name, its aliases, the name without suffix
/// (`泥溪`), for 街道 also `xx街道办事处` and `xx街办`, for an ethnic township (`清水土家族乡`) also the
/// customary `清水乡` and `清水`. Compared after removing whitespace.
pub fn township_names(township: &Township) -> Vec<String> {
    let mut names = vec![township.name.clone()];
    names.extend(township.aliases.iter().map(|a| squeeze(a)));
    let base = base_name(township);
    if let Some(base) = &base {
        names.push(base.clone());
        if township.name.ends_with("街道") {
            names.push(format!("{}办事处", township.name));
            names.push(format!("{base}街办"));
        }
    }
    if let Some(before_xiang) = township.name.strip_suffix("族乡") {
        let with_zu = format!("{before_xiang}族");
        for group in ETHNIC_GROUPS {
            if let Some(place) = with_zu.strip_suffix(group).filter(|p| !p.is_empty()) {
                names.push(format!("{place}乡"));
                names.push(place.to_string());
                break;
            }
        }
    }
    names.retain(|n| !n.is_empty());
    names.dedup();
    names
}

/// How deep bracket forms are read inside each other (`(泥溪镇)(泥溪镇)三坪村` needs 2): beyond,
/// a text names no township. Each level may try two readings, so the depth bounds the work.
const MAX_NESTING: usize = 3;

/// The longest 地区 text read (characters, without whitespace); a longer one is an error.
const MAX_REGION_CHARS: usize = 100;

/// Whether `rest`, what follows a township's short name, is one Chinese character that names
/// a place (`组`, `湾`, `坝`), not a level (`镇`, `乡`, `区`, `街`, `县`, `市`) nor a village's suffix:
/// `双龙组` is a place called 双龙组, not a village `组` of 双龙镇.
fn is_place_character(rest: &str) -> bool {
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => {
            is_han(c) && !"省市县区镇乡街村".contains(c) && village_name_length(rest).is_none()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver() -> RegionResolver {
        RegionResolver::from_csv(include_str!("../../assets/townships.csv")).unwrap()
    }

    #[test]
    fn registry_loads_all_42_townships() {
        let r = resolver();
        assert_eq!(r.townships().len(), 42);
        let nixi = r.by_code("500235139").unwrap();
        assert_eq!(nixi.name, "泥溪镇");
        assert!(nixi.deep_poverty);
        assert_eq!(nixi.aliases, vec!["泥溪".to_string()]);
        assert!(!r.by_code("500235001").unwrap().deep_poverty);
    }

    #[test]
    fn township_by_name_accepts_aliases_and_short_forms() {
        let r = resolver();
        let cases = [
            ("泥溪镇", "泥溪镇"),
            ("泥溪", "泥溪镇"),
            ("清水乡", "清水土家族乡"),
            ("清水", "清水土家族乡"),
            ("清水土家族自治乡", "清水土家族乡"),
            ("双江街道办事处", "双江街道"),
            ("双江街办", "双江街道"),
            ("人和镇", "人和街道"),
            ("票草镇", "蔈草镇"),
            (" 云阳镇 ", "云阳镇"),
        ];
        for (name, expected) in cases {
            assert_eq!(
                r.township_by_name(name).map(|t| t.name.as_str()),
                Some(expected),
                "{name}"
            );
        }
        assert_eq!(r.township_by_name("城关镇"), None);
        assert_eq!(r.township_by_name(""), None);
    }

    #[test]
    fn resolves_region_texts() {
        let r = resolver();
        let cases: &[(&str, &str, &str)] = &[
            ("云阳县泥溪镇三坪村", "泥溪镇", "三坪村"),
            // A village named like a township, its township in brackets after it.
            ("双龙村（农坝镇）", "农坝镇", "双龙村"),
            ("平安村(泥溪镇)", "泥溪镇", "平安村"),
            ("泥溪村（泥溪镇）", "泥溪镇", "泥溪村"),
            ("重庆市云阳县泥溪镇三坪村", "泥溪镇", "三坪村"),
            ("重庆云阳泥溪镇三坪村", "泥溪镇", "三坪村"),
            ("泥溪镇三坪村", "泥溪镇", "三坪村"),
            ("泥溪三坪村", "泥溪镇", "三坪村"),
            ("泥溪乡三坪村", "泥溪镇", "三坪村"),
            ("清水镇新华村", "清水土家族乡", "新华村"),
            ("清水街道新华村", "清水土家族乡", "新华村"),
            ("票草乡新华村", "蔈草镇", "新华村"),
            ("云阳县 泥溪镇\u{3000}三坪村 ", "泥溪镇", "三坪村"),
            ("泥溪镇-三坪村", "泥溪镇", "三坪村"),
            ("泥溪镇（三坪村）", "泥溪镇", "三坪村"),
            ("清水乡", "清水土家族乡", ""),
            ("清水乡东升村", "清水土家族乡", "东升村"),
            ("云阳县清水土家族乡东升村", "清水土家族乡", "东升村"),
            ("双江街道办事处滨江社区", "双江街道", "滨江社区"),
            ("云阳县双江街道滨江社区", "双江街道", "滨江社区"),
            ("云阳镇三坪村", "云阳镇", "三坪村"),
            ("云阳县云阳镇三坪村", "云阳镇", "三坪村"),
            ("重庆市云阳县云阳镇", "云阳镇", ""),
            ("云阳县云安镇xx村", "云安镇", "xx村"),
            ("云阳云安镇xx村", "云安镇", "xx村"),
            // A bare name wins even before a mistyped suffix: the village keeps the rest.
            ("双江街到滨江社区", "双江街道", "街到滨江社区"),
            ("云阳县人和镇永安社区", "人和街道", "永安社区"),
            ("票草镇新村", "蔈草镇", "新村"),
            ("养鹿乡", "养鹿镇", ""),
            ("水口区水口村", "水口镇", "水口村"),
            ("泥溪镇人民政府", "泥溪镇", ""),
            // The township in brackets before the village.
            ("（泥溪镇）三坪村", "泥溪镇", "三坪村"),
            ("云阳县【泥溪】三坪村", "泥溪镇", "三坪村"),
            ("[双江街道办事处] 滨江社区", "双江街道", "滨江社区"),
            ("(清水乡)", "清水土家族乡", ""),
            ("「泥溪」三坪村", "泥溪镇", "三坪村"),
            ("泥溪镇）三坪村", "泥溪镇", "三坪村"),
            ("（泥溪镇三坪村）", "泥溪镇", "三坪村"),
            ("【泥溪镇三坪村】", "泥溪镇", "三坪村"),
            ("（云阳县泥溪镇）三坪村", "泥溪镇", "三坪村"),
            ("(泥溪镇)泥溪镇三坪村", "泥溪镇", "三坪村"),
            ("泥溪镇三坪村(泥溪)", "泥溪镇", "三坪村"),
            // The village first, its township in brackets after it.
            ("三坪村（泥溪镇）", "泥溪镇", "三坪村"),
            ("三坪村(泥溪)", "泥溪镇", "三坪村"),
            ("云阳(三坪村)", "云阳镇", "三坪村"),
            // A village named after its township, or after another one.
            ("农坝村", "农坝镇", "农坝村"),
            ("双龙村3组", "双龙镇", "双龙村3组"),
            ("(农坝镇)双龙村", "农坝镇", "双龙村"),
            ("农坝镇双龙村", "农坝镇", "双龙村"),
            // The unit, then the village.
            ("泥溪镇人民政府三坪村", "泥溪镇", "三坪村"),
            // Villages listed with their township written again.
            ("泥溪镇三坪村、泥溪镇黎明村", "泥溪镇", "三坪村、黎明村"),
            (
                "云阳县泥溪镇三坪村，云阳县泥溪镇黎明村",
                "泥溪镇",
                "三坪村、黎明村",
            ),
            (
                "泥溪镇三坪村/泥溪镇黎明村/石缸村",
                "泥溪镇",
                "三坪村、黎明村、石缸村",
            ),
            ("泥溪镇三坪村、黎明村", "泥溪镇", "三坪村、黎明村"),
            // Places of the township named with another's short name are no second township.
            ("泥溪镇三坪村、平安组", "泥溪镇", "三坪村、平安组"),
            ("泥溪镇三坪村，水口湾", "泥溪镇", "三坪村,水口湾"),
            ("泥溪镇三坪村、双龙场", "泥溪镇", "三坪村、双龙场"),
            ("泥溪镇三坪村3组、平安组", "泥溪镇", "三坪村3组、平安组"),
            ("泥溪镇三坪村，石门坎", "泥溪镇", "三坪村,石门坎"),
            ("泥溪镇三坪村3组（水口）", "泥溪镇", "三坪村3组(水口)"),
            // Villages named after their township's alias, or starting with its bare name (a
            // one-character rest is no village name: the whole text is).
            ("清水村", "清水土家族乡", "清水村"),
            ("清水社区", "清水土家族乡", "清水社区"),
            ("票草村", "蔈草镇", "票草村"),
            ("石门坎村", "石门乡", "石门坎村"),
            ("双龙湾村", "双龙镇", "双龙湾村"),
            ("人和场社区", "人和街道", "人和场社区"),
            ("泥溪新村", "泥溪镇", "泥溪新村"),
            ("泥溪镇新村", "泥溪镇", "新村"),
            // The township written twice.
            ("泥溪镇(泥溪镇)三坪村", "泥溪镇", "三坪村"),
            ("(泥溪镇)(泥溪镇)", "泥溪镇", ""),
            ("泥溪镇三坪村(二组)", "泥溪镇", "三坪村(二组)"),
        ];
        for (text, township, village) in cases {
            let resolved = r.resolve(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(resolved.township_name, *township, "{text}");
            assert_eq!(resolved.village, *village, "{text}");
            assert_eq!(
                r.by_code(&resolved.township_code).map(|t| t.name.as_str()),
                Some(*township),
                "{text}"
            );
        }
    }

    #[test]
    fn one_township_named_in_a_unit_or_title() {
        let r = resolver();
        for (text, named) in [
            ("泥溪镇扶贫办", Some("泥溪镇")),
            ("中共云阳县泥溪镇委员会", Some("泥溪镇")),
            (
                "云阳县泥溪镇2019年第三季度贫困户产品销售情况表",
                Some("泥溪镇"),
            ),
            ("2019年泥溪镇贫困户产品销售情况表", Some("泥溪镇")),
            ("票草镇人民政府", Some("蔈草镇")),
            ("双江街道办事处", Some("双江街道")),
            ("农坝镇人民政府、泥溪镇人民政府", None),
            ("平安镇人民政府（代高阳镇填报）", None),
            ("云阳县教育委员会", None),
            ("乡镇(街道)贫困户产品销售情况表", None),
        ] {
            let found = r.only_township_named_in(text).map(|t| t.name.as_str());
            assert_eq!(found, named, "{text}");
        }
    }

    /// `泥溪石村`: 泥溪镇's village `泥溪石村` or its `石村`? Read as the first, with a warning;
    /// split or with the level written, it is `石村`.
    #[test]
    fn a_short_township_name_and_one_character_village_is_warned() {
        let r = resolver();
        for (text, village, warned) in [
            ("泥溪石村", "泥溪石村", true),
            ("云阳县石门坎村", "石门坎村", true),
            ("泥溪新村", "泥溪新村", true),
            ("泥溪镇石村", "石村", false),
            ("泥溪-石村", "石村", false),
            ("泥溪（石村）", "石村", false),
            ("泥溪三坪村", "三坪村", false),
            ("农坝村", "农坝村", false),
            ("清水村", "清水村", false),
            // A short name before one place character: that township's place of that name.
            ("双龙组", "双龙组", true),
            ("平安湾", "平安湾", true),
            ("泥溪三坪", "三坪", false),
            ("泥溪乡", "", false),
            ("农坝镇双龙组", "双龙组", false),
            ("农坝镇双龙二组", "双龙二组", false),
        ] {
            let resolved = r.resolve(text).unwrap();
            assert_eq!(resolved.village, village, "{text}");
            let warning = r.whole_village_warning(text, &resolved);
            assert_eq!(warning.is_some(), warned, "{text}: {warning:?}");
        }
        // The short name alone after a township names two.
        assert!(
            r.resolve("农坝镇泥溪")
                .unwrap_err()
                .message
                .contains("两个不同的乡镇")
        );
        let resolved = r.resolve("双龙组").unwrap();
        assert_eq!(
            r.whole_village_warning("双龙组", &resolved).as_deref(),
            Some("地区“双龙组”按双龙镇的“双龙组”记；如果不是双龙镇的地方，请写明乡镇和村")
        );
        let resolved = r.resolve("泥溪石村").unwrap();
        assert_eq!(
            r.whole_village_warning("泥溪石村", &resolved).as_deref(),
            Some("地区“泥溪石村”按泥溪镇的“泥溪石村”记；如果是泥溪镇的“石村”，请写成“泥溪镇石村”")
        );
    }

    /// A township written with a level it does not have is read, with a warning; its official
    /// name and the older names of the registry are not warned.
    #[test]
    fn a_township_written_with_another_level_is_warned() {
        let r = resolver();
        for (text, warning) in [
            (
                "平安乡新华村",
                Some("地区“平安乡新华村”中的“平安乡”按平安镇记，请核实"),
            ),
            (
                "云阳县泥溪区三坪村",
                Some("地区“云阳县泥溪区三坪村”中的“泥溪区”按泥溪镇记，请核实"),
            ),
            ("泥溪镇三坪村", None),
            (
                "清水镇新华村",
                Some("地区“清水镇新华村”中的“清水镇”按清水土家族乡记，请核实"),
            ),
            (
                "票草乡新华村",
                Some("地区“票草乡新华村”中的“票草乡”按蔈草镇记，请核实"),
            ),
            ("泥溪三坪村", None),
            ("养鹿乡新村", None),
            ("人和镇永安社区", None),
            ("清水乡东升村", None),
            ("双江街道滨江社区", None),
        ] {
            let resolved = r.resolve(text).unwrap();
            assert_eq!(
                r.level_warning(text, &resolved).as_deref(),
                warning,
                "{text}"
            );
        }
    }

    /// `云阳` is both 云阳镇's short name and the county's: read as 云阳镇, with a warning.
    #[test]
    fn the_county_name_read_as_a_township_is_warned() {
        let r = resolver();
        for (text, warned) in [
            ("云阳三坪村", true),
            ("重庆云阳三坪村", true),
            ("云阳村", false),
            ("云阳镇三坪村", false),
            ("云阳县云阳镇三坪村", false),
            ("云阳泥溪三坪村", false),
            ("泥溪镇三坪村", false),
        ] {
            let resolved = r.resolve(text).unwrap();
            let warning = r.county_name_warning(text, &resolved);
            assert_eq!(warning.is_some(), warned, "{text}: {warning:?}");
        }
        let resolved = r.resolve("云阳三坪村").unwrap();
        assert_eq!(
            r.county_name_warning("云阳三坪村", &resolved).as_deref(),
            Some("地区“云阳三坪村”中的“云阳”按云阳镇记（也可能是指云阳县），请核实")
        );
    }

    #[test]
    fn villages_of_two_townships_in_one_region_are_an_error_naming_both() {
        let r = resolver();
        for text in [
            "泥溪镇三坪村、农坝镇双龙村",
            "云阳县泥溪镇三坪村，云阳县农坝镇双龙村",
            "泥溪镇三坪村/农坝双龙村",
            "泥溪镇三坪村和农坝镇双龙村",
            "泥溪镇三坪村与云阳县农坝镇双龙村",
            "泥溪镇三坪村（农坝镇双龙村）",
            "泥溪镇三坪村及农坝镇双龙村",
            "泥溪镇三坪村和农坝双龙村",
        ] {
            let error = r.resolve(text).unwrap_err();
            assert!(
                error
                    .message
                    .contains("写了两个不同的乡镇（泥溪镇、农坝镇）"),
                "{text}: {}",
                error.message
            );
        }
        // The first village named like a township (双龙村 of 农坝镇) hides no second township.
        for (text, first, second) in [
            ("农坝镇双龙村、泥溪镇三坪村", "农坝镇", "泥溪镇"),
            ("泥溪镇云安村、农坝镇大河村", "泥溪镇", "农坝镇"),
            ("泥溪镇三坪村、清水乡大坪村", "泥溪镇", "清水土家族乡"),
            ("泥溪镇三坪村及清水乡大坪村", "泥溪镇", "清水土家族乡"),
            ("泥溪镇三坪村及清水乡", "泥溪镇", "清水土家族乡"),
            ("泥溪镇三坪村（平安镇）", "泥溪镇", "平安镇"),
        ] {
            let error = r.resolve(text).unwrap_err();
            assert!(
                error.message.contains(&format!("（{first}、{second}）")),
                "{text}: {}",
                error.message
            );
        }
        // 和 inside a name is no list.
        for (text, village) in [
            ("泥溪镇黎明村和平组", "黎明村和平组"),
            ("泥溪镇黎明村和平安组", "黎明村和平安组"),
            ("泥溪镇和平村", "和平村"),
            ("泥溪镇三坪村(双龙湾)", "三坪村(双龙湾)"),
        ] {
            assert_eq!(r.resolve(text).unwrap().village, village, "{text}");
        }
    }

    #[test]
    fn a_region_starting_with_a_village_says_the_township_is_missing() {
        let r = resolver();
        for text in [
            "三坪村",
            "三坪村新村组",
            "三坪村、农坝镇双龙村",
            "滨江社区3组",
        ] {
            let error = r.resolve(text).unwrap_err();
            assert!(
                error.message.contains("只写了村（社区），没有写乡镇"),
                "{text}: {}",
                error.message
            );
        }
    }

    #[test]
    fn unknown_township_is_an_error_with_a_suggestion() {
        let r = resolver();
        let cases: &[(&str, &str)] = &[
            (
                "泥西镇三坪村",
                "无法识别地区“泥西镇三坪村”中的乡镇（是否为“泥溪镇”？）",
            ),
            (
                "云阳县泥西镇三坪村",
                "无法识别地区“云阳县泥西镇三坪村”中的乡镇（是否为“泥溪镇”？）",
            ),
            ("青水土家族乡", "（是否为“清水土家族乡”？）"),
            ("泥西三坪村", "（是否为“泥溪镇”？）"),
            ("（泥西镇）三坪村", "（是否为“泥溪镇”？）"),
        ];
        for (text, message) in cases {
            let error = r.resolve(text).unwrap_err();
            assert!(error.message.contains(message), "{text}: {}", error.message);
        }
        // A remark in brackets naming a former or neighbouring township is part of the village;
        // one that puts the place in another township now names two.
        for (text, village) in [
            ("泥溪镇石缸村（原新津乡）", "石缸村(原新津乡)"),
            ("泥溪镇黎明村（与新津乡交界）", "黎明村(与新津乡交界)"),
            (
                "泥溪镇黎明村（原黎明乡，现并入泥溪镇）",
                "黎明村(原黎明乡,现并入泥溪镇)",
            ),
        ] {
            let resolved = r.resolve(text).unwrap();
            assert_eq!(
                (resolved.township_code.as_str(), resolved.village.as_str()),
                ("500235139", village),
                "{text}"
            );
        }
        let error = r.resolve("泥溪镇黎明村（现属农坝镇）").unwrap_err();
        assert!(
            error
                .message
                .contains("写了两个不同的乡镇（泥溪镇、农坝镇）"),
            "{}",
            error.message
        );
        // An unclosed bracket is named as the fault, not a township resembling the rest.
        for text in [
            "泥溪镇三坪村(重复",
            "泥溪镇三坪村（",
            "泥溪镇(三坪村",
            "泥溪镇三坪村重复）",
        ] {
            let error = r.resolve(text).unwrap_err();
            assert!(
                error.message.contains("中的括号不成对") && !error.message.contains("是否为"),
                "{text}: {}",
                error.message
            );
        }
        for (text, first, second) in [
            ("(泥溪镇)(农坝镇)三坪村", "泥溪镇", "农坝镇"),
            ("(泥溪镇)农坝镇三坪村", "泥溪镇", "农坝镇"),
            ("农坝镇三坪村(泥溪镇)", "农坝镇", "泥溪镇"),
            ("泥溪镇(农坝镇三坪村)", "泥溪镇", "农坝镇"),
            ("(泥溪镇)(农坝镇)(泥溪镇)三坪村", "泥溪镇", "农坝镇"),
        ] {
            assert_eq!(
                r.resolve(text).unwrap_err().message,
                format!("地区“{text}”中写了两个不同的乡镇（{first}、{second}），请核对")
            );
        }
        // Bracket forms are read three deep at most (each level may try two readings; deeper
        // texts took seconds a row): beyond, no township.
        for text in ["(泥溪镇)(农坝镇)".repeat(10), "三坪村(泥溪镇)".repeat(12)] {
            assert!(r.resolve(&text).is_err(), "{text}");
        }
        assert_eq!(
            r.resolve("(泥溪镇)(泥溪镇)三坪村").unwrap().village,
            "三坪村"
        );
        // A long text is refused, however it nests its brackets.
        for text in [
            "(泥溪镇)".repeat(5_000),
            "(".repeat(5_000),
            "泥溪镇".repeat(40),
        ] {
            assert!(r.resolve(&text).unwrap_err().message.contains("太长"));
        }
        // Stray brackets: no village is made of them.
        for text in ["泥溪镇三坪村)", "三坪村((泥溪镇))", "泥溪镇)(三坪村"] {
            assert!(r.resolve(text).is_err(), "{text}: {:?}", r.resolve(text));
        }
        // One township only: no talk of two.
        for text in ["三坪村(双龙湾)", "(平安组)三坪村"] {
            let message = r
                .resolve(text)
                .map(|_| String::new())
                .unwrap_or_else(|e| e.message);
            assert!(!message.contains("两个不同的乡镇"), "{text}: {message}");
        }
        // A village with something else in brackets: no suggestion of a similar township.
        assert_eq!(
            r.resolve("三坪村（双龙湾）").unwrap_err().message,
            "地区“三坪村（双龙湾）”中没有可识别的乡镇：请写成“泥溪镇三坪村”这样"
        );
        for text in ["云阳县xx乡镇xx村", "北京市海淀区", "云阳县", "重庆市"] {
            let error = r.resolve(text).unwrap_err();
            assert!(
                error.message.starts_with("无法识别地区"),
                "{text}: {}",
                error.message
            );
            assert!(
                !error.message.contains("是否为"),
                "{text}: {}",
                error.message
            );
        }
        assert_eq!(r.resolve(" \u{3000}").unwrap_err().message, "地区为空");
    }

    #[test]
    fn csv_errors_name_the_line() {
        let error = RegionResolver::from_csv("code,name,kind,deep_poverty,aliases\n500,泥溪镇\n")
            .unwrap_err();
        assert!(error.message.contains("第2行"), "{}", error.message);
    }
}
