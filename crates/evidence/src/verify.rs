//! Checking a package offline, without the scheme's database (`custos package verify`):
//! every file against `SHA256SUMS`, `SHA256SUMS` against the scheme's signature, each
//! master segment against its proof of inclusion in the hour sealed into the ledger at
//! recording time, and each working copy against the master's samples.
//!
//! Invariants: the first problem found is reported with the file it concerns; a package
//! passes only if every check passes; nothing in the package is changed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use custos_domain::ledger::{EntryFields, Hash, entry_hash};
use sha2::{Digest, Sha256};

use crate::package::{
    ALLOWED_SIGNERS, PROOFS, PROOFS_FORMAT, PROOFS_FORMAT_1, Proofs, SUMS, SUMS_SIG, check_path,
};

/// A problem, naming the file it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct VerifyError {
    /// The file, relative to the package.
    pub file: String,
    /// What is wrong with it.
    pub problem: String,
}

fn problem(file: &str, problem: impl Into<String>) -> VerifyError {
    VerifyError {
        file: file.to_owned(),
        problem: problem.into(),
    }
}

/// What a passing package holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Files checked against `SHA256SUMS`.
    pub files: usize,
    /// The signing key's fingerprint (SHA256:…), to compare with the scheme's published key.
    pub signer_fingerprint: String,
    /// Master segments proved to be in their sealed hours.
    pub segments_proved: usize,
    /// Working copies whose samples match the master's.
    pub working_copies: usize,
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(custos_domain::ledger::to_hex(&h.finalize()))
}

/// Checks the package in `root`. `check_working` compares one working copy with its
/// master (the master's init segments and fragment files, in order): it returns a problem
/// in words, or `None` when the samples are the same.
pub fn verify(
    root: &Path,
    check_working: impl Fn(&[u8], &[(Vec<u8>, Vec<u8>)]) -> Option<String>,
) -> Result<Verified, VerifyError> {
    let read = |rel: &str| {
        std::fs::read(root.join(rel)).map_err(|e| problem(rel, format!("cannot be read: {e}")))
    };
    // 1. The checksums.
    let sums_bytes = read(SUMS)?;
    let sums_text =
        String::from_utf8(sums_bytes.clone()).map_err(|_| problem(SUMS, "is not text"))?;
    let mut sums: BTreeMap<String, String> = BTreeMap::new();
    for (n, line) in sums_text.lines().enumerate() {
        let (hash, rel) = line
            .split_once("  ")
            .ok_or_else(|| problem(SUMS, format!("line {} is not `HASH  FILE`", n + 1)))?;
        check_path(rel).map_err(|e| problem(SUMS, e.to_string()))?;
        sums.insert(rel.to_owned(), hash.to_owned());
    }
    let mut present = Vec::new();
    crate::package::files_under(root, root, &mut present)
        .map_err(|e| problem(&root.display().to_string(), e.to_string()))?;
    for rel in &present {
        if rel != SUMS && rel != SUMS_SIG && !sums.contains_key(rel) {
            return Err(problem(
                rel,
                "is not listed in SHA256SUMS: it was added after signing",
            ));
        }
    }
    for (rel, want) in &sums {
        let path = root.join(rel);
        let got = sha256_file(&path)
            .map_err(|e| problem(rel, format!("is missing or unreadable: {e}")))?;
        if &got != want {
            return Err(problem(
                rel,
                format!("its SHA-256 is {got}, not {want} as SHA256SUMS says: it has been changed"),
            ));
        }
    }
    // 2. The signature.
    let allowed = String::from_utf8(read(ALLOWED_SIGNERS)?)
        .map_err(|_| problem(ALLOWED_SIGNERS, "is not text"))?;
    let sig = String::from_utf8(read(SUMS_SIG)?).map_err(|_| problem(SUMS_SIG, "is not text"))?;
    let signer_fingerprint = crate::signature::verify(&allowed, &sums_bytes, &sig)
        .map_err(|e| problem(SUMS_SIG, e.to_string()))?;
    // 3. The proofs.
    let proofs: Proofs = serde_json::from_slice(&read(PROOFS)?)
        .map_err(|e| problem(PROOFS, format!("cannot be read: {e}")))?;
    if proofs.format != PROOFS_FORMAT && proofs.format != PROOFS_FORMAT_1 {
        return Err(problem(
            PROOFS,
            format!(
                "is in format {:?}; this version reads {PROOFS_FORMAT} and {PROOFS_FORMAT_1}",
                proofs.format
            ),
        ));
    }
    let checkpoints_required = proofs.format == PROOFS_FORMAT;
    let scheme_key = crate::signature::verifying_key(&allowed)
        .map_err(|e| problem(ALLOWED_SIGNERS, e.to_string()))?;
    for p in &proofs.segments {
        let listed = sums
            .get(&p.file)
            .ok_or_else(|| problem(&p.file, "has a proof but is not in SHA256SUMS"))?;
        if *listed != p.sha256 {
            return Err(problem(
                &p.file,
                "is not the segment recorded: its SHA-256 differs from the one sealed at recording time",
            ));
        }
        let hex = |h: &str, what: &str| {
            Hash::from_hex(h)
                .ok_or_else(|| problem(PROOFS, format!("{}: {what} is not a hash", p.file)))
        };
        let path: Vec<Hash> = p
            .path
            .iter()
            .map(|h| hex(h, "a proof step"))
            .collect::<Result<_, _>>()?;
        let root_hash = hex(&p.root, "the root")?;
        if !custos_domain::seal::verify_inclusion(
            &root_hash,
            &hex(&p.sha256, "the segment hash")?,
            p.leaf_index,
            p.leaf_count,
            &path,
        ) {
            return Err(problem(
                &p.file,
                "its proof does not lead to the root sealed for its hour: it is not the segment recorded",
            ));
        }
        let e = &p.ledger_entry;
        let recomputed = entry_hash(
            &hex(&e.prev_hash, "the ledger entry's previous hash")?,
            &EntryFields {
                seq: e.seq,
                at_unix_ms: e.at_unix_ms,
                actor: &e.actor,
                book: &e.book,
                kind: &e.kind,
                refs: &e.refs,
                body: &e.body,
            },
        );
        if recomputed.to_string() != e.hash {
            return Err(problem(
                &p.file,
                format!("the ledger entry {} in its proof has been altered", e.seq),
            ));
        }
        let sealed = serde_json::from_str::<serde_json::Value>(&e.body)
            .ok()
            .and_then(|b| {
                b.get("merkle_root")
                    .and_then(|r| r.as_str())
                    .map(str::to_owned)
            });
        if sealed.as_deref() != Some(p.root.as_str()) {
            return Err(problem(
                &p.file,
                format!(
                    "ledger entry {} does not seal the root its proof leads to",
                    e.seq
                ),
            ));
        }
    }
    // The seals' entries are in the scheme's signed ledger: each proof carries a checkpoint
    // for exactly its seal's entry, signed with the package's key (checked once every
    // proof has led to its seal, so a swapped segment is named as such first).
    for p in &proofs.segments {
        let e = &p.ledger_entry;
        if checkpoints_required || !p.checkpoint.is_empty() {
            let c = custos_domain::ledger::Checkpoint::parse_witness_line(p.checkpoint.trim())
                .ok_or_else(|| {
                    problem(
                        &p.file,
                        format!(
                            "its proof carries no valid checkpoint for ledger entry {}",
                            e.seq
                        ),
                    )
                })?;
            if c.seq != e.seq || c.hash.to_string() != e.hash {
                return Err(problem(
                    &p.file,
                    format!(
                        "the checkpoint in its proof is for another entry than the seal (entry {})",
                        e.seq
                    ),
                ));
            }
            if !c.signature_valid(&scheme_key) {
                return Err(problem(
                    &p.file,
                    format!(
                        "the checkpoint for ledger entry {} is not signed by the scheme's key",
                        e.seq
                    ),
                ));
            }
        }
    }
    // 4. Working copies: each camera's master, in order, against its working copy.
    let mut by_camera: BTreeMap<&str, Vec<&crate::package::SegmentProof>> = BTreeMap::new();
    for p in &proofs.segments {
        by_camera.entry(p.camera.as_str()).or_default().push(p);
    }
    let mut working_copies = 0;
    for (camera, segs) in by_camera {
        let working = format!("working/{camera}.mp4");
        let bytes = read(&working)?;
        let mut pieces: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for s in segs {
            let init = read(&s.init_file)?;
            let frags = read(&s.file)?;
            match pieces.last_mut() {
                Some((i, f)) if *i == init => f.extend_from_slice(&frags),
                _ => pieces.push((init, frags)),
            }
        }
        if let Some(why) = check_working(&bytes, &pieces) {
            return Err(problem(&working, why));
        }
        working_copies += 1;
    }
    Ok(Verified {
        files: sums.len(),
        signer_fingerprint,
        segments_proved: proofs.segments.len(),
        working_copies,
    })
}

