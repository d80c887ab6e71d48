//! 地区 per row: each distinct text is resolved once ([`RegionCache`]), and a village written
//! alone on a township's own form takes the township of its 填报单位 ([`RegionCache::completed`],
//! with a warning).

use std::collections::HashMap;

use crate::domain::RegionResolver;
use crate::domain::region_text::{
    VILLAGE_SUFFIXES, is_group_only, is_han, is_named_group, is_village_name, leading_bracketed,
    starts_with_village_name, strip_county, trailing_bracketed,
};
use crate::domain::sale::{RegionOutcome, region_outcome};
use crate::domain::text::{clean_text, is_blank_char, listed_items, squeeze, to_half_width};

/// What may follow a village written alone on a township's form before a group, an address or
/// another village (half-width): `三坪村，新村组`, `三坪村/黎明村`, `三坪村和黎明村`.
const VILLAGE_LIST_SEPARATORS: [char; 10] = [',', '、', ';', '/', '和', '与', '及', '+', '|', '~'];

/// `三坪村双龙组`, `大河村王家湾社`: a village's name ([`is_village_name`]), then a group called
/// by a name (one to four Chinese characters, then 组, 社 or 队).
fn village_then_named_group(text: &str) -> bool {
    VILLAGE_SUFFIXES.iter().any(|suffix| {
        text.find(suffix).is_some_and(|at| {
            let (village, group) = text.split_at(at + suffix.len());
            is_village_name(village)
                && group.strip_suffix(['组', '社', '队']).is_some_and(|name| {
                    (1..=4).contains(&name.chars().count()) && name.chars().all(is_han)
                })
        })
    })
}

/// The township whose own form a sheet is (official name), and whether the sheet says so in its
/// 填报单位 or only in its title: the township of a 地区 that gives only the village.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReportingTownship {
    pub name: String,
    pub from_title: bool,
}

impl ReportingTownship {
    /// The warning for a row of this township's form whose 地区 `typed` names another township
    /// (`named`): it is stored under `named`, as written, for the clerk to check.
    fn other_township_warning(&self, typed: &str, named: &str) -> String {
        format!(
            "地区“{typed}”在{named}，不是{}{}：已按地区记入{named}，请核实",
            self.source(),
            self.name
        )
    }

    /// Where the sheet names it, for warnings.
    fn source(&self) -> &'static str {
        if self.from_title {
            "表格标题"
        } else {
            "填报单位"
        }
    }
}

/// Resolving 地区 against the 42-township registry is the costliest step per row and the same
/// few texts repeat on every row: each distinct text is resolved once, and the row is then
/// validated against a registry holding only the township it resolved to (checked to resolve
/// identically). Unresolvable texts use the full registry, for its error and suggestion.
pub(crate) struct RegionCache<'a> {
    full: &'a RegionResolver,
    by_text: HashMap<String, Option<usize>>,
    by_code: HashMap<String, usize>,
    singles: Vec<RegionResolver>,
    /// The outcome of each distinct 地区 text validated so far ([`RegionCache::outcome`]).
    outcomes: HashMap<String, RegionOutcome>,
}

impl<'a> RegionCache<'a> {
    pub(crate) fn new(full: &'a RegionResolver) -> Self {
        Self {
            full,
            by_text: HashMap::new(),
            by_code: HashMap::new(),
            singles: Vec::new(),
            outcomes: HashMap::new(),
        }
    }

    /// What a sale row whose 地区 is `region` resolves to ([`region_outcome`] against
    /// [`RegionCache::resolver_for`]), worked out once per distinct text.
    pub(crate) fn outcome(&mut self, region: &str) -> RegionOutcome {
        if let Some(outcome) = self.outcomes.get(region) {
            return outcome.clone();
        }
        let outcome = region_outcome(region, self.resolver_for(region));
        if self.outcomes.len() < 100_000 {
            self.outcomes.insert(region.to_string(), outcome.clone());
        }
        outcome
    }

