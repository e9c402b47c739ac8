//! Reading footage back (BJS-4): a camera stream's recorded range reassembled into one
//! playable fragmented-MP4 file — its init segment, then each fragment in the range, in
//! order — decrypted with the camera-day keys, each segment checked against the SHA-256 in
//! its index row before any of it is used.
//!
//! Invariants: nothing is transcoded; a fragment's decode time is rewritten to its
//! wall-clock offset from the start of the range, so gaps stay gaps and sessions that
//! restarted their RTP clocks still play in order; a range spanning a change of codec
//! configuration is refused with the time it changed, since one file has one configuration.

use std::path::Path;

use custos_domain::Ident;
use custos_media::mp4::reader::boxes;
use custos_media::segfile;

use crate::error::{StoreError, StoreResult};
use crate::store::Store;

/// A reassembled range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassembled {
    /// The MP4 file's bytes.
    pub mp4: Vec<u8>,
    /// Wall-clock start of the first fragment included.
    pub start_unix_ms: i64,
    /// Wall-clock end of the last fragment included.
    pub end_unix_ms: i64,
    /// Fragments included.
    pub fragments: usize,
    /// Frames included.
    pub frames: u64,
    /// The segment files used, in order.
    pub segments: Vec<String>,
}

/// Rewrites the `tfdt` base decode time of the fragment in `frag` (version 1).
pub(crate) fn set_base_decode_time(frag: &mut [u8], base_90k: u64) -> StoreResult<()> {
    let bad = |why: &str| StoreError::Corrupt(format!("a recorded fragment is malformed: {why}"));
    let mut at = None;
    for b in boxes(frag) {
        let b = b.map_err(|e| bad(&e.to_string()))?;
        if &b.fourcc.0 != b"moof" {
            continue;
        }
        for t in b.children() {
            let t = t.map_err(|e| bad(&e.to_string()))?;
            if &t.fourcc.0 != b"traf" {
                continue;
            }
            for d in t.children() {
                let d = d.map_err(|e| bad(&e.to_string()))?;
                if &d.fourcc.0 == b"tfdt" {
                    let version = d.payload().first().copied().unwrap_or(0);
                    at = Some((d.offset as usize + d.header_len + 4, version));
                }
            }
        }
    }
    match at {
        Some((o, 1)) if o + 8 <= frag.len() => {
            frag[o..o + 8].copy_from_slice(&base_90k.to_be_bytes());
            Ok(())
        }
        Some((o, 0)) if o + 4 <= frag.len() => {
            let v =
                u32::try_from(base_90k).map_err(|_| bad("decode time too large for tfdt v0"))?;
            frag[o..o + 4].copy_from_slice(&v.to_be_bytes());
            Ok(())
        }
        _ => Err(bad("no tfdt")),
    }
}

impl Store {
    /// The plaintext of the init segment `seg` needs, checked against its recorded SHA-256.
    async fn init_plaintext(
        &self,
        footage: &Path,
        camera: &Ident,
        seg: &crate::recordings::Segment,
    ) -> StoreResult<Vec<u8>> {
        Ok(self.init_bytes(footage, camera, &seg.init_id).await?.1)
    }

