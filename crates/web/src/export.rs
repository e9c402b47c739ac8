//! Producing evidence packages on the web (BDC-3, BDC-4, BDC-5, ALT-8, ALT-14): the form,
//! the package made in the background with its progress shown, and the archive to
//! download — the same package `custos export` makes, through the same store call. A
//! disclosure case's release runs as the same kind of job ([`JobWork::Release`]), so it has
//! the same progress, download and passphrase shown once.
//!
//! Invariants: only someone holding `export` for every camera starts one, and the
//! authoriser is checked by the store; a job is seen only by the person who started it; the
//! passphrase of an encrypted package is shown once and then forgotten; each download of
//! the archive is ledgered (BDC-5: every movement of evidence).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::Right;
use custos_store::evidence::ExportRequest;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

/// One export under way or done.
#[derive(Debug, Clone, Default)]
pub struct ExportJob {
    /// Who started it (user name).
    pub owner: String,
    /// The exhibit reference.
    pub exhibit: String,
    /// The case it was made for, if any.
    pub case: Option<String>,
    /// Bytes of master footage written, of the total.
    pub done: u64,
    /// The total.
    pub total: u64,
    /// When finished: the package id, the SHA-256 of its SHA256SUMS, and the archive.
    pub finished: Option<(String, String, PathBuf)>,
    /// The passphrase, until it has been shown once.
    pub passphrase: Option<String>,
    /// Why it failed, if it did, in words (never the server's own paths).
    pub failed: Option<String>,
    /// Where to try again: the download's or the case's page.
    pub retry: String,
}

/// Why a package could not be made, in words for the person who asked: what they can put
/// right is said as the store says it; a failure of the server's disk or database is said
/// without its paths (which mean nothing to them and are the server's own), and logged in
/// full for whoever looks after the server.
pub(crate) fn failure_words(e: &custos_store::StoreError) -> String {
    use custos_base::ErrorKind;
    match e.kind() {
        ErrorKind::InvalidInput
        | ErrorKind::NotFound
        | ErrorKind::PermissionDenied
        | ErrorKind::Conflict => e.to_string(),
        _ => {
            tracing::error!(error = %e, "an evidence package could not be made");
            "the server could not write the package (a problem with its disk, files or database). Nothing was handed out and nothing you typed is lost: try again below; if it fails again, tell whoever looks after the server (its log says what went wrong)".to_owned()
        }
    }
}

/// The server's export jobs by id.
pub type ExportJobs = Arc<Mutex<HashMap<String, ExportJob>>>;

fn jobs_error() -> WebError {
    WebError::BadRequest("the server's list of exports is unavailable; try again".to_owned())
}

#[derive(Template)]
#[template(path = "export_form.html")]
struct FormPage {
    banner: Banner,
    cameras: Vec<crate::forms::CameraChoice>,
    /// Who may authorise a download, in words.
    authorisers: String,
    classes: Vec<(String, String)>,
    /// What was typed, kept when the form comes back with a problem.
    f: ExportForm,
    /// What is wrong, in words, when the form comes back.
    problem: String,
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    f: ExportForm,
    problem: String,
) -> Result<Response, WebError> {
    let Some(policy) = state.store.active_policy().await? else {
        return Err(WebError::Forbidden("no policy pack is loaded".to_owned()));
    };
    let mut cameras = Vec::new();
    for c in state.store.cameras(false).await? {
        if staff.may(Right::Export, &state.store.camera_target(&c).await?) {
            cameras.push((c.id.to_string(), c.draft.name));
        }
    }
    Ok(render(
        if problem.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        },
        &FormPage {
            banner: Banner::load(state, staff).await?,
            cameras: crate::forms::camera_choices(cameras, &f.cameras),
            authorisers: policy.pack.authorise.download.describe_groups(),
            classes: policy
                .pack
                .retention
                .classes
                .iter()
                .map(|c| (c.id.to_string(), c.description.clone()))
                .collect(),
            f,
            problem,
        },
    ))
}