    /// The registry to validate a row whose 地区 is `region` with.
    pub(crate) fn resolver_for(&mut self, region: &str) -> &RegionResolver {
        match self.slot(region).and_then(|i| self.singles.get(i)) {
            Some(single) => single,
            None => self.full,
        }
    }

    /// The index in `singles` of the township `region` resolves to; `None` when it names none.
    fn slot(&mut self, region: &str) -> Option<usize> {
        if let Some(slot) = self.by_text.get(region) {
            return *slot;
        }
        let slot = self.single_for(&clean_text(region));
        if self.by_text.len() < 100_000 {
            self.by_text.insert(region.to_string(), slot);
        }
        slot
    }

    /// The 地区 to validate a row with: `region` itself, or, when it names no township but is a
    /// village name alone ([`is_village_name`]: `大河村`, `滨江社区`, `大河村3组`, also after
    /// `云阳县`; also `三坪村双龙组`, a group called by a name), or one followed by a group, an
    /// address or more villages
    /// ([`VILLAGE_LIST_SEPARATORS`], spaces: `三坪村，新村组`, `三坪村/黎明村`, `三坪村 黎明村`),
    /// and the sheet is a township's own form (`reporting`: its 填报单位 or title names it),
    /// that township before the village, with the warning to attach: a township's own form often
    /// writes only the village. A village named like another township (`双龙村` on 农坝镇's form)
    /// is the form's township's too, warned that the other may have a village of that name. A
    /// village, then a place of another township (`三坪村、农坝镇双龙村`), is completed so that
    /// its error names both. The completed text is what is stored and printed, so the record
    /// reads the same without its file's 填报单位. A text that names another township
    /// (`泥溪镇三坪村`, `泥溪三坪村`) stays as written, with a warning that it is not the form's
    /// township: never booked elsewhere without a word. A place named like another township by its
    /// short name (`双龙组`) is the form's township's, like `双龙村`, warned the same way.
    pub(crate) fn completed(
        &mut self,
        region: String,
        reporting: Option<&ReportingTownship>,
    ) -> (String, Option<String>) {
        let Some(reporting) = reporting else {
            return (region, None);
        };
        let township = reporting.name.as_str();
        let source = reporting.source();
        // The usual case first: the text names its township (one lookup of a remembered text).
        let named = self
            .slot(&region)
            .and_then(|index| self.singles.get(index))
            .and_then(|single| single.townships().first())
            .map(|named| named.name.clone());
        if named.as_deref() == Some(township) {
            return (region, None);
        }
        let typed = clean_text(&region);
        let half = to_half_width(&typed);
        // `三坪村 黎明村`: villages apart by spaces stay apart once the text is completed.
        let words: Vec<&str> = half
            .split(is_blank_char)
            .filter(|w| !w.is_empty())
            .collect();
        let compact = if words.iter().filter(|word| is_village_name(word)).count() >= 2 {
            words.join("、")
        } else {
            squeeze(&half)
        };
        // `云阳村` is a village name as written; `云阳县大河村` is one after the county.
        let village = if is_village_name(&compact) {
            compact.as_str()
        } else {
            strip_county(&compact)
        };
        // `三坪村，新村组`, `三坪村、黎明村`, `三坪村/黎明村`, `（三坪村、黎明村）`: a village, then
        // a group, an address or more villages.
        let listed = leading_bracketed(village)
            .filter(|(_, after)| after.is_empty())
            .map_or(village, |(inside, _)| inside);
        let first_item = listed_items(listed, &VILLAGE_LIST_SEPARATORS)
            .first()
            .copied()
            .unwrap_or("");
        // `三坪村（原黎明村、红岩村合并）`: a remark in brackets after the village.
        let first_item = trailing_bracketed(first_item).map_or(first_item, |(before, _)| before);
        // `三组`, `王家湾组` alone are completed too (`泥溪镇三组`), and then warned that the
        // village is missing; `双龙组`, which names 双龙镇's place, is not (below).
        let starts_with_village = is_village_name(village)
            || (first_item != village && is_village_name(first_item))
            || village_then_named_group(village)
            || starts_with_village_name(village)
            || is_group_only(village)
            || (named.is_none() && is_named_group(village));
        if !starts_with_village {
            let Some(named) = named else {
                return (region, None);
            };
            // `双龙组` on 农坝镇's form, read whole as a place named like 双龙镇: like `双龙村`,
            // 农坝镇's place of that name, warned that 双龙镇 may have one too.
            let place_named_like_township = self
                .full
                .resolve(&region)
                .is_ok_and(|resolved| resolved.village == village);
            let completed = format!("{township}{village}");
            if place_named_like_township && self.slot(&completed).is_some() {
                let warning = format!(
                    "地区“{typed}”未写乡镇，按{source}记为“{completed}”（{named}也可能有同名的地方，请核实）"
                );
                return (completed, Some(warning));
            }
            // `泥溪镇三坪村`, `（泥溪镇）三坪村`, `双龙二组` on 农坝镇's form: the row goes where its
            // text says, warned.
            return (
                region,
                Some(reporting.other_township_warning(&typed, &named)),
            );
        }
        // `双龙村` on 农坝镇's form names 双龙镇 only by the village's name: 农坝镇's form lists
        // 农坝镇's households, so it is 农坝镇's 双龙村. (`农坝镇双龙村` names its township.)
        // `三坪村（泥溪镇）` names 泥溪镇 in brackets: it stays there, warned.
        if let Some(named) = &named
            && !self
                .full
                .resolve(&region)
                .is_ok_and(|resolved| resolved.village == village)
        {
            return (
                region,
                Some(reporting.other_township_warning(&typed, named)),
            );
        }
        let completed = format!("{township}{village}");
        if self.slot(&completed).is_none() {
            // `三坪村、农坝镇双龙村`: the error names both townships.
            let two_townships = self
                .full
                .resolve(&completed)
                .is_err_and(|error| error.message.contains("两个不同的乡镇"));
            return (if two_townships { completed } else { region }, None);
        }
        let warning = match named {
            Some(named) => format!(
                "地区“{typed}”未写乡镇，按{source}记为“{completed}”（{named}也可能有同名的村，请核实）"
            ),
            None => format!("地区“{typed}”未写乡镇，按{source}记为“{completed}”"),
        };
        (completed, Some(warning))
    }

