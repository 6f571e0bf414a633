//! `cargo xtask spec diff` and `spec release`: the gate that keeps clients
//! generated from the spec from breaking silently on an upgrade.
//!
//! Released documents are kept verbatim in `spec/released/VERSION.yaml`;
//! `spec/openapi.yaml` is the next one. The comparison and its rules are
//! `hostadmin_codegen::diff` (shared with the docs portal's changelog);
//! this module only finds the documents and decides what a version allows:
//! a breaking change needs a major bump, read as Cargo reads versions (the
//! leftmost non-zero number is the major one, so 0.1.x → 0.2.0 is major).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use hostadmin_codegen::diff::{diff, info_version, required_version, Change, Version};
use serde_json::Value;

/// The canonical spec and the folder of released ones, from the project root.
pub const SPEC: &str = "spec/openapi.yaml";
pub const RELEASED: &str = "spec/released";

fn parse(text: &str, label: &str) -> Result<Value> {
    serde_yaml::from_str(text).with_context(|| format!("{label} is not valid YAML"))
}

/// The released documents under `dir`, oldest first; each file's name must
/// be its `info.version`.
pub fn released(dir: &Path) -> Result<Vec<(Version, PathBuf)>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    for entry in entries {
        let path = entry?.path();
        let Some(stem) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".yaml")) else {
            continue;
        };
        let version = Version::parse(stem).map_err(anyhow::Error::msg).with_context(|| path.display().to_string())?;
        let doc = parse(&std::fs::read_to_string(&path)?, &path.display().to_string())?;
        let inside = info_version(&doc).map_err(anyhow::Error::msg)?;
        if inside != version {
            bail!("{} says info.version {inside}: a released file is named after its version", path.display());
        }
        out.push((version, path));
    }
    out.sort();
    Ok(out)
}

/// A document to compare against: a file, or `git:REV` (the canonical spec
/// as it was at REV).
pub fn load_base(root: &Path, base: &str) -> Result<(String, Value)> {
    let text = match base.strip_prefix("git:") {
        Some(rev) => {
            let out = Command::new("git")
                .arg("-C")
                .arg(root)
                .args(["show", &format!("{rev}:{SPEC}")])
                .output()
                .context("cannot run git")?;
            if !out.status.success() {
                bail!("git show {rev}:{SPEC}: {}", String::from_utf8_lossy(&out.stderr).trim());
            }
            String::from_utf8(out.stdout)?
        }
        None => std::fs::read_to_string(root.join(base)).with_context(|| format!("cannot read {base}"))?,
    };
    Ok((base.to_string(), parse(&text, base)?))
}

/// The verdict of a comparison.
#[derive(Debug)]
pub struct Report {
    pub from: Version,
    pub to: Version,
    pub changes: Vec<Change>,
}

impl Report {
    pub fn new(old: &Value, new: &Value) -> Result<Report> {
        Ok(Report {
            from: info_version(old).map_err(anyhow::Error::msg).context("the base")?,
            to: info_version(new).map_err(anyhow::Error::msg).context("the new document")?,
            changes: diff(old, new),
        })
    }

    pub fn breaking(&self) -> Vec<&Change> {
        self.changes.iter().filter(|c| c.breaking).collect()
    }

    /// The gate: fine unless a change breaks clients and the version was
    /// not raised as a major bump.
    pub fn gate(&self) -> Result<()> {
        let breaking = self.breaking();
        if breaking.is_empty() || self.from.allows_breaking(self.to) {
            return Ok(());
        }
        let list: Vec<String> = breaking.iter().map(|c| format!("  {c}")).collect();
        bail!(
            "{} breaking change(s) and info.version {} → {} is not a major bump (breaking changes need {} or later):\n{}",
            breaking.len(),
            self.from,
            self.to,
            required_version(self.from, &self.changes),
            list.join("\n")
        )
    }

    /// What `spec release` requires: a version above the last release, and
    /// a major one for breaking changes.
    pub fn release_check(&self) -> Result<()> {
        if self.to <= self.from {
            bail!("info.version {} is not above the last release {}: raise it first", self.to, self.from);
        }
        self.gate()
    }

    pub fn print(&self, from: &str, to: &str) {
        println!("spec diff: {from} ({}) → {to} ({})", self.from, self.to);
        for c in &self.changes {
            println!("{c}");
        }
        println!("spec diff: {} change(s), {} breaking", self.changes.len(), self.breaking().len());
    }
}

