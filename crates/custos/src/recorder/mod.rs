//! The recorder (BDC-2, LBU-7, LBU-15, LBU-16): one task per camera that records
//! continuously, reconnecting with capped exponential backoff; gaps recorded; a fault opened
//! in the maintenance log when a camera stays down longer than the pack allows, and closed
//! when it records again; closed camera-hours sealed into the ledger; figures written for
//! the camera pages and `/metrics`.
//!
//! Invariants: only one recorder writes a footage folder (it holds the footage lock); the
//! cameras recorded follow the register within a few seconds, without a restart;
//! before it records, it recovers what a crash left ([`recover::reconcile`]); on shutdown
//! every camera writes what it has buffered and closes its segment before the recorder
//! returns.

pub mod recover;
pub mod sink;

use custos_media::rtsp as session;

use std::path::{Path, PathBuf};
use std::time::Duration;

use custos_domain::{Ident, RecordingMode};
use custos_store::Store;
use custos_store::health::Health;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The first wait before reconnecting.
pub const BACKOFF_START: Duration = Duration::from_secs(1);
/// The longest wait between reconnection attempts.
pub const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// How often figures are written.
const HEALTH_EVERY_MS: i64 = 5_000;

/// A running recorder.
pub struct Recorder {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    _lock: recover::FootageLock,
}

impl Recorder {
    /// Starts recording every camera in service whose mode is continuous; each closes its
    /// open segment early when `cut` asks (an export made now). Returns `None` (and
    /// records nothing) if another process is recording this footage folder.
    pub async fn start(
        store: Store,
        footage: PathBuf,
        cut: watch::Receiver<i64>,
    ) -> anyhow::Result<Option<Self>> {
        let Some(lock) = recover::try_lock(&footage)? else {
            tracing::warn!(footage = %footage.display(), "another Custos is recording this footage folder; this one will not record");
            return Ok(None);
        };
        for line in recover::reconcile(&store, &footage).await? {
            tracing::warn!("{line}");
        }
        let (stop, stopped) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(supervise(store.clone(), footage, stopped.clone(), cut)),
            tokio::spawn(seal_periodically(store.clone(), stopped)),
        ];
        Ok(Some(Self {
            stop,
            tasks,
            _lock: lock,
        }))
    }

    /// Stops every camera, waiting until each has closed its segment.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Where footage is kept.
pub fn footage_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("footage")
}

/// How often the supervisor looks at the camera register for changes.
const REGISTER_POLL: Duration = Duration::from_secs(5);

/// Keeps one recording task per camera that should be recorded: cameras added to the
/// register (or switched to continuous) start recording within [`REGISTER_POLL`], retired
/// ones stop, and a camera whose address, transport or mode changed is restarted with it.
async fn supervise(
    store: Store,
    footage: PathBuf,
    mut stopped: watch::Receiver<bool>,
    cut: watch::Receiver<i64>,
) {
    let mut running: std::collections::BTreeMap<
        Ident,
        (custos_store::Camera, watch::Sender<bool>, JoinHandle<()>),
    > = std::collections::BTreeMap::new();
    let mut started = 0i64;
    loop {
        match store.cameras(false).await {
            Err(e) => tracing::error!(error = %e, "cannot read the camera register"),
            Ok(all) => {
                // Cameras paused for lack of disk space (only held footage left) wait.
                let paused: Vec<Ident> = match store.paused_cameras().await {
                    Ok(p) => p.into_iter().map(|(c, _, _)| c).collect(),
                    Err(e) => {
                        tracing::error!(error = %e, "cannot read which cameras are paused");
                        Vec::new()
                    }
                };
                let wanted: Vec<custos_store::Camera> = all
                    .into_iter()
                    .filter(|c| {
                        c.draft.mode == RecordingMode::Continuous && !paused.contains(&c.id)
                    })
                    .collect();
                let fault_after_ms = match store.active_policy().await {
                    Ok(Some(p)) => i64::from(p.pack.recording.fault_after_minutes) * 60_000,
                    _ => i64::from(custos_domain::policy::DEFAULT_FAULT_AFTER_MINUTES) * 60_000,
                };
                // Stop what is no longer wanted, or wanted differently.
                let stale: Vec<Ident> = running
                    .iter()
                    .filter(|(id, (cam, _, _))| {
                        wanted.iter().find(|w| w.id == **id).is_none_or(|w| {
                            w.main_url != cam.main_url || w.transport != cam.transport
                        })
                    })
                    .map(|(id, _)| id.clone())
                    .collect();
                for id in stale {
                    if let Some((_, stop, task)) = running.remove(&id) {
                        tracing::info!(camera = %id, "camera changed or left the register; its recording stops");
                        let _ = stop.send(true);
                        let _ = task.await;
                    }
                }
                let n = i64::try_from(wanted.len().max(1)).unwrap_or(1);
                for camera in wanted {
                    if running.contains_key(&camera.id) {
                        continue;
                    }
                    let stagger_ms = started * sink::SEGMENT_MS / n;
                    started += 1;
                    let (stop, camera_stopped) = watch::channel(false);
                    let task = tokio::spawn(record_camera(
                        store.clone(),
                        footage.clone(),
                        camera.clone(),
                        stagger_ms,
                        fault_after_ms,
                        camera_stopped,
                        cut.clone(),
                    ));
                    running.insert(camera.id.clone(), (camera, stop, task));
                }
            }
        }
        tokio::select! {
            _ = stopped.changed() => break,
            () = tokio::time::sleep(REGISTER_POLL) => {}
        }
    }
    for (_, (_, stop, task)) in running {
        let _ = stop.send(true);
        let _ = task.await;
    }
}

