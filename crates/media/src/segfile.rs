//! Encrypted footage files (BJS-6, SCC-9): the on-disk form of initialisation segments and
//! media segments. Files hold ciphertext only; the byte layout is documented in
//! `docs/ref/storage.md`.
//!
//! Layout: a 32-byte header — magic `CUSTSEG1`, a kind byte (1 init, 2 media), 7 zero
//! bytes, a random 16-byte nonce prefix — then records. A record is a 24-byte clear
//! header — plaintext length (u32), wall-clock start of the record's first frame in ms
//! (i64), frames (u32), duration in ms (u32), 4 zero bytes — then the XChaCha20-Poly1305
//! ciphertext of the plaintext with its 16-byte tag. The nonce of record i is the prefix
//! followed by i as a big-endian u64; the associated data is the file header, i, and the
//! record header. So records cannot be reordered, moved between files, or have their
//! times changed without failing to open, and a file copied without its key reveals only
//! how long and when.
//!
//! Invariants: [`SegmentWriter`] appends each record at the end of the file and can flush it
//! to disk ([`SegmentWriter::sync`]); [`read_records`] stops at a record cut short by a crash
//! and reports where the file's whole records end, so recovery can truncate it there; a
//! record that does not authenticate is an error, never skipped.

use std::io::{Read, Write};

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// The file's first eight bytes.
pub const MAGIC: &[u8; 8] = b"CUSTSEG1";
/// Bytes in the file header.
pub const HEADER_BYTES: usize = 32;
/// Bytes in a record's clear header.
pub const RECORD_HEADER_BYTES: usize = 24;
/// Bytes of authentication tag after each record's ciphertext.
pub const TAG_BYTES: usize = 16;
/// The largest record accepted when reading (a fragment of a very high bitrate camera with
/// a long GOP is well under this).
pub const MAX_RECORD_BYTES: u32 = 256 * 1024 * 1024;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// One record: an initialisation segment.
    Init = 1,
    /// Records of media fragments.
    Media = 2,
}

/// A record's clear metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordMeta {
    /// Wall-clock time of the first frame (ms since the epoch).
    pub start_unix_ms: i64,
    /// Frames in the record.
    pub frames: u32,
    /// Its duration in ms.
    pub duration_ms: u32,
}

/// Why a footage file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SegFileError {
    /// The file system failed.
    #[error("{doing}: {source}")]
    Io {
        /// What was being done.
        doing: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a Custos footage file.
    #[error("not a Custos footage file (its header is wrong)")]
    NotFootage,
    /// A record failed authentication: the wrong key, or the file was changed.
    #[error(
        "record {index} at byte {offset} does not decrypt: the file was changed after it was written, or this is not its key"
    )]
    Tampered {
        /// The record's number.
        index: u64,
        /// Where it starts.
        offset: u64,
    },
    /// No randomness for the nonce prefix.
    #[error("no randomness for a new file: {0}")]
    Random(String),
    /// A record is too large.
    #[error("a record of {0} bytes is larger than a footage file allows")]
    TooLarge(usize),
}

fn io(doing: impl Into<String>) -> impl FnOnce(std::io::Error) -> SegFileError {
    let doing = doing.into();
    move |source| SegFileError::Io { doing, source }
}

fn nonce(prefix: &[u8; 16], index: u64) -> XNonce {
    let mut n = [0u8; 24];
    n[..16].copy_from_slice(prefix);
    n[16..].copy_from_slice(&index.to_be_bytes());
    XNonce::from(n)
}

fn aad(
    header: &[u8; HEADER_BYTES],
    index: u64,
    record_header: &[u8; RECORD_HEADER_BYTES],
) -> Vec<u8> {
    let mut a = Vec::with_capacity(HEADER_BYTES + 8 + RECORD_HEADER_BYTES);
    a.extend_from_slice(header);
    a.extend_from_slice(&index.to_be_bytes());
    a.extend_from_slice(record_header);
    a
}

fn record_header(len: u32, meta: &RecordMeta) -> [u8; RECORD_HEADER_BYTES] {
    let mut h = [0u8; RECORD_HEADER_BYTES];
    h[0..4].copy_from_slice(&len.to_be_bytes());
    h[4..12].copy_from_slice(&meta.start_unix_ms.to_be_bytes());
    h[12..16].copy_from_slice(&meta.frames.to_be_bytes());
    h[16..20].copy_from_slice(&meta.duration_ms.to_be_bytes());
    h
}

