//! The layout of an evidence package and writing one (BDC-3, BDC-4, BDC-5; NPCC practice:
//! the native master never altered, a working copy, every file checkable):
//!
//! ```text
//! README.txt            how to check and play it, in plain words
//! master/CAMERA/…       the recorded segments, decrypted, bit for bit, with their init
//!                       segments (`init-….mp4`, then `….m4s` fragments)
//! working/CAMERA.mp4    one playable MP4 per camera, the master's samples remuxed
//! player.html           plays the working copies in a browser, offline
//! proofs.json           each master segment's proof of inclusion in its sealed hour
//! custody.json/.html    exhibit reference, who asked, authorised, produced, received
//! allowed_signers       the scheme's public key, for ssh-keygen -Y verify
//! SHA256SUMS            SHA-256 of every file above (sha256sum -c)
//! SHA256SUMS.sig        the scheme's SSH signature over SHA256SUMS (namespace custos-evidence)
//! ```
//!
//! Invariants: every file is hashed as it is written (or, for a master segment, recorded
//! with the hash its bytes were just checked against), never re-read; `SHA256SUMS` lists
//! every file but itself and its signature, in byte order of path; paths are relative,
//! `/`-separated and never leave the package.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The checksums file.
pub const SUMS: &str = "SHA256SUMS";
/// Its signature.
pub const SUMS_SIG: &str = "SHA256SUMS.sig";
/// The public key file.
pub const ALLOWED_SIGNERS: &str = "allowed_signers";
/// The proofs file.
pub const PROOFS: &str = "proofs.json";
/// The custody record.
pub const CUSTODY: &str = "custody.json";

/// What went wrong writing or reading a package.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// A file could not be written or read.
    #[error("{path}: {source}")]
    Io {
        /// Which file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The package is not as it should be.
    #[error("{0}")]
    Invalid(String),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> PackageError + '_ {
    move |source| PackageError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One master segment's proof of inclusion in its sealed camera-hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentProof {
    /// The master file, relative to the package.
    pub file: String,
    /// The master init segment it plays with, relative to the package.
    pub init_file: String,
    /// The camera.
    pub camera: String,
    /// The stream.
    pub stream: String,
    /// The file's SHA-256 (hex), as recorded when it was written.
    pub sha256: String,
    /// The sealed hour (RFC 3339).
    pub hour: String,
    /// The segment's place among the hour's segments.
    pub leaf_index: usize,
    /// How many segments the hour had.
    pub leaf_count: usize,
    /// Sibling hashes from the leaf up (hex).
    pub path: Vec<String>,
    /// The hour's Merkle root (hex).
    pub root: String,
    /// The ledger entry that sealed the hour.
    pub ledger_entry: LedgerEntry,
    /// The scheme's signed checkpoint for exactly that entry, as a witness line
    /// (`custos-witness-v1 SEQ HASH AT SIGNATURE`): it ties the seal to the scheme's signed
    /// ledger, not only to the key that signed the package. Empty in packages made before
    /// format 2.
    #[serde(default)]
    pub checkpoint: String,
}

/// A ledger entry as stored, with the hash of the entry before it: enough to recompute
/// its own hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Sequence number.
    pub seq: i64,
    /// When (ms since the epoch).
    pub at_unix_ms: i64,
    /// Who.
    pub actor: String,
    /// The logbook.
    pub book: String,
    /// What.
    pub kind: String,
    /// References text.
    pub refs: String,
    /// The body (a JSON object as text), holding `merkle_root`.
    pub body: String,
    /// The previous entry's hash (hex).
    pub prev_hash: String,
    /// This entry's hash (hex).
    pub hash: String,
}

/// `proofs.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proofs {
    /// `custos-proofs/1`.
    pub format: String,
    /// One per master segment.
    pub segments: Vec<SegmentProof>,
}

/// The proofs format this version writes; it also reads [`PROOFS_FORMAT_1`].
pub const PROOFS_FORMAT: &str = "custos-proofs/2";

/// The format before each proof carried its seal's checkpoint.
pub const PROOFS_FORMAT_1: &str = "custos-proofs/1";