/// `?cameras=&from=&to=&case_ref=`: the form filled in from where it was opened (the
/// review player's "Export this range").
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Prefill {
    cameras: Option<String>,
    from: Option<String>,
    to: Option<String>,
    case_ref: Option<String>,
}

/// `GET /export`: the form, proposing the last ten minutes' footage, which can be exported
/// at once: the hour still being recorded is sealed so far as the package is made (BDC-5);
/// or the cameras and range it was opened with.
pub(crate) async fn form(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<Prefill>,
) -> Result<Response, WebError> {
    staff.require_somewhere(Right::Export)?;
    let now = state.store.clock().now().0;
    let f = ExportForm {
        cameras: q.cameras.unwrap_or_default(),
        // The form counts in whole minutes: to the end of this one, so that it reaches now.
        from: q
            .from
            .unwrap_or_else(|| UnixMs(now - 10 * 60_000).to_uk_local_input()),
        to: q
            .to
            .unwrap_or_else(|| UnixMs(now - now.rem_euclid(60_000) + 60_000).to_uk_local_input()),
        case_ref: q.case_ref.unwrap_or_default(),
        encrypt: Some("1".to_owned()),
        ..ExportForm::default()
    };
    form_page(&state, &staff, f, String::new()).await
}

/// The form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ExportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    cameras: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    exhibit: String,
    #[serde(default)]
    requester: String,
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    case_ref: String,
    #[serde(default)]
    keep_as: String,
    /// Present when ticked.
    encrypt: Option<String>,
}

/// The footage folder and the folder packages are written into, or why this server makes
/// no packages.
pub(crate) fn folders(state: &AppState) -> Result<(PathBuf, PathBuf), WebError> {
    let Some(footage) = state.footage.clone() else {
        return Err(WebError::Forbidden(
            "this server keeps no footage; export from the server that records".to_owned(),
        ));
    };
    let Some(exports) = state.exports_dir.clone() else {
        return Err(WebError::Forbidden(
            "this server has no data folder to write packages into".to_owned(),
        ));
    };
    Ok((footage, exports))
}

/// What a job makes: both are evidence packages, through the store calls that ledger them.
#[derive(Debug, Clone)]
pub(crate) enum JobWork {
    /// An authorised download's package ([`custos_store::Store::produce_download`]).
    Download {
        /// The download.
        id: String,
        /// The exhibit reference.
        exhibit: String,
        /// The case, if any.
        case: Option<String>,
    },
    /// A disclosure case's release ([`custos_store::Store::release_disclosure`]): a package
    /// made for the case, and its hand-over written to the disclosure log.
    Release {
        /// The case reference.
        reference: String,
        /// The exhibit reference.
        exhibit: String,
        /// Whether to encrypt it with a passphrase.
        encrypt: bool,
    },
}

impl JobWork {
    fn exhibit(&self) -> &str {
        match self {
            Self::Download { exhibit, .. } | Self::Release { exhibit, .. } => exhibit,
        }
    }

    fn case(&self) -> Option<String> {
        match self {
            Self::Download { case, .. } => case.clone(),
            Self::Release { reference, .. } => Some(reference.clone()),
        }
    }
}

