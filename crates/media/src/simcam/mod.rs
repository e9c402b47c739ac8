//! Simulated cameras: an RTSP server whose cameras `/cam1` … `/camN` stream synthetic H.264
//! video that ordinary players (ffmpeg, ffprobe, VLC) and the recorder can play. Each picture
//! shows colour bars, the camera's name, the UTC date and time to the millisecond and the
//! frame number; [`read_overlay`] reads them back from a decoded picture.
//!
//! How it fits together: each camera is a task (`camera`) that paints its frame (`picture`,
//! `font`) at every tick of a wall-clock-paced frame clock, encodes it once (`encoder`,
//! `bits`: IDRs of raw `I_PCM` macroblocks, P pictures that skip unchanged macroblocks),
//! splits it into RTP payloads (`rtp`) and broadcasts them; each RTSP connection (`rtsp`,
//! `message`, `sdp`) sends them to its session over TCP (interleaved) or UDP.
//!
//! Behaviour a client sees:
//! * A session that starts playing in the middle of a GOP waits for the camera's next IDR
//!   (at most one GOP, two seconds by default); IDRs come every `gop_frames` frames, counted
//!   from when the server started, so the GOP pattern is the same for every client.
//! * RTCP sender reports go out before the first frame and every five seconds, each pairing
//!   a frame's RTP timestamp with the wall-clock time drawn on that frame, so a recorder can
//!   map RTP time to wall-clock time exactly (LBU-15). Incoming RTCP is read and ignored.
//! * Cameras encode only while someone is watching (decided at each GOP boundary).
//!
//! Invariants: the configuration is validated before anything starts; nothing here blocks
//! the async runtime (painting and encoding run on blocking threads); a slow client never
//! holds up a camera or another client. Costs: an IDR is about 385 bytes per 16×16
//! macroblock (1.4 MB at 1280×720), P pictures only carry the changed clock digits.

mod bits;
mod camera;
mod encoder;
mod font;
mod message;
mod picture;
mod rtp;
mod rtsp;
mod sdp;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use picture::{Overlay, read_overlay};

/// The most cameras one server simulates.
pub const MAX_CAMERAS: usize = 64;
/// The largest picture width, in pixels.
pub const MAX_WIDTH_PX: u32 = 4096;
/// The largest picture height, in pixels.
pub const MAX_HEIGHT_PX: u32 = 2304;
/// The highest frame rate, in frames per second.
pub const MAX_FPS: u32 = 60;
/// The longest GOP, in seconds of frames.
pub const MAX_GOP_S: u32 = 60;

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimCamConfig {
    /// How many cameras: they are served at `/cam1` … `/camN`.
    pub cameras: usize,
    /// Picture width in pixels: even, from 160 to 4096.
    pub width: u32,
    /// Picture height in pixels: even, from 96 to 2304. Sizes that are not multiples of 16
    /// (e.g. 1080) are coded as the next multiple and cropped.
    pub height: u32,
    /// Frames per second, from 1 to 60.
    pub fps: u32,
    /// Frames from one IDR to the next (the GOP length), from 1 to a minute's worth.
    pub gop_frames: u32,
}

impl Default for SimCamConfig {
    /// Two cameras of 1280×720 at 25 frames per second with an IDR every 2 seconds.
    fn default() -> Self {
        Self {
            cameras: 2,
            width: 1280,
            height: 720,
            fps: 25,
            gop_frames: 50,
        }
    }
}

