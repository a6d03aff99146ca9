//! Memory measured in a process of its own: a test re-runs the test binary on one ignored test
//! (the child), which prints what it measured.

/// Peak resident memory of this process (Linux `VmHWM`), in MiB.
pub fn peak_mib() -> u64 {
    status_mib("VmHWM:")
}

/// Resident memory of this process now (Linux `VmRSS`), in MiB.
pub fn resident_mib() -> u64 {
    status_mib("VmRSS:")
}

fn status_mib(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb / 1024
}

/// Forgets the peak so far: `peak_mib` then measures from here.
pub fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

/// Runs the ignored test `child` of this binary in a process of its own, with `env` set (the
/// child does nothing without it), and returns the numbers of its output line that starts
/// with `marker`.
pub fn run_child(child: &str, env: &str, marker: &str) -> Vec<u64> {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([child, "--exact", "--ignored", "--nocapture"])
        .env(env, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with(marker))
        .unwrap_or_else(|| panic!("{stdout}"));
    line.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}
