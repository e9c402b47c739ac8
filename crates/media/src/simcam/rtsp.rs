//! The RTSP/1.0 server (RFC 2326) of the simulated cameras: one task per connection, at most
//! one session per connection, RTP over the RTSP connection (interleaved channels) or over
//! UDP from a server port pair.
//!
//! Invariants:
//! * Every response echoes the request's `CSeq`; paths other than `/cam1` … `/camN` (and
//!   their track `/camN/track1`) get 404.
//! * A session sends nothing until its first IDR: `PLAY` announces in `RTP-Info` the sequence
//!   number of its first packet and the RTP time of the first frame of the next GOP, and the
//!   session waits for that frame (see [`super::camera::Camera::subscribe`]). A session that
//!   falls behind waits for the next IDR again; it never holds up the camera or other
//!   sessions.
//! * Before the first frame, and then every [`REPORT_INTERVAL`], a session sends an RTCP
//!   sender report pairing a frame's RTP timestamp with the wall-clock time drawn on it.
//! * A UDP session ends after [`SESSION_TIMEOUT`] without a request or packet from the client;
//!   an interleaved session ends with its connection. All sessions end with their connection.
//!   A write that stalls for [`WRITE_TIMEOUT`] closes the connection.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;
use tokio::time::Instant;

use super::camera::{Camera, EncodedFrame};
use super::message::{self, Parsed, Request, Response};
use super::rtp::{self, HEADER_BYTES, SenderReport};
use super::sdp::{Description, TRACK_CONTROL};

/// How long a UDP session (or a connection without a session) lives without hearing from
/// the client; announced in the `Session` header.
pub(crate) const SESSION_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a playing session sends an RTCP sender report.
pub(crate) const REPORT_INTERVAL: Duration = Duration::from_secs(5);
/// How long a write to a client may stall before the connection is closed.
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// UDP packets sent back to back before pausing for a millisecond, so a large IDR does not
/// overrun the client's socket buffer.
const UDP_BURST_PACKETS: usize = 32;
/// The methods the server answers.
const PUBLIC: &str =
    "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER";

/// The cameras a server offers.
#[derive(Debug)]
pub(crate) struct Server {
    /// Camera `n` is at index `n - 1`.
    pub(crate) cameras: Vec<Arc<Camera>>,
}

/// Serves one RTSP connection until the client closes it, it times out or `shutdown` fires.
pub(crate) async fn connection(
    server: Arc<Server>,
    stream: TcpStream,
    mut shutdown: watch::Receiver<bool>,
) {
    let (Ok(local), Ok(peer)) = (stream.local_addr(), stream.peer_addr()) else {
        return;
    };
    // Responses are small and latency matters more than packet count.
    let _ = stream.set_nodelay(true);
    let (mut reader, writer) = stream.into_split();
    let mut conn = Connection {
        server,
        local,
        peer,
        writer,
        session: None,
        last_heard: Instant::now(),
    };
    tracing::debug!(%peer, "RTSP connection opened");
    let mut input = Vec::new();
    let mut read_buf = vec![0u8; 8192];
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    let result: io::Result<()> = loop {
        let event = {
            let (frames, udp) = match &mut conn.session {
                Some(Session {
                    playing, transport, ..
                }) => (
                    playing.as_mut().map(|p| &mut p.frames),
                    match transport {
                        Transport::Udp(pair) => Some(&*pair),
                        Transport::Interleaved { .. } => None,
                    },
                ),
                None => (None, None),
            };
            tokio::select! {
                read = reader.read(&mut read_buf) => Event::Read(read),
                frame = next_frame(frames) => Event::Frame(frame),
                () = datagram(udp) => Event::Datagram,
                _ = tick.tick() => Event::Tick,
                _ = shutdown.changed() => Event::Shutdown,
            }
        };
        let step = match event {
            Event::Read(Ok(0)) | Event::Shutdown => break Ok(()),
            Event::Read(Err(error)) => break Err(error),
            Event::Read(Ok(n)) => {
                conn.last_heard = Instant::now();
                input.extend_from_slice(&read_buf[..n]);
                conn.handle_input(&mut input).await
            }
            Event::Frame(Ok(frame)) => conn.send_frame(&frame).await,
            Event::Frame(Err(RecvError::Lagged(missed))) => {
                tracing::warn!(%peer, missed, "RTSP client too slow: skipping to the next IDR");
                if let Some(playing) = conn.session.as_mut().and_then(|s| s.playing.as_mut()) {
                    playing.waiting = Wait::NextIdr;
                }
                Ok(true)
            }
            Event::Frame(Err(RecvError::Closed)) => break Ok(()),
            Event::Datagram => {
                conn.last_heard = Instant::now();
                Ok(true)
            }
            Event::Tick => Ok(conn.check_timeout()),
        };
        match step {
            Ok(true) => {}
            Ok(false) => break Ok(()),
            Err(error) => break Err(error),
        }
    };
    match result {
        Ok(()) => tracing::debug!(%peer, "RTSP connection closed"),
        Err(error) => tracing::debug!(%peer, %error, "RTSP connection ended"),
    }
}

