//! Regions: the 42 townships (乡镇/街道) of 云阳县 and their villages. Seed: 二 (42 townships),
//! 附件1-3 地区 column; import rule 8.

use super::ParseError;
use super::text::{clean_text, is_blank_char, squeeze, to_half_width};

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
}

impl RegionResolver {
    /// Builds a resolver over the given townships.
    pub fn new(townships: Vec<Township>) -> Self {
        let names = townships
            .iter()
            .map(|township| (township_names(township), base_name(township)))
            .collect();
        Self { townships, names }
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
    /// remainder give an empty village. The township may also stand in brackets before the village
    /// (`（泥溪镇）三坪村`).
    pub fn resolve(&self, text: &str) -> Result<ResolvedRegion, ParseError> {
        let original = clean_text(text);
        if original.is_empty() {
            return Err(ParseError::new("地区为空"));
        }
        let compact = squeeze(&to_half_width(&original));

        // Candidates from the least to the most stripped; the most stripped is tried first.
        let mut candidates = vec![compact.as_str()];
        let mut current = compact.as_str();
        loop {
            let next = COUNTY_PREFIXES
                .iter()
                .find_map(|prefix| current.strip_prefix(prefix).filter(|rest| !rest.is_empty()));
            match next {
                Some(rest) => {
                    candidates.push(rest);
                    current = rest;
                }
                None => break,
            }
        }

        for candidate in candidates.iter().rev() {
            if let Some((township, rest, by_base)) = self.match_township(candidate) {
                return Ok(ResolvedRegion {
                    township_code: township.code.clone(),
                    township_name: township.name.clone(),
                    village: village_from(rest, by_base),
                });
            }
            // `(泥溪镇)三坪村`, `云阳县【泥溪镇】三坪村`: the township in brackets before the village.
            if let Some((inside, after)) = leading_bracketed(candidate)
                && let Some((township, "", by_base)) = self.match_township(inside)
            {
                return Ok(ResolvedRegion {
                    township_code: township.code.clone(),
                    township_name: township.name.clone(),
                    village: village_from(after, by_base),
                });
            }
        }

        let most_stripped = candidates.last().copied().unwrap_or(compact.as_str());
        let most_stripped =
            leading_bracketed(most_stripped).map_or(most_stripped, |(inside, _)| inside);
        Err(ParseError::new(match self.suggest(most_stripped) {
            Some(name) => format!("无法识别地区“{original}”中的乡镇（是否为“{name}”？）"),
            None => format!(
                "无法识别地区“{original}”中的乡镇：应以云阳县的乡镇(街道)名开头，如“泥溪镇三坪村”"
            ),
        }))
    }

    /// The township whose name (or alias, …) is the longest prefix of `text`, the rest of the text,
    /// and whether the match was a bare name without suffix.
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
                    best = Some((township, rest, Some(name.as_str()) == base.as_deref(), len));
                }
            }
        }
        best.map(|(township, rest, by_base, _)| (township, rest, by_base))
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

/// Prefixes stripped before the township: the municipality and the county.
const COUNTY_PREFIXES: [&str; 4] = ["重庆市", "重庆", "云阳县", "云阳"];

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

/// Brackets a 地区 text may open with, and their closing pairs (after [`to_half_width`]).
const BRACKETS: [(char, char); 4] = [('(', ')'), ('【', '】'), ('[', ']'), ('〔', '〕')];

/// `(泥溪镇)三坪村` → (`泥溪镇`, `三坪村`): the text inside a bracket the candidate opens with, and
/// what follows its closing bracket; `None` when the text does not open with a bracket or never
/// closes it.
fn leading_bracketed(text: &str) -> Option<(&str, &str)> {
    BRACKETS.iter().find_map(|&(open, close)| {
        let inner = text.strip_prefix(open)?;
        let end = inner.find(close)?;
        Some((&inner[..end], &inner[end + close.len_utf8()..]))
    })
}

/// The village part left after the township name.
fn village_from(rest: &str, by_base: bool) -> String {
    let mut rest = rest;
    if by_base {
        // `泥溪乡三坪村` for 泥溪镇: a wrong suffix after a bare name (`区`: the 区公所 level
        // older clerks still write).
        for suffix in ["街道办事处", "街道", "镇", "乡", "区"] {
            if let Some(stripped) = rest.strip_prefix(suffix) {
                rest = stripped;
                break;
            }
        }
    }
    let rest = rest.trim_start_matches(['-', '—', '–', '·', '/', '\\', '、', ',', ':', ';']);
    if matches!(rest, "人民政府" | "政府" | "办事处") {
        return String::new();
    }
    let unbracketed = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| rest.strip_prefix('【').and_then(|r| r.strip_suffix('】')));
    unbracketed.unwrap_or(rest).to_string()
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
            ("重庆市云阳县泥溪镇三坪村", "泥溪镇", "三坪村"),
            ("重庆云阳泥溪镇三坪村", "泥溪镇", "三坪村"),
            ("泥溪镇三坪村", "泥溪镇", "三坪村"),
            ("泥溪三坪村", "泥溪镇", "三坪村"),
            ("泥溪乡三坪村", "泥溪镇", "三坪村"),
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
