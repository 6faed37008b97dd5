//! `hq-vault completions bash|zsh|fish`: clap_complete's scripts, with its bash script repaired for
//! a binary name that holds a hyphen.

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// The binary's name, as the shells see it.
const BIN: &str = "hq-vault";

/// The completion script for `shell`.
///
/// clap_complete's bash script (4.6) spells the state of a subcommand two ways when the binary's
/// name holds a hyphen: the loop that walks the words builds `hq__vault__subcmd__connection`, the
/// `case` arms that answer are labelled `hq__subcmd__vault__subcmd__connection`, so no arm ever
/// matches and bash completes nothing after the first word (clap-rs/clap issues 6421 and 6529). The
/// arms are relabelled the way the loop spells them; once clap_complete is fixed, the label no
/// longer appears and this changes nothing. zsh's and fish's scripts do not have the fault.
pub fn script(shell: Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    match shell {
        Shell::Bash => text.replace("hq__subcmd__vault", "hq__vault"),
        _ => text,
    }
}
