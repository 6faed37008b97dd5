//! Randomness: the OS generator natively and in the Worker, the host's `entropy` import in the component.

/// Fill `buf` from the operating system's CSPRNG.
///
/// There is no fallback: if the OS cannot give randomness we stop rather than mint weak keys.
pub(crate) fn fill(buf: &mut [u8]) {
    #[cfg(all(feature = "component", target_arch = "wasm32"))]
    {
        crate::component::entropy_fill(buf);
    }
    #[cfg(all(feature = "os-rng", not(all(feature = "component", target_arch = "wasm32"))))]
    {
        if getrandom::fill(buf).is_err() {
            panic!("the operating system's random number generator is unavailable");
        }
    }
    #[cfg(not(any(feature = "os-rng", all(feature = "component", target_arch = "wasm32"))))]
    {
        compile_error!("hq-vault-core needs a randomness source: enable `os-rng`, or build the component");
        let _ = buf;
    }
}

/// `N` random bytes.
pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    fill(&mut b);
    b
}
