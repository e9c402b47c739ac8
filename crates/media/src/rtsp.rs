//! One RTSP session with a camera (through `retina`): connect, pick the video stream,
//! and hand each frame on with its wall-clock time (LBU-15). The recorder and live view
//! each run their own sessions.
//!
//! Invariants: frame times come from the camera's RTP clock (90 kHz), anchored to the
//! server's clock at the first frame; when the two drift more than [`MAX_DRIFT_MS`] apart,
//! the drift is reported and the anchor moves to the server's clock, so stored times never
//! stray further than that. A camera's own clock (its RTCP sender reports) is compared with
//! the server's and a difference over [`MAX_DRIFT_MS`] is reported too. No frame is
//! transcoded.

use std::time::Duration;

use futures::StreamExt as _;

use crate::mp4::{Codec, TrackConfig};
use retina::client::{PlayOptions, SessionOptions, SetupOptions};
use retina::codec::{CodecItem, FrameFormat, ParametersRef};

/// How far camera time may drift from server time before it is reported and corrected.
pub const MAX_DRIFT_MS: i64 = 2_000;

/// How long a playing session may go without a frame before it counts as down.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(10);

/// One frame from a camera.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The access unit as 4-byte-length-prefixed NAL units, parameter sets left out.
    pub data: Vec<u8>,
    /// Its RTP (presentation) time in 90 kHz ticks since the session began.
    pub time_90k: i64,
    /// Its wall-clock time (ms since the epoch), as corrected by the session.
    pub wall_unix_ms: i64,
    /// Whether it is a key frame (random access point).
    pub is_key: bool,
}

/// Why a session ended.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SessionError(String);

fn fail(why: impl Into<String>) -> SessionError {
    SessionError(why.into())
}

/// Something the session reports besides frames.
#[derive(Debug, Clone)]
pub enum Event {
    /// A frame.
    Frame(Frame),
    /// The codec configuration for the frames that follow.
    Track(TrackConfig),
    /// Camera time and server time differ by this much (ms; positive: camera ahead).
    Drift {
        /// The difference.
        drift_ms: i64,
        /// Whether it comes from the camera's own clock (RTCP) or its frame rate.
        source: &'static str,
    },
}

/// Server time now, in ms since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn ntp_to_unix_ms(ntp: u64) -> i64 {
    let secs = i64::try_from(ntp >> 32).unwrap_or(0) - 2_208_988_800;
    let frac_ms = i64::try_from(((ntp & 0xffff_ffff) * 1000) >> 32).unwrap_or(0);
    secs * 1000 + frac_ms
}

fn track_from(params: &retina::codec::VideoParameters) -> Result<TrackConfig, SessionError> {
    let codec_name = params.rfc6381_codec();
    let codec = if codec_name.starts_with("avc1") {
        Codec::H264
    } else if codec_name.starts_with("hvc1") || codec_name.starts_with("hev1") {
        Codec::H265
    } else {
        return Err(fail(format!(
            "the camera sends {codec_name}; Custos takes H.264 and H.265"
        )));
    };
    TrackConfig::from_decoder_config(codec, params.extra_data()).map_err(|e| {
        fail(format!(
            "the camera's {codec_name} parameters cannot be read: {e}"
        ))
    })
}

