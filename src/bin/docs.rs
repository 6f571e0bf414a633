//! `cargo xtask docs [--out DIR]`: writes the docs portal (generated from
//! the spec at build time) to a directory.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut out = PathBuf::from("target/docs");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().map(PathBuf::from).expect("--out takes a directory"),
            other => {
                eprintln!("usage: docs [--out DIR] (unknown argument {other:?})");
                std::process::exit(2);
            }
        }
    }
    for (path, content) in hostadmin_api::docs::FILES {
        let file = out.join(path);
        std::fs::create_dir_all(file.parent().expect("portal files live in a directory"))?;
        std::fs::write(&file, content)?;
    }
    println!("docs: {} files in {}", hostadmin_api::docs::FILES.len(), out.display());
    Ok(())
}
