//! The HTTP listener. `axum::serve` has no timeouts and no cap on connections: a thousand
//! clients sending one header line every few seconds used to exhaust the open files and make
//! the service unreachable. Here:
//! - at most `max_connections` connections are served at once; the next ones wait in the
//!   kernel's queue until one closes (the process never runs out of file descriptors);
//! - a request's headers must arrive within `header_timeout` (also the longest a kept-alive
//!   connection may wait for its next request);
//! - a connection on which nothing is read or written for `idle_timeout` is closed (a client
//!   that sends nothing, that stops sending its body or that no longer reads the response);
//! - accept errors are logged at most once per second, with the number left unlogged.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// What a connection may cost.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Limits {
    /// Connections kept for files, the database and outgoing mail and SMS.
    pub const RESERVED_FILES: u64 = 256;

    /// The cap that fits the process's open-file limit (after raising it to the hard limit).
    pub fn connections_for_open_files(open_files: u64) -> usize {
        open_files
            .saturating_sub(Self::RESERVED_FILES)
            .clamp(16, 100_000) as usize
    }
}

/// Raises the soft limit of open files to the hard one, and returns it (Unix).
pub fn raise_open_files_limit() -> u64 {
    #[cfg(unix)]
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
        limit.rlim_cur as u64
    }
    #[cfg(not(unix))]
    {
        1024
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets the requests in flight
/// finish (at most 30 s).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.idle_timeout / 2)
        .keep_alive_timeout(limits.header_timeout)
        .max_concurrent_streams(100);
    let builder = Arc::new(builder);
    let mut errors = AcceptErrors::default();
    tokio::pin!(shutdown);
    loop {
        // A place first, then a connection: past the cap, clients wait in the kernel's queue.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    errors.report(&e);
                    // Out of files or memory: give the connections in flight a moment to close.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Tracked {
            inner: stream,
            activity: activity.clone(),
        });
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(remote));
            router.clone().oneshot(request)
        });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let connection = builder
                .serve_connection_with_upgrades(io, service)
                .into_owned();
            let connection = watcher.watch(connection);
            tokio::pin!(connection);
            loop {
                let deadline = activity.last() + limits.idle_timeout;
                tokio::select! {
                    result = &mut connection => {
                        if let Err(e) = result {
                            tracing::debug!(%remote, "connexion terminée : {e}");
                        }
                        break;
                    }
                    _ = tokio::time::sleep_until(deadline.into()) => {
                        if activity.last() + limits.idle_timeout <= Instant::now() {
                            tracing::debug!(%remote, "connexion inactive fermée");
                            break;
                        }
                    }
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("arrêt : des requêtes n'ont pas fini en 30 s");
    }
}

/// Accept errors (e.g. « Too many open files ») logged at most once per second.
#[derive(Default)]
struct AcceptErrors {
    last: Option<Instant>,
    unlogged: u64,
}

impl AcceptErrors {
    fn report(&mut self, e: &io::Error) {
        let now = Instant::now();
        match self.last {
            Some(t) if now.duration_since(t) < Duration::from_secs(1) => self.unlogged += 1,
            _ => {
                tracing::error!(
                    autres = self.unlogged,
                    "connexion refusée à l'acceptation : {e}"
                );
                self.last = Some(now);
                self.unlogged = 0;
            }
        }
    }
}

/// When bytes last moved on a connection.
struct Activity {
    start: Instant,
    millis: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            millis: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let ms = self.start.elapsed().as_millis() as u64;
        self.millis.store(ms, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.start + Duration::from_millis(self.millis.load(Ordering::Relaxed))
    }
}

/// A TCP stream that notes each read and write that moved bytes.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storm_of_accept_errors_is_logged_once_a_second() {
        let mut errors = AcceptErrors::default();
        let e = io::Error::from_raw_os_error(24); // EMFILE: too many open files
        for _ in 0..1_000 {
            errors.report(&e);
        }
        // One line written, the 999 others counted for the next one.
        assert_eq!(errors.unlogged, 999);
        errors.last = errors.last.map(|t| t - Duration::from_secs(1));
        errors.report(&e);
        assert_eq!(errors.unlogged, 0);
    }

    #[test]
    fn the_cap_keeps_files_for_the_rest_of_the_server() {
        assert_eq!(Limits::connections_for_open_files(1_024), 768);
        assert_eq!(Limits::connections_for_open_files(100), 16);
        assert_eq!(Limits::connections_for_open_files(1 << 20), 100_000);
    }
}
