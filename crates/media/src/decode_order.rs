//! Decode times for a camera's frames. Frames arrive in decode order, each stamped with its
//! presentation time; B-frames put presentation times out of order, and MP4 needs each
//! sample's decode time too. The decode time of the n-th frame is the n-th smallest
//! presentation time, shifted back by how far the stream shows frames ahead of their turn;
//! so it is known once `depth` later frames have arrived.
//!
//! Invariants: frames leave in the order they came; decode times never decrease; every
//! frame's decode time is at or before its presentation time. With depth 0 (a stream that
//! cannot reorder, e.g. H.264 Baseline) frames leave at once with decode time = presentation
//! time. Used by the recorder and by live view, so both give the same times.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::mp4::TrackConfig;
use crate::rtsp::Frame;

/// How many frames are held back for a stream that may reorder: deeper reordering than this
/// is not used by cameras.
pub const REORDER_FRAMES: usize = 8;

/// Assigns decode times; see the module documentation.
#[derive(Debug)]
pub struct DecodeTimes {
    depth: usize,
    /// Frames waiting for their decode time, oldest first.
    pending: VecDeque<Frame>,
    /// Their presentation times, smallest first.
    pending_pts: BinaryHeap<Reverse<i64>>,
    /// How far decode times run behind presentation times, learned once per session.
    shift_90k: Option<i64>,
}

impl DecodeTimes {
    /// Holding back `depth` frames.
    pub fn new(depth: usize) -> Self {
        Self {
            depth,
            pending: VecDeque::new(),
            pending_pts: BinaryHeap::new(),
            shift_90k: None,
        }
    }

    /// For `track`: no delay when its parameter sets rule out reordering, otherwise
    /// [`REORDER_FRAMES`].
    pub fn for_track(track: &TrackConfig) -> Self {
        Self::new(if track.may_reorder() {
            REORDER_FRAMES
        } else {
            0
        })
    }

    /// How many frames are held back.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Takes the next frame; returns the oldest waiting frame with its decode time once it
    /// is known.
    pub fn push(&mut self, frame: Frame) -> Option<(Frame, i64)> {
        self.pending_pts.push(Reverse(frame.time_90k));
        self.pending.push_back(frame);
        if self.pending.len() > self.depth {
            self.release_one()
        } else {
            None
        }
    }

    /// The waiting frames with their decode times (the session ended or the configuration
    /// changed); the next frame starts learning afresh.
    pub fn drain(&mut self) -> Vec<(Frame, i64)> {
        let mut out = Vec::with_capacity(self.pending.len());
        while let Some(t) = self.release_one() {
            out.push(t);
        }
        self.shift_90k = None;
        out
    }

    fn release_one(&mut self) -> Option<(Frame, i64)> {
        let shift = match self.shift_90k {
            Some(s) => s,
            None => {
                // The furthest any frame at hand is shown before its turn in decode order.
                let pts: Vec<i64> = self.pending.iter().map(|f| f.time_90k).collect();
                let mut sorted = pts.clone();
                sorted.sort_unstable();
                let s = sorted
                    .iter()
                    .zip(&pts)
                    .map(|(s, p)| s - p)
                    .max()
                    .unwrap_or(0)
                    .max(0);
                self.shift_90k = Some(s);
                s
            }
        };
        let frame = self.pending.pop_front()?;
        let Reverse(smallest) = self.pending_pts.pop()?;
        Some((frame, smallest - shift))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(pts: i64, key: bool) -> Frame {
        Frame {
            data: Vec::new(),
            time_90k: pts,
            wall_unix_ms: 0,
            is_key: key,
        }
    }

    /// I P B B P B B, presentation order 0 3 1 2 6 4 5 (× 3600): decode times rise by one
    /// frame each, never after the presentation time, frames keep their order.
    #[test]
    fn b_frames_get_rising_decode_times_before_their_presentation() {
        let mut d = DecodeTimes::new(REORDER_FRAMES);
        let order = [0, 3, 1, 2, 6, 4, 5, 9, 7, 8];
        let mut out = Vec::new();
        for (i, p) in order.iter().enumerate() {
            out.extend(d.push(frame(p * 3600, i == 0)));
        }
        out.extend(d.drain());
        let pts: Vec<i64> = out.iter().map(|(f, _)| f.time_90k / 3600).collect();
        assert_eq!(pts, order);
        let dts: Vec<i64> = out.iter().map(|(_, t)| *t).collect();
        assert!(dts.windows(2).all(|w| w[1] > w[0]), "{dts:?}");
        assert!(out.iter().all(|(f, t)| *t <= f.time_90k));
    }

    /// A stream that cannot reorder passes straight through.
    #[test]
    fn depth_zero_releases_each_frame_at_once() {
        let mut d = DecodeTimes::new(0);
        let (f, dts) = d.push(frame(7200, true)).expect("at once");
        assert_eq!((f.time_90k, dts), (7200, 7200));
        assert!(d.drain().is_empty());
    }
}
