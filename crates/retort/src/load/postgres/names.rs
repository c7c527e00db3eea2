//! The names PostgreSQL gives objects the DDL leaves unnamed (`orders_pkey`, `orders_user_id_fkey`,
//! `orders_code_key1`, `orders_id_seq`), with its truncation to 63 bytes and its numbering on
//! conflicts: the same algorithm as the server's `makeObjectName`, `ChooseRelationName` and
//! `ChooseConstraintName`, so the parsed schema names them exactly as a database would.

use std::collections::HashSet;

/// The longest identifier PostgreSQL keeps (NAMEDATALEN - 1), in bytes.
pub const MAX_IDENTIFIER: usize = 63;

/// `name1_name2_label`, truncating the longer of the two names first so that it fits in 63
/// bytes (never splitting a UTF-8 character).
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let avail = MAX_IDENTIFIER.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(clip(n, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// The longest prefix of `s` of at most `bytes` bytes ending on a character boundary.
fn clip(s: &str, bytes: usize) -> &str {
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Column names joined with `_` the way index and foreign key names use them: names are added
/// until the result reaches 64 bytes (`make_object_name` truncates it afterwards).
pub fn name_addition(columns: &[String]) -> String {
    let mut out = String::new();
    for c in columns {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(clip(c, MAX_IDENTIFIER));
        if out.len() > MAX_IDENTIFIER {
            break;
        }
    }
    out
}

/// The names already taken in each schema: relations (tables, indexes, sequences, views) and
/// constraints, which PostgreSQL keeps unique per schema when it chooses a name.
#[derive(Debug, Default)]
pub struct Taken {
    relations: HashSet<(String, String)>,
    constraints: HashSet<(String, String)>,
}

impl Taken {
    /// Records a relation name.
    pub fn relation(&mut self, schema: &str, name: &str) {
        self.relations.insert((schema.to_string(), name.to_string()));
    }

    /// Records a constraint name.
    pub fn constraint(&mut self, schema: &str, name: &str) {
        self.constraints.insert((schema.to_string(), name.to_string()));
    }

    /// True when a relation of that name exists in the schema.
    pub fn has_relation(&self, schema: &str, name: &str) -> bool {
        self.relations.contains(&(schema.to_string(), name.to_string()))
    }

    /// `ChooseRelationName`: the first of `t_col_label`, `t_col_label1`, ... that names no
    /// relation (and, for an index backing a constraint, no constraint either). Not recorded.
    pub fn choose_relation(
        &self,
        schema: &str,
        name1: &str,
        name2: Option<&str>,
        label: &str,
        constraint: bool,
    ) -> String {
        self.choose(name1, name2, label, |n| {
            self.has_relation(schema, n)
                || (constraint && self.constraints.contains(&(schema.to_string(), n.to_string())))
        })
    }

    /// `ChooseConstraintName`: the first free constraint name in the schema, also avoiding the
    /// names `others` chosen earlier in the same statement. Not recorded.
    pub fn choose_constraint(
        &self,
        schema: &str,
        name1: &str,
        name2: Option<&str>,
        label: &str,
        others: &[String],
    ) -> String {
        self.choose(name1, name2, label, |n| {
            others.iter().any(|o| o == n) || self.constraints.contains(&(schema.to_string(), n.to_string()))
        })
    }

    fn choose(&self, name1: &str, name2: Option<&str>, label: &str, used: impl Fn(&str) -> bool) -> String {
        let mut pass = 0;
        loop {
            let modified = if pass == 0 { label.to_string() } else { format!("{label}{pass}") };
            let name = make_object_name(name1, name2, &modified);
            if !used(&name) {
                return name;
            }
            pass += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_server() {
        assert_eq!(make_object_name("orders", None, "pkey"), "orders_pkey");
        assert_eq!(make_object_name("orders", Some("user_id"), "fkey"), "orders_user_id_fkey");
        let long = "a".repeat(70);
        let name = make_object_name(&long, Some("b"), "key");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_b_key", "a".repeat(57)));
        // Both long: the longer one shrinks until they are equal, then they shrink in turn.
        let name = make_object_name(&"x".repeat(40), Some(&"y".repeat(40)), "idx");
        assert_eq!(name, format!("{}_{}_idx", "x".repeat(29), "y".repeat(29)));
        // A multi-byte character is never cut in half.
        let name = make_object_name(&"é".repeat(40), None, "pkey");
        assert!(name.len() <= 63 && name.ends_with("_pkey"));
    }

    #[test]
    fn conflicts_are_numbered() {
        let mut taken = Taken::default();
        taken.relation("public", "t_a_key");
        assert_eq!(taken.choose_relation("public", "t", Some("a"), "key", true), "t_a_key1");
        taken.constraint("public", "t_a_fkey");
        assert_eq!(taken.choose_constraint("public", "t", Some("a"), "fkey", &[]), "t_a_fkey1");
        assert_eq!(taken.choose_constraint("other", "t", Some("a"), "fkey", &["t_a_fkey".into()]), "t_a_fkey1");
        assert_eq!(name_addition(&["a".into(), "b".into()]), "a_b");
    }
}