/// Writes one encrypted footage file, record by record.
pub struct SegmentWriter {
    file: std::fs::File,
    cipher: XChaCha20Poly1305,
    header: [u8; HEADER_BYTES],
    prefix: [u8; 16],
    next_index: u64,
    /// Bytes written so far, header included.
    bytes_on_disk: u64,
    buf: Vec<u8>,
}

impl std::fmt::Debug for SegmentWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentWriter")
            .field("records", &self.next_index)
            .field("bytes_on_disk", &self.bytes_on_disk)
            .finish()
    }
}

impl SegmentWriter {
    /// Creates `path` (which must not exist) for a file of `kind` encrypted with `key`.
    pub fn create(
        path: &std::path::Path,
        kind: FileKind,
        key: &[u8; 32],
    ) -> Result<Self, SegFileError> {
        let mut prefix = [0u8; 16];
        getrandom::fill(&mut prefix).map_err(|e| SegFileError::Random(e.to_string()))?;
        let mut header = [0u8; HEADER_BYTES];
        header[..8].copy_from_slice(MAGIC);
        header[8] = kind as u8;
        header[16..].copy_from_slice(&prefix);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(io(format!("cannot create {}", path.display())))?;
        file.write_all(&header)
            .map_err(io(format!("cannot write {}", path.display())))?;
        Ok(Self {
            file,
            cipher: XChaCha20Poly1305::new(key.into()),
            header,
            prefix,
            next_index: 0,
            bytes_on_disk: HEADER_BYTES as u64,
            buf: Vec::new(),
        })
    }

    /// Encrypts and appends one record (one write). Returns the record's number.
    pub fn append(&mut self, plaintext: &[u8], meta: &RecordMeta) -> Result<u64, SegFileError> {
        let mut data = std::mem::take(&mut self.buf);
        data.clear();
        data.extend_from_slice(plaintext);
        let result = self.append_in_place(&mut data, meta);
        self.buf = data;
        result
    }

    /// Encrypts `data` in place and appends it as one record, without copying it: for
    /// fragments of a megabyte or more, this keeps one copy of each in memory, not two.
    /// Afterwards `data` holds ciphertext. Returns the record's number.
    pub fn append_in_place(
        &mut self,
        data: &mut [u8],
        meta: &RecordMeta,
    ) -> Result<u64, SegFileError> {
        let len = u32::try_from(data.len())
            .ok()
            .filter(|l| *l <= MAX_RECORD_BYTES)
            .ok_or(SegFileError::TooLarge(data.len()))?;
        let index = self.next_index;
        let rh = record_header(len, meta);
        let tag = self
            .cipher
            .encrypt_in_place_detached(
                &nonce(&self.prefix, index),
                &aad(&self.header, index, &rh),
                data,
            )
            .map_err(|_| SegFileError::TooLarge(data.len()))?;
        // Three writes: a crash between them leaves a record cut short, which readers stop
        // before (and recovery cuts off).
        self.file
            .write_all(&rh)
            .and_then(|()| self.file.write_all(data))
            .and_then(|()| self.file.write_all(&tag))
            .map_err(io("cannot write a footage record"))?;
        self.next_index += 1;
        self.bytes_on_disk += (RECORD_HEADER_BYTES + data.len() + TAG_BYTES) as u64;
        Ok(index)
    }

    /// Flushes what was written to the disk itself (`fdatasync`).
    pub fn sync(&mut self) -> Result<(), SegFileError> {
        self.file
            .sync_data()
            .map_err(io("cannot flush a footage file to disk"))
    }

    /// Records written.
    pub fn records(&self) -> u64 {
        self.next_index
    }

    /// Bytes in the file so far.
    pub fn bytes_on_disk(&self) -> u64 {
        self.bytes_on_disk
    }
}

/// A record read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its number.
    pub index: u64,
    /// Its clear metadata.
    pub meta: RecordMeta,
    /// The decrypted bytes.
    pub plaintext: Vec<u8>,
}

/// What a file holds, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileContents {
    /// Its kind.
    pub kind: FileKind,
    /// Its whole records, in order.
    pub records: Vec<Record>,
    /// Where the whole records end; less than the file's length if the last record was cut
    /// short (a crash while writing it).
    pub whole_bytes: u64,
    /// The file's length.
    pub file_bytes: u64,
}

/// Where record `index` starts in its file, given the plaintext bytes of the records before
/// it.
pub fn record_offset(index: u64, plaintext_before: u64) -> u64 {
    HEADER_BYTES as u64 + index * (RECORD_HEADER_BYTES + TAG_BYTES) as u64 + plaintext_before
}

