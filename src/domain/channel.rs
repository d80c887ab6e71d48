//! The six sales channels (六销) and their sub-channels, and purchaser types that decide a sale's
//! channel. Seed: 一 (六销), 四(一)–(六) with the yearly targets; DESIGN.md "Channels".

use rust_decimal::Decimal;

/// One of the six channels (销售方式) of 四(一)–(六).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// 五进对接直销, 四(一), 2000万元.
    FiveIntoDirectSales,
    /// 对口帮扶助销, 四(二), 1000万元.
    PairedAssistanceSales,
    /// 爱心企业订销, 四(三), 500万元.
    CaringEnterpriseOrders,
    /// 节会推介展销, 四(四), 500万元.
    FairExhibitionSales,
    /// 电子商务营销, 四(五), 1500万元.
    ECommerceSales,
    /// 旅游服务带销, 四(六), 500万元.
    TourismSales,
}

impl Channel {
    /// All six, in the plan's order.
    pub const ALL: [Channel; 6] = [
        Channel::FiveIntoDirectSales,
        Channel::PairedAssistanceSales,
        Channel::CaringEnterpriseOrders,
        Channel::FairExhibitionSales,
        Channel::ECommerceSales,
        Channel::TourismSales,
    ];

    /// The Chinese name, e.g. `五进对接直销`.
    pub fn name(self) -> &'static str {
        match self {
            Channel::FiveIntoDirectSales => "五进对接直销",
            Channel::PairedAssistanceSales => "对口帮扶助销",
            Channel::CaringEnterpriseOrders => "爱心企业订销",
            Channel::FairExhibitionSales => "节会推介展销",
            Channel::ECommerceSales => "电子商务营销",
            Channel::TourismSales => "旅游服务带销",
        }
    }

    /// The channel with this Chinese name.
    pub fn from_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The 2019 plan's yearly target in 万元 (四(一)–(六)).
    pub fn default_target_wan_yuan(self) -> Decimal {
        Decimal::from(match self {
            Channel::FiveIntoDirectSales => 2000,
            Channel::PairedAssistanceSales => 1000,
            Channel::CaringEnterpriseOrders => 500,
            Channel::FairExhibitionSales => 500,
            Channel::ECommerceSales => 1500,
            Channel::TourismSales => 500,
        })
    }

    /// The sub-channels of this channel (only 五进 and 对口帮扶 have any).
    pub fn sub_channels(self) -> &'static [SubChannel] {
        match self {
            Channel::FiveIntoDirectSales => &[
                SubChannel::IntoAgencies,
                SubChannel::IntoSchools,
                SubChannel::IntoHospitals,
                SubChannel::IntoEnterprises,
                SubChannel::IntoFamilies,
            ],
            Channel::PairedAssistanceSales => &[
                SubChannel::ToShandong,
                SubChannel::ToMainCity,
                SubChannel::ToCentralEnterprises,
            ],
            _ => &[],
        }
    }
}

/// A sub-channel (子渠道) of 五进对接直销 (四(一)1–5) or 对口帮扶助销 (四(二)1–3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubChannel {
    /// 进机关.
    IntoAgencies,
    /// 进学校.
    IntoSchools,
    /// 进医院.
    IntoHospitals,
    /// 进企业.
    IntoEnterprises,
    /// 进家庭 (unions, 500元 per member, 四(一)5).
    IntoFamilies,
    /// 销山东.
    ToShandong,
    /// 销主城.
    ToMainCity,
    /// 销央企.
    ToCentralEnterprises,
}

impl SubChannel {
    /// All eight, in the plan's order.
    pub const ALL: [SubChannel; 8] = [
        SubChannel::IntoAgencies,
        SubChannel::IntoSchools,
        SubChannel::IntoHospitals,
        SubChannel::IntoEnterprises,
        SubChannel::IntoFamilies,
        SubChannel::ToShandong,
        SubChannel::ToMainCity,
        SubChannel::ToCentralEnterprises,
    ];

    /// The Chinese name, e.g. `进机关`.
    pub fn name(self) -> &'static str {
        match self {
            SubChannel::IntoAgencies => "进机关",
            SubChannel::IntoSchools => "进学校",
            SubChannel::IntoHospitals => "进医院",
            SubChannel::IntoEnterprises => "进企业",
            SubChannel::IntoFamilies => "进家庭",
            SubChannel::ToShandong => "销山东",
            SubChannel::ToMainCity => "销主城",
            SubChannel::ToCentralEnterprises => "销央企",
        }
    }

    /// The sub-channel with this Chinese name.
    pub fn from_name(name: &str) -> Option<SubChannel> {
        SubChannel::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The channel this sub-channel belongs to.
    pub fn channel(self) -> Channel {
        match self {
            SubChannel::IntoAgencies
            | SubChannel::IntoSchools
            | SubChannel::IntoHospitals
            | SubChannel::IntoEnterprises
            | SubChannel::IntoFamilies => Channel::FiveIntoDirectSales,
            SubChannel::ToShandong | SubChannel::ToMainCity | SubChannel::ToCentralEnterprises => {
                Channel::PairedAssistanceSales
            }
        }
    }
}