/// One camera's part of a package, for the custody record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyCamera {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it is.
    pub location: String,
    /// The footage asked for: from (RFC 3339).
    pub from: String,
    /// To (RFC 3339).
    pub to: String,
    /// The footage included: first and last instants (RFC 3339).
    pub included_from: String,
    /// Last.
    pub included_to: String,
    /// Master segment files.
    pub segments: usize,
    /// The working copy, relative to the package.
    pub working_copy: String,
    /// How far the camera's own clock was from the recorder's when last measured, if
    /// known (ms; positive: the camera was ahead).
    pub clock_offset_ms: Option<i64>,
}

/// `custody.json`: who asked for the footage, who authorised and produced it, who it is
/// for, and when (BDC-5, LBU-20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Custody {
    /// `custos-custody/1`.
    pub format: String,
    /// The exhibit reference.
    pub exhibit: String,
    /// The package's id (unique).
    pub package_id: String,
    /// The scheme and its controller.
    pub scheme: String,
    /// The controller.
    pub controller: String,
    /// The case it was made for, if any.
    pub case_ref: Option<String>,
    /// Who asked for it.
    pub requester: String,
    /// Who authorised it.
    pub authoriser: String,
    /// Who made it (ledger actor text).
    pub producer: String,
    /// Who receives it.
    pub recipient: String,
    /// Why.
    pub purpose: String,
    /// When it was made (RFC 3339).
    pub produced_at: String,
    /// The cameras and their footage.
    pub cameras: Vec<CustodyCamera>,
    /// The signing key's SHA-256 fingerprint.
    pub signer_fingerprint: String,
}

/// The custody format this version writes.
pub const CUSTODY_FORMAT: &str = "custos-custody/1";

/// Checks that `rel` is a plain relative path inside a package.
pub fn check_path(rel: &str) -> Result<(), PackageError> {
    let bad = rel.is_empty()
        || rel.starts_with('/')
        || rel.contains('\\')
        || rel
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == ".." || p.contains('\n'));
    if bad {
        return Err(PackageError::Invalid(format!(
            "{rel:?} is not a plain relative path inside the package"
        )));
    }
    Ok(())
}

/// A file being written into a package, hashed as it goes.
pub struct PackageFile<'p> {
    package: &'p mut PackageWriter,
    rel: String,
    out: BufWriter<File>,
    /// Hashed as written, or the SHA-256 (hex) the writer was given for bytes it has
    /// already checked.
    hash: Result<Sha256, String>,
    bytes: u64,
}

