//! The ustar writer's archives unpack with the system's GNU `tar` to exactly the files put in:
//! a path over 100 bytes (split into the ustar prefix), an empty file, a 1 MiB file and
//! directories, with their modes and modification times. The test fails (never skips) when
//! `tar` is missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use custos_evidence::archive::TarWriter;

fn pseudo_random(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn gnu_tar_extracts_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let mtime: u64 = 1_700_000_000;
    let long_dir = format!("package/{}/{}", "cameras".repeat(8), "hall-east".repeat(4));
    let long_path = format!(
        "{long_dir}/{}",
        "m".repeat(130 - long_dir.len() - 5) + ".mp4"
    );
    assert_eq!(long_path.len(), 130);
    let files: Vec<(String, Vec<u8>)> = vec![
        ("package/README.txt".into(), b"Evidence package\n".to_vec()),
        ("package/empty".into(), Vec::new()),
        (
            "package/master/segment-0001.bin".into(),
            pseudo_random(1 << 20),
        ),
        (long_path.clone(), pseudo_random(777)),
    ];

    let archive = dir.path().join("package.tar");
    let mut tar = TarWriter::new(std::fs::File::create(&archive).unwrap());
    tar.append_dir("package", mtime).unwrap();
    tar.append_dir("package/master/", mtime).unwrap();
    for (path, data) in &files {
        tar.append_file(path, data.len() as u64, mtime, &mut &data[..])
            .unwrap();
    }
    tar.finish().unwrap();

    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let run = Command::new("tar")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(&out)
        .output()
        .expect("the system `tar` (GNU tar) must be installed to run this test");
    assert!(
        run.status.success() && run.stderr.is_empty(),
        "tar -xf failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );

    for (path, data) in &files {
        let extracted = out.join(path);
        let got = std::fs::read(&extracted).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(got == *data, "{path}: extracted bytes differ");
        let meta = std::fs::metadata(&extracted).unwrap();
        assert_eq!(
            meta.modified().unwrap(),
            UNIX_EPOCH + Duration::from_secs(mtime),
            "{path}"
        );
    }

    // The listing shows the modes and the full long path (joined from prefix and name).
    let list = Command::new("tar")
        .args(["--numeric-owner", "-tvf"])
        .arg(&archive)
        .output()
        .unwrap();
    assert!(list.status.success());
    let list = String::from_utf8(list.stdout).unwrap();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2 + files.len(), "{list}");
    assert!(lines[0].starts_with("drwxr-xr-x 0/0") && lines[0].ends_with(" package/"));
    assert!(lines[2].starts_with("-rw-r--r-- 0/0"), "{list}");
    assert!(lines[5].ends_with(&format!(" {long_path}")), "{list}");

    let mode = std::fs::metadata(out.join("package/master"))
        .unwrap()
        .permissions()
        .mode();
    assert!(mode & 0o100 != 0, "directories are traversable: {mode:o}");
}

/// The longest path ustar holds (155 bytes of prefix, '/', 100 bytes of name) and a
/// directory whose path must be split too come out of GNU `tar` whole: the `tar` crate's
/// split into `prefix` and `name` is read back as the path that was put in.
#[test]
fn gnu_tar_joins_the_longest_split_paths() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("{}/{}", "p".repeat(100), "q".repeat(54));
    let long_dir = format!("{prefix}/{}", "d".repeat(60));
    let longest = format!("{prefix}/{}", "n".repeat(100));
    assert_eq!(longest.len(), 256);
    let data = pseudo_random(513);

    let archive = dir.path().join("long.tar");
    let mut tar = TarWriter::new(std::fs::File::create(&archive).unwrap());
    tar.append_dir(&long_dir, 0).unwrap();
    tar.append_file(&longest, data.len() as u64, 0, &mut &data[..])
        .unwrap();
    tar.finish().unwrap();

    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let run = Command::new("tar")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(&out)
        .output()
        .expect("the system `tar` (GNU tar) must be installed to run this test");
    assert!(
        run.status.success() && run.stderr.is_empty(),
        "tar -xf failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.join(&long_dir).is_dir());
    assert!(std::fs::read(out.join(&longest)).unwrap() == data);
}
