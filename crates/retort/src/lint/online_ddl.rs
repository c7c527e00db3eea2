//! How MySQL and MariaDB run an `ALTER TABLE`: INSTANT (metadata only), INPLACE without a
//! rebuild, INPLACE with a rebuild (every row rewritten, writes continue), in place with writes
//! blocked, or COPY (a new table filled row by row while writes wait). The rules are data, one row
//! per kind of clause, with the server version from which each algorithm applies (the MySQL 8.0 and
//! 8.4 reference manuals' online DDL tables; MariaDB's knowledge base on InnoDB online DDL, where
//! INSTANT column changes arrived in 10.3 and 10.4); a statement runs with the
//! most costly algorithm among its clauses.

use std::fmt;

/// How the server runs a clause, from cheapest to costliest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Algorithm {
    /// Metadata only.
    Instant,
    /// In place, no table rebuild; reads and writes continue (an index build, say).
    InplaceNoRebuild,
    /// In place with a table rebuild: every row is rewritten; reads and writes continue.
    InplaceRebuild,
    /// In place, but writes wait for the whole operation (`LOCK=SHARED`: a FULLTEXT or SPATIAL index).
    BlocksWrites,
    /// A table copy: writes wait for the whole copy.
    Copy,
}

impl Algorithm {
    /// How the manual names it.
    pub fn words(self) -> &'static str {
        match self {
            Algorithm::Instant => "INSTANT (metadata only)",
            Algorithm::InplaceNoRebuild => "INPLACE without a rebuild",
            Algorithm::InplaceRebuild => "INPLACE with a table rebuild",
            Algorithm::BlocksWrites => "INPLACE with writes blocked (LOCK=SHARED)",
            Algorithm::Copy => "COPY (the table is copied while writes wait)",
        }
    }
}

/// The connected server: its flavor and version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    /// MariaDB rather than MySQL.
    pub mariadb: bool,
    /// Major, minor, patch.
    pub version: (u32, u32, u32),
}

impl Server {
    /// Reads `SELECT VERSION()`'s text: `10.11.19-MariaDB-0+deb12u1`, `8.0.36`, `8.4.2-log`.
    pub fn parse(version: &str) -> Option<Server> {
        let numbers: Vec<u32> = version
            .split(|c: char| !c.is_ascii_digit() && c != '.')
            .next()?
            .split('.')
            .map(|n| n.parse().ok())
            .collect::<Option<Vec<u32>>>()?;
        let at = |i: usize| numbers.get(i).copied().unwrap_or(0);
        Some(Server { mariadb: version.contains("MariaDB"), version: (at(0), at(1), at(2)) })
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b, c) = self.version;
        write!(f, "{} {a}.{b}.{c}", if self.mariadb { "MariaDB" } else { "MySQL" })
    }
}

/// The oldest servers retort supports: what `lint` assumes without a connection (the costlier of
/// the two for each clause).
const OLDEST: [Server; 2] =
    [Server { mariadb: false, version: (8, 0, 0) }, Server { mariadb: true, version: (10, 5, 0) }];

/// The kinds of clause an `ALTER TABLE` (or `CREATE INDEX`, `DROP INDEX`, `RENAME TABLE`) holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `ADD COLUMN c ...` at the end.
    AddColumn,
    /// `ADD COLUMN c ... AFTER x` / `FIRST`.
    AddColumnPlaced,
    /// `DROP COLUMN c`.
    DropColumn,
    /// `RENAME COLUMN a TO b`.
    RenameColumn,
    /// `ALTER COLUMN c SET DEFAULT / DROP DEFAULT`.
    ColumnDefault,
    /// `MODIFY` / `CHANGE`: a new type, nullability, charset.
    ModifyColumn,
    /// `ADD INDEX`, `ADD UNIQUE`, `CREATE INDEX`.
    AddIndex,
    /// `ADD FULLTEXT` / `ADD SPATIAL` index.
    AddSpecialIndex,
    /// `DROP INDEX`.
    DropIndex,
    /// `RENAME INDEX`.
    RenameIndex,
    /// `ADD PRIMARY KEY`.
    AddPrimaryKey,
    /// `DROP PRIMARY KEY`.
    DropPrimaryKey,
    /// `ADD [CONSTRAINT x] FOREIGN KEY` (with `foreign_key_checks` on, as retort runs).
    AddForeignKey,
    /// `DROP FOREIGN KEY`.
    DropForeignKey,
    /// `ADD [CONSTRAINT x] CHECK`.
    AddCheck,
    /// `DROP CONSTRAINT` / `DROP CHECK`.
    DropCheck,
    /// `RENAME TO` / `RENAME TABLE`.
    RenameTable,
    /// `ENGINE=`.
    Engine,
    /// `CONVERT TO CHARACTER SET`.
    ConvertCharset,
    /// `DEFAULT CHARSET=` / `COLLATE=` without converting.
    DefaultCharset,
    /// `COMMENT=`, `STATS_PERSISTENT=` and other options kept in the data dictionary only.
    TableMetadata,
    /// `ALTER INDEX i INVISIBLE` (MySQL), `ALTER INDEX i IGNORED` (MariaDB).
    InvisibleIndex,
    /// `ROW_FORMAT=`, `KEY_BLOCK_SIZE=`, `FORCE` and other options that rewrite the rows.
    RebuildOption,
    /// `AUTO_INCREMENT=`.
    AutoIncrement,
    /// `ALGORITHM=` / `LOCK=`: a guard, not an operation.
    Guard,
    /// A clause retort does not know: assumed to copy.
    Unknown,
}

