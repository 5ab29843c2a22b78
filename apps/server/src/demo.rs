//! What `serve` prints at start-up: in demo mode (no configured secret) a token and
//! ready-to-paste curl commands; otherwise only where it listens and how to get a token.

use std::net::SocketAddr;

use crate::routes;

/// The demo user's id.
pub const DEMO_USER: &str = "demo-user";

/// The demo-mode banner for a server listening on `addr` over `database`, with a token for
/// [`DEMO_USER`] signed by the secret generated at start-up; with the dashboard on, it leads
/// with the page's address, the token in the fragment (which browsers never send to the
/// server).
pub fn banner(addr: SocketAddr, token: &str, database: &str, dashboard: bool) -> String {
    let base = format!("http://{addr}");
    let open = if dashboard {
        format!("Open the dashboard: {base}/#token={token}\n\n")
    } else {
        String::new()
    };
    let auth = format!("-H \"Authorization: Bearer {token}\"");
    format!(
        "\n\
Behavioral-insights API listening on {base} ({database}), demo mode\n\
Demo user: {DEMO_USER}. The token secret was generated at start-up (no INSIGHTS_JWT_SECRET): \
tokens stop working when the server stops.\n\
\n\
{open}\
export TOKEN={token}\n\
\n\
curl -s {auth} \"{base}{eff}?metric=all\"\n\
curl -s {auth} \"{base}{evo}?weeks=12\"\n\
curl -s {auth} \"{base}{rec}?limit=5\"\n\
\n\
Also: {base}{health}, {base}{metrics}, {base}{openapi}. Ctrl-C stops the server.\n",
        eff = routes::EFFECTIVENESS,
        evo = routes::EVOLUTION,
        rec = routes::RECOMMENDATIONS,
        health = routes::HEALTHZ,
        metrics = routes::METRICS,
        openapi = routes::OPENAPI,
    )
}

/// The banner with a configured secret: no token is minted and no data is seeded.
pub fn operator_banner(addr: SocketAddr) -> String {
    format!(
        "Behavioral-insights API listening on http://{addr}. Tokens are signed with \
         INSIGHTS_JWT_SECRET: mint one with `insights token --user <id>`."
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
            "embedded SQLite at data/insights.db",
            true,
        );
        assert!(
            on.contains("http://127.0.0.1:8080/#token=abc.def.ghi\n"),
            "{on}"
        );
        let off = banner(
            addr,
            "abc.def.ghi",
            "embedded SQLite at data/insights.db",
            false,
        );
        assert!(!off.contains("#token="), "{off}");
        assert!(off.contains("export TOKEN=abc.def.ghi"));
    }
}
