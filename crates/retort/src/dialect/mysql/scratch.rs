//! Scratch databases: a temporary database on the same server, created for one job (loading the
//! desired schema) and dropped afterwards, even when the job fails. It takes the default
//! character set and collation of the database it stands in for, so that a server's default
//! (`utf8mb4_0900_ai_ci`, `utf8mb4_general_ci`, `uca1400` on MariaDB 11) never shows up as a
//! difference.

use super::MysqlDriver;
use crate::driver::{DbError, Driver};

/// A temporary database and a connection to it; dropped when this goes away.
pub struct ScratchDatabase {
    admin: MysqlDriver<'static>,
    name: String,
    /// The connection to the scratch database.
    pub driver: Option<MysqlDriver<'static>>,
}

impl ScratchDatabase {
    /// Creates `retort_scratch_<random>` on the server of `url`, with the defaults of `url`'s
    /// database.
    pub fn create(url: &str) -> Result<ScratchDatabase, DbError> {
        let mut admin = MysqlDriver::connect(url)?;
        let (charset, collation) = super::inspect::database_defaults(&mut admin)?;
        let name = format!("retort_scratch_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let sql = format!(
            "CREATE DATABASE `{name}` CHARACTER SET {} COLLATE {}",
            crate::dialect::Dialect::Mysql.quote_ident(&charset),
            crate::dialect::Dialect::Mysql.quote_ident(&collation)
        );
        admin.execute(&sql).map_err(|mut e| {
            e.hint = Some(format!(
                "retort builds the desired schema in a temporary database and needs the CREATE and DROP privileges on `retort_scratch_%` databases ({}); grant them, or point [schema] dev_url at a server where it may",
                e.message
            ));
            e.message = "cannot create a temporary database for the desired schema".into();
            e
        })?;
        let mut scratch = ScratchDatabase { admin, name, driver: None };
        scratch.driver = Some(MysqlDriver::connect_to(url, Some(&scratch.name))?);
        Ok(scratch)
    }

    /// The temporary database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        self.driver = None;
        let _ = self.admin.execute(&format!("DROP DATABASE IF EXISTS `{}`", self.name));
    }
}
