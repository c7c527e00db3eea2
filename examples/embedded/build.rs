// Rebuild when a migration is added, edited or removed (embed_migrations! refuses to compile
// without this).
fn main() {
    retort_files::build::watch("../crewai/migrations");
}