/// What woke a connection up.
enum Event {
    Read(io::Result<usize>),
    Frame(Result<Arc<EncodedFrame>, RecvError>),
    Datagram,
    Tick,
    Shutdown,
}

/// The next frame for a playing session; never resolves without one.
async fn next_frame(
    frames: Option<&mut broadcast::Receiver<Arc<EncodedFrame>>>,
) -> Result<Arc<EncodedFrame>, RecvError> {
    match frames {
        Some(frames) => frames.recv().await,
        None => std::future::pending().await,
    }
}

/// Resolves when a packet arrives on a UDP session's server ports (receiver reports, NAT
/// punching); the contents are not used. Never resolves without UDP.
async fn datagram(udp: Option<&UdpPair>) {
    let Some(pair) = udp else {
        return std::future::pending().await;
    };
    let mut rtp_buf = [0u8; 1500];
    let mut rtcp_buf = [0u8; 1500];
    let received = tokio::select! {
        r = pair.rtp.recv_from(&mut rtp_buf) => r,
        r = pair.rtcp.recv_from(&mut rtcp_buf) => r,
    };
    if received.is_err() {
        // Errors on an unconnected UDP socket are transient; do not spin on them.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

struct Connection {
    server: Arc<Server>,
    local: SocketAddr,
    peer: SocketAddr,
    writer: OwnedWriteHalf,
    session: Option<Session>,
    /// When the client last sent anything (requests, interleaved data, UDP packets).
    last_heard: Instant,
}

struct Session {
    id: String,
    camera: Arc<Camera>,
    transport: Transport,
    /// The track URL, for `RTP-Info`.
    track_url: String,
    ssrc: u32,
    next_seq: u16,
    /// Added to every frame's RTP time.
    rtp_offset: u32,
    packet_count: u32,
    octet_count: u32,
    last_report: Option<Instant>,
    playing: Option<Playing>,
}

struct Playing {
    frames: broadcast::Receiver<Arc<EncodedFrame>>,
    waiting: Wait,
}

/// Which frame a playing session starts (or restarts) sending at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// The IDR of this frame number or a later one.
    From(u64),
    /// Any IDR.
    NextIdr,
    /// Sending.
    Sending,
}

enum Transport {
    Interleaved { rtp_channel: u8, rtcp_channel: u8 },
    Udp(UdpPair),
}

struct UdpPair {
    rtp: UdpSocket,
    rtcp: UdpSocket,
    client_rtp: SocketAddr,
    client_rtcp: SocketAddr,
}

/// A `Transport` choice the client offered that the server can serve.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TransportChoice {
    Interleaved(u8, u8),
    Udp(u16, u16),
}

impl Connection {
    /// Handles every whole message in `input`. `Ok(false)` closes the connection.
    async fn handle_input(&mut self, input: &mut Vec<u8>) -> io::Result<bool> {
        loop {
            match message::parse(input) {
                Parsed::Incomplete => return Ok(true),
                Parsed::Interleaved { len_bytes, .. } => {
                    // RTCP receiver reports from the client: heard, not used.
                    input.drain(..len_bytes);
                }
                Parsed::Malformed {
                    status,
                    reason,
                    cseq,
                    len_bytes,
                } => {
                    tracing::debug!(peer = %self.peer, reason, "malformed RTSP request");
                    self.write(&Response::new(status).to_bytes(cseq.as_deref()))
                        .await?;
                    match len_bytes {
                        Some(n) => {
                            input.drain(..n);
                        }
                        None => return Ok(false),
                    }
                }
                Parsed::Request { request, len_bytes } => {
                    input.drain(..len_bytes);
                    let response = self.respond(&request).await;
                    tracing::debug!(
                        peer = %self.peer,
                        method = %request.method,
                        uri = %request.uri,
                        status = response.status,
                        "RTSP request"
                    );
                    self.write(&response.to_bytes(request.header("CSeq")))
                        .await?;
                }
            }
        }
    }

