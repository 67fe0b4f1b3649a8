//! `stillpoint deploy`: publishes the built site to the owner's host (a folder, SFTP, FTP or a
//! git branch), sending only what changed, in an order that never shows a visitor a broken page.

pub mod remote;
#[cfg(feature = "sftp")]
pub mod sftp;
#[cfg(feature = "ftp")]
pub mod ftp;

pub use remote::{ConnectOptions, DeployError, Remote};