impl SimCamConfig {
    /// Checks every setting, naming the first one that is wrong and how to put it right.
    pub fn validate(&self) -> Result<(), SimCamError> {
        let invalid = |field: &'static str, problem: String| {
            Err(SimCamError::InvalidConfig { field, problem })
        };
        if !(1..=MAX_CAMERAS).contains(&self.cameras) {
            return invalid(
                "cameras",
                format!("is {}, but must be from 1 to {MAX_CAMERAS}", self.cameras),
            );
        }
        let min_width = picture::MIN_WIDTH_PX;
        if !self.width.is_multiple_of(2) || !(min_width..=MAX_WIDTH_PX).contains(&self.width) {
            return invalid(
                "width",
                format!(
                    "is {} pixels, but must be an even number from {min_width} to {MAX_WIDTH_PX} \
                     (for example 1280)",
                    self.width
                ),
            );
        }
        let min_height = picture::MIN_HEIGHT_PX;
        if !self.height.is_multiple_of(2) || !(min_height..=MAX_HEIGHT_PX).contains(&self.height) {
            return invalid(
                "height",
                format!(
                    "is {} pixels, but must be an even number from {min_height} to \
                     {MAX_HEIGHT_PX} (for example 720)",
                    self.height
                ),
            );
        }
        if !(1..=MAX_FPS).contains(&self.fps) {
            return invalid(
                "fps",
                format!(
                    "is {}, but must be from 1 to {MAX_FPS} frames per second (for example 25)",
                    self.fps
                ),
            );
        }
        let max_gop = MAX_GOP_S * self.fps;
        if !(1..=max_gop).contains(&self.gop_frames) {
            return invalid(
                "gop_frames",
                format!(
                    "is {}, but must be from 1 to {max_gop} frames ({MAX_GOP_S} seconds at {} \
                     fps); {} gives an IDR every 2 seconds",
                    self.gop_frames,
                    self.fps,
                    2 * self.fps
                ),
            );
        }
        let width_mbs = u64::from(self.width.div_ceil(16));
        let height_mbs = u64::from(self.height.div_ceil(16));
        if encoder::level_idc(width_mbs, height_mbs, u64::from(self.fps)).is_none() {
            return invalid(
                "fps",
                format!(
                    "{} at {}x{} is more than H.264 level 5.2 allows (2,073,600 macroblocks a \
                     second); lower the frame rate or the picture size",
                    self.fps, self.width, self.height
                ),
            );
        }
        Ok(())
    }

    /// The cameras' RTSP URLs for a server listening on `addr` (which should be an address
    /// clients can reach, not `0.0.0.0`).
    pub fn urls(&self, addr: SocketAddr) -> Vec<String> {
        (1..=self.cameras)
            .map(|n| format!("rtsp://{addr}/cam{n}"))
            .collect()
    }
}

/// The name of camera `number` (1-based), shown on its pictures and in its description:
/// `Simulated camera 1`, …
pub fn camera_name(number: usize) -> String {
    format!("Simulated camera {number}")
}

/// Camera `camera_number`'s first `frames` frames, coded exactly as the server streams them
/// (IDRs every `gop_frames`, SPS and PPS before each), as an H.264 Annex B byte stream: what
/// `.h264` files hold and `ffmpeg -f h264` reads. Frame 0 shows `start_unix_ms`; frame `n`
/// shows `n / fps` seconds later. For tests that need footage without a network.
pub fn annex_b_clip(
    config: &SimCamConfig,
    camera_number: usize,
    start_unix_ms: i64,
    frames: u64,
) -> Result<Vec<u8>, SimCamError> {
    config.validate()?;
    if !(1..=config.cameras).contains(&camera_number) {
        return Err(SimCamError::NoSuchCamera {
            number: camera_number,
            cameras: config.cameras,
        });
    }
    let width_mbs = u64::from(config.width.div_ceil(16));
    let height_mbs = u64::from(config.height.div_ceil(16));
    let level = encoder::level_idc(width_mbs, height_mbs, u64::from(config.fps)).unwrap_or(52);
    let mut encoder = encoder::Encoder::new(config.width, config.height, config.fps, level);
    let painter = picture::Painter::new(
        camera_number,
        &camera_name(camera_number),
        config.width as usize,
        config.height as usize,
    );
    let mut picture = painter.blank();
    let mut out = Vec::new();
    for index in 0..frames {
        let offset_ms =
            i64::try_from(u128::from(index) * 1_000 / u128::from(config.fps)).unwrap_or(i64::MAX);
        painter.paint(&mut picture, index, start_unix_ms.saturating_add(offset_ms));
        let idr = index % u64::from(config.gop_frames) == 0;
        let au = encoder.encode(&picture, idr);
        out.extend_from_slice(&encoder::annex_b(&au.nal_units));
    }
    Ok(out)
}

/// Why the simulated cameras could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimCamError {
    /// A setting is out of range.
    #[error("simulated camera setting `{field}` {problem}")]
    InvalidConfig {
        /// The setting, as named in [`SimCamConfig`].
        field: &'static str,
        /// What is wrong and what would be right.
        problem: String,
    },
    /// A camera number outside `1..=cameras`.
    #[error("there is no simulated camera {number}: cameras are numbered from 1 to {cameras}")]
    NoSuchCamera {
        /// The number asked for.
        number: usize,
        /// How many cameras there are.
        cameras: usize,
    },
    /// The listener could not report its address (it is not usable).
    #[error("the simulated cameras' RTSP listener is not usable: {0}")]
    Listener(#[source] std::io::Error),
}

