//! Footage and its index kept in step (BJS-4): start-up recovery of segment files a crash
//! left without an index row, and the footage checks of `custos check` — files missing,
//! files not in the index, and files whose decrypted contents no longer hash to what the
//! index recorded.
//!
//! Invariants: recovery only ever indexes whole records (a record cut short by the crash is
//! cut off the file, so the file and its row agree); it runs only while this process holds
//! the footage lock, so no recorder is writing the files it looks at; checks never change
//! anything.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use custos_domain::Ident;
use custos_domain::ledger::to_hex;
use custos_media::segfile::{self, FileKind};
use custos_store::Store;
use custos_store::recordings::{FragmentIndex, Segment};
use sha2::{Digest, Sha256};

/// The lock a recorder holds on the footage folder while it writes.
pub struct FootageLock {
    _file: std::fs::File,
}

/// Takes the footage lock, or `None` if another process holds it.
pub fn try_lock(footage: &Path) -> anyhow::Result<Option<FootageLock>> {
    std::fs::create_dir_all(footage)
        .with_context(|| format!("cannot create the footage folder {}", footage.display()))?;
    let path = footage.join(".recorder.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(FootageLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// A footage file found on disk.
struct Found {
    rel: String,
    abs: PathBuf,
    camera: String,
    day: String,
    name: String,
}

fn walk(footage: &Path) -> anyhow::Result<Vec<Found>> {
    let mut out = Vec::new();
    let Ok(cameras) = std::fs::read_dir(footage) else {
        return Ok(out);
    };
    for cam in cameras.flatten() {
        if !cam.path().is_dir() {
            continue;
        }
        let camera = cam.file_name().to_string_lossy().into_owned();
        for day in std::fs::read_dir(cam.path())?.flatten() {
            if !day.path().is_dir() {
                continue;
            }
            let day_name = day.file_name().to_string_lossy().into_owned();
            for f in std::fs::read_dir(day.path())?.flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                if name.ends_with(".cseg") || name.ends_with(".cinit") {
                    out.push(Found {
                        rel: format!("{camera}/{day_name}/{name}"),
                        abs: f.path(),
                        camera: camera.clone(),
                        day: day_name.clone(),
                        name,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

/// Indexes segment files that a crash left without a row; returns a line per file.
/// Call only while holding the footage lock.
pub async fn reconcile(store: &Store, footage: &Path) -> anyhow::Result<Vec<String>> {
    let mut done = Vec::new();
    let known: std::collections::HashSet<String> = store
        .segments(None, None, i64::MIN, i64::MAX)
        .await?
        .into_iter()
        .map(|s| s.path)
        .collect();
    for f in walk(footage)? {
        if !f.name.ends_with(".cseg") || known.contains(&f.rel) {
            continue;
        }
        // {start_ms}-{stream}-{init}.cseg
        let stem = f.name.trim_end_matches(".cseg");
        let mut parts = stem.splitn(3, '-');
        let (Some(start), Some(stream), Some(init)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Ok(camera) = Ident::parse(&f.camera) else {
            continue;
        };
        let init_id = format!("{camera}-{init}");
        if store.init_segment(&init_id).await?.is_none() {
            done.push(format!(
                "{}: left aside — its init segment {init_id} is not indexed",
                f.rel
            ));
            continue;
        }
        // A day whose key retention destroyed has no footage left to recover.
        let key = match store.data_key(&camera, &f.day).await {
            Ok(k) => k,
            Err(e) => {
                done.push(format!("{}: left aside — {e}", f.rel));
                continue;
            }
        };
        let contents = match segfile::read_records(&f.abs, key.bytes()) {
            Ok(c) => c,
            Err(e) => {
                done.push(format!("{}: left aside — {e}", f.rel));
                continue;
            }
        };
        if contents.whole_bytes < contents.file_bytes {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&f.abs)
                .with_context(|| format!("cannot open {}", f.abs.display()))?;
            file.set_len(contents.whole_bytes)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot cut {} to its whole records", f.abs.display()))?;
        }
        if contents.records.is_empty() {
            std::fs::remove_file(&f.abs)
                .with_context(|| format!("cannot remove {}", f.abs.display()))?;
            done.push(format!("{}: held no whole fragment; removed", f.rel));
            continue;
        }
        let mut hasher = Sha256::new();
        let mut fragments = Vec::new();
        let mut offset = 0u64;
        let mut frames = 0u64;
        let mut end = 0i64;
        for r in &contents.records {
            hasher.update(&r.plaintext);
            let info = custos_media::mp4::fragments(&r.plaintext)
                .next()
                .and_then(Result::ok);
            fragments.push(FragmentIndex {
                offset,
                len: r.plaintext.len() as u64,
                start_unix_ms: r.meta.start_unix_ms,
                frames: r.meta.frames,
                decode_base_90k: info.as_ref().map_or(0, |i| i.base_decode_time_90k),
                decode_duration_90k: info.as_ref().map_or(0, |i| i.duration_90k),
            });
            offset += r.plaintext.len() as u64;
            frames += u64::from(r.meta.frames);
            end = r.meta.start_unix_ms + i64::from(r.meta.duration_ms);
        }
        let start_ms = contents.records[0].meta.start_unix_ms;
        let _ = start;
        store
            .add_segment(&Segment {
                path: f.rel.clone(),
                camera,
                stream: stream.to_owned(),
                init_id,
                day: f.day.clone(),
                start_unix_ms: start_ms,
                end_unix_ms: end,
                frames,
                bytes: offset,
                sha256: to_hex(&hasher.finalize()),
                fragments,
                recovered: true,
            })
            .await?;
        done.push(format!(
            "{}: recovered {} fragment(s) written before an interruption",
            f.rel,
            contents.records.len()
        ));
    }
    Ok(done)
}

/// The footage checks: every indexed file is there and decrypts to what the index says;
/// every file is indexed. When `recording` (another process holds the footage lock), the
/// newest unindexed segment file of each camera is the one being written and is not a
/// problem.
pub async fn check(
    store: &Store,
    footage: &Path,
    recording: bool,
    report: &mut custos_store::CheckReport,
) -> anyhow::Result<()> {
    let segments = store.segments(None, None, i64::MIN, i64::MAX).await?;
    let mut indexed: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut bad = 0usize;
    for s in &segments {
        indexed.insert(s.path.clone());
        let abs = footage.join(&s.path);
        if !abs.exists() {
            report.problems.push(format!(
                "footage missing: {} is indexed but not on disk",
                s.path
            ));
            bad += 1;
            continue;
        }
        let key = match store.data_key(&s.camera, &s.day).await {
            Ok(k) => k,
            Err(e) => {
                report.problems.push(format!("footage {}: {e}", s.path));
                bad += 1;
                continue;
            }
        };
        match segfile::read_records(&abs, key.bytes()) {
            Err(e) => {
                report.problems.push(format!("footage {}: {e}", s.path));
                bad += 1;
            }
            Ok(c) => {
                let mut h = Sha256::new();
                let mut n = 0u64;
                for r in &c.records {
                    h.update(&r.plaintext);
                    n += r.plaintext.len() as u64;
                }
                if c.whole_bytes != c.file_bytes
                    || n != s.bytes
                    || to_hex(&h.finalize()) != s.sha256
                {
                    report.problems.push(format!(
                        "footage changed: {} no longer matches the SHA-256 recorded when it was written",
                        s.path
                    ));
                    bad += 1;
                }
            }
        }
    }
    let mut inits = 0usize;
    let found = walk(footage)?;
    // The newest unindexed segment per camera, which a running recorder may be writing.
    let mut newest_open: std::collections::HashMap<String, String> =
        std::collections::HashMap::new();
    if recording {
        for f in found
            .iter()
            .filter(|f| f.name.ends_with(".cseg") && !indexed.contains(&f.rel))
        {
            let e = newest_open.entry(f.camera.clone()).or_default();
            if f.name > *e {
                e.clone_from(&f.name);
            }
        }
    }
    for f in &found {
        if f.name.ends_with(".cinit") {
            let id = format!(
                "{}-{}",
                f.camera,
                f.name
                    .trim_start_matches("init-")
                    .trim_end_matches(".cinit")
            );
            match store.init_segment(&id).await? {
                Some(init) if init.path == f.rel => {
                    inits += 1;
                    if let Ok(camera) = Ident::parse(&f.camera)
                        && let Ok(key) = store.data_key(&camera, &init.day).await
                    {
                        let ok = segfile::read_records(&f.abs, key.bytes()).is_ok_and(|c| {
                            c.kind == FileKind::Init
                                && c.records.len() == 1
                                && to_hex(&Sha256::digest(&c.records[0].plaintext)) == init.sha256
                        });
                        if !ok {
                            report.problems.push(format!(
                                "footage changed: init segment {} no longer matches its SHA-256",
                                f.rel
                            ));
                        }
                    }
                }
                _ => report.problems.push(format!(
                    "footage not indexed: {} (an init segment with no row)",
                    f.rel
                )),
            }
            continue;
        }
        if indexed.contains(&f.rel) {
            continue;
        }
        if newest_open.get(&f.camera) == Some(&f.name) {
            continue;
        }
        report.problems.push(format!(
            "footage not indexed: {} (start the recorder to recover it, or investigate)",
            f.rel
        ));
    }
    if bad == 0 {
        report.passed.push(format!(
            "footage intact: {} segment(s) and {inits} init segment(s) decrypt and match their recorded SHA-256",
            segments.len()
        ));
    }
    let _ = Path::new("");
    Ok(())
}
