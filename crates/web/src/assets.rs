//! Our own stylesheet and scripts (the design system's files: see docs/ref/ui.md), compiled
//! into the binary and served under names that carry a hash of their content, such as
//! `/static/custos.3f9a1c2b7d0e.css`.
//!
//! Invariants:
//! - Pages link to [`href`]'s name, so a browser may keep a file for a year (`immutable`)
//!   and still never pairs a new page with an old stylesheet or script: a changed file has
//!   a new name.
//! - The plain name (`/static/custos.css`) is still served, revalidated on every use, for
//!   anything that asks for it by that name.
//! - Nothing is read from disk at run time; there is no inline script or style anywhere,
//!   so the strict Content-Security-Policy in [`crate::headers`] holds.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One file: its plain name, its content and its media type.
struct Asset {
    name: &'static str,
    body: &'static str,
    content_type: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";

const ASSETS: &[Asset] = &[
    Asset {
        name: "custos.css",
        body: include_str!("../static/custos.css"),
        content_type: "text/css; charset=utf-8",
    },
    Asset {
        name: "shell.js",
        body: include_str!("../static/shell.js"),
        content_type: JS,
    },
    Asset {
        name: "forms.js",
        body: include_str!("../static/forms.js"),
        content_type: JS,
    },
    Asset {
        name: "session.js",
        body: include_str!("../static/session.js"),
        content_type: JS,
    },
    Asset {
        name: "live.js",
        body: include_str!("../static/live.js"),
        content_type: JS,
    },
    Asset {
        name: "player.js",
        body: include_str!("../static/player.js"),
        content_type: JS,
    },
    Asset {
        name: "timeline.js",
        body: include_str!("../static/timeline.js"),
        content_type: JS,
    },
    Asset {
        name: "export.js",
        body: include_str!("../static/export.js"),
        content_type: JS,
    },
];

/// Each file's name with its content hash: plain name → hashed name.
static HASHED: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let digest = Sha256::digest(a.body.as_bytes());
            let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
            let hashed = match a.name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{hex}.{ext}"),
                None => format!("{}.{hex}", a.name),
            };
            (a.name, hashed)
        })
        .collect()
});

/// The address pages use for the file `name` (`custos.css`): its hashed name under
/// `/static/`. An unknown name (a mistake in a template) gets its plain address, which
/// answers 404, so the mistake shows in the browser tests.
pub fn href(name: &str) -> String {
    match HASHED.get(name) {
        Some(h) => format!("/static/{h}"),
        None => format!("/static/{name}"),
    }
}

/// `GET /static/{file}`: a file by its hashed name (kept for a year) or its plain name
/// (revalidated each time).
pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    for a in ASSETS {
        let hashed = HASHED.get(a.name).is_some_and(|h| *h == file);
        if hashed || a.name == file {
            let cache = if hashed {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            return (
                [
                    (header::CONTENT_TYPE, a.content_type),
                    (header::CACHE_CONTROL, cache),
                ],
                a.body,
            )
                .into_response();
        }
    }
    (StatusCode::NOT_FOUND, "no such file\n").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_has_a_distinct_hashed_name_that_keeps_its_extension() {
        let mut seen = std::collections::HashSet::new();
        for a in ASSETS {
            let h = href(a.name);
            let ext = a.name.rsplit('.').next().unwrap_or_default();
            assert!(h.ends_with(&format!(".{ext}")), "{h}");
            assert_ne!(h, format!("/static/{}", a.name), "{h} carries a hash");
            assert!(seen.insert(h));
        }
    }
}