/// Reads and decrypts one record of a file (for serving part of a recording without
/// reading the rest): record `index`, which starts at byte `offset` and holds
/// `plaintext_len` bytes of plaintext.
pub fn read_record_at(
    path: &std::path::Path,
    key: &[u8; 32],
    index: u64,
    offset: u64,
    plaintext_len: u64,
) -> Result<Record, SegFileError> {
    use std::io::Seek as _;
    let mut f = std::fs::File::open(path).map_err(io(format!("cannot read {}", path.display())))?;
    let mut header = [0u8; HEADER_BYTES];
    f.read_exact(&mut header)
        .map_err(io(format!("cannot read {}", path.display())))?;
    if &header[..8] != MAGIC {
        return Err(SegFileError::NotFootage);
    }
    let len = usize::try_from(plaintext_len).map_err(|_| SegFileError::TooLarge(usize::MAX))?;
    let mut rec = vec![0u8; RECORD_HEADER_BYTES + len + TAG_BYTES];
    f.seek(std::io::SeekFrom::Start(offset))
        .and_then(|_| f.read_exact(&mut rec))
        .map_err(io(format!(
            "cannot read record {index} of {}",
            path.display()
        )))?;
    let mut rh = [0u8; RECORD_HEADER_BYTES];
    rh.copy_from_slice(&rec[..RECORD_HEADER_BYTES]);
    if u64::from(u32::from_be_bytes([rh[0], rh[1], rh[2], rh[3]])) != plaintext_len {
        return Err(SegFileError::Tampered { index, offset });
    }
    open_record(
        &XChaCha20Poly1305::new(key.into()),
        &header,
        index,
        offset,
        &rh,
        &rec[RECORD_HEADER_BYTES..],
    )
}

/// Decrypts record `index` of the file whose header is `header`: `rh` is its clear header,
/// `body` its ciphertext followed by the tag (the plaintext length is in `rh`).
fn open_record(
    cipher: &XChaCha20Poly1305,
    header: &[u8; HEADER_BYTES],
    index: u64,
    offset: u64,
    rh: &[u8; RECORD_HEADER_BYTES],
    body: &[u8],
) -> Result<Record, SegFileError> {
    let tampered = || SegFileError::Tampered { index, offset };
    let len = u32::from_be_bytes([rh[0], rh[1], rh[2], rh[3]]) as usize;
    if body.len() != len + TAG_BYTES {
        return Err(tampered());
    }
    let mut prefix = [0u8; 16];
    prefix.copy_from_slice(&header[16..]);
    let mut tag = [0u8; TAG_BYTES];
    tag.copy_from_slice(&body[len..]);
    let mut plaintext = body[..len].to_vec();
    cipher
        .decrypt_in_place_detached(
            &nonce(&prefix, index),
            &aad(header, index, rh),
            &mut plaintext,
            &chacha20poly1305::Tag::from(tag),
        )
        .map_err(|_| tampered())?;
    let i64_at = |o: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&rh[o..o + 8]);
        i64::from_be_bytes(b)
    };
    let u32_at = |o: usize| u32::from_be_bytes([rh[o], rh[o + 1], rh[o + 2], rh[o + 3]]);
    Ok(Record {
        index,
        meta: RecordMeta {
            start_unix_ms: i64_at(4),
            frames: u32_at(12),
            duration_ms: u32_at(16),
        },
        plaintext,
    })
}

/// Reads and decrypts a whole footage file.
pub fn read_records(path: &std::path::Path, key: &[u8; 32]) -> Result<FileContents, SegFileError> {
    let mut data = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut data))
        .map_err(io(format!("cannot read {}", path.display())))?;
    decrypt_file(&data, key)
}

