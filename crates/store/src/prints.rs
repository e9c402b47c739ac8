//! The video print register (BDC-34, BDC-18, migration `0038_video_prints`): police
//! officers' written authorities (`print-authority-recorded`, `print-authority-corrected`),
//! the stills made under them from recorded footage (`video-print-made`), their downloads
//! (`video-print-downloaded`), to whom each was given (`video-print-given`), the
//! authorisation of their destruction (`video-print-destruction-authorised`), their
//! destruction (`video-print-destroyed`) and corrections (`video-print-corrected`), all in
//! the ledger's `video-prints` book.
//!
//! Invariants:
//! - The rules are `custos_domain::prints`': an authority below Inspector, or without every
//!   detail or its written authority, is refused with every problem at once and nothing is
//!   written; a print moves forward only ([`Print::check`]).
//! - Who may do what is the pack's `[books.video-prints]`, through
//!   `custos_domain::access::book_role`, checked here for every caller (pages, API,
//!   console): its keepers record authorities, make prints, record to whom they were given,
//!   destroy them and correct; its countersigners authorise destruction.
//! - A still is made from the footage as recorded: the segment covering the moment is read
//!   and checked against the SHA-256 in its index row, its fragment (group of pictures)
//!   holding the moment is put after its init segment (its decode time set to zero, nothing
//!   else changed) and one frame — the last at or before the moment — is decoded to a PNG by
//!   the `ffmpeg` program (`custos_media::still`). The footage is never re-encoded or
//!   written. Without FFmpeg the print is refused, saying so, and nothing is written.
//! - The written authority, the still and its sidecar (a JSON record of the camera, the
//!   moment, the frame's time, the segment's and the still's SHA-256 and the authority) are
//!   kept encrypted as sealed documents (`crate::documents`) under a key of the record's
//!   own, sealed by the master key, and read back only when they match their SHA-256. A
//!   print's destruction drops its key in the same transaction (its files can no longer be
//!   read) and then deletes the files.
//! - Every change writes its ledger entry in the same transaction; a row's details are
//!   never rewritten: to whom it was given, the authorisation and the destruction are filled
//!   once, and each correction is a row of its own.

use std::path::{Path, PathBuf};

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::Subject;
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use custos_domain::prints::{
    Authority, AuthorityDraft, AuthorityField, Correction, CorrectionDraft, Destroyed,
    DestructionAuthorised, Document, Given, Officer, Print, PrintField, Source, Step,
};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::equipment::uk_day_of;
use crate::error::{StoreError, StoreResult};
use crate::reviews::random_hex;
use crate::secrets::SecretKey;
use crate::store::Store;

/// A print to make: under which written authority, of which camera, at what moment.
#[derive(Debug, Clone, Copy)]
pub struct NewPrint<'a> {
    /// The written authority's reference (`VPA-2026-0001`).
    pub authority: &'a str,
    /// The camera.
    pub camera: &'a Ident,
    /// The moment the still shows: the last recorded frame at or before it.
    pub moment_unix_ms: i64,
}

/// The written authority as received: a scan of the signed request, or the e-mail.
#[derive(Debug, Clone)]
pub struct AuthorityDocument {
    /// The file's name as received.
    pub name: String,
    /// Its bytes.
    pub contents: Vec<u8>,
}

fn authority_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("print-authority", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn print_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("print", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn camera_ref(id: &Ident) -> StoreResult<Reference> {
    Reference::new("camera", id.as_str()).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn authority_key_context(reference: &str) -> String {
    format!("custos print authority key v1:{reference}")
}

fn print_key_context(reference: &str) -> String {
    format!("custos video print key v1:{reference}")
}

fn rfc3339(ms: i64) -> String {
    UnixMs(ms).to_rfc3339()
}

macro_rules! authority_columns {
    () => {
        "SELECT reference, officer_name, officer_rank, officer_number, officer_force, request, \
         dated, document_name, document_sha256, recorded_by, recorded_by_name, \
         recorded_at_unix_ms FROM print_authorities "
    };
}

macro_rules! print_columns {
    () => {
        "SELECT reference, authority, camera_id, camera_name, moment_unix_ms, frame_unix_ms, \
         segment_sha256, still_sha256, sidecar_sha256, width, height, made_by, made_by_name, \
         made_at_unix_ms, given_to, given_to_organisation, given_at_unix_ms, \
         destruction_authorised_name, destruction_authorised_role, destruction_reason, \
         destruction_authorised_at_unix_ms, destroyed_by_name, destroyed_at_unix_ms \
         FROM video_prints "
    };
}

/// Which prints a query reads.
#[derive(Debug, Clone, Copy)]
enum Filter<'a> {
    Reference(&'a str),
    All,
    NotDestroyed,
}

/// The sidecar kept with a still: where it came from, in JSON.
#[derive(Debug, serde::Serialize)]
struct Sidecar<'a> {
    print: &'a str,
    made_at: String,
    made_by: &'a str,
    camera: SidecarCamera<'a>,
    moment_asked: String,
    frame_time: String,
    frame_unix_ms: i64,
    segment: SidecarSegment<'a>,
    still: SidecarStill<'a>,
    authority: SidecarAuthority<'a>,
    how: &'static str,
}

#[derive(Debug, serde::Serialize)]
struct SidecarCamera<'a> {
    id: &'a str,
    name: &'a str,
    location: &'a str,
}

#[derive(Debug, serde::Serialize)]
struct SidecarSegment<'a> {
    file: &'a str,
    sha256: &'a str,
    start: String,
    end: String,
    init_sha256: &'a str,
    fragment_index: usize,
    fragment_start: String,
    fragment_sha256: String,
    frame_in_fragment: usize,
}

