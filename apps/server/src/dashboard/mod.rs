//! The web dashboard at `/`: three panels (effectiveness, pattern evolution, recommendations)
//! over the public API routes, for a person to look at.
//!
//! The page is plain HTML, CSS and JavaScript modules under `apps/server/assets/dashboard/`,
//! compiled into the binary ([`assets`]); no build step, no CDN, no external fonts. The
//! browser calls the API exactly as any client would, with the bearer token the user pastes or
//! the demo banner puts in the URL fragment (`/#token=…`: fragments never reach the server).
//! `--dashboard=false` (`INSIGHTS_DASHBOARD=false`) leaves `/` and `/assets/…` as JSON 404s.

pub mod assets;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;
use assets::Asset;

/// Same-origin only: the page loads its own scripts, styles and icon and calls its own API; no
/// inline code, no frames, no plugins, and forms post nowhere else.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'none'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Every answer is revalidated (a 304 when the `ETag` still matches), so a new binary's page is
/// picked up at once while an unchanged one costs a few header bytes.
pub const CACHE_CONTROL: &str = "no-cache";

/// `GET /`: the page.
pub async fn page(req: HttpRequest) -> HttpResponse {
    serve(&req, &assets::PAGE)
}

/// `GET /assets/{file}`: a script, style sheet or icon of the page; anything else is the
/// server's usual JSON 404.
pub async fn asset(req: HttpRequest, file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    match assets::find(&file) {
        Some(asset) => Ok(serve(&req, asset)),
        None => Err(ApiError::NotFound(format!(
            "No route for {} {}",
            req.method(),
            req.path()
        ))),
    }
}

fn serve(req: &HttpRequest, asset: &Asset) -> HttpResponse {
    let etag = asset.etag();
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag == etag)
        });
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if fresh {
        res.finish()
    } else {
        res.content_type(asset.content_type).body(asset.body)
    }
}
