//! Live view (ALT-5, LBU-5, BJS-5): a grid of the cameras a person may watch live, each a
//! fragmented-MP4 stream (one fragment per frame) that the browser plays through Media
//! Source Extensions.
//!
//! Invariants: a stream opens only after [`Staff::require`] allows `view-live` on that
//! camera from this workstation; opening and closing each stream is ledgered (book
//! `access`: who, which camera, from where, and for how long); the stream is the camera's
//! own video (its H.264 substream if it has one), never transcoded, with the same decode
//! times the recorder gives it (`custos_media::decode_order`; no delay for H.264 Baseline).
//! Live view opens its own RTSP session to the camera, so it works for live-only cameras
//! and does not touch the recorder; the viewers of one camera share that one session
//! ([`LiveHub`]), opened for the first and closed after the last. One person holds at most
//! the hub's number of streams at once. A stream ends within a few seconds of its session
//! ending, locking, or losing the right to watch (`auth::while_allowed`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use custos_domain::Ident;
use custos_domain::access::Right;
use custos_domain::ledger::{Book, NewEntry, Reference};
use custos_media::decode_order::DecodeTimes;
use custos_media::mp4::{FragmentBuilder, Sample, init_segment};
use custos_media::rtsp;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::client::ClientAddr;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

struct Tile {
    id: String,
    name: String,
    /// What the recorder last saw, when the camera is down (so an empty tile says why).
    note: Option<String>,
    /// Whether the recorder is recording this camera now, in words, with the tag's colour:
    /// ("Recording", "red") — a recording light —, ("Paused", "amber"), ("Not recording",
    /// "grey").
    recording: (&'static str, &'static str),
    /// While a period of police control affects this camera (BDC-25): who has control,
    /// since when, partial or total.
    police: Option<String>,
}

#[derive(Template)]
#[template(path = "live.html")]
struct LivePage {
    banner: Banner,
    tiles: Vec<Tile>,
    layout: usize,
    more: usize,
    /// Whether each tile offers "Log an incident" (those who keep the incident log).
    log_incident: bool,
}

/// `?layout=1|4|9|16`
#[derive(Debug, Deserialize)]
pub(crate) struct LayoutQuery {
    layout: Option<usize>,
}

/// `GET /live`: the grid.
pub(crate) async fn grid(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<LayoutQuery>,
) -> Result<Response, WebError> {
    staff.require_somewhere(Right::ViewLive)?;
    let layout = match q.layout.unwrap_or(4) {
        n @ (1 | 4 | 9 | 16) => n,
        _ => 4,
    };
    let health = state.store.health().await?;
    let paused = state.store.paused_cameras().await?;
    let police = state.store.police_control_running().await?;
    let mut tiles = Vec::new();
    for c in state.store.cameras(false).await? {
        if staff.may(Right::ViewLive, &state.store.camera_target(&c).await?)
            && state.store.live_view_allowed(&c).await?.is_ok()
        {
            let note = health
                .iter()
                .find(|h| h.camera == c.id && h.stream == "main" && h.state == "down")
                .map(|h| {
                    format!(
                        "not reachable by the recorder since {}{}",
                        custos_base::UnixMs(h.since_unix_ms).to_london_display(),
                        if h.detail.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", h.detail)
                        }
                    )
                });
            let recording = if paused.iter().any(|(id, _, _)| *id == c.id) {
                ("Paused", "amber")
            } else if health
                .iter()
                .any(|h| h.camera == c.id && h.stream == "main" && h.state == "recording")
            {
                ("Recording", "red")
            } else {
                ("Not recording", "grey")
            };
            tiles.push(Tile {
                id: c.id.to_string(),
                name: c.draft.name.clone(),
                note,
                recording,
                police: crate::police_control::tile_banner(&police, &c.id),
            });
        }
    }
    let more = tiles.len().saturating_sub(layout);
    tiles.truncate(layout);
    Ok(render(
        StatusCode::OK,
        &LivePage {
            banner: Banner::load(&state, &staff).await?,
            tiles,
            layout,
            more,
            log_incident: crate::incidents::keeps(&staff),
        },
    ))
}

