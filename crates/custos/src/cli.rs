//! The command line: every subcommand and flag, with help written for people who run a
//! CCTV scheme rather than for engineers.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{LogLevel, Overrides};

/// Custos records CCTV cameras and makes a CCTV code of practice enforceable: footage is
/// used only for its stated purposes, every review is logged, and footage is erased on time.
#[derive(Debug, Parser)]
#[command(name = "custos", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand accepts.
#[derive(Debug, Args)]
pub struct Global {
    /// Folder holding this scheme's database and footage [default: ./custos-data; for
    /// `custos demo`, a new temporary folder, deleted when the demo stops]
    #[arg(long = "data", value_name = "DIR", env = "CUSTOS_DATA", global = true)]
    pub data_dir: Option<PathBuf>,

    /// Folder holding the scheme's keys and ledger witness, apart from the data [default:
    /// the data folder's name with -keys, beside it]
    #[arg(
        long = "key-dir",
        value_name = "DIR",
        env = "CUSTOS_KEY_DIR",
        global = true
    )]
    pub key_dir: Option<PathBuf>,

    /// Settings file (TOML); see docs/ref/config.md
    #[arg(long, value_name = "FILE", env = "CUSTOS_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    /// Use this PostgreSQL database instead of the built-in one (postgres://user:password@host/db)
    #[arg(
        long,
        value_name = "URL",
        env = "CUSTOS_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<String>,

    /// Address and port for the web pages [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR", env = "CUSTOS_LISTEN", global = true)]
    pub listen: Option<SocketAddr>,

    /// How much detail to write to the log [default: info]
    #[arg(long = "log", value_name = "LEVEL", env = "CUSTOS_LOG", global = true)]
    pub log: Option<LogLevel>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up a new scheme: create the data folder and database, and load a policy pack
    Init {
        /// The policy pack (the scheme's rules) to start with
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Run the scheme: start the web server and keep running until stopped
    Serve,
    /// Try Custos: start a complete demonstration scheme on this computer
    ///
    /// Without --data, the demonstration scheme (database, footage, keys) lives in a new
    /// temporary folder that is deleted when the demo stops (Ctrl-C). With --data DIR it is
    /// kept in DIR (its keys beside it, in DIR-keys) and used again the next time. It prints
    /// the address, one account per role and what each needs at first sign-in, and records
    /// two simulated cameras.
    Demo {
        /// The policy pack to demonstrate [default: the primary school's]
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Seconds from one key frame to the next in the simulated cameras' video
        #[arg(long, value_name = "SECONDS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=60))]
        gop: u32,
    },
    /// Serve simulated cameras over RTSP (a synthetic picture with each camera's name and a
    /// running clock, in H.264), for trying and testing Custos
    Simcam {
        /// Where to listen
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8554")]
        listen: std::net::SocketAddr,
        /// How many cameras (served at /cam1 … /camN)
        #[arg(long, default_value_t = 2)]
        cameras: usize,
        /// Picture size, WIDTHxHEIGHT
        #[arg(long, value_name = "WxH", default_value = "1280x720")]
        size: String,
        /// Frames per second
        #[arg(long, default_value_t = 25)]
        fps: u32,
        /// Seconds from one key frame to the next
        #[arg(long, value_name = "SECONDS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=60))]
        gop: u32,
    },
    /// Upgrade the database to this version of Custos (never downgrades)
    Migrate,
    /// Check that the database and stored data are intact; report every problem found
    Check,
    /// Check, load and show policy packs (the scheme's rules as a file)
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Show the settings in force, after the file, environment and flags (passwords hidden)
    Config,
    /// Print the OpenAPI document of the JSON API (`/api/v1`) for this version
    Openapi,
    /// The ledger: the logbooks' tamper-evident record of everything done
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Retention: deleting footage at the end of its period, and the report that proves it
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Holds: footage kept past its retention for a stated reason until a stated date
    #[command(subcommand)]
    Hold(HoldCommand),
    /// Cases: subject access and other rights requests, FOI requests, disclosures,
    /// complaints, each moved on by its own steps
    #[command(subcommand)]
    Case(CaseCommand),
    /// Police requests to take partial or total control of the control room (BDC-25):
    /// recorded as they came in writing, agreed or refused by the owners' representative in
    /// their own name, and handed back
    #[command(subcommand, name = "police-control")]
    PoliceControl(PoliceControlCommand),
    /// Covert surveillance authorisations (LJM-4, LBU-11, BDC-16): recorded before any
    /// covert recording starts, approved by a justice (councils), reviewed, renewed and
    /// cancelled
    #[command(subcommand)]
    Covert(CovertCommand),
    /// The incident log (BDC-24, BDC-18): anything of note that may be useful as evidence,
    /// recorded, corrected with a reason (never edited), closed with its outcome,
    /// countersigned, its footage linked and held; the log as CSV or PDF. Writing in it
    /// needs --as USER, a person whose role the pack's [books.incident] names
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// The control-room visitors' log (LBU-12, BDC-23, BDC-7, BDC-18): visitors entered
    /// with the undertaking accepted, their time out, corrections, the supervisor's
    /// countersignature, and the log as CSV or PDF
    #[command(subcommand)]
    Visitor(VisitorCommand),
    /// The video print register (BDC-34): police officers' written authorities (Inspector
    /// or above), stills made from recorded footage under them (decoded by ffmpeg, never
    /// re-encoded), to whom each was given, the authorisation of its destruction and its
    /// destruction, and the register as CSV or PDF
    #[command(subcommand)]
    Print(PrintCommand),
    /// The list of installed equipment (BDC-37): cameras from the register with their
    /// details, recorders, monitors, links and other equipment entered, their removal and
    /// corrections, and the list as CSV or PDF
    #[command(subcommand)]
    Equipment(EquipmentCommand),
    /// The faults and maintenance log (LBU-16, BDC-19, ALT-15, SCC-8): each camera's
    /// scheduled checks, faults reported or found by the recorder, the contractor called,
    /// their response and the fix, corrections, each camera's next check and availability,
    /// and the log as CSV or PDF. Writing in it needs --as USER, a person whose role the
    /// pack's [books.maintenance] names
    #[command(subcommand)]
    Maintenance(MaintenanceCommand),
    /// Body-worn cameras (LBU-24): the device register, issuing a camera to an officer for
    /// the day or permanently with their acknowledgement, its return, and the issue and
    /// returns log as CSV or PDF. Writing in it needs --as USER, a person whose role the
    /// pack's [books.bwv] names
    #[command(subcommand)]
    Bodyworn(BodywornCommand),
    /// The deployment log of redeployable cameras (BDC-38, LJM-5): deployments recorded
    /// with their grounds, purpose, consultation and privacy restrictions, their signs and
    /// the camera going up and coming down, corrections, photos; the log as CSV or PDF
    #[command(subcommand)]
    Deployment(DeploymentCommand),
    /// The supervisor's checks (BDC-18): what each control-room book the person --as
    /// countersigns waits for, and marking a book checked (ledgered in that book)
    #[command(subcommand)]
    Checks(ChecksCommand),
    /// Produce an evidence package of cameras' footage over a time range: the master copy
    /// bit for bit, playable working copies, checksums signed with the scheme's key, and
    /// each segment's proof that it was recorded and sealed as it is (BDC-3, BDC-4, BDC-5)
    Export {
        /// A camera whose footage goes in (repeat for more)
        #[arg(long = "camera", value_name = "ID", required = true)]
        cameras: Vec<String>,
        /// From (UK time, e.g. 2026-11-20T09:00)
        #[arg(long, value_name = "TIME")]
        from: String,
        /// To (UK time)
        #[arg(long, value_name = "TIME")]
        to: String,
        /// The exhibit reference it is produced as
        #[arg(long)]
        exhibit: String,
        /// Who asked for it (name, rank or role, organisation)
        #[arg(long)]
        requester: String,
        /// Who authorises it, there at the console: an account whose role may authorise
        /// downloads where the cameras are ([authorise.download] in the pack, ALT-8). They
        /// type their own password and second-factor code. Where the pack needs more than
        /// one person, the others authorise with `custos download authorise`
        #[arg(long, value_name = "USER")]
        authoriser: String,
        /// Who receives it
        #[arg(long)]
        recipient: String,
        /// What it is released for
        #[arg(long)]
        purpose: String,
        /// The case it belongs to, if any
        #[arg(long = "case", value_name = "REF")]
        case_ref: Option<String>,
        /// The new folder to write the package into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Keep the scheme's own copy of this footage under this evidence class of the
        /// pack (a hold for the class's period: e.g. the master copy for three years, BDC-3)
        #[arg(long, value_name = "CLASS")]
        keep_as: Option<String>,
        /// Hand it over as one archive, DIR.tar.age, encrypted with a passphrase shown once
        /// here, to be sent separately (ALT-14); `age -d DIR.tar.age | tar -x` opens it
        #[arg(long)]
        encrypt: bool,
    },
    /// Evidence packages
    #[command(subcommand)]
    Package(PackageCommand),
    /// Third-party requests for footage (police, solicitors, courts, statutory bodies, HR,
    /// the media through the police, the NCA): documents, the release agreement, the
    /// authorisation, the release and the disclosure log (LBU-19, LBU-20, BDC-39)
    #[command(subcommand)]
    Disclosure(DisclosureCommand),
    /// The media register: physical media evidence leaves on, by unique reference (BDC-32)
    #[command(subcommand)]
    Media(MediaCommand),
    /// Downloads: requests for evidence packages, their authorisations, and what became of
    /// each copy — viewed, its destruction authorised, destroyed (the download log, ALT-8)
    #[command(subcommand)]
    Download(DownloadCommand),
    /// The scheme's signing key
    #[command(subcommand)]
    Key(KeyCommand),
    /// People who use Custos: accounts, passwords and roles
    #[command(subcommand)]
    User(UserCommand),
    /// Camera groups: where roles apply and which workstations may watch them
    #[command(subcommand)]
    Group(GroupCommand),
    /// The camera register: what each camera is, what it is for and how it is reached
    #[command(subcommand)]
    Camera(CameraCommand),
    /// Work out a deadline: the due date of a rule for something received on a date, with
    /// UK working days and bank holidays (see docs/ref/deadlines.md)
    Deadline {
        /// The rule as policy packs write it: working-days:N, calendar-days:N, month,
        /// months:N, hours:N, or earliest:RULE,RULE for whichever of two or more day rules
        /// falls first (e.g. earliest:calendar-days:30,month)
        #[arg(value_name = "RULE")]
        rule: custos_domain::DeadlineRule,
        /// When it was received: YYYY-MM-DD, or YYYY-MM-DDTHH:MM (UK time) for hours:N
        #[arg(value_name = "DATE")]
        date: String,
        /// Whose bank holidays count: england-wales, scotland or northern-ireland [default:
        /// the nation of the scheme's policy pack if there is a scheme in the data folder,
        /// else england-wales]
        #[arg(long, value_name = "NATION")]
        nation: Option<custos_domain::Nation>,
        /// Count a bank holiday in any part of the UK as a non-working day, as FOIA s10(6)
        /// does for Freedom of Information requests
        #[arg(long)]
        any_part_of_uk: bool,
    },
}