    async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match tokio::time::timeout(WRITE_TIMEOUT, self.writer.write_all(bytes)).await {
            Ok(result) => result,
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            )),
        }
    }

    /// Ends a UDP session, or a connection without a session, that has gone quiet.
    fn check_timeout(&mut self) -> bool {
        if self.last_heard.elapsed() < SESSION_TIMEOUT {
            return true;
        }
        match &self.session {
            None => false,
            Some(session) => match session.transport {
                Transport::Interleaved { .. } => true,
                Transport::Udp(_) => {
                    tracing::debug!(peer = %self.peer, session = %session.id, "RTSP session timed out");
                    self.session = None;
                    true
                }
            },
        }
    }

    async fn respond(&mut self, request: &Request) -> Response {
        if let Some(options) = request.header("Require") {
            return Response::new(551).header("Unsupported", options);
        }
        match request.method.as_str() {
            "OPTIONS" => Response::new(200).header("Public", PUBLIC),
            "DESCRIBE" => self.describe(request),
            "SETUP" => self.setup(request).await,
            "PLAY" => self.play(request),
            "PAUSE" => self.pause(request),
            "TEARDOWN" => self.teardown(request),
            "GET_PARAMETER" | "SET_PARAMETER" => self.parameter(request),
            "ANNOUNCE" | "RECORD" => Response::new(405).header("Allow", PUBLIC),
            _ => Response::new(501).header("Public", PUBLIC),
        }
    }

    /// The camera the request's URI names, if any.
    fn target(&self, request: &Request) -> Option<Arc<Camera>> {
        let number = camera_number(&request.uri)?;
        self.server.cameras.get(number.checked_sub(1)?).cloned()
    }

    fn describe(&self, request: &Request) -> Response {
        let Some(camera) = self.target(request) else {
            return Response::new(404);
        };
        let sdp = Description {
            name: &camera.name,
            server_ip: self.local.ip(),
            session_id: camera.clock.unix_ns(0) / 1_000_000_000,
            sps: &camera.sps,
            pps: &camera.pps,
            fps: camera.fps,
            width: camera.width,
            height: camera.height,
        }
        .to_sdp();
        Response::new(200)
            .header(
                "Content-Base",
                base_url(&request.uri, camera.number, self.local),
            )
            .body("application/sdp", sdp.into_bytes())
    }

    async fn setup(&mut self, request: &Request) -> Response {
        let Some(camera) = self.target(request) else {
            return Response::new(404);
        };
        match (&self.session, session_id(request)) {
            (Some(session), Some(id)) if session.id == id => {
                if session.playing.is_some() {
                    return Response::new(455);
                }
            }
            (_, Some(_)) => return Response::new(454),
            // One session per connection: a second SETUP must name the first.
            (Some(_), None) => return Response::new(459),
            (None, None) => {}
        }
        let Some(choice) = request.header("Transport").and_then(choose_transport) else {
            return Response::new(461);
        };
        let Ok(random) = random_bytes::<18>() else {
            return Response::new(500);
        };
        let (transport, transport_reply) = match choice {
            TransportChoice::Interleaved(rtp_channel, rtcp_channel) => (
                Transport::Interleaved {
                    rtp_channel,
                    rtcp_channel,
                },
                format!("RTP/AVP/TCP;unicast;interleaved={rtp_channel}-{rtcp_channel}"),
            ),
            TransportChoice::Udp(client_rtp, client_rtcp) => {
                let Ok((rtp, rtcp, server_port)) = bind_port_pair(self.local.ip()).await else {
                    return Response::new(503);
                };
                let pair = UdpPair {
                    rtp,
                    rtcp,
                    client_rtp: SocketAddr::new(self.peer.ip(), client_rtp),
                    client_rtcp: SocketAddr::new(self.peer.ip(), client_rtcp),
                };
                let reply = format!(
                    "RTP/AVP/UDP;unicast;client_port={client_rtp}-{client_rtcp};\
                     server_port={server_port}-{}",
                    server_port + 1
                );
                (Transport::Udp(pair), reply)
            }
        };
        let ssrc = u32::from_be_bytes([random[0], random[1], random[2], random[3]]);
        let id = match &self.session {
            Some(session) => session.id.clone(),
            None => random[10..18].iter().map(|b| format!("{b:02X}")).collect(),
        };
        let session = Session {
            id: id.clone(),
            track_url: format!(
                "{}{TRACK_CONTROL}",
                base_url(&request.uri, camera.number, self.local)
            ),
            camera,
            transport,
            ssrc,
            next_seq: u16::from_be_bytes([random[4], random[5]]),
            rtp_offset: u32::from_be_bytes([random[6], random[7], random[8], random[9]]),
            packet_count: 0,
            octet_count: 0,
            last_report: None,
            playing: None,
        };
        self.session = Some(session);
        Response::new(200)
            .header("Transport", format!("{transport_reply};ssrc={ssrc:08X}"))
            .header(
                "Session",
                format!("{id};timeout={}", SESSION_TIMEOUT.as_secs()),
            )
    }

    /// The session the request names, or the response refusing it: 455 before any `SETUP`,
    /// 454 for another session or another camera's URL.
    fn named_session(&mut self, request: &Request) -> Result<&mut Session, Response> {
        let Some(camera) = self.target(request) else {
            return Err(Response::new(404));
        };
        match (&mut self.session, session_id(request)) {
            (None, None) => Err(Response::new(455)),
            (Some(session), Some(id)) if session.id == id => {
                if Arc::ptr_eq(&session.camera, &camera) {
                    Ok(session)
                } else {
                    Err(Response::new(454))
                }
            }
            _ => Err(Response::new(454)),
        }
    }

    fn play(&mut self, request: &Request) -> Response {
        let session = match self.named_session(request) {
            Ok(session) => session,
            Err(response) => return response,
        };
        let start_index = match &session.playing {
            Some(playing) => match playing.waiting {
                Wait::From(index) => Some(index),
                _ => None,
            },
            None => {
                let (frames, start_index) = session.camera.subscribe();
                session.playing = Some(Playing {
                    frames,
                    waiting: Wait::From(start_index),
                });
                Some(start_index)
            }
        };
        let mut rtp_info = format!("url={};seq={}", session.track_url, session.next_seq);
        if let Some(index) = start_index {
            let rtptime = session
                .rtp_offset
                .wrapping_add(session.camera.clock.rtp_time(index));
            rtp_info.push_str(&format!(";rtptime={rtptime}"));
        }
        let id = session.id.clone();
        Response::new(200)
            .header("Range", "npt=0.000-")
            .header("RTP-Info", rtp_info)
            .header("Session", id)
    }

    fn pause(&mut self, request: &Request) -> Response {
        match self.named_session(request) {
            Ok(session) => {
                session.playing = None;
                let id = session.id.clone();
                Response::new(200).header("Session", id)
            }
            Err(response) => response,
        }
    }

    fn teardown(&mut self, request: &Request) -> Response {
        match self.named_session(request) {
            Ok(_) => {
                self.session = None;
                Response::new(200)
            }
            Err(response) => response,
        }
    }

    /// `GET_PARAMETER` and `SET_PARAMETER`: keep-alives when empty; no parameters exist.
    fn parameter(&self, request: &Request) -> Response {
        let mut response = match (&self.session, session_id(request)) {
            (_, None) => Response::new(200),
            (Some(session), Some(id)) if session.id == id => {
                Response::new(200).header("Session", id)
            }
            (_, Some(_)) => return Response::new(454),
        };
        if !request.body.iter().all(u8::is_ascii_whitespace) {
            response.status = 451;
        }
        response
    }

    /// Sends `frame` to the playing session if it is sending or the frame is the IDR it
    /// waits for. `Ok(false)` closes the connection.
    async fn send_frame(&mut self, frame: &EncodedFrame) -> io::Result<bool> {
        let Some(session) = self.session.as_mut() else {
            return Ok(true);
        };
        let Some(playing) = session.playing.as_mut() else {
            return Ok(true);
        };
        let starts = match playing.waiting {
            Wait::Sending => true,
            Wait::From(index) => frame.is_idr && frame.index >= index,
            Wait::NextIdr => frame.is_idr,
        };
        if !starts {
            return Ok(true);
        }
        playing.waiting = Wait::Sending;
        let timestamp = session.rtp_offset.wrapping_add(frame.rtp_time);
        let report_due = session
            .last_report
            .is_none_or(|at| at.elapsed() >= REPORT_INTERVAL);
        let report = report_due.then(|| {
            session.last_report = Some(Instant::now());
            SenderReport {
                ssrc: session.ssrc,
                ntp: rtp::ntp_timestamp(frame.unix_ns),
                rtp_timestamp: timestamp,
                packet_count: session.packet_count,
                octet_count: session.octet_count,
            }
            .to_bytes(&format!("custos-simcam-{}", session.camera.number))
        });
        let last = frame.payloads.len().saturating_sub(1);
        let mut packets = Vec::with_capacity(frame.payloads.len());
        for (i, payload) in frame.payloads.iter().enumerate() {
            let mut packet = Vec::with_capacity(HEADER_BYTES + payload.len());
            rtp::write_header(
                &mut packet,
                i == last,
                session.next_seq,
                timestamp,
                session.ssrc,
            );
            packet.extend_from_slice(payload);
            session.next_seq = session.next_seq.wrapping_add(1);
            session.packet_count = session.packet_count.wrapping_add(1);
            session.octet_count = session.octet_count.wrapping_add(payload.len() as u32);
            packets.push(packet);
        }
        match &session.transport {
            Transport::Interleaved {
                rtp_channel,
                rtcp_channel,
            } => {
                let (rtp_channel, rtcp_channel) = (*rtp_channel, *rtcp_channel);
                let len_bytes = packets.iter().map(|p| p.len() + 4).sum::<usize>() + 100;
                let mut bytes = Vec::with_capacity(len_bytes);
                if let Some(report) = &report {
                    interleave(&mut bytes, rtcp_channel, report);
                }
                for packet in &packets {
                    interleave(&mut bytes, rtp_channel, packet);
                }
                self.write(&bytes).await?;
            }
            Transport::Udp(pair) => {
                if let Some(report) = &report {
                    // A lost report is replaced by the next one.
                    let _ = pair.rtcp.send_to(report, pair.client_rtcp).await;
                }
                for (i, packet) in packets.iter().enumerate() {
                    if i > 0 && i % UDP_BURST_PACKETS == 0 {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    // UDP is unreliable by design; the client notices gaps by sequence number.
                    let _ = pair.rtp.send_to(packet, pair.client_rtp).await;
                }
            }
        }
        Ok(true)
    }
}