impl Write for PackageFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Ok(h) = &mut self.hash {
            h.update(&buf[..n]);
        }
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl PackageFile<'_> {
    /// Finishes the file (flushed and synced) and records its checksum; returns its size
    /// and SHA-256 (hex).
    pub fn finish(self) -> Result<(u64, String), PackageError> {
        let path = self.package.root.join(&self.rel);
        let file = self.out.into_inner().map_err(|e| PackageError::Io {
            path: path.display().to_string(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io(&path))?;
        let hex = match self.hash {
            Ok(h) => hex(&h.finalize()),
            Err(known) => known,
        };
        self.package.sums.push((self.rel, hex.clone()));
        Ok((self.bytes, hex))
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Writes a package into a new folder.
#[derive(Debug)]
pub struct PackageWriter {
    root: PathBuf,
    sums: Vec<(String, String)>,
}

impl PackageWriter {
    /// Starts a package in `root`, which must not exist yet (nothing is ever overwritten).
    pub fn create(root: &Path) -> Result<Self, PackageError> {
        if root.exists() {
            return Err(PackageError::Invalid(format!(
                "{} already exists; give a new folder for the package",
                root.display()
            )));
        }
        std::fs::create_dir_all(root).map_err(io(root))?;
        Ok(Self {
            root: root.to_owned(),
            sums: Vec::new(),
        })
    }

    /// The package's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Opens `rel` for writing.
    pub fn file(&mut self, rel: &str) -> Result<PackageFile<'_>, PackageError> {
        self.open(rel, Ok(Sha256::new()))
    }

    /// Opens `rel` for writing bytes whose SHA-256 the caller has just checked to be
    /// `sha256_hex` (a master segment, checked against the hash recorded when it was
    /// written): they are not hashed a second time. The caller must write exactly those
    /// bytes.
    pub fn file_checked(
        &mut self,
        rel: &str,
        sha256_hex: &str,
    ) -> Result<PackageFile<'_>, PackageError> {
        self.open(rel, Err(sha256_hex.to_owned()))
    }

    fn open(
        &mut self,
        rel: &str,
        hash: Result<Sha256, String>,
    ) -> Result<PackageFile<'_>, PackageError> {
        check_path(rel)?;
        if self.sums.iter().any(|(p, _)| p == rel) {
            return Err(PackageError::Invalid(format!("{rel} is written twice")));
        }
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io(&path))?;
        Ok(PackageFile {
            package: self,
            rel: rel.to_owned(),
            out: BufWriter::with_capacity(1 << 20, f),
            hash,
            bytes: 0,
        })
    }

    /// Writes `rel` with `bytes`; returns its SHA-256 (hex).
    pub fn add(&mut self, rel: &str, bytes: &[u8]) -> Result<String, PackageError> {
        let mut f = self.file(rel)?;
        f.write_all(bytes).map_err(io(Path::new(rel)))?;
        Ok(f.finish()?.1)
    }

    /// Copies `rel` from `data`; returns its size and SHA-256 (hex).
    pub fn copy(&mut self, rel: &str, data: &mut impl Read) -> Result<(u64, String), PackageError> {
        let mut f = self.file(rel)?;
        std::io::copy(data, &mut f).map_err(io(Path::new(rel)))?;
        f.finish()
    }

    /// The checksums so far, in `sha256sum` format, sorted by path.
    pub fn sums_text(&self) -> String {
        let mut sums = self.sums.clone();
        sums.sort();
        sums.iter().map(|(p, h)| format!("{h}  {p}\n")).collect()
    }

    /// Writes `SHA256SUMS` and its signature (`sign` returns the armoured SSH signature
    /// over the checksums' bytes); returns the checksums' own SHA-256 (hex), the package's
    /// fingerprint for the disclosure log.
    pub fn finish(
        self,
        sign: impl FnOnce(&[u8]) -> Result<String, String>,
    ) -> Result<String, PackageError> {
        let text = self.sums_text();
        let sig = sign(text.as_bytes()).map_err(PackageError::Invalid)?;
        for (name, bytes) in [(SUMS, text.as_bytes()), (SUMS_SIG, sig.as_bytes())] {
            let path = self.root.join(name);
            std::fs::write(&path, bytes).map_err(io(&path))?;
        }
        Ok(hex(&Sha256::digest(text.as_bytes())))
    }
}

/// Every file under `dir` in the package folder `root`, relative to `root` and
/// `/`-separated.
pub(crate) fn files_under(
    root: &Path,
    dir: &Path,
    out: &mut Vec<String>,
) -> Result<(), PackageError> {
    for e in std::fs::read_dir(dir).map_err(io(dir))? {
        let e = e.map_err(io(dir))?;
        let path = e.path();
        if path.is_dir() {
            files_under(root, &path, out)?;
        } else {
            let rel = path
                .strip_prefix(root)
                .map_err(|e| PackageError::Invalid(e.to_string()))?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push(rel);
        }
    }
    Ok(())
}

/// Writes the package folder `root` as a tar archive to `out`, its entries under the
/// folder's own name (so unpacking gives the folder back), streaming; returns `out`.
fn write_tar<W: Write>(root: &Path, out: W) -> Result<W, PackageError> {
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| PackageError::Invalid(format!("{} has no name", root.display())))?;
    let mut files = Vec::new();
    files_under(root, root, &mut files)?;
    files.sort();
    let mut tar = crate::archive::TarWriter::new(out);
    let archive = |e: crate::archive::ArchiveError| PackageError::Invalid(e.to_string());
    let mtime = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    tar.append_dir(&name, mtime).map_err(archive)?;
    let mut dirs: Vec<String> = vec![name.clone()];
    for rel in &files {
        let mut prefix = name.clone();
        for part in rel
            .split('/')
            .collect::<Vec<_>>()
            .split_last()
            .map_or(&[][..], |(_, d)| d)
        {
            prefix = format!("{prefix}/{part}");
            if !dirs.contains(&prefix) {
                tar.append_dir(&prefix, mtime).map_err(archive)?;
                dirs.push(prefix.clone());
            }
        }
        let path = root.join(rel);
        let len = std::fs::metadata(&path).map_err(io(&path))?.len();
        let mut f = File::open(&path).map_err(io(&path))?;
        tar.append_file(&format!("{name}/{rel}"), len, mtime, &mut f)
            .map_err(archive)?;
    }
    tar.finish().map_err(archive)
}

