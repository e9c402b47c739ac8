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
    /// Folder holding this scheme's database, keys and footage [default: ./custos-data]
    #[arg(long = "data", value_name = "DIR", env = "CUSTOS_DATA", global = true)]
    pub data_dir: Option<PathBuf>,

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
    Demo {
        /// The policy pack to demonstrate [default: the primary school's]
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
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
            database_url: self.global.database_url.clone(),
            listen: self.global.listen,
            log: self.global.log,
        }
    }
}
