//! `hq-vault`: the local daemon and CLI. One module per subcommand under `cli/`.
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", cli::without_error_numbers(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_numbers_are_dropped_and_nothing_else() {
        assert_eq!(
            super::cli::without_error_numbers("opening /x: No such file or directory (os error 2)"),
            "opening /x: No such file or directory"
        );
        assert_eq!(super::cli::without_error_numbers("a (os error 28) b (os error x)"), "a b (os error x)");
    }
}
