//! What an evidence package needs from the store (BDC-3, BDC-4, BDC-5, BJS-4): the
//! recorded segments of a range decrypted exactly as written, their init segments, and for
//! each segment its proof of inclusion in the camera-hour sealed into the ledger at
//! recording time, with the ledger entry that holds the seal.
//!
//! Invariants: every segment and init segment handed out has been checked against the
//! SHA-256 recorded when it was written, so a package can only be made of the original
//! bytes; a proof is handed out only if it leads to the root in the seal's ledger entry.

use std::path::Path;

use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::ledger::{Hash, StoredEntry, to_hex};
use custos_media::mp4::remux::Planner;
use custos_media::segfile::{self, Record};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::recordings::{HOUR_MS, InitSegment, Segment};
use crate::store::Store;

/// A segment's records being read on a blocking thread, or why they cannot be.
type ReadAhead = StoreResult<tokio::task::JoinHandle<StoreResult<Vec<Record>>>>;

/// How many segments an export reads and decrypts ahead of the one it is writing: with
/// two, decrypting and checking (the larger part of the work) use a second core.
const READ_AHEAD: usize = 2;

/// The records of `seg` read with its data key `key`, decrypted and checked (see
/// [`Store::segment_records`]).
fn read_segment(
    footage: &Path,
    seg: &Segment,
    key: &crate::secrets::SecretKey,
) -> StoreResult<Vec<Record>> {
    let c = segfile::read_records(&footage.join(&seg.path), key.bytes())
        .map_err(|e| StoreError::Corrupt(format!("segment {}: {e}", seg.path)))?;
    let mut h = Sha256::new();
    for r in &c.records {
        h.update(&r.plaintext);
    }
    if c.whole_bytes != c.file_bytes || to_hex(&h.finalize()) != seg.sha256 {
        return Err(StoreError::Corrupt(format!(
            "segment {} no longer matches the SHA-256 recorded when it was written",
            seg.path
        )));
    }
    Ok(c.records)
}

/// A segment's proof of inclusion in its sealed camera-hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealProof {
    /// The hour's start (ms since the epoch).
    pub hour_unix_ms: i64,
    /// The segment's place among the hour's segments (0-based, in order of start).
    pub leaf_index: usize,
    /// How many segments the hour had when it was sealed.
    pub leaf_count: usize,
    /// The sibling hashes from the leaf up (hex), as `custos_domain::seal` makes them.
    pub path: Vec<String>,
    /// The Merkle root (hex), as in the seal's ledger entry.
    pub root: String,
    /// The ledger entry that sealed the hour (`hour-sealed`).
    pub entry: StoredEntry,
}

impl Store {
    /// The records of `seg`, decrypted, checked against the SHA-256 in its index row (over
    /// the records' plaintext, in order) and against the file's length.
    pub async fn segment_records(&self, footage: &Path, seg: &Segment) -> StoreResult<Vec<Record>> {
        let key = self.data_key(&seg.camera, &seg.day).await?;
        read_segment(footage, seg, &key)
    }

    /// Starts [`Store::segment_records`] of `seg` on a blocking thread, so that it runs
    /// while the caller does other work; the data key is looked up now, and its error, if
    /// any, is handed back for the caller to raise when it comes to `seg`.
    async fn read_ahead(&self, footage: &Path, seg: &Segment) -> ReadAhead {
        let key = self.data_key(&seg.camera, &seg.day).await?;
        let (footage, seg) = (footage.to_owned(), seg.clone());
        Ok(tokio::task::spawn_blocking(move || {
            read_segment(&footage, &seg, &key)
        }))
    }

