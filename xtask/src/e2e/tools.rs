//! `prometheus` and `promtool`, found or installed; the examples, built once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::io;

/// `prometheus` and `promtool`.
pub(crate) struct Tools {
    pub(crate) prometheus: PathBuf,
    pub(crate) promtool: PathBuf,
}

impl Tools {
    fn find() -> Option<Self> {
        Some(Self { prometheus: on_path("prometheus")?, promtool: on_path("promtool")? })
    }

    pub(crate) fn find_or_install() -> Result<Self, String> {
        if let Some(tools) = Self::find() {
            return Ok(tools);
        }
        let how = "install Prometheus 2.x with promtool (Debian/Ubuntu: `apt-get install prometheus`; \
                   elsewhere the release archive from the Prometheus project) and put `prometheus` \
                   and `promtool` on PATH";
        let debian = Path::new("/etc/debian_version").exists() && on_path("apt-get").is_some();
        if !(debian && is_root()) {
            return Err(format!("prometheus or promtool not found; {how}"));
        }
        println!("xtask e2e: installing prometheus with apt-get");
        for args in [
            &["update", "-qq"][..],
            &["install", "-y", "-qq", "--no-install-recommends", "prometheus"],
        ] {
            let status = Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdin(Stdio::null())
                .status()
                .map_err(io("apt-get"))?;
            if !status.success() {
                return Err(format!("`apt-get {}` failed ({status}); {how}", args.join(" ")));
            }
        }
        Self::find()
            .ok_or_else(|| format!("apt-get installed prometheus but it is not on PATH; {how}"))
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// Root, by the real user id in `/proc/self/status` (Linux; elsewhere, not root).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status.lines().any(|l| {
            l.strip_prefix("Uid:").and_then(|ids| ids.split_whitespace().next()) == Some("0")
        })
    })
}

/// Builds every example in one cargo call and returns their executables by name,
/// wherever the target dir is. In the dev profile and for the whole workspace, so
/// that features resolve as for `cargo test --workspace`, which CI runs first: its
/// artifacts are reused and only the examples are linked (`-p examples` would
/// resolve fewer features and rebuild the runtime and its dependents).
pub(crate) fn build_examples() -> Result<BTreeMap<String, PathBuf>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace =
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().ok_or("xtask has no parent dir")?;
    let out = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--quiet", "--workspace", "--examples", "--message-format=json"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(io("cargo build"))?;
    if !out.status.success() {
        return Err("building the examples failed (see above)".to_owned());
    }
    let messages = String::from_utf8_lossy(&out.stdout);
    let built: BTreeMap<String, PathBuf> = messages
        .lines()
        .filter(|line| {
            line.contains("\"compiler-artifact\"") && line.contains("\"kind\":[\"example\"]")
        })
        .filter_map(|line| {
            Some((json_string(line, "name")?, json_string(line, "executable")?.into()))
        })
        .collect();
    if built.is_empty() {
        return Err("cargo built the examples but named no executable".to_owned());
    }
    Ok(built)
}

/// The first `"key":"value"` of a cargo message line (its target's name comes
/// before any other `name`; paths have no escaped quotes).
fn json_string(line: &str, key: &str) -> Option<String> {
    let marker = format!("\"{key}\":\"");
    let start = line.find(&marker)? + marker.len();
    let end = start + line[start..].find('"')?;
    Some(line[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_artifact_lines() {
        let line = r#"{"reason":"compiler-artifact","package_id":"x","target":{"kind":["example"],"crate_types":["bin"],"name":"agent_api","src_path":"/w/examples/agent_api.rs"},"executable":"/t/debug/examples/agent_api","fresh":true}"#;
        assert_eq!(json_string(line, "name").as_deref(), Some("agent_api"));
        assert_eq!(json_string(line, "executable").as_deref(), Some("/t/debug/examples/agent_api"));
    }
}
