//! `insights`: serve the behavioral-insights API, or run an operator task.

use std::process::ExitCode;

use clap::Parser;
use insights_server::cli::{Cli, Command};
use insights_server::config::ServeConfig;
use insights_server::{error, startup, telemetry};

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = telemetry::init(cli.log_format) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Serve(args) => match ServeConfig::from_args(&args) {
            Ok(config) => startup::serve(config).await,
            Err(e) => Err(e.into()),
        },
        Command::Migrate(args) => startup::migrate(&args).await,
        Command::CheckSchema(args) => startup::check_schema(&args).await,
        Command::Token(args) => startup::token(&args),
        Command::Indexes => {
            println!("{}", insights_store::POSTGRES_INDEXES_SQL);
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ startup::StartupError::Config(_)) => {
            eprintln!("error: {}", error::chain(&e));
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {}", error::chain(&e));
            ExitCode::FAILURE
        }
    }
}
