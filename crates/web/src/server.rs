//! The web server's connections: accepting them, timing them out, and keeping their number
//! within what the process can afford, so that no amount of web traffic takes the
//! descriptors, memory or time the recorder needs.
//!
//! Invariants:
//! - At most [`Limits::max_connections`] connections are open at once. When a new one
//!   arrives at the cap, the connection idle the longest (no request in progress: a
//!   keep-alive waiting for its next request, or a client still sending its headers) is
//!   closed to make room; if every connection has a request in progress (live streams,
//!   downloads), the newcomer is answered `503 Service Unavailable` and closed at once.
//!   A request in progress is never cut to make room.
//! - A request's headers must arrive within [`Limits::header_timeout`], and a keep-alive
//!   connection waiting for its next request is closed after the same time, so slow or
//!   silent clients hold nothing for long.
//! - A failure to accept (for instance, the process out of descriptors) is logged and
//!   retried after a pause; it never ends the server.
//! - On shutdown no connection is accepted; idle ones close at once, requests in progress
//!   get [`SHUTDOWN_GRACE`] to finish.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http_body::Frame;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tower::ServiceExt;

/// How long requests in progress may go on after shutdown is asked for.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The bounds on the web server's connections (`web.max_connections`,
/// `web.header_timeout_seconds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once, at most.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, and how long a keep-alive
    /// connection may wait for its next request.
    pub header_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// One open connection, as the accept loop sees it.
#[derive(Debug)]
struct Slot {
    /// Requests in progress on it (a response counts until its body has been sent).
    busy: Arc<AtomicUsize>,
    /// When it last became idle, in ms since the server started.
    idle_since_ms: Arc<AtomicU64>,
    /// Told when the connection must close to make room.
    close: Arc<Notify>,
    /// Whether it has been told (so it is not chosen twice).
    closing: Arc<AtomicBool>,
}

/// How many connections beyond the cap may be open while they are being closed.
fn closing_allowance(max: usize) -> usize {
    max / 4 + 1
}

/// Whether a new connection can be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Room {
    /// Below the cap, or the longest-idle connection has been told to close and the
    /// connections still closing are within their allowance.
    Free,
    /// Too many connections are still closing: wait for them.
    Closing,
    /// At the cap, and every connection has a request in progress.
    Full,
}

/// The open connections.
#[derive(Debug, Default)]
struct Connections {
    slots: Mutex<HashMap<u64, Slot>>,
    next_id: AtomicU64,
    /// Told when a connection ends (for shutdown).
    ended: Notify,
}

impl Connections {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes room for one more connection under `max`, telling the longest-idle connection
    /// not already told to close if need be. Connections told to close may still hold
    /// their descriptors for a moment: up to [`closing_allowance`] of them are not waited
    /// for, so that closing and accepting go on together under a flood.
    fn make_room(&self, max: usize) -> Room {
        let slots = self.lock();
        let closing = slots
            .values()
            .filter(|s| s.closing.load(Ordering::SeqCst))
            .count();
        if slots.len() - closing >= max {
            let idlest = slots
                .values()
                .filter(|s| !s.closing.load(Ordering::SeqCst))
                .filter(|s| s.busy.load(Ordering::SeqCst) == 0)
                .min_by_key(|s| s.idle_since_ms.load(Ordering::SeqCst));
            match idlest {
                Some(slot) => {
                    slot.closing.store(true, Ordering::SeqCst);
                    slot.close.notify_one();
                }
                None if closing == 0 => return Room::Full,
                None => return Room::Closing,
            }
        }
        if slots.len() >= max + closing_allowance(max) {
            Room::Closing
        } else {
            Room::Free
        }
    }

    /// Waits (for at most `limit`) until fewer than `max` connections are open.
    async fn wait_below(&self, max: usize, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let ended = self.ended.notified();
            let mut ended = std::pin::pin!(ended);
            ended.as_mut().enable();
            if self.count() < max {
                return true;
            }
            if tokio::time::timeout_at(deadline, ended).await.is_err() {
                return self.count() < max;
            }
        }
    }

    fn open(&self, now_ms: u64) -> (u64, Conn) {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let conn = Conn {
            busy: Arc::new(AtomicUsize::new(0)),
            idle_since_ms: Arc::new(AtomicU64::new(now_ms)),
            close: Arc::new(Notify::new()),
            closing: Arc::new(AtomicBool::new(false)),
        };
        self.lock().insert(
            id,
            Slot {
                busy: conn.busy.clone(),
                idle_since_ms: conn.idle_since_ms.clone(),
                close: conn.close.clone(),
                closing: conn.closing.clone(),
            },
        );
        (id, conn)
    }

    fn end(&self, id: u64) {
        self.lock().remove(&id);
        self.ended.notify_waiters();
    }

    fn count(&self) -> usize {
        self.lock().len()
    }

    fn close_all_idle(&self) {
        for slot in self.lock().values() {
            if slot.busy.load(Ordering::SeqCst) == 0 {
                slot.close.notify_one();
            }
        }
    }
}

/// A connection's side of its [`Slot`].
#[derive(Debug, Clone)]
struct Conn {
    busy: Arc<AtomicUsize>,
    idle_since_ms: Arc<AtomicU64>,
    close: Arc<Notify>,
    closing: Arc<AtomicBool>,
}

/// Counts a request as in progress on its connection until dropped (with the response's
/// body), then notes when the connection became idle.
struct InProgress {
    busy: Arc<AtomicUsize>,
    idle_since_ms: Arc<AtomicU64>,
    started: Instant,
}