/// What a camera is, for `camera add` (all needed) and `camera edit` (only what changes).
#[derive(Debug, clap::Args)]
pub struct CameraFields {
    /// Its name for people, e.g. "Front gate"
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The site it is on (kebab case), e.g. bosmere
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// Where it is, e.g. "Above the main gate"
    #[arg(long, value_name = "TEXT")]
    pub location: Option<String>,
    /// What it covers, e.g. "The gate and the path to reception"
    #[arg(long, value_name = "TEXT")]
    pub area: Option<String>,
    /// fixed, ptz, body-worn, anpr, redeployable or vehicle
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// continuous, live-only, alarm-triggered or on-demand (LJM-1)
    #[arg(long, value_name = "MODE")]
    pub mode: Option<String>,
    /// A purpose of the scheme's pack it serves (repeat for several)
    #[arg(long = "purpose", value_name = "PURPOSE")]
    pub purposes: Vec<String>,
    /// A camera group it is in (repeat for several; `custos group list`)
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,
    /// The main stream, rtsp://[USER[:PASSWORD]@]HOST[:PORT]/PATH; a user name and password
    /// in it are taken out and stored encrypted
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// An H.264 substream for watching in a browser
    #[arg(long, value_name = "URL")]
    pub substream: Option<String>,
    /// tcp (default) or udp
    #[arg(long, value_name = "TRANSPORT")]
    pub transport: Option<String>,
    /// Read the camera's password from the first line of standard input (instead of
    /// writing it in the URL, where other users of this computer could see it)
    #[arg(long)]
    pub password_stdin: bool,
    /// Record sound: on or off (LJM-3); turning it on needs --audio-reason
    #[arg(long, value_name = "on|off")]
    pub audio: Option<String>,
    /// Why sound is approved (kept in the ledger)
    #[arg(long, value_name = "TEXT")]
    pub audio_reason: Option<String>,
    /// Days to keep its footage, if not the pack's default for its kind (never above the
    /// pack's maximum); `default` to go back to the default
    #[arg(long, value_name = "DAYS")]
    pub retention_days: Option<String>,
    /// 1 (recording paused last when the disk is full of held footage) to 9 (first); 5 by
    /// default
    #[arg(long, value_name = "1-9")]
    pub priority: Option<String>,
    /// The data protection impact assessment that covers it (BDC-9)
    #[arg(long, value_name = "REF")]
    pub dpia: Option<String>,
    /// The operational requirement it meets (BDC-9)
    #[arg(long, value_name = "TEXT")]
    pub requirement: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CameraCommand {
    /// Register a camera
    Add {
        /// The camera's id (kebab case), e.g. front-gate
        #[arg(value_name = "ID")]
        id: String,
        #[command(flatten)]
        fields: Box<CameraFields>,
    },
    /// List the cameras (add --retired to include retired ones)
    List {
        /// Include retired cameras
        #[arg(long)]
        retired: bool,
    },
    /// Change a camera; only the fields given change
    Edit {
        /// The camera's id
        #[arg(value_name = "ID")]
        id: String,
        #[command(flatten)]
        fields: Box<CameraFields>,
        /// Why (kept in the ledger)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Retire a camera (cameras are never deleted: their footage and history stay)
    Retire {
        /// The camera's id
        #[arg(value_name = "ID")]
        id: String,
        /// Why (kept in the ledger)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Register a camera group on a site
    Add {
        /// The group's id (kebab case), e.g. main-entrance
        #[arg(value_name = "ID")]
        id: String,
        /// The site its cameras are on (kebab case), e.g. school-a
        #[arg(long, value_name = "SITE")]
        site: String,
        /// Its name for people
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Client networks it may be watched from (CIDR, comma-separated), e.g.
        /// 10.20.0.0/24; leave out to allow anywhere (LJM-8)
        #[arg(long, value_name = "CIDR,...")]
        workstations: Option<String>,
    },
    /// List camera groups with their workstations
    List,
    /// Change the client networks a group may be watched from (LJM-8)
    Workstations {
        /// The group's id
        #[arg(value_name = "ID")]
        id: String,
        /// Client networks (CIDR, comma-separated), or `anywhere` to lift the restriction
        #[arg(value_name = "CIDR,...|anywhere")]
        networks: String,
        /// Why (kept in the ledger)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; prints a new random password unless --password-stdin is given
    Add {
        /// The user name (lower-case letters, digits, dots, hyphens), e.g. j.smith
        #[arg(value_name = "USERNAME")]
        username: String,
        /// The person's name, as logbooks should show it
        #[arg(long, value_name = "NAME")]
        name: String,
        /// A role, optionally where it applies: operator, manager@site:school-a,
        /// viewer@group:car-park (repeat for several)
        #[arg(long = "role", value_name = "ROLE[@SCOPE]", required = true)]
        roles: Vec<String>,
        /// Read the password from the first line of standard input instead
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every account with its roles
    List,
    /// Disable an account (accounts are never deleted)
    Disable {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
        /// Why (kept in the ledger)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Set where a person is told by e-mail of work waiting for them (a download to
    /// authorise), or remove it with --remove
    Email {
        /// The user name
        #[arg(value_name = "USER")]
        username: String,
        /// The address, e.g. j.smith@school.example
        #[arg(value_name = "ADDRESS", required_unless_present = "remove")]
        address: Option<String>,
        /// Remove the address: no more e-mail
        #[arg(long, conflicts_with = "address")]
        remove: bool,
    },
    /// Enable a disabled account again
    Enable {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
        /// Why (kept in the ledger)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Record an SIA licence (BDC-22): operators' rights need one in date where the
    /// scheme's pack requires it
    Licence {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
        /// The licence number as printed
        #[arg(long, value_name = "NUMBER")]
        number: String,
        /// The expiry date, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        expires: String,
    },
    /// Record a training course completed (BDC-11)
    Training {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
        /// The course's name
        #[arg(long, value_name = "NAME")]
        course: String,
        /// When it was completed, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        completed: String,
        /// When it needs renewing, YYYY-MM-DD, if it does
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
    },
    /// Mark someone absent for whole days, so the pack's deputies act for them (BDC-1)
    Absent {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
        /// The first day away, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        from: String,
        /// The last day away, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        until: String,
        /// Why (kept in the ledger), e.g. "annual leave"
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// End someone's absence now: they are back
    Back {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
    },
    /// Lift the lock on an account after too many refused sign-ins
    Unlock {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
        /// Why (kept in the ledger), e.g. how you confirmed it was them
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Set up an account's second factor at the console, with the person there: prints
    /// the secret for their authenticator app and reads a code from it to confirm
    SecondFactor {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
    },
    /// Remove an account's second factor (e.g. a lost phone); they set up a new one at
    /// their next sign-in
    ResetMfa {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
        /// Why (kept in the ledger), e.g. how you checked it was them
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Set a new password; prints a new random one unless --password-stdin is given
    Password {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
        /// Read the password from the first line of standard input instead
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give a person a role, optionally where it applies (ROLE or ROLE@SCOPE)
    Grant {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
        /// The role, e.g. supervisor or headteacher@site:school-a
        #[arg(value_name = "ROLE[@SCOPE]")]
        role: String,
    },
    /// Take a role away from a person
    Revoke {
        /// The user name
        #[arg(value_name = "USERNAME")]
        username: String,
        /// The role as granted, e.g. headteacher@site:school-a
        #[arg(value_name = "ROLE[@SCOPE]")]
        role: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Recompute every entry's hash and check the chain, the signed checkpoints and the
    /// witness files; exit 1 naming the first bad entry, or when no signature covers the
    /// ledger at all (unverified)
    Verify {
        /// Start at this entry instead of the first
        #[arg(long, value_name = "SEQ")]
        from: Option<i64>,
        /// Also compare with these witness lines (for example exported from the syslog
        /// server or HTTP endpoint the checkpoints were sent to); may be repeated
        #[arg(long = "witness", value_name = "FILE")]
        witnesses: Vec<PathBuf>,
    },
    /// Accept the ledger as it now stands, after a backup was restored or a verification
    /// failure was investigated: recorded with the reason, and signed into every witness
    /// (needs the signing key); the chain itself must be whole
    Accept {
        /// Why (kept in the ledger), e.g. "backup of 3/12 restored after the disk failed"
        #[arg(long)]
        reason: String,
    },
    /// List verification failures nobody has acknowledged yet
    Alarms,
    /// Acknowledge a verification failure, saying what was done (kept in the ledger)
    Acknowledge {
        /// The entry that records the failure (from `custos ledger alarms`)
        #[arg(value_name = "SEQ")]
        entry: i64,
        /// What was done about it: who was told, what was found
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
    /// Print the last entry's number and hash (to publish, e.g. in the annual report)
    Head,
    /// One person's shift on duty as one log (BDC-36): when they signed on and off and
    /// everything they did in between, from the logbooks
    Shift {
        /// Their user name
        #[arg(value_name = "USER")]
        user: String,
        /// A time within the shift (UK local time or RFC 3339); their latest shift if not
        /// given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Write one logbook (review, download, config, …) as CSV or JSON Lines
    Export {
        /// The logbook: review, download, disclosure, incident, visitors, duty, maintenance,
        /// media, video-prints, bwv, deployment, case, config, access, retention, recording,
        /// system
        #[arg(long, value_name = "BOOK")]
        book: String,
        /// First day (YYYY-MM-DD, UK time) or instant (RFC 3339) to include
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day (YYYY-MM-DD, UK time, included) or instant (RFC 3339, excluded)
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// csv: the logbook's columns as the code of practice names them; jsonl: every
        /// stored field of every entry, one JSON object per line
        #[arg(long, value_name = "FORMAT", default_value = "csv")]
        format: ExportFormat,
        /// Write to this file instead of the standard output
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Export formats.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Open a case as received
    Open {
        /// subject-access, erasure, objection, restriction, rectification, foi,
        /// disclosure, complaint or breach
        #[arg(long)]
        kind: String,
        /// The requester's name
        #[arg(long)]
        name: String,
        /// How to reach them (address or email)
        #[arg(long)]
        contact: String,
        /// What it is about, in a line
        #[arg(long)]
        summary: String,
        /// What they said: for footage of themselves, the date, time and place
        #[arg(long)]
        details: Option<String>,
        /// When it was received (UK day or time); now if not given. The deadline counts
        /// from here
        #[arg(long, value_name = "TIME")]
        received: Option<String>,
        /// How it came
        #[arg(long, default_value = "staff")]
        channel: String,
        /// For a request about footage of the requester: when they were there (UK time);
        /// footage an hour either side is searched, and held at once for a subject access
        /// or restriction request
        #[arg(long, value_name = "TIME", requires = "place")]
        seen: Option<String>,
        /// Where they were: a place the cameras cover (their location or area), or words
        /// naming it
        #[arg(long, requires = "seen")]
        place: Option<String>,
        /// For a complaint: when the incident complained of happened (UK time); a
        /// complaint after the pack's window for raising one is recorded as late, to be
        /// accepted or refused with a reason
        #[arg(long, value_name = "TIME")]
        incident: Option<String>,
    },
    /// List the open cases with their due dates (add --all for closed ones too)
    List {
        /// Include closed, withdrawn and converted cases
        #[arg(long)]
        all: bool,
    },
    /// Show a case: its state, due date, pauses, decision, holds, notes, documents, and
    /// what it allows next
    Show {
        /// The case's reference, e.g. SAR-2026-0007
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// Move a case on: await-identity, verify-identity, start, extend, decide, close,
    /// withdraw, convert-to-subject-access; for complaints also acknowledge, accept-late,
    /// appeal and decide-appeal
    Act {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// The action
        #[arg(value_name = "ACTION")]
        action: String,
        /// For `decide`: disclose, view-only, disclose-in-part, refuse, restrict, accept,
        /// answer, upheld, partly-upheld or not-upheld (the case's kind allows some); for
        /// `decide-appeal`: upheld or not-upheld
        #[arg(long)]
        decision: Option<String>,
        /// Why (extend, withdraw, accept-late, appeal: the grounds) or the decision's
        /// reasons (needed to refuse, restrict, disclose in part and answer a complaint)
        #[arg(long, value_name = "TEXT")]
        reasons: Option<String>,
        /// The footage to be disclosed shows other people (ALT-10)
        #[arg(long)]
        others_shown: bool,
        /// Why disclosing those others is reasonable (needed with --others-shown to
        /// disclose a copy)
        #[arg(long, value_name = "TEXT")]
        why_reasonable: Option<String>,
        /// Why the decision changes, when a response letter already stated the earlier
        /// one (a new response letter is then needed before closing)
        #[arg(long, value_name = "TEXT")]
        change_reason: Option<String>,
    },
    /// Add a note to a case
    Note {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// The note
        #[arg(value_name = "TEXT")]
        text: String,
    },
    /// Assign a person to work a case
    Assign {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Their user name
        #[arg(value_name = "USER")]
        user: String,
    },
    /// Hold footage for a case (BDC-28): it is kept past its retention until the case no
    /// longer needs it
    Hold {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// A camera (repeat for more)
        #[arg(long = "camera", value_name = "ID", required = true)]
        cameras: Vec<String>,
        /// Start of the footage (UK time or day)
        #[arg(long, value_name = "TIME")]
        from: String,
        /// End of the footage
        #[arg(long, value_name = "TIME")]
        to: String,
        /// The evidence class (the pack's `retention.class`), e.g. request-pending
        #[arg(long)]
        class: String,
        /// Who answers for the hold (a user name)
        #[arg(long, value_name = "USER")]
        owner: String,
    },
    /// Keep a document with a case (proof of identity, a letter of authority), encrypted
    Attach {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// The file
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Its media type
        #[arg(long, default_value = "application/octet-stream")]
        media_type: String,
    },
    /// Write a case's letter as the case stands: acknowledgement, extension or response.
    /// With --issue a PDF copy is kept with the case's documents (ledgered)
    Letter {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// acknowledgement, extension or response
        #[arg(value_name = "KIND")]
        kind: String,
        /// Write it here: a .pdf or .html file; plain text on standard output if not given
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Keep a PDF copy with the case's documents: the letter as sent
        #[arg(long)]
        issue: bool,
    },
    /// Record what a breach's notification to the ICO says (UK GDPR Art 33(3)); a part
    /// left out is "to follow"
    Breach {
        /// The breach's reference, e.g. BRE-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
        /// (a) What happened: how, when and where
        #[arg(long, value_name = "TEXT")]
        nature: Option<String>,
        /// (a) Whose data: e.g. "pupils and staff"
        #[arg(long, value_name = "TEXT")]
        people: Option<String>,
        /// (a) About how many people
        #[arg(long, value_name = "N")]
        people_count: Option<u64>,
        /// (a) What records: e.g. "recordings of the gate camera"
        #[arg(long, value_name = "TEXT")]
        records: Option<String>,
        /// (a) About how many records
        #[arg(long, value_name = "N")]
        records_count: Option<u64>,
        /// (c) The likely consequences for the people
        #[arg(long, value_name = "TEXT")]
        consequences: Option<String>,
        /// (d) What has been done or will be, including to limit the harm
        #[arg(long, value_name = "TEXT")]
        measures: Option<String>,
    },
    /// Print a breach's notification to the ICO as its record stands; with --pdf, write it
    /// as a PDF instead (once the ICO is notified, the copy as sent is also among the
    /// case's documents)
    Notification {
        /// The breach's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Write it to this file as a PDF
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
    },
}

/// `custos deployment …`
#[derive(Debug, Subcommand)]
pub enum DeploymentCommand {
    /// Record a deployment, kept by --as (a keeper of the deployment log)
    Record {
        /// Who records it
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The camera deployed, by id
        #[arg(long, value_name = "ID")]
        camera: String,
        /// Where: the street, building or site
        #[arg(long)]
        place: String,
        /// The map reference (grid reference or coordinates)
        #[arg(long, value_name = "REF")]
        map_reference: String,
        /// When it goes up (UK time or RFC 3339); now if not given
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// When it is to come down
        #[arg(long, value_name = "TIME")]
        until: String,
        /// crime-pattern, intelligence or both
        #[arg(long)]
        grounds: String,
        /// The analysis or intelligence: its reference and what it shows
        #[arg(long, value_name = "TEXT")]
        justification: String,
        /// One of the pack's deployment purposes, as worded there
        #[arg(long)]
        purpose: String,
        /// Who was consulted and how
        #[arg(
            long,
            value_name = "TEXT",
            conflicts_with = "not_consulted",
            required_unless_present = "not_consulted"
        )]
        consulted: Option<String>,
        /// Instead: why consulting those affected was not possible
        #[arg(long, value_name = "WHY")]
        not_consulted: Option<String>,
        /// The privacy restrictions at the site, or why none are needed
        #[arg(long, value_name = "TEXT")]
        privacy: String,
        /// Who authorised it: name and role
        #[arg(long, value_name = "WHO")]
        authorised_by: String,
    },
    /// List the deployments, newest first
    List,
    /// Show a deployment as it stands, with its corrections and documents
    Show {
        /// The deployment's reference, e.g. DEP-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// Record a step: its signs up (signs-up) or down (signs-down), or the camera taken
    /// down (removed), now or at --at
    Step {
        /// The deployment's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// signs-up, signs-down or removed
        #[arg(value_name = "STEP")]
        step: String,
        /// Who records it
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// When (UK time or RFC 3339); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Correct one detail: a new entry with the reason; the deployment as recorded stays
    Correct {
        /// The deployment's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who corrects it
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// place, map-reference, until, justification, consultation or privacy
        #[arg(long)]
        field: String,
        /// Its correct value (until: a UK time)
        #[arg(long)]
        value: String,
        /// Why
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Keep a photo of the signs or another document with a deployment, encrypted
    Document {
        /// The deployment's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who keeps it
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// signs-erected, signs-removed or other
        #[arg(long)]
        kind: String,
        /// The file
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Write the deployment log as CSV, in the code's columns
    Csv {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write the deployment log as a PDF
    Pdf {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `custos bodyworn …`
#[derive(Debug, Subcommand)]
pub enum BodywornCommand {
    /// The register of body-worn cameras
    #[command(subcommand)]
    Device(BwvDeviceCommand),
    /// Issue a camera to an officer, for the day (--daily) or permanently (--permanent),
    /// once they have read the acknowledgement and given their name (--acknowledged-by)
    Issue {
        /// Who issues it (a keeper of the log)
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The camera, by id
        #[arg(long, value_name = "ID")]
        device: String,
        /// The officer it is issued to, by name
        #[arg(long, value_name = "NAME")]
        officer: String,
        /// For the day: back by the end of the shift
        #[arg(
            long,
            conflicts_with = "permanent",
            required_unless_present = "permanent"
        )]
        daily: bool,
        /// Assigned to the officer permanently, until returned
        #[arg(long)]
        permanent: bool,
        /// When it was issued (UK time or RFC 3339); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The name the officer gives, accepting responsibility for the camera and its
        /// footage as the acknowledgement says
        #[arg(long, value_name = "NAME")]
        acknowledged_by: String,
    },
    /// Record a camera back, now or at --at
    Return {
        /// The issue's reference, e.g. BWV-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
        /// Who takes it back
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// When it came back (UK time or RFC 3339); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Write the issue and returns log as CSV, in the code's columns
    Csv {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write the register and the issue and returns log as a PDF
    Pdf {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `custos bodyworn device …`
#[derive(Debug, Subcommand)]
pub enum BwvDeviceCommand {
    /// Register a camera, with every detail
    Add {
        /// Who registers it (a keeper of the log)
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The id it is to be known by, e.g. bwv-07
        #[arg(long, value_name = "ID")]
        id: String,
        /// The maker's serial number
        #[arg(long)]
        serial: String,
        /// The make and model
        #[arg(long)]
        model: String,
        /// Who owns it: the organisation or department
        #[arg(long)]
        owner: String,
    },
    /// Retire a camera from use; it stays in the register and is never issued again
    Retire {
        /// The camera, by id
        #[arg(value_name = "ID")]
        id: String,
        /// Who retires it (a keeper of the log)
        #[arg(long = "as", value_name = "USER")]
        user: String,
    },
    /// List the register, with where each camera is now
    List,
}

/// `custos checks …`
#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// List what each book the person countersigns waits for, oldest first, and when it
    /// was last checked
    List {
        /// Whose checks: a user whose role countersigns a control-room book
        #[arg(long = "as", value_name = "USER")]
        user: String,
    },
    /// Mark a book checked now, in the name of the person --as (who countersigns it)
    Done {
        /// The book: incident, visitors, maintenance, video-prints, equipment, bwv or
        /// deployment
        #[arg(value_name = "BOOK")]
        book: String,
        /// Who checked it
        #[arg(long = "as", value_name = "USER")]
        user: String,
    },
}

/// `custos maintenance …`
#[derive(Debug, Subcommand)]
pub enum MaintenanceCommand {
    /// Record a camera's scheduled check by --as: a result for every item of the checklist
    /// (picture, time, focus, privacy-masks, signage); a failed item reports a fault
    Check {
        /// Who keeps the log for this entry (a user whose role keeps it)
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The camera checked
        #[arg(long, value_name = "ID")]
        camera: String,
        /// When it was checked (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// An item's result, `ITEM=pass` or `ITEM=fail: what is wrong` (repeat for each
        /// item)
        #[arg(long = "result", value_name = "ITEM=RESULT")]
        results: Vec<String>,
        /// Every item not given with --result passed
        #[arg(long)]
        all_pass: bool,
        /// Anything else worth noting
        #[arg(long, value_name = "TEXT", default_value = "")]
        note: String,
    },
    /// Report a fault on a camera by --as
    Fault {
        /// Who keeps the log for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The camera
        #[arg(long, value_name = "ID")]
        camera: String,
        /// What is wrong
        #[arg(long, value_name = "TEXT")]
        description: String,
        /// When it was noticed (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        noticed: Option<String>,
    },
    /// The maintenance contractor and a fault (BDC-19): called, responded, fixed
    Contractor {
        /// The fault's reference, e.g. FLT-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
        /// Who keeps the log for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
        #[command(subcommand)]
        event: ContractorEvent,
    },
    /// Correct one detail of a check or fault, with the reason: a new entry; what was
    /// recorded is kept
    Correct {
        /// The check's or fault's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who keeps the log for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The detail: for a check checked-at, picture, time, focus, privacy-masks,
        /// signage or note; for a fault noticed-at, description, contractor, job-reference,
        /// called-at, responded-at, response-note, fixed-at or work-done
        #[arg(long)]
        field: String,
        /// Its correct value (a time in UK time; a result as `pass` or `fail: …`)
        #[arg(long)]
        value: String,
        /// Why
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Each camera's next check and availability, and the faults open with the
    /// contractor's times
    List {
        /// The days availability is measured over
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
    /// One check or fault, with its corrections
    Show {
        /// The check's or fault's reference
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// Write the log as CSV (the columns the codes name)
    Csv {
        /// From this day (YYYY-MM-DD, UK time)
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Up to and including this day
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
        /// The file; standard output if not given
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write the log as a PDF
    Pdf {
        /// From this day (YYYY-MM-DD, UK time)
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Up to and including this day
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
        /// The file
        #[arg(short, long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// What happened with the contractor.
#[derive(Debug, Subcommand)]
pub enum ContractorEvent {
    /// The contractor was called to the fault
    Called {
        /// The contractor's name
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Their job reference
        #[arg(long, value_name = "REF", default_value = "")]
        job: String,
        /// When (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// The contractor responded
    Responded {
        /// When (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// What they said or did
        #[arg(long, value_name = "TEXT", default_value = "")]
        note: String,
    },
    /// The fault was fixed (by the contractor unless --by-staff)
    Fixed {
        /// The work done
        #[arg(long, value_name = "TEXT")]
        work: String,
        /// When (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The scheme's own staff fixed it, not the contractor
        #[arg(long)]
        by_staff: bool,
    },
}

/// `custos visitor …`
#[derive(Debug, Subcommand)]
pub enum VisitorCommand {
    /// Enter a visitor coming into the control room, kept by --as (a keeper of the log):
    /// the undertaking accepted on screen (--accepted with --typed-name) or signed on paper
    /// (--scan FILE)
    Arrive {
        /// Who keeps the log for this entry (a user whose role keeps it)
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The visitor's name
        #[arg(long)]
        name: String,
        /// The organisation or department they represent
        #[arg(long)]
        organisation: String,
        /// Why they visit
        #[arg(long)]
        purpose: String,
        /// Who authorised the visit, by name
        #[arg(long, value_name = "NAME")]
        authorised_by: String,
        /// Their role
        #[arg(long, value_name = "ROLE")]
        authoriser_role: String,
        /// When they came in (UK time); now if not given
        #[arg(long = "in", value_name = "TIME")]
        time_in: Option<String>,
        /// The visitor has read and accepted the scheme's undertaking (`custos visitor
        /// undertaking` prints it)
        #[arg(long)]
        accepted: bool,
        /// The name the visitor typed under it
        #[arg(long, value_name = "NAME")]
        typed_name: Option<String>,
        /// Instead: the scan of the undertaking the visitor signed on paper (kept encrypted)
        #[arg(long, value_name = "FILE", conflicts_with_all = ["accepted", "typed_name"])]
        scan: Option<PathBuf>,
        /// The scan's media type
        #[arg(long, default_value = "application/pdf")]
        media_type: String,
    },
    /// Print the undertaking visitors accept under the active pack
    Undertaking,
    /// Record the visitor of a visit leaving, now or at --at
    Leave {
        /// The visit's reference, e.g. VIS-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
        /// Who keeps the log for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// When they left (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// The visits, in order of time in
    List {
        /// From this day (YYYY-MM-DD, UK time)
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Up to and including this day
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
    },
    /// One visit, with its corrections
    Show {
        /// The visit's reference
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// Countersign a visit's authorisation (BDC-18), as --as (a countersigner of the log
    /// other than who recorded the visit)
    Countersign {
        /// The visit's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who countersigns
        #[arg(long = "as", value_name = "USER")]
        user: String,
    },
    /// Correct one detail of a visit, with the reason: a new entry; the visit as recorded
    /// is kept
    Correct {
        /// The visit's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who keeps the log for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The detail: name, organisation, purpose, authorised-by, authoriser-role, time-in
        /// or time-out
        #[arg(long)]
        field: String,
        /// Its correct value (a time in UK time)
        #[arg(long)]
        value: String,
        /// Why
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Write the log as CSV (the columns the codes name)
    Csv {
        /// From this day (YYYY-MM-DD, UK time)
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Up to and including this day
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
        /// The file; standard output if not given
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write the log as a PDF
    Pdf {
        /// From this day (YYYY-MM-DD, UK time)
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Up to and including this day
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
        /// The file
        #[arg(short, long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `custos print …`
#[derive(Debug, Subcommand)]
pub enum PrintCommand {
    /// Record a police officer's written authority for video prints, kept by --as (a
    /// keeper of the register): refused below Inspector
    Authority {
        /// Who keeps the register for this entry (a user whose role keeps it)
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The officer's name
        #[arg(long, value_name = "NAME")]
        officer: String,
        /// Their rank: inspector, chief-inspector, superintendent, chief-superintendent,
        /// commander, assistant-chief-constable, deputy-assistant-commissioner,
        /// deputy-chief-constable, assistant-commissioner, chief-constable,
        /// deputy-commissioner or commissioner
        #[arg(long)]
        rank: String,
        /// Their warrant or collar number
        #[arg(long, value_name = "NUMBER")]
        number: String,
        /// Their force
        #[arg(long)]
        force: String,
        /// What it asks for, and why
        #[arg(long, value_name = "TEXT")]
        request: String,
        /// The day it is dated (YYYY-MM-DD)
        #[arg(long, value_name = "DAY")]
        dated: String,
        /// The written authority (a scan of the signed request, or the e-mail), kept
        /// encrypted
        #[arg(long, value_name = "FILE")]
        document: PathBuf,
    },
    /// Make a print under a written authority: the last recorded frame of a camera at or
    /// before a moment, decoded by ffmpeg (which must be installed)
    Make {
        /// Who keeps the register for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The written authority's reference, e.g. VPA-2026-0001
        #[arg(long, value_name = "REF")]
        authority: String,
        /// The camera's id
        #[arg(long, value_name = "ID")]
        camera: String,
        /// The moment (UK time, e.g. 2026-11-20T09:14:07)
        #[arg(long, value_name = "TIME")]
        at: String,
    },
    /// Record to whom a print was given
    Give {
        /// The print's reference, e.g. VP-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
        /// Who keeps the register for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// Their name
        #[arg(long, value_name = "NAME")]
        to: String,
        /// Their organisation
        #[arg(long)]
        organisation: String,
        /// When (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Authorise a print's destruction, as --as (a countersigner of the register)
    AuthoriseDestruction {
        /// The print's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who authorises
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// Why it may be destroyed
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Record a print's destruction, once authorised: its still and sidecar are deleted
    Destroy {
        /// The print's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who keeps the register for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
    },
    /// Correct to whom a print was given (a new entry), or with --authority a detail of a
    /// written authority
    Correct {
        /// The print's reference, or with --authority the authority's
        #[arg(value_name = "REF")]
        reference: String,
        /// Who keeps the register for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// Correct a written authority instead of a print
        #[arg(long)]
        authority: bool,
        /// The detail: given-to, given-to-organisation or given-at; for an authority,
        /// officer-name, officer-rank, officer-number, force, request or dated
        #[arg(long)]
        field: String,
        /// Its correct value (a time in UK time, a day as YYYY-MM-DD, a rank by its id)
        #[arg(long)]
        value: String,
        /// Why
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// The prints, in order of making
    List,
    /// The written authorities
    Authorities,
    /// The prints kept until their destruction, those whose destruction is authorised
    /// first
    Awaiting,
    /// One print or written authority
    Show {
        /// A print's reference (VP-…) or a written authority's (VPA-…)
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// Write a print's still (PNG) to a file, as --as (a keeper or countersigner of the
    /// register); ledgered
    Still {
        /// The print's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who takes it
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The file
        #[arg(short, long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write what a print was made from (its sidecar, JSON)
    Sidecar {
        /// The print's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// The file; standard output if not given
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write the register as CSV (the columns the code names)
    Csv {
        /// The file; standard output if not given
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write the register as a PDF
    Pdf {
        /// The file
        #[arg(short, long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `custos equipment …`
#[derive(Debug, Subcommand)]
pub enum EquipmentCommand {
    /// Enter a recorder, monitor, link or other equipment, or (--kind camera --camera ID) a
    /// registered camera's details, kept by --as (a keeper of the list)
    Enter {
        /// Who keeps the list for this entry (a user whose role keeps it)
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// recorder, monitor, link, other, or camera (with --camera)
        #[arg(long)]
        kind: String,
        /// For a camera's details: the camera's id in the register
        #[arg(long, value_name = "ID")]
        camera: Option<String>,
        /// Make and model
        #[arg(long, value_name = "TEXT")]
        make_model: String,
        /// Serial number ("none" if it has none)
        #[arg(long, value_name = "TEXT")]
        serial: String,
        /// Where it is installed (a camera's place is the register's unless given)
        #[arg(long, default_value = "")]
        location: String,
        /// The day it was installed (YYYY-MM-DD)
        #[arg(long, value_name = "DAY")]
        installed: String,
        /// Notes
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Record the removal of equipment: a new entry
    Remove {
        /// The entry's reference, e.g. EQ-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
        /// Who keeps the list for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The day it was removed (YYYY-MM-DD)
        #[arg(long, value_name = "DAY")]
        on: String,
        /// Why
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Correct one detail of an entry, with the reason: a new entry; the entry as made is
    /// kept
    Correct {
        /// The entry's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who keeps the list for this entry
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The detail: make-model, serial-number, location, installed-on, removed-on or notes
        #[arg(long)]
        field: String,
        /// Its correct value (a day as YYYY-MM-DD)
        #[arg(long)]
        value: String,
        /// Why
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// The list: the register's cameras with their details, then the other equipment
    List,
    /// One entry, with its removal and corrections
    Show {
        /// The entry's reference
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// Write the list as CSV (the columns the code names)
    Csv {
        /// The file; standard output if not given
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write the list as a PDF
    Pdf {
        /// The file
        #[arg(short, long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `custos police-control …`
#[derive(Debug, Subcommand)]
pub enum PoliceControlCommand {
    /// Record a police request to take control, as it came in writing
    Request {
        /// What it is about, in a line
        #[arg(long)]
        summary: String,
        /// The requesting officer's name
        #[arg(long)]
        officer: String,
        /// Their rank: constable, sergeant, inspector, chief-inspector, superintendent,
        /// chief-superintendent, assistant-chief-constable, deputy-chief-constable or
        /// chief-constable (partial control needs an inspector or above, total control an
        /// assistant-chief-constable or above)
        #[arg(long)]
        rank: String,
        /// Their warrant or collar number
        #[arg(long)]
        number: String,
        /// Their force
        #[arg(long)]
        force: String,
        /// partial or total (total takes every camera and the control room)
        #[arg(long)]
        control: String,
        /// A camera the police ask to control (partial control; repeat for more)
        #[arg(long = "camera", value_name = "ID")]
        cameras: Vec<String>,
        /// Why, as the request states it
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// The written request as received (kept with the case, encrypted)
        #[arg(long, value_name = "FILE")]
        written: PathBuf,
        /// Its media type
        #[arg(long, default_value = "text/plain")]
        media_type: String,
        /// When it came (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        received: Option<String>,
    },
    /// The owners' representative agrees, in their own name: control starts now or at --at
    Agree {
        /// The case's reference, e.g. POL-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
        /// The representative (a user holding a role the pack names for police control)
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// When control starts (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// The owners' representative refuses, with the reasons
    Refuse {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// The representative
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// Why
        #[arg(long, value_name = "TEXT")]
        reasons: String,
    },
    /// The police withdraw the request before it is answered
    Withdraw {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Why
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// The police hand control back, now or at --at
    HandBack {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// When (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Show a request: the officer, type, cameras, agreement, period and what was done
    /// under control (the case's notes made during it)
    Show {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
    },
}

/// `custos incident …`
#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Record an incident in the log, in the name of the person --as
    Record {
        /// Who records it: a user whose role keeps the incident log ([books.incident] keep)
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// When it happened (UK time, e.g. 2026-11-20T09:00, or RFC 3339); now if not given
        #[arg(long, value_name = "TIME")]
        occurred: Option<String>,
        /// A camera that saw it, by id (repeat for more; none if no camera saw it)
        #[arg(long = "camera", value_name = "ID")]
        cameras: Vec<String>,
        /// Where: the street, building or area
        #[arg(long)]
        place: String,
        /// What was seen
        #[arg(long, value_name = "TEXT")]
        seen: String,
        /// Who saw it
        #[arg(long, value_name = "NAME")]
        seen_by: String,
        /// The police reference, when it was reported to the police
        #[arg(long, value_name = "REF", default_value = "")]
        police_reference: String,
        /// The action taken
        #[arg(long = "action", value_name = "TEXT")]
        action_taken: String,
        /// How it ended, when that is known already (the incident stays open without it)
        #[arg(long, value_name = "TEXT", default_value = "")]
        outcome: String,
    },
    /// List the incidents, newest first, open ones marked
    List {
        /// Only the open incidents: those without an outcome
        #[arg(long)]
        open: bool,
    },
    /// Show an incident as it stands, with its corrections, footage, links and statements
    Show {
        /// The incident's reference, e.g. INC-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
    },
    /// Correct an incident: a new entry naming the one it corrects, with the reason; only
    /// the fields given change (a countersigned entry must be countersigned again)
    Correct {
        /// The incident's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who corrects it: a user whose role keeps the incident log
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// Why it is corrected (required; kept in the ledger)
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// When it happened (UK time)
        #[arg(long, value_name = "TIME")]
        occurred: Option<String>,
        /// The cameras that saw it, all of them (repeat); replaces those recorded
        #[arg(long = "camera", value_name = "ID")]
        cameras: Vec<String>,
        /// Where
        #[arg(long)]
        place: Option<String>,
        /// What was seen
        #[arg(long, value_name = "TEXT")]
        seen: Option<String>,
        /// Who saw it
        #[arg(long, value_name = "NAME")]
        seen_by: Option<String>,
        /// The police reference (empty to say it was not reported)
        #[arg(long, value_name = "REF")]
        police_reference: Option<String>,
        /// The action taken
        #[arg(long = "action", value_name = "TEXT")]
        action_taken: Option<String>,
        /// The outcome of a closed incident (an open one gets it with `custos incident
        /// outcome`)
        #[arg(long, value_name = "TEXT")]
        outcome: Option<String>,
    },
    /// Record the outcome of an open incident, which closes it
    Outcome {
        /// The incident's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who records it: a user whose role keeps the incident log
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// How it ended
        #[arg(long, value_name = "TEXT")]
        outcome: String,
    },
    /// Countersign an incident as it stands (BDC-18), in the name of the person --as
    Countersign {
        /// The incident's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who countersigns: a user whose role countersigns the incident log
        /// ([books.incident] countersign), not who recorded it
        #[arg(long = "as", value_name = "USER")]
        user: String,
    },
    /// Link footage to an incident: it is held from now under an evidence class of the pack
    LinkFootage {
        /// The incident's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who links it: a user whose role keeps the incident log
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// A camera whose footage is linked (repeat for more)
        #[arg(long = "camera", value_name = "ID", required = true)]
        cameras: Vec<String>,
        /// From (UK time)
        #[arg(long, value_name = "TIME")]
        from: String,
        /// To (UK time)
        #[arg(long, value_name = "TIME")]
        to: String,
        /// The pack's evidence class to hold it under; the pack's investigation-hold,
        /// evidential or evidence-master-copy (the first it has) if not given
        #[arg(long, value_name = "CLASS")]
        class: Option<String>,
    },
    /// Link a review or a download of footage to an incident, by its id (a review's id is
    /// in the review log; a download's is its reference, e.g. D3f9a1c2b7e)
    Link {
        /// The incident's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who links it: a user whose role keeps the incident log
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The review to link
        #[arg(
            long,
            value_name = "ID",
            conflicts_with = "download",
            required_unless_present = "download"
        )]
        review: Option<String>,
        /// The download to link
        #[arg(long, value_name = "ID")]
        download: Option<String>,
    },
    /// Keep the witness statement (BDC-18) of the person --as with an incident, encrypted
    /// like a case document; it cannot be changed once kept
    Statement {
        /// The incident's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Whose statement it is: a user whose role keeps the incident log
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// A text file holding the statement (`-` reads it from standard input)
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Its title
        #[arg(long, default_value = "Witness statement")]
        name: String,
    },
    /// Write the incident log as CSV, in the code's columns
    Csv {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write the incident log as a PDF
    Pdf {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// What `custos covert open` records.
#[derive(Debug, clap::Args)]
pub struct CovertOpen {
    /// What it is about, in a line, without names
    #[arg(long)]
    pub summary: String,
    /// directed or intrusive
    #[arg(long)]
    pub surveillance: String,
    /// Who authorised it: scheme, police or local-authority
    #[arg(long)]
    pub body: String,
    /// The police force or council (not for the scheme's own)
    #[arg(long, default_value = "")]
    pub organisation: String,
    /// The force's unique reference number (police only)
    #[arg(long)]
    pub urn: Option<String>,
    /// How it was given: written or urgent-oral
    #[arg(long, default_value = "written")]
    pub route: String,
    /// A RIPA ground (repeat for more)
    #[arg(long = "ground", value_name = "GROUND")]
    pub grounds: Vec<String>,
    /// The crime threshold (a council's directed surveillance)
    #[arg(long)]
    pub crime_threshold: Option<String>,
    /// The rationale or reasons
    #[arg(long, value_name = "TEXT")]
    pub rationale: String,
    /// The scheme's own: its time limit (UK time)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// The authorising officer, with rank or post (the scheme's own: the person --as)
    #[arg(long, default_value = "")]
    pub authorised_by: String,
    /// A camera it covers (repeat for more)
    #[arg(long = "camera", value_name = "ID", required = true)]
    pub cameras: Vec<String>,
    /// The areas or places it concerns
    #[arg(long)]
    pub areas: String,
    /// A member of its team (a user name; repeat for more)
    #[arg(long = "team", value_name = "USER", required = true)]
    pub team: Vec<String>,
    /// When it was granted (UK time); now if not given
    #[arg(long, value_name = "TIME")]
    pub granted: Option<String>,
    /// The first review's day (YYYY-MM-DD)
    #[arg(long, value_name = "DAY")]
    pub first_review: String,
    /// Who records it: for the scheme's own, a user acting in a role the pack names
    /// for covert recording, in their own name
    #[arg(long = "as", value_name = "USER")]
    pub user: Option<String>,
}

/// `custos covert …`
#[derive(Debug, Subcommand)]
pub enum CovertCommand {
    /// Record an authorisation: the scheme's own, or one the police or a council gave
    /// under RIPA
    Open(Box<CovertOpen>),
    /// Record a justice of the peace's approval of a council's authorisation
    ApproveJudicially {
        /// The case's reference, e.g. COV-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
        /// When the justice approved it (UK time); now if not given
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Record a review, with the next review's day
    Review {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// What the review found
        #[arg(long, value_name = "TEXT")]
        findings: String,
        /// The next review's day (YYYY-MM-DD)
        #[arg(long, value_name = "DAY")]
        next_review: String,
    },
    /// Record a renewal before it expires
    Renew {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Why it is still necessary and proportionate
        #[arg(long, value_name = "TEXT")]
        reasons: String,
        /// A council's renewal: when a justice approved it (UK time)
        #[arg(long, value_name = "TIME")]
        approved: Option<String>,
        /// The scheme's own: its new time limit (UK time)
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// The next review's day, if set now
        #[arg(long, value_name = "DAY")]
        next_review: Option<String>,
    },
    /// Cancel it, with the reason; its team is told
    Cancel {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Why
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DisclosureCommand {
    /// Open a third-party request as received; the footage it names is held at once
    Open {
        /// Who asks: law-enforcement, national-crime-agency, prosecuting-body,
        /// legal-representative, court-order, statutory-body, hr-discipline or media
        #[arg(long)]
        category: String,
        /// A secondary request: for any purpose but evidence or crime (BDC-39); the media's
        /// always are
        #[arg(long)]
        secondary: bool,
        /// The requester's name (officer, solicitor…)
        #[arg(long)]
        name: String,
        /// How to reach them
        #[arg(long)]
        contact: String,
        /// Their organisation (force, firm, body, department)
        #[arg(long)]
        organisation: String,
        /// What the images are for, as the request states it
        #[arg(long)]
        purpose: String,
        /// The crime reference (for the NCA its case or operation reference)
        #[arg(long, value_name = "REF")]
        crime_ref: Option<String>,
        /// A camera asked for (repeat for more)
        #[arg(long = "camera", value_name = "ID", required = true)]
        cameras: Vec<String>,
        /// Start of the footage (UK time)
        #[arg(long, value_name = "TIME")]
        from: String,
        /// End of the footage (UK time)
        #[arg(long, value_name = "TIME")]
        to: String,
        /// When it was received (UK day or time); now if not given
        #[arg(long, value_name = "TIME")]
        received: Option<String>,
        /// How it came
        #[arg(long, default_value = "staff")]
        channel: String,
    },
    /// Show a disclosure: the request, its documents, the agreement, the authorisation,
    /// the releases, and what a release still needs
    Show {
        /// The case's reference, e.g. DIS-2026-0003
        #[arg(value_name = "REF")]
        reference: String,
        /// Say what the release needs if this person authorised it
        #[arg(long, value_name = "USER")]
        authoriser: Option<String>,
    },
    /// Record the crime reference the officer quoted
    CrimeRef {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// The crime reference
        #[arg(value_name = "CRIME-REF")]
        crime_ref: String,
    },
    /// Keep a document with a disclosure, by what it is
    Document {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// police-request-form, letter-of-authority, subject-identity, court-order,
        /// statutory-notice, disciplinary-request, inspector-agreement or
        /// release-agreement (a signed paper one)
        #[arg(long)]
        kind: String,
        /// The file
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Its media type
        #[arg(long, default_value = "application/pdf")]
        media_type: String,
    },
    /// Record the public-interest test of a secondary request (BDC-39)
    PublicInterest {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Why releasing these images serves the public, and why that outweighs the
        /// privacy of those shown
        #[arg(value_name = "TEXT")]
        text: String,
    },
    /// Print the release agreement for the recipient to read; with --accept, record that
    /// they accepted it (LBU-21, BDC-31)
    Agreement {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// The recipient's name, as they sign
        #[arg(long)]
        recipient: String,
        /// The recipient's organisation
        #[arg(long)]
        organisation: String,
        /// The recipient has read and accepts it
        #[arg(long)]
        accept: bool,
    },
    /// Authorise the release: the person must hold a role the pack names for the category
    /// ([authorise.disclosure.CATEGORY]) and every document must be in
    Authorise {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Who authorises it (a user name)
        #[arg(long, value_name = "USER")]
        authoriser: String,
        /// The legal basis for the log [default: the category's usual one]
        #[arg(long, value_name = "BASIS")]
        legal_basis: Option<String>,
    },
    /// Release an authorised disclosure: an evidence package of its footage, written to
    /// the disclosure log
    Release {
        /// The case's reference
        #[arg(value_name = "REF")]
        reference: String,
        /// The exhibit reference it is produced as
        #[arg(long)]
        exhibit: String,
        /// The new folder to write the package into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Hand it over as DIR.tar.age, encrypted with a passphrase shown once (ALT-14)
        #[arg(long)]
        encrypt: bool,
    },
    /// The disclosure log (LBU-20): every hand-over, as a table or CSV
    Log {
        /// From (UK day or time)
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// To (UK day or time)
        #[arg(long, value_name = "TIME")]
        to: Option<String>,
        /// Write CSV to this file (`-` for standard output)
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Register a physical medium carrying a package, delivered now; prints the unique
    /// reference to write on it
    Issue {
        /// The package on it (its id, from custody.json or `custos disclosure show`)
        #[arg(long, value_name = "ID")]
        package: String,
        /// What it is, e.g. "encrypted USB stick, exhibit JS/1"
        #[arg(long)]
        description: String,
        /// The officer or person it is delivered to
        #[arg(long = "to", value_name = "NAME")]
        issued_to: String,
        /// Their organisation
        #[arg(long)]
        organisation: String,
        /// The case it was made for
        #[arg(long = "case", value_name = "REF")]
        case_ref: Option<String>,
        /// Remarks
        #[arg(long, default_value = "")]
        remarks: String,
    },
    /// Record that a medium came back
    Returned {
        /// Its reference, e.g. MED-2026-0001
        #[arg(value_name = "REF")]
        reference: String,
        /// Remarks
        #[arg(long, default_value = "")]
        remarks: String,
    },
    /// Record that a medium was erased or destroyed
    Erased {
        /// Its reference
        #[arg(value_name = "REF")]
        reference: String,
        /// Remarks
        #[arg(long, default_value = "")]
        remarks: String,
    },
    /// List the register
    List,
}

#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// Check a package offline, without the scheme's database: every file against
    /// SHA256SUMS, the scheme's signature, each master segment's proof, and that each
    /// working copy holds exactly the master's pictures; names the file on any mismatch
    Verify {
        /// The package's folder
        #[arg(value_name = "PATH")]
        path: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Delete the footage that is past its retention now (a running server does this every
    /// hour); needs the footage folder to itself, so stop the server first
    Sweep,
    /// Each camera's retention, its oldest and newest footage, holds and recent deletions;
    /// cameras keeping footage longer than they may are flagged (BJS-4)
    Report {
        /// table, csv or json
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// Count deletions over this many past days
        #[arg(long, value_name = "DAYS", default_value_t = 30)]
        days: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned columns, for people.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// JSON, for programs.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum HoldCommand {
    /// Hold footage past its retention (LBU-17, BDC-28)
    Place {
        /// A camera whose footage is held (repeat for more)
        #[arg(long = "camera", value_name = "ID", required = true)]
        cameras: Vec<String>,
        /// Start of the footage: UK time YYYY-MM-DDTHH:MM, or RFC 3339
        #[arg(long, value_name = "TIME")]
        from: String,
        /// End of the footage
        #[arg(long, value_name = "TIME")]
        to: String,
        /// The evidence class (the pack's `retention.class`), which sets the longest expiry
        #[arg(long, value_name = "CLASS")]
        class: String,
        /// Why the footage is kept
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Who answers for the hold (a user name)
        #[arg(long, value_name = "USER")]
        owner: String,
        /// An earlier expiry than the class gives (UK day YYYY-MM-DD or time)
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// A case or incident reference
        #[arg(long = "case", value_name = "REF")]
        case_ref: Option<String>,
    },
    /// List the holds in force (add --all for released and expired ones too)
    List {
        /// Include released and expired holds
        #[arg(long)]
        all: bool,
    },
    /// Release a hold now: its footage goes at the next sweep if it is past retention;
    /// needs someone who may authorise deleting retained footage (ALT-8, LJM-9)
    Release {
        /// The hold's id
        #[arg(value_name = "ID")]
        id: String,
        /// Why (kept in the ledger)
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// The person who authorised it (a user name holding authorise-deletion)
        #[arg(long, value_name = "USER")]
        authorised_by: String,
    },
    /// Bring a hold's expiry forward; authorised as for release
    Shorten {
        /// The hold's id
        #[arg(value_name = "ID")]
        id: String,
        /// The new expiry (UK day YYYY-MM-DD or time)
        #[arg(long, value_name = "TIME")]
        until: String,
        /// Why (kept in the ledger)
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// The person who authorised it (a user name holding authorise-deletion)
        #[arg(long, value_name = "USER")]
        authorised_by: String,
    },
}

/// `custos download …`
#[derive(Debug, Subcommand)]
pub enum DownloadCommand {
    /// List downloads, those not yet made first, with who must still authorise them
    List,
    /// Authorise a download in your own name, there at the console (your password and
    /// second-factor code are asked for)
    Authorise {
        /// The download's id (D…)
        #[arg(value_name = "ID")]
        id: String,
        /// Your user name
        #[arg(long = "as", value_name = "USER")]
        user: String,
    },
    /// Make the package of an authorised download
    Make {
        /// The download's id (D…)
        #[arg(value_name = "ID")]
        id: String,
        /// The new folder to write the package into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Record when the recipient viewed the copy
    Viewed {
        /// The download's id (D…)
        #[arg(value_name = "ID")]
        id: String,
        /// When (UK time, e.g. 2026-11-20T09:00)
        #[arg(long, value_name = "TIME")]
        at: String,
        /// A note, e.g. who viewed it
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Authorise destroying the copy in your own name: the holds kept for it are released
    Destroy {
        /// The download's id (D…)
        #[arg(value_name = "ID")]
        id: String,
        /// Your user name (someone who may authorise deleting retained footage)
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// Why (kept in the ledger)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Record when the copy was destroyed
    Destroyed {
        /// The download's id (D…)
        #[arg(value_name = "ID")]
        id: String,
        /// When (UK time)
        #[arg(long, value_name = "TIME")]
        at: String,
        /// How, e.g. "USB stick shredded"
        #[arg(long, default_value = "")]
        how: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// JSON Lines.
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Print the public half of the scheme's signing key, also in OpenSSH format
    Show,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check policy pack files and list every problem with its line and column
    Validate {
        /// The pack files to check
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Check a policy pack and make it the scheme's rules (earlier versions are kept)
    Load {
        /// The pack file to load
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Show the scheme's rules in force (or an earlier version) in plain words
    Show {
        /// Show this stored version instead of the one in force
        #[arg(long, value_name = "N")]
        version: Option<i64>,
    },
    /// List every version of the rules ever loaded, when and by whom
    History,
}

impl Cli {
    /// The configuration overrides given by flags or environment variables.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.global.data_dir.clone(),
            key_dir: self.global.key_dir.clone(),
            database_url: self.global.database_url.clone(),
            listen: self.global.listen,
            log: self.global.log,
        }
    }
}
