//! Network mode's home socket as a ureq transport: `serve --network` serves this home's owner on
//! `serve.sock` in the home (plain HTTP/1.1 on a Unix socket, no token), and the CLI of that home
//! reaches it through this connector. The request's URL names no address: every connection goes to
//! the one socket.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, Transport};

/// Connects every request to the socket at `0`.
#[derive(Debug)]
pub(crate) struct HomeSocket(pub(crate) PathBuf);

impl Connector for HomeSocket {
    type Out = SocketTransport;

    fn connect(&self, details: &ConnectionDetails, _chained: Option<()>) -> Result<Option<Self::Out>, ureq::Error> {
        let stream = UnixStream::connect(&self.0)?;
        let buffers = LazyBuffers::new(details.config.input_buffer_size(), details.config.output_buffer_size());
        Ok(Some(SocketTransport { stream, buffers }))
    }
}

/// One connection to the home socket.
#[derive(Debug)]
pub(crate) struct SocketTransport {
    stream: UnixStream,
    buffers: LazyBuffers,
}

/// ureq's timeout as the socket's (`None`: none).
fn timeout(t: NextTimeout) -> Option<std::time::Duration> {
    t.not_zero().map(|d| *d)
}

/// An I/O error as ureq's, a timed-out one as the timeout it was.
fn io_error(e: std::io::Error, t: NextTimeout) -> ureq::Error {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => ureq::Error::Timeout(t.reason),
        _ => ureq::Error::Io(e),
    }
}

impl Transport for SocketTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, t: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.set_write_timeout(timeout(t))?;
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output).map_err(|e| io_error(e, t))
    }

    fn await_input(&mut self, t: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.set_read_timeout(timeout(t))?;
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input).map_err(|e| io_error(e, t))?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    /// Never reused: the home socket serves a few requests per command, and a fresh connection
    /// cannot meet one the daemon is closing.
    fn is_open(&mut self) -> bool {
        false
    }
}