/// Starts `work` in the background as `actor`, in a new folder under `exports`; returns the
/// job's id, whose page (`/exports/{id}`) follows it. Only `staff` sees the job.
pub(crate) fn spawn(
    state: &AppState,
    staff: &Staff,
    actor: Actor,
    (footage, exports): (PathBuf, PathBuf),
    work: JobWork,
) -> Result<String, WebError> {
    let id = custos_store::reviews::random_hex(8)?;
    let exhibit = work.exhibit().trim().to_owned();
    let slug: String = exhibit
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let out = exports
        .join(&id)
        .join(if slug.is_empty() { "package" } else { &slug });
    state.exports.lock().map_err(|_| jobs_error())?.insert(
        id.clone(),
        ExportJob {
            owner: staff.info.subject.username.clone(),
            exhibit,
            case: work.case(),
            retry: match &work {
                JobWork::Download { id, .. } => format!("/downloads/{id}"),
                JobWork::Release { reference, .. } => format!("/cases/{reference}#release"),
            },
            ..ExportJob::default()
        },
    );
    let jobs = state.exports.clone();
    let store = state.store.clone();
    let job_id = id.clone();
    let cuts = state.segment_cuts.clone();
    tokio::spawn(async move {
        // A download reaching into the present first has the recorder close the cameras'
        // open segments, so that it holds the footage up to the moment it was asked for.
        if let (JobWork::Download { id, .. }, Some(cuts)) = (&work, &cuts)
            && let Ok(d) = store.require_download(id).await
        {
            cut_open_segments(&store, cuts, &d.request.cameras, d.request.to_unix_ms).await;
        }
        if let Some(dir) = out.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            if let Ok(mut j) = jobs.lock()
                && let Some(job) = j.get_mut(&job_id)
            {
                job.failed = Some(failure_words(&custos_store::StoreError::Files(format!(
                    "cannot make {}: {e}",
                    dir.display()
                ))));
            }
            return;
        }
        let progress_jobs = jobs.clone();
        let progress_id = job_id.clone();
        let progress = move |done: u64, total: u64| {
            if let Ok(mut j) = progress_jobs.lock()
                && let Some(job) = j.get_mut(&progress_id)
            {
                job.done = done;
                job.total = total;
            }
        };
        let result = match &work {
            JobWork::Download { id, .. } => {
                store
                    .produce_download(&actor, &footage, &out, id, &progress)
                    .await
            }
            JobWork::Release {
                reference,
                exhibit,
                encrypt,
            } => {
                store
                    .release_disclosure(
                        &actor, &footage, &out, reference, exhibit, *encrypt, &progress,
                    )
                    .await
            }
        };
        // The package and its archive (an encrypted package is its archive already).
        let made = result.and_then(|s| match &s.encrypted {
            Some((archive, _)) => {
                let archive = archive.clone();
                Ok((s, archive))
            }
            None => custos_store::evidence::archive_package(&out).map(|a| (s, a)),
        });
        if let Ok(mut j) = jobs.lock()
            && let Some(job) = j.get_mut(&job_id)
        {
            match made {
                Ok((s, archive)) => {
                    job.passphrase = s.encrypted.map(|(_, p)| p);
                    job.finished = Some((s.package_id, s.sums_sha256, archive));
                }
                Err(e) => job.failed = Some(failure_words(&e)),
            }
        }
    });
    Ok(id)
}

/// How long a package waits for the recorder to close the open segments it asked for.
const CUT_WAIT: std::time::Duration = std::time::Duration::from_secs(4);

