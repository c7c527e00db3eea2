//! The server prints the expressions: one round trip, inside a transaction that is rolled back.
//! Defaults go into temporary tables with one column per distinct (type, default) pair; tables
//! with checks, generated columns or expression indexes are recreated as temporary tables with
//! their columns, and the catalog is read back with the inspector's own functions
//! (`pg_get_expr`, `pg_get_constraintdef`, `pg_get_indexdef`) under an empty search_path, so
//! both sides of a comparison are printed by the same code.

use std::collections::HashMap;

use retort_schema::render::quote_ident;
use retort_schema::{Name, Schema};
use serde::Deserialize;

use super::Decline;
use super::build::{DefaultExpr, Pending};
use super::types::builtin;
use crate::dialect::postgres::{index_keys, parse_check};
use crate::driver::Driver;

/// Defaults per temporary table (the server allows 1,600 columns).
const DEFAULTS_PER_TABLE: usize = 1000;

#[derive(Deserialize)]
struct Printed {
    missing: Vec<String>,
    attrdefs: Vec<(String, String, String)>,
    checks: Vec<(String, String, String)>,
    indexes: Vec<(String, String, String, Option<String>)>,
}

fn server_decline(reason: String) -> Decline {
    Decline::new(None, reason)
}

/// Fills in every expression of `pending`, asking the server for those it must print.
pub fn settle(schema: &mut Schema, pending: Pending, server: &mut dyn Driver) -> Result<(), Decline> {
    let position: HashMap<Name, usize> = schema.tables.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
    let mut script = String::from("BEGIN;\nSET LOCAL search_path = '';\n");
    // Defaults: one column per distinct (type, SQL).
    let mut default_ids: HashMap<(String, String), usize> = HashMap::new();
    let mut default_of: Vec<((Name, String), usize)> = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    for ((table, column), expr) in &pending.defaults {
        let data_type = column_type(schema, &position, table, column)?;
        match expr {
            DefaultExpr::Local(printed) => set_default(schema, &position, table, column, Some(printed.clone())),
            DefaultExpr::Server(sql) => {
                let key = (data_type.clone(), sql.clone());
                let next = default_ids.len();
                let id = *default_ids.entry(key).or_insert_with(|| {
                    columns.push(format!("d{next} {data_type} DEFAULT {sql}"));
                    next
                });
                default_of.push(((table.clone(), column.clone()), id));
            }
        }
    }
    for (n, chunk) in columns.chunks(DEFAULTS_PER_TABLE).enumerate() {
        script.push_str(&format!("CREATE TEMP TABLE __retort_d{n} ({});\n", chunk.join(", ")));
    }
    // Tables with expressions that read their columns.
    let mut table_of: HashMap<String, Name> = HashMap::new();
    for (n, (name, work)) in pending.tables.iter().enumerate() {
        let Some(table) = position.get(name).map(|&i| &schema.tables[i]) else {
            return Err(server_decline(format!("table {name} vanished")));
        };
        let temp = format!("__retort_t{n}");
        table_of.insert(temp.clone(), name.clone());
        let mut parts = Vec::new();
        // Columns of user types are left out: an expression that reads one fails on the server
        // (the parser then declines), and no other expression prints differently without them.
        for c in table.columns.iter().filter(|c| builtin(&c.data_type).is_some()) {
            let generated = work.generated.iter().find(|(g, _)| g == &c.name).map(|(_, sql)| sql);
            let collate = c.collation.as_ref().map(|n| format!(" COLLATE {n}")).unwrap_or_default();
            parts.push(match generated {
                Some(sql) => {
                    format!("{} {}{collate} GENERATED ALWAYS AS ({sql}) STORED", quote_ident(&c.name), c.data_type)
                }
                None => format!("{} {}{collate}", quote_ident(&c.name), c.data_type),
            });
        }
        for (i, (_, sql, no_inherit)) in work.checks.iter().enumerate() {
            parts.push(format!("CONSTRAINT c{i} CHECK ({sql}){}", if *no_inherit { " NO INHERIT" } else { "" }));
        }
        script.push_str(&format!("CREATE TEMP TABLE {temp} ({});\n", parts.join(", ")));
        for (i, index) in work.indexes.iter().enumerate() {
            let include = if index.include.is_empty() {
                String::new()
            } else {
                format!(" INCLUDE ({})", index.include.join(", "))
            };
            let predicate = index.predicate.as_ref().map(|p| format!(" WHERE {p}")).unwrap_or_default();
            script.push_str(&format!(
                "CREATE INDEX {temp}_i{i} ON pg_temp.{temp} USING {} ({}){include}{predicate};\n",
                index.method,
                index.keys.join(", ")
            ));
        }
    }
    if default_of.is_empty()
        && pending.tables.is_empty()
        && pending.extensions.is_empty()
        && pending.collations.is_empty()
    {
        return Ok(());
    }
    script.push_str(&read_back(&pending.extensions, &pending.collations));
    let answer = server.query(&script);
    let _ = server.execute("ROLLBACK");
    let rows = answer.map_err(|e| server_decline(format!("the server could not print the expressions: {e}")))?;
    let json = rows.into_iter().next().and_then(|r| r.into_iter().next().flatten()).unwrap_or_default();
    let printed: Printed =
        serde_json::from_str(&json).map_err(|e| server_decline(format!("unreadable canonical forms: {e}")))?;
    if !printed.missing.is_empty() {
        return Err(server_decline(format!("the server lacks {}", printed.missing.join(", "))));
    }

    let attrdef: HashMap<(String, String), String> =
        printed.attrdefs.into_iter().map(|(rel, att, expr)| ((rel, att), expr)).collect();
    for ((table, column), id) in default_of {
        let printed = attrdef.get(&(format!("__retort_d{}", id / DEFAULTS_PER_TABLE), format!("d{id}"))).cloned();
        set_default(schema, &position, &table, &column, printed);
    }
    for (temp, name) in &table_of {
        let Some(work) = pending.tables.get(name) else { continue };
        let Some(table) = position.get(name).map(|&i| &mut schema.tables[i]) else { continue };
        for (column, _) in &work.generated {
            let expr = attrdef.get(&(temp.clone(), column.clone())).cloned();
            let col = table.columns.iter_mut().find(|c| &c.name == column);
            match (col.and_then(|c| c.generated.as_mut()), expr) {
                (Some(g), Some(expr)) => g.expr = expr,
                _ => return Err(server_decline(format!("{name}.{column}: no generated expression came back"))),
            }
        }
        for (i, (check_name, _, _)) in work.checks.iter().enumerate() {
            let def = printed.checks.iter().find(|(rel, con, _)| rel == temp && con == &format!("c{i}"));
            let check = table.checks.iter_mut().find(|c| c.name.as_deref() == Some(check_name.as_str()));
            match (check, def) {
                (Some(check), Some((_, _, def))) => check.expr = parse_check(None, def).expr,
                _ => return Err(server_decline(format!("{name}: check {check_name} did not come back"))),
            }
        }
        for (i, pending_index) in work.indexes.iter().enumerate() {
            let def = printed.indexes.iter().find(|(rel, ..)| rel == &format!("{temp}_i{i}"));
            let index = table.indexes.iter_mut().find(|x| x.name == pending_index.name);
            let (Some(index), Some((_, def, method, predicate))) = (index, def) else {
                return Err(server_decline(format!("{name}: index {} did not come back", pending_index.name)));
            };
            index.keys = index_keys(def, method)
                .ok_or_else(|| server_decline(format!("{name}: unexpected index definition {def}")))?;
            index.predicate = predicate.clone();
        }
    }
    Ok(())
}

