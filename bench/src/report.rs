//! Printing and recording one figure.

use std::io::Write;
use std::path::PathBuf;

#[derive(Debug)]
pub struct Figure<'a> {
    pub name: &'a str,
    pub value: f64,
    pub unit: &'a str,
    pub reference_name: &'a str,
    pub reference: f64,
    pub reference_unit: &'a str,
    /// The target in words, e.g. `>= 5000 records/s and ratio >= 0.3`.
    pub target: String,
    pub met: bool,
}

impl Figure<'_> {
    pub fn ratio(&self) -> f64 {
        if self.reference == 0.0 { f64::NAN } else { self.value / self.reference }
    }

    pub fn emit(&self) -> anyhow::Result<()> {
        println!(
            "bench {}: {:.1} {} | {}: {:.1} {} | ratio {:.3} | target {} | met {}",
            self.name,
            self.value,
            self.unit,
            self.reference_name,
            self.reference,
            self.reference_unit,
            self.ratio(),
            self.target,
            if self.met { "yes" } else { "no" }
        );
        let line = serde_json::json!({
            "bench": self.name,
            "value": self.value,
            "unit": self.unit,
            "reference": self.reference_name,
            "reference_value": self.reference,
            "reference_unit": self.reference_unit,
            "ratio": self.ratio(),
            "target": self.target,
            "met": self.met,
        });
        let dir = results_dir();
        std::fs::create_dir_all(&dir)?;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("results.jsonl"))?;
        writeln!(file, "{line}")?;
        Ok(())
    }
}

/// `target/bench`, next to the binaries.
pub fn results_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench knows its path");
    exe.parent().and_then(|p| p.parent()).map(|t| t.join("bench")).unwrap_or_else(|| PathBuf::from("target/bench"))
}

/// A running process's peak resident memory so far (VmHWM in `/proc/PID/status`), in MB.
pub fn peak_rss_mb(pid: u32) -> anyhow::Result<f64> {
    use anyhow::Context;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmHWM in /proc status")?;
    Ok(kb / 1024.0)
}
