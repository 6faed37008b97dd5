//! The Connections console (docs/console.md): the page `/companies/{company}/connections` and its
//! assets, part of the Worker's bundle. The page decides nothing: it calls the lifecycle API
//! with the admin credential a person types, so a member or an unknown credential meets the API's
//! own 404.
//!
//! Every answer carries a strict content security policy: scripts, styles and requests from this
//! origin only, no inline script or style, no frames, no form submissions, no base URL changes.

use hq_vault_core::policy::is_company_id;
use worker::{Headers, Response, Result};

use super::{Ctx, method_not_allowed};

const PAGE: &str = include_str!("../../console/index.html");
const SCRIPT: &str = include_str!("../../console/console.js");
const STYLE: &str = include_str!("../../console/console.css");
const ICON: &str = include_str!("../../console/icon.svg");

/// The policy of every console answer (CSP Level 3).
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
     img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Where the assets are served.
pub const SCRIPT_PATH: &str = "/console/console.js";
pub const STYLE_PATH: &str = "/console/console.css";
pub const ICON_PATH: &str = "/console/icon.svg";

/// Whether `path` is one of the page's assets.
pub fn is_asset(path: &str) -> bool {
    matches!(path, SCRIPT_PATH | STYLE_PATH | ICON_PATH)
}

/// Whether `path` is the console page of a company: `/companies/{company}/connections`, the
/// segment being a company id by the core's rule (`policy::is_company_id`: 1 to 63 lower-case
/// letters, digits, `_` and `-`), so that the page never has to make sense of anything else.
pub fn is_page(path: &str) -> bool {
    path.strip_prefix("/companies/").and_then(|rest| rest.strip_suffix("/connections")).is_some_and(is_company_id)
}

/// Serve the page or an asset (`path` is one [`is_page`] accepts, or an asset path): `GET` and
/// `HEAD` (RFC 9110 §9.3.2: the same headers, no body).
pub fn serve(ctx: &Ctx, method: &str, path: &str) -> Result<Response> {
    if method != "GET" && method != "HEAD" {
        return method_not_allowed(ctx, "GET, HEAD");
    }
    let (body, content_type, cache) = match path {
        SCRIPT_PATH => (SCRIPT, "text/javascript; charset=utf-8", "no-cache"),
        STYLE_PATH => (STYLE, "text/css; charset=utf-8", "no-cache"),
        ICON_PATH => (ICON, "image/svg+xml", "no-cache"),
        _ => (PAGE, "text/html; charset=utf-8", "no-store"),
    };
    let headers = Headers::new();
    headers.set("content-type", content_type)?;
    headers.set("cache-control", cache)?;
    headers.set("content-security-policy", CSP)?;
    headers.set("x-content-type-options", "nosniff")?;
    headers.set("referrer-policy", "no-referrer")?;
    headers.set("x-frame-options", "DENY")?;
    headers.set("cross-origin-opener-policy", "same-origin")?;
    headers.set("cross-origin-resource-policy", "same-origin")?;
    headers.set("x-request-id", &ctx.request_id)?;
    let body = if method == "HEAD" { "" } else { body };
    Ok(Response::ok(body)?.with_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::is_page;

    #[test]
    fn the_page_path() {
        assert!(is_page("/companies/demo/connections"));
        for p in
            ["/companies//connections", "/companies/a/b/connections", "/companies/demo/connections/", "/companies/demo"]
        {
            assert!(!is_page(p), "{p}");
        }
    }
}
