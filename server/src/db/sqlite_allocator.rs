//! SQLite allocates through mimalloc, the process's own allocator.
//!
//! The bundled SQLite calls the C library's `malloc` unless told otherwise,
//! so every statement it prepares and every row it decodes went through
//! glibc's arenas even after the Rust side moved to mimalloc (see
//! `main.rs`): `malloc`, `free` and their consolidation were a twelfth of a
//! `match` list's time by `perf`. SQLite takes its allocator from
//! `sqlite3_config(SQLITE_CONFIG_MALLOC)`, which only works before its
//! first use in the process, so the binaries call [`use_mimalloc`] first
//! thing in `main`; anything else (tests, a library user) keeps the C
//! library's, which is equally correct.

use std::ffi::{c_int, c_void};

use libmimalloc_sys as mi;
use libsqlite3_sys as ffi;

unsafe extern "C" fn allocate(bytes: c_int) -> *mut c_void {
    // SQLite never asks for a size of zero or less.
    unsafe { mi::mi_malloc(bytes as usize) }
}

unsafe extern "C" fn free(pointer: *mut c_void) {
    unsafe { mi::mi_free(pointer) }
}

unsafe extern "C" fn reallocate(pointer: *mut c_void, bytes: c_int) -> *mut c_void {
    unsafe { mi::mi_realloc(pointer, bytes as usize) }
}

/// What an allocation can hold (SQLite may use all of it). Its largest
/// request, 2^31 - 257 bytes, may be rounded past `c_int`'s range; such a
/// size is told as `c_int::MAX`, which it does hold.
unsafe extern "C" fn size(pointer: *mut c_void) -> c_int {
    c_int::try_from(unsafe { mi::mi_usable_size(pointer) }).unwrap_or(c_int::MAX)
}

/// SQLite asks for at most 2^31 - 256 bytes; mimalloc's size classes round
/// that up by at most an eighth, which would overflow, so such sizes stay.
unsafe extern "C" fn round_up(bytes: c_int) -> c_int {
    c_int::try_from(unsafe { mi::mi_good_size(bytes as usize) }).unwrap_or(bytes)
}

unsafe extern "C" fn init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn shutdown(_: *mut c_void) {}

/// Makes SQLite allocate with mimalloc; false if SQLite was already in use
/// in this process (it then keeps the C library's allocator).
///
/// # Safety
/// No other thread may be using SQLite, or start to, while this runs.
pub unsafe fn use_mimalloc() -> bool {
    let methods = ffi::sqlite3_mem_methods {
        xMalloc: Some(allocate),
        xFree: Some(free),
        xRealloc: Some(reallocate),
        xSize: Some(size),
        xRoundup: Some(round_up),
        xInit: Some(init),
        xShutdown: Some(shutdown),
        pAppData: std::ptr::null_mut(),
    };
    // SQLite copies the methods.
    unsafe {
        ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods as *const ffi::sqlite3_mem_methods) == ffi::SQLITE_OK
    }
}
