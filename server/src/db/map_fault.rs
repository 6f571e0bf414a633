//! What the process says when a read through a memory map of the database
//! faults.
//!
//! SQLite maps the `-shm` file in every connection, the change stamp maps
//! its first page (`changes`), and the lookup connections map the database
//! file itself (`read_map_mib`). A read of a mapped page the kernel cannot
//! supply — the disk failed under the file, or another program truncated
//! it behind SQLite's back — is no error SQLite can return: the kernel
//! sends `SIGBUS`, whose default action ends the process with nothing but
//! "Bus error" from whoever started it. This handler writes why to
//! standard error first, then lets that default action happen: the handler
//! is reset as it runs (`SA_RESETHAND`), so returning re-runs the faulting
//! read, which ends the process as before (a core dump where enabled).
//! Refused: recovering from the fault (jumping out of the signal handler
//! over SQLite's and Rust's frames is undefined behaviour; the process's
//! memory may be mid-update), and reading without maps (`read_map_mib = 0`
//! does that for the database file, at the price measured in the README).

/// What the handler writes: fixed bytes, since a signal handler may do
/// little more than `write(2)`.
const MESSAGE: &[u8] = b"hostadmin: SIGBUS: a read of a memory-mapped database file failed (the disk \
failed under it, or another program truncated it behind SQLite's back); stopping. With read_map_mib = 0, \
such a read of the database file fails its request with 503 instead.\n";

extern "C" fn on_sigbus(_signal: libc::c_int) {
    // SAFETY: write(2) is async-signal-safe, and MESSAGE is static.
    unsafe { libc::write(libc::STDERR_FILENO, MESSAGE.as_ptr().cast(), MESSAGE.len()) };
}

/// Installs the handler, for the whole process: `hostadmin serve` calls it
/// once at start.
pub fn report_map_faults() -> std::io::Result<()> {
    // SAFETY: a zeroed sigaction is a valid value to fill in; the handler
    // only calls write(2); sigaction is given valid pointers.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESETHAND;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
