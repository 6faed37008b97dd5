//! Builds the `hq:vault` component that the daemon embeds, and fails the build if its world
//! drifts from `wit/`.
//!
//! 1. `cargo build -p hq-vault-core --target wasm32-unknown-unknown --features component` in a
//!    target directory of its own (a nested cargo cannot share the outer one's lock); then again
//!    with `--features vectors` for the tests' component (world `vectors`, never embedded).
//! 2. `wit-component` turns the core module into a component (no WASI: its only import is our
//!    `entropy` interface).
//! 3. The component's world is decoded and compared, interface by interface and function by
//!    function, with the world parsed from `wit/`.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use wit_parser::{Resolve, Type, TypeDefKind, WorldItem, WorldKey};

fn main() -> Result<()> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest.parent().context("host-runner has no parent directory")?.to_path_buf();
    for p in ["core-wasm/src", "core-wasm/Cargo.toml", "wit", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    println!("cargo:rerun-if-env-changed=HQ_VAULT_WASM_SIMD");

    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    // OUT_DIR is {target}/[{triple}/]{profile}/build/{package}/out. One component directory for
    // every triple and profile (clippy's, the tests' release, the musl image's release), so that
    // the core is built for wasm once, not once a host target.
    let mut target_root = out_dir.ancestors().nth(4).context("unexpected OUT_DIR layout")?;
    if env::var("TARGET").is_ok_and(|t| target_root.file_name().is_some_and(|n| n == t.as_str())) {
        target_root = target_root.parent().context("unexpected OUT_DIR layout")?;
    }
    let target_dir = target_root.join("hq-vault-component");
    // The component the daemon embeds (world `core`), then the one the vectors run (world
    // `vectors`: `core` and the known-answer entry points). Only the core crate itself is built
    // twice; its dependencies are shared.
    for (feature, world, file, var) in [
        ("component", "core", "hq_vault_core.component.wasm", "HQ_VAULT_COMPONENT"),
        ("vectors", "vectors", "hq_vault_vectors.component.wasm", "HQ_VAULT_VECTORS_COMPONENT"),
    ] {
        let module = build_core_module(&root, &target_dir, feature)?;
        let component = wit_component::ComponentEncoder::default()
            .module(&fs::read(&module).with_context(|| format!("reading {}", module.display()))?)?
            .validate(true)
            .encode()
            .context("wit-component could not encode the core module as a component")?;
        check_world(&root.join("wit"), world, &component)?;
        let dest = out_dir.join(file);
        fs::write(&dest, &component)?;
        println!("cargo:rustc-env={var}={}", dest.display());
    }
    Ok(())
}

/// Build the core as a wasm module with `feature`; the module's path (copied aside, since the next
/// build with other features writes the same output path).
fn build_core_module(root: &Path, target_dir: &Path, feature: &str) -> Result<PathBuf> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let simd = env::var("HQ_VAULT_WASM_SIMD").map(|v| v != "0").unwrap_or(true);
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--locked", "-p", "hq-vault-core", "--target", "wasm32-unknown-unknown"])
        .args(["--no-default-features", "--features", feature, "--profile", "component"])
        .arg("--target-dir")
        .arg(target_dir)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        // Under `cargo clippy` the outer build sets these; the component is built, not linted, here
        // (clippy lints the same sources natively).
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS");
    if simd {
        cmd.env("CARGO_ENCODED_RUSTFLAGS", "-Ctarget-feature=+simd128");
    }
    let status = cmd.status().context("running cargo to build the core as wasm")?;
    if !status.success() {
        bail!(
            "building the hq:vault component failed (the compiler's output is above); \
             if the wasm target is missing, run `rustup target add wasm32-unknown-unknown`"
        );
    }
    let built = target_dir.join("wasm32-unknown-unknown/component/hq_vault_core.wasm");
    let aside = target_dir.join(format!("hq_vault_core.{feature}.wasm"));
    fs::copy(&built, &aside).with_context(|| format!("copying {}", built.display()))?;
    Ok(aside)
}

