//! Every input kept in `fuzz/regressions/` (seeds, and anything the fuzzer
//! once crashed on) goes through the request path again, without panicking.

#[test]
fn kept_fuzz_inputs_do_not_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        hostadmin_api::fuzzing::servers_request(&data);
        count += 1;
    }
    assert!(count >= 2, "the seeds are there");
}
