//! A streaming writer for POSIX ustar archives, the container an evidence package leaves
//! the building in: any `tar` (GNU, BSD, 7-Zip, Windows' built-in `tar.exe`) can unpack it
//! without Custos.
//!
//! The `tar` crate does the format: its ustar headers (`tar::Header::new_ustar`), path
//! splitting into `prefix` and `name`, checksums, padding and the end-of-archive blocks
//! (`tar::Builder`). This module decides what may go in and keeps the archive honest.
//!
//! Invariants:
//! - only regular files (mode 0644) and directories (mode 0755) are written, in plain ustar
//!   headers (no GNU or pax extension entries), owned by uid and gid 0 with no user or group
//!   names, so an archive says nothing about the machine it was made on beyond what the
//!   caller puts in it;
//! - every path is relative, '/'-separated, with no empty, "." or ".." component and no
//!   NUL byte, so extracting the archive cannot write outside the target directory;
//! - a path longer than 100 bytes is split at a '/' into the ustar `prefix` (at most 155
//!   bytes) and `name` (at most 100 bytes); a path that cannot be split so is refused, never
//!   truncated;
//! - a file is at most 8 GiB − 1 byte and a modification time at most 8^11 − 1 seconds:
//!   what the 11-digit octal fields hold. Larger values are refused rather than written in
//!   GNU tar's base-256 extension, which not every reader takes;
//! - a file is exactly as long as declared: its data is streamed from the reader (through
//!   the `tar` crate's copy buffer), never held whole;
//! - after any error the archive is incomplete: the writer refuses further entries, never
//!   writes the end-of-archive blocks (not even when dropped), and the output must be
//!   discarded.

use std::io::{self, Read, Write};

/// The largest value an 11-digit octal field holds: file sizes and modification times.
const MAX_OCTAL_11: u64 = 0o777_7777_7777;

/// The largest file an archive holds (8 GiB − 1 byte).
pub const MAX_FILE_LEN: u64 = MAX_OCTAL_11;

/// Why an archive could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The path is not a relative '/'-separated path the archive may hold.
    #[error(
        "cannot add {path:?} to the archive: {reason}; use a relative path of '/'-separated \
         names without empty, \".\" or \"..\" components"
    )]
    InvalidPath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The path does not fit the ustar name and prefix fields.
    #[error(
        "cannot add {path:?} to the archive: ustar holds a path only if it is at most 100 \
         bytes, or splits at a '/' into at most 155 bytes before and 100 bytes after; \
         shorten the path or its last component"
    )]
    PathTooLong {
        /// The path as given.
        path: String,
    },
    /// The file is larger than the ustar size field holds.
    #[error(
        "cannot add {path:?} to the archive: it is {len} bytes and ustar holds files of at most \
         {MAX_FILE_LEN} bytes (8 GiB − 1); split the file into smaller parts"
    )]
    TooLarge {
        /// The path as given.
        path: String,
        /// The declared length.
        len: u64,
    },
    /// The modification time does not fit the ustar mtime field.
    #[error(
        "cannot add {path:?} to the archive: its modification time {mtime_s} s is past what \
         ustar holds ({MAX_OCTAL_11} s after 1970, in the year 2242); pass the real time"
    )]
    MtimeOutOfRange {
        /// The path as given.
        path: String,
        /// The modification time given, in seconds since the epoch.
        mtime_s: u64,
    },
    /// The data ended before the declared length.
    #[error(
        "cannot add {path:?} to the archive: it was declared as {expected} bytes but its data \
         ended after {got}; the file probably changed while being archived, so build the \
         archive again"
    )]
    ShortData {
        /// The path as given.
        path: String,
        /// The declared length.
        expected: u64,
        /// How many bytes the data held.
        got: u64,
    },
    /// The data went on past the declared length.
    #[error(
        "cannot add {path:?} to the archive: it was declared as {expected} bytes but its data \
         holds more; the file probably grew while being archived, so build the archive again"
    )]
    LongData {
        /// The path as given.
        path: String,
        /// The declared length.
        expected: u64,
    },
    /// An earlier call failed, so the archive is incomplete.
    #[error(
        "the archive is incomplete because an earlier entry failed; discard its output and \
         build the archive again"
    )]
    Poisoned,
    /// Reading file data or writing the archive failed.
    #[error("reading file data or writing the archive failed: {0}; check the disk and try again")]
    Io(#[from] io::Error),
}

