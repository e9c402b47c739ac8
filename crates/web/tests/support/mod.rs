//! The test harness shared by the web tests: a real store (SQLite, or PostgreSQL when
//! `CUSTOS_TEST_POSTGRES_URL` names a server) on a simulated clock, and requests sent
//! through the router as a browser or an API client would send them.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use custos_base::{Actor, Clock as _, SimulatedClock, UnixMs};
use custos_domain::access::{Assignment, Scope, Username};
use custos_domain::network::Network;
use custos_store::{DatabaseLocation, LedgerSigner, Store};
use custos_web::{AppState, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const SCHOOL: &str = include_str!("../../../../policies/bosmere-junior-school.toml");
pub const PASSWORD: &str = "walnut kettle lamp";

pub struct App {
    pub store: Store,
    pub clock: SimulatedClock,
    pub dir: tempfile::TempDir,
    /// The reverse proxies the server trusts.
    pub proxies: Vec<Network>,
    /// The `X-Forwarded-For` header sent, if any.
    pub forwarded_for: Option<String>,
    /// Where requests come from.
    pub peer: SocketAddr,
    /// The public form's limits, kept across requests as a server keeps them.
    pub limiter: custos_web::requests::SharedLimiter,
    /// Live view's shared camera sessions, kept across requests as a server keeps them.
    pub live: custos_web::live::LiveHub,
    /// Export jobs, kept across requests as a server keeps them.
    pub exports: custos_web::export::ExportJobs,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The redirect's path, without the query (which says what was done) or fragment.
    pub fn location_path(&self) -> &str {
        let l = self.location();
        l.split(['?', '#']).next().unwrap_or(l)
    }
}

pub fn console() -> Actor {
    Actor::Console("tester".to_owned())
}

/// Accepts the active pack's confidentiality declaration for `user` (BDC-7), as they
/// would at their first sign-in.
pub async fn accept_declaration(store: &Store, user: &Username) {
    let text = store
        .active_policy()
        .await
        .expect("policy")
        .expect("a pack")
        .pack
        .access
        .declaration;
    store
        .accept_declaration(&Actor::User(user.to_string()), user, &text)
        .await
        .expect("accept");
}

/// Records for `user`, who holds `role`, every course the active pack requires of that role
/// (BDC-11, BJS-9, ALT-17, LBU-4), completed long ago and never expiring, as a manager
/// would with `custos user training`.
pub async fn train(store: &Store, user: &Username, role: &str) {
    let pack = store
        .active_policy()
        .await
        .expect("policy")
        .expect("a pack")
        .pack;
    for rule in &pack.access.training {
        if rule.roles.iter().any(|r| r.as_str() == role) {
            store
                .record_training(&console(), user, &rule.course, "2000-01-01", None)
                .await
                .expect("training");
        }
    }
}

pub async fn app() -> App {
    let dir = tempfile::tempdir().expect("tmp");
    let location = DatabaseLocation::Sqlite(dir.path().join("custos.db"));
    app_on(dir, location).await
}

/// A fresh PostgreSQL database on the test server, when `CUSTOS_TEST_POSTGRES_URL` names
/// one (CI always does).
pub async fn postgres() -> Option<DatabaseLocation> {
    use sqlx::Connection;
    let Ok(base) = std::env::var("CUSTOS_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set CUSTOS_TEST_POSTGRES_URL"
        );
        eprintln!("skipped on PostgreSQL: CUSTOS_TEST_POSTGRES_URL is not set");
        return None;
    };
    let name = format!(
        "custos_web_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    let mut admin = sqlx::PgConnection::connect(&base).await.expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create database");
    let server = base.split('?').next()?.rsplit_once('/')?.0.to_owned();
    Some(DatabaseLocation::Postgres(format!("{server}/{name}")))
}