/// Appends `packet` framed for channel `channel` of the RTSP connection (RFC 2326 10.12).
fn interleave(out: &mut Vec<u8>, channel: u8, packet: &[u8]) {
    out.push(b'$');
    out.push(channel);
    out.extend_from_slice(&(packet.len() as u16).to_be_bytes());
    out.extend_from_slice(packet);
}

/// The session identifier of the request's `Session` header, without parameters.
fn session_id(request: &Request) -> Option<&str> {
    request
        .header("Session")
        .map(|value| value.split(';').next().unwrap_or_default().trim())
}

/// The path of an RTSP URL (`rtsp://host:port/path?query`) or of a bare absolute path,
/// without the query.
fn url_path(uri: &str) -> Option<&str> {
    let path = match uri.split_once("://") {
        Some((scheme, rest)) => {
            if !scheme.eq_ignore_ascii_case("rtsp") && !scheme.eq_ignore_ascii_case("rtspt") {
                return None;
            }
            rest.find('/').map_or("/", |i| &rest[i..])
        }
        None if uri.starts_with('/') => uri,
        None => return None,
    };
    Some(path.split(['?', '#']).next().unwrap_or_default())
}

/// The camera number `N` of `/camN`, `/camN/` or `/camN/track1`.
pub(crate) fn camera_number(uri: &str) -> Option<usize> {
    let path = url_path(uri)?;
    let mut segments = path.trim_start_matches('/').split('/');
    let digits = segments.next()?.strip_prefix("cam")?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest: Vec<&str> = segments.filter(|s| !s.is_empty()).collect();
    match rest.as_slice() {
        [] => digits.parse().ok(),
        [track] if *track == TRACK_CONTROL => digits.parse().ok(),
        _ => None,
    }
}

