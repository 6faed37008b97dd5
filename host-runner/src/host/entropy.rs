//! Host side of `hq:vault/entropy`: bytes from the operating system's CSPRNG.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::HostState;
use super::bindings::hq::vault::entropy::Host;

/// Most bytes one call may ask for. The core asks for 16 to 32 (salts, nonces, keys); a request
/// beyond this is a guest gone wrong and is refused rather than allocated.
pub const MAX_FILL: u32 = 4096;

/// Where a store's randomness comes from.
#[derive(Debug, Default, Clone)]
pub enum Source {
    /// The operating system's CSPRNG (`getrandom`): the only source the daemon uses.
    #[default]
    Os,
    /// The OS, except while the switch is on: then every call fails. For tests of what a trap in
    /// the key-holding instance does.
    FailWhile(Arc<AtomicBool>),
}

impl Host for HostState {
    fn fill(&mut self, len: u32) -> wasmtime::Result<Vec<u8>> {
        if len > MAX_FILL {
            wasmtime::bail!("the component asked for {len} random bytes; at most {MAX_FILL} are given per call");
        }
        if let Source::FailWhile(on) = &self.entropy
            && on.load(Ordering::SeqCst)
        {
            wasmtime::bail!("the entropy source failed (a test's failing source)");
        }
        let mut buf = vec![0u8; len as usize];
        // Without OS randomness no key may be made: trap rather than hand out weak bytes.
        getrandom::fill(&mut buf).map_err(|e| wasmtime::format_err!("the OS random number generator failed: {e}"))?;
        Ok(buf)
    }
}