async fn seal_periodically(store: Store, mut stopped: watch::Receiver<bool>) {
    loop {
        if let Err(e) = store
            .seal_closed_hours(session::now_ms(), custos_store::recordings::SEAL_GRACE_MS)
            .await
        {
            tracing::error!(error = %e, "could not seal closed hours of footage");
        }
        tokio::select! {
            _ = stopped.changed() => return,
            () = tokio::time::sleep(Duration::from_secs(60)) => {}
        }
    }
}

struct Figures {
    health: Health,
    window_start_ms: i64,
    window_frames: i64,
    window_bytes: i64,
    last_written_ms: i64,
}

impl Figures {
    fn new(camera: &Ident) -> Self {
        let now = session::now_ms();
        Self {
            health: Health {
                camera: camera.clone(),
                stream: "main".to_owned(),
                state: "connecting".to_owned(),
                since_unix_ms: now,
                last_frame_unix_ms: None,
                frames_per_s_milli: 0,
                bitrate_bps: 0,
                reconnects: 0,
                drift_ms: 0,
                detail: String::new(),
                updated_at_unix_ms: now,
            },
            window_start_ms: now,
            window_frames: 0,
            window_bytes: 0,
            last_written_ms: 0,
        }
    }

    fn state(&mut self, state: &str, detail: &str) {
        if self.health.state != state {
            self.health.state = state.to_owned();
            self.health.since_unix_ms = session::now_ms();
        }
        detail.clone_into(&mut self.health.detail);
    }

    fn frame(&mut self, bytes: usize) {
        let now = session::now_ms();
        self.health.last_frame_unix_ms = Some(now);
        self.window_frames += 1;
        self.window_bytes += i64::try_from(bytes).unwrap_or(0);
        let span = now - self.window_start_ms;
        if span >= HEALTH_EVERY_MS {
            self.health.frames_per_s_milli = self.window_frames * 1_000_000 / span;
            self.health.bitrate_bps = self.window_bytes * 8 * 1000 / span;
            self.window_start_ms = now;
            self.window_frames = 0;
            self.window_bytes = 0;
        }
    }

    async fn write(&mut self, store: &Store, force: bool) {
        let now = session::now_ms();
        if !force && now - self.last_written_ms < HEALTH_EVERY_MS {
            return;
        }
        self.last_written_ms = now;
        self.health.updated_at_unix_ms = now;
        if let Err(e) = store.put_health(&self.health).await {
            tracing::error!(error = %e, camera = %self.health.camera, "could not write camera figures");
        }
    }
}