/// Writes a ustar archive to `W` one entry at a time (see the module documentation).
pub struct TarWriter<W: Write> {
    builder: tar::Builder<Gate<W>>,
    poisoned: bool,
}

impl<W: Write> TarWriter<W> {
    /// Starts an empty archive written to `out`.
    pub fn new(out: W) -> Self {
        TarWriter {
            builder: tar::Builder::new(Gate {
                inner: out,
                open: true,
            }),
            poisoned: false,
        }
    }

    /// Adds a regular file at `path` (relative, '/'-separated, no "..", no leading '/')
    /// with `len` bytes read from `data`; mode 0644, modification time `mtime_s` (seconds
    /// since the epoch). Errors if `data` yields fewer or more than `len` bytes.
    pub fn append_file(
        &mut self,
        path: &str,
        len: u64,
        mtime_s: u64,
        data: &mut impl Read,
    ) -> Result<(), ArchiveError> {
        self.guard(|builder| {
            check_path(path, path)?;
            if len > MAX_FILE_LEN {
                return Err(ArchiveError::TooLarge {
                    path: path.to_owned(),
                    len,
                });
            }
            let header = header(path, path, 0o644, len, mtime_s, tar::EntryType::Regular)?;
            let mut exact = Exact {
                inner: &mut *data,
                remaining_bytes: len,
                short: false,
            };
            if let Err(e) = builder.append(&header, &mut exact) {
                return Err(if exact.short {
                    ArchiveError::ShortData {
                        path: path.to_owned(),
                        expected: len,
                        got: len - exact.remaining_bytes,
                    }
                } else {
                    ArchiveError::Io(e)
                });
            }
            if read_retrying(data, &mut [0u8; 1])? != 0 {
                return Err(ArchiveError::LongData {
                    path: path.to_owned(),
                    expected: len,
                });
            }
            Ok(())
        })
    }

    /// Adds a directory entry at `path` (mode 0755). A trailing '/' is optional.
    pub fn append_dir(&mut self, path: &str, mtime_s: u64) -> Result<(), ArchiveError> {
        self.guard(|builder| {
            let trimmed = path.strip_suffix('/').unwrap_or(path);
            check_path(path, trimmed)?;
            let with_slash = format!("{trimmed}/");
            let header = header(
                path,
                &with_slash,
                0o755,
                0,
                mtime_s,
                tar::EntryType::Directory,
            )?;
            builder.append(&header, io::empty())?;
            Ok(())
        })
    }

    /// Writes the two zero blocks that end the archive and returns the writer.
    pub fn finish(mut self) -> Result<W, ArchiveError> {
        if self.poisoned {
            return Err(ArchiveError::Poisoned);
        }
        self.builder.finish()?;
        let mut gate = self.builder.into_inner()?;
        gate.inner.flush()?;
        Ok(gate.inner)
    }

    /// Runs one entry's work, marking the writer unusable (and closing the output to the
    /// `tar` crate) if it fails.
    fn guard(
        &mut self,
        work: impl FnOnce(&mut tar::Builder<Gate<W>>) -> Result<(), ArchiveError>,
    ) -> Result<(), ArchiveError> {
        if self.poisoned {
            return Err(ArchiveError::Poisoned);
        }
        let result = work(&mut self.builder);
        if result.is_err() {
            self.poisoned = true;
            self.builder.get_mut().open = false;
        }
        result
    }
}

/// The output as the `tar` crate sees it: closed once an entry fails, so that nothing more
/// reaches the real writer — in particular not the end-of-archive blocks that
/// `tar::Builder` writes when it is dropped, which would make an incomplete archive look
/// complete.
struct Gate<W> {
    inner: W,
    open: bool,
}

impl<W: Write> Write for Gate<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.open {
            return Err(io::Error::other(ArchiveError::Poisoned));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A file's data as handed to the `tar` crate: at most the declared length, and an error
/// (noted in `short`) if the data ends before it, so an entry is never silently short.
struct Exact<'a, R> {
    inner: &'a mut R,
    remaining_bytes: u64,
    short: bool,
}

impl<R: Read> Read for Exact<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining_bytes == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = usize::try_from(self.remaining_bytes).map_or(buf.len(), |r| r.min(buf.len()));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            self.short = true;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file's data ended before its declared length",
            ));
        }
        self.remaining_bytes -= n as u64;
        Ok(n)
    }
}