/// A structural description of every interface of a world: name → sorted function signatures.
fn describe_world(resolve: &Resolve, world: wit_parser::WorldId) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let w = &resolve.worlds[world];
    for (dir, items) in [("import", &w.imports), ("export", &w.exports)] {
        for (key, item) in items.iter() {
            let WorldItem::Interface { id, .. } = item else {
                continue;
            };
            let name = match key {
                WorldKey::Name(n) => n.clone(),
                WorldKey::Interface(i) => resolve.id_of(*i).unwrap_or_default(),
            };
            let iface = &resolve.interfaces[*id];
            let mut sigs: Vec<String> = iface
                .functions
                .values()
                .map(|f| {
                    let params: Vec<String> =
                        f.params.iter().map(|p| format!("{}: {}", p.name, ty(resolve, &p.ty))).collect();
                    let result = f.result.as_ref().map(|t| ty(resolve, t)).unwrap_or_default();
                    format!("{}({}) -> {result}", f.name, params.join(", "))
                })
                .collect();
            sigs.sort();
            out.insert(format!("{dir} {name}"), sigs);
        }
    }
    out
}

fn ty(resolve: &Resolve, t: &Type) -> String {
    match t {
        Type::Id(id) => {
            let def = &resolve.types[*id];
            let body = match &def.kind {
                TypeDefKind::Record(r) => {
                    let f: Vec<String> =
                        r.fields.iter().map(|f| format!("{}: {}", f.name, ty(resolve, &f.ty))).collect();
                    format!("record {{{}}}", f.join(", "))
                }
                TypeDefKind::Enum(e) => {
                    let c: Vec<&str> = e.cases.iter().map(|c| c.name.as_str()).collect();
                    format!("enum {{{}}}", c.join(", "))
                }
                TypeDefKind::Variant(v) => {
                    let c: Vec<String> = v
                        .cases
                        .iter()
                        .map(|c| format!("{}({})", c.name, c.ty.as_ref().map(|t| ty(resolve, t)).unwrap_or_default()))
                        .collect();
                    format!("variant {{{}}}", c.join(", "))
                }
                TypeDefKind::List(t) => format!("list<{}>", ty(resolve, t)),
                TypeDefKind::Option(t) => format!("option<{}>", ty(resolve, t)),
                TypeDefKind::Result(r) => format!(
                    "result<{}, {}>",
                    r.ok.as_ref().map(|t| ty(resolve, t)).unwrap_or_default(),
                    r.err.as_ref().map(|t| ty(resolve, t)).unwrap_or_default()
                ),
                TypeDefKind::Tuple(tu) => {
                    let t: Vec<String> = tu.types.iter().map(|t| ty(resolve, t)).collect();
                    format!("tuple<{}>", t.join(", "))
                }
                TypeDefKind::Type(t) => ty(resolve, t),
                TypeDefKind::Handle(wit_parser::Handle::Own(r)) => {
                    format!("own<{}>", ty(resolve, &Type::Id(*r)))
                }
                TypeDefKind::Handle(wit_parser::Handle::Borrow(r)) => {
                    format!("borrow<{}>", ty(resolve, &Type::Id(*r)))
                }
                TypeDefKind::Resource => "resource".into(),
                other => format!("{other:?}"),
            };
            match &def.name {
                Some(n) if !matches!(def.kind, TypeDefKind::Type(_)) => format!("{n}={body}"),
                _ => body,
            }
        }
        other => format!("{other:?}").to_lowercase(),
    }
}

fn check_world(wit_dir: &Path, name: &str, component: &[u8]) -> Result<()> {
    let mut expected = Resolve::default();
    let (pkg, _) = expected.push_dir(wit_dir).context("parsing wit/")?;
    let world = expected.select_world(&[pkg], Some(name)).with_context(|| format!("wit/ has no world `{name}`"))?;
    let want = describe_world(&expected, world);

    let decoded = wit_component::decode(component).context("decoding the built component")?;
    let (resolve, world) = match decoded {
        wit_component::DecodedWasm::Component(r, w) => (r, w),
        wit_component::DecodedWasm::WitPackage(..) => {
            bail!("the build produced a WIT package, not a component")
        }
    };
    let got = describe_world(&resolve, world);
    if want != got {
        let mut diff = String::new();
        for k in want.keys().chain(got.keys()) {
            if want.get(k) != got.get(k) {
                diff.push_str(&format!("\n  {k}:\n    wit/:      {:?}\n    component: {:?}", want.get(k), got.get(k)));
            }
        }
        bail!("the component's world differs from wit/'s `{name}` (rebuild the core or update wit/):{diff}");
    }
    Ok(())
}