/// The type of a purchaser (采购单位), which decides the channel of its purchases (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PurchaserType {
    /// 机关/事业单位 → 进机关.
    AgencyOrInstitution,
    /// 学校 → 进学校.
    School,
    /// 医院/卫生院 → 进医院.
    Hospital,
    /// 国有企业/金融机构 → 进企业.
    StateEnterpriseOrBank,
    /// 工会 → 进家庭.
    Union,
    /// 威海/山东单位 → 销山东.
    ShandongUnit,
    /// 渝北/主城单位 → 销主城.
    MainCityUnit,
    /// 央企 → 销央企.
    CentralEnterprise,
    /// 民营企业 → 爱心企业订销.
    PrivateEnterprise,
    /// 展销会 → 节会推介展销.
    Fair,
    /// 网店/电商平台 → 电子商务营销.
    OnlineShop,
    /// 景区/旅游 → 旅游服务带销.
    Tourism,
}

impl PurchaserType {
    /// All types, in the order the 基础信息 tab lists them.
    pub const ALL: [PurchaserType; 12] = [
        PurchaserType::AgencyOrInstitution,
        PurchaserType::School,
        PurchaserType::Hospital,
        PurchaserType::StateEnterpriseOrBank,
        PurchaserType::Union,
        PurchaserType::ShandongUnit,
        PurchaserType::MainCityUnit,
        PurchaserType::CentralEnterprise,
        PurchaserType::PrivateEnterprise,
        PurchaserType::Fair,
        PurchaserType::OnlineShop,
        PurchaserType::Tourism,
    ];

