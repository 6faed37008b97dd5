//! Issue 9, item 8: shell completions complete subcommands and flag values in bash, zsh and fish,
//! past the first word. Each shell runs the script `hq-vault completions SHELL` prints: bash's
//! completion function is driven through `COMP_WORDS`/`COMP_CWORD` as bash's `complete` calls it,
//! fish answers `complete -C`, and zsh completes on a real terminal.

mod common;
mod pty;

use std::path::Path;
use std::process::Command;

use common::*;

fn script(shell: &str, dir: &Path) -> std::path::PathBuf {
    let out = Command::new(BIN).args(["completions", shell]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let name = if shell == "zsh" { "_hq-vault".to_owned() } else { format!("hq-vault.{shell}") };
    let path = dir.join(name);
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// Candidates bash offers for the command line `words` (the last word is the one completed).
fn bash(file: &Path, words: &[&str]) -> Vec<String> {
    // The function `complete -p` registered for hq-vault, called with the arguments bash gives it.
    let driver = r#"
source "$1"; shift
spec=$(complete -p hq-vault) || exit 3
func=$(printf '%s\n' "$spec" | sed -n 's/.*-F \([^ ]*\).*/\1/p')
COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
"$func" hq-vault "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let out = Command::new("bash").arg("-c").arg(driver).arg("driver").arg(file).args(words).output().unwrap();
    assert!(out.status.success(), "bash: {}", text(&out));
    sorted(String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()).map(str::to_owned).collect())
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn strings(v: &[&str]) -> Vec<String> {
    sorted(v.iter().map(|s| s.to_string()).collect())
}

#[test]
fn bash_completes_subcommands_and_flag_values_past_the_first_word() {
    let dir = tempfile::tempdir().unwrap();
    let f = script("bash", dir.path());
    assert_eq!(bash(&f, &["hq-vault", "conn"]), strings(&["connection"]));
    let sub = bash(&f, &["hq-vault", "connection", ""]);
    for s in ["create", "list", "rotate", "revoke", "audit"] {
        assert!(sub.contains(&s.to_owned()), "`hq-vault connection <Tab>` offers {sub:?}");
    }
    assert_eq!(bash(&f, &["hq-vault", "env-file", "myapp/", "--format", ""]), strings(&["dotenv", "export", "json"]));
    assert_eq!(bash(&f, &["hq-vault", "env-file", "--format", "j"]), strings(&["json"]));
    assert_eq!(bash(&f, &["hq-vault", "token", "create", "--max"]), strings(&["--max-uses"]));
    assert_eq!(bash(&f, &["hq-vault", "audit", "ver"]), strings(&["verify"]));
    assert_eq!(bash(&f, &["hq-vault", "completions", "z"]), strings(&["zsh"]));
}

/// Candidates fish offers for `line` (`complete -C` prints `candidate<TAB>description`).
fn fish(file: &Path, line: &str) -> Vec<String> {
    let out = Command::new("fish")
        .args(["--no-config", "-c", "source $argv[1]; complete -C $argv[2]"])
        .arg(file)
        .arg(line)
        .output()
        .expect("fish (scripts/setup installs it)");
    assert!(out.status.success(), "fish: {}", text(&out));
    sorted(String::from_utf8_lossy(&out.stdout).lines().map(|l| l.split('\t').next().unwrap().to_owned()).collect())
}

#[test]
fn fish_completes_subcommands_and_flag_values() {
    let dir = tempfile::tempdir().unwrap();
    let f = script("fish", dir.path());
    let sub = fish(&f, "hq-vault connection ");
    for s in ["create", "list", "rotate", "revoke", "audit"] {
        assert!(sub.contains(&s.to_owned()), "{sub:?}");
    }
    assert_eq!(fish(&f, "hq-vault env-file myapp/ --format "), strings(&["dotenv", "export", "json"]));
    assert_eq!(fish(&f, "hq-vault token create --max"), strings(&["--max-uses"]));
}

/// What zsh's completion system offers for `line`, typed into an interactive zsh on a terminal:
/// `compadd` is wrapped so that every candidate offered is also written to a file.
fn zsh(dir: &Path, line: &str) -> Vec<String> {
    let offered = dir.join("offered");
    let _ = std::fs::remove_file(&offered);
    let setup = format!(
        "PS1='ready> '; fpath=({dir} $fpath); autoload -U compinit; compinit -u -d {dir}/zcompdump; \
         compadd() {{ local -a m; builtin compadd -O m \"$@\"; print -rl -- $m >> {out}; builtin compadd \"$@\"; }}; \
         print -r -- set''up-done",
        dir = dir.display(),
        out = offered.display()
    );
    let mut c = Command::new("zsh");
    c.args(["-f", "-i"]).env("TERM", "dumb").env("HOME", dir);
    let mut t = pty::Pty::spawn(&c);
    t.line(&setup);
    t.expect("setup-done");
    t.type_text(&format!("{line}\t"));
    // Done when something was offered and nothing more for a second (one Tab may call compadd
    // several times).
    let start = std::time::Instant::now();
    let (mut last, mut since) = (String::new(), std::time::Instant::now());
    loop {
        let now = std::fs::read_to_string(&offered).unwrap_or_default();
        if now != last {
            (last, since) = (now, std::time::Instant::now());
        } else if !last.is_empty() && since.elapsed() > std::time::Duration::from_secs(1) {
            break;
        }
        assert!(
            start.elapsed() < pty::PATIENCE,
            "zsh offered nothing for {line:?}; the terminal shows:\n{}",
            t.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut v: Vec<String> = std::fs::read_to_string(&offered).unwrap().lines().map(str::to_owned).collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn zsh_completes_subcommands_and_flag_values() {
    let dir = tempfile::tempdir().unwrap();
    script("zsh", dir.path());
    let sub = zsh(dir.path(), "hq-vault connection ");
    for s in ["create", "list", "rotate", "revoke", "audit"] {
        assert!(sub.contains(&s.to_owned()), "{sub:?}");
    }
    assert_eq!(zsh(dir.path(), "hq-vault env-file myapp/ --format "), strings(&["dotenv", "export", "json"]));
}
