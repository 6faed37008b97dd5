//! The edge benchmark's baseline: a Rust Worker that answers "hello".
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
#[worker::event(fetch)]
async fn fetch(_req: worker::Request, _env: worker::Env, _ctx: worker::Context) -> worker::Result<worker::Response> {
    worker::Response::ok("hello")
}