fn create_new(out: &Path) -> Result<BufWriter<File>, PackageError> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(io(out))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}

fn close(buf: BufWriter<File>, out: &Path) -> Result<u64, PackageError> {
    let file = buf.into_inner().map_err(|e| PackageError::Io {
        path: out.display().to_string(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(io(out))?;
    Ok(file.metadata().map_err(io(out))?.len())
}

/// Packs the package folder `root` into the new tar file `out` (`tar -xf` gives the
/// package back); the folder is left as it is. Returns the archive's size.
pub fn tar_package(root: &Path, out: &Path) -> Result<u64, PackageError> {
    let buf = write_tar(root, create_new(out)?)?;
    close(buf, out)
}

/// Packs the package folder `root` into one tar archive, encrypted with `passphrase` in the
/// age v1 format (ALT-14), written to the new file `out`: `age -d FILE | tar -x` gives the
/// package back. Streams; the folder is left as it is. Returns the archive's size.
pub fn encrypt_package(root: &Path, out: &Path, passphrase: &str) -> Result<u64, PackageError> {
    let enc = crate::age::Encryptor::with_passphrase(
        create_new(out)?,
        passphrase,
        crate::age::DEFAULT_LOG_N,
    )
    .map_err(|e| PackageError::Invalid(e.to_string()))?;
    let enc = write_tar(root, enc)?;
    let buf = enc
        .finish()
        .map_err(|e| PackageError::Invalid(e.to_string()))?;
    close(buf, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A master segment written with the hash it was checked against is listed with that
    /// hash; `custos package verify` and `sha256sum -c` then check the bytes on disk.
    #[test]
    fn bdc_4_a_checked_file_is_listed_with_its_checked_hash() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("pkg");
        let mut w = PackageWriter::create(&root).expect("create");
        let sha = hex(&Sha256::digest(b"segment"));
        let mut f = w.file_checked("master/a.m4s", &sha).expect("open");
        f.write_all(b"segment").expect("write");
        assert_eq!(f.finish().expect("finish"), (7, sha.clone()));
        assert_eq!(w.sums_text(), format!("{sha}  master/a.m4s\n"));
    }

    /// Paths stay inside the package.
    #[test]
    fn package_paths_never_leave_the_package() {
        for bad in ["", "/etc/passwd", "../x", "a/../b", "a//b", "a\\b", "./a"] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        check_path("master/front-gate/init-1.mp4").expect("fine");
    }

    /// BDC-4: every file written is in SHA256SUMS, sorted, with its real hash; a package
    /// folder is never reused.
    #[test]
    fn bdc_4_every_file_is_summed_as_written() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("pkg");
        let mut w = PackageWriter::create(&root).expect("create");
        w.add("b.txt", b"bee").expect("add");
        w.copy("a/x.bin", &mut &b"ay"[..]).expect("copy");
        assert!(w.add("b.txt", b"again").is_err());
        let fp = w
            .finish(|m| Ok(format!("sig over {} bytes", m.len())))
            .expect("finish");
        let sums = std::fs::read_to_string(root.join(SUMS)).expect("sums");
        let expect = format!(
            "{}  a/x.bin\n{}  b.txt\n",
            hex(&Sha256::digest(b"ay")),
            hex(&Sha256::digest(b"bee"))
        );
        assert_eq!(sums, expect);
        assert_eq!(fp, hex(&Sha256::digest(expect.as_bytes())));
        assert!(PackageWriter::create(&root).is_err());
    }
}
