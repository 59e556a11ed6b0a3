//! A scene for evidence upload tests: a bureau, a laptop enrolled with it through a link the
//! test controls, and recordings imported into an inspection that was then finalized, so the
//! bureau already holds their references (their uploads left paused until the test says).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use fieldcase_device::demo::{answer_all, check_two_officers};
use fieldcase_device::evidence::sample::boxes::{ftyp, mdat};
use fieldcase_device::{Device, OpenMode};

use crate::{Bureau, DeviceDir, FaultyLink};

/// A pattern each recording holds once, in its middle, for a link to damage.
pub const MARKER: &[u8] = b"--fieldcase-marker-in-the-middle--";

/// One recording: its evidence id at the bureau, where it lies, its size.
#[derive(Debug, Clone)]
pub struct Recording {
    pub evidence_id: String,
    pub path: PathBuf,
    pub size: u64,
}

#[derive(Debug)]
pub struct UploadScene {
    pub bureau: Bureau,
    pub link: FaultyLink,
    pub device: DeviceDir,
    /// In the order given.
    pub recordings: Vec<Recording>,
    pub tmp: tempfile::TempDir,
}

impl UploadScene {
    /// A recording of each size, imported, the inspection finalized and synced, every upload
    /// paused: `fieldcase evidence resume --all` lets the laptop send them.
    pub fn start(sizes: &[u64]) -> Result<Self> {
        let tmp = tempfile::tempdir()?;
        let bureau = Bureau::start(&tmp.path().join("bureau"))?;
        let link = FaultyLink::start(&bureau.addr)?;
        let device = DeviceDir::new(tmp.path().join("device"));
        device.enroll_and_sign_in_through(&bureau, &link.url())?;
        device.cli(&["site", "add", "--name", "甲建筑公司", "--uscc", "91350100M000100Y43"])?;
        let inspection = device.cli(&["inspection", "new", "--site", "91350100M000100Y43"])?.trim().to_owned();
        let folder = tmp.path().join("recorder");
        let mut paths = Vec::new();
        for (n, size) in sizes.iter().enumerate() {
            let path = folder.join(format!("ZFY_A0123_JC0107_2026120109{:02}00.MP4", 30 + n));
            write_recording(&path, *size)?;
            paths.push(path);
        }
        device.cli(&["evidence", "import", folder.to_str().context("a UTF-8 path")?, "--inspection", &inspection])?;
        // Evidence travels after the seal that covers it: the officers finish the inspection.
        {
            let mut laptop = Device::open(&device.dir, OpenMode::MustExist)?;
            let id = inspection.parse()?;
            answer_all(&mut laptop, id, &[])?;
            check_two_officers(&mut laptop, id)?;
            laptop.finalize(id, None)?;
        }
        device.cli(&["evidence", "pause", "--all"])?;
        let out = device.sync_once();
        anyhow::ensure!(
            out.status.success(),
            "the references reach the bureau: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listed = device.json(&["evidence", "list"])?;
        let recordings = paths
            .into_iter()
            .map(|path| {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                let item = listed
                    .as_array()
                    .and_then(|items| items.iter().find(|i| i["original_name"] == name))
                    .with_context(|| format!("{name} is listed"))?;
                Ok(Recording {
                    evidence_id: item["id"].as_str().context("an id")?.to_owned(),
                    size: item["size"].as_u64().context("a size")?,
                    path,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(UploadScene { bureau, link, device, recordings, tmp })
    }

    /// The device's token at the bureau, for a client other than the laptop's own.
    pub fn token(&self) -> Result<String> {
        let device = Device::open(&self.device.dir, OpenMode::MustExist)?;
        Ok(device.enrollment()?.context("the laptop is enrolled")?.token)
    }
}

/// An MP4 of `size` bytes whose media bytes differ everywhere, with [`MARKER`] in the middle.
pub fn write_recording(path: &Path, size: u64) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let head = ftyp(b"isom");
    let body_len = usize::try_from(size)? - head.len() - 8;
    let mut media: Vec<u8> = (0..body_len as u64).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let middle = body_len / 2;
    media[middle..middle + MARKER.len()].copy_from_slice(MARKER);
    let mut bytes = head;
    bytes.extend(mdat(&media));
    std::fs::write(path, bytes)?;
    Ok(())
}