pub async fn app_on(dir: tempfile::TempDir, location: DatabaseLocation) -> App {
    let clock = SimulatedClock::new(UnixMs(1_790_000_000_000));
    let store = Store::open(&location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store
        .set_ledger_signer(LedgerSigner {
            key: ed25519_dalek::SigningKey::from_bytes(&[3; 32]),
            witnesses: vec![custos_store::WitnessTarget::File(
                dir.path().join("witness"),
            )],
            witness_ca: None,
            every_entries: 1000,
        })
        .await
        .expect("signer");
    store.load_policy(&console(), SCHOOL).await.expect("load");
    // Second-factor secrets and camera passwords are sealed with it.
    store.set_master_key(custos_store::secrets::SecretKey::from_bytes([11; 32]));
    for (name, role) in [("aud", "auditor"), ("op", "operator")] {
        let user = Username::parse(name).expect("name");
        store
            .add_user(
                &console(),
                &user,
                &format!("Person {name}"),
                PASSWORD,
                &[Assignment {
                    role: custos_domain::Ident::parse(role).expect("role"),
                    scope: Scope::Scheme,
                }],
            )
            .await
            .expect("user");
        train(&store, &user, role).await;
        accept_declaration(&store, &user).await;
    }
    App {
        store,
        clock,
        dir,
        proxies: Vec::new(),
        forwarded_for: None,
        peer: SocketAddr::from(([192, 0, 2, 7], 50000)),
        limiter: custos_web::requests::SharedLimiter::default(),
        live: custos_web::live::LiveHub::default(),
        exports: custos_web::export::ExportJobs::default(),
    }
}

impl App {
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("custos_session={c}"));
        }
        let body = match form {
            Some(f) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(f.to_owned())
            }
            None => Body::empty(),
        };
        self.dispatch(req, body).await
    }

    /// Sends a `multipart/form-data` POST as a browser sends a file upload: the text
    /// `fields` in order, then `file` as (field name, file name, media type, contents).
    pub async fn send_multipart(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &str, &[u8]),
    ) -> Reply {
        let boundary = "custos-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, file_name, media_type, contents) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(contents);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::COOKIE, format!("custos_session={cookie}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
        self.dispatch(req, Body::from(body)).await
    }

    /// Sends an API request: the session as `Authorization: Bearer`, the body as JSON.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        json: Option<&str>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match json {
            Some(j) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(j.to_owned())
            }
            None => Body::empty(),
        };
        self.dispatch(req, body).await
    }

    /// Sends a request without a body, with extra headers.
    pub async fn send_with_headers(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.dispatch(req, Body::empty()).await
    }

    /// Sends a GET and returns the status and the response's body unread, for streams.
    pub async fn open_stream(&self, path: &str, cookie: &str) -> (StatusCode, Body) {
        let req = Request::builder()
            .method("GET")
            .uri(path)
            .header(header::COOKIE, format!("custos_session={cookie}"));
        let res = self.respond(req, Body::empty()).await;
        (res.status(), res.into_body())
    }

    async fn respond(
        &self,
        req: axum::http::request::Builder,
        body: Body,
    ) -> axum::http::Response<Body> {
        let mut req = req;
        if let Some(f) = &self.forwarded_for {
            req = req.header("x-forwarded-for", f);
        }
        let mut req = req.body(body).expect("request");
        req.extensions_mut().insert(ConnectInfo(self.peer));
        let mut state = AppState::new(self.store.clone());
        state.trusted_proxies = self.proxies.clone();
        state.footage = Some(self.dir.path().join("footage"));
        state.documents = Some(self.dir.path().join("documents"));
        state.exports_dir = Some(self.dir.path().join("exports"));
        state.request_limiter = self.limiter.clone();
        state.live = self.live.clone();
        state.exports = self.exports.clone();
        router(state).oneshot(req).await.expect("response")
    }

    async fn dispatch(&self, req: axum::http::request::Builder, body: Body) -> Reply {
        let res = self.respond(req, body).await;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A GET whose body is kept as bytes (a PDF, an archive), with its status and headers.
    pub async fn get_bytes(
        &self,
        path: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut req = Request::builder().method("GET").uri(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("custos_session={c}"));
        }
        let res = self.respond(req, Body::empty()).await;
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        (status, headers, bytes.to_vec())
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        self.send("GET", path, cookie, None).await
    }

    /// Signs in; returns the session token from the cookie.
    pub async fn sign_in(&self, user: &str) -> String {
        self.sign_in_with(user, "").await
    }

    /// Posts the sign-in form as a browser does: fetches the form first for its token and
    /// cookie, then sends `form` with them.
    pub async fn post_login(&self, form: &str) -> Reply {
        let page = self.get("/login", None).await;
        let token = Self::csrf(&page.body);
        let cookie = page
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .expect("the sign-in form's cookie")
            .to_owned();
        let req = Request::builder()
            .method("POST")
            .uri("/login")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.dispatch(req, Body::from(format!("csrf={token}&{form}")))
            .await
    }

    /// Signs in with a second-factor code; returns the session token from the cookie.
    pub async fn sign_in_with(&self, user: &str, code: &str) -> String {
        let r = self
            .post_login(&format!(
                "username={user}&password=walnut+kettle+lamp&code={code}&next=%2Flogbooks"
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let cookie = r
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .expect("a session cookie")
            .to_owned();
        for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attr), "{attr}: {cookie}");
        }
        cookie
            .split(';')
            .next()
            .and_then(|kv| kv.strip_prefix("custos_session="))
            .expect("token")
            .to_owned()
    }

    pub fn csrf(page: &str) -> String {
        page.split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a CSRF field")
            .to_owned()
    }
}

