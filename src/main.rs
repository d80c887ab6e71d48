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
    let arguments = match Arguments::try_parse() {
        Ok(arguments) => arguments,
        Err(error) => {
            // --help and --version are not errors.
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
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
