//! TLS over a Tokio stream: tokio-rustls's stream, whose decrypted bytes
//! are copied out through `httpcore_client::plaintext` (around a slow case
//! of some CPUs' `memcpy`) instead of its own `poll_read`.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use httpcore_client::plaintext::read_plaintext;
use tokio::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls::ClientConnection;

/// A client TLS stream over `S` (a TCP stream, or a proxy tunnel's), its
/// handshake done: what [`connect_tls`](crate::connect_tls) connects
/// over.
#[derive(Debug)]
pub struct TlsStream<S = TcpStream>(tokio_rustls::client::TlsStream<S>);

impl<S> TlsStream<S> {
    pub(crate) fn new(inner: tokio_rustls::client::TlsStream<S>) -> TlsStream<S> {
        TlsStream(inner)
    }

    /// The stream under TLS, and the rustls connection (negotiated
    /// protocol, peer certificates, ...).
    pub fn get_ref(&self) -> (&S, &ClientConnection) {
        self.0.get_ref()
    }

    /// [`get_ref`](Self::get_ref), mutably.
    pub fn get_mut(&mut self) -> (&mut S, &mut ClientConnection) {
        self.0.get_mut()
    }

    /// The tokio-rustls stream inside.
    pub fn into_inner(self) -> tokio_rustls::client::TlsStream<S> {
        self.0
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let tls = &mut self.get_mut().0;
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        // Wait for plaintext (or the close), then copy what is buffered.
        match ready!(Pin::new(&mut *tls).poll_fill_buf(cx)) {
            Ok([]) => return Poll::Ready(Ok(())),
            Ok(_) => {}
            Err(e) => return Poll::Ready(Err(e)),
        }
        let n = read_plaintext(tls.get_mut().1.reader(), buf.initialize_unfilled())?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}
