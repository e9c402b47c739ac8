//! The human-readable parts of a package: `README.txt` (how to check it and play it, in
//! plain words), `custody.html` (the custody record, printable) and `player.html` (plays
//! the working copies in a browser with no network).
//!
//! Invariants: every value from the custody record is HTML-escaped; the player loads only
//! files inside the package.

use std::fmt::Write as _;

use crate::package::Custody;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `README.txt`.
pub fn readme(c: &Custody) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "EVIDENCE PACKAGE {} — exhibit {}",
        c.package_id, c.exhibit
    );
    let _ = writeln!(
        s,
        "CCTV footage from {} ({}), produced {} for {}.",
        c.scheme, c.controller, c.produced_at, c.recipient
    );
    s.push_str(
        "
WHAT IS IN IT
  master/      The footage exactly as recorded (the original, bit for bit): for each camera
               an initialisation file (init-*.mp4) and the recorded segments (*.m4s) in order.
               Do not edit these; work on copies.
  working/     One ordinary MP4 video per camera made from the same pictures (nothing
               re-encoded), with the date and time as subtitles.
  player.html  Open in a web browser to watch the working copies (no internet needed).
  custody.html Who asked for the footage, who authorised and produced it, and for whom
               (custody.json holds the same for computers).
  proofs.json  For each master segment, the proof that it is one of the segments sealed
               into the scheme's tamper-evident log when it was recorded.
  SHA256SUMS   The SHA-256 checksum of every file; SHA256SUMS.sig is the scheme's signature
               over it; allowed_signers holds the scheme's public key.

HOW TO PLAY IT
  Open working/CAMERA.mp4 in VLC (Subtitle > Sub Track shows the date and time) or any
  video player, or open player.html in a browser.

HOW TO CHECK IT HAS NOT BEEN CHANGED (Linux, macOS, or Windows with OpenSSH and coreutils)
  1. Every file:      sha256sum -c SHA256SUMS
  2. The signature:   ssh-keygen -Y verify -f allowed_signers -I custos-evidence \\
                        -n custos-evidence -s SHA256SUMS.sig < SHA256SUMS
     It should say: Good \"custos-evidence\" signature for custos-evidence with ED25519 key
",
    );
    let _ = writeln!(
        s,
        "     {}\n     Check that this key is the scheme's, as published by {}.",
        c.signer_fingerprint, c.controller
    );
    s.push_str(
        "  3. Everything, including each segment's proof and that the working copies hold
     exactly the master's pictures:  custos package verify .
",
    );
    s
}

/// `custody.html`.
pub fn custody_html(c: &Custody) -> String {
    let mut rows = String::new();
    for cam in &c.cameras {
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} to {}</td><td>{} to {}</td><td>{}</td><td>{}</td></tr>",
            esc(&cam.id),
            esc(&cam.name),
            esc(&cam.location),
            esc(&cam.from),
            esc(&cam.to),
            esc(&cam.included_from),
            esc(&cam.included_to),
            cam.segments,
            cam.clock_offset_ms
                .map_or_else(|| "not measured".to_owned(), |o| format!("{o} ms")),
        );
    }
    format!(
        "<!doctype html>
<html lang=\"en-GB\">
<head><meta charset=\"utf-8\"><title>Custody record — exhibit {exhibit}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}th,td{{border:1px solid #999;padding:.3em;text-align:left}}table{{border-collapse:collapse}}</style></head>
<body>
<h1>Custody record: exhibit {exhibit}</h1>
<dl>
<dt>Package</dt><dd>{package}</dd>
<dt>Scheme</dt><dd>{scheme} ({controller})</dd>
<dt>Case</dt><dd>{case}</dd>
<dt>Requested by</dt><dd>{requester}</dd>
<dt>Authorised by</dt><dd>{authoriser}</dd>
<dt>Produced by</dt><dd>{producer}, {produced}</dd>
<dt>Recipient</dt><dd>{recipient}</dd>
<dt>Purpose</dt><dd>{purpose}</dd>
<dt>Signing key</dt><dd>{fingerprint}</dd>
</dl>
<table>
<thead><tr><th>Camera</th><th>Name</th><th>Location</th><th>Asked for</th><th>Included</th><th>Segments</th><th>Camera clock offset</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
<p>Received by (name, organisation, signature, date and time):</p>
<p style=\"border-bottom:1px solid #000;height:3em\"></p>
</body>
</html>
",
        exhibit = esc(&c.exhibit),
        package = esc(&c.package_id),
        scheme = esc(&c.scheme),
        controller = esc(&c.controller),
        case = esc(c.case_ref.as_deref().unwrap_or("none")),
        requester = esc(&c.requester),
        authoriser = esc(&c.authoriser),
        producer = esc(&c.producer),
        produced = esc(&c.produced_at),
        recipient = esc(&c.recipient),
        purpose = esc(&c.purpose),
        fingerprint = esc(&c.signer_fingerprint),
    )
}