/// Decrypts the bytes of a footage file.
pub fn decrypt_file(data: &[u8], key: &[u8; 32]) -> Result<FileContents, SegFileError> {
    if data.len() < HEADER_BYTES || &data[..8] != MAGIC {
        return Err(SegFileError::NotFootage);
    }
    let mut header = [0u8; HEADER_BYTES];
    header.copy_from_slice(&data[..HEADER_BYTES]);
    let kind = match header[8] {
        1 => FileKind::Init,
        2 => FileKind::Media,
        _ => return Err(SegFileError::NotFootage),
    };
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut records = Vec::new();
    let mut at = HEADER_BYTES;
    let mut index = 0u64;
    while let Some(rh_bytes) = data.get(at..at + RECORD_HEADER_BYTES) {
        let mut rh = [0u8; RECORD_HEADER_BYTES];
        rh.copy_from_slice(rh_bytes);
        let len = u32::from_be_bytes([rh[0], rh[1], rh[2], rh[3]]);
        if len > MAX_RECORD_BYTES {
            return Err(SegFileError::Tampered {
                index,
                offset: at as u64,
            });
        }
        let body_start = at + RECORD_HEADER_BYTES;
        let body_end = body_start + len as usize;
        let Some(body) = data.get(body_start..body_end + TAG_BYTES) else {
            break;
        };
        records.push(open_record(&cipher, &header, index, at as u64, &rh, body)?);
        index += 1;
        at = body_end + TAG_BYTES;
    }
    Ok(FileContents {
        kind,
        records,
        whole_bytes: at as u64,
        file_bytes: data.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(i: i64) -> RecordMeta {
        RecordMeta {
            start_unix_ms: 1_795_435_200_000 + i * 2000,
            frames: 50,
            duration_ms: 2000,
        }
    }

    /// BJS-6, SCC-9: records round-trip with the key; the file holds no plaintext; a wrong
    /// key, a changed byte, swapped records or a changed time fail; a record cut short by a
    /// crash is reported, with where the whole records end.
    #[test]
    fn bjs_6_footage_files_are_ciphertext_that_only_their_key_opens() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("a.cseg");
        let key = [7u8; 32];
        let mut w = SegmentWriter::create(&path, FileKind::Media, &key).expect("create");
        let frags: Vec<Vec<u8>> = (0..5u8)
            .map(|i| {
                format!("moof-mdat fragment number {i} with picture data")
                    .repeat(20)
                    .into_bytes()
            })
            .collect();
        for (i, f) in frags.iter().enumerate() {
            assert_eq!(w.append(f, &meta(i as i64)).expect("append"), i as u64);
        }
        w.sync().expect("sync");
        let on_disk = std::fs::read(&path).expect("read");
        assert_eq!(on_disk.len() as u64, w.bytes_on_disk());
        assert!(
            !on_disk.windows(8).any(|x| x == b"fragment"),
            "plaintext on disk"
        );

        let back = read_records(&path, &key).expect("read");
        assert_eq!(back.kind, FileKind::Media);
        assert_eq!(back.records.len(), 5);
        for (i, r) in back.records.iter().enumerate() {
            assert_eq!(r.plaintext, frags[i]);
            assert_eq!(r.meta, meta(i as i64));
        }
        assert_eq!(back.whole_bytes, back.file_bytes);

        assert!(matches!(
            decrypt_file(&on_disk, &[8u8; 32]),
            Err(SegFileError::Tampered { index: 0, .. })
        ));
        let mut changed = on_disk.clone();
        let last = changed.len() - 20;
        changed[last] ^= 1;
        assert!(matches!(
            decrypt_file(&changed, &key),
            Err(SegFileError::Tampered { index: 4, .. })
        ));
        // A changed start time in a record's clear header.
        let mut retimed = on_disk.clone();
        retimed[HEADER_BYTES + 11] ^= 1;
        assert!(decrypt_file(&retimed, &key).is_err());
        // Records swapped.
        let rec = RECORD_HEADER_BYTES + frags[0].len() + TAG_BYTES;
        let mut swapped = on_disk[..HEADER_BYTES].to_vec();
        swapped.extend_from_slice(&on_disk[HEADER_BYTES + rec..HEADER_BYTES + 2 * rec]);
        swapped.extend_from_slice(&on_disk[HEADER_BYTES..HEADER_BYTES + rec]);
        assert!(decrypt_file(&swapped, &key).is_err());
        // Cut short mid-record: the whole records before it read, and where they end.
        for cut in [
            on_disk.len() - 1,
            on_disk.len() - rec + 3,
            on_disk.len() - rec + RECORD_HEADER_BYTES + 5,
        ] {
            let partial = decrypt_file(&on_disk[..cut], &key).expect("partial");
            assert_eq!(partial.records.len(), 4, "cut at {cut}");
            assert_eq!(partial.whole_bytes as usize, on_disk.len() - rec);
        }
        assert!(matches!(
            decrypt_file(b"hello", &key),
            Err(SegFileError::NotFootage)
        ));
        assert!(
            SegmentWriter::create(&path, FileKind::Media, &key).is_err(),
            "never overwrites"
        );
    }
}