/// The camera `id` in service, once `view-live` on it is allowed from this workstation;
/// with the actor to record the watching as.
async fn watchable(
    state: &AppState,
    staff: &Staff,
    id: &str,
) -> Result<(custos_store::Camera, custos_base::Actor), WebError> {
    let camera = match Ident::parse(id) {
        Ok(id) => state.store.camera(&id).await?,
        Err(_) => None,
    };
    let Some(camera) = camera.filter(|c| !c.retired) else {
        staff.require_somewhere(Right::ViewLive)?;
        return Err(WebError::Store(custos_store::StoreError::NotFound(
            format!("there is no camera {id:?} in service"),
        )));
    };
    let actor = staff
        .require(
            state,
            Right::ViewLive,
            &state.store.camera_target(&camera).await?,
        )
        .await?;
    // LJM-1, LBU-4, BDC-8: a camera serving only recorded purposes is not watched live,
    // nor its latest picture shown.
    if let Err(why) = state.store.live_view_allowed(&camera).await? {
        return Err(WebError::Forbidden(format!("{}: {why}", camera.draft.name)));
    }
    Ok((camera, actor))
}

/// How old a thumbnail may be: older pictures are the past, which needs a review.
const THUMBNAIL_MAX_AGE_MS: i64 = 5 * 60_000;

/// `GET /cameras/{id}/thumbnail.mp4`: the camera's latest recorded keyframe, as a
/// one-picture MP4, for those who may watch it live; none older than five minutes.
pub(crate) async fn thumbnail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (camera, _) = watchable(&state, &staff, &id).await?;
    let not_found = || {
        WebError::Store(custos_store::StoreError::NotFound(format!(
            "camera {} has recorded no picture in the last five minutes",
            camera.draft.name
        )))
    };
    let footage = state.footage.as_deref().ok_or_else(not_found)?;
    let now = state.store.clock().now().0;
    let (mp4, at) = state
        .store
        .latest_keyframe(footage, &camera.id, now - THUMBNAIL_MAX_AGE_MS)
        .await?
        .ok_or_else(not_found)?;
    let mut res = Response::new(Body::from(mp4));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&custos_base::UnixMs(at).to_rfc3339()) {
        h.insert("x-custos-picture-time", v);
    }
    Ok(res)
}

/// Ledgers the end of a live stream when the stream is dropped (the viewer left).
struct Watching {
    state: AppState,
    actor: custos_base::Actor,
    camera: Ident,
    opened: std::time::Instant,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let (store, actor, camera, secs) = (
            self.state.store.clone(),
            self.actor.clone(),
            self.camera.clone(),
            self.opened.elapsed().as_secs(),
        );
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let Ok(r) = Reference::new("camera", camera.as_str()) else {
                    return;
                };
                let entry = NewEntry::new(Book::Access, "live-closed")
                    .with_ref(r)
                    .with("seconds", secs);
                if let Err(e) = store.append(&actor, entry).await {
                    tracing::error!(error = %e, "could not ledger the end of a live view");
                }
            });
        }
    }
}

/// `GET /live/{id}/stream.mp4`: the camera live, as fragmented MP4.
pub(crate) async fn stream(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddr(client): ClientAddr,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    watch(state, &staff, client, &id).await
}

/// The default bound on the live streams one person may hold at once: the largest grid.
pub const DEFAULT_STREAMS_PER_PERSON: usize = 16;

/// Live feeds shared by their viewers: one RTSP session per camera, opened for its first
/// viewer and closed after its last (cameras allow few sessions), and a bound on the live
/// streams one person may hold at once, counted in this process.
#[derive(Debug, Clone)]
pub struct LiveHub {
    inner: Arc<HubInner>,
}

#[derive(Debug)]
struct HubInner {
    feeds: Mutex<HashMap<String, Weak<Feed>>>,
    viewers: Mutex<HashMap<String, usize>>,
    per_person: usize,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self::new(DEFAULT_STREAMS_PER_PERSON)
    }
}

impl LiveHub {
    /// A hub letting each person hold at most `per_person` live streams.
    pub fn new(per_person: usize) -> Self {
        Self {
            inner: Arc::new(HubInner {
                feeds: Mutex::new(HashMap::new()),
                viewers: Mutex::new(HashMap::new()),
                per_person: per_person.max(1),
            }),
        }
    }

    /// How many RTSP sessions live view holds open now.
    pub fn sessions_open(&self) -> usize {
        lock(&self.inner.feeds)
            .values()
            .filter(|f| f.upgrade().is_some_and(|f| !f.task.is_finished()))
            .count()
    }