    /// Init segment `init_id` of `camera` and its bytes, decrypted and checked against its
    /// recorded SHA-256.
    pub async fn init_bytes(
        &self,
        footage: &Path,
        camera: &Ident,
        init_id: &str,
    ) -> StoreResult<(InitSegment, Vec<u8>)> {
        let init = self.init_segment(init_id).await?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "init segment {init_id} of camera {camera} is not indexed"
            ))
        })?;
        let key = self.data_key(camera, &init.day).await?;
        let c = segfile::read_records(&footage.join(&init.path), key.bytes())
            .map_err(|e| StoreError::Corrupt(format!("init segment {}: {e}", init.path)))?;
        let bytes = c
            .records
            .into_iter()
            .next()
            .map(|r| r.plaintext)
            .unwrap_or_default();
        if to_hex(&Sha256::digest(&bytes)) != init.sha256 {
            return Err(StoreError::Corrupt(format!(
                "init segment {} no longer matches the SHA-256 recorded when it was written",
                init.path
            )));
        }
        Ok((init, bytes))
    }

    /// The ledger entry numbered `seq`.
    pub async fn ledger_entry(&self, seq: i64) -> StoreResult<StoredEntry> {
        self.ledger_entries(&crate::ledger::LedgerQuery {
            after_seq: Some(seq - 1),
            limit: Some(1),
            ..crate::ledger::LedgerQuery::default()
        })
        .await?
        .into_iter()
        .find(|e| e.seq == seq)
        .ok_or_else(|| StoreError::NotFound(format!("there is no ledger entry {seq}")))
    }

    /// `seg`'s proof of inclusion in its sealed hour — the hour's own seal, or, for an hour
    /// not sealed yet, the latest interim seal that covers it
    /// ([`Store::seal_open_hours`]). Without either, an error saying when it will have one.
    pub async fn seal_proof(&self, seg: &Segment) -> StoreResult<SealProof> {
        let hour = seg.start_unix_ms - seg.start_unix_ms.rem_euclid(HOUR_MS);
        let row = sqlx::query(
            "SELECT root, ledger_seq, leaves FROM seals WHERE camera_id = $1 AND stream = $2 \
             AND hour_unix_ms = $3",
        )
        .bind(seg.camera.as_str())
        .bind(&seg.stream)
        .bind(hour)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading a seal"))?;
        let bad_leaf = || StoreError::Corrupt(format!("the seal of {} has a bad leaf", seg.path));
        let parse_leaves = |text: &str| -> StoreResult<Vec<Hash>> {
            text.split(',')
                .filter(|h| !h.is_empty())
                .map(|h| Hash::from_hex(h).ok_or_else(bad_leaf))
                .collect()
        };
        let (root, seq, leaves) = match row {
            Some(row) => {
                let get = StoreError::db("reading a seal");
                let root: String = row.try_get(0).map_err(&get)?;
                let seq: Option<i64> = row.try_get(1).map_err(&get)?;
                let leaves: Option<String> = row.try_get(2).map_err(&get)?;
                let leaves: Vec<Hash> = match leaves {
                    Some(text) => parse_leaves(&text)?,
                    // Sealed before leaves were kept: the hour's segments as they are now,
                    // which gives the sealed root only if none has gone.
                    None => self
                        .segments(Some(&seg.camera), Some(&seg.stream), hour, hour + HOUR_MS)
                        .await?
                        .into_iter()
                        .filter(|s| s.start_unix_ms >= hour)
                        .map(|s| {
                            Hash::from_hex(&s.sha256).ok_or_else(|| {
                                StoreError::Corrupt(format!("segment {} has a bad hash", s.path))
                            })
                        })
                        .collect::<StoreResult<_>>()?,
                };
                (root, seq, leaves)
            }
            None => {
                let interim = sqlx::query(
                    "SELECT root, ledger_seq, leaves FROM interim_seals WHERE camera_id = $1 \
                     AND stream = $2 AND hour_unix_ms = $3 ORDER BY segments DESC",
                )
                .bind(seg.camera.as_str())
                .bind(&seg.stream)
                .bind(hour)
                .fetch_all(self.pool())
                .await
                .map_err(StoreError::db("reading an interim seal"))?;
                let mut found = None;
                for row in interim {
                    let get = StoreError::db("reading an interim seal");
                    let leaves = parse_leaves(&row.try_get::<String, _>(2).map_err(&get)?)?;
                    if Hash::from_hex(&seg.sha256).is_some_and(|m| leaves.contains(&m)) {
                        found = Some((
                            row.try_get::<String, _>(0).map_err(&get)?,
                            row.try_get::<Option<i64>, _>(1).map_err(&get)?,
                            leaves,
                        ));
                        break;
                    }
                }
                found.ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "the footage from {} onwards is not sealed yet; export it again and it will be sealed as it is exported",
                        UnixMs(seg.start_unix_ms).to_london_display()
                    ))
                })?
            }
        };
        let mine = Hash::from_hex(&seg.sha256)
            .ok_or_else(|| StoreError::Corrupt(format!("segment {} has a bad hash", seg.path)))?;
        let index = leaves.iter().position(|h| *h == mine).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "segment {} is not among the segments sealed for its hour",
                seg.path
            ))
        })?;
        let path = custos_domain::seal::inclusion_proof(&leaves, index)
            .ok_or_else(|| StoreError::Corrupt(format!("no proof for {}", seg.path)))?;
        if custos_domain::seal::merkle_root(&leaves).to_string() != root {
            return Err(StoreError::Corrupt(format!(
                "the segments of the hour of {} no longer give the root that was sealed; \
                 some were lost before their leaves were kept with the seal",
                seg.path
            )));
        }
        let seq = seq.ok_or_else(|| {
            StoreError::Corrupt(format!("the seal of {} names no ledger entry", seg.path))
        })?;
        Ok(SealProof {
            hour_unix_ms: hour,
            leaf_index: index,
            leaf_count: leaves.len(),
            path: path.iter().map(ToString::to_string).collect(),
            root,
            entry: self.ledger_entry(seq).await?,
        })
    }
}

