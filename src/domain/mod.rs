//! Pure types and parsing of what clerks write on the forms: money, quantities, prices, dates,
//! regions, cooperatives, channels, quarters. No I/O, no SQL, no egui.
//!
//! Every parser takes the text as typed (or as read from a cell) and returns either a parsed value
//! with zero or more Chinese warnings, or a [`ParseError`] with a Chinese message. The import rules
//! these follow are rules 4–11 and 17 of `shared/samples/README.md`.

pub mod channel;
pub mod cooperative;
pub mod date;
pub mod listing;
pub mod money;
pub mod price;
pub mod price_check;
pub mod quantity;
pub mod region;
pub mod region_text;
pub mod sale;
pub mod text;

pub use channel::{Channel, PurchaserType, SubChannel};
pub use cooperative::{InvolvedCount, is_cooperative, parse_involved};
pub use date::{DatePrecision, ParsedDate, Quarter, ReportDate};
pub use money::{AmountUnit, Money};
pub use price::Price;
pub use quantity::Quantity;
pub use region::{RegionResolver, ResolvedRegion, Township};

/// A value a clerk typed could not be understood. `message` is Chinese and names the problem and,
/// where useful, what was expected (e.g. `无法识别的金额“九十多元”：应为数字加“元”，如 90元`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// Chinese, user-facing.
    pub message: String,
}

impl ParseError {
    /// Builds an error from a Chinese message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// A parsed value plus the Chinese warnings raised while parsing it (the value is still usable).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    pub value: T,
    /// Chinese, user-facing, e.g. `销售数量缺少单位`.
    pub warnings: Vec<String>,
}

impl<T> Parsed<T> {
    /// A value without warnings.
    pub fn clean(value: T) -> Self {
        Self {
            value,
            warnings: Vec::new(),
        }
    }
}