impl InProgress {
    fn new(busy: Arc<AtomicUsize>, idle_since_ms: Arc<AtomicU64>, started: Instant) -> Self {
        busy.fetch_add(1, Ordering::SeqCst);
        Self {
            busy,
            idle_since_ms,
            started,
        }
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        self.idle_since_ms
            .store(millis_since(self.started), Ordering::SeqCst);
        self.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that keeps its request counted as in progress until it is sent.
struct Counted {
    inner: Body,
    _in_progress: InProgress,
}

impl http_body::Body for Counted {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

fn millis_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// How many connections the kernel may queue before they are accepted (Linux caps it at
/// `net.core.somaxconn`, 4,096 by default): a deep queue rides out a burst of connections
/// instead of dropping new ones, which a client would retry only after a second.
pub const LISTEN_BACKLOG: u32 = 4096;

/// Listens on `addr` with a [`LISTEN_BACKLOG`]-deep queue.
pub fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then lets the
/// requests in progress finish (for at most [`SHUTDOWN_GRACE`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let started = Instant::now();
    let connections = Arc::new(Connections::default());
    let stopping = Arc::new(Notify::new());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors, or a connection reset before it was accepted:
                    // pause rather than spin, and carry on.
                    tracing::warn!(error = %e, open = connections.count(), "could not accept a web connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        match connections.make_room(limits.max_connections) {
            Room::Free => {}
            // Wait (briefly) for the connection told to close, so that the cap holds for
            // descriptors too, not only for the connections counted.
            Room::Closing => {
                let most = limits.max_connections + closing_allowance(limits.max_connections);
                if !connections
                    .wait_below(most, Duration::from_millis(500))
                    .await
                {
                    tokio::spawn(refuse_busy(stream));
                    continue;
                }
            }
            Room::Full => {
                tokio::spawn(refuse_busy(stream));
                continue;
            }
        }
        let (id, conn) = connections.open(millis_since(started));
        let app = app.clone();
        let connections = connections.clone();
        let stopping = stopping.clone();
        tokio::spawn(async move {
            serve_connection(stream, peer, app, limits, conn, stopping, started).await;
            connections.end(id);
        });
        // Let the new connection's task read its request before the next accept: under a
        // flood of new connections, one that has already sent its request must not become
        // the longest idle (and be closed) before it is read.
        tokio::task::yield_now().await;
    }
    drop(listener);
    stopping.notify_waiters();
    connections.close_all_idle();
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    while connections.count() > 0 {
        let ended = connections.ended.notified();
        if tokio::time::timeout_at(deadline, ended).await.is_err() {
            tracing::warn!(
                open = connections.count(),
                "web connections still open after the shutdown grace period; closing them"
            );
            break;
        }
    }
    Ok(())
}

/// Answers a connection that arrived when every connection is busy, and closes it.
async fn refuse_busy(mut stream: TcpStream) {
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        stream.write_all(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain\r\n\
              Content-Length: 44\r\nConnection: close\r\n\r\nThe server is busy; try again in a moment.\r\n",
        ),
    )
    .await;
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    conn: Conn,
    stopping: Arc<Notify>,
    started: Instant,
) {
    let Conn {
        busy,
        idle_since_ms: idle,
        close,
        closing,
    } = conn;
    let service = {
        let busy = busy.clone();
        hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let in_progress = InProgress::new(busy.clone(), idle.clone(), started);
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move {
                let response = app.oneshot(req).await.unwrap_or_else(|e| match e {});
                Ok::<_, std::convert::Infallible>(response.map(|inner| {
                    Body::new(Counted {
                        inner,
                        _in_progress: in_progress,
                    })
                }))
            }
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    let mut draining = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, %peer, "web connection ended with an error");
                }
                return;
            }
            () = close.notified() => {
                // Room is needed: close it unless a request began meanwhile.
                if busy.load(Ordering::SeqCst) == 0 {
                    return;
                }
                closing.store(false, Ordering::SeqCst);
            }
            () = stopping.notified(), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `n` holds a notification (a `notify_one` is kept until someone waits).
    async fn told(n: &Notify) -> bool {
        tokio::time::timeout(Duration::from_millis(5), n.notified())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn room_is_made_by_closing_the_longest_idle_connection_never_a_busy_one() {
        let c = Connections::default();
        let (_, a) = c.open(10);
        let (_, b) = c.open(20);
        let (id_c, cc) = c.open(30);
        assert_eq!(c.make_room(4), Room::Free, "below the cap");
        assert!(!told(&cc.close).await);
        a.busy.store(1, Ordering::SeqCst);
        b.idle_since_ms.store(40, Ordering::SeqCst);
        cc.idle_since_ms.store(35, Ordering::SeqCst);
        assert_eq!(
            c.make_room(3),
            Room::Free,
            "one closing is within the allowance"
        );
        assert!(told(&cc.close).await, "the longest idle is closed");
        assert!(!told(&b.close).await);
        assert!(!told(&a.close).await, "a busy one is never closed");
        // A fourth joins while the third closes; the next newcomer closes the next idlest
        // (never the busy one), and then must wait for those closing.
        let (_, d) = c.open(50);
        assert_eq!(c.make_room(3), Room::Closing);
        assert!(told(&b.close).await);
        assert!(!told(&d.close).await && !told(&a.close).await);
        c.end(id_c);
        assert_eq!(c.make_room(3), Room::Free);

        let all_busy = Connections::default();
        let (_, only) = all_busy.open(0);
        only.busy.store(1, Ordering::SeqCst);
        assert_eq!(
            all_busy.make_room(1),
            Room::Full,
            "every connection busy: no room"
        );
    }
}
