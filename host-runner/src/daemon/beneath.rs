//! The files root, read by descriptor: every object is opened once, beneath the root, following
//! no symlink, and its size, ETag and bytes all come from that one descriptor.
//!
//! The root itself is resolved once, when the daemon starts (it may be given as a symlink path:
//! that is the operator's choice). Everything beneath it is reached from the root's descriptor:
//! on Linux with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`, and
//! where `openat2` is missing (kernels before 5.6, seccomp filters that refuse it, other Unixes) by
//! opening one segment at a time with `O_NOFOLLOW`. Either way a symlink anywhere in a key, to a
//! file or a folder, inside the root or out of it, makes the key absent; so does anything that is
//! not a regular file (a folder, a FIFO, a device). A FIFO is opened with `O_NONBLOCK`, so it can
//! never stall a request. Listings walk folders by descriptor too and skip every symlink and every
//! entry that is not a regular file or a folder.
//!
//! A swap of a file for a symlink between a listing and a read, or during a read, cannot change
//! what is served: the descriptor opened is the one checked and the one read.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags, Stat};

/// Keys longer than this (bytes) are never listed: no request can name them (paths are at most
/// 1024 bytes), and the bound stops a walk down a loop of bind mounts.
const MAX_KEY_LEN: usize = 1024;

/// Flags for opening an object: read only, never a symlink, never blocking on a FIFO, never
/// becoming the controlling terminal, closed on exec.
fn object_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC
}

/// Flags for opening a folder on the way down: a folder and nothing else, never a symlink.
fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// What a listing and a read report about one regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// Size in bytes.
    pub size: u64,
    /// Last modification, nanoseconds since the Unix epoch (0 for earlier times).
    pub mtime_ns: u128,
    /// Inode number and last status change (ns): a file replaced by another with the same size
    /// and a copied modification time (`cp -p`, `rsync -t`, `tar x`) still gets a new ETag,
    /// because neither can be set back by a user.
    pub ino: u64,
    pub ctime_ns: u128,
}

impl Meta {
    fn of(st: &Stat) -> Meta {
        let secs = i128::from(st.st_mtime);
        let nanos = i128::from(st.st_mtime_nsec);
        let ns = (secs * 1_000_000_000 + nanos).max(0);
        let ctime = (i128::from(st.st_ctime) * 1_000_000_000 + i128::from(st.st_ctime_nsec)).max(0);
        Meta {
            size: u64::try_from(st.st_size).unwrap_or(0),
            mtime_ns: ns.unsigned_abs(),
            ino: st.st_ino,
            ctime_ns: ctime.unsigned_abs(),
        }
    }

    /// Last modification in milliseconds since the Unix epoch.
    pub fn mtime_ms(&self) -> u64 {
        u64::try_from(self.mtime_ns / 1_000_000).unwrap_or(u64::MAX)
    }

    /// The strong ETag: inode, status change time (ns), modification time (ns) and size, hex,
    /// quoted. Any replacement or write changes the status change time.
    pub fn etag(&self) -> String {
        format!("\"{:x}-{:x}-{:x}-{:x}\"", self.ino, self.ctime_ns, self.mtime_ns, self.size)
    }
}

/// One object, opened: the descriptor to read and what `fstat` said about that same descriptor.
pub struct Opened {
    pub file: File,
    pub meta: Meta,
}

/// The files root: a descriptor of the folder, opened once.
pub struct FilesRoot {
    dir: OwnedFd,
}

impl FilesRoot {
    /// Resolve and open the root folder (following symlinks in `path` itself, once).
    pub fn open(path: &Path) -> io::Result<FilesRoot> {
        let dir = rustix::fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        Ok(FilesRoot { dir })
    }

