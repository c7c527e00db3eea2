//! Importing another tool's migration history into a retort project.

pub mod alembic;
