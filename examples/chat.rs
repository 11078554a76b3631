//! A line-based chat server on clockwork. Clients connect over TCP and send
//! lines; every line goes to all the other clients. A client that sends
//! nothing for `--idle-secs` is told so and disconnected.
//!
//! ```sh
//! cargo run -p clockwork-examples --example chat -- --addr 127.0.0.1:7100 --idle-secs 300
//! nc 127.0.0.1 7100    # in two or three terminals, then type
//! ```
//!
//! The pieces, top to bottom:
//!
//! ```text
//! accept loop ──► one task per client ──── Event::{Join, Line, Leave} ───► hub task
//!                   reads lines, each                                   (owns the list
//!                   read under time::timeout                             of clients)
//!                                                                           │
//!                 writer task per client ◄── its outbox (bounded mpsc) ◄────┘ broadcast
//!                   writes what arrives                                    (try_send)
//! ```
//!
//! * The hub is the only owner of the client list, so there is no lock:
//!   client tasks talk to it through one `mpsc` channel.
//! * Broadcast is one bounded `mpsc` per client (the "outbox"). A message
//!   is an `Arc<str>`, shared by every outbox it goes to. A client whose
//!   outbox is full (it does not read) is dropped rather than let the
//!   server's memory grow.
//! * Idle timeout: each line read is wrapped in `clockwork::time::timeout`.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clockwork::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use clockwork::net::{OwnedWriteHalf, TcpListener, TcpStream};
use clockwork::sync::mpsc::{self, TrySendError};

/// Messages waiting for one client before it counts as too slow.
const OUTBOX: usize = 256;
/// Longest line accepted from a client.
const MAX_LINE: usize = 4096;

fn main() -> io::Result<()> {
    let mut addr: SocketAddr = "127.0.0.1:7100".parse().unwrap();
    let mut idle_secs = 300.0;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next();
        match (flag.as_str(), value) {
            ("--addr", Some(v)) => addr = v.parse().unwrap_or_else(|e| usage(&format!("{e}"))),
            ("--idle-secs", Some(v)) => {
                idle_secs = v.parse().unwrap_or_else(|_| usage("bad --idle-secs"))
            }
            _ => usage(&format!("unknown flag or missing value: {flag}")),
        }
    }
    let idle = Duration::try_from_secs_f64(idle_secs).unwrap_or_else(|_| usage("bad --idle-secs"));
    clockwork::Runtime::new().block_on(async {
        let listener = TcpListener::bind(addr).await?;
        eprintln!("chat server on {}", listener.local_addr()?);
        serve(listener, idle).await;
        Ok(())
    })
}

fn usage(msg: &str) -> ! {
    eprintln!("error: {msg}\nusage: chat [--addr 127.0.0.1:7100] [--idle-secs 300]");
    std::process::exit(2)
}

/// What client tasks tell the hub.
enum Event {
    /// A client connected; the hub keeps its outbox.
    Join {
        id: u64,
        outbox: mpsc::Sender<Arc<str>>,
    },
    /// A line from a client, for everyone else.
    Line { id: u64, line: String },
    /// A client is gone (or is being sent away).
    Leave { id: u64, why: Leave },
}

enum Leave {
    /// The client closed the connection.
    Quit,
    /// Nothing received for the idle timeout.
    Idle(Duration),
    /// A read failed (reset, a line too long, ...).
    Error(io::Error),
}