/// Serves the simulated cameras on `listener` until `shutdown` completes, then stops the
/// cameras and closes every connection (waiting at most two seconds for them).
///
/// Errors only for an invalid `config` or an unusable listener; failures of single
/// connections are logged (`tracing`, at debug level) and do not stop the server.
pub async fn serve(
    listener: TcpListener,
    config: SimCamConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), SimCamError> {
    config.validate()?;
    let local = listener.local_addr().map_err(SimCamError::Listener)?;
    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut cameras = Vec::with_capacity(config.cameras);
    for number in 1..=config.cameras {
        let (camera, task) = camera::start(number, &config, stopped.clone());
        cameras.push(camera);
        tasks.spawn(task);
    }
    let server = Arc::new(rtsp::Server { cameras });
    tracing::info!(
        %local,
        cameras = config.cameras,
        width = config.width,
        height = config.height,
        fps = config.fps,
        "simulated cameras serving RTSP"
    );
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tasks.spawn(rtsp::connection(server.clone(), stream, stopped.clone()));
                }
                Err(error) => {
                    // Usually out of file descriptors: wait for connections to close.
                    tracing::warn!(%error, "accepting an RTSP connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(joined) = tasks.join_next() => {
                if let Err(error) = joined {
                    tracing::error!(%error, "a simulated camera task failed");
                }
            }
        }
    }
    let _ = stop.send(true);
    let drained = tokio::time::timeout(Duration::from_secs(2), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tasks.abort_all();
    }
    tracing::info!(%local, "simulated cameras stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_is_valid() {
        SimCamConfig::default()
            .validate()
            .expect("the default is valid");
        let hd = SimCamConfig {
            width: 1920,
            height: 1080,
            ..SimCamConfig::default()
        };
        hd.validate()
            .expect("1080p is coded as 1088 rows and cropped");
    }

    #[test]
    fn invalid_settings_are_named_with_a_fix() {
        let base = SimCamConfig::default();
        let cases = [
            (
                SimCamConfig {
                    cameras: 0,
                    ..base.clone()
                },
                "`cameras` is 0",
            ),
            (
                SimCamConfig {
                    width: 1281,
                    ..base.clone()
                },
                "`width` is 1281 pixels, but must be an even number from 160 to 4096",
            ),
            (
                SimCamConfig {
                    width: 100,
                    ..base.clone()
                },
                "`width` is 100",
            ),
            (
                SimCamConfig {
                    height: 5000,
                    ..base.clone()
                },
                "`height` is 5000",
            ),
            (
                SimCamConfig {
                    fps: 0,
                    ..base.clone()
                },
                "`fps` is 0",
            ),
            (
                SimCamConfig {
                    gop_frames: 0,
                    ..base.clone()
                },
                "50 gives an IDR every 2 seconds",
            ),
            (
                SimCamConfig {
                    width: 4096,
                    height: 2304,
                    fps: 60,
                    ..base.clone()
                },
                "level 5.2",
            ),
        ];
        for (config, expected) in cases {
            let message = config
                .validate()
                .expect_err("the setting is invalid")
                .to_string();
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        }
    }

    #[test]
    fn a_clip_decodes_to_the_frames_a_camera_would_show() {
        let config = SimCamConfig {
            cameras: 2,
            width: 160,
            height: 96,
            fps: 25,
            gop_frames: 10,
        };
        let start_unix_ms = 1_767_225_599_000;
        let clip = annex_b_clip(&config, 2, start_unix_ms, 30).expect("a clip");
        assert_eq!(&clip[..5], &[0, 0, 0, 1, 0x67], "it starts with the SPS");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("clip.h264");
        std::fs::write(&path, &clip).expect("writing the clip");
        let output = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-f", "h264", "-i"])
            .arg(&path)
            .args(["-f", "rawvideo", "-pix_fmt", "gray", "-"])
            .output()
            .expect("ffmpeg must be installed to run this test (apt-get install ffmpeg)");
        assert!(output.status.success() && output.stderr.is_empty());
        let frame_bytes = 160 * 96;
        assert_eq!(output.stdout.len(), 30 * frame_bytes);
        let last = read_overlay(&output.stdout[29 * frame_bytes..], 160, 96)
            .expect("the last frame's text reads back");
        assert_eq!(
            last,
            Overlay {
                camera_name: "Simulated camera 2".into(),
                unix_ms: start_unix_ms + 29 * 40,
                frame_number: 29,
            }
        );
        let error = annex_b_clip(&config, 3, 0, 1).expect_err("there are two cameras");
        assert_eq!(
            error.to_string(),
            "there is no simulated camera 3: cameras are numbered from 1 to 2"
        );
    }

    #[test]
    fn urls_and_names() {
        let config = SimCamConfig::default();
        let addr: SocketAddr = "127.0.0.1:8554".parse().expect("an address");
        assert_eq!(
            config.urls(addr),
            ["rtsp://127.0.0.1:8554/cam1", "rtsp://127.0.0.1:8554/cam2"]
        );
        assert_eq!(camera_name(3), "Simulated camera 3");
    }
}
