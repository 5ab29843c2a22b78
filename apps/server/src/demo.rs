//! What `serve` prints in embedded (demo) mode: the token and ready-to-paste curl commands.

use std::net::SocketAddr;
use std::path::Path;

use crate::routes;

/// The demo user's id.
pub const DEMO_USER: &str = "demo-user";

/// The banner for a server listening on `addr` with a token for [`DEMO_USER`]; with the
/// dashboard on, it leads with the page's address, the token in the fragment (which browsers
/// never send to the server).
pub fn banner(
    addr: SocketAddr,
    token: &str,
    db_path: &Path,
    secret_generated: bool,
    dashboard: bool,
) -> String {
    let base = format!("http://{addr}");
    let open = if dashboard {
        format!("Open the dashboard: {base}/#token={token}\n\n")
    } else {
        String::new()
    };
    let auth = format!("-H \"Authorization: Bearer {token}\"");
    let secret_note = if secret_generated {
        "The token secret was generated at start-up (no INSIGHTS_JWT_SECRET): tokens stop \
         working when the server stops."
    } else {
        "Tokens are signed with INSIGHTS_JWT_SECRET; mint more with `insights token --user <id>`."
    };
    format!(
        "\n\
Behavioral-insights API listening on {base} (embedded SQLite at {db})\n\
Demo user: {DEMO_USER}. {secret_note}\n\
\n\
{open}\
export TOKEN={token}\n\
\n\
curl -s {auth} \"{base}{eff}?metric=all\"\n\
curl -s {auth} \"{base}{evo}?weeks=12\"\n\
curl -s {auth} \"{base}{rec}?limit=5\"\n\
\n\
Also: {base}{health}, {base}{metrics}, {base}{openapi}. Ctrl-C stops the server.\n",
        db = db_path.display(),
        eff = routes::EFFECTIVENESS,
        evo = routes::EVOLUTION,
        rec = routes::RECOMMENDATIONS,
        health = routes::HEALTHZ,
        metrics = routes::METRICS,
        openapi = routes::OPENAPI,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_links_the_dashboard_with_the_token_in_the_fragment_when_it_is_on() {
        let addr: SocketAddr = ([127, 0, 0, 1], 8080).into();
        let on = banner(
            addr,
            "abc.def.ghi",
            Path::new("data/insights.db"),
            true,
            true,
        );
        assert!(
            on.contains("http://127.0.0.1:8080/#token=abc.def.ghi\n"),
            "{on}"
        );
        let off = banner(
            addr,
            "abc.def.ghi",
            Path::new("data/insights.db"),
            true,
            false,
        );
        assert!(!off.contains("#token="), "{off}");
        assert!(off.contains("export TOKEN=abc.def.ghi"));
    }
}
