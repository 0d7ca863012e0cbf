//! The tokio twin of rt0's `examples/echo_server.rs`: TCP echo on the
//! address in argv[1], one task per connection (`tokio::spawn`) copying what
//! it reads back with `tokio::io::copy` until EOF, then closing. Prints
//! nothing per connection and runs until killed.
//!
//! The worker count comes from `GOMAXPROCS`, which the harness sets for
//! every server: 1 (or unset) runs tokio's current-thread runtime, N > 1 its
//! multi-thread runtime with N workers. Accepted sockets get `TCP_NODELAY`,
//! as Go sets on every TCP connection (its twin and the load client).

use std::io::ErrorKind;
use std::time::Duration;
use std::{env, io, process};

use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Builder;

/// The first wait after an accept error (EMFILE), doubled up to
/// [`ACCEPT_BACKOFF_MAX`], as Go's net/http server does.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(5);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

fn main() {
    let args: Vec<String> = env::args().collect();
    if args.len() != 2 {
        eprintln!("usage: {} HOST:PORT   (GOMAXPROCS=N: N workers)", args[0]);
        process::exit(2);
    }
    let workers = match env::var("GOMAXPROCS") {
        Err(_) => 1,
        Ok(v) => match v.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("tokio_echo: GOMAXPROCS must be a positive integer, got {v:?}");
                process::exit(2);
            }
        },
    };
    let mut builder = if workers == 1 {
        Builder::new_current_thread()
    } else {
        let mut b = Builder::new_multi_thread();
        b.worker_threads(workers);
        b
    };
    let runtime = builder.enable_all().build().unwrap_or_else(|e| {
        eprintln!("tokio_echo: runtime: {e}");
        process::exit(1);
    });
    if let Err(e) = runtime.block_on(serve(&args[1])) {
        eprintln!("tokio_echo: {e}");
        process::exit(1);
    }
}

/// Accepts forever, one task per connection.
async fn serve(addr: &str) -> io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let mut backoff = Duration::ZERO;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                backoff = Duration::ZERO;
                tokio::spawn(echo(stream));
            }
            // Out of descriptors or a connection gone before accept: wait and go on.
            Err(e) if is_temporary(&e) => {
                backoff = (backoff * 2).clamp(ACCEPT_BACKOFF_MIN, ACCEPT_BACKOFF_MAX);
                tokio::time::sleep(backoff).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Errors after which accepting again may work (Go's `Temporary()`).
fn is_temporary(e: &io::Error) -> bool {
    /// EMFILE and ENFILE, the per-process and system descriptor limits.
    const EMFILE: i32 = 24;
    const ENFILE: i32 = 23;
    matches!(e.raw_os_error(), Some(EMFILE | ENFILE))
        || matches!(
            e.kind(),
            ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
        )
}

/// Copies the connection's bytes back to it until EOF; dropping the stream closes it.
async fn echo(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.split();
    let _ = tokio::io::copy(&mut reader, &mut writer).await;
}
