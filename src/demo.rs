//! Reproducible demo data (`demo --year Y --rows N`): realistic sales (附件2) and procurements
//! (附件3) across all townships, channels and quarters, for trying the program and benchmarks.
//! The same seed gives the same records.

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use crate::domain::sale::{FormKind, SaleRecord};
use crate::domain::{DatePrecision, InvolvedCount, Money, Quantity, ReportDate};
use crate::store::{Store, StoreResult};

/// Purchasers whose names give every purchaser type (and so every channel) a share.
const PURCHASERS: &[&str] = &[
    "云阳县商务委",
    "云阳县机关事务服务中心",
    "云阳县农业农村委",
    "云阳县青松中学",
    "云阳县桂园小学",
    "云阳县人民医院",
    "泥溪镇卫生院",
    "云阳县农商银行",
    "云阳县国有资产经营公司",
    "云阳县总工会",
    "威海市机关事务服务中心",
    "渝北区机关食堂",
    "中国进出口银行重庆分行",
    "云阳县兴农商贸有限公司",
    "云阳县惠民超市",
    "重庆农博会云阳展销会",
    "梯城网市微商城",
    "龙缸景区",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "向", "谭", "冉", "彭",
    "熊", "龚", "唐", "何",
];
const GIVEN: &[&str] = &[
    "光富", "秀英", "德明", "桂兰", "长青", "玉珍", "开华", "家明", "启兵", "大兴", "成芳", "国平",
    "春梅", "大勇", "泽兰", "远超", "堃", "喆", "明清", "龑",
];
const VILLAGES: &[&str] = &[
    "三坪村",
    "黎明村",
    "红岩村",
    "枣园村",
    "石龙村",
    "桂花村",
    "石缸村",
    "双河社区",
    "青杠村",
    "柏杨村",
];

/// (product, unit, yuan per unit low, high, quantity low, high)
const PRODUCTS: &[(&str, &str, i64, i64, i64, i64)] = &[
    ("土豆", "斤", 2, 4, 20, 500),
    ("红薯", "斤", 2, 3, 20, 400),
    ("腊肉", "斤", 35, 50, 5, 60),
    ("土鸡蛋", "个", 1, 2, 50, 600),
    ("蜂蜜", "斤", 50, 80, 2, 40),
    ("土鸡", "只", 70, 120, 1, 20),
    ("柑橘", "公斤", 3, 7, 20, 500),
    ("核桃", "斤", 12, 20, 5, 100),
    ("花椒", "斤", 35, 60, 1, 20),
    ("大米", "斤", 3, 5, 50, 500),
    ("仔猪", "头", 500, 900, 1, 5),
    ("魔芋", "斤", 2, 4, 50, 300),
];

/// Inserts `rows` demo records dated in `year`, of which `procurement_percent`% (0–100) are 附件3
/// procurements and the rest 附件2 sales, in one transaction per 100,000 rows, with `seed` for
/// reproducibility. `progress(done, total)` is called after each 100,000 rows. Returns the total
/// amount inserted (yuan).
pub fn fill(
    store: &mut Store,
    year: i32,
    rows: usize,
    seed: u64,
    procurement_percent: u8,
    progress: &dyn Fn(usize, usize),
) -> StoreResult<Money> {
    let townships = store.townships()?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let days_in_year = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    };
    let mut records = Vec::with_capacity(rows.min(100_000));
    let mut total = Money::ZERO;
    let mut done = 0;
    while done < rows {
        records.clear();
        let batch = (rows - done).min(100_000);
        for _ in 0..batch {
            let township = &townships[rng.random_range(0..townships.len())];
            let village = VILLAGES[rng.random_range(0..VILLAGES.len())];
            let (product, unit, low, high, quantity_low, quantity_high) =
                PRODUCTS[rng.random_range(0..PRODUCTS.len())];
            let quantity = rng.random_range(quantity_low..=quantity_high);
            // Price in jiao (0.1元) so amounts have decimals.
            let price_jiao = rng.random_range(low * 10..=high * 10);
            let amount = Money::from_fen(quantity * price_jiao * 10);
            total += amount;
            let date = start + chrono::Duration::days(rng.random_range(0..days_in_year));
            let is_cooperative = rng.random_range(0..20) == 0;
            let household = if is_cooperative {
                format!("{}{}{}专业合作社", township.name, village, product)
            } else {
                format!(
                    "{}{}",
                    SURNAMES[rng.random_range(0..SURNAMES.len())],
                    GIVEN[rng.random_range(0..GIVEN.len())]
                )
            };
            let households = rng.random_range(3..20);
            let date_text = format!(
                "{}.{}.{}",
                chrono::Datelike::year(&date),
                chrono::Datelike::month(&date),
                chrono::Datelike::day(&date)
            );
            records.push(SaleRecord {
                kind: if rng.random_range(0..100u8) < procurement_percent {
                    FormKind::Procurement
                } else {
                    FormKind::Sale
                },
                purchaser: PURCHASERS[rng.random_range(0..PURCHASERS.len())].to_string(),
                date: ReportDate {
                    date,
                    precision: DatePrecision::Day,
                },
                date_text,
                region_text: format!("云阳县{}{}", township.name, village),
                township_code: township.code.clone(),
                village: village.to_string(),
                household,
                product: product.to_string(),
                quantity: Quantity {
                    value: Decimal::from(quantity),
                    unit: Some(unit.to_string()),
                },
                quantity_text: format!("{quantity}{unit}"),
                amount,
                amount_text: format!("{amount}元"),
                remark: if is_cooperative {
                    format!("涉及贫困户{households}户")
                } else {
                    String::new()
                },
                involved: is_cooperative.then_some(InvolvedCount::Households(households)),
                channel_override: None,
                warnings: Vec::new(),
            });
        }
        store.insert_sales_batch(&records, None)?;
        done += batch;
        progress(done, rows);
    }
    Ok(total)
}