/// `cargo xtask spec diff [BASE]`: the canonical spec against BASE (a file
/// or `git:REV`; default: the last released version).
pub fn spec_diff(root: &Path, base: Option<&str>) -> Result<()> {
    let (label, old) = match base {
        Some(base) => load_base(root, base)?,
        None => match released(&root.join(RELEASED))?.pop() {
            Some((_, path)) => {
                let label = path.strip_prefix(root).unwrap_or(&path).display().to_string();
                load_base(root, &label)?
            }
            None => {
                println!("spec diff: nothing released yet under {RELEASED}: nothing to compare");
                return Ok(());
            }
        },
    };
    let new = parse(&std::fs::read_to_string(root.join(SPEC))?, SPEC)?;
    let report = Report::new(&old, &new)?;
    report.print(&label, SPEC);
    report.gate()
}

/// `cargo xtask spec release`: copies the canonical spec, verbatim, to
/// `spec/released/VERSION.yaml` once its version allows its changes.
pub fn release(root: &Path) -> Result<PathBuf> {
    let text = std::fs::read_to_string(root.join(SPEC))?;
    let new = parse(&text, SPEC)?;
    let version = info_version(&new).map_err(anyhow::Error::msg)?;
    let dir = root.join(RELEASED);
    let target = dir.join(format!("{version}.yaml"));
    if target.exists() {
        bail!("{version} is already released ({}): raise info.version in {SPEC}", target.display());
    }
    if let Some((_, last)) = released(&dir)?.pop() {
        let old = parse(&std::fs::read_to_string(&last)?, &last.display().to_string())?;
        let report = Report::new(&old, &new)?;
        report.print(&last.display().to_string(), SPEC);
        report.release_check()?;
    }
    std::fs::create_dir_all(&dir)?;
    std::fs::write(&target, text)?;
    println!("spec release: {SPEC} released as {}", target.display());
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        crate::project_root()
    }

    fn current() -> Value {
        parse(&std::fs::read_to_string(root().join(SPEC)).unwrap(), SPEC).unwrap()
    }

    /// A scratch project root holding `spec/openapi.yaml` = `spec` and the
    /// released files given.
    fn scratch(name: &str, spec: &Value, released_files: &[(&str, &Value)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-spec-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(RELEASED)).unwrap();
        std::fs::write(dir.join(SPEC), serde_yaml::to_string(spec).unwrap()).unwrap();
        for (version, doc) in released_files {
            std::fs::write(dir.join(RELEASED).join(format!("{version}.yaml")), serde_yaml::to_string(doc).unwrap())
                .unwrap();
        }
        dir
    }

    fn with_version(mut doc: Value, version: &str) -> Value {
        doc["info"]["version"] = version.into();
        doc
    }

    /// The two deliberate breaking changes of issue 19, on a copy of the
    /// real spec: a response field removed and an optional parameter made
    /// required. Each is named, and the gate refuses them at the same version.
    #[test]
    fn the_gate_names_a_removed_response_field_and_a_parameter_made_required() {
        let old = current();
        let mut new = old.clone();
        new["components"]["schemas"]["Server"]["properties"].as_object_mut().unwrap().remove("extname").unwrap();
        let params = new["paths"]["/api/v1/system/servers"]["get"]["parameters"].as_array_mut().unwrap();
        let level = params.iter_mut().find(|p| p["name"] == "level").expect("server_list has a level parameter");
        level["required"] = true.into();
        let report = Report::new(&old, &new).unwrap();
        let err = report.gate().unwrap_err().to_string();
        assert!(
            err.contains("BREAKING  GET /api/v1/system/servers: response 200 body field data[] field extname removed"),
            "{err}"
        );
        assert!(
            err.contains("BREAKING  GET /api/v1/system/servers/{ID}: response 200 body field extname removed"),
            "{err}"
        );
        assert!(err.contains("BREAKING  GET /api/v1/system/servers: query parameter level became required"), "{err}");
        assert!(
            err.contains(&format!("breaking changes need {}", required_version(report.from, &report.changes))),
            "{err}"
        );
        // A major bump (0.x: the minor number) lets them through.
        let bumped = with_version(new, &required_version(report.from, &report.changes).to_string());
        Report::new(&old, &bumped).unwrap().gate().unwrap();
    }

    #[test]
    fn a_compatible_change_passes_the_gate() {
        let old = current();
        let mut new = old.clone();
        let params = new["paths"]["/api/v1/system/servers"]["get"]["parameters"].as_array_mut().unwrap();
        params.push(serde_json::json!({"name": "tag", "in": "query", "required": false, "schema": {"type": "string"}}));
        new["components"]["schemas"]["Server"]["properties"]["note"] = serde_json::json!({"type": "string"});
        let report = Report::new(&old, &new).unwrap();
        assert!(report.breaking().is_empty(), "{:#?}", report.changes);
        assert!(
            report.changes.iter().any(|c| c.message == "optional query parameter tag added"),
            "{:#?}",
            report.changes
        );
        report.gate().unwrap();
    }

    #[test]
    fn the_canonical_spec_passes_against_the_last_release() {
        spec_diff(&root(), None).unwrap();
    }

    /// The people rewrite (issue before 19) is in 0.1.0's changelog as
    /// breaking, against the pre-release baseline kept as 0.0.0.
    #[test]
    fn the_people_rewrite_is_breaking_against_the_baseline() {
        let versions = released(&root().join(RELEASED)).unwrap();
        let v = |s: &str| Version::parse(s).unwrap();
        assert_eq!(versions.iter().map(|(v, _)| *v).collect::<Vec<_>>()[..2], [v("0.0.0"), v("0.1.0")]);
        let load = |p: &Path| parse(&std::fs::read_to_string(p).unwrap(), "").unwrap();
        let report = Report::new(&load(&versions[0].1), &load(&versions[1].1)).unwrap();
        let breaking: Vec<String> = report.breaking().iter().map(|c| c.to_string()).collect();
        for expected in [
            "BREAKING  POST /api/2.0/people: required request body field email added",
            "BREAKING  POST /api/2.0/people: request body field userName removed",
            "BREAKING  GET /api/2.0/people: response 200 body field response[] field Title may now be absent",
        ] {
            assert!(breaking.iter().any(|c| c.starts_with(expected)), "{expected} not in {breaking:#?}");
        }
        report.release_check().unwrap();
    }

    #[test]
    fn git_revisions_are_bases_too() {
        let (label, doc) = load_base(&root(), "git:HEAD").unwrap();
        assert_eq!(label, "git:HEAD");
        assert!(doc["paths"].is_object());
        let err = load_base(&root(), "git:no-such-revision-zz").unwrap_err().to_string();
        assert!(err.contains("no-such-revision-zz"), "{err}");
    }

    #[test]
    fn release_refuses_an_existing_version_and_a_bump_too_small() {
        let base = with_version(current(), "1.2.0");
        // Nothing changed, same version: already released.
        let dir = scratch("same", &base, &[("1.2.0", &base)]);
        let err = release(&dir).unwrap_err().to_string();
        assert!(err.contains("1.2.0 is already released"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
        // A breaking change with a minor bump: too small.
        let mut broken = with_version(base.clone(), "1.3.0");
        broken["components"]["schemas"]["Server"]["properties"].as_object_mut().unwrap().remove("extname");
        let dir = scratch("small", &broken, &[("1.2.0", &base)]);
        let err = release(&dir).unwrap_err().to_string();
        assert!(err.contains("1.2.0 → 1.3.0 is not a major bump") && err.contains("extname removed"), "{err}");
        assert!(!dir.join(RELEASED).join("1.3.0.yaml").exists());
        let _ = std::fs::remove_dir_all(dir);
        // A version lower than the last release.
        let dir = scratch("lower", &with_version(base.clone(), "1.1.9"), &[("1.2.0", &base)]);
        assert!(release(&dir).unwrap_err().to_string().contains("not above the last release 1.2.0"));
        let _ = std::fs::remove_dir_all(dir);
        // A major bump: released, verbatim.
        let dir = scratch("major", &with_version(broken, "2.0.0"), &[("1.2.0", &base)]);
        let written = release(&dir).unwrap();
        assert_eq!(std::fs::read(&written).unwrap(), std::fs::read(dir.join(SPEC)).unwrap());
        assert_eq!(released(&dir.join(RELEASED)).unwrap().len(), 2);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_released_file_must_be_named_after_its_version() {
        let doc = with_version(current(), "1.0.0");
        let dir = scratch("misnamed", &doc, &[("1.0.1", &doc)]);
        let err = format!("{:#}", released(&dir.join(RELEASED)).unwrap_err());
        assert!(err.contains("says info.version 1.0.0"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
