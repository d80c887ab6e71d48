//! Start-up: no subcommand opens the window; subcommands run headless (import, export, report,
//! demo). Errors go to stderr in Chinese with a non-zero exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use xiaofei_fupin::cli;

/// 云阳县消费扶贫台账
#[derive(Parser)]
#[command(
    name = "xiaofei-fupin",
    version,
    about = "云阳县消费扶贫台账：待销目录(附件1)、销售情况(附件2)、采购情况(附件3)与进度"
)]
struct Arguments {
    /// 数据库文件（默认在本机的数据目录）
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<cli::Command>,
}

fn main() -> ExitCode {
    // Diagnostics on stderr: this program's warnings by default (not the window libraries'
    // chatter); `RUST_LOG=xiaofei_fupin=debug` adds the import's phase timings.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("xiaofei_fupin=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let arguments = match Arguments::try_parse() {
        Ok(arguments) => arguments,
        Err(error) => {
            // --help and --version are not errors: clap prints them.
            if !error.use_stderr() {
                let _ = error.print();
                return ExitCode::SUCCESS;
            }
            eprintln!(
                "用法错误：{}。运行 {} --help 查看用法",
                usage_error_text(&error),
                program_name()
            );
            return ExitCode::from(2);
        }
    };
    if matches!(arguments.command, Some(cli::Command::Demo { .. })) && arguments.db.is_none() {
        eprintln!(
            "错误：演示数据只能写入用 --db 指定的数据库（不会写入本机的正式台账），例如：xiaofei-fupin --db 演示.db demo"
        );
        return ExitCode::from(2);
    }
    let db_path = arguments
        .db
        .unwrap_or_else(xiaofei_fupin::store::Store::default_path);
    match arguments.command {
        None => match xiaofei_fupin::ui::run(db_path) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        },
        Some(command) => cli::run(&db_path, command),
    }
}

/// The name this program was started by (`xiaofei-fupin`, or a renamed copy), for messages.
fn program_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|path| {
            PathBuf::from(path)
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "xiaofei-fupin".to_string())
}

/// A command-line mistake in Chinese: its kind, the argument and value concerned, the reason a
/// value was refused (our parsers' Chinese text) and clap's suggestion, if any.
fn usage_error_text(error: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(text)) => Some(text.clone()),
        Some(ContextValue::Strings(texts)) => Some(texts.join("、")),
        _ => None,
    };
    let mut text = usage_error_chinese(error.kind()).to_string();
    if let Some(argument) = context(ContextKind::InvalidArg) {
        text.push_str(&format!("：“{argument}”"));
        match context(ContextKind::InvalidValue) {
            Some(value) if value.is_empty() => text.push_str("缺少值"),
            Some(value) => text.push_str(&format!("的值“{value}”")),
            None => {}
        }
    } else if let Some(subcommand) = context(ContextKind::InvalidSubcommand) {
        text.push_str(&format!("：“{subcommand}”"));
    }
    if let Some(reason) = std::error::Error::source(error) {
        text.push_str(&format!("，{reason}"));
    }
    if let Some(valid) = context(ContextKind::ValidValue).filter(|v| !v.is_empty()) {
        text.push_str(&format!("（可用：{valid}）"));
    }
    if let Some(suggested) =
        context(ContextKind::SuggestedSubcommand).or_else(|| context(ContextKind::SuggestedArg))
    {
        text.push_str(&format!("（是否想用“{suggested}”？）"));
    }
    text
}

/// The kind of a command-line mistake, in Chinese.
fn usage_error_chinese(kind: clap::error::ErrorKind) -> &'static str {
    use clap::error::ErrorKind;
    match kind {
        ErrorKind::InvalidSubcommand => "没有这个命令",
        ErrorKind::UnknownArgument => "无法识别的参数",
        ErrorKind::MissingRequiredArgument => "缺少必需的参数",
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => "参数的值不正确",
        ErrorKind::ArgumentConflict => "参数互相冲突",
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => "参数的个数不对",
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "缺少命令"
        }
        _ => "命令行有误",
    }
}
