//! The servers operations' request path: query string and JSON body.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hostadmin_api::fuzzing::servers_request(data);
});