/// Registers camera `front-gate` (group `entrances` on site `bosmere`), with a master key.
pub async fn add_front_gate(app: &App) -> custos_domain::Ident {
    add_front_gate_at(app, "rtsp://192.0.2.10/s1").await
}

/// As [`add_front_gate`], the camera at `url`.
pub async fn add_front_gate_at(app: &App, url: &str) -> custos_domain::Ident {
    use custos_domain::Ident;
    let store = &app.store;
    if !store.has_master_key() {
        store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    }
    let id = |s: &str| Ident::parse(s).expect("id");
    store
        .add_camera_group(
            &console(),
            &id("entrances"),
            &id("bosmere"),
            "Entrances",
            &[],
        )
        .await
        .expect("group");
    add_camera(app, "front-gate", "Front gate", url, &["entrances"]).await
}

/// A second camera, "Yard" (`yard`), in no group, after [`add_front_gate`].
pub async fn add_yard(app: &App) -> custos_domain::Ident {
    add_camera(app, "yard", "Yard", "rtsp://192.0.2.11/s1", &[]).await
}

/// Registers camera `cam` called `name` at `url` on site `bosmere`, in `groups`.
async fn add_camera(
    app: &App,
    cam: &str,
    name: &str,
    url: &str,
    groups: &[&str],
) -> custos_domain::Ident {
    use custos_domain::Ident;
    use custos_domain::camera::{CameraDraft, RtspAddress, Transport};
    use custos_store::CameraRequest;
    let id = |s: &str| Ident::parse(s).expect("id");
    let cam = id(cam);
    app.store
        .add_camera(
            &console(),
            &CameraRequest {
                id: cam.clone(),
                draft: CameraDraft {
                    name: name.into(),
                    site: id("bosmere"),
                    location: "Main entrance".into(),
                    area: "Entrance".into(),
                    kind: custos_domain::CameraKind::Fixed,
                    mode: custos_domain::RecordingMode::Continuous,
                    purposes: vec![id("security-and-safety")],
                    audio: false,
                    retention_days: None,
                    dpia_ref: String::new(),
                    operational_requirement: String::new(),
                    priority: custos_domain::camera::Priority::DEFAULT,
                },
                groups: groups.iter().map(|g| id(g)).collect(),
                main: RtspAddress::parse(url).expect("url"),
                sub: None,
                transport: Transport::Tcp,
                audio_reason: None,
            },
        )
        .await
        .expect("camera");
    cam
}

/// Adds a person holding `role` scheme-wide, with a second factor set up and the
/// declaration accepted, and signs them in; returns the session token.
pub async fn person(app: &App, name: &str, role: &str) -> String {
    let user = custos_domain::access::Username::parse(name).expect("name");
    app.store
        .add_user(
            &console(),
            &user,
            &format!("Person {name}"),
            PASSWORD,
            &[custos_domain::access::Assignment {
                role: custos_domain::Ident::parse(role).expect("role"),
                scope: custos_domain::access::Scope::Scheme,
            }],
        )
        .await
        .expect("user");
    let secret = [9u8; 20];
    let code = custos_domain::totp::code_at(&secret, app.clock.now().0);
    app.store
        .enrol_mfa(&console(), &user, &secret, &code)
        .await
        .expect("enrol");
    train(&app.store, &user, role).await;
    accept_declaration(&app.store, &user).await;
    app.clock.advance_ms(30_000);
    let code = custos_domain::totp::code_at(&secret, app.clock.now().0);
    app.sign_in_with(name, &code).await
}