/// The canonical forms, read with the inspector's functions, and which of the extensions and
/// collations the files use the server lacks.
fn read_back(extensions: &[String], collations: &[String]) -> String {
    let array = |names: &[String]| {
        let items: Vec<String> = names.iter().map(|n| crate::dialect::Dialect::Postgres.literal(n)).collect();
        format!("ARRAY[{}]::pg_catalog.text[]", items.join(", "))
    };
    format!(
        "SELECT pg_catalog.json_build_object(
  'missing', (SELECT coalesce(pg_catalog.json_agg(m), '[]') FROM (
      SELECT 'extension ' || e FROM unnest({}) e WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions a WHERE a.name = e)
      UNION ALL SELECT 'collation ' || c FROM unnest({}) c WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_collation co
        WHERE co.collnamespace = 'pg_catalog'::pg_catalog.regnamespace AND co.collname = c
          AND co.collencoding IN (-1, pg_catalog.pg_char_to_encoding(pg_catalog.getdatabaseencoding())))) x(m)),
  {READ_BACK}",
        array(extensions),
        array(collations)
    )
}

/// The canonical forms, read with the inspector's functions.
const READ_BACK: &str = "
  'attrdefs', (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(c.relname, a.attname, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid))), '[]')
               FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid
               JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
               WHERE c.relnamespace = pg_catalog.pg_my_temp_schema()),
  'checks', (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(c.relname, co.conname, pg_catalog.pg_get_constraintdef(co.oid, true))), '[]')
             FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
             WHERE c.relnamespace = pg_catalog.pg_my_temp_schema() AND co.contype = 'c'),
  'indexes', (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true), am.amname, pg_catalog.pg_get_expr(i.indpred, i.indrelid, true))), '[]')
              FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
              JOIN pg_catalog.pg_am am ON am.oid = ic.relam
              WHERE ic.relnamespace = pg_catalog.pg_my_temp_schema()))";

fn column_type(
    schema: &Schema,
    position: &HashMap<Name, usize>,
    table: &Name,
    column: &str,
) -> Result<String, Decline> {
    position
        .get(table)
        .and_then(|&i| schema.tables[i].columns.iter().find(|c| c.name == column))
        .map(|c| c.data_type.clone())
        .ok_or_else(|| server_decline(format!("{table}.{column} vanished")))
}

fn set_default(
    schema: &mut Schema,
    position: &HashMap<Name, usize>,
    table: &Name,
    column: &str,
    printed: Option<String>,
) {
    if let Some(c) = position.get(table).and_then(|&i| schema.tables[i].columns.iter_mut().find(|c| c.name == column)) {
        c.default = printed;
    }
}