/// Reads once into `buf`, retrying reads that were interrupted.
fn read_retrying(data: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match data.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Checks that `path` (reported as `shown`) is a safe relative path.
fn check_path(shown: &str, path: &str) -> Result<(), ArchiveError> {
    let invalid = |reason| {
        Err(ArchiveError::InvalidPath {
            path: shown.to_owned(),
            reason,
        })
    };
    if path.is_empty() {
        return invalid("the path is empty");
    }
    if path.starts_with('/') {
        return invalid("the path is absolute");
    }
    if path.contains('\0') {
        return invalid("the path contains a NUL byte");
    }
    for component in path.split('/') {
        match component {
            "" => return invalid("the path has an empty component"),
            "." | ".." => return invalid("the path has a \".\" or \"..\" component"),
            _ => {}
        }
    }
    Ok(())
}

/// Builds the ustar header of an entry stored under `stored` (reported as `shown`), with
/// its checksum set. `stored` has passed [`check_path`].
fn header(
    shown: &str,
    stored: &str,
    mode: u32,
    len: u64,
    mtime_s: u64,
    kind: tar::EntryType,
) -> Result<tar::Header, ArchiveError> {
    if mtime_s > MAX_OCTAL_11 {
        return Err(ArchiveError::MtimeOutOfRange {
            path: shown.to_owned(),
            mtime_s,
        });
    }
    let mut h = tar::Header::new_ustar();
    // A checked path can only fail to fit the name and prefix fields.
    h.set_path(stored).map_err(|_| ArchiveError::PathTooLong {
        path: shown.to_owned(),
    })?;
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_size(len);
    h.set_mtime(mtime_s);
    h.set_device_major(0)?;
    h.set_device_minor(0)?;
    h.set_cksum();
    Ok(h)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const BLOCK: usize = 512;

    fn octal_field(field: &[u8]) -> u64 {
        let text = std::str::from_utf8(field).unwrap();
        u64::from_str_radix(text.trim_matches(|c| c == '\0' || c == ' '), 8).unwrap()
    }

    /// The header block of a one-entry archive holding an empty file at `path`.
    fn header_of(path: &str) -> [u8; BLOCK] {
        let mut tar = TarWriter::new(Vec::new());
        tar.append_file(path, 0, 0, &mut io::empty()).unwrap();
        let bytes = tar.finish().unwrap();
        bytes[..BLOCK].try_into().unwrap()
    }

    /// The header's `prefix` and `name` fields, without their NUL padding.
    fn prefix_and_name(h: &[u8; BLOCK]) -> (String, String) {
        let text = |field: &[u8]| {
            let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
            String::from_utf8(field[..end].to_vec()).unwrap()
        };
        (text(&h[345..500]), text(&h[..100]))
    }

    #[test]
    fn checksum_is_the_byte_sum_with_the_field_as_spaces() {
        let mut tar = TarWriter::new(Vec::new());
        tar.append_file("a.txt", 5, 1_700_000_000, &mut &b"hello"[..])
            .unwrap();
        let bytes = tar.finish().unwrap();
        let h: [u8; BLOCK] = bytes[..BLOCK].try_into().unwrap();
        let stored = octal_field(&h[148..156]);
        let mut blanked = h;
        blanked[148..156].fill(b' ');
        let sum: u64 = blanked.iter().map(|&b| u64::from(b)).sum();
        assert_eq!(stored, sum);
        assert_eq!(octal_field(&h[124..136]), 5);
        assert_eq!(octal_field(&h[136..148]), 1_700_000_000);
        assert_eq!(octal_field(&h[100..108]), 0o644);
        assert_eq!(octal_field(&h[108..116]), 0, "uid");
        assert_eq!(octal_field(&h[116..124]), 0, "gid");
        assert_eq!(h[156], b'0');
        assert_eq!(&h[257..265], b"ustar\x0000");
        // No user or group names.
        assert!(h[265..329].iter().all(|&b| b == 0));
    }

    #[test]
    fn checksum_matches_a_known_header() {
        // An empty file "x" with every numeric field zero: 'x' + the octal zeros of mode,
        // uid, gid, size, mtime, devmajor, devminor + eight spaces + '0' + "ustar\0" + "00".
        let h = header("x", "x", 0, 0, 0, tar::EntryType::Regular).unwrap();
        let h = h.as_bytes();
        let zeros = u64::from(b'0') * (7 * 3 + 11 * 2 + 7 * 2);
        let expected = u64::from(b'x')
            + zeros
            + 8 * u64::from(b' ')
            + u64::from(b'0')
            + b"ustar00".iter().map(|&b| u64::from(b)).sum::<u64>();
        assert_eq!(octal_field(&h[148..156]), expected);
    }

    #[test]
    fn short_paths_stay_in_the_name_field() {
        assert_eq!(
            prefix_and_name(&header_of("a/b.txt")),
            (String::new(), "a/b.txt".to_owned())
        );
        let hundred = "x".repeat(100);
        assert_eq!(
            prefix_and_name(&header_of(&hundred)),
            (String::new(), hundred)
        );
    }

    #[test]
    fn long_paths_split_at_a_slash_into_prefix_and_name() {
        let dir = "d".repeat(40);
        let file = "f".repeat(60);
        let path = format!("{dir}/{dir}/{file}");
        let (prefix, name) = prefix_and_name(&header_of(&path));
        assert!(prefix.len() <= 155 && name.len() <= 100, "{prefix} {name}");
        assert_eq!(format!("{prefix}/{name}"), path);
        // The longest that fits: 155 bytes of prefix and 100 of name.
        let path = format!("{}/{}", "p".repeat(155), "n".repeat(100));
        let (prefix, name) = prefix_and_name(&header_of(&path));
        assert_eq!((prefix.len(), name.len()), (155, 100));
    }

    #[test]
    fn paths_that_cannot_split_are_refused() {
        for long in [
            // No slash at all.
            "x".repeat(101),
            // The last component alone is over 100 bytes.
            format!("a/{}", "x".repeat(101)),
            // The prefix would be over 155 bytes.
            format!("{}/{}", "p".repeat(156), "n".repeat(10)),
        ] {
            let mut tar = TarWriter::new(Vec::new());
            let err = tar.append_file(&long, 0, 0, &mut io::empty()).unwrap_err();
            assert!(matches!(err, ArchiveError::PathTooLong { ref path } if *path == long));
            assert!(err.to_string().contains(&long));
            // Nothing was written for it, and nothing will be.
            assert!(tar.builder.get_ref().inner.is_empty());
        }
        let mut tar = TarWriter::new(Vec::new());
        let err = tar
            .append_dir(&format!("{}/", "d".repeat(100)), 0)
            .unwrap_err();
        assert!(matches!(err, ArchiveError::PathTooLong { .. }), "{err}");
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for path in [
            "",
            "/etc/passwd",
            "a/../b",
            "..",
            "./a",
            "a//b",
            "a/",
            "a\0b",
        ] {
            let mut tar = TarWriter::new(Vec::new());
            let err = tar.append_file(path, 0, 0, &mut io::empty()).unwrap_err();
            assert!(
                matches!(err, ArchiveError::InvalidPath { .. }),
                "{path:?}: {err}"
            );
        }
        for path in ["", "/", "a/..", "./", "a//"] {
            let mut tar = TarWriter::new(Vec::new());
            let err = tar.append_dir(path, 0).unwrap_err();
            assert!(
                matches!(err, ArchiveError::InvalidPath { .. }),
                "{path:?}: {err}"
            );
        }
    }

    #[test]
    fn data_must_match_the_declared_length() {
        let mut tar = TarWriter::new(Vec::new());
        let err = tar.append_file("a", 5, 0, &mut &b"abc"[..]).unwrap_err();
        assert!(matches!(
            err,
            ArchiveError::ShortData {
                expected: 5,
                got: 3,
                ..
            }
        ));
        // The archive is incomplete from then on.
        assert!(matches!(
            tar.append_dir("d", 0).unwrap_err(),
            ArchiveError::Poisoned
        ));
        assert!(matches!(tar.finish().unwrap_err(), ArchiveError::Poisoned));

        let mut tar = TarWriter::new(Vec::new());
        let err = tar.append_file("a", 2, 0, &mut &b"abc"[..]).unwrap_err();
        assert!(matches!(err, ArchiveError::LongData { expected: 2, .. }));

        // Data that arrives in dribs and drabs is still whole.
        struct Dribble<'a>(&'a [u8]);
        impl Read for Dribble<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(7);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let data: Vec<u8> = (0..=255).cycle().take(3000).collect();
        let mut tar = TarWriter::new(Vec::new());
        tar.append_file("d", 3000, 0, &mut Dribble(&data)).unwrap();
        let bytes = tar.finish().unwrap();
        assert_eq!(&bytes[BLOCK..BLOCK + 3000], &data[..]);
    }

    #[test]
    fn a_failed_archive_is_never_terminated() {
        // Dropped after an error: the end-of-archive blocks must not be written, or the
        // output would look like a complete (shorter) archive.
        let mut out = Vec::new();
        {
            let mut tar = TarWriter::new(&mut out);
            tar.append_file("a", 3, 0, &mut &b"abc"[..]).unwrap();
            tar.append_file("b", 5, 0, &mut &b"ab"[..]).unwrap_err();
        }
        // a's header and padded data, b's header and the two bytes it had; no padding, no
        // end-of-archive blocks.
        assert_eq!(out.len(), 2 * BLOCK + BLOCK + 2);
        // Dropped without an error, like `tar::Builder`: terminated.
        let mut out = Vec::new();
        drop(TarWriter::new(&mut out));
        assert_eq!(out, vec![0; 2 * BLOCK]);
    }

    #[test]
    fn sizes_and_times_beyond_the_octal_fields_are_refused() {
        let mut tar = TarWriter::new(Vec::new());
        let err = tar
            .append_file("big", MAX_FILE_LEN + 1, 0, &mut io::empty())
            .unwrap_err();
        assert!(matches!(err, ArchiveError::TooLarge { len, .. } if len == MAX_FILE_LEN + 1));
        assert!(tar.builder.get_ref().inner.is_empty());
        // The largest size is written in octal, not in GNU tar's base-256 extension.
        let h = header(
            "big",
            "big",
            0o644,
            MAX_FILE_LEN,
            0,
            tar::EntryType::Regular,
        )
        .unwrap();
        assert_eq!(&h.as_bytes()[124..136], b"77777777777\0");
        assert_eq!(h.size().unwrap(), MAX_FILE_LEN);
        let h = header("t", "t", 0o644, 0, MAX_OCTAL_11, tar::EntryType::Regular).unwrap();
        assert_eq!(&h.as_bytes()[136..148], b"77777777777\0");

        let mut tar = TarWriter::new(Vec::new());
        let err = tar.append_dir("d", MAX_OCTAL_11 + 1).unwrap_err();
        assert!(matches!(err, ArchiveError::MtimeOutOfRange { .. }));
    }

    #[test]
    fn layout_is_headers_padded_data_and_two_zero_blocks() {
        let mut tar = TarWriter::new(Vec::new());
        tar.append_dir("d/", 0).unwrap();
        tar.append_file("d/a", 3, 0, &mut &b"abc"[..]).unwrap();
        let bytes = tar.finish().unwrap();
        assert_eq!(bytes.len(), 512 * 5);
        assert_eq!(&bytes[..3], b"d/\0");
        assert_eq!(bytes[156], b'5');
        assert_eq!(octal_field(&bytes[100..108]), 0o755);
        assert_eq!(&bytes[512..516], b"d/a\0");
        assert_eq!(&bytes[1024..1027], b"abc");
        assert!(bytes[1027..].iter().all(|&b| b == 0));
    }

    #[test]
    fn the_tar_crate_reads_back_what_was_written() {
        let long = format!("{}/{}/file.bin", "a".repeat(90), "b".repeat(60));
        let data: Vec<u8> = (0..=255).cycle().take(70_000).collect();
        let mut tar = TarWriter::new(Vec::new());
        tar.append_dir("pkg", 1_700_000_000).unwrap();
        tar.append_file(&long, data.len() as u64, 1_700_000_001, &mut &data[..])
            .unwrap();
        let bytes = tar.finish().unwrap();

        let mut archive = tar::Archive::new(&bytes[..]);
        let mut entries = archive.entries().unwrap();
        let dir = entries.next().unwrap().unwrap();
        assert_eq!(dir.path_bytes().as_ref(), b"pkg/");
        assert_eq!(dir.header().entry_type(), tar::EntryType::Directory);
        assert_eq!(dir.header().mtime().unwrap(), 1_700_000_000);
        let mut file = entries.next().unwrap().unwrap();
        assert_eq!(file.path_bytes().as_ref(), long.as_bytes());
        assert_eq!(file.header().mode().unwrap(), 0o644);
        let mut back = Vec::new();
        file.read_to_end(&mut back).unwrap();
        assert!(back == data);
        drop(file);
        assert!(entries.next().is_none());
    }
}
