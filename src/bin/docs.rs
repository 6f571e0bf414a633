//! `cargo xtask docs [--out DIR] [--try-it-base URL]`: writes the docs
//! portal (generated from the spec at build time) to a directory, as a
//! static site. "Try it" is off there (no service behind a static host)
//! unless `--try-it-base` names the service its requests go to.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut out = PathBuf::from("target/docs");
    let mut try_it_base = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().map(PathBuf::from).expect("--out takes a directory"),
            "--try-it-base" => try_it_base = Some(args.next().expect("--try-it-base takes a URL")),
            other => {
                eprintln!("usage: docs [--out DIR] [--try-it-base URL] (unknown argument {other:?})");
                std::process::exit(2);
            }
        }
    }
    for (path, content) in hostadmin_api::docs::FILES {
        let file = out.join(path);
        std::fs::create_dir_all(file.parent().expect("portal files live in a directory"))?;
        if *path == "assets/try-it-config.js" {
            std::fs::write(&file, hostadmin_codegen::docs::try_it_config(try_it_base.as_deref()))?;
        } else {
            std::fs::write(&file, content)?;
        }
    }
    let try_it = try_it_base.map_or("off".to_string(), |url| format!("sends to {url}"));
    println!("docs: {} files in {} (Try it {try_it})", hostadmin_api::docs::FILES.len(), out.display());
    Ok(())
}