    /// The recorded footage of `camera`'s `stream` in `[from, to)`, as one MP4 file of
    /// every fragment (whole group of pictures) that starts in the range: it begins at the
    /// first key frame at or after `from` and ends with the last fragment starting before
    /// `to`.
    pub async fn reassemble(
        &self,
        footage: &Path,
        camera: &Ident,
        stream: &str,
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> StoreResult<Reassembled> {
        let segments = self
            .segments(Some(camera), Some(stream), from_unix_ms, to_unix_ms)
            .await?;
        let mut out = Reassembled {
            mp4: Vec::new(),
            start_unix_ms: 0,
            end_unix_ms: 0,
            fragments: 0,
            frames: 0,
            segments: Vec::new(),
        };
        let mut init_id: Option<String> = None;
        // Decode times as recorded (end of the last fragment placed) and as written.
        let mut prev_recorded_end: Option<u64> = None;
        let mut written_end: u64 = 0;
        for seg in &segments {
            let wanted: Vec<usize> = seg
                .fragments
                .iter()
                .enumerate()
                .filter(|(_, f)| f.start_unix_ms >= from_unix_ms && f.start_unix_ms < to_unix_ms)
                .map(|(i, _)| i)
                .collect();
            if wanted.is_empty() {
                continue;
            }
            match &init_id {
                None => {
                    let bytes = self.init_plaintext(footage, camera, seg).await?;
                    out.mp4 = bytes;
                    init_id = Some(seg.init_id.clone());
                }
                Some(id) if *id != seg.init_id => {
                    return Err(StoreError::Invalid(format!(
                        "the camera's video format changed at {}; ask for the footage before and after that time separately",
                        custos_base::UnixMs(seg.start_unix_ms).to_london_display()
                    )));
                }
                Some(_) => {}
            }
            let records = self.segment_records(footage, seg).await?;
            for i in wanted {
                let Some(rec) = records.get(i) else {
                    return Err(StoreError::Corrupt(format!(
                        "segment {} has fewer fragments than its index says",
                        seg.path
                    )));
                };
                if out.fragments == 0 {
                    out.start_unix_ms = rec.meta.start_unix_ms;
                }
                let mut frag = rec.plaintext.clone();
                let info = custos_media::mp4::fragments(&frag)
                    .next()
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(format!("segment {}: {e}", seg.path)))?
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("segment {}: an empty record", seg.path))
                    })?;
                // A fragment that follows the last one in the camera's own timeline keeps
                // its place after it; after a gap or a new session it goes where the wall
                // clock puts it (never before the end of the last).
                let base = if prev_recorded_end == Some(info.base_decode_time_90k) {
                    written_end
                } else {
                    let offset_ms =
                        u64::try_from(rec.meta.start_unix_ms - out.start_unix_ms).unwrap_or(0);
                    (offset_ms * 90).max(written_end)
                };
                set_base_decode_time(&mut frag, base)?;
                prev_recorded_end = Some(info.base_decode_time_90k + info.duration_90k);
                written_end = base + info.duration_90k;
                out.mp4.extend_from_slice(&frag);
                out.fragments += 1;
                out.frames += u64::from(rec.meta.frames);
                out.end_unix_ms = rec.meta.start_unix_ms + i64::from(rec.meta.duration_ms);
            }
            out.segments.push(seg.path.clone());
        }
        if out.fragments == 0 {
            return Err(StoreError::NotFound(format!(
                "camera {camera} has no recorded footage from {} to {}",
                custos_base::UnixMs(from_unix_ms).to_london_display(),
                custos_base::UnixMs(to_unix_ms).to_london_display()
            )));
        }
        Ok(out)
    }
}

/// One fragment's place in a playback file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybackPart {
    /// The segment file.
    pub path: String,
    /// The UK day whose key encrypts it.
    pub day: String,
    /// The record's number in the file.
    pub index: u64,
    /// Where the record starts in the file.
    pub file_offset: u64,
    /// Its plaintext length.
    pub len: u64,
    /// Where it goes in the playback file.
    pub out_offset: u64,
    /// The decode time it is given there (90 kHz).
    pub base_90k: u64,
    /// Wall-clock time of its first frame.
    pub start_unix_ms: i64,
}

/// A recorded range as one playable MP4 file laid out from the index alone, so any byte
/// range of it can be served by decrypting only the fragments it touches (review playback
/// with seeking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playback {
    /// The camera.
    pub camera: Ident,
    /// The init segment's plaintext (the file's first bytes).
    pub init: Vec<u8>,
    /// The fragments, in order.
    pub parts: Vec<PlaybackPart>,
    /// The file's length.
    pub len: u64,
    /// Wall-clock time of the first frame.
    pub start_unix_ms: i64,
    /// Wall-clock time after the last frame.
    pub end_unix_ms: i64,
}

impl Playback {
    /// `[start, end)` cut at the init segment's and each fragment's boundaries, so that
    /// the file can be sent a piece at a time with [`Store::read_playback`], holding one
    /// fragment in memory rather than the whole range.
    pub fn pieces(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let end = end.min(self.len);
        let mut cuts = vec![self.init.len() as u64];
        cuts.extend(self.parts.iter().map(|p| p.out_offset + p.len));
        let mut out = Vec::new();
        let mut at = start;
        for cut in cuts {
            if at >= end {
                break;
            }
            if cut > at {
                let to = cut.min(end);
                out.push((at, to));
                at = to;
            }
        }
        out
    }
}