/// The `Content-Base` of camera `number`: the request's scheme and authority (or the
/// server's address) followed by `/camN/`.
fn base_url(uri: &str, number: usize, local: SocketAddr) -> String {
    let authority = uri
        .split_once("://")
        .map(|(scheme, rest)| {
            let host = rest.split('/').next().unwrap_or_default();
            format!("{scheme}://{host}")
        })
        .unwrap_or_else(|| format!("rtsp://{local}"));
    format!("{authority}/cam{number}/")
}

/// The first transport in a `Transport` header the server can serve: unicast RTP/AVP over
/// TCP (interleaved) or UDP (`client_port`), for playing.
fn choose_transport(header: &str) -> Option<TransportChoice> {
    header.split(',').find_map(|spec| {
        let mut parts = spec.split(';').map(str::trim);
        let protocol = parts.next()?.to_ascii_uppercase();
        let params: Vec<(&str, Option<&str>)> = parts
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (p, None),
            })
            .collect();
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        if param("multicast").is_some() {
            return None;
        }
        if let Some(mode) = param("mode").flatten()
            && !mode.trim_matches('"').eq_ignore_ascii_case("play")
        {
            return None;
        }
        match protocol.as_str() {
            "RTP/AVP/TCP" => match param("interleaved") {
                None => Some(TransportChoice::Interleaved(0, 1)),
                Some(value) => {
                    let (a, b) = port_range(value?)?;
                    Some(TransportChoice::Interleaved(
                        u8::try_from(a).ok()?,
                        u8::try_from(b).ok()?,
                    ))
                }
            },
            "RTP/AVP" | "RTP/AVP/UDP" => {
                let (a, b) = port_range(param("client_port")??)?;
                (a != 0 && b != 0).then_some(TransportChoice::Udp(a, b))
            }
            _ => None,
        }
    })
}

/// `a-b`, or `a` meaning `a-(a+1)`.
fn port_range(value: &str) -> Option<(u16, u16)> {
    match value.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let a: u16 = value.trim().parse().ok()?;
            Some((a, a.checked_add(1)?))
        }
    }
}

