//! One simulated camera: a task that paints, encodes and packetises a frame at each tick of
//! its frame clock and broadcasts the RTP payloads to every session playing it.
//!
//! Invariants:
//! * Frame `n` is due at `start + n / fps` on the monotonic clock, shows the wall-clock time
//!   `start_unix + n / fps` (the camera's own clock, read once when it starts, as a real
//!   camera has its own clock) and has RTP time `n × 90000 / fps`. Frames are never produced
//!   ahead of their time; after a stall the camera skips to the present frame.
//! * GOPs are aligned to frame numbers: GOP `g` holds frames `g × gop_frames` onwards, and
//!   the first frame produced in a GOP is an IDR. Whether a GOP is produced at all is decided
//!   at its start: while nobody is subscribed, the camera paints and encodes nothing.
//! * Broadcasting never waits for a session: a session that falls more than the channel's
//!   capacity (two seconds of frames) behind loses frames and is told so, and then waits for
//!   the next IDR.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

use super::encoder::{Encoder, level_idc};
use super::picture::{Painter, Planes};
use super::rtp::{self, CLOCK_RATE_HZ, MAX_PAYLOAD_BYTES};
use super::{SimCamConfig, camera_name};

/// Maps frame numbers to monotonic instants, wall-clock times and RTP times.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameClock {
    start: Instant,
    start_unix_ns: u64,
    fps: u32,
}

impl FrameClock {
    /// A clock whose frame 0 is due now and shows `start_unix_ns`.
    pub(crate) fn new(fps: u32, start_unix_ns: u64) -> Self {
        Self {
            start: Instant::now(),
            start_unix_ns,
            fps,
        }
    }

    /// Nanoseconds from frame 0 to frame `index`.
    fn offset_ns(&self, index: u64) -> u64 {
        (u128::from(index) * 1_000_000_000 / u128::from(self.fps)) as u64
    }

    /// When frame `index` is due.
    pub(crate) fn due(&self, index: u64) -> Instant {
        self.start + Duration::from_nanos(self.offset_ns(index))
    }

    /// The last frame due at or before `at`.
    pub(crate) fn index_at(&self, at: Instant) -> u64 {
        let elapsed_ns = at.saturating_duration_since(self.start).as_nanos();
        (elapsed_ns * u128::from(self.fps) / 1_000_000_000) as u64
    }

    /// The wall-clock time frame `index` shows, in nanoseconds since the Unix epoch.
    pub(crate) fn unix_ns(&self, index: u64) -> u64 {
        self.start_unix_ns + self.offset_ns(index)
    }

    /// Frame `index`'s RTP timestamp before a session's random offset is added.
    pub(crate) fn rtp_time(&self, index: u64) -> u32 {
        let ticks = u128::from(index) * u128::from(CLOCK_RATE_HZ) / u128::from(self.fps);
        (ticks % (1u128 << 32)) as u32
    }
}

/// One encoded frame, ready to be sent by every session.
#[derive(Debug)]
pub(crate) struct EncodedFrame {
    /// Frame number since the camera started.
    pub(crate) index: u64,
    /// RTP time before a session's offset ([`FrameClock::rtp_time`]).
    pub(crate) rtp_time: u32,
    /// Wall-clock time the frame shows, in nanoseconds since the Unix epoch.
    pub(crate) unix_ns: u64,
    /// Whether the frame is an IDR (with SPS and PPS in front).
    pub(crate) is_idr: bool,
    /// RTP payloads in order; the last one carries the marker bit.
    pub(crate) payloads: Vec<Vec<u8>>,
}

/// What sessions need to know about a camera, and the sending end of its frames.
#[derive(Debug)]
pub(crate) struct Camera {
    /// 1-based number: the camera's path is `/cam{number}`.
    pub(crate) number: usize,
    /// Its name, shown on the pictures and in the session description.
    pub(crate) name: String,
    /// Its frame clock.
    pub(crate) clock: FrameClock,
    /// The SPS NAL unit.
    pub(crate) sps: Vec<u8>,
    /// The PPS NAL unit.
    pub(crate) pps: Vec<u8>,
    /// Frames per second.
    pub(crate) fps: u32,
    /// Frames per GOP.
    pub(crate) gop_frames: u32,
    /// Displayed size.
    pub(crate) width: u32,
    /// Displayed size.
    pub(crate) height: u32,
    frames: broadcast::Sender<Arc<EncodedFrame>>,
}

impl Camera {
    /// Subscribes to the camera's frames. Returns the receiver and the number of the first
    /// frame to send: the first frame of the next GOP that has not started yet, so every
    /// session begins with an IDR whose GOP the camera decided to produce after it joined.
    pub(crate) fn subscribe(&self) -> (broadcast::Receiver<Arc<EncodedFrame>>, u64) {
        let receiver = self.frames.subscribe();
        let gop = u64::from(self.gop_frames);
        let current = self.clock.index_at(Instant::now());
        (receiver, (current / gop + 1) * gop)
    }
}

/// The camera's painting and encoding state, moved to a blocking thread for each frame.
struct Work {
    painter: Painter,
    encoder: Encoder,
    picture: Planes,
}

impl Work {
    fn produce(&mut self, index: u64, unix_ns: u64, idr: bool) -> (bool, Vec<Vec<u8>>) {
        let unix_ms = i64::try_from(unix_ns / 1_000_000).unwrap_or(i64::MAX);
        self.painter.paint(&mut self.picture, index, unix_ms);
        let au = self.encoder.encode(&self.picture, idr);
        (au.is_idr, rtp::payloads(&au.nal_units, MAX_PAYLOAD_BYTES))
    }
}

