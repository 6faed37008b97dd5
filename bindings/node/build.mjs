// Transpile an hq:vault component into JS + core wasm under gen/, with jco: the one the daemon
// embeds (`hq-vault component --out …`), or, to run the vectors, the `vectors` world's
// (`cargo run -p hq-vault --example vectors_component -- …`), which adds the known-answer entry points.
// Usage: node bindings/node/build.mjs path/to/COMPONENT.wasm
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const here = import.meta.dirname;
const wasm = process.argv[2];
if (!wasm || !fs.existsSync(wasm)) {
  console.error("usage: node bindings/node/build.mjs COMPONENT.wasm   (make it with `hq-vault component --out …`, or the vectors one with `cargo run -p hq-vault --example vectors_component -- …`)");
  process.exit(1);
}
// jco is pinned here rather than in package.json: its optional platform packages keep `npm ci`
// from accepting any lock file npm writes for it.
fs.rmSync(path.join(here, "gen"), { recursive: true, force: true });
execFileSync("npx", ["--yes", "@bytecodealliance/jco@1.35.0", "transpile", wasm, "-o", path.join(here, "gen"), "--name", "hq_vault_core", "--map", "hq:vault/entropy=../entropy.js"], {
  stdio: ["ignore", "ignore", "inherit"],
});
fs.writeFileSync(path.join(here, "gen/package.json"), '{"type":"module"}\n');
