//! The component host: one engine, the embedded component, and instances of it.
//!
//! Host code for each WIT interface lives in its own module, as wasmtime does for WASI; the
//! `bindgen!` output stays private to this module.

mod audit;
mod crypto;
mod entropy;
mod gate;
mod http;
mod identity;
mod patterns;
mod policy;
mod tokens;

use std::path::Path;

use anyhow::{Context, Result};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Cache, CacheConfig, Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

pub use audit::AuditKey;
pub use crypto::MasterKey;
pub use tokens::SecretString;

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "core",
        // `entropy.fill` returns an error (a trap for the guest) instead of panicking the host.
        imports: { default: trappable },
        additional_derives: [PartialEq],
    });
}

/// The `hq:vault` types, as wasmtime's bindgen generates them from `wit/`: the daemon speaks
/// these, so no second copy of the core's types lives in this host.
pub mod wit {
    pub use super::bindings::exports::hq::vault::{audit, crypto, gate, http, identity, patterns, policy, tokens};
}

use bindings::{Core as Exports, CorePre as ExportsPre};

/// Add context to a wasmtime error (its error type is not anyhow's).
fn ctx<T>(r: wasmtime::Result<T>, what: &'static str) -> Result<T> {
    r.map_err(|e| anyhow::Error::from(e).context(what))
}

/// The compiled component, embedded at build time (see `build.rs`).
pub const COMPONENT: &[u8] = include_bytes!(env!("HQ_VAULT_COMPONENT"));

/// What each store holds: the host side of the `entropy` import.
#[derive(Default, Clone)]
pub struct HostState {
    /// Where randomness comes from: always the OS, except in tests of what a trap does.
    pub entropy: entropy::Source,
}

pub use entropy::Source as EntropySource;

/// The engine and the component, compiled once and ready to instantiate.
#[derive(Clone)]
pub struct CoreHost {
    engine: Engine,
    component: Component,
    pre: ExportsPre<HostState>,
    entropy: EntropySource,
}

/// Instances that may exist at once: short-lived ones for each request's key-free work, the
/// key-holding one, the audit writer's, and derivations in flight. Past it, an instantiation fails
/// (a 500 for that request) rather than growing without bound.
const POOL_SLOTS: u32 = 256;

impl CoreHost {
    /// Compile the embedded component. With `cache_dir`, the machine code is cached there
    /// (wasmtime's own cache, checked against the engine and the component), so later starts
    /// skip compilation.
    pub fn new(cache_dir: Option<&Path>) -> Result<Self> {
        Self::with_entropy(cache_dir, EntropySource::Os)
    }

    /// Like [`CoreHost::new`], with the stores' entropy taken from `entropy` (tests make it fail to
    /// see what a trap in the key-holding instance does; the daemon always uses the OS).
    pub fn with_entropy(cache_dir: Option<&Path>, entropy: EntropySource) -> Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        // Short-lived instances for key-free work, as wasmtime serve does: the pooling allocator
        // keeps slots ready (virtual address space reserved up front, pages given back on drop).
        // A slot's memory may grow to 1 GiB: Argon2 asks 256 MiB, and the stored parameters may
        // be raised later.
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(POOL_SLOTS)
            .total_core_instances(POOL_SLOTS)
            .total_memories(POOL_SLOTS)
            .total_tables(POOL_SLOTS)
            .max_memory_size(1 << 30);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        if let Some(dir) = cache_dir {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the compiled-code cache {}", dir.display()))?;
            let mut cc = CacheConfig::new();
            cc.with_directory(dir);
            config.cache(Some(ctx(Cache::new(cc), "setting up the compiled-code cache")?));
        }
        let engine = ctx(Engine::new(&config), "creating the wasmtime engine")?;
        let component = ctx(Component::new(&engine, COMPONENT), "compiling the embedded hq:vault component")?;
        let mut linker = Linker::new(&engine);
        Exports::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)?;
        let pre = ExportsPre::new(linker.instantiate_pre(&component)?)?;
        Ok(CoreHost { engine, component, pre, entropy })
    }

    /// The names of the component's imports and exports, as the artifact itself declares them.
    pub fn world(&self) -> (Vec<String>, Vec<String>) {
        let ty = self.component.component_type();
        let imports = ty.imports(&self.engine).map(|(n, _)| n.to_owned()).collect();
        let exports = ty.exports(&self.engine).map(|(n, _)| n.to_owned()).collect();
        (imports, exports)
    }

    /// A new instance with its own store and memory.
    pub fn instance(&self) -> Result<Instance> {
        let mut store = Store::new(&self.engine, HostState { entropy: self.entropy.clone() });
        let core = ctx(self.pre.instantiate(&mut store), "instantiating the hq:vault component")?;
        Ok(Instance { store, exports: core })
    }
}

/// One instance of the component. Not `Sync`: callers that share one wrap it in a mutex.
pub struct Instance {
    store: Store<HostState>,
    /// The component's exports in this instance.
    exports: Exports,
}
