//! Slow and idle clients: the listener closes them and the service keeps answering.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use server::listener::{serve, Limits};

use crate::common::TestApp;

/// Long enough for any answer on a busy machine; the behaviour is what is tested.
const PATIENCE: Duration = Duration::from_secs(30);

async fn listening(limits: Limits) -> (TestApp, SocketAddr) {
    let app = TestApp::new().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(
        listener,
        app.router.clone(),
        limits,
        std::future::pending(),
    ));
    (app, addr)
}

/// `/healthz` through a fresh connection: its status line.
async fn healthz(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

/// Sends one header line every 200 ms, like the attack, until the server closes the
/// connection; returns how long it was held.
async fn slow_client(addr: SocketAddr) -> Duration {
    let start = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let mut buf = [0u8; 512];
    loop {
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(0) | Err(_) => return start.elapsed(),
                Ok(_) => {}
            },
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                if stream.write_all(b"X-Lent: 1\r\n").await.is_err() {
                    return start.elapsed();
                }
            }
        }
    }
}

#[tokio::test]
async fn slow_clients_are_closed_and_the_service_keeps_answering() {
    let limits = Limits {
        max_connections: 20,
        header_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(3),
    };
    let (_app, addr) = listening(limits).await;
    // More slow clients than places: the ones past the cap wait, none makes the server fail.
    let clients: Vec<_> = (0..30).map(|_| tokio::spawn(slow_client(addr))).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // While they are held, the service answers (once a place frees, at the latest).
    let status = tokio::time::timeout(PATIENCE, healthz(addr))
        .await
        .expect("/healthz answers while slow clients are connected");
    assert_eq!(status, "HTTP/1.1 200 OK");
    // Every slow client is closed, without ever completing its headers.
    for client in clients {
        let held = tokio::time::timeout(PATIENCE, client)
            .await
            .expect("a slow client is closed by the server")
            .unwrap();
        assert!(held >= Duration::from_millis(900), "closed after {held:?}");
    }
    assert_eq!(healthz(addr).await, "HTTP/1.1 200 OK");
}

#[tokio::test]
async fn silent_and_kept_alive_connections_are_closed() {
    let limits = Limits {
        max_connections: 8,
        header_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
    };
    let (_app, addr) = listening(limits).await;
    // Connected, never a byte.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    // One request answered, then nothing.
    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = kept.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200 OK"));
    for (name, stream) in [("silencieuse", &mut silent), ("gardée ouverte", &mut kept)] {
        let read = tokio::time::timeout(PATIENCE, async {
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(read.is_ok(), "la connexion {name} n'est pas fermée");
    }
    // More silent connections than places: once they are closed, the service answers again.
    let mut silent: Vec<TcpStream> = Vec::new();
    for _ in 0..12 {
        silent.push(TcpStream::connect(addr).await.unwrap());
    }
    let status = tokio::time::timeout(PATIENCE, healthz(addr))
        .await
        .expect("/healthz answers once the silent connections are closed");
    assert_eq!(status, "HTTP/1.1 200 OK");
}