/// Asks the recorder to close the open segments now, when footage up to `to_unix_ms` may
/// still be in them, and waits (at most [`CUT_WAIT`]) until each of `cameras` that is
/// recording has a segment reaching the moment of asking (less a second, its key frames'
/// spacing at most). A camera not recording, or a recorder that does not answer in time,
/// leaves the package with the footage indexed so far.
async fn cut_open_segments(
    store: &custos_store::Store,
    cuts: &tokio::sync::watch::Sender<i64>,
    cameras: &[Ident],
    to_unix_ms: i64,
) {
    let asked = store.clock().now().0;
    if to_unix_ms < asked - 2 * 60_000 {
        return;
    }
    let recording: Vec<&Ident> = match store.health().await {
        Ok(h) => cameras
            .iter()
            .filter(|c| {
                h.iter()
                    .any(|x| x.camera == **c && x.stream == "main" && x.state == "recording")
            })
            .collect(),
        Err(_) => return,
    };
    if recording.is_empty() {
        return;
    }
    cuts.send_replace(asked);
    let until = std::time::Instant::now() + CUT_WAIT;
    while std::time::Instant::now() < until {
        let mut all = true;
        for c in &recording {
            let reached = store
                .segments(Some(c), Some("main"), asked - 2 * 60_000, asked + 60_000)
                .await
                .is_ok_and(|segs| segs.iter().any(|s| s.end_unix_ms >= asked - 1_000));
            all &= reached;
        }
        if all {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tracing::warn!(
        "the recorder did not close its open segments in time; the package holds the footage indexed so far"
    );
}

/// `POST /export`: records the request for a package (ALT-8). Someone who may authorise
/// downloads where every camera is authorises it as they ask, and the package is made at
/// once in the background; otherwise the request waits on its own page for the people the
/// scheme's policy names. A request that cannot be made comes back with what was typed
/// and what to put right.
pub(crate) async fn start(
    State(state): State<AppState>,
    staff: Staff,
    crate::forms::ListForm(f): crate::forms::ListForm<ExportForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    staff.require_somewhere(Right::Export)?;
    let folders = folders(&state)?;
    match export_request(&state, &staff, &f).await? {
        Ok((actor, req)) => {
            let d = match state.store.request_download(&actor, &req).await {
                Ok(d) => d,
                Err(e)
                    if e.kind() == custos_base::ErrorKind::InvalidInput
                        || e.kind() == custos_base::ErrorKind::NotFound =>
                {
                    return form_page(&state, &staff, f, e.to_string()).await;
                }
                Err(e) => return Err(e.into()),
            };
            // The person asking authorises it too, if they may where the footage is.
            let d = match state
                .store
                .authorise_download(&staff.info.subject, &d.id)
                .await
            {
                Ok(d) => d,
                Err(custos_store::StoreError::Forbidden(_)) => d,
                Err(e) => return Err(e.into()),
            };
            if d.state != custos_store::downloads::DownloadState::Authorised {
                // ALT-8: those who could authorise it are told by e-mail, where configured.
                if let Some(n) = &state.notifier {
                    n.download_waiting(state.store.clone(), d.id.clone());
                }
                return Ok(Redirect::to(&crate::done::to(
                    &format!("/downloads/{}", d.id),
                    "download-requested",
                ))
                .into_response());
            }
            let id = spawn(
                &state,
                &staff,
                actor,
                folders,
                JobWork::Download {
                    id: d.id.clone(),
                    exhibit: d.request.exhibit.clone(),
                    case: d.request.case_ref.clone(),
                },
            )?;
            Ok(Redirect::to(&format!("/exports/{id}")).into_response())
        }
        Err(problem) => form_page(&state, &staff, f, problem).await,
    }
}

/// The request the form asks for, and who asks (holding `export` for every camera); or
/// what is wrong with the form, in words. A refusal of the right is an error of its own.
async fn export_request(
    state: &AppState,
    staff: &Staff,
    f: &ExportForm,
) -> Result<Result<(Actor, ExportRequest), String>, WebError> {
    Ok(match form_request(state, staff, f).await {
        Ok(r) => Ok(r),
        Err(FormProblem::Words(w)) => Err(w),
        Err(FormProblem::Refused(e)) => return Err(e),
    })
}

enum FormProblem {
    Words(String),
    Refused(WebError),
}

impl From<String> for FormProblem {
    fn from(w: String) -> Self {
        Self::Words(w)
    }
}

async fn form_request(
    state: &AppState,
    staff: &Staff,
    f: &ExportForm,
) -> Result<(Actor, ExportRequest), FormProblem> {
    let mut cameras = Vec::new();
    let mut actor = None;
    for id in f
        .cameras
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let id = Ident::parse(id).map_err(|e| format!("cameras: {e}"))?;
        let camera = state
            .store
            .camera(&id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("there is no camera {id}; choose one from the list"))?;
        let target = state
            .store
            .camera_target(&camera)
            .await
            .map_err(|e| e.to_string())?;
        actor = Some(
            staff
                .require(state, Right::Export, &target)
                .await
                .map_err(FormProblem::Refused)?,
        );
        cameras.push(id);
    }
    let Some(actor) = actor else {
        return Err("choose at least one camera".to_owned().into());
    };
    let time = |t: &str, what: &str| {
        UnixMs::parse_uk_local(t)
            .map(|t| t.0)
            .map_err(|e| format!("{what}: {e}"))
    };
    let req = ExportRequest {
        exhibit: f.exhibit.trim().to_owned(),
        cameras,
        from_unix_ms: time(&f.from, "from")?,
        to_unix_ms: time(&f.to, "to")?,
        requester: f.requester.clone(),
        authoriser: String::new(),
        recipient: f.recipient.clone(),
        purpose: f.purpose.clone(),
        case_ref: Some(f.case_ref.trim().to_owned()).filter(|c| !c.is_empty()),
        keep_as: match f.keep_as.trim() {
            "" => None,
            c => Some(Ident::parse(c).map_err(|e| format!("keep the copy as: {e}"))?),
        },
        encrypt: f.encrypt.is_some(),
    };
    Ok((actor, req))
}

fn job(state: &AppState, staff: &Staff, id: &str) -> Result<ExportJob, WebError> {
    staff.require_somewhere(Right::Export)?;
    let jobs = state.exports.lock().map_err(|_| jobs_error())?;
    match jobs.get(id) {
        Some(j) if j.owner == staff.info.subject.username => Ok(j.clone()),
        _ => Err(WebError::Store(custos_store::StoreError::NotFound(
            format!("there is no export {id} of yours on this server"),
        ))),
    }
}

#[derive(Template)]
#[template(path = "export_job.html")]
struct JobPage {
    banner: Banner,
    id: String,
    job: ExportJob,
    passphrase: String,
    archive_name: String,
}

/// `GET /exports/{id}`: the job's progress; when done, the package's fingerprint, the
/// download, and (once) the passphrase.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let job = job(&state, &staff, &id)?;
    // The passphrase is shown once: taken out of the job as this page is made.
    let passphrase = if job.finished.is_some() {
        state
            .exports
            .lock()
            .map_err(|_| jobs_error())?
            .get_mut(&id)
            .and_then(|j| j.passphrase.take())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let archive_name = job
        .finished
        .as_ref()
        .and_then(|(_, _, a)| a.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &JobPage {
            banner: Banner::load(&state, &staff).await?,
            id,
            job,
            passphrase,
            archive_name,
        },
    ))
}

