//! The vault's key, held by one component instance that one thread owns.
//!
//! Requests reach the key only through [`KeyHolder::run`] (or [`KeyHolder::run_blocking`] from a
//! blocking thread): a job queued to the key thread, which runs it against the instance that holds
//! the key. Locking drops that instance whole, not just the key resource: its linear memory (where
//! the key and every value it opened were) is unmapped, so no copy of the data key stays in the
//! process. A trap in the instance is handled like a lock: the instance is dropped at once, the
//! vault is locked, and the next unlock builds a fresh instance. Every lock bumps an epoch; an
//! unlock that began in an older epoch is refused when it tries to install its key, so an
//! acknowledged lock wins over an unlock still deriving.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::sync::oneshot;

use crate::host::{Instance, MasterKey};

/// The unlocked key and the one instance that holds it.
struct Unlocked {
    inst: Instance,
    key: MasterKey,
}

/// What the key thread owns.
struct Slot {
    unlocked: Option<Unlocked>,
    shared: Arc<Shared>,
}

impl Slot {
    /// Drop the key and the instance that held it; bump the epoch.
    fn lock(&mut self) -> bool {
        self.shared.epoch.fetch_add(1, Ordering::SeqCst);
        self.shared.unlocked.store(false, Ordering::SeqCst);
        match self.unlocked.take() {
            Some(mut u) => {
                let _ = u.inst.drop_key(u.key);
                drop(u.inst);
                true
            }
            None => false,
        }
    }
}

/// State readable without a trip to the key thread.
#[derive(Default)]
struct Shared {
    unlocked: AtomicBool,
    epoch: AtomicU64,
    traps: AtomicU64,
}

type Job = Box<dyn FnOnce(&mut Slot) + Send>;

/// Why a job could not use the key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The vault is locked.
    #[error("the vault is locked: run `hq-vault unlock`")]
    Locked,
    /// The key-holding instance trapped: it was dropped and the vault locked.
    #[error("the key-holding component instance failed ({0}); it was dropped and the vault locked")]
    Trapped(String),
    /// The key thread has stopped (the daemon is shutting down).
    #[error("the key thread has stopped")]
    Stopped,
}

/// The handle requests hold: cheap to clone, safe to share.
#[derive(Clone)]
pub struct KeyHolder {
    jobs: std::sync::mpsc::Sender<Job>,
    shared: Arc<Shared>,
}

impl KeyHolder {
    /// Locked.
    pub fn locked() -> KeyHolder {
        Self::start(None)
    }

    /// Unlocked with `key`, held by `inst` (the first start, which has just created the vault).
    pub fn unlocked(inst: Instance, key: MasterKey) -> KeyHolder {
        Self::start(Some(Unlocked { inst, key }))
    }

    fn start(unlocked: Option<Unlocked>) -> KeyHolder {
        let shared = Arc::new(Shared::default());
        shared.unlocked.store(unlocked.is_some(), Ordering::SeqCst);
        let (jobs, rx) = std::sync::mpsc::channel::<Job>();
        let mut slot = Slot { unlocked, shared: shared.clone() };
        std::thread::Builder::new()
            .name("hq-vault-key".into())
            .spawn(move || {
                // Runs until every handle is gone; then the instance is dropped with the slot.
                while let Ok(job) = rx.recv() {
                    job(&mut slot);
                }
                slot.lock();
            })
            .expect("spawning the key thread");
        KeyHolder { jobs, shared }
    }

    pub fn is_unlocked(&self) -> bool {
        self.shared.unlocked.load(Ordering::SeqCst)
    }

    /// The current lock epoch (pass it back to [`KeyHolder::install`]).
    pub fn epoch(&self) -> u64 {
        self.shared.epoch.load(Ordering::SeqCst)
    }

    /// How many times the key-holding instance trapped since the start.
    pub fn traps(&self) -> u64 {
        self.shared.traps.load(Ordering::SeqCst)
    }

    fn submit<T: Send + 'static>(&self, job: impl FnOnce(&mut Slot) -> T + Send + 'static) -> oneshot::Receiver<T> {
        let (tx, rx) = oneshot::channel();
        let _ = self.jobs.send(Box::new(move |slot: &mut Slot| {
            let _ = tx.send(job(slot));
        }));
        rx
    }

    fn with<T: Send + 'static>(
        f: impl FnOnce(&mut Instance, &MasterKey) -> wasmtime::Result<T> + Send + 'static,
    ) -> impl FnOnce(&mut Slot) -> Result<T, KeyError> + Send + 'static {
        move |slot: &mut Slot| {
            let Some(u) = slot.unlocked.as_mut() else { return Err(KeyError::Locked) };
            match f(&mut u.inst, &u.key) {
                Ok(v) => Ok(v),
                Err(e) => {
                    // The instance's state is unknown after a trap: drop it with the key.
                    slot.lock();
                    slot.shared.traps.fetch_add(1, Ordering::SeqCst);
                    Err(KeyError::Trapped(format!("{e:#}")))
                }
            }
        }
    }

    /// Run `f` with the key on the key thread.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Instance, &MasterKey) -> wasmtime::Result<T> + Send + 'static,
    ) -> Result<T, KeyError> {
        self.submit(Self::with(f)).await.unwrap_or(Err(KeyError::Stopped))
    }

    /// Like [`KeyHolder::run`], from a thread that may block (never from async code).
    pub fn run_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Instance, &MasterKey) -> wasmtime::Result<T> + Send + 'static,
    ) -> Result<T, KeyError> {
        self.submit(Self::with(f)).blocking_recv().unwrap_or(Err(KeyError::Stopped))
    }

    /// Lock: drop the key and the instance that held it. Returns whether it was unlocked, once
    /// the instance is gone.
    pub async fn lock(&self) -> bool {
        self.submit(|slot: &mut Slot| slot.lock()).await.unwrap_or(false)
    }

    /// Install a key unlocked by an unlock that began at `epoch`. If a lock came since, the key
    /// and its instance are dropped and `false` is returned: the lock wins.
    pub async fn install(&self, epoch: u64, mut inst: Instance, key: MasterKey) -> bool {
        self.submit(move |slot: &mut Slot| {
            if epoch != slot.shared.epoch.load(Ordering::SeqCst) {
                let _ = inst.drop_key(key);
                return false;
            }
            slot.lock();
            slot.shared.epoch.store(epoch, Ordering::SeqCst);
            slot.unlocked = Some(Unlocked { inst, key });
            slot.shared.unlocked.store(true, Ordering::SeqCst);
            true
        })
        .await
        .unwrap_or(false)
    }
}