/// The real web server, on a loopback port, serving the same store and limits as `App`.
pub struct Served {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An answer read off the wire.
pub struct WireReply {
    pub status: u16,
    pub location: String,
    pub body: String,
}

impl App {
    /// Starts the real HTTP server (`custos_web::server::serve`) for this app on
    /// 127.0.0.1; it stops when the returned value is dropped.
    pub async fn serve_http(&self) -> Served {
        let listener =
            custos_web::server::listen(SocketAddr::from(([127, 0, 0, 1], 0))).expect("listen");
        let addr = listener.local_addr().expect("addr");
        let mut state = AppState::new(self.store.clone());
        state.request_limiter = self.limiter.clone();
        state.documents = Some(self.dir.path().join("documents"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(custos_web::server::serve(
            listener,
            router(state),
            custos_web::server::Limits::default(),
            async move {
                let _ = stopped.await;
            },
        ));
        Served {
            addr,
            stop: Some(stop),
        }
    }
}

/// Sends one HTTP/1.1 request over a fresh connection to `addr`, as a browser sends a form
/// (`application/x-www-form-urlencoded` when there is a body), and reads the whole answer.
pub async fn wire(addr: SocketAddr, method: &str, path: &str, form: Option<&str>) -> WireReply {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let body = form.unwrap_or("");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if form.is_some() {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let location = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("location")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_default();
    WireReply {
        status,
        location,
        body: body.to_owned(),
    }
}

/// Indexes an hour of segments of `cam` from `from` on 2026-09-21 (no files: forms that
/// check footage exists need only the index).
pub async fn index_hour(app: &App, cam: &custos_domain::Ident, from: i64) {
    use custos_store::recordings::{FragmentIndex, InitSegment, Segment};
    let day = "2026-09-21".to_owned();
    app.store
        .add_init_segment(&InitSegment {
            id: format!("{cam}-init"),
            camera: cam.clone(),
            stream: "main".into(),
            codec: "avc1.42c01f".into(),
            width: 1280,
            height: 720,
            path: format!("{cam}/{day}/init.cinit"),
            day: day.clone(),
            sha256: "aa".repeat(32),
        })
        .await
        .expect("init");
    for i in 0..60 {
        let start = from + i * 60_000;
        app.store
            .add_segment(&Segment {
                path: format!("{cam}/{day}/{start}.cseg"),
                camera: cam.clone(),
                stream: "main".into(),
                init_id: format!("{cam}-init"),
                day: day.clone(),
                start_unix_ms: start,
                end_unix_ms: start + 60_000,
                frames: 1500,
                bytes: 1000,
                sha256: format!("{:064x}", i + 1),
                fragments: vec![FragmentIndex {
                    offset: 0,
                    len: 1000,
                    start_unix_ms: start,
                    frames: 1500,
                    decode_base_90k: 0,
                    decode_duration_90k: 5_400_000,
                }],
                recovered: false,
            })
            .await
            .expect("segment");
    }
}

/// Records `seconds` of the simulated camera's real H.264 footage (640×360, 25 frames a
/// second, a key frame every second) of camera `cam` from `start` into the app's footage
/// folder, as the recorder does: the day's init segment, one encrypted segment file of one
/// fragment per group of pictures, and its index row with its SHA-256. Returns the
/// segment's path under the footage folder.
pub async fn record_simulated(app: &App, cam: &str, start: i64, seconds: u32) -> String {
    use custos_media::mp4::nal::{Codec, split_access_units, split_annex_b};
    use custos_media::mp4::{
        FragmentBuilder, Sample, TrackConfig, append_sample_data, init_segment,
    };
    use custos_media::segfile::{FileKind, RecordMeta, SegmentWriter};
    use custos_media::simcam::{SimCamConfig, annex_b_clip};
    use custos_store::recordings::{FragmentIndex, InitSegment, Segment};
    use sha2::{Digest, Sha256};
    let footage = app.dir.path().join("footage");
    let config = SimCamConfig {
        cameras: 1,
        width: 640,
        height: 360,
        fps: 25,
        gop_frames: 25,
    };
    let clip = annex_b_clip(&config, 1, start, u64::from(seconds) * 25).expect("simulated footage");
    let nals: Vec<&[u8]> = split_annex_b(&clip).collect();
    let units = split_access_units(Codec::H264, &nals);
    let track = TrackConfig::from_nals(Codec::H264, units[0].iter().copied())
        .expect("parameter sets")
        .expect("the first unit carries them");
    let mut gops: Vec<Vec<Vec<u8>>> = Vec::new();
    for unit in &units {
        let mut data = Vec::new();
        let summary = append_sample_data(Codec::H264, unit.iter().copied(), &mut data).expect("ok");
        if summary.is_random_access {
            gops.push(Vec::new());
        }
        gops.last_mut().expect("a key frame first").push(data);
    }
    let id = custos_domain::Ident::parse(cam).expect("id");
    let day = UnixMs(start).to_uk_local_input()[..10].to_owned();
    let key = app.store.data_key(&id, &day).await.expect("key");
    let init = init_segment(&track);
    let init_sha = custos_domain::ledger::to_hex(&Sha256::digest(&init));
    let init_id = format!("{cam}-{}", &init_sha[..16]);
    let init_path = format!("{cam}/{day}/init-{}.cinit", &init_sha[..16]);
    std::fs::create_dir_all(footage.join(format!("{cam}/{day}"))).expect("dir");
    if app
        .store
        .init_segment(&init_id)
        .await
        .expect("init")
        .is_none()
    {
        let mut w = SegmentWriter::create(&footage.join(&init_path), FileKind::Init, key.bytes())
            .expect("init file");
        w.append(
            &init,
            &RecordMeta {
                start_unix_ms: 0,
                frames: 0,
                duration_ms: 0,
            },
        )
        .expect("init record");
        w.sync().expect("sync");
        app.store
            .add_init_segment(&InitSegment {
                id: init_id.clone(),
                camera: id.clone(),
                stream: "main".into(),
                codec: track.codec_string().to_owned(),
                width: u32::from(track.width()),
                height: u32::from(track.height()),
                path: init_path,
                day: day.clone(),
                sha256: init_sha,
            })
            .await
            .expect("init row");
    }
    let path = format!("{cam}/{day}/{start}-main.cseg");
    let mut w = SegmentWriter::create(&footage.join(&path), FileKind::Media, key.bytes())
        .expect("segment file");
    let (mut hasher, mut offset, mut fragments) = (Sha256::new(), 0u64, Vec::new());
    for (k, gop) in gops.iter().enumerate() {
        let base = k as u64 * 90_000;
        let mut b = FragmentBuilder::new(k as u32 + 1, base);
        for (i, data) in gop.iter().enumerate() {
            b.push(Sample {
                data,
                duration_90k: Some(3600),
                is_sync: i == 0,
                composition_offset_90k: 0,
            })
            .expect("sample");
        }
        let frag = b.finish().expect("fragment");
        let frag_start = start + k as i64 * 1000;
        w.append(
            &frag.bytes,
            &RecordMeta {
                start_unix_ms: frag_start,
                frames: gop.len() as u32,
                duration_ms: 1000,
            },
        )
        .expect("record");
        hasher.update(&frag.bytes);
        fragments.push(FragmentIndex {
            offset,
            len: frag.bytes.len() as u64,
            start_unix_ms: frag_start,
            frames: gop.len() as u32,
            decode_base_90k: base,
            decode_duration_90k: frag.duration_90k,
        });
        offset += frag.bytes.len() as u64;
    }
    w.sync().expect("sync");
    app.store
        .add_segment(&Segment {
            path: path.clone(),
            camera: id,
            stream: "main".into(),
            init_id,
            day,
            start_unix_ms: start,
            end_unix_ms: start + i64::from(seconds) * 1000,
            frames: u64::from(seconds) * 25,
            bytes: offset,
            sha256: custos_domain::ledger::to_hex(&hasher.finalize()),
            fragments,
            recovered: false,
        })
        .await
        .expect("segment row");
    path
}