impl Store {
    /// Lays out the playback file of `camera`'s `stream` for `[from, to)` (fragments that
    /// start in the range, as [`Store::reassemble`] takes them).
    pub async fn playback(
        &self,
        footage: &Path,
        camera: &Ident,
        stream: &str,
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> StoreResult<Playback> {
        let segments = self
            .segments(Some(camera), Some(stream), from_unix_ms, to_unix_ms)
            .await?;
        let mut out = Playback {
            camera: camera.clone(),
            init: Vec::new(),
            parts: Vec::new(),
            len: 0,
            start_unix_ms: 0,
            end_unix_ms: 0,
        };
        let mut init_id: Option<String> = None;
        let mut prev_recorded_end: Option<u64> = None;
        let mut written_end = 0u64;
        for seg in &segments {
            match &init_id {
                None => {
                    if !seg
                        .fragments
                        .iter()
                        .any(|f| f.start_unix_ms >= from_unix_ms && f.start_unix_ms < to_unix_ms)
                    {
                        continue;
                    }
                    out.init = self.init_plaintext(footage, camera, seg).await?;
                    out.len = out.init.len() as u64;
                    init_id = Some(seg.init_id.clone());
                }
                Some(id) if *id != seg.init_id => break,
                Some(_) => {}
            }
            for (i, f) in seg.fragments.iter().enumerate() {
                if f.start_unix_ms < from_unix_ms || f.start_unix_ms >= to_unix_ms {
                    continue;
                }
                if out.parts.is_empty() {
                    out.start_unix_ms = f.start_unix_ms;
                }
                let continues =
                    f.decode_duration_90k > 0 && prev_recorded_end == Some(f.decode_base_90k);
                let base = if continues {
                    written_end
                } else {
                    let offset_ms = u64::try_from(f.start_unix_ms - out.start_unix_ms).unwrap_or(0);
                    (offset_ms * 90).max(written_end)
                };
                let duration = if f.decode_duration_90k > 0 {
                    f.decode_duration_90k
                } else {
                    u64::from(f.frames) * 3600
                };
                out.parts.push(PlaybackPart {
                    path: seg.path.clone(),
                    day: seg.day.clone(),
                    index: i as u64,
                    file_offset: segfile::record_offset(i as u64, f.offset),
                    len: f.len,
                    out_offset: out.len,
                    base_90k: base,
                    start_unix_ms: f.start_unix_ms,
                });
                out.len += f.len;
                prev_recorded_end = Some(f.decode_base_90k + f.decode_duration_90k);
                written_end = base + duration;
                out.end_unix_ms = f.start_unix_ms + i64::try_from(duration / 90).unwrap_or(0);
            }
        }
        if out.parts.is_empty() {
            return Err(StoreError::NotFound(format!(
                "camera {camera} has no recorded footage from {} to {}",
                custos_base::UnixMs(from_unix_ms).to_london_display(),
                custos_base::UnixMs(to_unix_ms).to_london_display()
            )));
        }
        Ok(out)
    }

    /// Bytes `[start, end)` of a playback file, decrypting only the fragments they touch.
    pub async fn read_playback(
        &self,
        footage: &Path,
        playback: &Playback,
        start: u64,
        end: u64,
    ) -> StoreResult<Vec<u8>> {
        let end = end.min(playback.len);
        let mut out = Vec::with_capacity(usize::try_from(end.saturating_sub(start)).unwrap_or(0));
        let init_len = playback.init.len() as u64;
        if start < init_len {
            let a = usize::try_from(start).unwrap_or(0);
            let b = usize::try_from(end.min(init_len)).unwrap_or(0);
            out.extend_from_slice(&playback.init[a..b]);
        }
        let mut key: Option<(String, crate::secrets::SecretKey)> = None;
        for p in &playback.parts {
            let (p_start, p_end) = (p.out_offset, p.out_offset + p.len);
            if p_end <= start || p_start >= end {
                continue;
            }
            if key.as_ref().is_none_or(|(d, _)| *d != p.day) {
                key = Some((
                    p.day.clone(),
                    self.data_key(&playback.camera, &p.day).await?,
                ));
            }
            let Some((_, k)) = &key else { continue };
            let mut rec = segfile::read_record_at(
                &footage.join(&p.path),
                k.bytes(),
                p.index,
                p.file_offset,
                p.len,
            )
            .map_err(|e| StoreError::Corrupt(format!("segment {}: {e}", p.path)))?
            .plaintext;
            set_base_decode_time(&mut rec, p.base_90k)?;
            let a = usize::try_from(start.saturating_sub(p_start)).unwrap_or(0);
            let b = usize::try_from(end.min(p_end) - p_start).unwrap_or(0);
            out.extend_from_slice(&rec[a..b]);
        }
        Ok(out)
    }

    /// The camera's latest recorded keyframe as a one-picture MP4 (init segment and one
    /// fragment holding that frame alone), if it was recorded at or after
    /// `not_before_unix_ms`: a thumbnail of the camera as it is now. An older picture is
    /// not given, so that a thumbnail never shows the past (that needs a review with a
    /// reason). Returns the MP4 and the picture's wall-clock time.
    pub async fn latest_keyframe(
        &self,
        footage: &Path,
        camera: &Ident,
        not_before_unix_ms: i64,
    ) -> StoreResult<Option<(Vec<u8>, i64)>> {
        let now = self.clock().now().0;
        let segments = self
            .segments(Some(camera), Some("main"), not_before_unix_ms, now + 60_000)
            .await?;
        let Some((seg, (index, f))) = segments.iter().rev().find_map(|seg| {
            seg.fragments
                .iter()
                .enumerate()
                .rev()
                .find(|(_, f)| f.start_unix_ms >= not_before_unix_ms)
                .map(|found| (seg, found))
        }) else {
            return Ok(None);
        };
        let init = self.init_plaintext(footage, camera, seg).await?;
        let key = self.data_key(camera, &seg.day).await?;
        let record = segfile::read_record_at(
            &footage.join(&seg.path),
            key.bytes(),
            index as u64,
            segfile::record_offset(index as u64, f.offset),
            f.len,
        )
        .map_err(|e| StoreError::Corrupt(format!("segment {}: {e}", seg.path)))?
        .plaintext;
        let corrupt = |e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("segment {}: fragment {index}: {e}", seg.path))
        };
        let fragment = custos_media::mp4::reader::fragments(&record)
            .next()
            .ok_or_else(|| corrupt(&"no fragment"))?
            .map_err(|e| corrupt(&e))?;
        let Some(first) = fragment.samples.first().filter(|s| s.is_sync) else {
            return Err(corrupt(&"the fragment does not start with a keyframe"));
        };
        let start = usize::try_from(first.offset).map_err(|e| corrupt(&e))?;
        let data = record
            .get(start..start + first.len_bytes as usize)
            .ok_or_else(|| corrupt(&"a sample outside the fragment"))?;
        let mut b = custos_media::mp4::FragmentBuilder::new(1, 0);
        b.push(custos_media::mp4::Sample {
            data,
            duration_90k: Some(first.duration_90k.max(1)),
            is_sync: true,
            composition_offset_90k: 0,
        })
        .map_err(|e| corrupt(&e))?;
        let frag = b.finish().map_err(|e| corrupt(&e))?;
        let mut out = init;
        out.extend_from_slice(&frag.bytes);
        Ok(Some((out, f.start_unix_ms)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(out_offset: u64, len: u64) -> PlaybackPart {
        PlaybackPart {
            path: "p".into(),
            day: "d".into(),
            index: 0,
            file_offset: 0,
            len,
            out_offset,
            base_90k: 0,
            start_unix_ms: 0,
        }
    }

    /// A range is sent a fragment at a time: its pieces cover it exactly, each within one
    /// fragment (or the init segment), so no piece needs more than one fragment in memory.
    #[test]
    fn a_range_is_cut_at_fragment_boundaries() {
        let p = Playback {
            camera: Ident::parse("cam").expect("id"),
            init: vec![0; 10],
            parts: vec![part(10, 100), part(110, 50), part(160, 40)],
            len: 200,
            start_unix_ms: 0,
            end_unix_ms: 0,
        };
        assert_eq!(
            p.pieces(0, 200),
            vec![(0, 10), (10, 110), (110, 160), (160, 200)]
        );
        assert_eq!(p.pieces(5, 120), vec![(5, 10), (10, 110), (110, 120)]);
        assert_eq!(p.pieces(150, 155), vec![(150, 155)]);
        assert_eq!(p.pieces(190, 500), vec![(190, 200)]);
        assert!(p.pieces(200, 300).is_empty());
    }
}