/// Camera `number` (1-based) of a validated `config`, and the task that runs it until
/// `shutdown` changes or its sender is dropped.
pub(crate) fn start(
    number: usize,
    config: &SimCamConfig,
    shutdown: watch::Receiver<bool>,
) -> (Arc<Camera>, impl Future<Output = ()> + Send + 'static) {
    let name = camera_name(number);
    let width_mbs = u64::from(config.width.div_ceil(16));
    let height_mbs = u64::from(config.height.div_ceil(16));
    // Validation guarantees a level; 5.2 is the fallback that cannot be reached.
    let level = level_idc(width_mbs, height_mbs, u64::from(config.fps)).unwrap_or(52);
    let encoder = Encoder::new(config.width, config.height, config.fps, level);
    let painter = Painter::new(number, &name, config.width as usize, config.height as usize);
    let start_unix_ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    // Two seconds of frames: a session further behind than that starts again at an IDR.
    let capacity = (2 * config.fps as usize).max(16);
    let (frames, _) = broadcast::channel(capacity);
    let camera = Arc::new(Camera {
        number,
        name,
        clock: FrameClock::new(config.fps, start_unix_ns),
        sps: encoder.sps().to_vec(),
        pps: encoder.pps().to_vec(),
        fps: config.fps,
        gop_frames: config.gop_frames,
        width: config.width,
        height: config.height,
        frames,
    });
    let work = Work {
        picture: painter.blank(),
        painter,
        encoder,
    };
    (camera.clone(), run(camera, work, shutdown))
}

async fn run(camera: Arc<Camera>, mut work: Work, mut shutdown: watch::Receiver<bool>) {
    let gop_frames = u64::from(camera.gop_frames);
    let mut index = 0u64;
    let mut decided_gop = None;
    let mut producing = false;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(camera.clock.due(index)) => {}
            _ = shutdown.changed() => return,
        }
        let present = camera.clock.index_at(Instant::now());
        if present > index + 1 {
            tracing::debug!(
                camera = camera.number,
                skipped = present - index,
                "frames skipped"
            );
            index = present;
        }
        let gop = index / gop_frames;
        let starts_gop = decided_gop != Some(gop);
        if starts_gop {
            decided_gop = Some(gop);
            producing = camera.frames.receiver_count() > 0;
        }
        if producing {
            let unix_ns = camera.clock.unix_ns(index);
            let produced = tokio::task::spawn_blocking(move || {
                let result = work.produce(index, unix_ns, starts_gop);
                (work, result)
            })
            .await;
            let (is_idr, payloads) = match produced {
                Ok((returned, result)) => {
                    work = returned;
                    result
                }
                Err(error) => {
                    tracing::error!(camera = camera.number, %error, "simulated camera stopped");
                    return;
                }
            };
            // An error only means nobody is subscribed at the moment.
            let _ = camera.frames.send(Arc::new(EncodedFrame {
                index,
                rtp_time: camera.clock.rtp_time(index),
                unix_ns,
                is_idr,
                payloads,
            }));
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_clock_maps_frames_to_time_without_drift() {
        let clock = FrameClock::new(25, 1_000_000_000_000);
        assert_eq!(clock.rtp_time(1), 3_600);
        assert_eq!(clock.unix_ns(25), 1_001_000_000_000);
        assert_eq!(clock.due(250) - clock.due(0), Duration::from_secs(10));
        assert_eq!(clock.index_at(clock.due(1_000_000)), 1_000_000);
        assert_eq!(
            clock.index_at(clock.due(1_000_000) - Duration::from_nanos(1)),
            999_999
        );
        let thirty = FrameClock::new(30, 0);
        assert_eq!(thirty.rtp_time(3), 9_000);
        assert_eq!(
            thirty.due(30_000_000) - thirty.due(0),
            Duration::from_secs(1_000_000)
        );
        // RTP time wraps at 2^32 ticks (about 13 hours at 90 kHz).
        let wrap_frame = (1u64 << 32) / 3_600 + 1;
        assert_eq!(
            clock.rtp_time(wrap_frame),
            ((wrap_frame * 3_600) % (1 << 32)) as u32
        );
    }

    #[tokio::test]
    async fn frames_are_produced_only_for_subscribers_and_start_with_an_idr() {
        let config = SimCamConfig {
            cameras: 1,
            width: 160,
            height: 96,
            fps: 50,
            gop_frames: 5,
        };
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (camera, task) = start(1, &config, shutdown_rx);
        let task = tokio::spawn(task);
        let (mut frames, start_index) = camera.subscribe();
        assert_eq!(start_index % 5, 0);
        let mut received = Vec::new();
        while received.len() < 12 {
            let frame = frames.recv().await.expect("a frame");
            received.push((frame.index, frame.is_idr));
        }
        assert!(
            received[0].1,
            "the first frame produced after subscribing is an IDR"
        );
        for pair in received.windows(2) {
            assert_eq!(pair[1].0, pair[0].0 + 1, "frames are consecutive");
        }
        for (index, is_idr) in &received {
            assert_eq!(*is_idr, index % 5 == 0, "frame {index}");
        }
        shutdown_tx
            .send(true)
            .expect("the camera task is listening");
        task.await.expect("the camera task ends");
    }
}
