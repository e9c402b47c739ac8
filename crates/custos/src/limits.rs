//! The process's descriptor budget: how many files and connections it may hold open, and
//! how many of those the web server may use, so that web traffic can never take the
//! descriptors the recorder needs for its camera connections, footage files and database.
//!
//! Invariants: the soft `RLIMIT_NOFILE` is raised to the hard limit when the server starts
//! (the default soft limit of 1,024 is a leftover of `select()`, which Custos does not use);
//! the web server's connections are capped so that each, counted with a second descriptor
//! for the file or camera it may open, fits in what is left after [`RESERVED_BASE`] and
//! [`RESERVED_PER_CAMERA`] for each registered camera.

/// Descriptors kept for the process itself: the database's connections and files, the
/// ledger witness, logs, the sweep and exports.
pub const RESERVED_BASE: u64 = 128;
/// Descriptors kept for each camera: its RTSP connection, the segment being written, the
/// one being read back, and room to reconnect.
pub const RESERVED_PER_CAMERA: u64 = 8;
/// The fewest connections the web server is given, whatever the limit.
pub const MIN_WEB_CONNECTIONS: usize = 16;

/// Raises the soft descriptor limit to the hard one and returns the limit now in force
/// (`None` when unlimited or unknown). A failure to raise it is logged, not fatal.
pub fn raise_descriptor_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if let Err(e) = setrlimit(Resource::Nofile, raised) {
            tracing::warn!(error = %e, soft = ?limit.current, hard = ?limit.maximum,
                "could not raise the open-file limit to its hard limit");
            return limit.current;
        }
    }
    getrlimit(Resource::Nofile).current
}

/// The web server's connection cap: `configured`, lowered to what the descriptor `limit`
/// leaves after the reserve for `cameras` cameras (two descriptors a connection), but
/// never below [`MIN_WEB_CONNECTIONS`].
pub fn web_connection_cap(configured: usize, limit: Option<u64>, cameras: usize) -> usize {
    let Some(limit) = limit else {
        return configured;
    };
    let reserve = RESERVED_BASE + RESERVED_PER_CAMERA * cameras as u64;
    let affordable = usize::try_from(limit.saturating_sub(reserve) / 2).unwrap_or(usize::MAX);
    configured.min(affordable).max(MIN_WEB_CONNECTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_web_gets_what_the_recorder_and_database_leave() {
        assert_eq!(web_connection_cap(1024, Some(524_288), 64), 1024);
        // 1,024 descriptors, 2 cameras: (1024 - 128 - 16) / 2.
        assert_eq!(web_connection_cap(1024, Some(1024), 2), 440);
        assert_eq!(web_connection_cap(1024, Some(256), 2), 56);
        assert_eq!(web_connection_cap(1024, Some(100), 40), MIN_WEB_CONNECTIONS);
        assert_eq!(web_connection_cap(300, None, 2), 300);
    }
}
