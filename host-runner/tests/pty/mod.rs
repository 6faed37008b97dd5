//! A pseudo-terminal for tests: the program runs in a session of its own with the terminal as
//! its controlling terminal (util-linux `setsid --ctty`), as in a person's shell, so hidden
//! prompts (`/dev/tty`) and shells' line editors work. The test reads what the terminal shows and
//! types into it.
#![allow(dead_code)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};

/// Generous: the machine is small and shared.
pub const PATIENCE: Duration = Duration::from_secs(120);

pub struct Pty {
    writer: File,
    child: Child,
    screen: Arc<Mutex<Vec<u8>>>,
    /// How much of the screen `expect` has consumed.
    seen: usize,
}

impl Pty {
    /// Start `cmd` (program, arguments, environment) on a new terminal.
    pub fn spawn(cmd: &Command) -> Pty {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
        grantpt(&master).unwrap();
        unlockpt(&master).unwrap();
        let name = ptsname(&master, Vec::new()).unwrap();
        let slave = OpenOptions::new().read(true).write(true).open(name.to_str().unwrap()).unwrap();
        let mut c = Command::new("setsid");
        c.args(["--ctty", "--wait"]).arg(cmd.get_program()).args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c.stdin(slave.try_clone().unwrap()).stdout(slave.try_clone().unwrap()).stderr(slave);
        let child = c.spawn().expect("spawn setsid (util-linux)");
        // Close this process's copies of the terminal's other end, so that reading ends with the child.
        drop(c);
        let writer = File::from(master);
        let mut reader = writer.try_clone().unwrap();
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty { writer, child, screen, seen: 0 }
    }

    /// Everything the terminal has shown so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Wait until `text` shows after what was already expected; panics with the screen if it
    /// does not within [`PATIENCE`].
    pub fn expect(&mut self, text: &str) {
        let start = Instant::now();
        loop {
            {
                let screen = self.screen.lock().unwrap();
                let rest = &screen[self.seen.min(screen.len())..];
                if let Some(at) = rest.windows(text.len()).position(|w| w == text.as_bytes()) {
                    self.seen += at + text.len();
                    return;
                }
            }
            if start.elapsed() > PATIENCE {
                panic!("{text:?} never showed; the terminal shows:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Type `text` (no Enter).
    pub fn type_text(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Type a line and Enter.
    pub fn line(&mut self, text: &str) {
        self.type_text(&format!("{text}\n"));
    }

    /// Type a line into a hidden prompt: first wait until the program has turned the terminal's
    /// echo off (a prompt is printed before echo goes off, so typing on sight of it races the
    /// program, and the terminal itself would echo what a fast typist typed ahead).
    pub fn secret_line(&mut self, text: &str) {
        let start = Instant::now();
        loop {
            let modes = rustix::termios::tcgetattr(&self.writer).unwrap().local_modes;
            if !modes.contains(rustix::termios::LocalModes::ECHO) {
                break;
            }
            if start.elapsed() > PATIENCE {
                panic!("the terminal's echo never went off; it shows:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.line(text);
    }

    /// Wait for the program to end (killed after [`PATIENCE`]).
    pub fn wait(&mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                // Let the reader take the last output.
                std::thread::sleep(Duration::from_millis(100));
                return s;
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!("the program did not end; the terminal shows:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