/// Connects to `url` and sends events to `out` until the session ends or fails. Returns
/// an error saying why it ended.
pub async fn run(
    url: &str,
    creds: Option<(String, String)>,
    transport_udp: bool,
    out: tokio::sync::mpsc::Sender<Event>,
) -> Result<(), SessionError> {
    let url = url::Url::parse(url)
        .map_err(|e| fail(format!("the camera's address is not a valid URL: {e}")))?;
    let creds =
        creds.map(|(username, password)| retina::client::Credentials { username, password });
    let options = SessionOptions::default()
        .creds(creds)
        .user_agent(format!("Custos/{}", env!("CARGO_PKG_VERSION")));
    let mut session = tokio::time::timeout(
        Duration::from_secs(15),
        retina::client::Session::describe(url, options),
    )
    .await
    .map_err(|_| fail("the camera did not answer DESCRIBE within 15 s"))?
    .map_err(|e| fail(format!("the camera refused or failed DESCRIBE: {e}")))?;
    let Some(index) = session.streams().iter().position(|s| {
        s.media() == "video" && matches!(s.encoding_name(), "h264" | "h265" | "H264" | "H265")
    }) else {
        return Err(fail("the camera offers no H.264 or H.265 video stream"));
    };
    let transport = if transport_udp {
        retina::client::Transport::Udp(Default::default())
    } else {
        retina::client::Transport::Tcp(Default::default())
    };
    session
        .setup(
            index,
            SetupOptions::default()
                .transport(transport)
                .frame_format(FrameFormat::MP4),
        )
        .await
        .map_err(|e| fail(format!("the camera refused SETUP: {e}")))?;
    let mut demuxed = session
        .play(PlayOptions::default())
        .await
        .map_err(|e| fail(format!("the camera refused PLAY: {e}")))?
        .demuxed()
        .map_err(|e| fail(format!("the camera's stream cannot be demultiplexed: {e}")))?;
    let mut announced = false;
    let mut codec = Codec::H264;
    // (rtp 90k, server ms) at the anchor.
    let mut anchor: Option<(i64, i64)> = None;
    loop {
        let item = match tokio::time::timeout(FRAME_TIMEOUT, demuxed.next()).await {
            Err(_) => {
                return Err(fail(format!(
                    "no frame from the camera for {} s",
                    FRAME_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => return Err(fail("the camera ended the session")),
            Ok(Some(Err(e))) => return Err(fail(format!("the camera's stream failed: {e}"))),
            Ok(Some(Ok(item))) => item,
        };
        match item {
            CodecItem::VideoFrame(frame) => {
                if frame.stream_id() != index {
                    continue;
                }
                if frame.has_new_parameters() || !announced {
                    if let Some(ParametersRef::Video(p)) = demuxed.streams()[index].parameters() {
                        let track = track_from(p)?;
                        codec = track.codec();
                        announced = true;
                        if out.send(Event::Track(track)).await.is_err() {
                            return Ok(());
                        }
                    } else {
                        continue;
                    }
                }
                let time_90k = frame.timestamp().elapsed();
                let now = now_ms();
                let (t0, w0) = *anchor.get_or_insert((time_90k, now));
                let mut wall = w0 + (time_90k - t0) / 90;
                let drift = wall - now;
                if drift.abs() > MAX_DRIFT_MS {
                    // The camera's frame clock runs fast or slow against the server's:
                    // report it and re-anchor on server time (wall-clock correction).
                    anchor = Some((time_90k, now));
                    wall = now;
                    if out
                        .send(Event::Drift {
                            drift_ms: drift,
                            source: "frame clock",
                        })
                        .await
                        .is_err()
                    {
                        return Ok(());
                    }
                }
                // A frame that starts with a random access slice may start a fragment: an
                // H.264 IDR, or an H.265 IRAP (IDR, CRA or BLA), which the RTP layer does not
                // always flag.
                let data = frame.data();
                let is_key = frame.is_random_access_point()
                    || crate::mp4::nal::length_prefixed(data)
                        .filter_map(Result::ok)
                        .any(|nal| {
                            crate::mp4::nal::nal_kind(codec, nal)
                                == Some(crate::mp4::nal::NalKind::RandomAccessSlice)
                        });
                let ev = Event::Frame(Frame {
                    is_key,
                    data: frame.into_data(),
                    time_90k,
                    wall_unix_ms: wall,
                });
                if out.send(ev).await.is_err() {
                    return Ok(());
                }
            }
            CodecItem::Rtcp(rtcp) => {
                for pkt in rtcp.pkts() {
                    if let Ok(Some(sr)) = pkt.as_sender_report() {
                        let camera_ms = ntp_to_unix_ms(sr.ntp_timestamp().0);
                        let drift = camera_ms - now_ms();
                        if drift.abs() > MAX_DRIFT_MS
                            && out
                                .send(Event::Drift {
                                    drift_ms: drift,
                                    source: "camera clock",
                                })
                                .await
                                .is_err()
                        {
                            return Ok(());
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ntp_times_convert_to_unix_milliseconds() {
        // 2026-11-23 12:00:00.500 UTC.
        let secs: u64 = 1_795_435_200 + 2_208_988_800;
        let ntp = (secs << 32) | (1u64 << 31);
        assert_eq!(super::ntp_to_unix_ms(ntp), 1_795_435_200_500);
    }
}