    /// Counts a stream for `user`, or refuses when they hold the most allowed.
    fn take_slot(&self, user: &str) -> Result<ViewerSlot, WebError> {
        let mut viewers = lock(&self.inner.viewers);
        let held = viewers.entry(user.to_owned()).or_insert(0);
        if *held >= self.inner.per_person {
            return Err(WebError::TooMany(format!(
                "you are already watching {held} live streams, the most one person may; close a tile or another live page first"
            )));
        }
        *held += 1;
        Ok(ViewerSlot {
            hub: self.clone(),
            user: user.to_owned(),
        })
    }

    /// The shared feed of `camera`, opening its RTSP session if nobody is watching it.
    fn feed(&self, camera: &custos_store::Camera, creds: Option<(String, String)>) -> Arc<Feed> {
        let mut feeds = lock(&self.inner.feeds);
        feeds.retain(|_, f| f.strong_count() > 0);
        if let Some(feed) = feeds.get(camera.id.as_str()).and_then(Weak::upgrade)
            && !feed.task.is_finished()
        {
            return feed;
        }
        let url = camera
            .sub_url
            .clone()
            .unwrap_or_else(|| camera.main_url.clone());
        let udp = camera.transport == custos_domain::camera::Transport::Udp;
        let (state_tx, state) = tokio::sync::watch::channel(FeedState::Connecting);
        let (frames, _) = tokio::sync::broadcast::channel(FEED_BUFFER);
        let sender = frames.clone();
        let task = tokio::spawn(async move {
            let (tx, mut rx) = tokio::sync::mpsc::channel(64);
            let session = tokio::spawn(async move { rtsp::run(&url, creds, udp, tx).await });
            while let Some(event) = rx.recv().await {
                if let rtsp::Event::Track(t) = &event {
                    let _ = state_tx.send(FeedState::Ready(Arc::new(t.clone())));
                }
                let _ = sender.send(Some(Arc::new(event)));
            }
            let why = match session.await {
                Ok(Err(e)) => e.to_string(),
                _ => "the camera's stream ended".to_owned(),
            };
            let _ = state_tx.send(FeedState::Ended(why));
            let _ = sender.send(None);
        });
        let feed = Arc::new(Feed {
            state,
            frames,
            task,
        });
        feeds.insert(camera.id.to_string(), Arc::downgrade(&feed));
        feed
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Frames a slow viewer may fall behind by before it skips to the next key frame.
const FEED_BUFFER: usize = 256;

/// Where a camera's shared feed is.
#[derive(Debug, Clone)]
enum FeedState {
    /// Connecting to the camera.
    Connecting,
    /// Streaming with this codec configuration.
    Ready(Arc<custos_media::mp4::TrackConfig>),
    /// The session ended, for this reason.
    Ended(String),
}

/// One camera's RTSP session and its frames, for every viewer; the session ends when the
/// last viewer drops it.
#[derive(Debug)]
struct Feed {
    state: tokio::sync::watch::Receiver<FeedState>,
    /// `None` when the session has ended.
    frames: tokio::sync::broadcast::Sender<Option<Arc<rtsp::Event>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One of a person's live streams, counted until dropped.
struct ViewerSlot {
    hub: LiveHub,
    user: String,
}

impl Drop for ViewerSlot {
    fn drop(&mut self) {
        let mut viewers = lock(&self.hub.inner.viewers);
        if let Some(n) = viewers.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                viewers.remove(&self.user);
            }
        }
    }
}

/// Camera `id` live as fragmented MP4, once `view-live` on it is allowed from this
/// workstation; for the grid and the API alike. The stream ends within
/// [`crate::auth::STREAM_CHECK_EVERY`] of the session ending, locking or losing the right.
pub(crate) async fn watch(
    state: AppState,
    staff: &Staff,
    client: std::net::IpAddr,
    id: &str,
) -> Result<Response, WebError> {
    let (camera, actor) = watchable(&state, staff, id).await?;
    let target = state.store.camera_target(&camera).await?;
    let slot = state.live.take_slot(&staff.info.subject.username)?;
    let creds = state
        .store
        .camera_credentials(&camera.id)
        .await?
        .map(|c| (c.username, c.password));
    let feed = state.live.feed(&camera, creds);
    let sub = feed.frames.subscribe();
    // The codec configuration comes first; without it there is nothing to play.
    let mut feed_state = feed.state.clone();
    let ready = tokio::time::timeout(
        std::time::Duration::from_secs(12),
        feed_state.wait_for(|s| !matches!(s, FeedState::Connecting)),
    )
    .await
    .ok()
    .and_then(Result::ok)
    .map(|s| (*s).clone());
    let track = match ready {
        Some(FeedState::Ready(t)) => Ok(t),
        Some(FeedState::Ended(why)) => Err(why),
        _ => Err("it did not answer in time".to_owned()),
    };
    let track = match track {
        Ok(t) => t,
        Err(why) => {
            return Ok((
                StatusCode::BAD_GATEWAY,
                format!("camera {} cannot be watched now: {why}", camera.id),
            )
                .into_response());
        }
    };
    let camera_ref = Reference::new("camera", camera.id.as_str())
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    state
        .store
        .append(
            &actor,
            NewEntry::new(Book::Access, "live-opened")
                .with_ref(camera_ref)
                .with("address", client.to_string()),
        )
        .await?;
    let codec = track.codec_string().to_owned();
    let watching = Watching {
        state: state.clone(),
        actor,
        camera: camera.id.clone(),
        opened: std::time::Instant::now(),
    };
    struct Live {
        sub: tokio::sync::broadcast::Receiver<Option<Arc<rtsp::Event>>>,
        track: Arc<custos_media::mp4::TrackConfig>,
        init: Option<Vec<u8>>,
        /// Decode times (B-frames); no delay for streams that cannot reorder.
        order: DecodeTimes,
        /// The last frame's decode time and the last interval between frames: a frame is
        /// sent at once, its duration taken as the last interval (the next frame's decode
        /// time, which would give it exactly, would hold every frame back by one).
        last_dts: Option<i64>,
        interval_90k: u32,
        /// The first decode time sent: times in the stream count from it.
        origin_90k: Option<i64>,
        started: bool,
        sequence: u32,
        _feed: Arc<Feed>,
        _slot: ViewerSlot,
        _watching: Watching,
    }
    let live = Live {
        sub,
        init: Some(init_segment(&track)),
        order: DecodeTimes::for_track(&track),
        track,
        last_dts: None,
        interval_90k: 3600,
        origin_90k: None,
        started: false,
        sequence: 0,
        _feed: feed,
        _slot: slot,
        _watching: watching,
    };
    let body = futures::stream::unfold(live, |mut live| async move {
        if let Some(init) = live.init.take() {
            return Some((Ok::<Vec<u8>, std::io::Error>(init), live));
        }
        loop {
            let event = match live.sub.recv().await {
                Ok(Some(event)) => event,
                // The camera's session ended.
                Ok(None) | Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                // This viewer fell behind the others: pick up again at the next key frame.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    live.started = false;
                    live.order = DecodeTimes::for_track(&live.track);
                    continue;
                }
            };
            let frame = match &*event {
                rtsp::Event::Frame(f) => f.clone(),
                // The configuration this stream began with (a viewer who came first sees
                // it arrive).
                rtsp::Event::Track(t) if *t == *live.track => continue,
                // A new configuration mid-stream cannot be appended to this one: end, and
                // the page's script says to reload.
                rtsp::Event::Track(_) => return None,
                rtsp::Event::Drift { .. } => continue,
            };
            if !live.started && !frame.is_key {
                continue;
            }
            live.started = true;
            let Some((frame, dts)) = live.order.push(frame) else {
                continue;
            };
            if let Some(d) = live
                .last_dts
                .and_then(|last| u32::try_from(dts - last).ok())
                .filter(|d| *d > 0 && *d < 900_000)
            {
                live.interval_90k = d;
            }
            live.last_dts = Some(dts);
            let origin = *live.origin_90k.get_or_insert(dts);
            live.sequence = live.sequence.wrapping_add(1);
            let mut b =
                FragmentBuilder::new(live.sequence, u64::try_from(dts - origin).unwrap_or(0));
            if b.push(Sample {
                data: &frame.data,
                duration_90k: Some(live.interval_90k),
                is_sync: frame.is_key,
                composition_offset_90k: i32::try_from(frame.time_90k - dts).unwrap_or(0),
            })
            .is_err()
            {
                continue;
            }
            match b.finish() {
                Ok(f) => return Some((Ok(f.bytes), live)),
                Err(_) => continue,
            }
        }
    });
    let body = crate::auth::while_allowed(&state, staff, Right::ViewLive, target, body);
    let mut res = Response::new(body);
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&codec) {
        h.insert("x-custos-codec", v);
    }
    Ok(res)
}
