//! Catalog helpers on both engines: schemas, relations with their types, columns as dbt's
//! `get_columns_in_relation` returns them, rename and drop.

use runner_adapters::{AdapterKind, ColumnInfo, Connection, Relation, RelationType};

use crate::support::both;

fn relation(
    conn: &dyn Connection,
    schema: &str,
    name: &str,
    relation_type: RelationType,
) -> Relation {
    Relation {
        database: conn.database().to_string(),
        schema: schema.into(),
        identifier: name.into(),
        relation_type,
    }
}

#[test]
fn schemas_are_created_listed_and_dropped() {
    for mut conn in both("catalog_schemas") {
        let kind = conn.kind();
        assert!(!conn.schema_exists("Dbt_Test").expect("exists"), "{kind:?}");
        conn.create_schema("Dbt_Test").expect("create");
        conn.create_schema("Dbt_Test")
            .expect("create is idempotent");
        assert!(conn.schema_exists("Dbt_Test").expect("exists"), "{kind:?}");
        assert!(
            !conn.schema_exists("dbt_test").expect("exists"),
            "names are exact, {kind:?}"
        );
        assert!(
            conn.list_schemas()
                .expect("list")
                .contains(&"Dbt_Test".to_string()),
            "{kind:?}"
        );
        conn.execute("create table \"Dbt_Test\".t (i int)")
            .expect("table in schema");
        conn.drop_schema("Dbt_Test").expect("drop cascades");
        assert!(!conn.schema_exists("Dbt_Test").expect("exists"), "{kind:?}");
    }
}

#[test]
fn relations_columns_rename_and_drop() {
    for mut conn in both("catalog_relations") {
        let kind = conn.kind();
        conn.create_schema("analytics").expect("schema");
        conn.execute(
            "create table analytics.orders (id integer, name varchar(10), amount numeric(10, 2), placed_at timestamp);\
             create view analytics.orders_v as select id from analytics.orders",
        )
        .expect("create");
        let mut expected = vec![
            relation(conn.as_ref(), "analytics", "orders", RelationType::Table),
            relation(conn.as_ref(), "analytics", "orders_v", RelationType::View),
        ];
        if kind == AdapterKind::Postgres {
            conn.execute(
                "create materialized view analytics.orders_mv as select id from analytics.orders",
            )
            .expect("matview");
            expected.push(relation(
                conn.as_ref(),
                "analytics",
                "orders_mv",
                RelationType::MaterializedView,
            ));
        }
        let mut listed = conn.list_relations("analytics").expect("list");
        listed.sort();
        expected.sort();
        assert_eq!(listed, expected, "{kind:?}");

        let columns = conn.get_columns_in_relation(&expected[0]).expect("columns");
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "name", "amount", "placed_at"], "{kind:?}");
        let name = &columns[1];
        let amount = &columns[2];
        match kind {
            AdapterKind::DuckDb => {
                assert_eq!(name.data_type, "VARCHAR");
                assert_eq!(amount.data_type, "DECIMAL(10,2)");
            }
            _ => {
                assert_eq!(
                    name,
                    &ColumnInfo {
                        name: "name".into(),
                        data_type: "character varying".into(),
                        char_size: Some(10),
                        numeric_precision: None,
                        numeric_scale: None
                    }
                );
                assert_eq!(amount.data_type, "numeric");
            }
        }
        assert_eq!(
            (amount.numeric_precision, amount.numeric_scale),
            (Some(10), Some(2)),
            "{kind:?}"
        );
        let missing = relation(conn.as_ref(), "analytics", "nope", RelationType::Table);
        assert!(
            conn.get_columns_in_relation(&missing)
                .expect("columns")
                .is_empty()
        );

        let view = relation(conn.as_ref(), "analytics", "orders_v", RelationType::View);
        conn.drop_relation(&view).expect("drop view");
        conn.drop_relation(&view).expect("drop is idempotent");
        let table = relation(conn.as_ref(), "analytics", "orders", RelationType::Table);
        conn.rename_relation(&table, "orders__dbt_backup")
            .expect("rename");
        let names: Vec<String> = conn
            .list_relations("analytics")
            .expect("list")
            .into_iter()
            .map(|r| r.identifier)
            .collect();
        assert!(
            names.contains(&"orders__dbt_backup".to_string())
                && !names.contains(&"orders".to_string()),
            "{kind:?} {names:?}"
        );
        let renamed = relation(
            conn.as_ref(),
            "analytics",
            "orders__dbt_backup",
            RelationType::Table,
        );
        conn.drop_relation(&renamed).expect("drop table");
        assert!(
            conn.list_relations("analytics").expect("list").is_empty(),
            "{kind:?}"
        );
    }
}