    /// Open the regular file at `key` (a company-relative key the core has checked), beneath the
    /// root and following no symlink. `None` when there is no regular file there by that route.
    pub fn open_object(&self, key: &str) -> Option<Opened> {
        if !plain_segments(key) {
            return None;
        }
        regular(self.open_beneath(key)?)
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn open_beneath(&self, key: &str) -> Option<OwnedFd> {
        use rustix::fs::ResolveFlags;
        let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
        // EAGAIN: the kernel saw a concurrent rename it could not rule out; it asks for a retry.
        for _ in 0..3 {
            match rustix::fs::openat2(&self.dir, key, object_flags(), Mode::empty(), resolve) {
                Ok(fd) => return Some(fd),
                Err(rustix::io::Errno::AGAIN) => continue,
                Err(rustix::io::Errno::NOSYS | rustix::io::Errno::PERM) => return self.open_by_segments(key),
                Err(_) => return None,
            }
        }
        None
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn open_beneath(&self, key: &str) -> Option<OwnedFd> {
        self.open_by_segments(key)
    }

    /// The portable route: one segment at a time from the root's descriptor, each with
    /// `O_NOFOLLOW` (folders also `O_DIRECTORY`), so no symlink is ever followed.
    fn open_by_segments(&self, key: &str) -> Option<OwnedFd> {
        if !plain_segments(key) {
            return None;
        }
        let mut segs: Vec<&str> = key.split('/').collect();
        let last = segs.pop()?;
        let mut cur: Option<OwnedFd> = None;
        for seg in segs {
            let next = {
                let at = cur.as_ref().map_or_else(|| self.dir.as_fd(), AsFd::as_fd);
                rustix::fs::openat(at, seg, dir_flags(), Mode::empty()).ok()?
            };
            cur = Some(next);
        }
        let at = cur.as_ref().map_or_else(|| self.dir.as_fd(), AsFd::as_fd);
        rustix::fs::openat(at, last, object_flags(), Mode::empty()).ok()
    }

    /// Every regular file beneath the root, by key, with its metadata. Symlinks, FIFOs, devices,
    /// sockets and names that are not UTF-8 are skipped; folders are entered by descriptor.
    pub fn walk(&self) -> BTreeMap<String, Meta> {
        let mut out = BTreeMap::new();
        walk_dir(self.dir.as_fd(), "", &mut out);
        out
    }
}

/// Whether every `/`-separated segment of `key` is a plain name: not empty, `.` or `..`, no NUL.
/// The core's `check-key` already refuses such keys; this keeps the walk safe on its own, and keeps
/// the two routes alike (`RESOLVE_BENEATH` alone would allow a `..` that stays beneath the root).
fn plain_segments(key: &str) -> bool {
    !key.contains('\0') && key.split('/').all(|s| !matches!(s, "" | "." | ".."))
}

/// The opened descriptor as an object, if `fstat` on it says it is a regular file.
fn regular(fd: OwnedFd) -> Option<Opened> {
    let st = rustix::fs::fstat(&fd).ok()?;
    if !FileType::from_raw_mode(st.st_mode).is_file() {
        return None;
    }
    Some(Opened { meta: Meta::of(&st), file: File::from(fd) })
}

/// Walk one folder, given by descriptor. `Dir::read_from` reads through a fresh descriptor of the
/// same folder, so concurrent walks never share a read position.
fn walk_dir(dir_fd: BorrowedFd<'_>, rel: &str, out: &mut BTreeMap<String, Meta>) {
    let Ok(mut dir) = Dir::read_from(dir_fd) else {
        return;
    };
    while let Some(Ok(entry)) = dir.read() {
        let Ok(name) = entry.file_name().to_str() else {
            continue;
        };
        if name == "." || name == ".." {
            continue;
        }
        let key = format!("{rel}{name}");
        if key.len() > MAX_KEY_LEN {
            continue;
        }
        // What the entry is now, without following it if it is a symlink.
        let Ok(st) = rustix::fs::statat(dir_fd, name, AtFlags::SYMLINK_NOFOLLOW) else {
            continue;
        };
        match FileType::from_raw_mode(st.st_mode) {
            FileType::RegularFile => {
                out.insert(key, Meta::of(&st));
            }
            FileType::Directory => {
                // Swapped for a symlink since the stat? O_NOFOLLOW refuses it.
                if let Ok(fd) = rustix::fs::openat(dir_fd, name, dir_flags(), Mode::empty()) {
                    walk_dir(fd.as_fd(), &format!("{key}/"), out);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::os::unix::fs::symlink;

    use super::*;

    /// A root with a regular file, symlinks to a file and a folder inside it, one out of it, a
    /// folder and a FIFO; and a secret file beside the root.
    fn fixture() -> (tempfile::TempDir, FilesRoot) {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("k/sub")).unwrap();
        std::fs::create_dir_all(root.join("private")).unwrap();
        std::fs::write(root.join("k/a.md"), "granted").unwrap();
        std::fs::write(root.join("k/sub/b.md"), "granted too").unwrap();
        std::fs::write(root.join("private/p.md"), "private").unwrap();
        std::fs::write(t.path().join("token"), "hqvt_secret").unwrap();
        symlink("../private/p.md", root.join("k/link.md")).unwrap();
        symlink("../private", root.join("k/dir")).unwrap();
        symlink(t.path().join("token"), root.join("k/token.md")).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(root.join("k/fifo")).status().unwrap().success());
        let r = FilesRoot::open(&root).unwrap();
        (t, r)
    }

    fn read(o: Option<Opened>) -> Option<String> {
        let mut s = String::new();
        o?.file.read_to_string(&mut s).unwrap();
        Some(s)
    }

    const CASES: [(&str, Option<&str>); 12] = [
        ("k/a.md", Some("granted")),
        ("k/sub/b.md", Some("granted too")),
        ("k/link.md", None),
        ("k/dir/p.md", None),
        ("k/token.md", None),
        ("k/fifo", None),
        ("k/sub", None),
        ("k/../private/p.md", None),
        ("./k/a.md", None),
        ("k//a.md", None),
        ("/etc/passwd", None),
        ("k/missing.md", None),
    ];

    #[test]
    fn both_routes_open_regular_files_beneath_the_root_and_nothing_else() {
        let (_t, r) = fixture();
        for (key, want) in CASES {
            assert_eq!(read(r.open_object(key)).as_deref(), want, "open_object({key})");
            assert_eq!(read(r.open_by_segments(key).and_then(regular)).as_deref(), want, "open_by_segments({key})");
        }
    }

    #[test]
    fn size_and_etag_come_from_the_opened_descriptor() {
        let (t, r) = fixture();
        let o = r.open_object("k/a.md").unwrap();
        assert_eq!(o.meta.size, 7);
        // Replaced after the open: the descriptor still reads the file that was checked.
        std::fs::remove_file(t.path().join("root/k/a.md")).unwrap();
        symlink(t.path().join("token"), t.path().join("root/k/a.md")).unwrap();
        assert_eq!(read(Some(o)).as_deref(), Some("granted"));
        assert!(r.open_object("k/a.md").is_none());
    }

    #[test]
    fn a_walk_lists_regular_files_only() {
        let (_t, r) = fixture();
        let keys: Vec<String> = r.walk().into_keys().collect();
        assert_eq!(keys, ["k/a.md", "k/sub/b.md", "private/p.md"]);
    }
}