/// One row of the rules: the clause kind, and for each flavor the algorithm from each version on
/// (oldest first).
struct Row {
    op: Op,
    mysql: &'static [((u32, u32, u32), Algorithm)],
    mariadb: &'static [((u32, u32, u32), Algorithm)],
}

use Algorithm::*;

const ANY: (u32, u32, u32) = (0, 0, 0);

/// How each clause runs, per flavor and version.
const RULES: [Row; 26] = [
    Row { op: Op::AddColumn, mysql: &[(ANY, InplaceRebuild), ((8, 0, 12), Instant)], mariadb: &[(ANY, Instant)] },
    Row {
        op: Op::AddColumnPlaced,
        mysql: &[(ANY, InplaceRebuild), ((8, 0, 29), Instant)],
        mariadb: &[(ANY, InplaceRebuild), ((10, 4, 0), Instant)],
    },
    Row {
        op: Op::DropColumn,
        mysql: &[(ANY, InplaceRebuild), ((8, 0, 29), Instant)],
        mariadb: &[(ANY, InplaceRebuild), ((10, 4, 0), Instant)],
    },
    Row { op: Op::RenameColumn, mysql: &[(ANY, InplaceNoRebuild), ((8, 0, 28), Instant)], mariadb: &[(ANY, Instant)] },
    Row { op: Op::ColumnDefault, mysql: &[(ANY, Instant)], mariadb: &[(ANY, Instant)] },
    Row { op: Op::ModifyColumn, mysql: &[(ANY, Copy)], mariadb: &[(ANY, Copy)] },
    Row { op: Op::AddIndex, mysql: &[(ANY, InplaceNoRebuild)], mariadb: &[(ANY, InplaceNoRebuild)] },
    Row { op: Op::AddSpecialIndex, mysql: &[(ANY, BlocksWrites)], mariadb: &[(ANY, BlocksWrites)] },
    Row { op: Op::DropIndex, mysql: &[(ANY, InplaceNoRebuild)], mariadb: &[(ANY, InplaceNoRebuild)] },
    Row { op: Op::RenameIndex, mysql: &[(ANY, InplaceNoRebuild)], mariadb: &[(ANY, Instant)] },
    Row { op: Op::AddPrimaryKey, mysql: &[(ANY, InplaceRebuild)], mariadb: &[(ANY, InplaceRebuild)] },
    Row { op: Op::DropPrimaryKey, mysql: &[(ANY, Copy)], mariadb: &[(ANY, Copy)] },
    Row { op: Op::AddForeignKey, mysql: &[(ANY, Copy)], mariadb: &[(ANY, Copy)] },
    Row { op: Op::DropForeignKey, mysql: &[(ANY, InplaceNoRebuild)], mariadb: &[(ANY, InplaceNoRebuild)] },
    Row { op: Op::AddCheck, mysql: &[(ANY, Copy)], mariadb: &[(ANY, Copy)] },
    Row { op: Op::DropCheck, mysql: &[(ANY, InplaceNoRebuild)], mariadb: &[(ANY, Instant)] },
    Row { op: Op::RenameTable, mysql: &[(ANY, Instant)], mariadb: &[(ANY, Instant)] },
    Row { op: Op::Engine, mysql: &[(ANY, Copy)], mariadb: &[(ANY, Copy)] },
    Row { op: Op::ConvertCharset, mysql: &[(ANY, Copy)], mariadb: &[(ANY, Copy)] },
    Row { op: Op::DefaultCharset, mysql: &[(ANY, InplaceNoRebuild)], mariadb: &[(ANY, Instant)] },
    Row { op: Op::TableMetadata, mysql: &[(ANY, InplaceNoRebuild)], mariadb: &[(ANY, Instant)] },
    Row { op: Op::InvisibleIndex, mysql: &[(ANY, Instant)], mariadb: &[(ANY, Instant)] },
    Row { op: Op::RebuildOption, mysql: &[(ANY, InplaceRebuild)], mariadb: &[(ANY, InplaceRebuild)] },
    Row { op: Op::AutoIncrement, mysql: &[(ANY, InplaceNoRebuild)], mariadb: &[(ANY, InplaceNoRebuild)] },
    Row { op: Op::Guard, mysql: &[(ANY, Instant)], mariadb: &[(ANY, Instant)] },
    Row { op: Op::Unknown, mysql: &[(ANY, Copy)], mariadb: &[(ANY, Copy)] },
];