/// Removes a package's folder (and any archive begun beside it) when dropped before
/// [`UnfinishedPackage::keep`]: an export that fails or is stopped leaves no decrypted
/// footage behind.
struct UnfinishedPackage {
    out: std::path::PathBuf,
    kept: bool,
}

impl UnfinishedPackage {
    fn new(out: &Path) -> Self {
        Self {
            out: out.to_path_buf(),
            kept: false,
        }
    }

    fn keep(&mut self) {
        self.kept = true;
    }
}

impl Drop for UnfinishedPackage {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        if let Err(e) = std::fs::remove_dir_all(&self.out)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::error!(error = %e, folder = %self.out.display(), "cannot remove an unfinished package; remove it by hand");
        }
        let mut archive = self.out.as_os_str().to_owned();
        archive.push(".tar.age");
        let _ = std::fs::remove_file(std::path::PathBuf::from(archive));
    }
}

/// What an evidence package is made of and for (BDC-5, LBU-20).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The exhibit reference, e.g. `JS/1` or the police's own.
    pub exhibit: String,
    /// The cameras.
    pub cameras: Vec<Ident>,
    /// From (ms since the epoch).
    pub from_unix_ms: i64,
    /// To (ms since the epoch, exclusive).
    pub to_unix_ms: i64,
    /// Who asked for it.
    pub requester: String,
    /// Who authorised it, as the custody record names them: filled in from the
    /// authorisations given (`Store::produce_download`) or the disclosure's; what a caller
    /// puts here when asking is ignored.
    pub authoriser: String,
    /// Who receives it.
    pub recipient: String,
    /// Why: the purpose it is released for.
    pub purpose: String,
    /// The case it belongs to, if any.
    pub case_ref: Option<String>,
    /// The evidence class to keep the scheme's own copy of the footage under (BDC-3: the
    /// master copy for three years; ALT-16: copies made for others for six months): a hold
    /// on the cameras and range, placed before anything is written.
    pub keep_as: Option<Ident>,
    /// Whether to hand it over as one archive encrypted with a passphrase (ALT-14): the
    /// folder `out` is then replaced by `out.tar.age`, and the passphrase is returned once.
    pub encrypt: bool,
}

/// A package made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    /// Its unique id.
    pub package_id: String,
    /// SHA-256 of its `SHA256SUMS` (hex): what the disclosure log records.
    pub sums_sha256: String,
    /// Master segments included.
    pub segments: usize,
    /// Bytes of master footage.
    pub master_bytes: u64,
    /// The signing key's fingerprint.
    pub signer_fingerprint: String,
    /// For an encrypted package: the archive and its passphrase, shown once and kept
    /// nowhere (ALT-14: it travels separately).
    pub encrypted: Option<(std::path::PathBuf, String)>,
}

/// How far an export has got: bytes of master footage written of the total.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

impl ExportRequest {
    fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.exhibit.trim().is_empty() {
            p.push("give the exhibit reference the package is produced as".to_owned());
        }
        if self.cameras.is_empty() {
            p.push("name at least one camera".to_owned());
        }
        if self.to_unix_ms <= self.from_unix_ms {
            p.push("the range must end after it starts".to_owned());
        }
        for (v, what) in [
            (&self.requester, "who asked for the footage"),
            (&self.recipient, "who receives it"),
            (&self.purpose, "what it is released for"),
        ] {
            if v.trim().chars().count() < 2 {
                p.push(format!("say {what}"));
            }
        }
        p
    }
}