/// `GET /exports/{id}/status`: progress as JSON, for the page's script.
pub(crate) async fn status(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let job = job(&state, &staff, &id)?;
    Ok(axum::Json(serde_json::json!({
        "done": job.done,
        "total": job.total,
        "finished": job.finished.is_some(),
        "failed": job.failed,
    }))
    .into_response())
}

/// `GET /exports/{id}/download`: the package archive (ledgered: BDC-5).
pub(crate) async fn download(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let job = job(&state, &staff, &id)?;
    let Some((package_id, _, archive)) = job.finished else {
        return Err(WebError::BadRequest(
            "the package is not finished yet".to_owned(),
        ));
    };
    let actor = staff.actor();
    state
        .store
        .record_evidence_download(&actor, &package_id, &job.exhibit)
        .await?;
    let file = tokio::fs::File::open(&archive).await.map_err(|e| {
        WebError::Store(custos_store::StoreError::Files(format!(
            "{}: {e}",
            archive.display()
        )))
    })?;
    let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "package".to_owned());
    let body = axum::body::Body::from_stream(tokio_util_stream(file));
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CONTENT_LENGTH, len.to_string()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// The file as a stream of 1 MiB chunks.
fn tokio_util_stream(
    file: tokio::fs::File,
) -> impl futures::Stream<Item = std::io::Result<Vec<u8>>> {
    use tokio::io::AsyncReadExt as _;
    futures::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buf = vec![0u8; 1 << 20];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(buf), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}