/// Binds an even RTP port and the odd RTCP port above it on `ip`.
async fn bind_port_pair(ip: IpAddr) -> io::Result<(UdpSocket, UdpSocket, u16)> {
    let mut last_error = io::Error::new(io::ErrorKind::AddrInUse, "no free UDP port pair");
    for _ in 0..32 {
        let rtp = UdpSocket::bind(SocketAddr::new(ip, 0)).await?;
        let port = rtp.local_addr()?.port();
        if !port.is_multiple_of(2) || port == u16::MAX {
            continue;
        }
        match UdpSocket::bind(SocketAddr::new(ip, port + 1)).await {
            Ok(rtcp) => return Ok((rtp, rtcp, port)),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

/// `N` random bytes from the operating system.
fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[test]
    fn camera_paths() {
        assert_eq!(camera_number("rtsp://127.0.0.1:8554/cam1"), Some(1));
        assert_eq!(camera_number("rtsp://127.0.0.1:8554/cam12/"), Some(12));
        assert_eq!(camera_number("RTSP://host/cam2/track1"), Some(2));
        assert_eq!(camera_number("rtsp://host/cam2?x=1"), Some(2));
        assert_eq!(camera_number("/cam3"), Some(3));
        for bad in [
            "rtsp://host/",
            "rtsp://host",
            "rtsp://host/cam",
            "rtsp://host/cam0",
            "rtsp://host/cam01",
            "rtsp://host/camera1",
            "rtsp://host/cam1/track2",
            "rtsp://host/cam1/track1/x",
            "http://host/cam1",
            "*",
        ] {
            assert_eq!(camera_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn content_base_keeps_the_address_the_client_used() {
        let local: SocketAddr = "10.0.0.1:8554".parse().expect("an address");
        assert_eq!(
            base_url("rtsp://example.test:554/cam2", 2, local),
            "rtsp://example.test:554/cam2/"
        );
        assert_eq!(base_url("/cam2", 2, local), "rtsp://10.0.0.1:8554/cam2/");
    }

    #[test]
    fn transport_choices() {
        use TransportChoice::*;
        let cases = [
            (
                "RTP/AVP/TCP;unicast;interleaved=0-1",
                Some(Interleaved(0, 1)),
            ),
            (
                "RTP/AVP/TCP;unicast;interleaved=2-3",
                Some(Interleaved(2, 3)),
            ),
            ("RTP/AVP/TCP;unicast", Some(Interleaved(0, 1))),
            (
                "RTP/AVP;unicast;client_port=5000-5001",
                Some(Udp(5000, 5001)),
            ),
            (
                "RTP/AVP/UDP;unicast;client_port=5000-5001;mode=play",
                Some(Udp(5000, 5001)),
            ),
            ("RTP/AVP;unicast;client_port=6000", Some(Udp(6000, 6001))),
            ("RTP/AVP;multicast;ttl=4", None),
            ("RTP/AVP;unicast;client_port=5000-5001;mode=record", None),
            ("RTP/AVP;unicast", None),
            ("RTP/SAVP;unicast;client_port=5000-5001", None),
            ("RTP/AVP/TCP;unicast;interleaved=300-301", None),
            (
                "RTP/AVP;multicast, RTP/AVP/TCP;unicast;interleaved=4-5",
                Some(Interleaved(4, 5)),
            ),
        ];
        for (header, expected) in cases {
            assert_eq!(choose_transport(header), expected, "{header}");
        }
    }

    /// A server with two small cameras on 127.0.0.1, and its address.
    async fn start_server() -> (SocketAddr, watch::Sender<bool>) {
        start_server_sized(160, 96).await
    }

    /// A server with two cameras of `width × height` at 25 fps, an IDR every 5 frames.
    async fn start_server_sized(width: u32, height: u32) -> (SocketAddr, watch::Sender<bool>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = watch::channel(false);
        let config = crate::simcam::SimCamConfig {
            cameras: 2,
            width,
            height,
            fps: 25,
            gop_frames: 5,
        };
        tokio::spawn(async move {
            let mut stopped = stopped;
            crate::simcam::serve(listener, config, async move {
                let _ = stopped.changed().await;
            })
            .await
            .expect("the server runs");
        });
        (addr, stop)
    }

    /// Sends `request` and reads one response head (and body, by `Content-Length`).
    async fn exchange(stream: &mut TcpStream, request: &str) -> String {
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            // Skip interleaved packets that may precede the response.
            while data.first() == Some(&b'$') && data.len() >= 4 {
                let len = 4 + usize::from(u16::from_be_bytes([data[2], data[3]]));
                if data.len() < len {
                    break;
                }
                data.drain(..len);
            }
            if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&data[..end + 4]).into_owned();
                let body_len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .map_or(0, |v| v.trim().parse::<usize>().expect("length"));
                if data.len() >= end + 4 + body_len {
                    let body = String::from_utf8_lossy(&data[end + 4..end + 4 + body_len]);
                    return format!("{head}{body}");
                }
            }
            let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
                .await
                .expect("a response within 10 s")
                .expect("read");
            assert!(n > 0, "the server closed the connection; got {data:?}");
            data.extend_from_slice(&buf[..n]);
        }
    }

    fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
        response
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
    }

    #[tokio::test]
    async fn answers_requests_with_the_right_status_and_cseq() {
        let (addr, _stop) = start_server().await;
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let base = format!("rtsp://{addr}");

        let r = exchange(
            &mut s,
            &format!("OPTIONS {base}/cam1 RTSP/1.0\r\nCSeq: 1\r\n\r\n"),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 200 OK\r\n"), "{r}");
        assert_eq!(header(&r, "CSeq"), Some("1"));
        assert!(header(&r, "Public").is_some_and(|p| p.contains("GET_PARAMETER")));

        // A malformed request gets 400 with its CSeq, and the connection carries on.
        let r = exchange(&mut s, "NOT A REQUEST\r\nCSeq: 2\r\n\r\n").await;
        assert!(r.starts_with("RTSP/1.0 400 Bad Request\r\n"), "{r}");
        assert_eq!(header(&r, "CSeq"), Some("2"));

        let r = exchange(
            &mut s,
            &format!("DESCRIBE {base}/cam3 RTSP/1.0\r\nCSeq: 3\r\n\r\n"),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 404 Not Found\r\n"), "{r}");
        assert_eq!(header(&r, "CSeq"), Some("3"));

        let r = exchange(
            &mut s,
            &format!("DESCRIBE {base}/cam2 RTSP/1.0\r\nCSeq: 4\r\n\r\n"),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 200 OK\r\n"), "{r}");
        assert_eq!(
            header(&r, "Content-Base"),
            Some(format!("{base}/cam2/").as_str())
        );
        assert_eq!(header(&r, "Content-Type"), Some("application/sdp"));
        assert!(r.contains("s=Simulated camera 2\r\n"), "{r}");
        assert!(r.contains("a=rtpmap:96 H264/90000\r\n"), "{r}");

        let r = exchange(
            &mut s,
            &format!("PLAY {base}/cam2/ RTSP/1.0\r\nCSeq: 5\r\n\r\n"),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 455 "), "PLAY before SETUP: {r}");
        let r = exchange(
            &mut s,
            &format!("PLAY {base}/cam2/ RTSP/1.0\r\nCSeq: 5\r\nSession: 1234\r\n\r\n"),
        )
        .await;
        assert!(
            r.starts_with("RTSP/1.0 454 "),
            "PLAY of an unknown session: {r}"
        );

        let r = exchange(
            &mut s,
            &format!(
                "SETUP {base}/cam2/track1 RTSP/1.0\r\nCSeq: 6\r\n\
                 Transport: RTP/AVP;multicast;ttl=1\r\n\r\n"
            ),
        )
        .await;
        assert!(
            r.starts_with("RTSP/1.0 461 Unsupported Transport\r\n"),
            "{r}"
        );
        assert_eq!(header(&r, "CSeq"), Some("6"));

        let r = exchange(
            &mut s,
            &format!(
                "SETUP {base}/cam2/track1 RTSP/1.0\r\nCSeq: 7\r\n\
                 Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"
            ),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 200 OK\r\n"), "{r}");
        let transport = header(&r, "Transport").expect("Transport");
        assert!(transport.starts_with("RTP/AVP/TCP;unicast;interleaved=0-1;ssrc="));
        let session = header(&r, "Session").expect("Session");
        assert!(session.ends_with(";timeout=60"), "{session}");
        let id = session.split(';').next().expect("an id");

        let r = exchange(
            &mut s,
            &format!("GET_PARAMETER {base}/cam2/ RTSP/1.0\r\nCSeq: 8\r\nSession: {id}\r\n\r\n"),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 200 OK\r\n"), "keep-alive: {r}");

        let r = exchange(
            &mut s,
            &format!("PLAY {base}/cam2/ RTSP/1.0\r\nCSeq: 9\r\nSession: {id}\r\n\r\n"),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 200 OK\r\n"), "{r}");
        let rtp_info = header(&r, "RTP-Info").expect("RTP-Info");
        assert!(
            rtp_info.starts_with(&format!("url={base}/cam2/track1;seq=")),
            "{rtp_info}"
        );
        assert!(rtp_info.contains(";rtptime="), "{rtp_info}");

        let r = exchange(
            &mut s,
            &format!(
                "SETUP {base}/cam2/track1 RTSP/1.0\r\nCSeq: 10\r\nSession: {id}\r\n\
                 Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"
            ),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 455 "), "SETUP while playing: {r}");

        let r = exchange(
            &mut s,
            &format!("RECORD {base}/cam2/ RTSP/1.0\r\nCSeq: 11\r\n\r\n"),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 405 "), "{r}");
        let r = exchange(
            &mut s,
            &format!("FROB {base}/cam2/ RTSP/1.0\r\nCSeq: 12\r\n\r\n"),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 501 "), "{r}");

        let r = exchange(
            &mut s,
            &format!("TEARDOWN {base}/cam2/ RTSP/1.0\r\nCSeq: 13\r\nSession: {id}\r\n\r\n"),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 200 OK\r\n"), "{r}");
        assert_eq!(header(&r, "CSeq"), Some("13"));
    }

    #[tokio::test]
    async fn interleaved_play_starts_with_a_report_and_the_announced_idr() {
        let (addr, _stop) = start_server().await;
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let base = format!("rtsp://{addr}/cam1");
        let r = exchange(
            &mut s,
            &format!(
                "SETUP {base}/track1 RTSP/1.0\r\nCSeq: 1\r\n\
                 Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"
            ),
        )
        .await;
        let session = header(&r, "Session").expect("Session");
        let id = session.split(';').next().expect("an id").to_owned();
        let ssrc = header(&r, "Transport")
            .and_then(|t| t.split("ssrc=").nth(1))
            .map(|h| u32::from_str_radix(h, 16).expect("hex SSRC"))
            .expect("SSRC");
        let r = exchange(
            &mut s,
            &format!("PLAY {base}/ RTSP/1.0\r\nCSeq: 2\r\nSession: {id}\r\n\r\n"),
        )
        .await;
        let rtp_info = header(&r, "RTP-Info").expect("RTP-Info");
        let field = |name: &str| -> u32 {
            rtp_info
                .split(';')
                .find_map(|f| f.strip_prefix(name))
                .and_then(|v| v.parse().ok())
                .expect("an RTP-Info field")
        };
        let (seq, rtptime) = (field("seq=") as u16, field("rtptime="));

        let mut data = Vec::new();
        let mut packets = Vec::new();
        let mut buf = [0u8; 65536];
        while packets.len() < 3 {
            let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
                .await
                .expect("packets within 5 s")
                .expect("read");
            assert!(n > 0);
            data.extend_from_slice(&buf[..n]);
            while data.len() >= 4 && data[0] == b'$' {
                let len = 4 + usize::from(u16::from_be_bytes([data[2], data[3]]));
                if data.len() < len {
                    break;
                }
                packets.push((data[1], data[4..len].to_vec()));
                data.drain(..len);
            }
        }
        // LBU-15: the first thing sent is a sender report tying RTP time to wall-clock time.
        let (channel, report) = &packets[0];
        assert_eq!(*channel, 1);
        assert_eq!(report[1], 200, "RTCP sender report");
        assert_eq!(
            u32::from_be_bytes([report[4], report[5], report[6], report[7]]),
            ssrc
        );
        let report_rtp = u32::from_be_bytes([report[16], report[17], report[18], report[19]]);
        assert_eq!(
            report_rtp, rtptime,
            "the report describes the announced first frame"
        );
        // Then the announced IDR: SPS first, with the announced sequence number and time.
        let (channel, first) = &packets[1];
        assert_eq!(*channel, 0);
        assert_eq!(u16::from_be_bytes([first[2], first[3]]), seq);
        assert_eq!(
            u32::from_be_bytes([first[4], first[5], first[6], first[7]]),
            rtptime
        );
        assert_eq!(
            first[12] & 0x1F,
            7,
            "an IDR access unit starts with its SPS"
        );
        let (_, second) = &packets[2];
        assert_eq!(
            u16::from_be_bytes([second[2], second[3]]),
            seq.wrapping_add(1)
        );
        assert_eq!(second[12] & 0x1F, 8, "then the PPS");
    }

    /// SETUPs camera 1 over interleaved TCP and PLAYs it.
    async fn play_interleaved(stream: &mut TcpStream, addr: SocketAddr) {
        let base = format!("rtsp://{addr}/cam1");
        let r = exchange(
            stream,
            &format!(
                "SETUP {base}/track1 RTSP/1.0\r\nCSeq: 1\r\n\
                 Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"
            ),
        )
        .await;
        let session = header(&r, "Session").expect("Session");
        let id = session.split(';').next().expect("an id").to_owned();
        let r = exchange(
            stream,
            &format!("PLAY {base}/ RTSP/1.0\r\nCSeq: 2\r\nSession: {id}\r\n\r\n"),
        )
        .await;
        assert!(r.starts_with("RTSP/1.0 200 OK\r\n"), "{r}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_that_stops_reading_does_not_hold_up_another() {
        // LBU-7, BDC-2: a stalled viewer must not cost the recorder frames.
        // Large IDRs (1.4 MB, five a second) fill the socket buffers within a second.
        let (addr, _stop) = start_server_sized(1280, 720).await;
        // The stalled client: a tiny receive buffer, and it never reads after PLAY.
        let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
        socket.set_recv_buffer_size(4096).expect("a small buffer");
        let mut stalled = socket.connect(addr).await.expect("connect");
        play_interleaved(&mut stalled, addr).await;

        let mut healthy = TcpStream::connect(addr).await.expect("connect");
        play_interleaved(&mut healthy, addr).await;
        let started = Instant::now();
        let mut data = Vec::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut frames = 0usize;
        while started.elapsed() < Duration::from_secs(4) {
            let n = tokio::time::timeout(Duration::from_secs(1), healthy.read(&mut buf))
                .await
                .expect("the healthy client keeps receiving")
                .expect("read");
            assert!(n > 0, "the server closed the healthy connection");
            data.extend_from_slice(&buf[..n]);
            let mut at = 0;
            while data.len() >= at + 4 && data[at] == b'$' {
                let len = 4 + usize::from(u16::from_be_bytes([data[at + 2], data[at + 3]]));
                if data.len() < at + len {
                    break;
                }
                // The marker bit ends a frame on the RTP channel.
                if data[at + 1] == 0 && data[at + 5] & 0x80 != 0 {
                    frames += 1;
                }
                at += len;
            }
            data.drain(..at);
        }
        // Four seconds at 25 fps, less up to a GOP (0.2 s) of waiting for the first IDR.
        assert!(
            frames >= 85,
            "only {frames} frames reached the healthy client"
        );

        // The stalled client, reading again, finds it skipped to a later IDR.
        let mut packets: Vec<(u32, u8)> = Vec::new();
        let mut data = Vec::new();
        let started = Instant::now();
        let skipped_to_idr = |packets: &[(u32, u8)]| {
            packets.windows(2).any(|w| {
                w[1].0.wrapping_sub(w[0].0) > 90_000 && w[1].1 == 7 // SPS: an IDR follows
            })
        };
        while !skipped_to_idr(&packets) {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "the stalled client never skipped ahead to an IDR"
            );
            let n = tokio::time::timeout(Duration::from_secs(5), stalled.read(&mut buf))
                .await
                .expect("data for the stalled client")
                .expect("read");
            assert!(n > 0, "the server closed the stalled connection");
            data.extend_from_slice(&buf[..n]);
            let mut at = 0;
            while data.len() >= at + 4 && data[at] == b'$' {
                let len = 4 + usize::from(u16::from_be_bytes([data[at + 2], data[at + 3]]));
                if data.len() < at + len {
                    break;
                }
                if data[at + 1] == 0 {
                    let p = &data[at + 4..at + len];
                    packets.push((u32::from_be_bytes([p[4], p[5], p[6], p[7]]), p[12] & 0x1F));
                }
                at += len;
            }
            data.drain(..at);
        }
    }
}