/// Whether `working` (a progressive MP4) carries exactly the video samples of the master
/// `pieces` (each an init segment and its fragments, in order): the same decoder
/// configuration, and the same sample bytes in the same order with the same key frames.
/// Timing is not compared: the working copy places fragments on the wall clock. Returns
/// what differs, or `None`.
pub fn same_samples(working: &[u8], pieces: &[(Vec<u8>, Vec<u8>)]) -> Option<String> {
    use custos_media::mp4::remux::{fragment_video_samples, progressive_video_samples};
    let theirs = match progressive_video_samples(working) {
        Ok(s) => s,
        Err(e) => return Some(format!("cannot be read as an MP4 video: {e}")),
    };
    let mut ours = Vec::new();
    for (n, (init, frags)) in pieces.iter().enumerate() {
        match fragment_video_samples(init, frags) {
            Ok(s) if s.sample_entry != theirs.sample_entry => {
                return Some(format!(
                    "its decoder configuration is not the master's (master part {})",
                    n + 1
                ));
            }
            Ok(s) => ours.extend(s.samples),
            Err(e) => return Some(format!("its master cannot be read: {e}")),
        }
    }
    if theirs.samples.len() != ours.len() {
        return Some(format!(
            "has {} pictures where the master has {}",
            theirs.samples.len(),
            ours.len()
        ));
    }
    theirs
        .samples
        .iter()
        .zip(&ours)
        .position(|(a, b)| a.data != b.data || a.is_sync != b.is_sync)
        .map(|i| format!("picture {} differs from the master's", i + 1))
}