    /// The Chinese name shown and stored, e.g. `机关/事业单位`.
    pub fn name(self) -> &'static str {
        match self {
            PurchaserType::AgencyOrInstitution => "机关/事业单位",
            PurchaserType::School => "学校",
            PurchaserType::Hospital => "医院/卫生院",
            PurchaserType::StateEnterpriseOrBank => "国有企业/金融机构",
            PurchaserType::Union => "工会",
            PurchaserType::ShandongUnit => "威海/山东单位",
            PurchaserType::MainCityUnit => "渝北/主城单位",
            PurchaserType::CentralEnterprise => "央企",
            PurchaserType::PrivateEnterprise => "民营企业",
            PurchaserType::Fair => "展销会",
            PurchaserType::OnlineShop => "网店/电商平台",
            PurchaserType::Tourism => "景区/旅游",
        }
    }

    /// The type with this Chinese name.
    pub fn from_name(name: &str) -> Option<PurchaserType> {
        PurchaserType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The channel and sub-channel of purchases by a purchaser of this type.
    pub fn channel(self) -> (Channel, Option<SubChannel>) {
        let sub = |s: SubChannel| (s.channel(), Some(s));
        match self {
            PurchaserType::AgencyOrInstitution => sub(SubChannel::IntoAgencies),
            PurchaserType::School => sub(SubChannel::IntoSchools),
            PurchaserType::Hospital => sub(SubChannel::IntoHospitals),
            PurchaserType::StateEnterpriseOrBank => sub(SubChannel::IntoEnterprises),
            PurchaserType::Union => sub(SubChannel::IntoFamilies),
            PurchaserType::ShandongUnit => sub(SubChannel::ToShandong),
            PurchaserType::MainCityUnit => sub(SubChannel::ToMainCity),
            PurchaserType::CentralEnterprise => sub(SubChannel::ToCentralEnterprises),
            PurchaserType::PrivateEnterprise => (Channel::CaringEnterpriseOrders, None),
            PurchaserType::Fair => (Channel::FairExhibitionSales, None),
            PurchaserType::OnlineShop => (Channel::ECommerceSales, None),
            PurchaserType::Tourism => (Channel::TourismSales, None),
        }
    }

    /// A type suggested from a purchaser's name, for the operator to confirm: `…中学`/`…小学`/`…学校`
    /// → 学校, `…医院`/`…卫生院` → 医院, `…工会` → 工会, `威海…`/`山东…` → 山东, `渝北…`/`重庆市…` → 主城,
    /// `…商务委`/`…政府`/`…局`/`…委`/`…办`/`…中心` → 机关, `…银行`/`…信用社`/国有 → 企业, `中国…集团`/
    /// `央企` → 央企, `…有限公司`/`…超市`/`…农家乐` → 民营企业, `…展销会`/`…节`/`…博览会` → 展销会,
    /// `…网店`/`…电商`/`…商城`/`淘宝`/`微店` → 网店, `…景区`/`…旅游` → 旅游. `None` when nothing fits.
    pub fn suggest_from_name(name: &str) -> Option<PurchaserType> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
        let ends = |words: &[&str]| words.iter().any(|w| name.ends_with(w));
        // Order matters: the most specific words first.
        if has(&["工会"]) {
            return Some(PurchaserType::Union);
        }
        if has(&["威海", "山东"]) {
            return Some(PurchaserType::ShandongUnit);
        }
        if has(&["渝北", "主城"]) {
            return Some(PurchaserType::MainCityUnit);
        }
        if has(&[
            "中学",
            "小学",
            "学校",
            "幼儿园",
            "学院",
            "大学",
            "职教中心",
            "教委",
        ]) {
            return Some(PurchaserType::School);
        }
        if has(&["医院", "卫生院", "卫生健康委", "卫生服务中心", "卫健委"]) {
            return Some(PurchaserType::Hospital);
        }
        if has(&["景区", "旅游", "旅发"]) {
            return Some(PurchaserType::Tourism);
        }
        if has(&["展销", "博览会", "农博会", "推介会", "电商节", "赶年节"]) {
            return Some(PurchaserType::Fair);
        }
        if has(&[
            "网店",
            "电商",
            "商城",
            "淘宝",
            "天猫",
            "微店",
            "京东",
            "邮乐购",
            "网络平台",
        ]) {
            return Some(PurchaserType::OnlineShop);
        }
        if has(&[
            "央企",
            "中国移动",
            "中国电信",
            "中国联通",
            "国家电网",
            "中石油",
            "中石化",
            "进出口银行",
        ]) {
            return Some(PurchaserType::CentralEnterprise);
        }
        if has(&["银行", "信用社", "保险", "国有", "国资", "农商行"]) {
            return Some(PurchaserType::StateEnterpriseOrBank);
        }
        if has(&[
            "有限公司",
            "有限责任公司",
            "超市",
            "农家乐",
            "餐饮",
            "酒店",
            "商贸",
            "合作社",
        ]) {
            return Some(PurchaserType::PrivateEnterprise);
        }
        if has(&[
            "人民政府",
            "政府",
            "街道办事处",
            "委员会",
            "人大",
            "政协",
            "县委",
            "法院",
            "检察院",
            "公安",
        ]) || ends(&["委", "局", "办", "中心", "所", "站", "队", "部"])
        {
            return Some(PurchaserType::AgencyOrInstitution);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchaser_type_suggestions_follow_the_name() {
        let cases = [
            ("云阳县商务委", Some(PurchaserType::AgencyOrInstitution)),
            ("云阳县青松中学", Some(PurchaserType::School)),
            ("云阳县南岸医院", Some(PurchaserType::Hospital)),
            ("泥溪镇卫生院", Some(PurchaserType::Hospital)),
            ("云阳县总工会", Some(PurchaserType::Union)),
            ("威海市第一中学", Some(PurchaserType::ShandongUnit)),
            ("渝北区机关事务局", Some(PurchaserType::MainCityUnit)),
            (
                "云阳县兴农商贸有限公司",
                Some(PurchaserType::PrivateEnterprise),
            ),
            ("云阳县农商银行", Some(PurchaserType::StateEnterpriseOrBank)),
            ("龙缸景区", Some(PurchaserType::Tourism)),
            ("梯城网市微商城", Some(PurchaserType::OnlineShop)),
            ("张三", None),
        ];
        for (name, expected) in cases {
            assert_eq!(PurchaserType::suggest_from_name(name), expected, "{name}");
        }
    }

    #[test]
    fn every_sub_channel_belongs_to_its_channel() {
        for channel in Channel::ALL {
            for sub in channel.sub_channels() {
                assert_eq!(sub.channel(), channel);
            }
        }
        let total: Decimal = Channel::ALL
            .iter()
            .map(|c| c.default_target_wan_yuan())
            .sum();
        assert_eq!(total, Decimal::from(6000));
    }

    #[test]
    fn purchaser_types_round_trip_by_name() {
        for t in PurchaserType::ALL {
            assert_eq!(PurchaserType::from_name(t.name()), Some(t));
        }
    }
}