/// `player.html`: each working copy in a `<video>`, with the wall-clock time of the
/// picture shown beside it (from the first picture's time; VLC's subtitle track is exact
/// across recording gaps).
pub fn player_html(c: &Custody) -> String {
    let mut videos = String::new();
    for cam in &c.cameras {
        let _ = write!(
            videos,
            "<section><h2>{name} ({id})</h2>\n<video controls preload=\"metadata\" src=\"{src}\" data-start=\"{start}\"></video>\n<p class=\"clock\">Time: <span>{start}</span></p></section>\n",
            name = esc(&cam.name),
            id = esc(&cam.id),
            src = esc(&cam.working_copy),
            start = esc(&cam.included_from),
        );
    }
    format!(
        "<!doctype html>
<html lang=\"en-GB\">
<head><meta charset=\"utf-8\"><title>Exhibit {exhibit} — player</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}video{{width:100%;background:#000}}</style></head>
<body>
<h1>Exhibit {exhibit}</h1>
<p>Working copies of the footage. The time beside each picture counts from its first
picture; where recording paused, use VLC's subtitles for the exact time.</p>
{videos}<script>
for (const v of document.querySelectorAll('video')) {{
  const out = v.parentElement.querySelector('.clock span');
  const start = Date.parse(v.dataset.start);
  v.addEventListener('timeupdate', () => {{
    out.textContent = new Date(start + v.currentTime * 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  }});
}}
</script>
</body>
</html>
",
        exhibit = esc(&c.exhibit),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::{CUSTODY_FORMAT, CustodyCamera};

    fn custody() -> Custody {
        Custody {
            format: CUSTODY_FORMAT.to_owned(),
            exhibit: "JS/1 <b>".to_owned(),
            package_id: "P0011".to_owned(),
            scheme: "School CCTV".to_owned(),
            controller: "Bosmere Junior School".to_owned(),
            case_ref: Some("DIS-2026-0001".to_owned()),
            requester: "PC 123 Smith".to_owned(),
            authoriser: "head".to_owned(),
            producer: "user:dpo".to_owned(),
            recipient: "Hampshire Constabulary".to_owned(),
            purpose: "Investigation of a burglary".to_owned(),
            produced_at: "2026-11-29T10:00:00Z".to_owned(),
            cameras: vec![CustodyCamera {
                id: "front-gate".to_owned(),
                name: "Front gate".to_owned(),
                location: "Main entrance".to_owned(),
                from: "a".to_owned(),
                to: "b".to_owned(),
                included_from: "2026-11-29T09:00:00Z".to_owned(),
                included_to: "2026-11-29T09:10:00Z".to_owned(),
                segments: 10,
                working_copy: "working/front-gate.mp4".to_owned(),
                clock_offset_ms: Some(40),
            }],
            signer_fingerprint: "SHA256:abc".to_owned(),
        }
    }

    /// BDC-5: the custody record names who asked, authorised, produced and received, and
    /// escapes what it shows; the README tells how to check the package with standard tools.
    #[test]
    fn bdc_5_custody_and_readme_say_who_and_how_to_check() {
        let c = custody();
        let html = custody_html(&c);
        assert!(html.contains("JS/1 &lt;b&gt;") && !html.contains("<b>"));
        for s in [
            "PC 123 Smith",
            "Hampshire Constabulary",
            "user:dpo",
            "40 ms",
        ] {
            assert!(html.contains(s), "{s}");
        }
        let readme = readme(&c);
        assert!(readme.contains("sha256sum -c SHA256SUMS"));
        assert!(readme.contains("ssh-keygen -Y verify -f allowed_signers -I custos-evidence"));
        assert!(readme.contains("SHA256:abc"));
        let player = player_html(&c);
        assert!(player.contains("src=\"working/front-gate.mp4\""));
    }
}
