//! Builds the plugin (dev profile, `assert_process_allocs`) and bundles it with the real bundler.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The plugin's cargo package.
const PLUGIN_PACKAGE: &str = "instrumeter";
/// The bundle name `bundler.toml` gives the package.
const BUNDLE_NAME: &str = "Instrumeter";
/// The folder under the target dir the test bundles go to, away from the user's `target/bundled/`.
const HOST_TEST_DIR: &str = "host-test";

/// The CLAP bundle of a fresh dev build with `assert_process_allocs`; built once per test process.
pub fn built_clap_bundle() -> PathBuf {
    static BUNDLE: OnceLock<PathBuf> = OnceLock::new();
    BUNDLE.get_or_init(build_and_bundle).clone()
}

/// The workspace root: the parent of this crate's manifest dir.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate lives inside the workspace").to_path_buf()
}

/// Cargo's target dir as `cargo metadata` gives it (so `CARGO_TARGET_DIR` and `build.target-dir`
/// count, as they do for the bundler); `CARGO_TARGET_DIR` or `target/` if cargo cannot be asked.
pub fn target_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| match (cargo_target_dir(&mut metadata_command()), std::env::var_os("CARGO_TARGET_DIR")) {
        (Some(dir), _) => dir,
        (None, Some(dir)) => workspace_root().join(dir),
        (None, None) => workspace_root().join("target"),
    })
    .clone()
}

/// `cargo metadata` for this workspace, without dependencies (fast, no network).
fn metadata_command() -> cargo_metadata::MetadataCommand {
    let mut command = cargo_metadata::MetadataCommand::new();
    command.manifest_path(workspace_root().join("Cargo.toml")).no_deps();
    command
}

fn cargo_target_dir(command: &mut cargo_metadata::MetadataCommand) -> Option<PathBuf> {
    command.exec().ok().map(|metadata| metadata.target_directory.into_std_path_buf())
}

/// Where `cargo xtask bundle instrumeter --release` puts the CLAP plugin.
pub fn release_clap_bundle() -> PathBuf {
    clap_bundle_path(&target_dir())
}

fn build_and_bundle() -> PathBuf {
    let root = workspace_root();
    build_plugin_with_alloc_checks(&root);
    let bundle_target = host_test_target_dir();
    // The bundler reads `bundler.toml` from the current directory.
    std::env::set_current_dir(&root)
        .unwrap_or_else(|e| panic!("cannot chdir to the workspace root {}: {e}", root.display()));
    nice_plug_xtask::bundle(&bundle_target, PLUGIN_PACKAGE, &[], false)
        .unwrap_or_else(|e| panic!("bundling {PLUGIN_PACKAGE} into {} failed: {e:#}", bundle_target.display()));
    let clap = clap_bundle_path(&bundle_target);
    assert!(clap.exists(), "the bundler reported success but {} does not exist", clap.display());
    clap
}

/// `cargo build -p instrumeter --features assert_process_allocs` with the cargo that runs the tests.
fn build_plugin_with_alloc_checks(root: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .current_dir(root)
        .args(["build", "-p", PLUGIN_PACKAGE, "--features", "assert_process_allocs"])
        .status()
        .unwrap_or_else(|e| panic!("could not run {cargo:?} to build the plugin: {e}"));
    assert!(
        status.success(),
        "`cargo build -p {PLUGIN_PACKAGE} --features assert_process_allocs` failed ({status}); see its output above"
    );
}

/// `target/host-test/`, with `debug -> ../debug` so the bundler finds the dev build there.
fn host_test_target_dir() -> PathBuf {
    let dir = target_dir().join(HOST_TEST_DIR);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    link_dev_build_dir(&dir.join("debug"));
    dir
}

