//! Host side of `hq:vault/entropy`: bytes from the operating system's CSPRNG.

use super::HostState;
use super::bindings::hq::vault::entropy::Host;

impl Host for HostState {
    fn fill(&mut self, len: u32) -> Vec<u8> {
        let mut buf = vec![0u8; len as usize];
        // Without OS randomness no key may be made: stop rather than hand out weak bytes.
        getrandom::fill(&mut buf).expect("the operating system's random number generator is unavailable");
        buf
    }
}
