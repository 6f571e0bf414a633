//! Closing connections whose client never sends a byte.
//!
//! Why this exists: Dropshot 0.18 serves each accepted connection with
//! hyper-util's `auto` builder, which first reads the connection's opening
//! bytes to tell HTTP/1 from HTTP/2 and has no timeout for that read; TLS
//! accepts likewise wait for the client hello without one. hyper's own 30 s
//! header timeout (which closes idle keep-alive connections and stalled
//! request heads) starts only after. So a client that connects and sends
//! nothing holds a socket and a task for ever, and enough of them exhaust
//! the process's descriptors.
//!
//! Dropshot binds and accepts itself and offers no hook on connections, and
//! a proxy of our own in front would cost every request a second hop and
//! hide the client address. So the guard works beside it: every few seconds
//! it looks through the process's own sockets (`/proc/self/fd`), and one
//! that is connected to the server's address, has received no byte since
//! the kernel accepted it, and is older than the timeout is shut down (the
//! client sees the connection closed; Dropshot's task then ends and closes
//! the descriptor). Under TLS, so is one to which the server has sent
//! nothing (no server hello: its client hello never arrived whole) and that
//! has been silent that long. A request in flight needs a whole request
//! (and under TLS a finished handshake), so none — however slow — is ever
//! cut. Not covered: a TLS client that finishes its handshake and then
//! sends nothing looks, from here, like a request being answered slowly.
//! Linux only: elsewhere the guard does nothing and says so in the log.
//!
//! The guard ends when the server's listening socket is gone.

use std::net::SocketAddr;
use std::time::Duration;

/// Watches the server listening on `local` (serving TLS if `tls`), closing
/// its connections that stay silent for `timeout` after they were accepted.
pub fn spawn(local: SocketAddr, tls: bool, timeout: Duration, log: slog::Logger) {
    if !cfg!(target_os = "linux") {
        slog::warn!(log, "idle connections are not closed on this system");
        return;
    }
    let every = (timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(5));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match tokio::task::spawn_blocking(move || sweep(local, tls, timeout)).await {
                Ok(Ok(Sweep { listening: false, .. })) => return,
                Ok(Ok(Sweep { closed, .. })) if closed > 0 => {
                    slog::info!(log, "closed idle connections"; "count" => closed, "silent_for_s" => timeout.as_secs_f64());
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => slog::warn!(log, "cannot look for idle connections"; "error" => %e),
                Err(_) => return,
            }
        }
    });
}

/// What one look through the process's sockets found.
struct Sweep {
    /// The server still listens.
    listening: bool,
    /// Connections shut down.
    closed: usize,
}

#[cfg(target_os = "linux")]
fn sweep(local: SocketAddr, tls: bool, timeout: Duration) -> std::io::Result<Sweep> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let mut found = Sweep { listening: false, closed: 0 };
    let timeout_ms = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
    for entry in std::fs::read_dir("/proc/self/fd")? {
        let Ok(entry) = entry else { continue };
        let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
        if !std::fs::read_link(entry.path()).is_ok_and(|target| target.to_string_lossy().starts_with("socket:")) {
            continue;
        }
        // A duplicate pins the socket looked at: if its descriptor is closed
        // and reused meanwhile, the checks and the shutdown below still
        // concern one and the same socket.
        // SAFETY: F_DUPFD_CLOEXEC returns a new descriptor or -1, and the new
        // one is owned (and closed) by the OwnedFd alone.
        let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
        if dup < 0 {
            continue;
        }
        let socket = unsafe { OwnedFd::from_raw_fd(dup) };
        let raw = socket.as_raw_fd();
        if local_address(raw).is_none_or(|addr| !same_endpoint(addr, local)) {
            continue;
        }
        if option::<libc::c_int>(raw, libc::SOL_SOCKET, libc::SO_ACCEPTCONN).is_some_and(|listening| listening != 0) {
            found.listening = true;
            continue;
        }
        let Some(info) = option::<libc::tcp_info>(raw, libc::IPPROTO_TCP, libc::TCP_INFO) else { continue };
        // Established, nothing ever received (or, under TLS, nothing ever
        // sent), and silent for the timeout (with nothing received, the
        // kernel counts from the TCP handshake).
        let silent = info.tcpi_bytes_received == 0 || (tls && info.tcpi_bytes_acked == 0);
        if info.tcpi_state == 1 && silent && info.tcpi_last_data_recv >= timeout_ms {
            // SAFETY: shutdown on a descriptor we own; it fails harmlessly
            // if the peer has gone already.
            if unsafe { libc::shutdown(raw, libc::SHUT_RDWR) } == 0 {
                found.closed += 1;
            }
        }
    }
    Ok(found)
}

#[cfg(not(target_os = "linux"))]
fn sweep(_: SocketAddr, _: bool, _: Duration) -> std::io::Result<Sweep> {
    Ok(Sweep { listening: false, closed: 0 })
}

/// The server's own address matches a connection's local address: the
/// same port, and the same IP unless the server listens on all of them.
fn same_endpoint(socket: SocketAddr, server: SocketAddr) -> bool {
    socket.port() == server.port() && (server.ip().is_unspecified() || socket.ip() == server.ip())
}

/// A socket option's value, if the socket has it.
#[cfg(target_os = "linux")]
fn option<T>(fd: i32, level: libc::c_int, name: libc::c_int) -> Option<T> {
    let mut value = std::mem::MaybeUninit::<T>::zeroed();
    let mut len = std::mem::size_of::<T>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes into `value`, which is
    // zeroed, and every `T` used here is plain data valid when zeroed.
    let rc = unsafe { libc::getsockopt(fd, level, name, value.as_mut_ptr().cast(), &mut len) };
    (rc == 0).then(|| unsafe { value.assume_init() })
}

/// The local address of an IPv4 or IPv6 socket.
#[cfg(target_os = "linux")]
fn local_address(fd: i32) -> Option<SocketAddr> {
    let mut storage = std::mem::MaybeUninit::<libc::sockaddr_storage>::zeroed();
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: getsockname writes at most `len` bytes into the storage.
    if unsafe { libc::getsockname(fd, storage.as_mut_ptr().cast(), &mut len) } != 0 {
        return None;
    }
    // SAFETY: zeroed storage is valid; the family says which view applies.
    let storage = unsafe { storage.assume_init() };
    match i32::from(storage.ss_family) {
        libc::AF_INET => {
            // SAFETY: an AF_INET address is a sockaddr_in.
            let v4 = unsafe { *(&storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
            let ip = std::net::Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr));
            Some(SocketAddr::from((ip, u16::from_be(v4.sin_port))))
        }
        libc::AF_INET6 => {
            // SAFETY: an AF_INET6 address is a sockaddr_in6.
            let v6 = unsafe { *(&storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>() };
            let ip = std::net::Ipv6Addr::from(v6.sin6_addr.s6_addr);
            Some(SocketAddr::from((ip, u16::from_be(v6.sin6_port))))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_on_every_address_owns_its_port_on_each() {
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let one: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert!(same_endpoint("127.0.0.1:8080".parse().unwrap(), any));
        assert!(same_endpoint("127.0.0.1:8080".parse().unwrap(), one));
        assert!(!same_endpoint("127.0.0.2:8080".parse().unwrap(), one));
        assert!(!same_endpoint("127.0.0.1:8081".parse().unwrap(), any));
    }
}