/// Makes `link` a symlink to `../debug`, replacing anything else that is there.
fn link_dev_build_dir(link: &Path) {
    let wanted = Path::new("../debug");
    if std::fs::read_link(link).is_ok_and(|target| target == wanted) {
        return;
    }
    if link.symlink_metadata().is_ok() {
        std::fs::remove_file(link)
            .or_else(|_| std::fs::remove_dir_all(link))
            .unwrap_or_else(|e| panic!("cannot replace {}: {e}", link.display()));
    }
    symlink_dir(wanted, link).unwrap_or_else(|e| panic!("cannot link {} -> {}: {e}", link.display(), wanted.display()));
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}

/// Whether `needle` occurs anywhere in the file (e.g. a crate name in a binary's symbols).
pub fn file_contains(path: &Path, needle: &[u8]) -> bool {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    bytes.windows(needle.len()).any(|window| window == needle)
}

/// Where the bundler puts the CLAP plugin (a single library file on Linux and Windows).
fn clap_bundle_path(bundle_target: &Path) -> PathBuf {
    bundle_target.join("bundled").join(format!("{BUNDLE_NAME}.clap"))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// Every `name version` in `cargo tree` output with each feature set it is built with (a crate
    /// built for the host and for the target may appear with two).
    fn feature_sets(tree_args: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(&cargo)
            .current_dir(workspace_root())
            .args(["tree", "--prefix", "none", "--no-dedupe", "--format", "{p}|{f}"])
            .args(tree_args)
            .output()
            .unwrap_or_else(|e| panic!("could not run {cargo:?} tree: {e}"));
        assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
        let mut sets = BTreeMap::<String, BTreeSet<String>>::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Some((package, features)) = line.split_once('|') else { continue };
            let mut words = package.split_whitespace();
            let name_version = format!("{} {}", words.next().unwrap_or_default(), words.next().unwrap_or_default());
            sets.entry(name_version).or_default().insert(features.to_string());
        }
        sets
    }

    /// The alloc-checked build reuses the test build's dependencies only while every third-party
    /// crate gets the same features in both (the workspace-hack crate sees to it): otherwise it
    /// rebuilds ~200 crates, 7 minutes of CI.
    #[test]
    fn the_alloc_checked_build_shares_the_test_builds_dependencies() {
        let alone = feature_sets(&["-p", PLUGIN_PACKAGE, "--features", "assert_process_allocs", "-e", "normal,build"]);
        let workspace = feature_sets(&["--workspace", "-e", "normal,build,dev"]);
        assert!(alone.keys().any(|package| package.starts_with("tract-core ")), "cargo tree listed no tract-core: {alone:?}");
        assert!(workspace.len() > alone.len(), "the workspace has more crates than the plugin");
        // The feature itself, and the crates it switches on.
        let expected = ["instrumeter ", "nice-plug ", "nice-plug-core "];
        let differing: Vec<String> = alone
            .iter()
            .filter(|(package, _)| !expected.iter().any(|name| package.starts_with(name)))
            .filter(|(package, features)| workspace.get(*package).is_some_and(|other| other != *features))
            .map(|(package, features)| format!("{package}: {features:?} alone, {:?} in the workspace", workspace[package]))
            .collect();
        assert!(differing.is_empty(), "run `cargo hakari generate && cargo hakari manage-deps`; features differ:\n{}", differing.join("\n"));
    }

    #[test]
    fn the_target_dir_is_where_cargo_builds() {
        let elsewhere = tempfile::tempdir().unwrap();
        let mut command = metadata_command();
        command.env("CARGO_TARGET_DIR", elsewhere.path());
        assert_eq!(cargo_target_dir(&mut command).as_deref(), Some(elsewhere.path()));
        assert!(release_clap_bundle().starts_with(target_dir()) && release_clap_bundle().ends_with("bundled/Instrumeter.clap"));
    }

    #[test]
    fn a_missing_bundle_is_an_error_that_names_the_command_that_builds_it() {
        let missing = tempfile::tempdir().unwrap().path().join("bundled/Instrumeter.clap");
        let error = crate::host::ClapLibrary::open(&missing).err().expect("a missing library is an error, not a panic");
        assert!(error.contains("cargo xtask bundle instrumeter --release"), "{error}");
    }
}