    fn single_for(&mut self, text: &str) -> Option<usize> {
        let resolved = self.full.resolve(text).ok()?;
        let index = match self.by_code.get(&resolved.township_code) {
            Some(i) => *i,
            None => {
                let township = self.full.by_code(&resolved.township_code)?.clone();
                self.singles.push(RegionResolver::new(vec![township]));
                let i = self.singles.len() - 1;
                self.by_code.insert(resolved.township_code.clone(), i);
                i
            }
        };
        let same = self.singles.get(index).and_then(|s| s.resolve(text).ok()) == Some(resolved);
        same.then_some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_is_that_of_the_full_registry_the_first_time_and_again() {
        let full = RegionResolver::from_csv(include_str!("../../../assets/townships.csv")).unwrap();
        let mut cache = RegionCache::new(&full);
        let texts = [
            "云阳县泥溪镇三坪村",
            "泥溪镇三坪村",
            " 泥溪镇  三坪村 ",
            "泥溪镇",
            "云阳县泥溪",
            "人和街道滨江社区",
            "火星镇一村",
            "",
        ];
        for round in 0..2 {
            for text in texts {
                assert_eq!(
                    cache.outcome(text),
                    region_outcome(text, &full),
                    "{text:?}, round {round}"
                );
            }
        }
        assert!(
            cache
                .outcome("泥溪镇")
                .unwrap()
                .1
                .iter()
                .any(|w| w.contains("乡镇"))
        );
        assert!(cache.outcome("火星镇一村").is_err());
        assert_eq!(cache.outcome("").unwrap_err(), "地区不能为空");
    }
}