/// How `op` runs on `server`; without a server, the costlier on the oldest supported servers.
pub fn algorithm(op: Op, server: Option<Server>) -> Algorithm {
    let on = |s: Server| {
        let Some(row) = RULES.iter().find(|r| r.op == op) else { return Copy };
        let steps = if s.mariadb { row.mariadb } else { row.mysql };
        steps.iter().rev().find(|(since, _)| *since <= s.version).map_or(Copy, |(_, a)| *a)
    };
    match server {
        Some(s) => on(s),
        None => OLDEST.iter().map(|s| on(*s)).max().unwrap_or(Copy),
    }
}

/// The clauses of an `ALTER TABLE t ...` statement (after the table name), split at commas outside
/// parentheses, quotes and backticks.
pub fn clauses(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                if chars.peek() == Some(&q) {
                    current.push(c);
                    current.push(q);
                    chars.next();
                    continue;
                }
                quote = None;
            }
            (Some(_), '\\') => {
                current.push(c);
                if let Some(n) = chars.next() {
                    current.push(n);
                }
                continue;
            }
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(std::mem::take(&mut current).trim().to_string());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

/// What kind of clause this is, from its leading words.
pub fn classify(clause: &str) -> Op {
    let upper = clause.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(|c: char| c.is_whitespace() || c == '=').filter(|w| !w.is_empty()).collect();
    let word = |i: usize| words.get(i).copied().unwrap_or("");
    // `ADD CONSTRAINT name ...` and `DROP CONSTRAINT name`: the kind follows the name.
    let after_constraint = |i: usize| if word(i) == "CONSTRAINT" { word(i + 2) } else { word(i) };
    let placed = upper.contains(" AFTER ") || upper.trim_end().ends_with(" FIRST");
    match word(0) {
        "ADD" => match after_constraint(1) {
            "INDEX" | "KEY" | "UNIQUE" => Op::AddIndex,
            "FULLTEXT" | "SPATIAL" => Op::AddSpecialIndex,
            "PRIMARY" => Op::AddPrimaryKey,
            "FOREIGN" => Op::AddForeignKey,
            "CHECK" => Op::AddCheck,
            _ if placed => Op::AddColumnPlaced,
            _ => Op::AddColumn,
        },
        "DROP" => match word(1) {
            "INDEX" | "KEY" => Op::DropIndex,
            "PRIMARY" => Op::DropPrimaryKey,
            "FOREIGN" => Op::DropForeignKey,
            "CONSTRAINT" | "CHECK" => Op::DropCheck,
            _ => Op::DropColumn,
        },
        "RENAME" => match word(1) {
            "COLUMN" => Op::RenameColumn,
            "INDEX" | "KEY" => Op::RenameIndex,
            _ => Op::RenameTable,
        },
        "ALTER" if upper.contains(" DEFAULT") => Op::ColumnDefault,
        "ALTER" if upper.contains(" INVISIBLE") || upper.contains(" VISIBLE") || upper.contains(" IGNORED") => {
            Op::InvisibleIndex
        }
        "MODIFY" | "CHANGE" => Op::ModifyColumn,
        "ENGINE" => Op::Engine,
        "CONVERT" => Op::ConvertCharset,
        "DEFAULT" | "CHARSET" | "CHARACTER" | "COLLATE" => Op::DefaultCharset,
        "COMMENT" | "STATS_PERSISTENT" | "STATS_AUTO_RECALC" | "STATS_SAMPLE_PAGES" => Op::TableMetadata,
        "ROW_FORMAT" | "KEY_BLOCK_SIZE" | "FORCE" | "PAGE_COMPRESSED" => Op::RebuildOption,
        "AUTO_INCREMENT" => Op::AutoIncrement,
        "ALGORITHM" | "LOCK" => Op::Guard,
        _ => Op::Unknown,
    }
}