#[derive(Debug, serde::Serialize)]
struct SidecarStill<'a> {
    format: &'static str,
    sha256: &'a str,
    width: u32,
    height: u32,
    codec: &'a str,
}

#[derive(Debug, serde::Serialize)]
struct SidecarAuthority<'a> {
    reference: &'a str,
    officer: &'a str,
    rank: &'a str,
    number: &'a str,
    force: &'a str,
    dated: String,
    request: &'a str,
    document_sha256: &'a str,
}

impl Store {
    /// Sets the `ffmpeg` program that decodes prints' stills (a path, or a name looked for
    /// on `PATH`).
    pub fn set_ffmpeg_program(&self, program: impl Into<PathBuf>) {
        if let Ok(mut slot) = self.inner().ffmpeg.lock() {
            *slot = program.into();
        }
    }

    /// The `ffmpeg` program prints are made with.
    pub fn ffmpeg_program(&self) -> PathBuf {
        self.inner()
            .ffmpeg
            .lock()
            .map(|p| p.clone())
            .unwrap_or_else(|_| PathBuf::from("ffmpeg"))
    }

    /// Whether prints can be made here: the `ffmpeg` program is installed.
    pub fn can_make_prints(&self) -> bool {
        custos_media::still::ffmpeg_available(&self.ffmpeg_program())
    }

    /// Records a police officer's written authority for video prints (BDC-34), kept by
    /// `keeper` (a keeper of the register) and ledgered as `actor`
    /// (`print-authority-recorded`): refused below Inspector or without every detail, with
    /// every problem at once; the written authority `document` is kept encrypted under
    /// `documents`.
    pub async fn record_print_authority(
        &self,
        actor: &Actor,
        keeper: &Subject,
        documents: &Path,
        draft: &AuthorityDraft,
        document: &AuthorityDocument,
    ) -> StoreResult<Authority> {
        self.book_role(keeper, Book::VideoPrints, false).await?;
        let now = self.clock().now().0;
        let mut draft = draft.clone();
        // What is attached decides: a form cannot claim a document it does not carry.
        draft.document_attached = !document.contents.is_empty();
        custos_domain::prints::validate_authority(&draft, uk_day_of(now)?)
            .map_err(|p| StoreError::Invalid(p.join("; ")))?;
        let dated = draft
            .dated
            .ok_or_else(|| StoreError::Invalid("give the day it is dated".to_owned()))?;
        let name = self.name_of(&keeper.username).await?;
        let o = &draft.officer;
        let mut tx = self.write().await?;
        let reference =
            crate::cases::next_numbered(&mut tx, custos_domain::prints::AUTHORITY_PREFIX, now)
                .await?;
        let key = SecretKey::generate()?;
        let key_sealed = self
            .master_key()?
            .seal(&authority_key_context(&reference), key.bytes())?;
        let rel = format!("print-authorities/{reference}/{}.cdoc", random_hex(8)?);
        let sha =
            crate::documents::write_sealed(&documents.join(&rel), &key, &document.contents, now)?;
        let document_name = match document.name.trim() {
            "" => "written-authority".to_owned(),
            n => n.to_owned(),
        };
        sqlx::query(
            "INSERT INTO print_authorities (reference, officer_name, officer_rank, \
             officer_number, officer_force, request, dated, document_path, document_name, \
             document_sha256, key_sealed, recorded_by, recorded_by_name, recorded_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&reference)
        .bind(o.name.trim())
        .bind(o.rank.as_str())
        .bind(o.number.trim())
        .bind(o.force.trim())
        .bind(draft.request.trim())
        .bind(dated.to_string())
        .bind(&rel)
        .bind(&document_name)
        .bind(&sha)
        .bind(&key_sealed)
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db(
            "recording a written authority for video prints",
        ))?;
        tx.record(
            actor,
            NewEntry::new(Book::VideoPrints, "print-authority-recorded")
                .with_ref(authority_ref(&reference)?)
                .with("officer", o.name.trim())
                .with("rank", o.rank.as_str())
                .with("number", o.number.trim())
                .with("force", o.force.trim())
                .with("request", draft.request.trim())
                .with("dated", dated.to_string())
                .with("document_sha256", sha.as_str()),
        );
        tx.commit().await?;
        self.require_print_authority(&reference).await
    }