fn to_json(v: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string_pretty(v)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

/// A file name without its folders and extension.
fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

impl Store {
    /// Makes an evidence package in the new folder `out` from `footage` (BDC-3, BDC-4,
    /// BDC-5) for a request whose authorisation the caller has checked: an authorised
    /// download's (`Store::produce_download`, ALT-8), or a disclosure's
    /// (`Store::release_disclosure`). The package holds the master copy of each camera's
    /// recorded segments overlapping the range, decrypted and checked, with their init
    /// segments; a working copy per camera (the same samples remuxed, with a timestamp
    /// subtitle track); each segment's proof of inclusion in its sealed hour; the custody
    /// record; a player and a README; SHA256SUMS signed with the scheme's key. Closed hours
    /// not yet sealed are sealed first (as the recorder would); footage from the hour still
    /// being recorded cannot be proved yet and is refused. The production is ledgered
    /// (`evidence-produced`, book `download`) with the package's id and fingerprint and the
    /// `download:ID` reference — `download`'s, or a new download's recorded with it — in one
    /// transaction with the download marked produced.
    ///
    /// A package that fails or is stopped part-way (its future dropped: the server
    /// stopping, Ctrl-C at the console) leaves nothing behind: the folder it was writing —
    /// decrypted footage — and any archive begun are removed.
    pub(crate) async fn produce_package(
        &self,
        actor: &custos_base::Actor,
        footage: &Path,
        out: &Path,
        req: &ExportRequest,
        download: Option<&str>,
        progress: Progress<'_>,
    ) -> StoreResult<ExportSummary> {
        if out.exists() {
            return Err(StoreError::Invalid(format!(
                "{} already exists; give a new folder for the package",
                out.display()
            )));
        }
        let mut cleanup = UnfinishedPackage::new(out);
        let summary = self
            .write_package(actor, footage, out, req, download, progress)
            .await?;
        cleanup.keep();
        Ok(summary)
    }

    async fn write_package(
        &self,
        actor: &custos_base::Actor,
        footage: &Path,
        out: &Path,
        req: &ExportRequest,
        download: Option<&str>,
        progress: Progress<'_>,
    ) -> StoreResult<ExportSummary> {
        use custos_evidence::package::{
            CUSTODY, CUSTODY_FORMAT, Custody, CustodyCamera, LedgerEntry, PROOFS, PROOFS_FORMAT,
            PackageWriter, Proofs, SegmentProof,
        };
        use custos_evidence::signature;
        self.check_package_request(req).await?;
        self.covert_copy_check(actor, &req.cameras, req.from_unix_ms, req.to_unix_ms)
            .await?;
        let Some((signer, _)) = self.signer() else {
            return Err(StoreError::Invalid(
                "the scheme's signing key is not loaded, so a package cannot be signed".to_owned(),
            ));
        };
        let seed = signer.key.to_bytes();
        let now = self.clock().now();
        // Hours that have ended are sealed now if the recorder has not yet done so.
        self.seal_closed_hours(now.0, crate::recordings::SEAL_GRACE_MS)
            .await?;
        let policy = self.active_policy().await?;
        let health = self.health().await?;
        let mut plan = Vec::new();
        let mut total: u64 = 0;
        for cam in &req.cameras {
            let camera = self.camera(cam).await?.ok_or_else(|| {
                StoreError::NotFound(format!(
                    "there is no camera {cam}; `custos camera list` shows the register"
                ))
            })?;
            let segs = self
                .segments(Some(cam), Some("main"), req.from_unix_ms, req.to_unix_ms)
                .await?;
            if segs.is_empty() {
                return Err(StoreError::NotFound(format!(
                    "camera {cam} has no recorded footage from {} to {}",
                    UnixMs(req.from_unix_ms).to_london_display(),
                    UnixMs(req.to_unix_ms).to_london_display()
                )));
            }
            total += segs.iter().map(|s| s.bytes).sum::<u64>();
            plan.push((camera, segs));
        }
        // The hour still being recorded (or just ended, before the recorder seals it) is
        // sealed so far, now, after the segments are chosen: footage can leave at once,
        // each segment with its proof (the interim seal covers every segment chosen).
        for cam in &req.cameras {
            self.seal_open_hours(cam, "main", req.from_unix_ms, req.to_unix_ms)
                .await?;
        }
        let package_id = format!("P{}", crate::reviews::random_hex(8)?);
        let download_id = match download {
            Some(d) => d.to_owned(),
            None => crate::downloads::new_download_id()?,
        };
        let classes = self.classes_to_keep(req).await?;
        if !classes.is_empty() {
            let Some(p) = &policy else {
                return Err(StoreError::Invalid(
                    "no policy pack is loaded, so there are no evidence classes to hold footage under"
                        .to_owned(),
                ));
            };
            let mut tx = self.write().await?;
            for (class, why) in classes {
                crate::retention::insert_hold(
                    &mut tx,
                    actor,
                    &custos_domain::retention::HoldRequest {
                        cameras: req.cameras.clone(),
                        from_unix_ms: req.from_unix_ms,
                        to_unix_ms: req.to_unix_ms,
                        class,
                        reason: format!(
                            "{why} of exhibit {} (package {package_id}), released to {}",
                            req.exhibit.trim(),
                            req.recipient.trim()
                        ),
                        owner: req.authoriser.trim().to_owned(),
                        until_unix_ms: None,
                        case_ref: req.case_ref.clone(),
                    },
                    &p.pack,
                    now,
                    Some(&download_id),
                )
                .await?;
            }
            tx.commit().await?;
        }
        let files = |e: custos_evidence::package::PackageError| StoreError::Files(e.to_string());
        let mut w = PackageWriter::create(out).map_err(files)?;
        let mut proofs = Vec::new();
        let mut custody_cameras = Vec::new();
        let mut done: u64 = 0;
        let mut master_bytes: u64 = 0;
        for (camera, segs) in &plan {
            let cam = camera.id.as_str();
            let mut inits: Vec<String> = Vec::new();
            // The working copy is planned as the master is written, keeping only each
            // fragment's sample table and where its samples lie in the master file; its
            // samples are then read back from the master files, so memory does not grow
            // with the length of the footage.
            let mut planner: Planner<(usize, u64, usize)> = Planner::new();
            let mut last_init: Option<Vec<u8>> = None;
            let mut master_files: Vec<String> = Vec::new();
            // The next segments are read, decrypted and checked on other threads while
            // this one is written and hashed; errors are raised in the same order as if
            // each were read in its turn.
            let mut ahead = std::collections::VecDeque::new();
            for seg in segs.iter().take(READ_AHEAD) {
                ahead.push_back(self.read_ahead(footage, seg).await);
            }
            for (n, seg) in segs.iter().enumerate() {
                let (init, init_bytes) = self.init_bytes(footage, &camera.id, &seg.init_id).await?;
                let init_file = format!("master/{cam}/{}.mp4", stem(&init.path));
                if !inits.contains(&init_file) {
                    w.add(&init_file, &init_bytes).map_err(files)?;
                    inits.push(init_file.clone());
                }
                let reading = ahead.pop_front().ok_or_else(|| {
                    StoreError::Invalid(format!("segment {} was not read", seg.path))
                })?;
                if let Some(later) = segs.get(n + READ_AHEAD) {
                    ahead.push_back(self.read_ahead(footage, later).await);
                }
                let records = reading?.await.map_err(|e| {
                    StoreError::Files(format!("reading segment {} stopped: {e}", seg.path))
                })??;
                let file = format!("master/{cam}/{}.m4s", stem(&seg.path));
                // `records` were checked against the segment's recorded SHA-256 as they
                // were read; the master file is exactly their bytes, so that hash is its.
                let mut f = w.file_checked(&file, &seg.sha256).map_err(files)?;
                if last_init.as_deref() != Some(init_bytes.as_slice()) {
                    planner
                        .start_piece(&init_bytes)
                        .map_err(|e| StoreError::Files(format!("{init_file}: {e}")))?;
                    last_init = Some(init_bytes.clone());
                }
                let index = master_files.len();
                let mut at: u64 = 0;
                for r in &records {
                    std::io::Write::write_all(&mut f, &r.plaintext)
                        .map_err(|e| StoreError::Files(format!("{file}: {e}")))?;
                    planner
                        .add_fragment(&r.plaintext, r.meta.start_unix_ms, |_, range| {
                            (index, at + range.start as u64, range.len())
                        })
                        .map_err(|e| StoreError::Files(format!("{file}: {e}")))?;
                    at += r.plaintext.len() as u64;
                }
                let (bytes, _) = f.finish().map_err(files)?;
                master_files.push(file.clone());
                master_bytes += bytes;
                let proof = self.seal_proof(seg).await?;
                let checkpoint = self.checkpoint_entry(proof.entry.seq).await?.witness_line();
                proofs.push(SegmentProof {
                    file,
                    init_file: init_file.clone(),
                    camera: cam.to_owned(),
                    stream: seg.stream.clone(),
                    sha256: seg.sha256.clone(),
                    hour: UnixMs(proof.hour_unix_ms).to_rfc3339(),
                    leaf_index: proof.leaf_index,
                    leaf_count: proof.leaf_count,
                    path: proof.path,
                    root: proof.root,
                    ledger_entry: LedgerEntry {
                        seq: proof.entry.seq,
                        at_unix_ms: proof.entry.at_unix_ms,
                        actor: proof.entry.actor.clone(),
                        book: proof.entry.book.clone(),
                        kind: proof.entry.kind.clone(),
                        refs: proof.entry.refs.clone(),
                        body: proof.entry.body.clone(),
                        prev_hash: to_hex(&proof.entry.prev_hash),
                        hash: to_hex(&proof.entry.hash),
                    },
                    checkpoint,
                });
                drop(records);
                done += seg.bytes;
                progress(done, total);
            }
            let working = format!("working/{cam}.mp4");
            let opts = custos_media::mp4::remux::RemuxOptions::uk(cam);
            let mut f = w.file(&working).map_err(files)?;
            let mut reading: Option<(usize, std::fs::File)> = None;
            let mut buf = Vec::new();
            let read_back = |&(index, offset, len): &(usize, u64, usize),
                             o: &mut dyn std::io::Write|
             -> std::io::Result<()> {
                use std::io::{Read as _, Seek as _};
                let file = match &mut reading {
                    Some((i, file)) if *i == index => file,
                    _ => {
                        let name = master_files.get(index).ok_or_else(|| {
                            std::io::Error::other(format!("no master file {index}"))
                        })?;
                        &mut reading
                            .insert((index, std::fs::File::open(out.join(name))?))
                            .1
                    }
                };
                file.seek(std::io::SeekFrom::Start(offset))?;
                buf.resize(len, 0);
                file.read_exact(&mut buf)?;
                o.write_all(&buf)
            };
            custos_media::mp4::remux::write_planned(
                std::mem::take(&mut planner),
                &opts,
                &mut f,
                read_back,
            )
            .map_err(|e| StoreError::Files(format!("{working}: {e}")))?;
            f.finish().map_err(files)?;
            let first = segs.first().map_or(0, |s| s.start_unix_ms);
            let last = segs.last().map_or(0, |s| s.end_unix_ms);
            custody_cameras.push(CustodyCamera {
                id: cam.to_owned(),
                name: camera.draft.name.clone(),
                // A redeployable camera's footage was recorded where it was deployed then
                // (BDC-38), not at its home.
                location: self
                    .footage_location(&camera.id, &camera.draft.location, first)
                    .await?,
                from: UnixMs(req.from_unix_ms).to_rfc3339(),
                to: UnixMs(req.to_unix_ms).to_rfc3339(),
                included_from: UnixMs(first).to_rfc3339(),
                included_to: UnixMs(last).to_rfc3339(),
                segments: segs.len(),
                working_copy: working,
                clock_offset_ms: health
                    .iter()
                    .find(|h| h.camera == camera.id && h.stream == "main")
                    .map(|h| h.drift_ms),
            });
        }
        let allowed =
            signature::allowed_signers(&seed).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let fingerprint =
            signature::fingerprint(&seed).map_err(|e| StoreError::Invalid(e.to_string()))?;
        w.add(
            custos_evidence::package::ALLOWED_SIGNERS,
            allowed.as_bytes(),
        )
        .map_err(files)?;
        let proofs = Proofs {
            format: PROOFS_FORMAT.to_owned(),
            segments: proofs,
        };
        w.add(PROOFS, to_json(&proofs)?.as_bytes()).map_err(files)?;
        let (scheme, controller) = policy.as_ref().map_or_else(
            || (String::new(), String::new()),
            |p| (p.pack.name.clone(), p.pack.controller.name.clone()),
        );
        let custody = Custody {
            format: CUSTODY_FORMAT.to_owned(),
            exhibit: req.exhibit.trim().to_owned(),
            package_id: package_id.clone(),
            scheme,
            controller,
            case_ref: req.case_ref.clone(),
            requester: req.requester.trim().to_owned(),
            authoriser: req.authoriser.trim().to_owned(),
            producer: actor.to_string(),
            recipient: req.recipient.trim().to_owned(),
            purpose: req.purpose.trim().to_owned(),
            produced_at: now.to_rfc3339(),
            cameras: custody_cameras,
            signer_fingerprint: fingerprint.clone(),
        };
        w.add(CUSTODY, to_json(&custody)?.as_bytes())
            .map_err(files)?;
        w.add(
            "custody.html",
            custos_evidence::documents::custody_html(&custody).as_bytes(),
        )
        .map_err(files)?;
        w.add(
            "player.html",
            custos_evidence::documents::player_html(&custody).as_bytes(),
        )
        .map_err(files)?;
        w.add(
            "README.txt",
            custos_evidence::documents::readme(&custody).as_bytes(),
        )
        .map_err(files)?;
        let sums_sha256 = w
            .finish(|m| signature::sign(&seed, m).map_err(|e| e.to_string()))
            .map_err(files)?;
        let encrypted = if req.encrypt {
            let passphrase = custos_evidence::age::generate_passphrase()
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            let mut archive = out.as_os_str().to_owned();
            archive.push(".tar.age");
            let archive = std::path::PathBuf::from(archive);
            custos_evidence::package::encrypt_package(out, &archive, &passphrase).map_err(files)?;
            std::fs::remove_dir_all(out).map_err(|e| {
                StoreError::Files(format!(
                    "the encrypted archive {} is made, but the clear folder {} could not be removed: {e}; remove it by hand",
                    archive.display(),
                    out.display()
                ))
            })?;
            Some((archive, passphrase))
        } else {
            None
        };
        let mut entry = custos_domain::ledger::NewEntry::new(
            custos_domain::ledger::Book::Download,
            "evidence-produced",
        )
        .with("package", package_id.as_str())
        .with("exhibit", req.exhibit.trim())
        .with("sha256sums", sums_sha256.as_str())
        .with("footage_from", UnixMs(req.from_unix_ms).to_rfc3339())
        .with("footage_to", UnixMs(req.to_unix_ms).to_rfc3339())
        .with("segments", proofs.segments.len())
        .with("requester", req.requester.trim())
        .with("authoriser", req.authoriser.trim())
        .with("recipient", req.recipient.trim())
        .with("purpose", req.purpose.trim());
        for cam in &req.cameras {
            entry = entry.with_ref(
                custos_domain::ledger::Reference::new("camera", cam.as_str())
                    .map_err(|e| StoreError::Invalid(e.to_string()))?,
            );
        }
        if let Some(c) = &req.case_ref {
            entry = entry.with("case_ref", c.as_str());
        }
        entry = entry
            .with("encrypted", req.encrypt)
            .with_ref(crate::downloads::download_ref(&download_id)?);
        let mut tx = self.write().await?;
        if download.is_none() {
            crate::downloads::insert_download(
                &mut tx,
                &download_id,
                actor,
                req,
                crate::downloads::DownloadState::Produced,
                now.0,
            )
            .await?;
        }
        crate::downloads::mark_produced(&mut tx, &download_id, &package_id, now.0).await?;
        tx.record(actor, entry);
        tx.commit().await?;
        Ok(ExportSummary {
            package_id,
            sums_sha256,
            segments: proofs.segments.len(),
            master_bytes,
            signer_fingerprint: fingerprint,
            encrypted,
        })
    }
}

impl Store {
    /// Checks an export request before anything is written: its fields, that the cameras exist and
    /// that the class to keep the scheme's copy under is one of the pack's. Footage for a
    /// third-party disclosure case is not exported this way: it is released through the
    /// case (`Store::release_disclosure`), which checks its documents, agreement and
    /// authorisation and writes the disclosure log.
    pub async fn check_export(&self, req: &ExportRequest) -> StoreResult<()> {
        let problems = req.problems();
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        if let Some(r) = &req.case_ref
            && self.disclosure(r).await?.is_some()
        {
            return Err(StoreError::Invalid(format!(
                "{} is a third-party disclosure: release its footage through the case \
                 (`custos disclosure release {}`, or Release on the case's page), which \
                 checks its documents, agreement and authorisation and writes the \
                 disclosure log",
                r.trim(),
                r.trim()
            )));
        }
        self.check_package_request(req).await
    }

    /// The checks every package request passes, whoever authorised it: its fields, its
    /// cameras, encryption where the pack requires it (ALT-14), and the class to keep the
    /// scheme's copy under.
    async fn check_package_request(&self, req: &ExportRequest) -> StoreResult<()> {
        let problems = req.problems();
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        for cam in &req.cameras {
            if self.camera(cam).await?.is_none() {
                return Err(StoreError::NotFound(format!(
                    "there is no camera {cam}; `custos camera list` shows the register"
                )));
            }
        }
        // ALT-14: a scheme whose copies travel only encrypted refuses a clear one.
        if !req.encrypt
            && self
                .active_policy()
                .await?
                .is_some_and(|p| p.pack.authorise.download.encrypted)
        {
            return Err(StoreError::Invalid(
                "the scheme's policy lets copies leave only encrypted, with the passphrase sent to the recipient separately: tick \"Encrypt it with a passphrase\" (at the console, add --encrypt)".to_owned(),
            ));
        }
        if let Some(class) = &req.keep_as {
            let known = self
                .active_policy()
                .await?
                .is_some_and(|p| p.pack.retention.classes.iter().any(|c| c.id == *class));
            if !known {
                return Err(StoreError::Invalid(format!(
                    "{class} is not one of the scheme's evidence classes"
                )));
            }
        }
        Ok(())
    }

    /// The evidence classes the footage of a package is held under, each with what it
    /// keeps: the class asked for (`keep_as`); the pack's class for evidence master copies
    /// (BDC-3), for every package; and its class for disclosed copies (ALT-16), for a
    /// package made for a subject access or disclosure case. Each class once.
    pub async fn classes_to_keep(
        &self,
        req: &ExportRequest,
    ) -> StoreResult<Vec<(Ident, &'static str)>> {
        use custos_domain::case::CaseKind;
        use custos_domain::policy::AppliesTo;
        let mut out: Vec<(Ident, &'static str)> = Vec::new();
        if let Some(c) = &req.keep_as {
            out.push((c.clone(), "the scheme's copy"));
        }
        let Some(policy) = self.active_policy().await? else {
            return Ok(out);
        };
        let retention = &policy.pack.retention;
        if let Some(c) = retention.class_for(AppliesTo::EvidenceMasterCopies) {
            out.push((c.id.clone(), "the scheme's master copy"));
        }
        let disclosed = match &req.case_ref {
            Some(r) => self
                .case(r)
                .await?
                .is_some_and(|c| matches!(c.kind, CaseKind::SubjectAccess | CaseKind::Disclosure)),
            None => false,
        };
        if disclosed && let Some(c) = retention.class_for(AppliesTo::DisclosedCopies) {
            out.push((c.id.clone(), "the footage behind the copy"));
        }
        let mut seen = Vec::new();
        out.retain(|(c, _)| {
            let first = !seen.contains(c);
            seen.push(c.clone());
            first
        });
        Ok(out)
    }

    /// Records that the archive of package `package_id` (exhibit `exhibit`) was handed out
    /// (`evidence-downloaded`, book `download`): BDC-5, every movement of evidence.
    pub async fn record_evidence_download(
        &self,
        actor: &custos_base::Actor,
        package_id: &str,
        exhibit: &str,
    ) -> StoreResult<()> {
        let mut entry = custos_domain::ledger::NewEntry::new(
            custos_domain::ledger::Book::Download,
            "evidence-downloaded",
        )
        .with("package", package_id)
        .with("exhibit", exhibit);
        if let Some(d) = self.download_of_package(package_id).await? {
            entry = entry.with_ref(crate::downloads::download_ref(&d)?);
        }
        self.append(actor, entry).await?;
        Ok(())
    }
}

/// Packs the (unencrypted) package folder `out` into `out.tar` beside it, for handing over
/// as one file, and removes the folder; returns the archive's path.
pub fn archive_package(out: &Path) -> StoreResult<std::path::PathBuf> {
    let mut archive = out.as_os_str().to_owned();
    archive.push(".tar");
    let archive = std::path::PathBuf::from(archive);
    custos_evidence::package::tar_package(out, &archive)
        .map_err(|e| StoreError::Files(e.to_string()))?;
    std::fs::remove_dir_all(out).map_err(|e| {
        StoreError::Files(format!(
            "the archive {} is made, but the folder {} could not be removed: {e}",
            archive.display(),
            out.display()
        ))
    })?;
    Ok(archive)
}

/// How long a package made on the web stays on the server for its maker to download.
pub const EXPORT_STAGING_MS: i64 = 24 * 60 * 60 * 1000;

impl Store {
    /// Deletes the packages made on the web (one folder per export under `exports`) that
    /// are older than [`EXPORT_STAGING_MS`]: copies of footage must not linger on the
    /// server once handed over. Each deletion is ledgered (`evidence-copy-deleted`, book
    /// `download`) with the files removed; returns how many were deleted. A folder that
    /// cannot be deleted is reported and tried again at the next sweep.
    pub async fn sweep_export_staging(&self, exports: &Path) -> StoreResult<(usize, Vec<String>)> {
        let now = self.clock().now().0;
        let mut deleted = 0;
        let mut problems = Vec::new();
        let entries = match std::fs::read_dir(exports) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, problems)),
            Err(e) => {
                return Err(StoreError::Files(format!(
                    "cannot read {}: {e}",
                    exports.display()
                )));
            }
        };
        let actor = custos_base::Actor::System("retention".to_owned());
        for entry in entries.flatten() {
            let path = entry.path();
            let made = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            if !path.is_dir() || now - made < EXPORT_STAGING_MS {
                continue;
            }
            let files: Vec<String> = std::fs::read_dir(&path)
                .map(|rd| {
                    rd.flatten()
                        .map(|f| f.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            if let Err(e) = std::fs::remove_dir_all(&path) {
                problems.push(format!("cannot delete {}: {e}", path.display()));
                continue;
            }
            self.append(
                &actor,
                custos_domain::ledger::NewEntry::new(
                    custos_domain::ledger::Book::Download,
                    "evidence-copy-deleted",
                )
                .with("export", entry.file_name().to_string_lossy().as_ref())
                .with("files", files)
                .with(
                    "why",
                    "a package made on the web is kept on the server for a day",
                ),
            )
            .await?;
            deleted += 1;
        }
        Ok((deleted, problems))
    }
}
