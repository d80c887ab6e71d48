//! Start-up: no subcommand opens the window; subcommands run headless (import, export, report,
//! demo). Errors go to stderr in Chinese with a non-zero exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser};

use xiaofei_fupin::cli;

/// mimalloc instead of the system allocator: reading and checking a filled form allocates many
/// small strings per row, and the 100,000-row import spends a tenth of its time in the system
/// allocator (measured with callgrind; see `benches/import.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 云阳县消费扶贫台账
#[derive(Parser)]
#[command(
    name = "xiaofei-fupin",
    version,
    about = "云阳县消费扶贫台账：待销目录(附件1)、销售情况(附件2)、采购情况(附件3)与进度"
)]
struct Arguments {
    /// 数据库文件（默认在本机的数据目录）
    #[arg(long, global = true, value_name = "路径")]
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
    let arguments = match command_in_chinese()
        .try_get_matches_from(arguments_with_help_word_read())
        .and_then(|matches| Arguments::from_arg_matches(&matches))
    {
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

/// The command line with its help in Chinese: clap's own headings (`Usage`, `Options`, …), the
/// `--help`/`--version` texts and the `[OPTIONS]` placeholder replaced; the `help` subcommand left
/// out (`--help` does the same).
fn command_in_chinese() -> clap::Command {
    let mut command = help_in_chinese(Arguments::command())
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .help_heading("选项"),
        );
    // `[OPTIONS]` is written by clap's usage line: each usage is rendered once (after the build
    // has propagated the global `--db`) and given back translated.
    command.build();
    usage_in_chinese(command)
}

/// The command line, with `help` and `help COMMAND` read as `--help` and `COMMAND --help` (clap's
/// own `help` subcommand is left out: its description is English).
fn arguments_with_help_word_read() -> Vec<std::ffi::OsString> {
    let mut arguments: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The first word that is not `--db PATH` (the one option given before a command).
    let mut index = 1;
    while arguments.get(index).is_some_and(|word| word == "--db") {
        index += 2;
    }
    if arguments.get(index).is_some_and(|word| word == "help") {
        arguments.remove(index);
        arguments.push("--help".into());
    }
    arguments
}

/// One command's help texts in Chinese, its subcommands' too (see [`command_in_chinese`]).
fn help_in_chinese(command: clap::Command) -> clap::Command {
    command
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .mut_args(|arg| {
            let heading = if arg.is_positional() {
                "参数"
            } else {
                "选项"
            };
            // clap writes `[default: 2019]`: the default goes into the help text instead.
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|value| value.to_string_lossy().into_owned())
                .collect();
            let arg = if defaults.is_empty() {
                arg
            } else {
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                arg.hide_default_value(true)
                    .help(format!("{help}（默认 {}）", defaults.join("、")))
            };
            arg.help_heading(heading)
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助")
                .help_heading("选项"),
        )
        .mut_subcommands(help_in_chinese)
}

/// `command` and its subcommands with their usage lines rendered and `[OPTIONS]` translated.
fn usage_in_chinese(mut command: clap::Command) -> clap::Command {
    let usage = command.render_usage().to_string();
    let usage = usage
        .trim_start_matches("Usage:")
        .trim()
        .replace("[OPTIONS]", "[选项]");
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    let mut command = command.override_usage(usage);
    for name in names {
        command = command.mut_subcommand(name, usage_in_chinese);
    }
    command
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