    /// Corrects one detail of authority `reference` by `keeper`: a new entry naming it, the
    /// detail, its value before and after, and why (`print-authority-corrected`).
    pub async fn correct_print_authority(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference: &str,
        correction: &CorrectionDraft<AuthorityField>,
    ) -> StoreResult<Authority> {
        self.book_role(keeper, Book::VideoPrints, false).await?;
        let a = self.require_print_authority(reference).await?;
        let now = self.clock().now().0;
        let before = custos_domain::prints::check_authority_correction(
            &a.current(),
            correction,
            uk_day_of(now)?,
        )
        .map_err(|p| StoreError::Invalid(p.join("; ")))?;
        let after = correction.field.stored(&correction.value);
        let name = self.name_of(&keeper.username).await?;
        let number = i64::try_from(a.corrections.len()).unwrap_or(i64::MAX) + 1;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO print_authority_corrections (reference, number, field, before_value, \
             after_value, reason, corrected_by, corrected_by_name, corrected_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&a.reference)
        .bind(number)
        .bind(correction.field.as_str())
        .bind(&before)
        .bind(&after)
        .bind(correction.reason.trim())
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("correcting a written authority"))?;
        tx.record(
            actor,
            NewEntry::new(Book::VideoPrints, "print-authority-corrected")
                .with_ref(authority_ref(&a.reference)?)
                .with("correction", number)
                .with("field", correction.field.as_str())
                .with("before", before.as_str())
                .with("after", after.as_str())
                .with("reason", correction.reason.trim()),
        );
        tx.commit().await?;
        self.require_print_authority(&a.reference).await
    }

    /// Authority `reference`, if there is one.
    pub async fn print_authority(&self, reference: &str) -> StoreResult<Option<Authority>> {
        Ok(self
            .authorities_where(Some(reference.trim()))
            .await?
            .into_iter()
            .next())
    }

    async fn require_print_authority(&self, reference: &str) -> StoreResult<Authority> {
        self.print_authority(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no written authority {}; the video print register lists them",
                reference.trim()
            ))
        })
    }

    /// Every written authority, oldest first.
    pub async fn print_authorities(&self) -> StoreResult<Vec<Authority>> {
        self.authorities_where(None).await
    }

    /// The written authority kept with authority `reference`: its file name and bytes,
    /// decrypted and checked against its SHA-256.
    pub async fn print_authority_document(
        &self,
        documents: &Path,
        reference: &str,
    ) -> StoreResult<(String, Vec<u8>)> {
        let reference = reference.trim();
        let row = sqlx::query(
            "SELECT document_path, document_name, document_sha256 FROM print_authorities \
             WHERE reference = $1",
        )
        .bind(reference)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading a written authority"))?
        .ok_or_else(|| {
            StoreError::NotFound(format!("there is no written authority {reference}"))
        })?;
        let get = StoreError::db("reading a written authority");
        let path: String = row.try_get(0).map_err(get)?;
        let name: String = row.try_get(1).map_err(get)?;
        let sha: String = row.try_get(2).map_err(get)?;
        let key = self
            .open_record_key(
                "SELECT key_sealed FROM print_authorities WHERE reference = $1",
                &authority_key_context(reference),
                reference,
                "written authority",
            )
            .await?;
        let contents = crate::documents::read_sealed(
            &documents.join(&path),
            &key,
            &sha,
            &format!("the written authority {reference}"),
        )?;
        Ok((name, contents))
    }

    /// Makes a video print (BDC-34) under `new`'s authority, by `keeper`, of its camera at
    /// its moment: the last frame at or before the moment, decoded from the
    /// recorded footage under `footage` by FFmpeg, kept encrypted under `documents` with its
    /// sidecar (`video-print-made`). Refused, with nothing written, without FFmpeg, without
    /// footage at the moment, or for a camera or authority not known.
    pub async fn make_video_print(
        &self,
        actor: &Actor,
        keeper: &Subject,
        footage: &Path,
        documents: &Path,
        new: &NewPrint<'_>,
    ) -> StoreResult<Print> {
        let NewPrint {
            authority,
            camera,
            moment_unix_ms,
        } = *new;
        self.book_role(keeper, Book::VideoPrints, false).await?;
        let a = self.require_print_authority(authority).await?;
        let cam = self.camera(camera).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no camera {camera} in the register; `custos camera list` shows it"
            ))
        })?;
        let now = self.clock().now().0;
        if moment_unix_ms > now {
            return Err(StoreError::Invalid(
                "the moment is in the future: a print is made from recorded footage".to_owned(),
            ));
        }
        let ffmpeg = self.ffmpeg_program();
        if !custos_media::still::ffmpeg_available(&ffmpeg) {
            return Err(StoreError::Invalid(format!(
                "{}; nothing was recorded",
                custos_media::still::StillError::NoFfmpeg {
                    program: ffmpeg.display().to_string()
                }
            )));
        }
        let none_at = || {
            StoreError::NotFound(format!(
                "camera {} has no recorded footage at {}: choose a moment it was recording",
                cam.draft.name,
                UnixMs(moment_unix_ms).to_london_display()
            ))
        };
        let seg = self
            .segments(
                Some(camera),
                Some("main"),
                moment_unix_ms,
                moment_unix_ms + 1,
            )
            .await?
            .into_iter()
            .rfind(|s| s.start_unix_ms <= moment_unix_ms)
            .ok_or_else(none_at)?;
        let index = seg
            .fragments
            .iter()
            .rposition(|f| f.start_unix_ms <= moment_unix_ms)
            .ok_or_else(none_at)?;
        let frag_start = seg.fragments[index].start_unix_ms;
        // The whole segment is read and checked against its recorded SHA-256.
        let records = self.segment_records(footage, &seg).await?;
        let fragment = records
            .get(index)
            .map(|r| r.plaintext.clone())
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "segment {} has fewer fragments than its index says",
                    seg.path
                ))
            })?;
        let fragment_sha = to_hex(&Sha256::digest(&fragment));
        let (init, init_bytes) = self.init_bytes(footage, camera, &seg.init_id).await?;
        let pick = custos_media::still::frame_at(&fragment, frag_start, moment_unix_ms)
            .map_err(|e| StoreError::Corrupt(format!("segment {}: {e}", seg.path)))?;
        let mut mp4 = init_bytes;
        let mut frag = fragment;
        crate::footage::set_base_decode_time(&mut frag, 0)?;
        mp4.extend_from_slice(&frag);
        let png = tokio::task::spawn_blocking(move || {
            custos_media::still::decode_png(&ffmpeg, &mp4, pick.offset_90k)
        })
        .await
        .map_err(|e| StoreError::Files(format!("the decoder stopped: {e}")))?
        .map_err(|e| match e {
            e @ custos_media::still::StillError::NoFfmpeg { .. } => {
                StoreError::Invalid(format!("{e}; nothing was recorded"))
            }
            e => StoreError::Files(e.to_string()),
        })?;
        let (width, height) = custos_media::still::png_size(&png)
            .ok_or_else(|| StoreError::Files("ffmpeg wrote no PNG".to_owned()))?;
        let still_sha = to_hex(&Sha256::digest(&png));
        let name = self.name_of(&keeper.username).await?;
        let officer = a.current();
        let mut tx = self.write().await?;
        let reference =
            crate::cases::next_numbered(&mut tx, custos_domain::prints::PREFIX, now).await?;
        let sidecar = Sidecar {
            print: &reference,
            made_at: rfc3339(now),
            made_by: &name,
            camera: SidecarCamera {
                id: camera.as_str(),
                name: &cam.draft.name,
                location: &cam.draft.location,
            },
            moment_asked: rfc3339(moment_unix_ms),
            frame_time: rfc3339(pick.unix_ms),
            frame_unix_ms: pick.unix_ms,
            segment: SidecarSegment {
                file: &seg.path,
                sha256: &seg.sha256,
                start: rfc3339(seg.start_unix_ms),
                end: rfc3339(seg.end_unix_ms),
                init_sha256: &init.sha256,
                fragment_index: index,
                fragment_start: rfc3339(frag_start),
                fragment_sha256: fragment_sha,
                frame_in_fragment: pick.sample,
            },
            still: SidecarStill {
                format: "PNG",
                sha256: &still_sha,
                width,
                height,
                codec: &init.codec,
            },
            authority: SidecarAuthority {
                reference: &a.reference,
                officer: &officer.officer.name,
                rank: officer.officer.rank.describe(),
                number: &officer.officer.number,
                force: &officer.officer.force,
                dated: officer.dated.map(|d| d.to_string()).unwrap_or_default(),
                request: &officer.request,
                document_sha256: &a.document.sha256,
            },
            how: "One frame decoded by FFmpeg from the recorded fragment (group of pictures) holding the moment, after its init segment; the recorded footage was read and checked against its SHA-256, not re-encoded or changed.",
        };
        let sidecar = serde_json::to_vec_pretty(&sidecar)
            .map_err(|e| StoreError::Invalid(format!("the sidecar cannot be written: {e}")))?;
        let key = SecretKey::generate()?;
        let key_sealed = self
            .master_key()?
            .seal(&print_key_context(&reference), key.bytes())?;
        let dir = format!("prints/{reference}");
        let still_rel = format!("{dir}/{}.cdoc", random_hex(8)?);
        let sidecar_rel = format!("{dir}/{}.cdoc", random_hex(8)?);
        crate::documents::write_sealed(&documents.join(&still_rel), &key, &png, now)?;
        let sidecar_sha =
            crate::documents::write_sealed(&documents.join(&sidecar_rel), &key, &sidecar, now)?;
        sqlx::query(
            "INSERT INTO video_prints (reference, authority, camera_id, camera_name, \
             moment_unix_ms, frame_unix_ms, segment_path, segment_sha256, width, height, \
             still_path, still_sha256, sidecar_path, sidecar_sha256, key_sealed, made_by, \
             made_by_name, made_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18)",
        )
        .bind(&reference)
        .bind(&a.reference)
        .bind(camera.as_str())
        .bind(&cam.draft.name)
        .bind(moment_unix_ms)
        .bind(pick.unix_ms)
        .bind(&seg.path)
        .bind(&seg.sha256)
        .bind(i64::from(width))
        .bind(i64::from(height))
        .bind(&still_rel)
        .bind(&still_sha)
        .bind(&sidecar_rel)
        .bind(&sidecar_sha)
        .bind(&key_sealed)
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a video print"))?;
        tx.record(
            actor,
            NewEntry::new(Book::VideoPrints, "video-print-made")
                .with_ref(print_ref(&reference)?)
                .with_ref(authority_ref(&a.reference)?)
                .with_ref(camera_ref(camera)?)
                .with("moment", rfc3339(moment_unix_ms))
                .with("frame_at", rfc3339(pick.unix_ms))
                .with("segment_sha256", seg.sha256.as_str())
                .with("still_sha256", still_sha.as_str())
                .with("sidecar_sha256", sidecar_sha.as_str())
                .with("width", i64::from(width))
                .with("height", i64::from(height)),
        );
        tx.commit().await?;
        self.require_video_print(&reference).await
    }

    /// Print `reference`, if there is one.
    pub async fn video_print(&self, reference: &str) -> StoreResult<Option<Print>> {
        Ok(self
            .prints_where(Filter::Reference(reference.trim()))
            .await?
            .into_iter()
            .next())
    }

    async fn require_video_print(&self, reference: &str) -> StoreResult<Print> {
        self.video_print(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no video print {}; the video print register lists them",
                reference.trim()
            ))
        })
    }

    /// Every print, in order of making.
    pub async fn video_prints(&self) -> StoreResult<Vec<Print>> {
        self.prints_where(Filter::All).await
    }

    /// The prints kept until their destruction (BDC-34: "retained in a secure cabinet
    /// until destruction is authorised"): every print not yet destroyed, those whose
    /// destruction is authorised first, then the oldest first. For the supervisors'
    /// checks.
    pub async fn prints_awaiting_destruction(&self) -> StoreResult<Vec<Print>> {
        let mut prints = self.prints_where(Filter::NotDestroyed).await?;
        prints.sort_by_key(|p| (p.destruction_authorised.is_none(), p.made_at_unix_ms));
        Ok(prints)
    }

    /// The still of print `reference` (a PNG), decrypted and checked, for `actor`, who is
    /// ledgered as having taken it (`video-print-downloaded`) before it is handed over.
    pub async fn video_print_still(
        &self,
        actor: &Actor,
        documents: &Path,
        reference: &str,
    ) -> StoreResult<Vec<u8>> {
        let (png, p) = self.print_file(documents, reference, true).await?;
        self.append(
            actor,
            NewEntry::new(Book::VideoPrints, "video-print-downloaded")
                .with_ref(print_ref(&p.reference)?)
                .with("still_sha256", p.source.still_sha256.as_str()),
        )
        .await?;
        Ok(png)
    }

    /// The sidecar of print `reference` (JSON), decrypted and checked.
    pub async fn video_print_sidecar(
        &self,
        documents: &Path,
        reference: &str,
    ) -> StoreResult<Vec<u8>> {
        Ok(self.print_file(documents, reference, false).await?.0)
    }

    async fn print_file(
        &self,
        documents: &Path,
        reference: &str,
        still: bool,
    ) -> StoreResult<(Vec<u8>, Print)> {
        let p = self.require_video_print(reference).await?;
        if let Some(d) = &p.destroyed {
            return Err(StoreError::NotFound(format!(
                "{} was destroyed on {}: its still and sidecar no longer exist",
                p.reference,
                UnixMs(d.at_unix_ms).to_london_display()
            )));
        }
        let row =
            sqlx::query("SELECT still_path, sidecar_path FROM video_prints WHERE reference = $1")
                .bind(&p.reference)
                .fetch_one(self.pool())
                .await
                .map_err(StoreError::db("reading a video print"))?;
        let get = StoreError::db("reading a video print");
        let path: Option<String> = row.try_get(if still { 0 } else { 1 }).map_err(get)?;
        let path =
            path.ok_or_else(|| StoreError::NotFound(format!("{} has no file kept", p.reference)))?;
        let key = self
            .open_record_key(
                "SELECT key_sealed FROM video_prints WHERE reference = $1",
                &print_key_context(&p.reference),
                &p.reference,
                "video print",
            )
            .await?;
        let (sha, what) = if still {
            (&p.source.still_sha256, "still")
        } else {
            (&p.source.sidecar_sha256, "sidecar")
        };
        let bytes = crate::documents::read_sealed(
            &documents.join(&path),
            &key,
            sha,
            &format!("the {what} of video print {}", p.reference),
        )?;
        Ok((bytes, p))
    }

    /// Records to whom print `reference` was given (`video-print-given`), by `keeper`.
    pub async fn give_video_print(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference: &str,
        given: &Given,
    ) -> StoreResult<Print> {
        self.book_role(keeper, Book::VideoPrints, false).await?;
        let p = self.require_video_print(reference).await?;
        p.check(Step::Give).map_err(StoreError::Invalid)?;
        let now = self.clock().now().0;
        custos_domain::prints::check_given(given, p.made_at_unix_ms, now)
            .map_err(|e| StoreError::Invalid(e.join("; ")))?;
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE video_prints SET given_to = $1, given_to_organisation = $2, \
             given_at_unix_ms = $3 WHERE reference = $4 AND given_at_unix_ms IS NULL \
             AND destroyed_at_unix_ms IS NULL",
        )
        .bind(given.to.trim())
        .bind(given.organisation.trim())
        .bind(given.at_unix_ms)
        .bind(&p.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording to whom a video print was given"))?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!(
                "{} has just been recorded as given",
                p.reference
            )));
        }
        tx.record(
            actor,
            NewEntry::new(Book::VideoPrints, "video-print-given")
                .with_ref(print_ref(&p.reference)?)
                .with("to", given.to.trim())
                .with("organisation", given.organisation.trim())
                .with("at", rfc3339(given.at_unix_ms)),
        );
        tx.commit().await?;
        self.require_video_print(&p.reference).await
    }

    /// Authorises the destruction of print `reference` (BDC-34: "until destruction is
    /// authorised"), by `signer`, who must countersign the register, with `reason`
    /// (`video-print-destruction-authorised`).
    pub async fn authorise_print_destruction(
        &self,
        actor: &Actor,
        signer: &Subject,
        reference: &str,
        reason: &str,
    ) -> StoreResult<Print> {
        let role = self.book_role(signer, Book::VideoPrints, true).await?;
        let p = self.require_video_print(reference).await?;
        p.check(Step::AuthoriseDestruction)
            .map_err(StoreError::Invalid)?;
        if reason.trim().chars().count() < 3 {
            return Err(StoreError::Invalid(
                "say why the print may be destroyed (no longer needed, the case is closed)"
                    .to_owned(),
            ));
        }
        let name = self.name_of(&signer.username).await?;
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE video_prints SET destruction_authorised_by = $1, \
             destruction_authorised_name = $2, destruction_authorised_role = $3, \
             destruction_reason = $4, destruction_authorised_at_unix_ms = $5 \
             WHERE reference = $6 AND destruction_authorised_at_unix_ms IS NULL",
        )
        .bind(&signer.username)
        .bind(&name)
        .bind(role.as_str())
        .bind(reason.trim())
        .bind(now)
        .bind(&p.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db(
            "authorising the destruction of a video print",
        ))?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!(
                "the destruction of {} has just been authorised",
                p.reference
            )));
        }
        tx.record(
            actor,
            NewEntry::new(Book::VideoPrints, "video-print-destruction-authorised")
                .with_ref(print_ref(&p.reference)?)
                .with("by", signer.username.as_str())
                .with("role", role.as_str())
                .with("reason", reason.trim()),
        );
        tx.commit().await?;
        self.require_video_print(&p.reference).await
    }

    /// Records the destruction of print `reference` by `keeper`, once it is authorised
    /// (`video-print-destroyed`): its key is dropped in the same transaction, then its
    /// still and sidecar under `documents` are deleted.
    pub async fn destroy_video_print(
        &self,
        actor: &Actor,
        keeper: &Subject,
        documents: &Path,
        reference: &str,
    ) -> StoreResult<Print> {
        self.book_role(keeper, Book::VideoPrints, false).await?;
        let p = self.require_video_print(reference).await?;
        p.check(Step::Destroy).map_err(StoreError::Invalid)?;
        let name = self.name_of(&keeper.username).await?;
        let now = self.clock().now().0;
        let row =
            sqlx::query("SELECT still_path, sidecar_path FROM video_prints WHERE reference = $1")
                .bind(&p.reference)
                .fetch_one(self.pool())
                .await
                .map_err(StoreError::db("reading a video print"))?;
        let get = StoreError::db("reading a video print");
        let files: Vec<String> = [
            row.try_get::<Option<String>, _>(0).map_err(get)?,
            row.try_get::<Option<String>, _>(1).map_err(get)?,
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE video_prints SET destroyed_by = $1, destroyed_by_name = $2, \
             destroyed_at_unix_ms = $3, key_sealed = NULL, still_path = NULL, \
             sidecar_path = NULL \
             WHERE reference = $4 AND destroyed_at_unix_ms IS NULL \
             AND destruction_authorised_at_unix_ms IS NOT NULL",
        )
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .bind(&p.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording the destruction of a video print"))?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!(
                "{} has just been destroyed",
                p.reference
            )));
        }
        tx.record(
            actor,
            NewEntry::new(Book::VideoPrints, "video-print-destroyed")
                .with_ref(print_ref(&p.reference)?)
                .with("still_sha256", p.source.still_sha256.as_str()),
        );
        tx.commit().await?;
        // The key is gone with the commit; the files follow.
        for f in &files {
            let path = documents.join(f);
            if let Err(e) = std::fs::remove_file(&path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(
                    file = %path.display(),
                    error = %e,
                    "a destroyed video print's file could not be deleted; its key is destroyed, so it cannot be read"
                );
            }
        }
        if let Some(dir) = files
            .first()
            .and_then(|f| documents.join(f).parent().map(Path::to_owned))
        {
            let _ = std::fs::remove_dir(dir);
        }
        self.require_video_print(&p.reference).await
    }

    /// Corrects to whom print `reference` was given, by `keeper`: a new entry naming it,
    /// the detail, its value before and after, and why (`video-print-corrected`).
    pub async fn correct_video_print(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference: &str,
        correction: &CorrectionDraft<PrintField>,
    ) -> StoreResult<Print> {
        self.book_role(keeper, Book::VideoPrints, false).await?;
        let p = self.require_video_print(reference).await?;
        let now = self.clock().now().0;
        let before = p
            .check_correction(correction, now)
            .map_err(|e| StoreError::Invalid(e.join("; ")))?;
        let after = correction.value.trim().to_owned();
        let name = self.name_of(&keeper.username).await?;
        let number = i64::try_from(p.corrections.len()).unwrap_or(i64::MAX) + 1;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO video_print_corrections (reference, number, field, before_value, \
             after_value, reason, corrected_by, corrected_by_name, corrected_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&p.reference)
        .bind(number)
        .bind(correction.field.as_str())
        .bind(&before)
        .bind(&after)
        .bind(correction.reason.trim())
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("correcting a video print"))?;
        let words = |value: &str| {
            if correction.field.is_time() {
                value.parse::<i64>().map(rfc3339).unwrap_or_default()
            } else {
                value.to_owned()
            }
        };
        tx.record(
            actor,
            NewEntry::new(Book::VideoPrints, "video-print-corrected")
                .with_ref(print_ref(&p.reference)?)
                .with("correction", number)
                .with("field", correction.field.as_str())
                .with("before", words(&before))
                .with("after", words(&after))
                .with("reason", correction.reason.trim()),
        );
        tx.commit().await?;
        self.require_video_print(&p.reference).await
    }

    async fn authorities_where(&self, reference: Option<&str>) -> StoreResult<Vec<Authority>> {
        let get = StoreError::db("reading the video print register's authorities");
        let rows = match reference {
            Some(r) => {
                sqlx::query(concat!(authority_columns!(), "WHERE reference = $1"))
                    .bind(r)
                    .fetch_all(self.pool())
                    .await
            }
            None => {
                sqlx::query(concat!(
                    authority_columns!(),
                    "ORDER BY recorded_at_unix_ms, reference"
                ))
                .fetch_all(self.pool())
                .await
            }
        }
        .map_err(get)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let reference: String = r.try_get(0).map_err(get)?;
            let corrupt = |e: String| StoreError::Corrupt(format!("authority {reference}: {e}"));
            let rank: String = r.try_get(2).map_err(get)?;
            let dated: String = r.try_get(6).map_err(get)?;
            out.push(Authority {
                recorded: AuthorityDraft {
                    officer: Officer {
                        name: r.try_get(1).map_err(get)?,
                        rank: rank.parse().map_err(corrupt)?,
                        number: r.try_get(3).map_err(get)?,
                        force: r.try_get(4).map_err(get)?,
                    },
                    request: r.try_get(5).map_err(get)?,
                    dated: Some(
                        dated
                            .parse()
                            .map_err(|_| corrupt(format!("{dated:?} is not a day")))?,
                    ),
                    document_attached: true,
                },
                document: Document {
                    name: r.try_get(7).map_err(get)?,
                    sha256: r.try_get(8).map_err(get)?,
                },
                recorded_by: r.try_get(9).map_err(get)?,
                recorded_by_name: r.try_get(10).map_err(get)?,
                recorded_at_unix_ms: r.try_get(11).map_err(get)?,
                corrections: Vec::new(),
                reference,
            });
        }
        if out.is_empty() {
            return Ok(out);
        }
        let rows = sqlx::query(
            "SELECT reference, field, before_value, after_value, reason, corrected_by_name, \
             corrected_at_unix_ms FROM print_authority_corrections \
             WHERE CAST($1 AS TEXT) IS NULL OR reference = $1 ORDER BY reference, number",
        )
        .bind(reference)
        .fetch_all(self.pool())
        .await
        .map_err(get)?;
        for r in &rows {
            let reference: String = r.try_get(0).map_err(get)?;
            let field: String = r.try_get(1).map_err(get)?;
            let c = Correction {
                field: field.parse().map_err(|e: String| {
                    StoreError::Corrupt(format!("authority {reference}: {e}"))
                })?,
                before: r.try_get(2).map_err(get)?,
                after: r.try_get(3).map_err(get)?,
                reason: r.try_get(4).map_err(get)?,
                by: r.try_get(5).map_err(get)?,
                at_unix_ms: r.try_get(6).map_err(get)?,
            };
            if let Some(a) = out.iter_mut().find(|a| a.reference == reference) {
                a.corrections.push(c);
            }
        }
        Ok(out)
    }

    async fn prints_where(&self, filter: Filter<'_>) -> StoreResult<Vec<Print>> {
        let get = StoreError::db("reading the video print register");
        let rows = match filter {
            Filter::Reference(r) => {
                sqlx::query(concat!(print_columns!(), "WHERE reference = $1"))
                    .bind(r)
                    .fetch_all(self.pool())
                    .await
            }
            Filter::All => {
                sqlx::query(concat!(
                    print_columns!(),
                    "ORDER BY made_at_unix_ms, reference"
                ))
                .fetch_all(self.pool())
                .await
            }
            Filter::NotDestroyed => {
                sqlx::query(concat!(
                    print_columns!(),
                    "WHERE destroyed_at_unix_ms IS NULL ORDER BY made_at_unix_ms, reference"
                ))
                .fetch_all(self.pool())
                .await
            }
        }
        .map_err(get)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let size = |i: usize| -> StoreResult<u32> {
                let v: i64 = r.try_get(i).map_err(get)?;
                Ok(u32::try_from(v).unwrap_or(0))
            };
            let given = match (
                r.try_get::<Option<String>, _>(14).map_err(get)?,
                r.try_get::<Option<String>, _>(15).map_err(get)?,
                r.try_get::<Option<i64>, _>(16).map_err(get)?,
            ) {
                (Some(to), Some(organisation), Some(at)) => Some(Given {
                    to,
                    organisation,
                    at_unix_ms: at,
                }),
                _ => None,
            };
            let authorised = match (
                r.try_get::<Option<String>, _>(17).map_err(get)?,
                r.try_get::<Option<String>, _>(18).map_err(get)?,
                r.try_get::<Option<String>, _>(19).map_err(get)?,
                r.try_get::<Option<i64>, _>(20).map_err(get)?,
            ) {
                (Some(by), Some(role), Some(reason), Some(at)) => Some(DestructionAuthorised {
                    by,
                    role,
                    reason,
                    at_unix_ms: at,
                }),
                _ => None,
            };
            let destroyed = match (
                r.try_get::<Option<String>, _>(21).map_err(get)?,
                r.try_get::<Option<i64>, _>(22).map_err(get)?,
            ) {
                (Some(by), Some(at)) => Some(Destroyed { by, at_unix_ms: at }),
                _ => None,
            };
            out.push(Print {
                reference: r.try_get(0).map_err(get)?,
                authority: r.try_get(1).map_err(get)?,
                source: Source {
                    camera: r.try_get(2).map_err(get)?,
                    camera_name: r.try_get(3).map_err(get)?,
                    moment_unix_ms: r.try_get(4).map_err(get)?,
                    frame_unix_ms: r.try_get(5).map_err(get)?,
                    segment_sha256: r.try_get(6).map_err(get)?,
                    still_sha256: r.try_get(7).map_err(get)?,
                    sidecar_sha256: r.try_get(8).map_err(get)?,
                    width: size(9)?,
                    height: size(10)?,
                },
                made_by: r.try_get(11).map_err(get)?,
                made_by_name: r.try_get(12).map_err(get)?,
                made_at_unix_ms: r.try_get(13).map_err(get)?,
                given,
                destruction_authorised: authorised,
                destroyed,
                corrections: Vec::new(),
            });
        }
        if out.is_empty() {
            return Ok(out);
        }
        let only = match filter {
            Filter::Reference(r) => Some(r),
            _ => None,
        };
        let rows = sqlx::query(
            "SELECT reference, field, before_value, after_value, reason, corrected_by_name, \
             corrected_at_unix_ms FROM video_print_corrections \
             WHERE CAST($1 AS TEXT) IS NULL OR reference = $1 ORDER BY reference, number",
        )
        .bind(only)
        .fetch_all(self.pool())
        .await
        .map_err(get)?;
        for r in &rows {
            let reference: String = r.try_get(0).map_err(get)?;
            let field: String = r.try_get(1).map_err(get)?;
            let c = Correction {
                field: field.parse().map_err(|e: String| {
                    StoreError::Corrupt(format!("video print {reference}: {e}"))
                })?,
                before: r.try_get(2).map_err(get)?,
                after: r.try_get(3).map_err(get)?,
                reason: r.try_get(4).map_err(get)?,
                by: r.try_get(5).map_err(get)?,
                at_unix_ms: r.try_get(6).map_err(get)?,
            };
            if let Some(p) = out.iter_mut().find(|p| p.reference == reference) {
                p.corrections.push(c);
            }
        }
        Ok(out)
    }
}
