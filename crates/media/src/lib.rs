//! Media: RTSP camera sessions, segmenting into fragmented MP4, evidence packages and
//! redaction. No database access: this crate turns camera streams into bytes and bytes into
//! files, and the recorder in the `custos` binary hands the results to the store.
//!
//! [`mp4`] writes (and strictly reads back) the fragmented-MP4 layout that recordings are
//! stored in: one init segment per codec configuration, then one fragment per group of
//! pictures, with the camera's H.264 or H.265 data untouched.
//!
//! [`decode_order`] gives frames their decode times (B-frames), for the recorder and live
//! view alike.
//!
//! [`rtsp`] is a camera session: RTSP through `retina`, frames with wall-clock times.
//!
//! [`segfile`] is the encrypted file form footage is kept in on disk: records of
//! XChaCha20-Poly1305 ciphertext, one per fragment.
//!
//! [`still`] is one picture of recorded footage as a PNG, decoded by the `ffmpeg` program
//! run as a separate process, for video prints.
//!
//! [`simcam`] simulates cameras for trying and testing Custos: an RTSP server whose
//! cameras stream synthetic H.264 video with their name and a running clock on every frame.

pub mod decode_order;
pub mod mp4;
pub mod rtsp;
pub mod segfile;
pub mod simcam;
pub mod still;