async fn record_camera(
    store: Store,
    footage: PathBuf,
    camera: custos_store::Camera,
    stagger_ms: i64,
    fault_after_ms: i64,
    mut stopped: watch::Receiver<bool>,
    cut: watch::Receiver<i64>,
) {
    let id = camera.id.clone();
    let mut figures = Figures::new(&id);
    let mut backoff = BACKOFF_START;
    let mut down_since: Option<i64> = None;
    let mut last_frame_ms: Option<i64> = None;
    let mut sink = sink::Sink::new(store.clone(), &footage, id.clone(), "main", stagger_ms, cut);
    loop {
        if *stopped.borrow() {
            break;
        }
        figures.state("connecting", "");
        figures.write(&store, true).await;
        let creds = match store.camera_credentials(&id).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(camera = %id, error = %e, "cannot read the camera's credentials");
                None
            }
        };
        let (tx, mut rx) = tokio::sync::mpsc::channel(256);
        let url = camera.main_url.clone();
        let udp = camera.transport == custos_domain::camera::Transport::Udp;
        let creds = creds.map(|c| (c.username, c.password));
        let session = tokio::spawn(async move { session::run(&url, creds, udp, tx).await });
        let mut recording = false;
        let mut failure: Option<String> = None;
        loop {
            tokio::select! {
                _ = stopped.changed() => break,
                ev = rx.recv() => match ev {
                    None => break,
                    Some(session::Event::Track(t)) => {
                        if let Err(e) = sink.set_track(t).await {
                            failure = Some(format!("{e:#}"));
                            break;
                        }
                    }
                    Some(session::Event::Drift { drift_ms, source }) => {
                        tracing::warn!(camera = %id, drift_ms, source, "camera time differs from server time by more than 2 s; frames are timed by the server's clock");
                        figures.health.drift_ms = drift_ms;
                    }
                    Some(session::Event::Frame(f)) => {
                        let first = !recording;
                        if first {
                            recording = true;
                            backoff = BACKOFF_START;
                            figures.state("recording", "");
                            if let Err(e) = store.close_gap(&id, "main", f.wall_unix_ms).await {
                                tracing::error!(camera = %id, error = %e, "could not close a recording gap");
                            }
                            if down_since.take().is_some()
                                && let Err(e) = store.close_fault(&id).await
                            {
                                tracing::error!(camera = %id, error = %e, "could not close a fault");
                            }
                        }
                        last_frame_ms = Some(f.wall_unix_ms);
                        figures.frame(f.data.len());
                        if let Err(e) = sink.push(f).await {
                            failure = Some(format!("{e:#}"));
                            break;
                        }
                        // The first frame of a recording is written at once: that the
                        // camera records (and since when) is known without waiting.
                        figures.write(&store, first).await;
                    }
                }
            }
        }
        session.abort();
        let ended = match session.await {
            Ok(Err(e)) => format!("{e:#}"),
            Ok(Ok(())) => "the session ended".to_owned(),
            Err(_) => "stopped".to_owned(),
        };
        if let Err(e) = sink.finish().await {
            tracing::error!(camera = %id, error = %format!("{e:#}"), "could not close the segment");
        }
        if *stopped.borrow() {
            break;
        }
        let why = failure.unwrap_or(ended);
        let now = session::now_ms();
        tracing::warn!(camera = %id, reason = %why, retry_in_s = backoff.as_secs(), "camera not recording");
        if let Err(e) = store
            .open_gap(&id, "main", last_frame_ms.unwrap_or(now), &why)
            .await
        {
            tracing::error!(camera = %id, error = %e, "could not record a gap");
        }
        let since = *down_since.get_or_insert(last_frame_ms.unwrap_or(now));
        if now - since >= fault_after_ms {
            match store.open_fault(&id, since, &why).await {
                Ok(true) => tracing::warn!(camera = %id, "fault opened in the maintenance log"),
                Ok(false) => {}
                Err(e) => tracing::error!(camera = %id, error = %e, "could not open a fault"),
            }
        }
        figures.state("down", &why);
        figures.health.reconnects += 1;
        figures.write(&store, true).await;
        tokio::select! {
            _ = stopped.changed() => break,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
    figures.state("stopped", "");
    figures.write(&store, true).await;
}
