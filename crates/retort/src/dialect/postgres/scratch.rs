//! Scratch databases: a temporary database on the same server, created for one job (loading the
//! desired schema, verifying migrations) and dropped afterwards, even when the job fails.

use super::PostgresDriver;
use crate::driver::{DbError, Driver};

/// A temporary database and a connection to it; dropped (`WITH (FORCE)`) when this goes away.
pub struct ScratchDatabase {
    admin: PostgresDriver<'static>,
    name: String,
    /// The connection to the scratch database.
    pub driver: Option<PostgresDriver<'static>>,
}

impl ScratchDatabase {
    /// Creates `retort_scratch_<random>` on the server of `url`.
    pub fn create(url: &str) -> Result<ScratchDatabase, DbError> {
        let mut admin = PostgresDriver::connect(url)?;
        let name = format!("retort_scratch_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        admin.execute(&format!("CREATE DATABASE {name}")).map_err(|mut e| {
            e.hint = Some(format!(
                "retort builds the desired schema in a temporary database and needs the CREATEDB privilege on this server ({}); grant it, or point [schema] dev_url at a server where it may",
                e.message
            ));
            e.message = "cannot create a temporary database for the desired schema".into();
            e
        })?;
        let driver = PostgresDriver::connect_to(url, Some(&name));
        let mut scratch = ScratchDatabase { admin, name, driver: None };
        scratch.driver = Some(driver?);
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
        let _ = self.admin.execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}