/// Accept clients forever. Runs the hub; each client gets a task.
pub async fn serve(listener: TcpListener, idle: Duration) {
    let (events, inbox) = mpsc::channel(1024);
    clockwork::spawn(hub(inbox));
    for id in 1.. {
        let socket = loop {
            match listener.accept().await {
                Ok((socket, _)) => break socket,
                // Out of fds (EMFILE) and the like: log, wait, go on.
                Err(e) => {
                    eprintln!("accept error: {e}");
                    clockwork::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        clockwork::spawn(client(socket, id, events.clone(), idle));
    }
}

/// The hub: the list of clients, and who gets what.
async fn hub(mut inbox: mpsc::Receiver<Event>) {
    let mut clients: BTreeMap<u64, mpsc::Sender<Arc<str>>> = BTreeMap::new();
    while let Some(event) = inbox.recv().await {
        match event {
            Event::Join { id, outbox } => {
                let _ = outbox.try_send(format!("* welcome, you are guest{id}\n").into());
                broadcast(&mut clients, id, format!("* guest{id} joined\n"));
                clients.insert(id, outbox);
            }
            Event::Line { id, line } => {
                // Sent away already (too slow)? Then its lines are dropped.
                if clients.contains_key(&id) {
                    broadcast(&mut clients, id, format!("guest{id}: {line}\n"));
                }
            }
            Event::Leave { id, why } => {
                // Dropping the outbox ends the client's writer task, after
                // it has written what is queued (the goodbye below).
                if let Some(outbox) = clients.remove(&id)
                    && let Leave::Idle(idle) = why
                {
                    let bye = format!("* idle for {idle:?}, disconnecting\n");
                    let _ = outbox.try_send(bye.into());
                }
                let why = match why {
                    Leave::Quit => "quit".to_owned(),
                    Leave::Idle(_) => "idle".to_owned(),
                    Leave::Error(e) => e.to_string(),
                };
                broadcast(&mut clients, id, format!("* guest{id} left ({why})\n"));
            }
        }
    }
}

/// Queue `msg` for every client but `from`. A client whose outbox is full
/// is dropped from the list (its writer then closes the connection).
fn broadcast(clients: &mut BTreeMap<u64, mpsc::Sender<Arc<str>>>, from: u64, msg: String) {
    let msg: Arc<str> = msg.into();
    clients.retain(|&id, outbox| {
        if id == from {
            return true;
        }
        match outbox.try_send(msg.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                eprintln!("guest{id} does not keep up, disconnecting it");
                false
            }
            Err(TrySendError::Closed(_)) => false,
        }
    });
}

/// One client: a writer task drains its outbox; this task reads lines and
/// reports them to the hub until the client quits or idles out.
async fn client(socket: TcpStream, id: u64, hub: mpsc::Sender<Event>, idle: Duration) {
    let (read, write) = socket.into_split();
    let (outbox, queued) = mpsc::channel(OUTBOX);
    let writer = clockwork::spawn(write_lines(write, queued));
    if hub.send(Event::Join { id, outbox }).await.is_err() {
        return;
    }
    let mut lines = LineReader::new(read);
    let why = loop {
        match clockwork::time::timeout(idle, lines.next_line()).await {
            Err(_elapsed) => break Leave::Idle(idle),
            Ok(Ok(Some(line))) => {
                if hub.send(Event::Line { id, line }).await.is_err() {
                    return;
                }
            }
            Ok(Ok(None)) => break Leave::Quit,
            Ok(Err(e)) => break Leave::Error(e),
        }
    };
    let _ = hub.send(Event::Leave { id, why }).await;
    // The hub has dropped our outbox: the writer finishes what is queued.
    // Then both halves are dropped and the socket closes.
    let _ = writer.await;
}

/// Write every message that arrives in the outbox; when the outbox closes,
/// dropping the write half sends FIN.
async fn write_lines(mut write: OwnedWriteHalf, mut queued: mpsc::Receiver<Arc<str>>) {
    while let Some(msg) = queued.recv().await {
        if write.write_all(msg.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Splits a byte stream into lines (`\n` or `\r\n`, lossy UTF-8).
pub struct LineReader<R> {
    io: R,
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub fn new(io: R) -> Self {
        LineReader {
            io,
            buf: Vec::new(),
        }
    }

    /// The next line without its end; `None` at end of stream (a last,
    /// unterminated line is dropped).
    pub async fn next_line(&mut self) -> io::Result<Option<String>> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
            }
            if self.buf.len() > MAX_LINE {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
            }
            let mut chunk = [0u8; 1024];
            let n = self.io.read(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// Loopback tests: the real server, real sockets (run by
/// `cargo test -p clockwork-examples`).
#[cfg(test)]
mod tests {
    use super::*;
    use clockwork::net::OwnedReadHalf;
    use std::time::Instant;

    /// A test client: reads lines, writes lines; fails instead of hanging.
    struct Client {
        lines: LineReader<OwnedReadHalf>,
        write: OwnedWriteHalf,
    }

    impl Client {
        async fn connect(addr: SocketAddr) -> Client {
            let (read, write) = TcpStream::connect(addr).await.unwrap().into_split();
            Client {
                lines: LineReader::new(read),
                write,
            }
        }

        async fn expect(&mut self, want: &str) {
            assert_eq!(self.line().await.as_deref(), Some(want));
        }

        async fn line(&mut self) -> Option<String> {
            clockwork::time::timeout(Duration::from_secs(5), self.lines.next_line())
                .await
                .expect("no line within 5 s")
                .unwrap()
        }

        async fn say(&mut self, line: &str) {
            self.write
                .write_all(format!("{line}\n").as_bytes())
                .await
                .unwrap();
        }
    }

    async fn start(idle: Duration) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        clockwork::spawn(serve(listener, idle));
        addr
    }

    fn runtime() -> clockwork::Runtime {
        clockwork::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn lines_go_to_everyone_else() {
        runtime().block_on(async {
            let addr = start(Duration::from_secs(60)).await;
            let mut a = Client::connect(addr).await;
            a.expect("* welcome, you are guest1").await;
            let mut b = Client::connect(addr).await;
            b.expect("* welcome, you are guest2").await;
            a.expect("* guest2 joined").await;
            let mut c = Client::connect(addr).await;
            c.expect("* welcome, you are guest3").await;
            a.expect("* guest3 joined").await;
            b.expect("* guest3 joined").await;

            a.say("hello").await;
            b.expect("guest1: hello").await;
            c.expect("guest1: hello").await;
            c.say("hi all\r").await; // CRLF line end
            b.expect("guest3: hi all").await;
            // a's next line is c's: its own was not sent back to it.
            a.expect("guest3: hi all").await;

            // Many lines, in order, from two senders at once.
            for i in 0..100 {
                a.say(&format!("a{i}")).await;
                b.say(&format!("b{i}")).await;
            }
            let (mut from_a, mut from_b) = (0, 0);
            while from_a + from_b < 200 {
                let line = c.line().await.unwrap();
                if let Some(i) = line.strip_prefix("guest1: a") {
                    assert_eq!(i.parse::<i32>().unwrap(), from_a);
                    from_a += 1;
                } else {
                    let i = line.strip_prefix("guest2: b").unwrap();
                    assert_eq!(i.parse::<i32>().unwrap(), from_b);
                    from_b += 1;
                }
            }

            // c leaves. c has received all 200 lines, so the hub handled
            // them before c's leaving: a sees b's 100, then the news.
            drop(c);
            for _ in 0..100 {
                a.line().await.unwrap(); // b's lines
            }
            a.expect("* guest3 left (quit)").await;
        });
    }

    #[test]
    fn idle_clients_are_disconnected() {
        runtime().block_on(async {
            let idle = Duration::from_millis(300);
            let addr = start(idle).await;
            let start = Instant::now();
            let mut quiet = Client::connect(addr).await;
            quiet.expect("* welcome, you are guest1").await;
            let mut chatty = Client::connect(addr).await;
            chatty.expect("* welcome, you are guest2").await;
            quiet.expect("* guest2 joined").await;
            // chatty talks every 50 ms, for longer than the idle timeout.
            let mut last_said = Instant::now();
            for i in 0..10 {
                last_said = Instant::now();
                chatty.say(&format!("{i}")).await;
                clockwork::time::sleep(Duration::from_millis(50)).await;
            }
            // quiet got chatty's first lines, then was sent away at 300 ms.
            let mut heard = 0;
            loop {
                let line = quiet.line().await.unwrap();
                if line == "* idle for 300ms, disconnecting" {
                    break;
                }
                assert_eq!(line, format!("guest2: {heard}"));
                heard += 1;
            }
            assert!(heard < 10, "quiet was disconnected before chatty finished");
            assert_eq!(quiet.line().await, None, "then the connection closes");
            assert!(start.elapsed() >= idle);
            // chatty outlived the timeout and saw quiet go.
            chatty.expect("* guest1 left (idle)").await;
            // Now chatty is quiet too: sent away an idle period later.
            chatty.expect("* idle for 300ms, disconnecting").await;
            let silent = last_said.elapsed();
            assert!(
                silent >= idle,
                "disconnected after only {silent:?} of silence"
            );
            assert_eq!(chatty.line().await, None);
        });
    }
}
