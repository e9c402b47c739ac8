//! `custos user …`: accounts, passwords and roles from the console.

use std::io::BufRead as _;
use std::process::ExitCode;

use anyhow::{Context, bail};
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::{Assignment, Scope, Username};
use custos_store::Store;

use crate::cli::UserCommand;

/// Runs one `custos group` subcommand.
pub async fn group(
    store: &Store,
    actor: &Actor,
    cmd: crate::cli::GroupCommand,
) -> anyhow::Result<ExitCode> {
    use crate::cli::GroupCommand;
    use custos_domain::network::parse_networks;
    let ident =
        |s: &str, what: &str| Ident::parse(s).map_err(|e| anyhow::anyhow!("{what} {s:?}: {e}"));
    match cmd {
        GroupCommand::Add {
            id,
            site,
            name,
            workstations,
        } => {
            let networks = parse_networks(workstations.as_deref().unwrap_or(""))
                .map_err(anyhow::Error::msg)?;
            let id = ident(&id, "group id")?;
            store
                .add_camera_group(actor, &id, &ident(&site, "site")?, &name, &networks)
                .await?;
            let g = store
                .camera_group(&id)
                .await?
                .context("the group just added is missing")?;
            println!(
                "Added camera group {id} ({name}) on site {site}, watched from {}.",
                g.networks_text()
            );
        }
        GroupCommand::List => {
            let groups = store.camera_groups().await?;
            if groups.is_empty() {
                println!(
                    "No camera groups yet. Add one with: custos group add ID --site SITE --name \"Name\""
                );
            }
            for g in groups {
                println!(
                    "{:<20} {:<16} {:<28} watched from {}",
                    g.id,
                    g.site,
                    g.name,
                    g.networks_text()
                );
            }
        }
        GroupCommand::Workstations {
            id,
            networks,
            reason,
        } => {
            let networks = if networks.trim() == "anywhere" {
                Vec::new()
            } else {
                let n = parse_networks(&networks).map_err(anyhow::Error::msg)?;
                if n.is_empty() {
                    bail!("give the networks in CIDR notation (e.g. 10.20.0.0/24), or `anywhere`");
                }
                n
            };
            let id = ident(&id, "group id")?;
            store
                .set_group_workstations(actor, &id, &networks, &reason)
                .await?;
            let g = store
                .camera_group(&id)
                .await?
                .context("the group just changed is missing")?;
            println!(
                "Camera group {id} is now watched from {}.",
                g.networks_text()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs one `custos user` subcommand.
pub async fn run(store: &Store, actor: &Actor, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::Add {
            username,
            name,
            roles,
            password_stdin,
        } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            let assignments = roles
                .iter()
                .map(|r| parse_role(r))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let (password, generated) = password(password_stdin)?;
            let u = store
                .add_user(actor, &username, &name, &password, &assignments)
                .await?;
            println!(
                "Added {} ({}) with {}.",
                u.username,
                u.display_name,
                describe(&u.assignments)
            );
            if generated {
                print_password(&password);
            }
        }
        UserCommand::List => {
            let users = store.users().await?;
            if users.is_empty() {
                println!(
                    "No accounts yet. Add one with: custos user add NAME --name \"Full Name\" --role ROLE"
                );
            }
            for u in users {
                println!(
                    "{:<20} {:<24} {}{}{}  (added {} by {})",
                    u.username,
                    u.display_name,
                    describe(&u.assignments),
                    if u.mfa_enrolled { "  [2FA]" } else { "" },
                    if u.disabled { "  DISABLED" } else { "" },
                    UnixMs(u.created_at_unix_ms).to_london_display(),
                    u.created_by
                );
            }
        }
        UserCommand::Disable { username, reason } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            store
                .set_user_disabled(actor, &username, true, &reason)
                .await?;
            println!(
                "Disabled {username}. The account stays in the records; `custos user enable` restores it."
            );
        }
        UserCommand::Email {
            username,
            address,
            remove,
        } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            let address = if remove { None } else { address };
            store
                .set_user_email(actor, &username, address.as_deref())
                .await?;
            match address {
                Some(a) => println!(
                    "{username} is told at {} of downloads waiting for their authorisation (where [mail] is set).",
                    a.trim()
                ),
                None => println!("{username} is no longer told by e-mail."),
            }
        }
        UserCommand::Enable { username, reason } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            store
                .set_user_disabled(actor, &username, false, &reason)
                .await?;
            println!("Enabled {username}.");
        }
        UserCommand::Licence {
            username,
            number,
            expires,
        } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            store
                .record_licence(actor, &username, &number, &expires)
                .await?;
            println!("Recorded SIA licence {number} for {username}, valid until {expires}.");
        }
        UserCommand::Training {
            username,
            course,
            completed,
            expires,
        } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            store
                .record_training(actor, &username, &course, &completed, expires.as_deref())
                .await?;
            println!("Recorded {course:?} for {username}, completed {completed}.");
        }
        UserCommand::Absent {
            username,
            from,
            until,
            reason,
        } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            store
                .record_absence(actor, &username, &from, &until, &reason)
                .await?;
            println!(
                "Recorded {username} as away from {from} to {until} (UK days, inclusive); the pack's deputies act for them meanwhile. `custos user back {username}` ends it early."
            );
        }
        UserCommand::Back { username } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            store.end_absence(actor, &username).await?;
            println!("Recorded {username} as back.");
        }
        UserCommand::SecondFactor { username } => {
            let name = Username::parse(username.trim()).map_err(anyhow::Error::msg)?;
            let secret = store.new_mfa_secret()?;
            let scheme = store
                .active_policy()
                .await?
                .map(|p| p.pack.name)
                .unwrap_or_else(|| "Custos".to_owned());
            println!(
                "Secret for {name}'s authenticator app: {}",
                custos_domain::totp::base32_encode(&secret)
            );
            println!(
                "Or as a link: {}",
                custos_domain::totp::otpauth_uri(&scheme, name.as_str(), &secret)
            );
            let code = read_secret("Type the code the app now shows, to confirm it: ")?;
            store.enrol_mfa(actor, &name, &secret, &code).await?;
            println!(
                "{name}'s second factor is set up; they give its code when they sign in or authorise."
            );
        }
        UserCommand::ResetMfa { username, reason } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            store.reset_mfa(actor, &username, &reason).await?;
            println!(
                "Removed the second factor of {username}; they set up a new one at their next sign-in."
            );
        }
        UserCommand::Unlock { username, reason } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            store.unlock_account(actor, &username, &reason).await?;
            println!("Unlocked {username}: they may sign in again now.");
        }
        UserCommand::Password {
            username,
            password_stdin,
        } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            let (password, generated) = password(password_stdin)?;
            store.set_password(actor, &username, &password).await?;
            println!("Set a new password for {username}.");
            if generated {
                print_password(&password);
            }
        }
        UserCommand::Grant { username, role } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            let a = parse_role(&role)?;
            store.grant_role(actor, &username, &a).await?;
            println!(
                "{username} now holds {}.",
                describe(std::slice::from_ref(&a))
            );
        }
        UserCommand::Revoke { username, role } => {
            let username = Username::parse(&username).map_err(anyhow::Error::msg)?;
            let a = parse_role(&role)?;
            store.revoke_role(actor, &username, &a).await?;
            println!(
                "{username} no longer holds {}.",
                describe(std::slice::from_ref(&a))
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `ROLE` (the whole scheme) or `ROLE@SCOPE`.
fn parse_role(text: &str) -> anyhow::Result<Assignment> {
    let (role, scope) = text.split_once('@').unwrap_or((text, "scheme"));
    let role = Ident::parse(role).map_err(|e| anyhow::anyhow!("role: {e}"))?;
    let scope = Scope::parse(scope).map_err(anyhow::Error::msg)?;
    Ok(Assignment { role, scope })
}

fn describe(assignments: &[Assignment]) -> String {
    let parts: Vec<String> = assignments
        .iter()
        .map(|a| match &a.scope {
            Scope::Scheme => a.role.to_string(),
            s => format!("{} at {s}", a.role),
        })
        .collect();
    if parts.is_empty() {
        "no roles".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Reads one line typed for `prompt`: from the terminal without echoing it, or the next
/// line of standard input when that is not a terminal (for scripts).
pub(crate) fn read_secret(prompt: &str) -> anyhow::Result<String> {
    use std::io::{IsTerminal as _, Write as _};
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let mut saved = None;
    if terminal {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        if let Ok(mut t) = rustix::termios::tcgetattr(&stdin) {
            saved = Some(t.clone());
            t.local_modes.remove(rustix::termios::LocalModes::ECHO);
            let _ = rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &t);
        }
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if let Some(t) = saved {
        let _ = rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &t);
        eprintln!();
    }
    read.with_context(|| format!("cannot read {}", prompt.trim_end_matches([':', ' '])))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Has `name` show, at the console, that they are there to act in their own name (ALT-8):
/// their password and, where they have one, a current second-factor code, each read with
/// [`read_secret`] (two lines of standard input in a script), checked and ledgered by the
/// store. Returns who they are, for the decision.
pub(crate) async fn present(
    store: &Store,
    name: &str,
    flag: &str,
) -> anyhow::Result<custos_domain::access::Subject> {
    let username = Username::parse(name.trim()).map_err(|e| anyhow::anyhow!("{flag}: {e}"))?;
    let record = store.user(&username).await?.with_context(|| {
        format!("{flag}: there is no account called {username}; `custos user list` lists them")
    })?;
    let password = read_secret(&format!("{username}, type your password: "))?;
    let code = if record.mfa_enrolled {
        read_secret(&format!(
            "{username}, type the code from your authenticator app: "
        ))?
    } else {
        String::new()
    };
    store
        .confirm_at_console(username.as_str(), &password, &code)
        .await
        .map_err(|e| anyhow::anyhow!("{flag}: {e}"))
}

/// The password from standard input, or a new random one (and whether it was generated).
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let p = line.trim_end_matches(['\r', '\n']).to_owned();
        if p.is_empty() {
            bail!("standard input held no password");
        }
        return Ok((p, false));
    }
    Ok((random_password()?, true))
}

/// A new random password (see [`custos_store::users::generate_password`]).
pub(crate) fn random_password() -> anyhow::Result<String> {
    Ok(custos_store::users::generate_password()?)
}

fn print_password(p: &str) {
    println!("Password: {p}");
    println!("Give it to the person privately; it is not shown again or stored in readable form.");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_with_and_without_scope() {
        let a = parse_role("headteacher@site:school-a").expect("role");
        assert_eq!(a.role.as_str(), "headteacher");
        assert_eq!(a.scope.to_string(), "site:school-a");
        assert_eq!(parse_role("operator").expect("role").scope, Scope::Scheme);
        assert!(parse_role("Operator").is_err());
        assert!(parse_role("operator@school").is_err());
    }

    #[test]
    fn random_passwords_are_long_and_pass_the_rules() {
        let p = random_password().expect("random");
        assert_eq!(p.len(), 19);
        assert!(custos_domain::password::check(&p, &[]).is_ok(), "{p}");
        assert_ne!(p, random_password().expect("random"));
    }
}
