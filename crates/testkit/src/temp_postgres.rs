//! A PostgreSQL server of a test's own, on a spare loopback port, that the test may stop and
//! start (fault tests must never stop the shared server other tests are using).

use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A throwaway PostgreSQL cluster (initdb'd into a temporary folder), stopped and deleted when
/// dropped.
pub struct TempPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

fn bin_dir() -> io::Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(root)?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no PostgreSQL server binaries"))
}

fn spare_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn check(output: Output, what: &str) -> io::Result<()> {
    if output.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )))
    }
}

impl TempPostgres {
    /// A stopped, empty cluster folder on a spare port.
    fn new_folder() -> io::Result<Self> {
        let bin = bin_dir()?;
        let as_postgres_user = is_root();
        let dir = std::env::temp_dir().join(format!("insights-pg-{}", cuid2::create_id()));
        std::fs::create_dir_all(&dir)?;
        if as_postgres_user {
            // initdb refuses to run as root; the cluster belongs to the postgres user.
            check(
                Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(&dir)
                    .output()?,
                "chown",
            )?;
        }
        Ok(Self {
            bin,
            dir,
            port: spare_port()?,
            as_postgres_user,
        })
    }

    /// Creates and starts a cluster with trust authentication on a spare port.
    pub fn start() -> io::Result<Self> {
        let pg = Self::new_folder()?;
        let data = pg.data_dir();
        check(
            pg.command("initdb")
                .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
                .arg(&data)
                .output()?,
            "initdb",
        )?;
        pg.resume()?;
        Ok(pg)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates and starts a hot standby of this server: a base backup (`pg_basebackup -R`,
    /// which also configures streaming replication from this server) in a folder of its own,
    /// started on its own spare port. It accepts read-only queries and replays this server's
    /// writes with a small lag, which [`pause_replay`](Self::pause_replay) makes as long as
    /// a test needs.
    pub fn start_standby(&self) -> io::Result<Self> {
        let standby = Self::new_folder()?;
        check(
            standby
                .command("pg_basebackup")
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
                .args(["-U", "postgres", "-X", "stream", "-R", "--no-sync", "-D"])
                .arg(standby.data_dir())
                .output()?,
            "pg_basebackup",
        )?;
        standby.resume()?;
        Ok(standby)
    }

    /// Runs one SQL command with `psql` and returns its unaligned output.
    pub fn psql(&self, sql: &str) -> io::Result<String> {
        let out = self
            .command("psql")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args([
                "-U", "postgres", "-d", "postgres", "-X", "-A", "-t", "-c", sql,
            ])
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        check(out, "psql")?;
        Ok(text)
    }

    /// On a standby: stops applying the primary's changes (`pg_wal_replay_pause()`); reads
    /// then show the data as of that moment, however much the primary changes.
    pub fn pause_replay(&self) -> io::Result<()> {
        self.psql("SELECT pg_wal_replay_pause()").map(drop)
    }

    /// On a standby: applies the primary's changes again (`pg_wal_replay_resume()`).
    pub fn resume_replay(&self) -> io::Result<()> {
        self.psql("SELECT pg_wal_replay_resume()").map(drop)
    }

    /// Stops the server immediately (as a crash or an outage would look to clients).
    pub fn stop(&self) -> io::Result<()> {
        self.stop_in_mode("immediate")
    }

    /// Stops the server as `pg_ctl stop` does by default (fast mode): every session is ended
    /// with SQLSTATE 57P01 ("terminating connection due to administrator command"), under a
    /// running statement too.
    pub fn stop_fast(&self) -> io::Result<()> {
        self.stop_in_mode("fast")
    }

    fn stop_in_mode(&self, mode: &str) -> io::Result<()> {
        let out = self
            .command("pg_ctl")
            .args(["stop", "-m", mode, "-w", "-D"])
            .arg(self.data_dir())
            .output()?;
        check(out, "pg_ctl stop")
    }

    /// Starts the (stopped) server again on the same port and waits until it accepts
    /// connections.
    pub fn resume(&self) -> io::Result<()> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.dir.display()
        );
        let out = self
            .command("pg_ctl")
            .args(["start", "-w", "-t", "60", "-l"])
            .arg(self.dir.join("log"))
            .arg("-o")
            .arg(options)
            .arg("-D")
            .arg(self.data_dir())
            .output()?;
        check(out, "pg_ctl start")
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
