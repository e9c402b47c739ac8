//! `custos camera …`: the camera register from the console.

use std::io::BufRead as _;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use custos_base::Actor;
use custos_domain::Ident;
use custos_domain::camera::{CameraDraft, RtspAddress, Transport};
use custos_store::{Camera, CameraRequest, Store};

use crate::cli::{CameraCommand, CameraFields};

fn ident(s: &str, what: &str) -> anyhow::Result<Ident> {
    Ident::parse(s.trim()).map_err(|e| anyhow!("{what} {s:?}: {e}"))
}

fn required<'a>(v: &'a Option<String>, flag: &str) -> anyhow::Result<&'a str> {
    v.as_deref()
        .ok_or_else(|| anyhow!("give {flag} (`custos camera add --help` lists every field)"))
}

/// Applies `f` on top of `base` (a registered camera for `edit`, `None` for `add`).
fn request(id: Ident, f: CameraFields, base: Option<&Camera>) -> anyhow::Result<CameraRequest> {
    let text = |given: &Option<String>, old: Option<&str>, flag: &str| -> anyhow::Result<String> {
        match (given, old) {
            (Some(v), _) => Ok(v.trim().to_owned()),
            (None, Some(o)) => Ok(o.to_owned()),
            (None, None) => Ok(required(given, flag)?.to_owned()),
        }
    };
    let d = base.map(|c| &c.draft);
    let site = match (&f.site, d) {
        (Some(s), _) => ident(s, "site")?,
        (None, Some(d)) => d.site.clone(),
        (None, None) => ident(required(&f.site, "--site")?, "site")?,
    };
    let kind = match (&f.kind, d) {
        (Some(k), _) => k.parse().map_err(anyhow::Error::msg)?,
        (None, Some(d)) => d.kind,
        (None, None) => custos_domain::CameraKind::Fixed,
    };
    let mode = match (&f.mode, d) {
        (Some(m), _) => m.parse().map_err(anyhow::Error::msg)?,
        (None, Some(d)) => d.mode,
        (None, None) => custos_domain::RecordingMode::Continuous,
    };
    let purposes = if f.purposes.is_empty() {
        d.map(|d| d.purposes.clone()).unwrap_or_default()
    } else {
        f.purposes
            .iter()
            .map(|p| ident(p, "purpose"))
            .collect::<anyhow::Result<_>>()?
    };
    let groups = if f.groups.is_empty() {
        base.map(|c| c.groups.clone()).unwrap_or_default()
    } else {
        f.groups
            .iter()
            .map(|g| ident(g, "group"))
            .collect::<anyhow::Result<_>>()?
    };
    let audio = match (f.audio.as_deref(), d) {
        (Some("on"), _) => true,
        (Some("off"), _) => false,
        (Some(other), _) => bail!("--audio is on or off, not {other:?}"),
        (None, Some(d)) => d.audio,
        (None, None) => f.audio_reason.is_some(),
    };
    let retention_days = match (f.retention_days.as_deref(), d) {
        (Some("default"), _) => None,
        (Some(n), _) => Some(n.parse::<u32>().map_err(|_| {
            anyhow!("--retention-days is a number of days or `default`, not {n:?}")
        })?),
        (None, Some(d)) => d.retention_days,
        (None, None) => None,
    };
    let priority = match (f.priority.as_deref(), d) {
        (Some(p), _) => {
            custos_domain::camera::Priority::parse(p).map_err(|e| anyhow!("--priority: {e}"))?
        }
        (None, Some(d)) => d.priority,
        (None, None) => custos_domain::camera::Priority::DEFAULT,
    };
    let mut main = match (&f.url, base) {
        (Some(u), _) => RtspAddress::parse(u).map_err(anyhow::Error::msg)?,
        (None, Some(c)) => RtspAddress::parse(&c.main_url).map_err(anyhow::Error::msg)?,
        (None, None) => {
            RtspAddress::parse(required(&f.url, "--url")?).map_err(anyhow::Error::msg)?
        }
    };
    if f.password_stdin {
        if main.username.is_none() {
            bail!("--password-stdin needs a user name in --url (rtsp://USER@HOST/PATH)");
        }
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        main.password = Some(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let sub = match (&f.substream, base) {
        (Some(u), _) if u.trim().is_empty() => None,
        (Some(u), _) => Some(RtspAddress::parse(u).map_err(anyhow::Error::msg)?),
        (None, Some(c)) => c
            .sub_url
            .as_deref()
            .map(RtspAddress::parse)
            .transpose()
            .map_err(anyhow::Error::msg)?,
        (None, None) => None,
    };
    let transport = match (&f.transport, base) {
        (Some(t), _) => t.parse().map_err(anyhow::Error::msg)?,
        (None, Some(c)) => c.transport,
        (None, None) => Transport::Tcp,
    };
    Ok(CameraRequest {
        id,
        draft: CameraDraft {
            name: text(&f.name, d.map(|d| d.name.as_str()), "--name")?,
            site,
            location: text(&f.location, d.map(|d| d.location.as_str()), "--location")?,
            area: text(&f.area, d.map(|d| d.area.as_str()), "--area")?,
            kind,
            mode,
            purposes,
            audio,
            retention_days,
            dpia_ref: text(
                &f.dpia,
                d.map(|d| d.dpia_ref.as_str()).or(Some("")),
                "--dpia",
            )?,
            operational_requirement: text(
                &f.requirement,
                d.map(|d| d.operational_requirement.as_str()).or(Some("")),
                "--requirement",
            )?,
            priority,
        },
        groups,
        main,
        sub,
        transport,
        audio_reason: f.audio_reason,
    })
}

fn describe(c: &Camera) -> String {
    let d = &c.draft;
    format!(
        "{:<16} {:<24} site {:<12} {:<10} {:<16} {}{}{}",
        c.id,
        d.name,
        d.site,
        d.kind,
        d.mode,
        c.main_url,
        if d.audio { "  [sound]" } else { "" },
        if c.retired { "  RETIRED" } else { "" }
    )
}

/// Runs one `custos camera` subcommand.
pub async fn run(store: &Store, actor: &Actor, cmd: CameraCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CameraCommand::Add { id, fields } => {
            let req = request(ident(&id, "camera id")?, *fields, None)?;
            let c = store.add_camera(actor, &req).await?;
            println!("Registered camera {}:\n  {}", c.id, describe(&c));
            if c.has_credentials {
                println!("  Its user name and password are stored encrypted with the master key.");
            }
        }
        CameraCommand::List { retired } => {
            let cams = store.cameras(retired).await?;
            if cams.is_empty() {
                println!(
                    "No cameras registered. Add one with: custos camera add ID --name NAME --site SITE --location TEXT --area TEXT --purpose PURPOSE --url rtsp://…"
                );
            }
            for c in cams {
                println!("{}", describe(&c));
            }
        }
        CameraCommand::Edit { id, fields, reason } => {
            let id = ident(&id, "camera id")?;
            let Some(base) = store.camera(&id).await? else {
                bail!("there is no camera {id}; `custos camera list` lists them");
            };
            let req = request(id, *fields, Some(&base))?;
            let c = store.change_camera(actor, &req, &reason).await?;
            println!("Changed camera {}:\n  {}", c.id, describe(&c));
        }
        CameraCommand::Retire { id, reason } => {
            let id = ident(&id, "camera id")?;
            store.retire_camera(actor, &id, &reason).await?;
            println!("Retired camera {id}; its footage and history stay in the register.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
